"""📊 Relatórios (admins): the plan-change history of a period as an .xlsx document.

Wired by ``bot/app.py`` with ``reports.handlers(export_reader_factory(core.engine))``; the menu
opens it with the ``rp:menu`` button (or ``/relatorios``).
"""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.constants import ChatAction
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.domain.models import Role
from bot.domain.periods import ReportPeriod, period_days
from bot.services.exporting import ReaderFactory, changes_table
from bot.spreadsheet import xlsx_bytes
from conversations.base import BotContext, button, keyboard, show, staff_only

MENU_BUTTON = "rp:menu"


@staff_only(Role.ADMIN)
async def menu(update: Update, context: BotContext) -> None:
    rows = [[button(context.tr(f"reports.{p.value}"), "rp", p.value)] for p in ReportPeriod]
    rows.append([button(context.tr("ui.back"), "m", "home")])
    await show(update, context, context.tr("reports.choose"), keyboard(rows))


async def send_report(
    update: Update, context: BotContext, readers: ReaderFactory, period: ReportPeriod
) -> None:
    """Build the workbook (the chat shows "sending a file" meanwhile) and send it."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    start, end = period_days(period, context.services.today())
    table = await changes_table(context.services, readers, start=start, end=end)
    data, count = await xlsx_bytes(table, context.locale)
    name = f"alteracoes-{start:%Y-%m-%d}-a-{end:%Y-%m-%d}.xlsx"
    caption = context.tr(
        "reports.caption_one" if count == 1 else "reports.caption_other",
        start=f"{start:%d/%m/%Y}",
        end=f"{end:%d/%m/%Y}",
        count=count,
    )
    await context.bot.send_document(
        chat_id, InputFile(data, filename=name), filename=name, caption=caption
    )


def handlers(readers: ReaderFactory) -> list[BaseHandler]:
    @staff_only(Role.ADMIN)
    async def report(update: Update, context: BotContext) -> None:
        assert context.matches is not None
        await send_report(update, context, readers, ReportPeriod(context.matches[0].group(1)))

    periods = "|".join(p.value for p in ReportPeriod)
    return [
        CommandHandler("relatorios", menu),
        CallbackQueryHandler(menu, pattern=rf"^{MENU_BUTTON}$"),
        CallbackQueryHandler(report, pattern=rf"^rp:({periods})$"),
    ]
