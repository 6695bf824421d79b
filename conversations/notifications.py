"""What staff are told when something happens outside their chat (the outbox's messages).

When an acceptance or a ticket closing makes finalizing possible, the message carries the action
card and a Finalizar ação button; otherwise it says what is still missing. Action news also goes
to ``STAFF_GROUP_CHAT_ID`` when one is configured. Texts are rendered at delivery time in the
recipient's language, from the current state of the action.
"""

from __future__ import annotations

from typing import Any

from bot.domain.errors import NotFound, PermissionDenied
from bot.domain.models import Notification, Staff
from bot.notify import OutgoingMessage
from bot.services import staff as staff_service
from bot.services.cards import action_card
from bot.services.tickets import ticket_card
from conversations.base import AppServices, button, keyboard

ACTION_KINDS = {
    "acceptance_accepted",
    "acceptance_declined",
    "acceptance_expired",
    "acceptance_reminder",
    "ticket_closed",
    "action_finalized",
    "action_cancelled",
}
GROUP_KINDS = {"acceptance_accepted", "acceptance_declined", "ticket_closed", "acceptance_expired"}
TICKET_KINDS = {"ticket_assigned", "ticket_cancelled"}


class NotificationComposer:
    def __init__(self, services: AppServices) -> None:
        self.services = services

    async def __call__(self, notification: Notification) -> list[OutgoingMessage]:
        payload = notification.payload
        staff = None
        if payload.get("staff_id") is not None:
            staff = await self._staff(notification.chat_id)
        locale = staff.locale if staff else self.services.settings.locale
        try:
            if notification.kind in TICKET_KINDS:
                return [await self._ticket(notification, staff, locale)]
            if notification.kind in ACTION_KINDS:
                return await self._action(notification, staff, locale)
        except (NotFound, PermissionDenied):
            return []  # gone, or the recipient may no longer see it: nothing to send
        return []

    async def _staff(self, telegram_id: int) -> Staff | None:
        return await staff_service.staff_by_telegram_id(self.services.ctx, telegram_id)

    def _t(self, locale: str) -> Any:
        from bot.i18n import t

        return lambda key, **kw: t(key, locale, **kw)

    async def _ticket(self, n: Notification, staff: Staff | None, locale: str) -> OutgoingMessage:
        ticket_id = int(n.payload["ticket_id"])
        actor = staff.id if staff else 0
        card = await ticket_card(self.services.ctx, actor, ticket_id)
        text = self.services.renderer.render("notify_ticket", locale, kind=n.kind, card=card)
        tr = self._t(locale)
        markup = keyboard([[button(tr("notify.view_ticket"), "tk", "c", ticket_id)]])
        return OutgoingMessage(n.chat_id, text, markup)

    async def _action(
        self, n: Notification, staff: Staff | None, locale: str
    ) -> list[OutgoingMessage]:
        action_id = int(n.payload["action_id"])
        card = await action_card(self.services.ctx, action_id)
        tr = self._t(locale)
        text = self.services.renderer.render(
            "notify_action",
            locale,
            kind=n.kind,
            card=card,
            links={},
            notice=None,
            blockers=card.blockers,
        )
        rows = []
        if card.can_finalize:
            rows.append([button(tr("action.finalize"), "pa", "fin", action_id)])
        rows.append([button(tr("notify.view_action"), "pa", "c", action_id)])
        messages = [OutgoingMessage(n.chat_id, text, keyboard(rows))]
        group = self.services.settings.staff_group_chat_id
        if group is not None and n.kind in GROUP_KINDS:
            group_text = self.services.renderer.render(
                "notify_action",
                self.services.settings.locale,
                kind=n.kind,
                card=card,
                links={},
                notice=None,
                blockers=card.blockers,
            )
            messages.append(OutgoingMessage(group, group_text, None))  # no buttons for a group
        return messages
