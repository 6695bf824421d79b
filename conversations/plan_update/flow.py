"""The plan-update wizard's handlers, generated from the step table (``steps.STEPS``).

Each step gets a button handler that accepts only that step's data and a text handler; a tap
applies its choice to the draft (in memory), shows the next screen and lets persistence save
the draft. Nothing is read from the database on the way (see ``bot.services.wizard``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.domain.draft import PlanDraft
from bot.domain.errors import DomainError
from bot.i18n import t
from bot.services import wizard
from bot.services.wizard import WizardView
from conversations.base import (
    OFFICE,
    BotContext,
    ack,
    arg_int,
    conversation,
    drop_keyboard,
    expect,
    expecting,
    expired,
    keep_awaiting,
    keyboard,
    show,
    staff_only,
    tell,
)
from conversations.plan_update.codec import Nav
from conversations.plan_update.navigation import prev_step, repair, resolve
from conversations.plan_update.screens import BUILDERS, Screen, review_buttons
from conversations.plan_update.steps import BY_STATE, CODEC, STEPS, State, Step, choice
from conversations.screens import (
    open_held_action,
    render_action_card,
    render_actions_menu,
    render_contract_card,
    stray_text,
)

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, object]]

# --- the draft in the user's data (persisted; survives a restart) ----------------------------


def _data(context: BotContext) -> dict[str, Any] | None:
    assert context.user_data is not None
    data = context.user_data.get("wizard")
    return data if isinstance(data, dict) else None


def _draft(context: BotContext) -> PlanDraft:
    data = _data(context)
    assert data is not None
    return PlanDraft.from_dict(data["draft"])


def _save(context: BotContext, draft: PlanDraft, message: Message | None) -> None:
    assert context.user_data is not None
    data = context.user_data.setdefault("wizard", {})
    data["draft"] = draft.to_dict()
    if message is not None:
        data["msg"] = message.message_id
        data["chat"] = message.chat_id


def _forget(context: BotContext) -> None:
    assert context.user_data is not None
    context.user_data.pop("wizard", None)


# --- showing a step --------------------------------------------------------------------------


def _screen(
    context: BotContext, draft: PlanDraft, shown: WizardView, state: State, page: int | None = None
) -> Screen:
    """Words in the user's language; data written for others (the ticket's default
    description) in the provider's."""
    provider_locale = context.app.settings.locale
    return Screen(
        context.tr,
        context.locale,
        draft,
        shown,
        state,
        page,
        data_tr=lambda key, **params: t(key, provider_locale, **params),
    )


async def render(
    update: Update,
    context: BotContext,
    draft: PlanDraft,
    state: State,
    *,
    shown: WizardView | None = None,
    new: bool = False,
    notice: str | None = None,
    page: int | None = None,
) -> State:
    """Show ``state`` (edited in place unless ``new``) and return it as the next state."""
    shown = shown or await wizard.view(context.services, draft)
    repaired = repair(state, draft, shown.catalog)
    if repaired is not None:  # a choice left the catalog meanwhile: choose it again
        state, notice = repaired, "⚠️ " + context.tr("errors.choice_unavailable")
    screen = _screen(context, draft, shown, state, page)
    if state is State.REVIEW:
        review = wizard.review(shown, draft)
        text = context.render(
            "review", r=review, notice=notice, description=screen.default_description()
        )
        rows = review_buttons(screen)
    else:
        body, rows = BUILDERS[state](screen)
        text = context.render(
            "wizard_step",
            section=BY_STATE[state].section,
            body=body,
            notice=notice,
            contract=shown.card.contract,
            client=shown.card.client,
        )
    nav = [
        screen.button(context.tr("ui.back"), Nav.BACK.value),
        screen.button(context.tr("ui.cancel"), Nav.CANCEL.value),
    ]
    old = _data(context)
    if new and old and old.get("msg"):
        await drop_keyboard(context, int(old["chat"]), int(old["msg"]))
    message = await show(update, context, text, keyboard([*rows, nav]), new=new)
    _save(context, draft, message)
    expect(context, "wizard")
    return state


# --- entry and exits -------------------------------------------------------------------------


@staff_only(*OFFICE)
async def begin(update: Update, context: BotContext) -> object:
    """Ações → Atualização de plano: a fresh draft, or the contract's pending action."""
    started = await wizard.start(context.services, context.me.id, arg_int(context))
    if started.pending is not None:
        await open_held_action(update, context, started.pending)
        return ConversationHandler.END
    _forget(context)
    return await render(update, context, started.draft, State.CHANNEL, shown=started.view)


async def cancel(update: Update, context: BotContext) -> int:
    """✖️ Cancelar or /cancelar: drop the draft and go back to the contract card."""
    data = _data(context)
    _forget(context)
    await ack(context, update, context.tr("wizard.cancelled"))
    if data is not None and context.staff is not None:
        if update.callback_query is None and data.get("msg"):
            await drop_keyboard(context, int(data["chat"]), int(data["msg"]))
        await render_contract_card(
            update,
            context,
            int(data["draft"]["contract_id"]),
            new=update.callback_query is None,
            notice=context.tr("wizard.cancelled"),
        )
    return ConversationHandler.END


async def _back(update: Update, context: BotContext, step: Step, draft: PlanDraft) -> object:
    shown = await wizard.view(context.services, draft)
    previous = prev_step(step.state, draft, shown.catalog)
    await ack(context, update)
    if previous is not None:
        return await render(update, context, draft, previous, shown=shown)
    _forget(context)  # Voltar on the first step: back to the contract's Ações menu
    await render_actions_menu(update, context, draft.contract_id)
    return ConversationHandler.END


async def _finish(update: Update, context: BotContext, draft: PlanDraft, shown: WizardView) -> int:
    """Tutorial step 7: the pending action is created; its card replaces the wizard."""
    await ack(context, update)
    description = _screen(context, draft, shown, State.REVIEW)
    created = await wizard.finish(
        context.services, context.me.id, draft, description.default_description()
    )
    _forget(context)
    notice = "action.already_pending" if created.existing else "action.created"
    await render_action_card(
        update, context, created.action.id, token=created.token, notice=context.tr(notice)
    )
    return ConversationHandler.END


# --- one button handler and one text handler per step ---------------------------------------


def _on_tap(step: Step) -> Callback:
    async def on_tap(update: Update, context: BotContext) -> object:
        """Re-check the user, refuse stale screens, apply the choice, show where it leads."""
        query = update.callback_query
        assert query is not None and query.data is not None
        data = _data(context)
        if context.staff is None or context.staff.role not in OFFICE:
            await expired(update, context)
            return ConversationHandler.END
        if data is None or query.message is None or data.get("msg") != query.message.message_id:
            await expired(update, context)
            return None
        draft = _draft(context)
        verb, arg = CODEC.parse(query.data)
        if verb == Nav.CANCEL:
            return await cancel(update, context)
        if verb == Nav.BACK:
            return await _back(update, context, step, draft)
        shown = await wizard.view(context.services, draft)
        try:
            target = choice(step, verb).effect(draft, shown.catalog, arg)
        except DomainError as exc:  # refused: the alert says why, the screen stays as it is
            keep_awaiting(context)
            await tell(update, context, context.explain(exc))
            return None
        if target.finish:
            return await _finish(update, context, draft, shown)
        await ack(context, update)
        state = resolve(target, step.state, draft, shown.catalog)
        return await render(update, context, draft, state, shown=shown, page=target.page)

    return on_tap


def _on_text(step: Step) -> Callback:
    async def on_text(update: Update, context: BotContext) -> object:
        """Typed input where the step takes it; elsewhere a hint to use the buttons."""
        if context.staff is None or context.staff.role not in OFFICE or update.message is None:
            return ConversationHandler.END
        if _data(context) is None or not expecting(context, "wizard"):
            # The user went elsewhere (/start, another card): this text is not for the wizard.
            return await stray_text(update, context)
        draft = _draft(context)
        shown = await wizard.view(context.services, draft)
        if step.typed is None:
            notice = context.tr("ui.use_buttons")
            return await render(
                update, context, draft, step.state, shown=shown, new=True, notice=notice
            )
        try:
            target = step.typed(draft, shown.catalog, update.message.text or "")
        except DomainError as exc:
            draft = _draft(context)  # nothing of the refused input is kept
            notice = "⚠️ " + context.explain(exc)
            return await render(
                update, context, draft, step.state, shown=shown, new=True, notice=notice
            )
        state = resolve(target, step.state, draft, shown.catalog)
        return await render(update, context, draft, state, shown=shown, new=True)

    return on_text


def build() -> ConversationHandler[Any]:
    """The wizard: ``states`` is the step table, one entry per step, in the tutorial's order."""
    typed = filters.TEXT & ~filters.COMMAND
    states: dict[object, list[BaseHandler[Update, Any, Any]]] = {
        step.state: [
            CallbackQueryHandler(_on_tap(step), pattern=CODEC.pattern(step.state.value)),
            MessageHandler(typed, _on_text(step)),
        ]
        for step in STEPS
    }
    return conversation(
        name="plan_update",
        persistent=True,
        entry_points=[CallbackQueryHandler(begin, pattern=r"^pu:go:(\d{1,10})$")],
        states=states,
        fallbacks=[CommandHandler(["cancelar", "cancel"], cancel)],
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    """Wizard buttons outside a running wizard or from another step: they have expired."""
    return [CallbackQueryHandler(expired, pattern=CODEC.any_pattern())]
