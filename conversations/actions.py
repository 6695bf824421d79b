"""The contract action card (tutorial steps 8–9), finalize with confirmation,
cancel with a reason, resend the acceptance, record an in-person acceptance, and the PDF."""

from __future__ import annotations

import logging
from enum import StrEnum

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.domain.errors import DomainError
from bot.domain.models import ActionStatus, Role
from bot.services import acceptance as acceptance_service
from bot.services import printouts
from bot.services.cancel import cancel_action
from bot.services.cards import action_card
from bot.services.finalize import FinalizeBlocked, Finalized, finalize_action
from conversations import approval
from conversations.base import (
    OFFICE,
    BotContext,
    Handler,
    ack,
    arg_int,
    button,
    conversation,
    drop_prompt,
    expect,
    expecting,
    expired,
    keyboard,
    remember_prompt,
    show,
    staff_only,
    tell,
)
from conversations.documents import send_amendment_pdf, send_contract_pdf
from conversations.screens import render_action_card, render_contract_card, stray_text

log = logging.getLogger(__name__)


class State(StrEnum):
    TYPING_REASON = "typing_reason"
    TYPING_IN_PERSON = "typing_in_person"


QUICK_REASONS = ("client_gave_up", "wrong_data", "duplicate")


@staff_only()
async def show_card(update: Update, context: BotContext) -> None:
    if context.me.role is Role.TECHNICIAN:
        await ack(context, update, context.tr("errors.permission"), alert=True)
        return
    await render_action_card(update, context, arg_int(context))


@staff_only(*OFFICE)
async def ask_finalize(update: Update, context: BotContext) -> None:
    """Finalizar ação: when a gate is unmet, an alert says exactly what is missing."""
    card = await action_card(context.services, arg_int(context))
    if card.action.status in (ActionStatus.FINALIZED, ActionStatus.SCHEDULED):
        # A late tap from before the commit: the "Contrato atualizado" screen stays as it is.
        await ack(context, update, context.tr("action.already_finalized"), alert=True)
        return
    if card.blockers:
        lines = [
            context.tr(b.message_key, base=card.action.base_version, current=card.contract.version)
            for b in card.blockers
        ]
        await ack(
            context,
            update,
            context.tr("action.cannot_finalize") + "\n• " + "\n• ".join(lines),
            alert=True,
        )
        return
    text = context.render("confirm_finalize", card=card)
    rows = [
        [
            button(context.tr("ui.confirm"), "pa", "ok", card.action.id),
            button(context.tr("ui.back"), "pa", "c", card.action.id),
        ]
    ]
    await show(update, context, text, keyboard(rows))


@staff_only(*OFFICE)
async def confirm_finalize(update: Update, context: BotContext) -> None:
    """Confirmar (tutorial step 9): apply once; a repeat says "já finalizada"."""
    action_id = arg_int(context)
    try:
        result = await finalize_action(context.services, context.me.id, action_id)
    except FinalizeBlocked as exc:
        await ack(context, update, context.explain(exc), alert=True)
        await render_action_card(update, context, action_id)
        return
    if result.already:
        await ack(context, update, context.tr("action.already_finalized"), alert=True)
        return
    if result.scheduled:  # the contract changes on the effective date (bot.services.scheduled)
        await _show_scheduled(update, context, result)
        return
    await ack(context, update, context.tr("action.finalized_short"))
    after = await printouts.after_finalize(context.services, result.contract.id, action_id)
    await render_contract_card(
        update,
        context,
        result.contract.id,
        notice=context.tr("action.finalized", number=result.contract.number),
        card=after.card,
    )
    await send_after_finalize(update, context, after)


async def _show_scheduled(update: Update, context: BotContext, result: Finalized) -> None:
    effective_on = result.action.change.effective_on
    assert effective_on is not None
    notice = context.tr(
        "scheduled.finalized",
        number=result.contract.number,
        date=effective_on.strftime("%d/%m/%Y"),
    )
    await ack(context, update, notice)
    await render_contract_card(update, context, result.contract.id, notice=notice)


async def send_after_finalize(
    update: Update, context: BotContext, after: printouts.AfterFinalize
) -> None:
    """The updated contract (and the amendment) as PDFs, after the commit."""
    chat = update.effective_chat
    assert chat is not None
    try:
        await send_contract_pdf(context, chat.id, after.contract.contract_id, after.contract)
        await send_amendment_pdf(context, chat.id, after.amendment.action_id, after.amendment)
    except Exception:  # the contract is updated; a PDF problem must not read like a failure
        log.exception(
            "PDFs after finalizing action %s could not be sent", after.amendment.action_id
        )
        await context.bot.send_message(chat.id, context.tr("documents.failed"))


@staff_only(*OFFICE)
async def ask_cancel(update: Update, context: BotContext) -> object:
    assert context.user_data is not None
    action_id = arg_int(context)
    card = await action_card(context.services, action_id)
    if not card.action.is_open:  # pending, or scheduled ("Cancelar agendamento")
        await ack(
            context,
            update,
            context.tr(f"blocker.not_pending_{card.action.status.value}"),
            alert=True,
        )
        return ConversationHandler.END
    context.user_data["cancel_action"] = action_id
    expect(context, "action_reason")
    rows = [
        [button(context.tr(f"action.reason_{r}"), "pa", "cxr", action_id, r)] for r in QUICK_REASONS
    ]
    rows.append([button(context.tr("ui.back"), "pa", "c", action_id)])
    prompt = await show(update, context, context.render("ask_cancel", card=card), keyboard(rows))
    remember_prompt(context, prompt)
    return State.TYPING_REASON


async def _do_cancel(update: Update, context: BotContext, action_id: int, reason: str) -> int:
    assert context.user_data is not None
    result = await cancel_action(context.services, context.me.id, action_id, reason)
    context.user_data.pop("cancel_action", None)
    await drop_prompt(update, context)  # typed: the quick reasons above no longer apply
    note = (
        context.tr("action.already_cancelled") if result.already else context.tr("action.cancelled")
    )
    await ack(context, update, note)
    await render_action_card(
        update, context, action_id, notice=note, new=update.callback_query is None
    )
    return ConversationHandler.END


@staff_only(*OFFICE)
async def quick_reason(update: Update, context: BotContext) -> object:
    assert context.matches is not None
    action_id, key = int(context.matches[0].group(1)), context.matches[0].group(2)
    if key not in QUICK_REASONS:
        await expired(update, context)
        return None
    return await _do_cancel(update, context, action_id, context.tr(f"action.reason_{key}"))


@staff_only(*OFFICE)
async def typed_reason(update: Update, context: BotContext) -> object:
    assert update.message is not None and context.user_data is not None
    action_id = context.user_data.get("cancel_action")
    if action_id is None or not expecting(context, "action_reason"):
        return await stray_text(update, context)
    try:
        return await _do_cancel(update, context, int(action_id), update.message.text or "")
    except DomainError as exc:
        await tell(update, context, context.explain(exc))
        return State.TYPING_REASON


async def leave(update: Update, context: BotContext) -> int:
    """Voltar/Cancelar from a typed step of the action card: back to the card."""
    assert context.user_data is not None
    action_id = (
        context.user_data.pop("cancel_action", None)
        or context.user_data.pop("in_person_action", None)
        or context.user_data.pop(approval.ACTION_KEY, None)
    )
    await drop_prompt(update, context)
    if context.staff is not None and action_id is not None:
        await render_action_card(update, context, int(action_id), new=update.callback_query is None)
    await ack(context, update)
    return ConversationHandler.END


@staff_only(*OFFICE)
async def resend(update: Update, context: BotContext) -> None:
    """Reenviar aceite: a new link; the old one stops working."""
    action_id = arg_int(context)
    _request, token = await acceptance_service.resend_acceptance(
        context.services, context.me.id, action_id
    )
    await ack(context, update, context.tr("action.resent"))
    await render_action_card(
        update, context, action_id, token=token, notice=context.tr("action.resent")
    )


@staff_only(*OFFICE)
async def ask_in_person(update: Update, context: BotContext) -> object:
    assert context.user_data is not None
    action_id = arg_int(context)
    context.user_data["in_person_action"] = action_id
    expect(context, "action_in_person")
    rows = [[button(context.tr("ui.back"), "pa", "c", action_id)]]
    prompt = await show(update, context, context.tr("action.ask_in_person"), keyboard(rows))
    remember_prompt(context, prompt)
    return State.TYPING_IN_PERSON


@staff_only(*OFFICE)
async def typed_in_person(update: Update, context: BotContext) -> object:
    """A note (and optionally a photo of the signed page, kept by its Telegram file id)."""
    message = update.message
    assert message is not None and context.user_data is not None
    action_id = context.user_data.get("in_person_action")
    if action_id is None or not expecting(context, "action_in_person"):
        return await stray_text(update, context) if message.text else ConversationHandler.END
    photo = message.photo[-1].file_id if message.photo else None
    note = message.caption if photo else message.text
    try:
        await acceptance_service.record_in_person(
            context.services, context.me.id, int(action_id), note or "", photo
        )
    except DomainError as exc:
        await tell(update, context, context.explain(exc))
        return State.TYPING_IN_PERSON
    context.user_data.pop("in_person_action", None)
    await drop_prompt(update, context)
    await render_action_card(
        update, context, int(action_id), new=True, notice=context.tr("action.in_person_recorded")
    )
    return ConversationHandler.END


def build() -> ConversationHandler:
    back: Handler = CallbackQueryHandler(leave, pattern=r"^pa:c:\d{1,10}$")
    return conversation(
        name="action_input",
        persistent=True,
        entry_points=[
            CallbackQueryHandler(ask_cancel, pattern=r"^pa:cx:(\d{1,10})$"),
            CallbackQueryHandler(ask_in_person, pattern=r"^pa:ip:(\d{1,10})$"),
            *approval.entry_points(),
        ],
        states={
            State.TYPING_REASON: [
                CallbackQueryHandler(quick_reason, pattern=r"^pa:cxr:(\d{1,10}):([a-z_]{1,20})$"),
                MessageHandler(filters.TEXT & ~filters.COMMAND, typed_reason),
                back,
            ],
            State.TYPING_IN_PERSON: [
                MessageHandler((filters.TEXT & ~filters.COMMAND) | filters.PHOTO, typed_in_person),
                back,
            ],
            **approval.states(),
        },
        fallbacks=[CommandHandler(["cancelar", "cancel"], leave)],
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(show_card, pattern=r"^pa:c:(\d{1,10})$"),
        CallbackQueryHandler(ask_finalize, pattern=r"^pa:fin:(\d{1,10})$"),
        CallbackQueryHandler(confirm_finalize, pattern=r"^pa:ok:(\d{1,10})$"),
        CallbackQueryHandler(resend, pattern=r"^pa:rs:(\d{1,10})$"),
    ]
