"""Contracts and amendments as PDFs in the chat ("Ver contrato (PDF)", after finalizing)."""

from __future__ import annotations

import logging

from telegram import InputFile, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.services import printouts
from bot.services.printout_data import AmendmentPrintout, ContractPrintout
from conversations.base import OFFICE, BotContext, ack, arg_int, staff_only

log = logging.getLogger(__name__)


async def send_contract_pdf(
    context: BotContext, chat_id: int, contract_id: int, doc: ContractPrintout | None = None
) -> None:
    """Render (or reuse) the current contract and send it as ``contrato-<n>-v<version>.pdf``
    (``doc``: its data, when already read)."""
    await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    doc = doc or await printouts.contract_printout(context.services, contract_id)
    data = await context.app.pdf.contract_pdf(doc)
    name = context.app.pdf.filename(doc)
    await context.bot.send_document(
        chat_id,
        InputFile(data, filename=name),
        filename=name,
        caption=context.tr("documents.contract_caption", number=doc.number, version=doc.version),
    )


async def send_amendment_pdf(
    context: BotContext, chat_id: int, action_id: int, doc: AmendmentPrintout | None = None
) -> None:
    """The termo aditivo of a finalized plan update, with the acceptance evidence."""
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
        doc = doc or await printouts.amendment_printout(context.services, action_id)
        data = await context.app.pdf.amendment_pdf(doc)
        name = context.app.pdf.filename(doc)
        await context.bot.send_document(
            chat_id,
            InputFile(data, filename=name),
            filename=name,
            caption=context.tr("documents.amendment_caption", action_id=action_id),
        )
    except TelegramError as exc:
        log.warning("could not send the amendment of action %s: %s", action_id, exc)


@staff_only(*OFFICE)
async def contract_pdf(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None
    await ack(context, update, context.tr("documents.rendering"))
    await send_contract_pdf(context, update.effective_chat.id, arg_int(context))


@staff_only(*OFFICE)
async def amendment_pdf(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None
    await ack(context, update, context.tr("documents.rendering"))
    await send_amendment_pdf(context, update.effective_chat.id, arg_int(context))


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(contract_pdf, pattern=r"^ct:pdf:(\d{1,10})$"),
        CallbackQueryHandler(amendment_pdf, pattern=r"^pa:amd:(\d{1,10})$"),
    ]
