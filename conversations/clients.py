"""Finding a client: /clientes, paginated results, the client card, the contract card and its
history (the cards themselves are drawn by ``screens``)."""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.services.cards import ClientCard, client_card, contract_card
from bot.services.history import contract_history
from conversations.base import (
    OFFICE,
    BotContext,
    ack,
    arg_int,
    button,
    conversation,
    drop_prompt,
    expect,
    expecting,
    keyboard,
    remember_prompt,
    show,
    staff_only,
)
from conversations.screens import (
    STATUS_ICON,
    free_text_search,
    render_actions_menu,
    render_contract_card,
    run_search,
    show_menu,
    stray_text,
)


class State(StrEnum):
    TYPING_QUERY = "typing_query"


@staff_only(*OFFICE)
async def ask_query(update: Update, context: BotContext) -> State:
    markup = keyboard([[button(context.tr("ui.cancel"), "m", "home")]])
    prompt = await show(
        update, context, context.tr("search.prompt"), markup, new=update.callback_query is None
    )
    remember_prompt(context, prompt)
    expect(context, "search")
    return State.TYPING_QUERY


@staff_only(*OFFICE)
async def typed_query(update: Update, context: BotContext) -> object:
    assert update.message is not None and update.message.text is not None
    if not expecting(context, "search"):
        return await stray_text(update, context)  # left for another flow: not this prompt's
    ok = await run_search(update, context, update.message.text, 0)
    if not ok:
        return State.TYPING_QUERY
    await drop_prompt(update, context)  # its Cancelar no longer applies
    return ConversationHandler.END


@staff_only(*OFFICE)
async def results_page(update: Update, context: BotContext) -> None:
    assert context.user_data is not None
    query = context.user_data.get("search_q")
    if not query:
        await ask_query(update, context)
        return
    await run_search(update, context, str(query), arg_int(context))


def client_keyboard(context: BotContext, card: ClientCard) -> list[list[InlineKeyboardButton]]:
    rows = []
    for c in card.contracts:
        plan = card.plans[c.plan_id]
        rows.append([button(f"{STATUS_ICON[c.status]} {c.number} · {plan.name}", "ct", "c", c.id)])
    back = (
        [button(context.tr("ui.back"), "cl", "p", 0)]
        if context.user_data and context.user_data.get("search_q")
        else []
    )
    rows.append([*back, button(context.tr("ui.menu"), "m", "home")])
    return rows


@staff_only(*OFFICE)
async def show_client(update: Update, context: BotContext) -> None:
    card = await client_card(context.services, arg_int(context))
    text = context.render("client_card", card=card, icons=STATUS_ICON)
    await show(update, context, text, keyboard(client_keyboard(context, card)))


@staff_only(*OFFICE)
async def show_contract(update: Update, context: BotContext) -> None:
    await render_contract_card(update, context, arg_int(context))


@staff_only(*OFFICE)
async def actions_menu(update: Update, context: BotContext) -> None:
    """Tutorial steps 1–2: the contract's Ações menu, with Atualização de plano."""
    await render_actions_menu(update, context, arg_int(context))


@staff_only(*OFFICE)
async def history(update: Update, context: BotContext) -> None:
    """The contract's revisions; each plan update's amendment (termo aditivo) is one tap away."""
    contract_id = arg_int(context)
    card = await contract_card(context.services, contract_id)
    past = await contract_history(context.services, contract_id)
    text = context.render(
        "contract_history",
        card=card,
        revisions=past.revisions,
        plans=past.plans,
        actions=past.actions,
        approvals=past.approvals,
    )
    rows = [
        [button(context.tr("contract.amendment", version=r.version), "pa", "amd", r.action_id)]
        for r in past.revisions
        if r.action_id is not None
    ]
    rows.append([button(context.tr("ui.back"), "ct", "c", contract_id)])
    await show(update, context, text, keyboard(rows))


def build() -> ConversationHandler:
    return conversation(
        name="search",
        persistent=True,
        entry_points=[
            CommandHandler(["clientes", "clients"], ask_query),
            CallbackQueryHandler(ask_query, pattern=r"^m:search$"),
        ],
        states={
            State.TYPING_QUERY: [MessageHandler(filters.TEXT & ~filters.COMMAND, typed_query)],
        },
        fallbacks=[
            CommandHandler(["cancelar", "cancel"], _end),
            CallbackQueryHandler(_end_to_menu, pattern=r"^m:home$"),
        ],
        allow_reentry=True,
    )


async def _end(update: Update, context: BotContext) -> int:
    if context.staff is not None:
        await show_menu(update, context, new=True)
    return ConversationHandler.END


async def _end_to_menu(update: Update, context: BotContext) -> int:
    if context.staff is not None:
        await show_menu(update, context)
    await ack(context, update)
    return ConversationHandler.END


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(results_page, pattern=r"^cl:p:(\d{1,4})$"),
        CallbackQueryHandler(show_client, pattern=r"^cl:c:(\d{1,10})$"),
        CallbackQueryHandler(show_contract, pattern=r"^ct:c:(\d{1,10})$"),
        CallbackQueryHandler(actions_menu, pattern=r"^ct:a:(\d{1,10})$"),
        CallbackQueryHandler(history, pattern=r"^ct:h:(\d{1,10})$"),
    ]


def free_text_handler() -> MessageHandler:
    return MessageHandler(
        filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, free_text_search
    )
