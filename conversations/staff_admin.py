"""Staff management in the chat (admins) and the one-time admin claim link."""

from __future__ import annotations

import re
from enum import StrEnum

from telegram import MessageOriginUser, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.domain.errors import DomainError
from bot.domain.models import Role
from bot.services import staff as staff_service
from bot.services.staff import clean_name
from conversations.base import (
    BotContext,
    Handler,
    ack,
    arg_int,
    button,
    conversation,
    drop_prompt,
    esc,
    expect,
    expecting,
    keyboard,
    remember_prompt,
    show,
    staff_only,
    tell,
)
from conversations.screens import show_menu, stray_text

ROLES = [Role.OPERATOR, Role.TECHNICIAN, Role.ADMIN]
_ID_AND_NAME = re.compile(r"^\s*(\d{5,15})\s*(.*)$", re.S)


class State(StrEnum):
    WAITING_PERSON = "waiting_person"
    CHOOSING_ROLE = "choosing_role"


async def claim(update: Update, context: BotContext) -> None:
    """/start claim_<code>: the first user to open the link becomes admin."""
    user = update.effective_user
    assert user is not None and update.message is not None and update.message.text is not None
    code = update.message.text.split(maxsplit=1)[1].removeprefix("claim_")
    try:
        context.staff = await staff_service.claim_admin(
            context.services, code, user.id, user.full_name, user.language_code or "pt_BR"
        )
    except DomainError as exc:
        await update.message.reply_text(context.explain(exc))
        return
    await update.message.reply_text(context.tr("staff.claimed"))
    await show_menu(update, context, new=True)


@staff_only(Role.ADMIN)
async def list_staff(update: Update, context: BotContext) -> None:
    members = await staff_service.list_staff(context.services)
    rows = [
        [
            button(
                ("" if s.active else "🚫 ") + f"{s.name} · {context.tr('role.' + s.role.value)}",
                "st",
                "m",
                s.telegram_id,
            )
        ]
        for s in members
    ]
    rows.append([button(context.tr("staff.add"), "st", "add")])
    rows.append([button(context.tr("ui.menu"), "m", "home")])
    await show(update, context, context.tr("staff.title", count=len(members)), keyboard(rows))


@staff_only(Role.ADMIN)
async def member(update: Update, context: BotContext) -> None:
    telegram_id = arg_int(context)
    found = await staff_service.staff_by_telegram_id(context.services, telegram_id)
    if found is None:
        await tell(update, context, context.tr("errors.staff_not_found"))
        return
    rows = [
        [
            button(
                ("✅ " if found.role is r else "") + context.tr(f"role.{r.value}"),
                "st",
                "r",
                telegram_id,
                r.value,
            )
            for r in ROLES
        ]
    ]
    if found.active:
        rows.append([button(context.tr("staff.deactivate"), "st", "d", telegram_id)])
    rows.append([button(context.tr("ui.back"), "st", "l")])
    text = context.tr(
        "staff.member",
        name=found.name,
        telegram_id=found.telegram_id,
        role=context.tr(f"role.{found.role.value}"),
        state=context.tr("staff.active" if found.active else "staff.inactive"),
    )
    await show(update, context, esc(text), keyboard(rows))


@staff_only(Role.ADMIN)
async def set_role(update: Update, context: BotContext) -> None:
    assert context.matches is not None
    telegram_id, role = int(context.matches[0].group(1)), Role(context.matches[0].group(2))
    try:
        await staff_service.set_role(context.services, context.me.id, telegram_id, role)
    except DomainError as exc:
        await tell(update, context, context.explain(exc))
        return
    await ack(context, update, context.tr("staff.updated"))
    await member(update, context)


@staff_only(Role.ADMIN)
async def deactivate(update: Update, context: BotContext) -> None:
    telegram_id = arg_int(context)
    try:
        await staff_service.deactivate(context.services, context.me.id, telegram_id)
    except DomainError as exc:
        await tell(update, context, context.explain(exc))
        return
    await ack(context, update, context.tr("staff.updated"))
    await list_staff(update, context)


@staff_only(Role.ADMIN)
async def ask_person(update: Update, context: BotContext) -> State:
    rows = [[button(context.tr("ui.cancel"), "st", "l")]]
    prompt = await show(update, context, context.tr("staff.ask_person"), keyboard(rows))
    remember_prompt(context, prompt)
    expect(context, "staff_add")
    return State.WAITING_PERSON


def person_from(update: Update) -> tuple[int, str] | None:
    """A Telegram user id and name from a forwarded message, a shared contact or typed text."""
    message = update.message
    if message is None:
        return None
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser):
        return origin.sender_user.id, clean_name(origin.sender_user.full_name)
    contact = message.contact
    if contact is not None and contact.user_id is not None:
        return contact.user_id, clean_name(f"{contact.first_name} {contact.last_name or ''}")
    match = _ID_AND_NAME.match(message.text or "")
    if match:  # the name as it will be stored, so the question shows what will be saved
        return int(match.group(1)), clean_name(match.group(2))
    return None


@staff_only(Role.ADMIN)
async def got_person(update: Update, context: BotContext) -> object:
    assert context.user_data is not None and update.message is not None
    if not expecting(context, "staff_add"):
        return await stray_text(update, context) if update.message.text else ConversationHandler.END
    person = person_from(update)
    if person is None:
        hidden = update.message.forward_origin is not None
        await tell(
            update,
            context,
            context.tr("staff.hidden_forward" if hidden else "staff.not_understood"),
        )
        return State.WAITING_PERSON
    context.user_data["new_staff"] = {"id": person[0], "name": person[1] or str(person[0])}
    await drop_prompt(update, context)  # the question below replaces it
    rows = [
        [button(context.tr(f"role.{r.value}"), "st", "nr", r.value) for r in ROLES],
        [button(context.tr("ui.cancel"), "st", "l")],
    ]
    await show(
        update,
        context,
        esc(context.tr("staff.ask_role", name=person[1] or person[0])),
        keyboard(rows),
        new=True,
    )
    return State.CHOOSING_ROLE


@staff_only(Role.ADMIN)
async def chose_role(update: Update, context: BotContext) -> object:
    assert context.matches is not None and context.user_data is not None
    person = context.user_data.pop("new_staff", None)
    if person is None:
        return ConversationHandler.END
    try:
        added = await staff_service.add_staff(
            context.services,
            context.me.id,
            int(person["id"]),
            str(person["name"]),
            Role(context.matches[0].group(1)),
        )
    except DomainError as exc:
        await tell(update, context, context.explain(exc))
        await list_staff(update, context)
        return ConversationHandler.END
    await ack(context, update, context.tr("staff.added", name=added.name))
    await list_staff(update, context)
    return ConversationHandler.END


async def leave(update: Update, context: BotContext) -> int:
    if context.user_data is not None:
        context.user_data.pop("new_staff", None)
    if context.staff is not None and context.staff.is_admin:
        await list_staff(update, context)
    await ack(context, update)
    return ConversationHandler.END


def build() -> ConversationHandler:
    back: Handler = CallbackQueryHandler(leave, pattern=r"^st:l$")
    return conversation(
        name="staff_add",
        persistent=True,
        entry_points=[CallbackQueryHandler(ask_person, pattern=r"^st:add$")],
        states={
            State.WAITING_PERSON: [
                MessageHandler(
                    (filters.TEXT & ~filters.COMMAND) | filters.CONTACT | filters.FORWARDED,
                    got_person,
                ),
                back,
            ],
            State.CHOOSING_ROLE: [
                CallbackQueryHandler(chose_role, pattern=r"^st:nr:(admin|operator|technician)$"),
                back,
            ],
        },
        fallbacks=[CommandHandler(["cancelar", "cancel"], leave)],
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(
            "start", claim, filters=filters.Regex(r"^/start claim_[A-Za-z0-9_-]{1,64}$")
        ),
        CallbackQueryHandler(list_staff, pattern=r"^st:l$"),
        CallbackQueryHandler(member, pattern=r"^st:m:(\d{1,15})$"),
        CallbackQueryHandler(set_role, pattern=r"^st:r:(\d{1,15}):(admin|operator|technician)$"),
        CallbackQueryHandler(deactivate, pattern=r"^st:d:(\d{1,15})$"),
    ]
