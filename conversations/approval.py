"""Aprovar / Recusar a discount (the request each admin receives, or the action card).

Thin glue over ``bot.services.approval``: the service records one decision whatever the taps;
a tap after the decision (a double tap, another admin's stale message) is answered with who
decided and when, and the tapped message is redrawn to show it. Recusar asks for the reason as
typed text, inside the action card's conversation (``conversations.actions.build``), so one
typed answer can never be taken for another flow's.
"""

from __future__ import annotations

from enum import StrEnum

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from bot.domain.approval import MAX_REASON, ApprovalDecision
from bot.domain.errors import Conflict, InvalidInput
from bot.domain.gates import Blocker
from bot.services.approval import ApprovalView, Decided, decidable, decide_approval
from bot.services.cancel import cancel_action
from bot.services.cards import action_card
from conversations.approval_view import request_message
from conversations.base import (
    OFFICE,
    BotContext,
    Handler,
    ack,
    arg_int,
    button,
    drop_prompt,
    esc,
    expect,
    expecting,
    expired,
    keyboard,
    remember_prompt,
    show,
    staff_only,
    tell,
)
from conversations.screens import stray_text

REASON_FLOW = "approval_reason"
ACTION_KEY = "approval_action"


class State(StrEnum):
    TYPING_REASON = "typing_approval_reason"


def _already_text(context: BotContext, view: ApprovalView) -> str:
    approval = view.approval
    assert approval.decision is not None
    return context.tr(
        "approval.already",
        name=view.decider.name if view.decider else "?",
        when=context.app.renderer.fmt_datetime(approval.decided_at),
        decision=context.tr(f"approval.decision_{approval.decision.value}"),
    )


async def _redraw(
    update: Update, context: BotContext, action_id: int, notice: str | None, *, new: bool = False
) -> None:
    """The request as it stands now (decision, buttons), on the tapped message or a new one."""
    card = await action_card(context.services, action_id)
    text, markup = request_message(context.app.renderer, context.locale, card, context.me, notice)
    await show(update, context, text, markup, new=new)


async def _told(update: Update, context: BotContext, result: Decided, *, new: bool) -> None:
    if result.already:  # a tap hears it in an alert; a typed reason above the request
        text = _already_text(context, result.view)
        await ack(context, update, text, alert=True)
        notice = None if update.callback_query else text
        await _redraw(update, context, result.action.id, notice, new=new)
        return
    decision = result.view.approval.decision
    assert decision is not None
    note = context.tr(f"approval.{decision.value}")
    await ack(context, update, note)
    await _redraw(update, context, result.action.id, note, new=new)


async def _closed(update: Update, context: BotContext, action_id: int, exc: Conflict) -> None:
    """The action closed before the decision: say so and show the request without buttons."""
    await tell(update, context, context.explain(exc))
    await _redraw(update, context, action_id, None)


@staff_only()
async def approve(update: Update, context: BotContext) -> None:
    action_id = arg_int(context)
    try:
        result = await decide_approval(context.services, context.me.id, action_id, approve=True)
    except Conflict as exc:
        await _closed(update, context, action_id, exc)
        return
    await _told(update, context, result, new=False)


@staff_only()
async def ask_reason(update: Update, context: BotContext) -> object:
    """Recusar: the reason is asked for unless the request was decided meanwhile."""
    assert context.user_data is not None
    action_id = arg_int(context)
    try:
        view = await decidable(context.services, context.me.id, action_id)
    except Conflict as exc:
        await _closed(update, context, action_id, exc)
        return ConversationHandler.END
    if view.approval.decided:
        await ack(context, update, _already_text(context, view), alert=True)
        await _redraw(update, context, action_id, None)
        return ConversationHandler.END
    context.user_data[ACTION_KEY] = action_id
    expect(context, REASON_FLOW)
    rows = [[button(context.tr("ui.back"), "ap", "v", action_id)]]
    text = context.tr("approval.ask_reason", action_id=action_id, max=MAX_REASON)
    remember_prompt(context, await show(update, context, text, keyboard(rows)))
    return State.TYPING_REASON


@staff_only()
async def typed_reason(update: Update, context: BotContext) -> object:
    assert update.message is not None and context.user_data is not None
    action_id = context.user_data.get(ACTION_KEY)
    if action_id is None or not expecting(context, REASON_FLOW):
        return await stray_text(update, context)
    try:
        result = await decide_approval(
            context.services,
            context.me.id,
            int(action_id),
            approve=False,
            reason=update.message.text or "",
        )
    except InvalidInput as exc:  # empty or too long: still awaiting a usable reason
        await tell(update, context, context.explain(exc))
        return State.TYPING_REASON
    except Conflict as exc:  # the action closed while the reason was being typed
        await _stop_typing(update, context)
        await _closed(update, context, int(action_id), exc)
        return ConversationHandler.END
    await _stop_typing(update, context)
    await _told(update, context, result, new=True)
    return ConversationHandler.END


async def _stop_typing(update: Update, context: BotContext) -> None:
    assert context.user_data is not None
    context.user_data.pop(ACTION_KEY, None)
    await drop_prompt(update, context)


@staff_only()
async def view_request(update: Update, context: BotContext) -> object:
    """Voltar from the reason prompt (or any tap on a request's view): the request again."""
    await _stop_typing(update, context)
    await _redraw(update, context, arg_int(context), None)
    return ConversationHandler.END


@staff_only(*OFFICE)
async def ask_redo(update: Update, context: BotContext) -> None:
    """Refazer com outro valor (a refused discount): confirm cancelling this action first."""
    card = await action_card(context.services, arg_int(context))
    if Blocker.APPROVAL_REFUSED not in card.blockers or card.approval is None:
        await expired(update, context)
        return
    a = card.action
    text = context.tr("approval.redo_confirm", action_id=a.id, reason=card.approval.approval.reason)
    rows = [
        [button(context.tr("approval.redo_yes"), "ap", "rdok", a.id)],
        [button(context.tr("ui.back"), "pa", "c", a.id)],
    ]
    await show(update, context, esc(text), keyboard(rows))


@staff_only(*OFFICE)
async def redo(update: Update, context: BotContext) -> None:
    """Cancel the refused action (its reason says why) and offer the wizard for the contract."""
    card = await action_card(context.services, arg_int(context))
    if card.approval is None or card.approval.approval.decision is not ApprovalDecision.REFUSED:
        await expired(update, context)
        return
    reason = context.tr("approval.redo_reason", reason=card.approval.approval.reason)
    await cancel_action(context.services, context.me.id, card.action.id, reason)
    contract = card.contract
    text = context.tr("approval.redo_next", action_id=card.action.id, number=contract.number)
    rows = [
        [button(context.tr("contract.plan_update"), "pu", "go", contract.id)],
        [button(context.tr("action.contract"), "ct", "c", contract.id)],
    ]
    await ack(context, update, context.tr("action.cancelled"))
    await show(update, context, esc(text), keyboard(rows))


def entry_points() -> list[Handler]:
    """Part of the action card's conversation (see the module docstring)."""
    return [CallbackQueryHandler(ask_reason, pattern=r"^ap:no:(\d{1,10})$")]


def states() -> dict[object, list[Handler]]:
    return {
        State.TYPING_REASON: [
            MessageHandler(filters.TEXT & ~filters.COMMAND, typed_reason),
            CallbackQueryHandler(view_request, pattern=r"^ap:v:(\d{1,10})$"),
        ]
    }


def handlers() -> list[Handler]:
    return [
        CallbackQueryHandler(approve, pattern=r"^ap:ok:(\d{1,10})$"),
        CallbackQueryHandler(view_request, pattern=r"^ap:v:(\d{1,10})$"),
        CallbackQueryHandler(ask_redo, pattern=r"^ap:rd:(\d{1,10})$"),
        CallbackQueryHandler(redo, pattern=r"^ap:rdok:(\d{1,10})$"),
    ]
