"""Tickets (atendimentos) on the technician's phone: /atendimentos by priority, the ticket card,
Iniciar, Adicionar nota, Concluir (with the resolution note) and Assumir for unassigned ones."""

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

from bot.domain.contact import display_phone, maps_url
from bot.domain.errors import DomainError
from bot.domain.models import Address, Client, Role, Ticket, TicketStatus
from bot.domain.whatsapp import whatsapp_link, whatsapp_number
from bot.services import staff as staff_service
from bot.services import tickets as ticket_service
from bot.services.tickets import TicketCard
from conversations.base import (
    BotContext,
    Handler,
    ack,
    arg_int,
    button,
    conversation,
    drop_prompt,
    expect,
    expecting,
    keyboard,
    paginate_row,
    remember_prompt,
    show,
    staff_only,
    tell,
    url_button,
)
from conversations.limits import excerpt, fits
from conversations.screens import stray_text

PRIORITY_ICON = {"urgent": "🔴", "high": "🟠", "normal": "🟢", "low": "⚪"}
LABEL_NAME_CHARS = 14  # a list button's client name: with "🔴 #1234 · ", about 24 characters


class State(StrEnum):
    TYPING_NOTE = "typing_note"
    TYPING_RESOLUTION = "typing_resolution"


def _filter_args(context: BotContext) -> tuple[str, int]:
    if context.matches:
        return context.matches[0].group(1) or "me", int(context.matches[0].group(2) or 0)
    return ("me" if context.me.role is Role.TECHNICIAN else "all"), 0


@staff_only()
async def list_tickets(update: Update, context: BotContext) -> None:
    """A technician's open tickets (or the unassigned queue); admins see all, by assignee."""
    who, page_no = _filter_args(context)
    me = context.me
    assignee: int | None = None
    unassigned = who == "u"
    if who == "me":
        assignee = me.id
    elif who.isdigit() and me.role is not Role.TECHNICIAN:
        assignee = int(who)
    page = await ticket_service.open_tickets(
        context.services, me.id, assignee_id=assignee, unassigned=unassigned, page=page_no
    )
    rows: list[list[InlineKeyboardButton]] = [
        [button(_row_label(t, page.clients.get(t.client_id)), "tk", "c", t.id)] for t in page.items
    ]
    rows.append(
        paginate_row(
            context.locale,
            page.page,
            page.has_prev,
            page.has_next,
            "tk",
            "l",
            who,
            pages=page.pages,
        )
    )
    filters_row = [
        button(context.tr("tickets.mine"), "tk", "l", "me", 0),
        button(context.tr("tickets.queue"), "tk", "l", "u", 0),
    ]
    if me.role is not Role.TECHNICIAN:
        filters_row.append(button(context.tr("tickets.all"), "tk", "l", "all", 0))
        rows.append(filters_row)
        techs = await staff_service.technicians(context.services)
        rows.extend([[button("🔧 " + s.name, "tk", "l", s.id, 0)] for s in techs])
    else:
        rows.append(filters_row)
    rows.append([button(context.tr("ui.menu"), "m", "home")])
    text = context.render("ticket_list", page=page, who=who, icons=PRIORITY_ICON, short=excerpt)
    await show(update, context, text, keyboard(rows), new=update.callback_query is None)


def _row_label(ticket: Ticket, client: Client | None) -> str:
    """A button that fits a phone and names whom the ticket is for: "🔴 #12 · Lucas Melo Car…"."""
    label = f"{PRIORITY_ICON[ticket.priority.value]} #{ticket.id}"
    return f"{label} · {excerpt(client.name, LABEL_NAME_CHARS)}" if client else label


def card_keyboard(context: BotContext, card: TicketCard) -> list[list[InlineKeyboardButton]]:
    t = card.ticket
    rows: list[list[InlineKeyboardButton]] = []
    if t.is_open:
        if card.is_unassigned and context.me.role in (Role.TECHNICIAN, Role.ADMIN):
            rows.append([button(context.tr("tickets.take"), "tk", "tk", t.id)])
        if t.status is TicketStatus.OPEN:
            rows.append([button(context.tr("tickets.start"), "tk", "st", t.id)])
        rows.append(
            [
                button(context.tr("tickets.note"), "tk", "nt", t.id),
                button(context.tr("tickets.close"), "tk", "cl", t.id),
            ]
        )
    rows.extend(contact_row(context, card))
    rows.append(
        [
            button(context.tr("ui.refresh"), "tk", "c", t.id),
            button(
                context.tr("ui.back"),
                "tk",
                "l",
                "me" if context.me.role is Role.TECHNICIAN else "all",
                0,
            ),
        ]
    )
    return rows


def contact_row(context: BotContext, card: TicketCard) -> list[list[InlineKeyboardButton]]:
    """The way to the client: a map search for the address and a WhatsApp chat, each only
    when there is an address or a usable phone. Telegram's URL buttons take http(s) and tg://
    links only (no tel:), so there is no call button: the card prints the phone instead."""
    buttons = []
    where = maps_url(card.client.address)
    if where:
        buttons.append(url_button(context.tr("ticket_contact.map"), where))
    if whatsapp_number(card.client.phone):
        text = context.tr(
            "ticket_contact.whatsapp_text",
            staff=context.me.name,
            provider=context.app.settings.provider.name,
            number=card.ticket.id,
        )
        buttons.append(
            url_button(
                context.tr("ticket_contact.whatsapp"), whatsapp_link(card.client.phone, text)
            )
        )
    return [buttons] if buttons else []


async def render_ticket(
    update: Update,
    context: BotContext,
    ticket_id: int,
    *,
    notice: str | None = None,
    new: bool = False,
) -> None:
    card = await ticket_service.ticket_card(context.services, context.me.id, ticket_id)
    text = ticket_text(context, card, notice)
    await show(update, context, text, keyboard(card_keyboard(context, card)), new=new)


def ticket_text(context: BotContext, card: TicketCard, notice: str | None) -> str:
    """The card with the latest notes that fit in one Telegram message, and how many older
    ones are left out (a busy ticket collects more notes than a message holds)."""
    notes = list(card.ticket.notes)

    def draw(keep: int) -> str:
        shown = notes[len(notes) - keep :] if keep else []
        return context.render(
            "ticket_card",
            card=card,
            notice=notice,
            icons=PRIORITY_ICON,
            notes=shown,
            older=len(notes) - keep,
            phone=display_phone(card.client.phone),
            street=card.client.address.street_line(),
            area=_area(context, card.client.address),
        )

    text = draw(len(notes))
    if fits(text):
        return text
    best, too_many = 0, len(notes)  # draw(best) fits (or is all there is); draw(too_many) not
    while too_many - best > 1:
        mid = (best + too_many) // 2
        if fits(draw(mid)):
            best = mid
        else:
            too_many = mid
    return draw(best)


def _area(context: BotContext, address: Address) -> str:
    """Neighbourhood · city/state · CEP, whichever are known."""
    zip_code = address.zip_code.strip()
    cep = context.tr("ticket_contact.zip", zip=zip_code) if zip_code else ""
    return " · ".join(p for p in (address.district.strip(), address.city_state(), cep) if p)


@staff_only()
async def show_ticket(update: Update, context: BotContext) -> None:
    await render_ticket(update, context, arg_int(context))


@staff_only()
async def start_ticket(update: Update, context: BotContext) -> None:
    ticket_id = arg_int(context)
    await ticket_service.start_ticket(context.services, context.me.id, ticket_id)
    await ack(context, update, context.tr("tickets.started"))
    await render_ticket(update, context, ticket_id, notice=context.tr("tickets.started"))


@staff_only(Role.TECHNICIAN, Role.ADMIN)
async def take_ticket(update: Update, context: BotContext) -> None:
    ticket_id = arg_int(context)
    await ticket_service.take_ticket(context.services, context.me.id, ticket_id)
    await ack(context, update, context.tr("tickets.taken"))
    await render_ticket(update, context, ticket_id, notice=context.tr("tickets.taken"))


@staff_only()
async def ask_note(update: Update, context: BotContext) -> object:
    return await _ask(update, context, "note", State.TYPING_NOTE, "tickets.ask_note")


@staff_only()
async def ask_resolution(update: Update, context: BotContext) -> object:
    return await _ask(update, context, "close", State.TYPING_RESOLUTION, "tickets.ask_resolution")


async def _ask(update: Update, context: BotContext, what: str, state: State, key: str) -> object:
    assert context.user_data is not None
    ticket_id = arg_int(context)
    card = await ticket_service.ticket_card(context.services, context.me.id, ticket_id)
    if not card.ticket.is_open:
        await ack(context, update, context.tr("tickets.not_open"), alert=True)
        return ConversationHandler.END
    context.user_data["ticket_input"] = {"id": ticket_id, "what": what}
    expect(context, "ticket_input")
    rows = [[button(context.tr("ui.back"), "tk", "c", ticket_id)]]
    prompt = await show(update, context, context.tr(key, number=ticket_id), keyboard(rows))
    remember_prompt(context, prompt)
    return state


@staff_only()
async def typed(update: Update, context: BotContext) -> object:
    assert update.message is not None and context.user_data is not None
    pending = context.user_data.get("ticket_input")
    if not pending or not expecting(context, "ticket_input"):
        return await stray_text(update, context)
    ticket_id, what = int(pending["id"]), pending["what"]
    text = update.message.text or ""
    try:
        if what == "close":
            await ticket_service.close_ticket(context.services, context.me.id, ticket_id, text)
            notice = context.tr("tickets.closed")
        else:
            await ticket_service.add_note(context.services, context.me.id, ticket_id, text)
            notice = context.tr("tickets.noted")
    except DomainError as exc:
        await tell(update, context, context.explain(exc))
        return State.TYPING_RESOLUTION if what == "close" else State.TYPING_NOTE
    context.user_data.pop("ticket_input", None)
    await drop_prompt(update, context)  # its ⬅️ Voltar no longer applies
    await render_ticket(update, context, ticket_id, notice=notice, new=True)
    return ConversationHandler.END


async def leave(update: Update, context: BotContext) -> int:
    assert context.user_data is not None
    pending = context.user_data.pop("ticket_input", None)
    await drop_prompt(update, context)
    if context.staff is not None and pending:
        await render_ticket(update, context, int(pending["id"]), new=update.callback_query is None)
    await ack(context, update)
    return ConversationHandler.END


def build() -> ConversationHandler:
    back: Handler = CallbackQueryHandler(leave, pattern=r"^tk:c:\d{1,10}$")
    text: Handler = MessageHandler(filters.TEXT & ~filters.COMMAND, typed)
    return conversation(
        name="ticket_input",
        persistent=True,
        entry_points=[
            CallbackQueryHandler(ask_note, pattern=r"^tk:nt:(\d{1,10})$"),
            CallbackQueryHandler(ask_resolution, pattern=r"^tk:cl:(\d{1,10})$"),
        ],
        states={State.TYPING_NOTE: [text, back], State.TYPING_RESOLUTION: [text, back]},
        fallbacks=[CommandHandler(["cancelar", "cancel"], leave)],
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(["atendimentos", "tickets"], list_tickets),
        CallbackQueryHandler(list_tickets, pattern=r"^tk:l:(me|u|all|\d{1,10}):(\d{1,4})$"),
        CallbackQueryHandler(show_ticket, pattern=r"^tk:c:(\d{1,10})$"),
        CallbackQueryHandler(start_ticket, pattern=r"^tk:st:(\d{1,10})$"),
        CallbackQueryHandler(take_ticket, pattern=r"^tk:tk:(\d{1,10})$"),
    ]
