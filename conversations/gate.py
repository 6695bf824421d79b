"""The staff gate (handler group -1): only active staff get past, with two public doors.

A client may open their own acceptance deep link (``/start ac_<token>``) and tap its buttons;
anyone may try an admin claim link (``/start claim_<code>``). Everyone else gets one polite
refusal and nothing more. The staff row is re-read from the database on every update, so a
deactivation or role change takes effect on the next tap.
"""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.i18n import normalize_locale, t
from bot.services.staff import staff_by_telegram_id
from conversations.acceptance import awaiting_document
from conversations.base import BotContext, ack, forget_awaiting

log = logging.getLogger(__name__)

PUBLIC_CALLBACK_PREFIX = "ac:"


PUBLIC_START = re.compile(r"^/start(@\w+)? (ac_[A-Za-z0-9_-]{16,64}|claim_[A-Za-z0-9_-]{1,64})$")


def is_public(update: Update) -> bool:
    """Updates a non-staff user is allowed to send: well-formed public links, and the
    acceptance buttons. A malformed link gets the refusal like anything else."""
    message = update.message
    if message is not None and message.text and PUBLIC_START.match(message.text.strip()):
        return True
    query = update.callback_query
    return bool(query is not None and (query.data or "").startswith(PUBLIC_CALLBACK_PREFIX))


async def gate(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    staff = await staff_by_telegram_id(context.services, user.id)
    context.staff = staff if staff is not None and staff.active else None
    if context.staff is not None or is_public(update):
        return
    if update.message is not None and awaiting_document(context, user.id):
        return  # a client typing their CPF/CNPJ before answering an acceptance link
    locale = normalize_locale(user.language_code) if user.language_code else context.locale
    text = t("ui.not_staff", locale, user_id=user.id)
    if update.callback_query is not None:
        await ack(context, update, text, alert=True)
    elif update.effective_chat is not None and update.effective_chat.type == "private":
        await context.bot.send_message(update.effective_chat.id, text)
    log.info("refused update from non-staff user %s", user.id)
    raise ApplicationHandlerStop


def build() -> list[TypeHandler[Update, BotContext, None]]:
    """The gate, then forgetting what text a flow awaited when the user goes elsewhere."""
    return [TypeHandler(Update, gate), TypeHandler(Update, forget_awaiting)]
