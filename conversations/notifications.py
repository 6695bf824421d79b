"""What staff are told when something happens outside their chat (the outbox's messages).

When an acceptance or a ticket closing makes finalizing possible, the message carries the action
card and a Finalizar ação button; otherwise it says what is still missing. Action news also goes
to ``STAFF_GROUP_CHAT_ID`` when one is configured. Texts are rendered at delivery time in the
recipient's language, from the current state of the action.

Because the text is composed at delivery, news overtaken in the meantime would be told wrong (a
ticket cancelled two seconds after it was assigned announced as new, with the cancel reason).
Each kind says when it is overtaken (``_ticket_overtaken``, ``_action_overtaken``); such a row
is not sent and is marked skipped with the reason, as is one whose subject is gone or no longer
visible to the recipient.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.domain.errors import NotFound, PermissionDenied
from bot.domain.models import (
    AcceptanceStatus,
    ActionStatus,
    Notification,
    NotificationStatus,
    Staff,
    TicketStatus,
)
from bot.notify import OutgoingMessage
from bot.services import outbox, printouts
from bot.services import staff as staff_service
from bot.services.approval import DECIDED, REQUESTED
from bot.services.cards import ActionCard, action_card
from bot.services.client_documents import CLIENT_DOCUMENTS, UNDELIVERED
from bot.services.digest import KIND as DIGEST
from bot.services.tickets import TicketCard, ticket_card
from conversations.approval_view import request_message
from conversations.base import AppServices, button, keyboard
from conversations.client_notifications import client_documents
from conversations.digest import digest_message
from conversations.screens import approval_rows, network_retry_possible

ACTION_KINDS = {
    "acceptance_accepted",
    "acceptance_declined",
    "acceptance_expired",
    "acceptance_locked",
    "acceptance_reminder",
    "ticket_closed",
    "action_finalized",
    "action_cancelled",
    "network_failed",
    "scheduled_applied",
    "scheduled_failed",
    UNDELIVERED,
}
GROUP_KINDS = {"acceptance_accepted", "acceptance_declined", "ticket_closed", "acceptance_expired"}
TICKET_KINDS = {"ticket_assigned", "ticket_cancelled"}
APPROVAL_KINDS = {REQUESTED, *DECIDED.values()}
log = logging.getLogger(__name__)


class Overtaken(Exception):
    """The notification's news is no longer true or no longer news; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
            if notification.kind == DIGEST:
                if payload.get("staff_id") is not None and (staff is None or not staff.active):
                    raise NotFound()  # no longer staff: their digest is not sent
                text, markup = digest_message(self.services, notification, locale)
                return [OutgoingMessage(notification.chat_id, text, markup)]
            if notification.kind == CLIENT_DOCUMENTS:
                return [
                    OutgoingMessage(notification.chat_id, d.caption, None, d.content, d.filename)
                    for d in await client_documents(self.services, notification)
                ]
            if notification.kind in TICKET_KINDS:
                return [await self._ticket(notification, staff, locale)]
            if notification.kind in ACTION_KINDS:
                return await self._action(notification, staff, locale)
            if notification.kind in APPROVAL_KINDS:
                return [await self._approval(notification, staff, locale)]
        except Overtaken as exc:
            await self._skip(notification, f"superseded: {exc.reason}")
        except (NotFound, PermissionDenied):
            await self._skip(notification, "gone, or no longer visible to the recipient")
        return []

    async def _skip(self, n: Notification, reason: str) -> None:
        log.info("notification %s (%s): not sent, %s", n.id, n.kind, reason)
        await outbox.skip(self.services.ctx, n, reason)

    async def _staff(self, telegram_id: int) -> Staff | None:
        return await staff_service.staff_by_telegram_id(self.services.ctx, telegram_id)

    def _t(self, locale: str) -> Any:
        from bot.i18n import t

        return lambda key, **kw: t(key, locale, **kw)

    async def _ticket(self, n: Notification, staff: Staff | None, locale: str) -> OutgoingMessage:
        ticket_id = int(n.payload["ticket_id"])
        actor = staff.id if staff else 0
        card = await ticket_card(self.services.ctx, actor, ticket_id)
        await self._ticket_overtaken(n, card, staff)
        text = self.services.renderer.render("notify_ticket", locale, kind=n.kind, card=card)
        tr = self._t(locale)
        markup = keyboard([[button(tr("notify.view_ticket"), "tk", "c", ticket_id)]])
        return OutgoingMessage(n.chat_id, text, markup)

    async def _action(
        self, n: Notification, staff: Staff | None, locale: str
    ) -> list[OutgoingMessage]:
        action_id = int(n.payload["action_id"])
        card = await action_card(self.services.ctx, action_id)
        _action_overtaken(n, card)
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
        if network_retry_possible(card.network):
            assert card.network is not None
            rows.append([button(tr("network.retry"), "nw", "r", card.network.id)])
        rows.append([button(tr("notify.view_action"), "pa", "c", action_id)])
        messages = [OutgoingMessage(n.chat_id, text, keyboard(rows))]
        if n.kind == "scheduled_applied":  # the updated contract goes with the news
            messages.append(await self._contract_pdf(n.chat_id, card.contract.id, tr))
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

    async def _approval(self, n: Notification, staff: Staff | None, locale: str) -> OutgoingMessage:
        """An admin's approval request (not sent once decided or closed, or to someone who may
        no longer decide it), or the owner's news of the decision with the action card."""
        card = await action_card(self.services.ctx, int(n.payload["action_id"]))
        if card.approval is None or staff is None or not staff.active:
            raise Overtaken("no approval, or the recipient is no longer active staff")
        if n.kind == REQUESTED:
            if card.approval.approval.decided or card.action.status is not ActionStatus.PENDING:
                raise Overtaken("the approval was decided, or the action closed, first")
            if not card.approval.may_decide(staff):
                raise Overtaken("the recipient may no longer decide it")
            text, markup = request_message(self.services.renderer, locale, card, staff)
            return OutgoingMessage(n.chat_id, text, markup)
        text = self.services.renderer.render(
            "approval_news", locale, card=card, links={}, notice=None, blockers=card.blockers
        )
        tr = self._t(locale)
        rows = approval_rows(locale, card, staff)  # refused: the way forward
        if card.can_finalize:
            rows.append([button(tr("action.finalize"), "pa", "fin", card.action.id)])
        rows.append([button(tr("notify.view_action"), "pa", "c", card.action.id)])
        return OutgoingMessage(n.chat_id, text, keyboard(rows))

    async def _contract_pdf(self, chat_id: int, contract_id: int, tr: Any) -> OutgoingMessage:
        doc = await printouts.contract_printout(self.services.ctx, contract_id)
        data = await self.services.pdf.contract_pdf(doc)
        caption = tr("documents.contract_caption", number=doc.number, version=doc.version)
        return OutgoingMessage(chat_id, caption, None, bytes(data), self.services.pdf.filename(doc))

    async def _ticket_overtaken(
        self, n: Notification, card: TicketCard, staff: Staff | None
    ) -> None:
        """A new ticket is news only while it is open and still the recipient's; its
        cancellation only to someone who was told about it (or took it without being told)."""
        ticket = card.ticket
        if n.kind == "ticket_assigned":
            if ticket.status in (TicketStatus.CANCELLED, TicketStatus.CLOSED):
                raise Overtaken(f"ticket #{ticket.id} is {ticket.status.value}")
            if staff is not None and ticket.assignee_id != staff.id:
                raise Overtaken(f"ticket #{ticket.id} was given to someone else")
        elif n.kind == "ticket_cancelled":
            told = await outbox.delivery_of(
                self.services.ctx, n.chat_id, "ticket_assigned", ticket_id=ticket.id
            )
            if told not in (None, NotificationStatus.SENT):
                raise Overtaken(f"the assignee was never told about ticket #{ticket.id}")


def _action_overtaken(n: Notification, card: ActionCard) -> None:
    """A reminder is only true while the acceptance is still awaited; the other action news
    (answered, expired, closed, finalized, cancelled) stays true and shows the current card."""
    if n.kind == "acceptance_reminder" and (
        card.action.status is not ActionStatus.PENDING
        or card.acceptance is None
        or card.acceptance.status is not AcceptanceStatus.PENDING
    ):
        raise Overtaken("the acceptance is no longer pending")
