"""/pendentes: the team overview. One row per open action (what holds it up as icons, its
age, owner, contract and client), filters as buttons, pages; a row opens the action card."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.domain.gates import BlockerGroup
from bot.services.overview import OverviewRow
from bot.services.pending import ListFilter, OverviewPage, pending_actions
from conversations.base import OFFICE, BotContext, button, keyboard, paginate_row, show, staff_only

# Callback data spells a filter with one letter (``pa:l:s:0``), to stay far below 64 bytes.
_CODES = {ListFilter.MINE: "m", ListFilter.ALL: "a", ListFilter.STALE: "s"}
_FILTERS = {code: f for f, code in _CODES.items()}
ICONS = {
    BlockerGroup.ACCEPTANCE: "⏳",
    BlockerGroup.TICKET: "🛠️",
    BlockerGroup.APPROVAL: "🧑‍💼",
    BlockerGroup.REFUSED: "❌",
    BlockerGroup.CONTRACT: "⚠️",
    BlockerGroup.OTHER: "⛔",
}
READY_ICON = "✅"
MINE_ICON = "⭐"
LEGEND_WIDTH = 34  # characters a legend line may take (a phone shows about that many)
SCHEDULED_ICON = "📅"


def status_icons(row: OverviewRow) -> str:
    """What a row waits for, as icons: the blocker groups, ✅ ready, or 📅 scheduled."""
    if row.scheduled_on is not None:
        return SCHEDULED_ICON
    return "".join(ICONS[g] for g in row.groups) or READY_ICON


def legend(context: BotContext, page: OverviewPage) -> list[str]:
    """The meaning of the icons that appear on this page, in a fixed order, as lines short
    enough for a phone."""
    shown = "".join(status_icons(row) for row in page.items)
    keys = [(icon, f"overview.legend_{g.value}") for g, icon in ICONS.items()]
    keys += [(READY_ICON, "overview.legend_ready"), (SCHEDULED_ICON, "overview.legend_scheduled")]
    if any(row.mine for row in page.items):
        shown += MINE_ICON
        keys.insert(0, (MINE_ICON, "overview.legend_mine"))
    lines: list[str] = []
    for entry in (f"{icon} {context.tr(key)}" for icon, key in keys if icon in shown):
        if lines and len(lines[-1]) + len(entry) + 3 <= LEGEND_WIDTH:
            lines[-1] += f" · {entry}"
        else:
            lines.append(entry)
    return lines


def row_button(row: OverviewRow) -> InlineKeyboardButton:
    label = f"#{row.action.id} · {row.contract_number} · {row.client_name}"
    return button(label[:60], "pa", "c", row.action.id)


def filter_row(context: BotContext, page: OverviewPage) -> list[InlineKeyboardButton]:
    row = []
    for f, code in _CODES.items():
        label = context.tr(f"overview.filter_{f.value}", days=page.stale_days)
        if f is page.filter:
            label = f"• {label} •"
        row.append(button(label, "pa", "l", code, 0))
    return row


@staff_only(*OFFICE)
async def list_pending(update: Update, context: BotContext) -> None:
    """/pendentes (everyone's, the operator's own first) and the filter and page buttons."""
    code, page_no = ("a", "0")
    if context.matches:
        code, page_no = context.matches[0].group(1) or "a", context.matches[0].group(2)
    page = await pending_actions(
        context.services,
        context.me.id,
        int(page_no),
        list_filter=_FILTERS[code],
        stale_days=context.app.settings.stale_days,
    )
    rows = [[row_button(r)] for r in page.items]
    pages = paginate_row(
        context.locale, page.page, page.has_prev, page.has_next, "pa", "l", code, pages=page.pages
    )
    rows += [pages, filter_row(context, page), [button(context.tr("ui.menu"), "m", "home")]]
    text = context.render(
        "pending_list", page=page, icons=status_icons, legend=legend(context, page)
    )
    await show(update, context, text, keyboard(rows), new=update.callback_query is None)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(["pendentes", "pending"], list_pending),
        # ``pa:l:<page>`` is what the list's buttons carried before the filters.
        CallbackQueryHandler(list_pending, pattern=r"^pa:l:(?:([mas]):)?(\d{1,4})$"),
    ]
