"""What the services need from storage: repository protocols and the unit of work.

``storage/`` implements these with SQLAlchemy; tests implement them in memory. Repositories
take and return domain objects only. The approval, overview and network repositories are in
their own ``*_ports`` modules; :class:`UnitOfWork` gathers them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol, Self

from bot.domain.loyalty import Loyalty, LoyaltyTerm
from bot.domain.models import (
    AcceptanceChannel,
    AcceptanceRequest,
    AcceptanceStatus,
    ActionStatus,
    Address,
    CatalogItem,
    Client,
    Contract,
    ContractAction,
    ContractRevision,
    ContractStatus,
    ContractTemplate,
    Evidence,
    Notification,
    PersonKind,
    Plan,
    PlanChange,
    PlanGroup,
    Priority,
    Role,
    Service,
    Staff,
    Ticket,
    TicketStatus,
)
from bot.domain.money import Money
from bot.domain.signer import Signer
from bot.domain.split import Share
from bot.services.approval_ports import ApprovalRepo
from bot.services.network_ports import NetworkRepo
from bot.services.overview_ports import OverviewRepo

Clock = Callable[[], datetime]


class StaffRepo(Protocol):
    async def get(self, staff_id: int) -> Staff | None: ...
    async def by_telegram_id(self, telegram_id: int) -> Staff | None: ...
    async def add(
        self, telegram_id: int, name: str, role: Role, locale: str, now: datetime
    ) -> Staff: ...
    async def update(self, staff: Staff) -> None: ...
    async def list(self, *, active_only: bool = False) -> list[Staff]: ...


class CatalogRepo(Protocol):
    async def reference_version(self) -> int:
        """A number that changes whenever staff or catalog change (cache invalidation)."""
        ...

    async def plan_groups(self) -> list[PlanGroup]: ...
    async def plans(
        self, group_id: int | None = None, *, active_only: bool = True
    ) -> list[Plan]: ...
    async def plan(self, plan_id: int) -> Plan | None: ...
    async def services(self, *, active_only: bool = True) -> list[Service]: ...
    async def templates(self) -> list[ContractTemplate]: ...
    async def template(self, template_id: int) -> ContractTemplate | None: ...
    async def loyalty_terms(self) -> list[LoyaltyTerm]: ...
    async def loyalty_term(self, term_id: int) -> LoyaltyTerm | None: ...
    async def ticket_types(self) -> list[CatalogItem]: ...
    async def departments(self) -> list[CatalogItem]: ...

    # Writes (``contractbot catalog``); each bumps the reference version in its transaction.
    async def add_plan_group(self, name: str) -> PlanGroup: ...
    async def add_template(
        self, code: str, name: str, kind: PersonKind, file: str
    ) -> ContractTemplate: ...
    async def add_loyalty_term(
        self, name: str, months: int, monthly_benefit: Money
    ) -> LoyaltyTerm: ...
    async def add_ticket_type(self, name: str) -> CatalogItem: ...
    async def add_department(self, name: str) -> CatalogItem: ...


class ClientRepo(Protocol):
    async def get(self, client_id: int) -> Client | None: ...
    async def by_document(self, document: str) -> Client | None: ...
    async def search(
        self,
        *,
        name: str | None,
        document_digits: str | None,
        phone_digits: str | None,
        contract_number: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Client], int]: ...
    async def add(
        self, kind: PersonKind, name: str, document: str, phone: str, email: str, address: Address
    ) -> Client: ...
    async def by_ids(self, client_ids: Sequence[int]) -> dict[int, Client]:
        """The clients of a page of rows in one query (unknown ids are left out)."""
        ...


class ContractRepo(Protocol):
    async def get(self, contract_id: int) -> Contract | None: ...
    async def by_number(self, number: str) -> Contract | None: ...
    async def for_client(self, client_id: int) -> list[Contract]: ...
    async def add(
        self,
        *,
        number: str,
        client_id: int,
        status: ContractStatus,
        plan_id: int,
        value: Money,
        services: Sequence[Share],
        template_id: int,
        loyalty: Loyalty,
        due_day: int,
        start_date: date,
    ) -> Contract: ...
    async def apply_update(
        self,
        contract_id: int,
        expected_version: int,
        *,
        plan_id: int,
        value: Money,
        services: Sequence[Share],
        template_id: int,
        loyalty: Loyalty,
    ) -> bool:
        """Write the new terms and bump the version only if still at ``expected_version``."""
        ...


class ActionRepo(Protocol):
    async def add(
        self,
        *,
        contract_id: int,
        base_version: int,
        change: PlanChange,
        created_by: int,
        now: datetime,
    ) -> ContractAction:
        """Insert a pending action; raise :class:`Conflict` if the contract already has one."""
        ...

    async def get(self, action_id: int) -> ContractAction | None: ...
    async def get_for_update(self, action_id: int) -> ContractAction | None:
        """The action, locked until the transaction ends: a finalize or cancel committing
        meanwhile is waited for and seen (a row lock on PostgreSQL; SQLite runs one writer)."""
        ...

    async def pending_for_contract(self, contract_id: int) -> ContractAction | None:
        """The contract's open action: pending, or finalized and scheduled for a later date."""
        ...

    async def move(
        self, action_id: int, *, from_status: ActionStatus, to: ActionStatus, **values: Any
    ) -> bool:
        """``from_status`` → ``to`` with the given columns, in one conditional update; False
        when the action was no longer in ``from_status`` (another process moved it first)."""
        ...

    async def scheduled(self) -> list[ContractAction]:
        """Every scheduled action, oldest first (a handful: they wait at most 90 days)."""
        ...

    async def finish(
        self,
        action_id: int,
        *,
        finalized: bool,
        staff_id: int,
        now: datetime,
        reason: str | None = None,
    ) -> bool:
        """pending → finalized|cancelled; False when it was no longer pending.

        The action's pending acceptance requests are cancelled with it, in the same statement
        order as the flip: a request added by a resend that committed while this one waited
        for the action's lock is seen and cancelled too, so no link outlives its action.
        """
        ...

    async def for_contract(self, contract_id: int, limit: int = 10) -> list[ContractAction]: ...


class AcceptanceRepo(Protocol):
    async def add(
        self,
        *,
        action_id: int,
        channel: AcceptanceChannel,
        token_hash: str | None,
        expires_at: datetime,
        now: datetime,
    ) -> AcceptanceRequest: ...
    async def get(self, request_id: int) -> AcceptanceRequest | None: ...
    async def by_token_hash(self, token_hash: str) -> AcceptanceRequest | None: ...
    async def latest_for_action(self, action_id: int) -> AcceptanceRequest | None: ...
    async def for_action(self, action_id: int) -> list[AcceptanceRequest]:
        """Every request of the action, oldest first."""
        ...

    async def decide(
        self,
        request_id: int,
        *,
        to: AcceptanceStatus,
        now: datetime,
        evidence: Evidence | None = None,
        document_sha256: str | None = None,
        signer: Signer | None = None,
    ) -> bool:
        """pending → ``to``; False when it was no longer pending (single use). ``signer``: who
        answered for a company client.

        Cancelling is idempotent: True for a request already cancelled (e.g. by
        :meth:`ActionRepo.finish`), so only an answer recorded meanwhile reads as a conflict.
        """
        ...

    async def set_document_hash(self, request_id: int, sha256: str) -> None: ...
    async def keep_document(
        self, request_id: int, *, sha256: str, content: bytes, keep_until: datetime
    ) -> None:
        """Keep the exact bytes the client was shown (replacing a copy kept before), for them to
        download until ``keep_until``."""
        ...

    async def keep_longer(self, request_id: int, keep_until: datetime) -> None:
        """Keep the request's document at least until ``keep_until`` (never shortens it)."""
        ...

    async def forget_kept(self, now: datetime) -> int:
        """Delete the kept documents whose time is over; how many were deleted."""
        ...

    async def identity_failed(self, request_id: int) -> int:
        """Count one wrong document typed on this request; returns the count so far."""
        ...

    async def kept_document(self, request_id: int, now: datetime) -> tuple[str, bytes] | None:
        """(sha256, bytes) of the document kept for this request, while still kept."""
        ...

    async def pending_expiring(self, now: datetime) -> list[AcceptanceRequest]: ...
    async def pending_unreminded(self, created_before: datetime) -> list[AcceptanceRequest]: ...
    async def mark_reminded(self, request_id: int, now: datetime) -> None: ...


class TicketRepo(Protocol):
    async def add(
        self,
        *,
        client_id: int,
        contract_id: int,
        action_id: int | None,
        type_id: int,
        department_id: int,
        assignee_id: int | None,
        priority: Priority,
        description: str,
        now: datetime,
    ) -> Ticket: ...
    async def get(self, ticket_id: int) -> Ticket | None: ...
    async def for_action(self, action_id: int) -> Ticket | None: ...
    async def transition(
        self,
        ticket_id: int,
        *,
        from_statuses: Sequence[TicketStatus],
        to: TicketStatus,
        now: datetime,
        fields: dict[str, Any] | None = None,
    ) -> bool:
        """Conditional status change; False when the ticket was not in ``from_statuses``."""
        ...

    async def assign(
        self, ticket_id: int, assignee_id: int, *, only_if_unassigned: bool
    ) -> bool: ...
    async def add_note(
        self, ticket_id: int, author_id: int | None, text: str, now: datetime
    ) -> None: ...
    async def list_open(
        self, *, assignee_id: int | None, unassigned: bool = False, offset: int, limit: int
    ) -> tuple[list[Ticket], int]: ...


class RevisionRepo(Protocol):
    async def add(
        self,
        *,
        contract_id: int,
        version: int,
        action_id: int | None,
        before: dict[str, Any],
        after: dict[str, Any],
        staff_id: int | None,
        now: datetime,
    ) -> ContractRevision: ...
    async def for_contract(self, contract_id: int, limit: int = 20) -> list[ContractRevision]: ...


class NotificationRepo(Protocol):
    async def add(
        self, *, chat_id: int, kind: str, payload: dict[str, Any], now: datetime
    ) -> Notification: ...
    async def due(self, now: datetime, limit: int) -> list[Notification]: ...
    async def mark_sent(self, notification_id: int, now: datetime) -> None: ...
    async def mark_retry(
        self, notification_id: int, *, next_attempt_at: datetime, error: str, attempt: bool = True
    ) -> None:
        """Come back at ``next_attempt_at``; ``attempt=False`` (a flood wait) keeps the count."""
        ...

    async def mark_failed(self, notification_id: int, *, error: str) -> None:
        """A pending row given up on; a row already skipped stays skipped."""
        ...

    async def mark_skipped(self, notification_id: int, *, reason: str) -> None:
        """A pending row not to be sent because its news was overtaken; ``reason`` says how."""
        ...

    async def for_chat(self, chat_id: int, kind: str) -> list[Notification]:
        """Every ``kind`` notification of one chat, oldest first."""
        ...

    async def claim(self, notification_id: int, *, now: datetime, lease_until: datetime) -> bool:
        """Take a pending, due row for one dispatcher; False if another one has it."""
        ...

    async def all(self) -> list[Notification]: ...


class ClaimRepo(Protocol):
    async def add(self, code_hash: str, now: datetime) -> None: ...
    async def use(self, code_hash: str, telegram_id: int, now: datetime) -> bool:
        """Mark an unused code used; False if unknown or already used."""
        ...

    async def revoke_unused(self) -> None: ...


class UnitOfWork(Protocol):
    """A transaction: ``async with uow:`` … ``await uow.commit()``; rollback by default."""

    staff: StaffRepo
    catalog: CatalogRepo
    clients: ClientRepo
    contracts: ContractRepo
    actions: ActionRepo
    acceptances: AcceptanceRepo
    tickets: TicketRepo
    revisions: RevisionRepo
    notifications: NotificationRepo
    claims: ClaimRepo
    network: NetworkRepo
    approvals: ApprovalRepo
    overview: OverviewRepo

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
