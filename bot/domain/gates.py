"""Whether a pending action can be finalized now, and if not, exactly what is missing.

The action card, the Finalizar button and the notifications all ask this one function, so the
reasons a user sees are always the ones the finalize service enforces.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from bot.domain.approval import Approval, ApprovalDecision
from bot.domain.models import (
    AcceptanceRequest,
    AcceptanceStatus,
    ActionStatus,
    Contract,
    ContractAction,
    ContractStatus,
    Ticket,
    TicketStatus,
)


class Blocker(StrEnum):
    NOT_PENDING_FINALIZED = "not_pending_finalized"
    NOT_PENDING_CANCELLED = "not_pending_cancelled"
    CONTRACT_CHANGED = "contract_changed"
    CONTRACT_CANCELLED = "contract_cancelled"
    ACCEPTANCE_PENDING = "acceptance_pending"
    ACCEPTANCE_DECLINED = "acceptance_declined"
    ACCEPTANCE_EXPIRED = "acceptance_expired"
    ACCEPTANCE_MISSING = "acceptance_missing"
    TICKET_NOT_CLOSED = "ticket_not_closed"
    TICKET_CANCELLED = "ticket_cancelled"
    TICKET_MISSING = "ticket_missing"
    APPROVAL_PENDING = "approval_pending"
    APPROVAL_REFUSED = "approval_refused"

    @property
    def message_key(self) -> str:
        return f"blocker.{self.value}"

    @property
    def group(self) -> BlockerGroup:
        """Which of the action's gates this blocker belongs to, for lists that have room for a
        couple of icons only; a blocker of no known gate is OTHER (shown, never dropped)."""
        for prefix, group in _PREFIXES.items():
            if self.value.startswith(prefix):
                return group
        return BlockerGroup.OTHER


class BlockerGroup(StrEnum):
    """The gates an overview folds blockers into, in the order it shows them."""

    ACCEPTANCE = "acceptance"
    TICKET = "ticket"
    APPROVAL = "approval"
    REFUSED = "refused"  # the supervisor said no: the owner must redo or cancel
    CONTRACT = "contract"
    OTHER = "other"


_PREFIXES = {
    "acceptance_": BlockerGroup.ACCEPTANCE,
    "ticket_": BlockerGroup.TICKET,
    "approval_refused": BlockerGroup.REFUSED,
    "approval_": BlockerGroup.APPROVAL,
    "contract_": BlockerGroup.CONTRACT,
}


def last_answer(requests: Sequence[AcceptanceRequest]) -> AcceptanceStatus | None:
    """The client's most recent answer (accepted or declined) among an action's requests.

    A decline followed by a resent link that is still pending is still a "no": only a later
    acceptance (or cancelling the action) lifts it.
    """
    answers = [
        r for r in requests if r.status in (AcceptanceStatus.ACCEPTED, AcceptanceStatus.DECLINED)
    ]
    return max(answers, key=lambda r: r.id).status if answers else None


def finalize_blockers(
    action: ContractAction,
    contract: Contract,
    acceptance: AcceptanceRequest | None,
    ticket: Ticket | None,
    *,
    answer: AcceptanceStatus | None = None,
    approval: Approval | None = None,
) -> list[Blocker]:
    """Everything that stops ``action`` from being finalized now (empty: it can be).

    ``acceptance`` is the latest request; ``answer`` the client's latest answer over all of
    the action's requests (see :func:`last_answer`; by default the latest request's own);
    ``approval`` the action's discount approval, when its value needed one.
    """
    if action.status is ActionStatus.FINALIZED:
        return [Blocker.NOT_PENDING_FINALIZED]
    if action.status is ActionStatus.CANCELLED:
        return [Blocker.NOT_PENDING_CANCELLED]
    blockers: list[Blocker] = []
    if contract.status is ContractStatus.CANCELLED:
        blockers.append(Blocker.CONTRACT_CANCELLED)
    if contract.version != action.base_version:
        blockers.append(Blocker.CONTRACT_CHANGED)
    if answer is None and acceptance is not None:
        answer = last_answer([acceptance])
    if action.change.require_acceptance:
        blockers.extend(_acceptance_blockers(acceptance))
    elif answer is AcceptanceStatus.DECLINED:
        # Even when acceptance was optional, the client's "no" is not overridden silently.
        blockers.append(Blocker.ACCEPTANCE_DECLINED)
    if action.change.require_ticket_closed:
        blockers.extend(_ticket_blockers(ticket))
    if approval is not None and approval.decision is not ApprovalDecision.APPROVED:
        refused = approval.decision is ApprovalDecision.REFUSED
        blockers.append(Blocker.APPROVAL_REFUSED if refused else Blocker.APPROVAL_PENDING)
    return blockers


def _acceptance_blockers(acceptance: AcceptanceRequest | None) -> list[Blocker]:
    if acceptance is None or acceptance.status is AcceptanceStatus.CANCELLED:
        return [Blocker.ACCEPTANCE_MISSING]
    return {
        AcceptanceStatus.ACCEPTED: [],
        AcceptanceStatus.PENDING: [Blocker.ACCEPTANCE_PENDING],
        AcceptanceStatus.DECLINED: [Blocker.ACCEPTANCE_DECLINED],
        AcceptanceStatus.EXPIRED: [Blocker.ACCEPTANCE_EXPIRED],
    }[acceptance.status]


def _ticket_blockers(ticket: Ticket | None) -> list[Blocker]:
    if ticket is None:
        return [Blocker.TICKET_MISSING]
    if ticket.status is TicketStatus.CLOSED:
        return []
    if ticket.status is TicketStatus.CANCELLED:
        return [Blocker.TICKET_CANCELLED]
    return [Blocker.TICKET_NOT_CLOSED]
