"""Plain domain objects returned by repositories and used by services and screens: the
contract, its actions, acceptances, tickets, revisions and notifications, with their statuses.

The people (:mod:`bot.domain.people`) and the catalog (:mod:`bot.domain.catalog`) live in their
own modules; every name is re-exported here, the one path the rest of the code imports from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.domain.catalog import CatalogItem, ContractTemplate, Plan, PlanGroup, Service
from bot.domain.documents import PersonKind
from bot.domain.loyalty import Loyalty, LoyaltyTerm
from bot.domain.money import Money
from bot.domain.people import Address, Client, Role, Staff
from bot.domain.signer import Signer
from bot.domain.split import Share


class ContractStatus(StrEnum):
    ACTIVE = "ativo"
    BLOCKED = "bloqueado"
    SUSPENDED = "suspenso"
    CANCELLED = "cancelado"


class ActionStatus(StrEnum):
    PENDING = "pending"
    FINALIZED = "finalized"
    CANCELLED = "cancelled"
    # Finalized with a future effective date: committed to, applied at 00:00 of that date.
    SCHEDULED = "scheduled"


# Statuses that hold the contract: no other action may start while one of them exists.
OPEN_ACTION_STATUSES = (ActionStatus.PENDING, ActionStatus.SCHEDULED)


class AcceptanceChannel(StrEnum):
    TELEGRAM = "telegram"
    WEB = "web"
    IN_PERSON = "in_person"


class AcceptanceStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class TicketStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return ["urgent", "high", "normal", "low"].index(self.value)


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # overtaken before delivery (see conversations/notifications.py)


@dataclass(frozen=True, slots=True)
class Contract:
    id: int
    number: str
    client_id: int
    status: ContractStatus
    plan_id: int
    value: Money
    services: tuple[Share, ...]
    template_id: int
    loyalty: Loyalty
    due_day: int
    start_date: date
    version: int


@dataclass(frozen=True, slots=True)
class TicketRequest:
    """What the wizard asks for when the change needs a support ticket."""

    type_id: int
    department_id: int
    assignee_id: int | None
    priority: Priority
    description: str


@dataclass(frozen=True, slots=True)
class PlanChange:
    """The full proposed change of a plan-update action (what finalize will apply)."""

    plan_id: int
    value: Money
    services: tuple[Share, ...]
    template_id: int
    loyalty_term_id: int | None  # None: keep the contract's current loyalty
    acceptance_channel: AcceptanceChannel | None
    ticket: TicketRequest | None
    require_acceptance: bool
    require_ticket_closed: bool
    effective_on: date | None = None  # None: the change starts when the action is finalized

    def to_json(self) -> dict[str, Any]:
        data = {
            "plan_id": self.plan_id,
            "value_cents": self.value.cents,
            "services": [
                {"service_id": s.service_id, "name": s.name, "cents": s.amount.cents}
                for s in self.services
            ],
            "template_id": self.template_id,
            "loyalty_term_id": self.loyalty_term_id,
            "acceptance_channel": self.acceptance_channel.value
            if self.acceptance_channel
            else None,
            "ticket": None
            if self.ticket is None
            else {
                "type_id": self.ticket.type_id,
                "department_id": self.ticket.department_id,
                "assignee_id": self.ticket.assignee_id,
                "priority": self.ticket.priority.value,
                "description": self.ticket.description,
            },
            "require_acceptance": self.require_acceptance,
            "require_ticket_closed": self.require_ticket_closed,
        }
        if self.effective_on is not None:  # absent: on finalize (as in actions made before)
            data["effective_on"] = self.effective_on.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanChange:
        ticket = data.get("ticket")
        channel = data.get("acceptance_channel")
        return cls(
            plan_id=int(data["plan_id"]),
            value=Money(int(data["value_cents"])),
            services=tuple(
                Share(int(s["service_id"]), str(s["name"]), Money(int(s["cents"])))
                for s in data["services"]
            ),
            template_id=int(data["template_id"]),
            loyalty_term_id=data.get("loyalty_term_id"),
            acceptance_channel=AcceptanceChannel(channel) if channel else None,
            ticket=None
            if not ticket
            else TicketRequest(
                type_id=int(ticket["type_id"]),
                department_id=int(ticket["department_id"]),
                assignee_id=ticket.get("assignee_id"),
                priority=Priority(ticket["priority"]),
                description=str(ticket["description"]),
            ),
            require_acceptance=bool(data["require_acceptance"]),
            require_ticket_closed=bool(data["require_ticket_closed"]),
            effective_on=date.fromisoformat(data["effective_on"])
            if data.get("effective_on")
            else None,
        )


@dataclass(frozen=True, slots=True)
class ContractAction:
    id: int
    contract_id: int
    kind: str
    status: ActionStatus
    base_version: int
    change: PlanChange
    created_by: int
    created_at: datetime
    finalized_by: int | None = None
    finalized_at: datetime | None = None
    cancelled_by: int | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    applied_at: datetime | None = None  # when the contract was updated (finalize or schedule)
    apply_failure: str | None = None  # why a scheduled change was not applied (a message key)

    @property
    def is_open(self) -> bool:
        """Pending or scheduled: the contract is held by this action."""
        return self.status in OPEN_ACTION_STATUSES


@dataclass(frozen=True, slots=True)
class Evidence:
    """How and by whom an acceptance decision was made."""

    ip: str | None = None
    user_agent: str | None = None
    telegram_user_id: int | None = None
    telegram_name: str | None = None
    staff_id: int | None = None
    note: str | None = None
    photo_file_id: str | None = None
    # The client typed their CPF/CNPJ (or its configured part) and it matched; what they typed
    # is never kept.
    document_checked: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Evidence:
        return cls(**(data or {}))


@dataclass(frozen=True, slots=True)
class AcceptanceRequest:
    id: int
    action_id: int
    channel: AcceptanceChannel
    status: AcceptanceStatus
    expires_at: datetime
    created_at: datetime
    document_sha256: str | None = None
    decided_at: datetime | None = None
    evidence: Evidence = field(default_factory=Evidence)
    reminded_at: datetime | None = None
    signer: Signer | None = None  # who answered for a company (PJ) client


@dataclass(frozen=True, slots=True)
class TicketNote:
    author_id: int | None
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    client_id: int
    contract_id: int
    action_id: int | None
    type_id: int
    department_id: int
    assignee_id: int | None
    priority: Priority
    description: str
    status: TicketStatus
    created_at: datetime
    resolution: str | None = None
    started_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    notes: tuple[TicketNote, ...] = ()

    @property
    def number(self) -> int:
        return self.id

    @property
    def is_open(self) -> bool:
        return self.status in (TicketStatus.OPEN, TicketStatus.IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class ContractRevision:
    id: int
    contract_id: int
    version: int
    action_id: int | None
    before: dict[str, Any]
    after: dict[str, Any]
    staff_id: int | None
    created_at: datetime
    author: str | None = None  # who made it when no staff member did ("importação")


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    chat_id: int
    kind: str
    payload: dict[str, Any]
    status: NotificationStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None = None
    last_error: str | None = None


__all__ = [
    "OPEN_ACTION_STATUSES",
    "AcceptanceChannel",
    "AcceptanceRequest",
    "AcceptanceStatus",
    "ActionStatus",
    "Address",
    "CatalogItem",
    "Client",
    "Contract",
    "ContractAction",
    "ContractRevision",
    "ContractStatus",
    "ContractTemplate",
    "Evidence",
    "Loyalty",
    "LoyaltyTerm",
    "Money",
    "Notification",
    "NotificationStatus",
    "PersonKind",
    "Plan",
    "PlanChange",
    "PlanGroup",
    "Priority",
    "Role",
    "Service",
    "Share",
    "Staff",
    "Ticket",
    "TicketNote",
    "TicketRequest",
    "TicketStatus",
]
