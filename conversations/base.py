"""Shared glue for every flow: the context type, callback data, keyboards, showing a screen,
alerts, guards and what typed text is awaited. Screens themselves live in ``screens``.

Callbacks stay thin: parse the input, call one service, render one template, return the next
state. Anything that can go wrong in the rules arrives here as a ``DomainError`` and becomes a
friendly reply or alert in the user's language (see ``on_error``).
"""

from __future__ import annotations

import contextlib
import html
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, BaseHandler, CallbackContext, ConversationHandler, ExtBot
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.models import Role, Staff
from bot.i18n import error_text, normalize_locale, t
from bot.render import MessageRenderer
from bot.services.context import ServiceContext
from bot.services.printout_data import PdfPrinter
from bot.services.staff import adopt_telegram_name, placeholder_name
from conversations.limits import fit, fit_alert

log = logging.getLogger(__name__)

Handler = BaseHandler[Update, Any, Any]  # what ConversationHandler's state lists hold

MAX_CALLBACK_BYTES = 64
PAGE_SIZE = 8


@dataclass
class AppServices:
    """What every callback may reach: settings, services, the renderer, PDFs, the bot's name."""

    settings: Settings
    ctx: ServiceContext
    renderer: MessageRenderer
    pdf: PdfPrinter
    bot_username: str = ""


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Per-update context: the staff member found by the gate, and the app's services."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.staff: Staff | None = None
        self.answered = False
        self.awaiting_before: str | None = None  # see forget_awaiting

    @property
    def app(self) -> AppServices:
        services: AppServices = self.application.bot_data["app"]
        return services

    @property
    def services(self) -> ServiceContext:
        return self.app.ctx

    @property
    def locale(self) -> str:
        if self.staff is not None:
            return self.staff.locale
        return self.app.settings.locale

    def tr(self, key: str, **params: Any) -> str:
        return t(key, self.locale, **params)

    def explain(self, err: DomainError) -> str:
        """A domain error in this user's language."""
        return error_text(err, self.locale)

    def render(self, name: str, **data: Any) -> str:
        return self.app.renderer.render(name, self.locale, **data)

    @property
    def me(self) -> Staff:
        """The acting staff member (the gate guarantees one on staff-only handlers)."""
        if self.staff is None:
            raise PermissionDenied()
        return self.staff


def cb(*parts: object) -> str:
    """Callback data ``prefix:verb:arg``; Telegram refuses more than 64 bytes."""
    data = ":".join(str(p) for p in parts)
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def button(label: str, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=cb(*parts))


def url_button(label: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, url=url)


def keyboard(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(r) for r in rows if r])


def arg_int(context: BotContext, index: int = 0) -> int:
    """The ``index``-th integer captured by the handler's regex pattern."""
    assert context.matches is not None
    return int(context.matches[0].group(index + 1))


def esc(text: object) -> str:
    return html.escape(str(text), quote=False)


def paginate_row(
    locale: str, page: int, has_prev: bool, has_next: bool, *prefix: object, pages: int = 1
) -> list[InlineKeyboardButton]:
    row = []
    if has_prev:
        row.append(button(t("ui.prev", locale), *prefix, page - 1))
    if has_prev or has_next:
        row.append(button(f"{page + 1}/{pages}", *prefix, page))
    if has_next:
        row.append(button(t("ui.next", locale), *prefix, page + 1))
    return row


async def ack(
    context: BotContext, update: Update, text: str | None = None, *, alert: bool = False
) -> None:
    """Answer the callback query once (Telegram shows a spinner until we do)."""
    query = update.callback_query
    if query is None or context.answered:
        return
    context.answered = True
    if text is not None:
        text = fit_alert(text)
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:  # "query is too old": the user already moved on
        log.debug("callback answer failed: %s", exc)


async def show(
    update: Update,
    context: BotContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    new: bool = False,
) -> Message | None:
    """Edit the message the button was on, or send a new one (typed input, /commands)."""
    text = fit(text)
    query = update.callback_query
    if query is not None and not new and query.message is not None:
        try:
            result = await query.edit_message_text(
                text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
            )
            return result if isinstance(result, Message) else None
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return query.message if isinstance(query.message, Message) else None
            log.info("edit failed (%s); sending a new message", exc)
    chat = update.effective_chat
    assert chat is not None
    return await context.bot.send_message(
        chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
    )


async def drop_keyboard(context: BotContext, chat_id: int, message_id: int) -> None:
    """Remove the buttons of an older screen so they can't be tapped again."""
    with contextlib.suppress(TelegramError):
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)


PROMPT = "prompt"


def remember_prompt(context: BotContext, message: Message | None) -> None:
    """Note the message that asks for typed text, so its buttons can go once it is answered."""
    if message is not None and context.user_data is not None:
        context.user_data[PROMPT] = [message.chat_id, message.message_id]


async def drop_prompt(update: Update, context: BotContext) -> None:
    """The answer arrived (or the user left): the prompt's buttons (quick reasons, Voltar) no
    longer apply, so they go instead of answering "botão expirou" later. A tap on the prompt
    itself leaves them: that message is about to be redrawn."""
    ids = context.user_data.pop(PROMPT, None) if context.user_data is not None else None
    if not ids:
        return
    query = update.callback_query
    tapped = query.message if query is not None else None
    if tapped is not None and tapped.message_id == int(ids[1]):
        return
    await drop_keyboard(context, int(ids[0]), int(ids[1]))


async def expired(update: Update, context: BotContext, *, drop: bool = True) -> None:
    """A button from an old screen, or data we don't understand: say so and drop that old
    keyboard. Nothing else changes, so whatever the user was typing for is still awaited."""
    keep_awaiting(context)
    await ack(context, update, context.tr("ui.expired"), alert=True)
    query = update.callback_query
    message = query.message if query is not None else None
    if drop and query is not None and isinstance(message, Message) and _shows(message, query.data):
        await drop_keyboard(context, message.chat_id, message.message_id)


def _shows(message: Message, data: str | None) -> bool:
    """Whether the message still carries the tapped button. A double tap can arrive after the
    message became another screen (the action card), whose buttons must stay."""
    markup = message.reply_markup
    if markup is None:
        return False
    return any(b.callback_data == data for row in markup.inline_keyboard for b in row)


def conversation(**kwargs: Any) -> ConversationHandler[Any]:
    """A ConversationHandler for one user in one chat.

    Our flows keep one message per user and check its id themselves (stale buttons), so PTB's
    warning about tracking CallbackQueryHandlers per message does not apply and is silenced.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message=False.*", category=PTBUserWarning)
        return ConversationHandler(**kwargs)


H = TypeVar("H", bound=Callable[..., Awaitable[Any]])


def staff_only(*roles: Role) -> Callable[[H], H]:
    """Re-check on the server who is tapping and whether their role may do this."""

    def deco(fn: H) -> H:
        @wraps(fn)
        async def wrapper(update: Update, context: BotContext) -> Any:
            staff = context.staff
            if staff is None or not staff.active or (roles and staff.role not in roles):
                await deny(update, context)
                return None
            await learn_name(update, context)
            try:
                return await fn(update, context)
            except DomainError as exc:
                # Told here, while the button press can still be answered with the reason.
                await tell(update, context, context.explain(exc))
                return None
            finally:
                await ack(context, update)

        return wrapper  # type: ignore[return-value]

    return deco


OFFICE = (Role.ADMIN, Role.OPERATOR)


async def learn_name(update: Update, context: BotContext) -> None:
    """An admin configured by Telegram id only is stored as "Admin <id>": on their first
    update take the name Telegram shows (first + last), so greetings and cards name them."""
    staff, user = context.staff, update.effective_user
    if staff is not None and user is not None and staff.name == placeholder_name(staff.telegram_id):
        context.staff = await adopt_telegram_name(context.services, staff, user.full_name)


async def deny(update: Update, context: BotContext) -> None:
    text = context.tr("errors.permission")
    if update.callback_query is not None:
        await ack(context, update, text, alert=True)
    elif update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, text)


async def tell(update: Update, context: BotContext, text: str) -> None:
    """Short feedback: an alert on a button, a plain reply to typed input."""
    if update.callback_query is not None and not context.answered:
        await ack(context, update, text, alert=True)
    elif update.effective_chat is not None:
        await context.bot.send_message(
            update.effective_chat.id, fit(esc(text)), parse_mode=ParseMode.HTML
        )


async def on_error(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Turn rule violations into friendly messages; never surface Telegram's benign errors."""
    err = context.error
    if isinstance(err, BadRequest):
        text = str(err).lower()
        if "not modified" in text or "query is too old" in text or "query id is invalid" in text:
            return
    if isinstance(err, Forbidden):
        log.warning("bot blocked by a user: %s", err)
        return
    if not isinstance(update, Update):
        log.error("error outside an update", exc_info=err)
        return
    bctx = context if isinstance(context, BotContext) else None
    locale = bctx.locale if bctx else normalize_locale(None)
    if isinstance(err, DomainError):
        message = error_text(err, locale)
    else:
        log.error("unhandled error while handling an update", exc_info=err)
        message = t("errors.generic", locale)
    try:
        if bctx is not None:
            await tell(update, bctx, message)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, fit(message))
    except TelegramError as exc:
        log.warning("could not report an error to the user: %s", exc)


# --- what the user's next typed text is for -------------------------------------------------
#
# A flow that shows a screen sets ``awaiting`` to its name; any command or button press clears
# it first (``forget_awaiting``, handler group -1). A conversation state that receives text it
# no longer awaits (the user went elsewhere with /start or another card) hands the text on as a
# normal search instead of taking "Silva" as a cancel reason.

AWAITING = "awaiting"


def expect(context: BotContext, flow: str) -> None:
    if context.user_data is not None:
        context.user_data[AWAITING] = flow


def expecting(context: BotContext, flow: str) -> bool:
    return context.user_data is not None and context.user_data.get(AWAITING) == flow


async def forget_awaiting(update: Update, context: BotContext) -> None:
    message = update.message
    is_command = message is not None and (message.text or "").startswith("/")
    if (is_command or update.callback_query is not None) and context.user_data is not None:
        context.awaiting_before = context.user_data.pop(AWAITING, None)


def keep_awaiting(context: BotContext) -> None:
    """A tap that changed nothing (refused, expired): the user is still where they were."""
    if context.awaiting_before is not None and context.user_data is not None:
        context.user_data[AWAITING] = context.awaiting_before
