"""Screens more than one flow opens: the main menu, the contract card, its Ações menu, the
action card, the client search results, and what to do with text no flow awaits.

The flows (clients, actions, tickets, staff_admin, plan_update, menu) import these; this module
imports only ``conversations.base`` and the services, so the conversation modules form a tree
rooted at ``base`` instead of a circle held together by imports inside functions.
"""

from __future__ import annotations

from urllib.parse import quote

from telegram import InlineKeyboardButton, Update
from telegram.ext import ConversationHandler

from bot.domain.errors import DomainError
from bot.domain.gates import Blocker
from bot.domain.models import (
    AcceptanceChannel,
    AcceptanceStatus,
    ActionStatus,
    Client,
    ContractAction,
    ContractStatus,
    Role,
    Staff,
)
from bot.domain.network import JobStatus, NetworkJob
from bot.domain.whatsapp import whatsapp_link
from bot.i18n import t
from bot.preview_links import preview_url
from bot.services.cards import ActionCard, ContractCard, action_card, contract_card
from bot.services.search import Page, search_clients
from conversations.base import (
    OFFICE,
    BotContext,
    ack,
    button,
    esc,
    keyboard,
    paginate_row,
    show,
    staff_only,
    url_button,
)
from conversations.limits import excerpt

STATUS_ICON = {
    ContractStatus.ACTIVE: "🟢",
    ContractStatus.BLOCKED: "🟠",
    ContractStatus.SUSPENDED: "🟡",
    ContractStatus.CANCELLED: "⚫",
}


# --- the main menu --------------------------------------------------------------------------


def menu_keyboard(context: BotContext) -> list[list[InlineKeyboardButton]]:
    me = context.me
    rows = []
    if me.role in OFFICE:
        rows.append([button(context.tr("menu.clients"), "m", "search")])
        rows.append([button(context.tr("menu.pending"), "pa", "l", 0)])
    who = "me" if me.role is Role.TECHNICIAN else "all"
    rows.append([button(context.tr("menu.tickets"), "tk", "l", who, 0)])
    if me.role is Role.ADMIN:
        rows.append(
            [
                button(context.tr("menu.staff"), "st", "l"),
                button(context.tr("reports.menu"), "rp", "menu"),
            ]
        )
    rows.append(
        [
            button(context.tr("menu.language"), "m", "lang"),
            button(context.tr("menu.help"), "m", "help"),
        ]
    )
    return rows


async def show_menu(update: Update, context: BotContext, *, new: bool = False) -> None:
    text = context.render("menu", staff=context.me)
    await show(update, context, text, keyboard(menu_keyboard(context)), new=new)


# --- the contract card and its Ações menu ---------------------------------------------------


def network_retry_possible(job: NetworkJob | None) -> bool:
    """**Tentar de novo** is offered for a change that failed to reach the network."""
    return job is not None and job.status is JobStatus.FAILED


def retry_allowed(context: BotContext, job: NetworkJob) -> bool:
    return network_retry_possible(job) and context.me.role in OFFICE


def contract_keyboard(context: BotContext, card: ContractCard) -> list[list[InlineKeyboardButton]]:
    c = card.contract
    rows = []
    if card.pending_action is not None:
        key = "scheduled.open" if card.scheduled_plan is not None else "contract.open_pending"
        label = context.tr(key, action_id=card.pending_action.id)
        rows.append([button(label, "pa", "c", card.pending_action.id)])
        if card.scheduled_plan is not None and context.me.role in OFFICE:
            cancel = context.tr("scheduled.cancel")
            rows.append([button(cancel, "pa", "cx", card.pending_action.id)])
    elif c.status is not ContractStatus.CANCELLED:
        rows.append([button(context.tr("contract.actions"), "ct", "a", c.id)])
    if card.network is not None and retry_allowed(context, card.network):
        rows.append([button(context.tr("network.retry"), "nw", "r", card.network.id)])
    rows.append(
        [
            button(context.tr("contract.pdf"), "ct", "pdf", c.id),
            button(context.tr("contract.history"), "ct", "h", c.id),
        ]
    )
    rows.append(
        [
            button(context.tr("ui.back"), "cl", "c", c.client_id),
            button(context.tr("ui.menu"), "m", "home"),
        ]
    )
    return rows


async def render_contract_card(
    update: Update,
    context: BotContext,
    contract_id: int,
    *,
    new: bool = False,
    notice: str | None = None,
    card: ContractCard | None = None,
) -> None:
    """The contract card (``card``: already read, e.g. right after finalizing)."""
    card = card or await contract_card(context.services, contract_id)
    text = context.render("contract_card", card=card, icons=STATUS_ICON, notice=notice)
    await show(update, context, text, keyboard(contract_keyboard(context, card)), new=new)


async def render_actions_menu(update: Update, context: BotContext, contract_id: int) -> None:
    """Tutorial steps 1–2: the contract's Ações menu; a pending action opens instead."""
    card = await contract_card(context.services, contract_id)
    if card.pending_action is not None:
        await open_held_action(update, context, card.pending_action)
        return
    rows = [
        [button(context.tr("contract.plan_update"), "pu", "go", contract_id)],
        [button(context.tr("ui.back"), "ct", "c", contract_id)],
    ]
    text = context.render("contract_actions", card=card)
    await show(update, context, text, keyboard(rows))


async def open_held_action(update: Update, context: BotContext, action: ContractAction) -> None:
    """The contract already has an open action: say which kind (pending, or scheduled for a
    date) and open its card instead of starting another."""
    effective_on = action.change.effective_on
    if action.status is ActionStatus.SCHEDULED and effective_on is not None:
        note = context.tr("overview.scheduled_open", date=effective_on.strftime("%d/%m/%Y"))
    else:
        note = context.tr("contract.has_pending")
    await ack(context, update, note, alert=True)
    await render_action_card(update, context, action.id)


# --- the action card ------------------------------------------------------------------------


def acceptance_links(context: BotContext, token: str, channel: AcceptanceChannel) -> dict[str, str]:
    """The links to send the client for this token: Telegram deep link and/or web page."""
    links = {}
    if channel is AcceptanceChannel.TELEGRAM and context.app.bot_username:
        links["telegram"] = f"https://t.me/{context.app.bot_username}?start=ac_{token}"
    if channel in (AcceptanceChannel.WEB, AcceptanceChannel.TELEGRAM):
        links["web"] = f"{context.app.settings.public_url}/aceite/{token}"
    return links


def approval_rows(locale: str, card: ActionCard, staff: Staff) -> list[list[InlineKeyboardButton]]:
    """Aprovar / Recusar for an admin who may decide the open request; once refused, the
    way forward for office staff (cancel and redo with another value)."""
    view, a = card.approval, card.action
    if view is None or a.status is not ActionStatus.PENDING:
        return []
    if view.may_decide(staff):
        return [
            [
                button(t("approval.approve", locale), "ap", "ok", a.id),
                button(t("approval.refuse", locale), "ap", "no", a.id),
            ]
        ]
    if Blocker.APPROVAL_REFUSED in card.blockers and staff.role in OFFICE:
        return [[button(t("approval.redo", locale), "ap", "rd", a.id)]]
    return []


def action_keyboard(
    context: BotContext, card: ActionCard, links: dict[str, str]
) -> list[list[InlineKeyboardButton]]:
    a = card.action
    rows: list[list[InlineKeyboardButton]] = []
    primary = links.get("telegram") or links.get("web")
    if primary:
        text = quote(context.tr("action.share_text"))
        share = f"https://t.me/share/url?url={quote(primary, safe='')}&text={text}"
        rows.append([url_button(context.tr("action.share_link"), share)])
        message = context.tr("action.whatsapp_text", link=primary)
        whatsapp = whatsapp_link(card.client.phone, message)
        rows.append([url_button(context.tr("action.whatsapp"), whatsapp)])
    rows.extend(approval_rows(context.locale, card, context.me))
    if preview_allowed(context, card):
        url = preview_url(context.app.settings, a.id, context.services.now())
        rows.append([url_button(context.tr("action.preview.button"), url)])
    if a.status is ActionStatus.PENDING and context.me.role in OFFICE:
        rows.append([button(context.tr("action.finalize"), "pa", "fin", a.id)])
        acc = card.acceptance
        if a.change.acceptance_channel is not None and (
            acc is None or acc.status is not AcceptanceStatus.ACCEPTED
        ):
            rows.append(
                [
                    button(context.tr("action.resend"), "pa", "rs", a.id),
                    button(context.tr("action.in_person"), "pa", "ip", a.id),
                ]
            )
        rows.append([button(context.tr("action.cancel"), "pa", "cx", a.id)])
    if card.network is not None and retry_allowed(context, card.network):
        rows.append([button(context.tr("network.retry"), "nw", "r", card.network.id)])
    if a.status is ActionStatus.SCHEDULED and context.me.role in OFFICE:
        rows.append([button(context.tr("scheduled.cancel"), "pa", "cx", a.id)])
    rows.append(
        [
            button(context.tr("contract.pdf"), "ct", "pdf", card.contract.id),
            button(context.tr("ui.refresh"), "pa", "c", a.id),
        ]
    )
    rows.append(
        [
            button(context.tr("action.contract"), "ct", "c", card.contract.id),
            button(context.tr("ui.menu"), "m", "home"),
        ]
    )
    return rows


def preview_allowed(context: BotContext, card: ActionCard) -> bool:
    """The staff's view of the client's page: for a pending action whose client answers by link,
    when the page is public (Telegram refuses buttons to a plain-HTTP or loopback address)."""
    return (
        card.action.status is ActionStatus.PENDING
        and card.action.change.acceptance_channel
        in (AcceptanceChannel.WEB, AcceptanceChannel.TELEGRAM)
        and context.app.settings.public_url.startswith("https://")
    )


async def render_action_card(
    update: Update,
    context: BotContext,
    action_id: int,
    *,
    token: str | None = None,
    notice: str | None = None,
    new: bool = False,
) -> None:
    card = await action_card(context.services, action_id)
    channel = card.acceptance.channel if card.acceptance else None
    links = acceptance_links(context, token, channel) if token and channel else {}
    text = context.render(
        "action_card",
        card=card,
        links=links,
        notice=notice,
        blockers=[b.message_key for b in card.blockers],
        Blocker=Blocker,
    )
    await show(update, context, text, keyboard(action_keyboard(context, card, links)), new=new)


# --- client search, and text no flow awaits -------------------------------------------------


def results_keyboard(context: BotContext, page: Page[Client]) -> list[list[InlineKeyboardButton]]:
    rows = [[button(f"{c.name} · {c.document_masked}", "cl", "c", c.id)] for c in page.items]
    rows.append(
        paginate_row(
            context.locale, page.page, page.has_prev, page.has_next, "cl", "p", pages=page.pages
        )
    )
    rows.append(
        [
            button(context.tr("search.new"), "m", "search"),
            button(context.tr("ui.menu"), "m", "home"),
        ]
    )
    return rows


async def run_search(update: Update, context: BotContext, query: str, page: int) -> bool:
    """Search and show one page of results; a refused query is answered without echoing it
    whole (a pasted page of text must not become a message Telegram refuses)."""
    try:
        result = await search_clients(context.services, query, page)
    except DomainError as exc:
        await show(update, context, context.explain(exc), None, new=True)
        return False
    assert context.user_data is not None
    context.user_data["search_q"] = query
    text = context.render("search_results", query=excerpt(query), page=result)
    if result.limited_to:  # only the first words were searched: say which
        terms = esc(" ".join(result.limited_to))
        text += "\n" + context.tr("search.terms_limited", count=len(result.limited_to), terms=terms)
    await show(
        update,
        context,
        text,
        keyboard(results_keyboard(context, result)),
        new=update.callback_query is None,
    )
    return True


@staff_only()
async def free_text_search(update: Update, context: BotContext) -> None:
    """Typing a name or document anywhere (outside a flow) searches for it; technicians, who
    don't search clients, get their menu."""
    assert update.message is not None and update.message.text is not None
    if context.me.role not in OFFICE:
        await show_menu(update, context, new=True)
        return
    await run_search(update, context, update.message.text, 0)


async def stray_text(update: Update, context: BotContext) -> int:
    """Text no flow is waiting for: office staff get a search, technicians their menu."""
    await free_text_search(update, context)
    return ConversationHandler.END
