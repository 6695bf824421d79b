"""/start, the main menu, /ajuda, /idioma and a global /cancelar."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.i18n import LOCALES
from bot.services import staff as staff_service
from conversations.base import BotContext, ack, button, keyboard, learn_name, show, staff_only
from conversations.screens import show_menu

LANG_LABELS = {"pt_BR": "🇧🇷 Português", "en": "🇬🇧 English"}


async def start(update: Update, context: BotContext) -> None:
    """/start: payloads (acceptance, admin claim) are routed by their own handlers first."""
    if context.staff is None:
        return
    await learn_name(update, context)
    context.user_data.pop("wizard", None) if context.user_data is not None else None
    await show_menu(update, context, new=True)


@staff_only()
async def menu_cb(update: Update, context: BotContext) -> None:
    await show_menu(update, context)


@staff_only()
async def help_cmd(update: Update, context: BotContext) -> None:
    text = context.render("help", staff=context.me)
    markup = keyboard([[button(context.tr("ui.menu"), "m", "home")]])
    await show(update, context, text, markup, new=update.callback_query is None)


@staff_only()
async def language(update: Update, context: BotContext) -> None:
    rows = [
        [
            button(
                ("✅ " if code == context.locale else "") + LANG_LABELS[code], "m", "setlang", code
            )
        ]
        for code in LOCALES
    ]
    rows.append([button(context.tr("ui.menu"), "m", "home")])
    await show(
        update,
        context,
        context.tr("menu.choose_language"),
        keyboard(rows),
        new=update.callback_query is None,
    )


@staff_only()
async def set_language(update: Update, context: BotContext) -> None:
    assert context.matches is not None
    context.staff = await staff_service.set_locale(
        context.services, context.me.id, context.matches[0].group(1)
    )
    await ack(context, update, context.tr("menu.language_set"))
    await show_menu(update, context)


@staff_only()
async def cancel_cmd(update: Update, context: BotContext) -> None:
    """/cancelar outside any flow: nothing to cancel, show the menu."""
    if context.user_data is not None:
        context.user_data.pop("wizard", None)
    await show(update, context, context.tr("ui.nothing_to_cancel"), None, new=True)
    await show_menu(update, context, new=True)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("start", start),
        CommandHandler(["ajuda", "help"], help_cmd),
        CommandHandler(["idioma", "language"], language),
        CallbackQueryHandler(menu_cb, pattern=r"^m:home$"),
        CallbackQueryHandler(help_cmd, pattern=r"^m:help$"),
        CallbackQueryHandler(language, pattern=r"^m:lang$"),
        CallbackQueryHandler(set_language, pattern=r"^m:setlang:(pt_BR|en)$"),
    ]


def fallback_handlers() -> list[BaseHandler]:
    """Lowest priority: /cancelar with no flow open."""
    return [CommandHandler(["cancelar", "cancel"], cancel_cmd)]
