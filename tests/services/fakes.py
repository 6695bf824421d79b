"""In-memory implementations of the service ports (``bot.services.ports``), for service tests.

A :class:`FakeStore` is the "database": plain dicts of frozen domain objects keyed by id. A
:class:`FakeUnitOfWork` copies the store on enter and works on the copy; ``commit()`` writes the
copy back, and leaving the block without committing throws it away — the same rollback-by-default
contract as ``storage.uow.SqlUnitOfWork``.

The repositories keep the SQL code's contracts: conditional updates return ``False`` when their
condition fails, ``ActionRepo.add`` raises :class:`Conflict` when the contract already has a pending
action, JSON columns round-trip through ``json`` and results come back in the same order.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any, Self, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.approval import Approval
from bot.domain.documents import PersonKind, cnpj_check_digits, cpf_check_digits, only_digits
from bot.domain.errors import Conflict
from bot.domain.loyalty import Loyalty, LoyaltyTerm
from bot.domain.models import (
    OPEN_ACTION_STATUSES,
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
    NotificationStatus,
    Plan,
    PlanChange,
    PlanGroup,
    Priority,
    Role,
    Service,
    Staff,
    Ticket,
    TicketNote,
    TicketStatus,
)
from bot.domain.money import Money
from bot.domain.network import ContractAccess, JobStatus, Nas, NetworkJob, NetworkProfile
from bot.domain.signer import Signer
from bot.domain.split import Share
from bot.services.approval_ports import ApprovalRepo
from bot.services.context import ServiceContext
from bot.services.overview_ports import OverviewRepo
from bot.services.ports import (
    AcceptanceRepo,
    ActionRepo,
    CatalogRepo,
    ClaimRepo,
    ClientRepo,
    ContractRepo,
    NetworkRepo,
    NotificationRepo,
    RevisionRepo,
    StaffRepo,
    TicketRepo,
    UnitOfWork,
)
from tests.services.approval_fakes import FakeApprovalRepo
from tests.services.fake_overview import FakeOverviewRepo

T = TypeVar("T")


def fold(text: str) -> str:
    """Lower case without accents (what the SQL repo stores in ``name_search``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def _json(data: Any) -> Any:
    """What a JSON column gives back: fails like the database would on non-JSON values."""
    return json.loads(json.dumps(data))


# --------------------------------------------------------------------------------------------
# The store


@dataclass(frozen=True)
class AdminClaim:
    """A one-time admin claim code (``admin_claims`` in SQL); no domain object exists for it."""

    id: int
    code_hash: str
    created_at: datetime
    used_at: datetime | None = None
    used_by: int | None = None


@dataclass
class FakeStore:
    """Every table as ``{id: domain object}``; objects are frozen, so a copy is dict copies."""

    staff: dict[int, Staff] = field(default_factory=dict)
    plan_groups: dict[int, PlanGroup] = field(default_factory=dict)
    plans: dict[int, Plan] = field(default_factory=dict)
    services: dict[int, Service] = field(default_factory=dict)
    templates: dict[int, ContractTemplate] = field(default_factory=dict)
    loyalty_terms: dict[int, LoyaltyTerm] = field(default_factory=dict)
    ticket_types: dict[int, CatalogItem] = field(default_factory=dict)
    departments: dict[int, CatalogItem] = field(default_factory=dict)
    clients: dict[int, Client] = field(default_factory=dict)
    contracts: dict[int, Contract] = field(default_factory=dict)
    actions: dict[int, ContractAction] = field(default_factory=dict)
    acceptances: dict[int, AcceptanceRequest] = field(default_factory=dict)
    token_hashes: dict[int, str | None] = field(default_factory=dict)  # acceptance id → hash
    kept_documents: dict[int, tuple[str, bytes, datetime]] = field(default_factory=dict)
    identity_failures: dict[int, int] = field(default_factory=dict)  # acceptance id → count
    tickets: dict[int, Ticket] = field(default_factory=dict)
    revisions: dict[int, ContractRevision] = field(default_factory=dict)
    notifications: dict[int, Notification] = field(default_factory=dict)
    claims: dict[int, AdminClaim] = field(default_factory=dict)
    profiles: dict[int, NetworkProfile] = field(default_factory=dict)  # plan id → profile
    access: dict[int, ContractAccess] = field(default_factory=dict)  # contract id → access
    nas: dict[int, Nas] = field(default_factory=dict)
    network_jobs: dict[int, NetworkJob] = field(default_factory=dict)
    approvals: dict[int, Approval] = field(default_factory=dict)
    digest_days: dict[str, datetime] = field(default_factory=dict)  # day → when queued
    last_ids: dict[str, int] = field(default_factory=dict)
    commits: int = 0

    def copy(self) -> FakeStore:
        other = FakeStore()
        other.load(self)
        return other

    def load(self, other: FakeStore) -> None:
        """Make this store hold exactly what ``other`` holds (the commit)."""
        for f in fields(self):
            value = getattr(other, f.name)
            setattr(self, f.name, dict(value) if isinstance(value, dict) else value)

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]

    def insert(self, table: str, make: Callable[[int], T]) -> T:
        """Give the row the table's next id and store it."""
        row = make(self.next_id(table))
        getattr(self, table)[row.id] = row  # type: ignore[attr-defined]
        return row

    # Handy reads for assertions
    def notifications_for(self, chat_id: int) -> list[Notification]:
        return [n for n in self.notifications.values() if n.chat_id == chat_id]

    def kinds_for(self, chat_id: int) -> list[str]:
        return [n.kind for n in self.notifications_for(chat_id)]

    def revisions_of(self, contract_id: int) -> list[ContractRevision]:
        return [r for r in self.revisions.values() if r.contract_id == contract_id]


# --------------------------------------------------------------------------------------------
# Repositories


class _Repo:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def db(self) -> FakeStore:
        return self._uow.work


def _page(rows: list[T], offset: int, limit: int) -> tuple[list[T], int]:
    return rows[offset : offset + limit], len(rows)


class FakeStaffRepo(_Repo):
    async def get(self, staff_id: int) -> Staff | None:
        return self.db.staff.get(staff_id)

    async def by_telegram_id(self, telegram_id: int) -> Staff | None:
        return next((s for s in self.db.staff.values() if s.telegram_id == telegram_id), None)

    async def add(
        self, telegram_id: int, name: str, role: Role, locale: str, now: datetime
    ) -> Staff:
        if await self.by_telegram_id(telegram_id) is not None:
            raise Conflict("errors.conflict")  # the SQL column is unique
        return self.db.insert("staff", lambda i: Staff(i, telegram_id, name, role, True, locale))

    async def update(self, staff: Staff) -> None:
        if staff.id in self.db.staff:
            old = self.db.staff[staff.id]
            self.db.staff[staff.id] = replace(
                old, name=staff.name, role=staff.role, active=staff.active, locale=staff.locale
            )

    async def list(self, *, active_only: bool = False) -> list[Staff]:
        rows = [s for s in self.db.staff.values() if s.active or not active_only]
        return sorted(rows, key=lambda s: (s.name, s.id))


class FakeCatalogRepo(_Repo):
    async def reference_version(self) -> int:
        """Changes whenever staff or catalog content changes, however it was written."""
        db = self.db
        tables = (db.staff, db.plan_groups, db.plans, db.services, db.templates)
        more = (db.loyalty_terms, db.ticket_types, db.departments)
        return hash(repr([sorted(t.items()) for t in (*tables, *more)]))

    async def plan_groups(self) -> list[PlanGroup]:
        return sorted(self.db.plan_groups.values(), key=lambda g: g.id)

    async def plans(self, group_id: int | None = None, *, active_only: bool = True) -> list[Plan]:
        rows = [
            p
            for p in self.db.plans.values()
            if (group_id is None or p.group_id == group_id) and (p.active or not active_only)
        ]
        return sorted(rows, key=lambda p: (p.price.cents, p.id))

    async def plan(self, plan_id: int) -> Plan | None:
        return self.db.plans.get(plan_id)

    async def services(self, *, active_only: bool = True) -> list[Service]:
        rows = [s for s in self.db.services.values() if s.active or not active_only]
        return sorted(rows, key=lambda s: s.id)

    async def templates(self) -> list[ContractTemplate]:
        return sorted(self.db.templates.values(), key=lambda t: t.id)

    async def template(self, template_id: int) -> ContractTemplate | None:
        return self.db.templates.get(template_id)

    async def loyalty_terms(self) -> list[LoyaltyTerm]:
        return sorted(self.db.loyalty_terms.values(), key=lambda t: (t.months, t.id))

    async def loyalty_term(self, term_id: int) -> LoyaltyTerm | None:
        return self.db.loyalty_terms.get(term_id)

    async def ticket_types(self) -> list[CatalogItem]:
        return sorted(self.db.ticket_types.values(), key=lambda t: t.id)

    async def departments(self) -> list[CatalogItem]:
        return sorted(self.db.departments.values(), key=lambda d: d.id)

    def _unique(self, table: str, name: str, key: str = "name") -> None:
        if any(getattr(r, key) == name for r in getattr(self.db, table).values()):
            raise Conflict("catalog.duplicate", name=name)  # the SQL column is unique

    async def add_plan_group(self, name: str) -> PlanGroup:
        self._unique("plan_groups", name)
        return self.db.insert("plan_groups", lambda i: PlanGroup(i, name))

    async def add_template(
        self, code: str, name: str, kind: PersonKind, file: str
    ) -> ContractTemplate:
        self._unique("templates", code, "code")
        return self.db.insert("templates", lambda i: ContractTemplate(i, code, name, kind, file))

    async def add_loyalty_term(self, name: str, months: int, monthly_benefit: Money) -> LoyaltyTerm:
        self._unique("loyalty_terms", name)
        return self.db.insert(
            "loyalty_terms", lambda i: LoyaltyTerm(i, name, months, monthly_benefit)
        )

    async def add_ticket_type(self, name: str) -> CatalogItem:
        self._unique("ticket_types", name)
        return self.db.insert("ticket_types", lambda i: CatalogItem(i, name))

    async def add_department(self, name: str) -> CatalogItem:
        self._unique("departments", name)
        return self.db.insert("departments", lambda i: CatalogItem(i, name))


class FakeClientRepo(_Repo):
    async def get(self, client_id: int) -> Client | None:
        return self.db.clients.get(client_id)

    async def by_document(self, document: str) -> Client | None:
        return next((c for c in self.db.clients.values() if c.document == document), None)

    async def search(
        self,
        *,
        name: str | None,
        document_digits: str | None,
        phone_digits: str | None,
        contract_number: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Client], int]:
        """Same rule as the SQL repo: name words (all of them) win over the digit criteria,
        which are alternatives (document prefix, phone suffix, exact contract number)."""
        words = fold(name).split() if name else []
        by_number = {c.client_id for c in self.db.contracts.values() if c.number == contract_number}

        def matches(client: Client) -> bool:
            if words:
                return all(w in fold(client.name) for w in words)
            return bool(
                (document_digits and client.document.startswith(document_digits))
                or (phone_digits and only_digits(client.phone).endswith(phone_digits))
                or (contract_number and client.id in by_number)
            )

        if not words and not (document_digits or phone_digits or contract_number):
            return [], 0
        rows = sorted(
            (c for c in self.db.clients.values() if matches(c)),
            key=lambda c: (fold(c.name), c.id),
        )
        return _page(rows, offset, limit)

    async def add(
        self, kind: PersonKind, name: str, document: str, phone: str, email: str, address: Address
    ) -> Client:
        if await self.by_document(document) is not None:
            raise Conflict("errors.conflict")
        return self.db.insert(
            "clients", lambda i: Client(i, kind, name, document, phone, email, address)
        )

    async def by_ids(self, client_ids: Sequence[int]) -> dict[int, Client]:
        return {i: self.db.clients[i] for i in set(client_ids) if i in self.db.clients}


class FakeContractRepo(_Repo):
    async def get(self, contract_id: int) -> Contract | None:
        return self.db.contracts.get(contract_id)

    async def by_number(self, number: str) -> Contract | None:
        return next((c for c in self.db.contracts.values() if c.number == number), None)

    async def for_client(self, client_id: int) -> list[Contract]:
        rows = [c for c in self.db.contracts.values() if c.client_id == client_id]
        return sorted(rows, key=lambda c: c.number)

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
    ) -> Contract:
        if await self.by_number(number) is not None:
            raise Conflict("errors.conflict")
        return self.db.insert(
            "contracts",
            lambda i: Contract(
                i,
                number,
                client_id,
                status,
                plan_id,
                value,
                tuple(services),
                template_id,
                loyalty,
                due_day,
                start_date,
                1,
            ),
        )

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
        contract = self.db.contracts.get(contract_id)
        if contract is None or contract.version != expected_version:
            return False
        self.db.contracts[contract_id] = replace(
            contract,
            plan_id=plan_id,
            value=value,
            services=tuple(services),
            template_id=template_id,
            loyalty=loyalty,
            version=contract.version + 1,
        )
        return True


class FakeActionRepo(_Repo):
    async def add(
        self,
        *,
        contract_id: int,
        base_version: int,
        change: PlanChange,
        created_by: int,
        now: datetime,
    ) -> ContractAction:
        if await self.pending_for_contract(contract_id) is not None:
            raise Conflict("errors.conflict")  # the partial unique index in SQL
        stored = PlanChange.from_json(_json(change.to_json()))
        return self.db.insert(
            "actions",
            lambda i: ContractAction(
                i,
                contract_id,
                "plan_update",
                ActionStatus.PENDING,
                base_version,
                stored,
                created_by,
                now,
            ),
        )

    async def get(self, action_id: int) -> ContractAction | None:
        return self.db.actions.get(action_id)

    async def get_for_update(self, action_id: int) -> ContractAction | None:
        return self.db.actions.get(action_id)  # one task at a time: nothing to lock

    async def pending_for_contract(self, contract_id: int) -> ContractAction | None:
        return next(
            (
                a
                for a in self.db.actions.values()
                if a.contract_id == contract_id and a.status in OPEN_ACTION_STATUSES
            ),
            None,
        )

    async def move(
        self, action_id: int, *, from_status: ActionStatus, to: ActionStatus, **values: Any
    ) -> bool:
        action = self.db.actions.get(action_id)
        if action is None or action.status is not from_status:
            return False
        self.db.actions[action_id] = replace(action, status=to, **values)
        return True

    async def scheduled(self) -> list[ContractAction]:
        return sorted(
            (a for a in self.db.actions.values() if a.status is ActionStatus.SCHEDULED),
            key=lambda a: a.id,
        )

    async def finish(
        self,
        action_id: int,
        *,
        finalized: bool,
        staff_id: int,
        now: datetime,
        reason: str | None = None,
    ) -> bool:
        action = self.db.actions.get(action_id)
        if action is None or action.status is not ActionStatus.PENDING:
            return False
        if finalized:
            done = replace(
                action,
                status=ActionStatus.FINALIZED,
                finalized_by=staff_id,
                finalized_at=now,
                applied_at=now,
            )
        else:
            done = replace(
                action,
                status=ActionStatus.CANCELLED,
                cancelled_by=staff_id,
                cancelled_at=now,
                cancel_reason=reason,
            )
        self.db.actions[action_id] = done
        for request in list(self.db.acceptances.values()):
            if request.action_id == action_id and request.status is AcceptanceStatus.PENDING:
                self.db.acceptances[request.id] = replace(
                    request, status=AcceptanceStatus.CANCELLED, decided_at=now
                )
        return True

    async def for_contract(self, contract_id: int, limit: int = 10) -> list[ContractAction]:
        rows = [a for a in self.db.actions.values() if a.contract_id == contract_id]
        return sorted(rows, key=lambda a: -a.id)[:limit]


class FakeAcceptanceRepo(_Repo):
    async def add(
        self,
        *,
        action_id: int,
        channel: AcceptanceChannel,
        token_hash: str | None,
        expires_at: datetime,
        now: datetime,
    ) -> AcceptanceRequest:
        if token_hash is not None and token_hash in self.db.token_hashes.values():
            raise Conflict("errors.conflict")  # unique column
        request = self.db.insert(
            "acceptances",
            lambda i: AcceptanceRequest(
                i, action_id, channel, AcceptanceStatus.PENDING, expires_at, now
            ),
        )
        self.db.token_hashes[request.id] = token_hash
        return request

    async def get(self, request_id: int) -> AcceptanceRequest | None:
        return self.db.acceptances.get(request_id)

    async def by_token_hash(self, token_hash: str) -> AcceptanceRequest | None:
        ids = [rid for rid, h in self.db.token_hashes.items() if h is not None and h == token_hash]
        return self.db.acceptances[ids[0]] if ids else None

    async def latest_for_action(self, action_id: int) -> AcceptanceRequest | None:
        rows = [r for r in self.db.acceptances.values() if r.action_id == action_id]
        return max(rows, key=lambda r: r.id) if rows else None

    async def for_action(self, action_id: int) -> list[AcceptanceRequest]:
        return sorted(
            (r for r in self.db.acceptances.values() if r.action_id == action_id),
            key=lambda r: r.id,
        )

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
        request = self.db.acceptances.get(request_id)
        if request is None or request.status is not AcceptanceStatus.PENDING:
            cancelled = AcceptanceStatus.CANCELLED
            return request is not None and to is cancelled and request.status is cancelled
        changes: dict[str, Any] = {"status": to, "decided_at": now}
        if evidence is not None:
            changes["evidence"] = Evidence.from_json(_json(evidence.to_json()))
        if document_sha256 is not None:
            changes["document_sha256"] = document_sha256
        if signer is not None:
            changes["signer"] = signer
        self.db.acceptances[request_id] = replace(request, **changes)
        return True

    async def set_document_hash(self, request_id: int, sha256: str) -> None:
        if request_id in self.db.acceptances:
            self.db.acceptances[request_id] = replace(
                self.db.acceptances[request_id], document_sha256=sha256
            )

    async def keep_document(
        self, request_id: int, *, sha256: str, content: bytes, keep_until: datetime
    ) -> None:
        self.db.kept_documents[request_id] = (sha256, content, keep_until)

    async def keep_longer(self, request_id: int, keep_until: datetime) -> None:
        kept = self.db.kept_documents.get(request_id)
        if kept is not None and kept[2] < keep_until:
            self.db.kept_documents[request_id] = (kept[0], kept[1], keep_until)

    async def forget_kept(self, now: datetime) -> int:
        over = [i for i, (_sha, _data, until) in self.db.kept_documents.items() if until <= now]
        for request_id in over:
            del self.db.kept_documents[request_id]
        return len(over)

    async def identity_failed(self, request_id: int) -> int:
        count = self.db.identity_failures.get(request_id, 0) + 1
        self.db.identity_failures[request_id] = count
        return count

    async def kept_document(self, request_id: int, now: datetime) -> tuple[str, bytes] | None:
        kept = self.db.kept_documents.get(request_id)
        if kept is None or kept[2] <= now:
            return None
        return kept[0], kept[1]

    async def pending_expiring(self, now: datetime) -> list[AcceptanceRequest]:
        return [
            r for r in self._by_id() if r.status is AcceptanceStatus.PENDING and r.expires_at <= now
        ]

    async def pending_unreminded(self, created_before: datetime) -> list[AcceptanceRequest]:
        return [
            r
            for r in self._by_id()
            if r.status is AcceptanceStatus.PENDING
            and r.reminded_at is None
            and r.created_at <= created_before
        ]

    async def mark_reminded(self, request_id: int, now: datetime) -> None:
        if request_id in self.db.acceptances:
            self.db.acceptances[request_id] = replace(
                self.db.acceptances[request_id], reminded_at=now
            )

    def _by_id(self) -> list[AcceptanceRequest]:
        return sorted(self.db.acceptances.values(), key=lambda r: r.id)


class FakeTicketRepo(_Repo):
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
    ) -> Ticket:
        return self.db.insert(
            "tickets",
            lambda i: Ticket(
                i,
                client_id,
                contract_id,
                action_id,
                type_id,
                department_id,
                assignee_id,
                priority,
                description,
                TicketStatus.OPEN,
                now,
            ),
        )

    async def get(self, ticket_id: int) -> Ticket | None:
        return self.db.tickets.get(ticket_id)

    async def for_action(self, action_id: int) -> Ticket | None:
        rows = [t for t in self.db.tickets.values() if t.action_id == action_id]
        return max(rows, key=lambda t: t.id) if rows else None

    async def transition(
        self,
        ticket_id: int,
        *,
        from_statuses: Sequence[TicketStatus],
        to: TicketStatus,
        now: datetime,
        fields: dict[str, Any] | None = None,
    ) -> bool:
        ticket = self.db.tickets.get(ticket_id)
        if ticket is None or ticket.status not in from_statuses:
            return False
        self.db.tickets[ticket_id] = replace(ticket, status=to, **(fields or {}))
        return True

    async def assign(self, ticket_id: int, assignee_id: int, *, only_if_unassigned: bool) -> bool:
        ticket = self.db.tickets.get(ticket_id)
        if ticket is None or (only_if_unassigned and ticket.assignee_id is not None):
            return False
        self.db.tickets[ticket_id] = replace(ticket, assignee_id=assignee_id)
        return True

    async def add_note(
        self, ticket_id: int, author_id: int | None, text: str, now: datetime
    ) -> None:
        ticket = self.db.tickets[ticket_id]  # a foreign key violation in SQL
        note = TicketNote(author_id, text, now)
        self.db.tickets[ticket_id] = replace(ticket, notes=(*ticket.notes, note))

    async def list_open(
        self, *, assignee_id: int | None, unassigned: bool = False, offset: int, limit: int
    ) -> tuple[list[Ticket], int]:
        rows = [
            t
            for t in self.db.tickets.values()
            if t.is_open
            and (
                t.assignee_id is None
                if unassigned
                else assignee_id is None or t.assignee_id == assignee_id
            )
        ]
        rows.sort(key=lambda t: (t.priority.rank, t.created_at, t.id))
        return _page(rows, offset, limit)


class FakeRevisionRepo(_Repo):
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
    ) -> ContractRevision:
        if any(
            r.contract_id == contract_id and r.version == version
            for r in self.db.revisions.values()
        ):
            raise Conflict("errors.conflict")  # unique (contract_id, version)
        return self.db.insert(
            "revisions",
            lambda i: ContractRevision(
                i, contract_id, version, action_id, _json(before), _json(after), staff_id, now
            ),
        )

    async def for_contract(self, contract_id: int, limit: int = 20) -> list[ContractRevision]:
        rows = [r for r in self.db.revisions.values() if r.contract_id == contract_id]
        return sorted(rows, key=lambda r: -r.version)[:limit]


class FakeNotificationRepo(_Repo):
    async def add(
        self, *, chat_id: int, kind: str, payload: dict[str, Any], now: datetime
    ) -> Notification:
        return self.db.insert(
            "notifications",
            lambda i: Notification(
                i, chat_id, kind, _json(payload), NotificationStatus.PENDING, 0, now, now
            ),
        )

    async def due(self, now: datetime, limit: int) -> list[Notification]:
        rows = [
            n
            for n in self.db.notifications.values()
            if n.status is NotificationStatus.PENDING and n.next_attempt_at <= now
        ]
        return sorted(rows, key=lambda n: (n.next_attempt_at, n.id))[:limit]

    def _update(self, notification_id: int, *, attempt: bool = True, **changes: Any) -> None:
        n = self.db.notifications.get(notification_id)
        if n is not None:
            attempts = n.attempts + (1 if attempt else 0)
            self.db.notifications[notification_id] = replace(n, attempts=attempts, **changes)

    async def mark_sent(self, notification_id: int, now: datetime) -> None:
        self._update(notification_id, status=NotificationStatus.SENT, sent_at=now)

    async def mark_retry(
        self, notification_id: int, *, next_attempt_at: datetime, error: str, attempt: bool = True
    ) -> None:
        self._update(
            notification_id,
            attempt=attempt,
            next_attempt_at=next_attempt_at,
            last_error=error[:1000],
        )

    async def mark_failed(self, notification_id: int, *, error: str) -> None:
        n = self.db.notifications.get(notification_id)
        if n is not None and n.status is not NotificationStatus.SKIPPED:
            self._update(notification_id, status=NotificationStatus.FAILED, last_error=error[:1000])

    async def mark_skipped(self, notification_id: int, *, reason: str) -> None:
        n = self.db.notifications.get(notification_id)
        if n is not None and n.status is NotificationStatus.PENDING:
            self.db.notifications[notification_id] = replace(
                n, status=NotificationStatus.SKIPPED, last_error=reason[:1000]
            )

    async def for_chat(self, chat_id: int, kind: str) -> list[Notification]:
        rows = [n for n in self.db.notifications.values() if (n.chat_id, n.kind) == (chat_id, kind)]
        return sorted(rows, key=lambda n: n.id)

    async def claim(self, notification_id: int, *, now: datetime, lease_until: datetime) -> bool:
        n = self.db.notifications.get(notification_id)
        if n is None or n.status is not NotificationStatus.PENDING or n.next_attempt_at > now:
            return False
        self.db.notifications[notification_id] = replace(n, next_attempt_at=lease_until)
        return True

    async def all(self) -> list[Notification]:
        return sorted(self.db.notifications.values(), key=lambda n: n.id)


class FakeClaimRepo(_Repo):
    async def add(self, code_hash: str, now: datetime) -> None:
        if any(c.code_hash == code_hash for c in self.db.claims.values()):
            raise Conflict("errors.conflict")  # unique column
        self.db.insert("claims", lambda i: AdminClaim(i, code_hash, now))

    async def use(self, code_hash: str, telegram_id: int, now: datetime) -> bool:
        claim = next((c for c in self.db.claims.values() if c.code_hash == code_hash), None)
        if claim is None or claim.used_at is not None:
            return False
        self.db.claims[claim.id] = replace(claim, used_at=now, used_by=telegram_id)
        return True

    async def revoke_unused(self) -> None:
        self.db.claims = {i: c for i, c in self.db.claims.items() if c.used_at is not None}


class FakeNetworkRepo(_Repo):
    async def profile(self, plan_id: int) -> NetworkProfile | None:
        return self.db.profiles.get(plan_id)

    async def profiles(self) -> list[NetworkProfile]:
        return [self.db.profiles[k] for k in sorted(self.db.profiles)]

    async def save_profile(self, profile: NetworkProfile) -> None:
        self.db.profiles[profile.plan_id] = profile

    async def access(self, contract_id: int) -> ContractAccess | None:
        return self.db.access.get(contract_id)

    async def access_by_login(self, login: str) -> ContractAccess | None:
        return next((a for a in self.db.access.values() if a.login == login), None)

    async def save_access(self, access: ContractAccess) -> None:
        self.db.access[access.contract_id] = access

    async def memberships(self) -> list[tuple[str, str]]:
        pairs = []
        for access in self.db.access.values():
            contract = self.db.contracts[access.contract_id]
            profile = self.db.profiles.get(contract.plan_id)
            if profile is not None and contract.status is ContractStatus.ACTIVE:
                pairs.append((access.login, profile.group))
        return sorted(pairs)

    async def nas(self, nas_id: int) -> Nas | None:
        return self.db.nas.get(nas_id)

    async def nas_by_address(self, address: str) -> Nas | None:
        return next((n for n in self.db.nas.values() if n.address == address), None)

    async def nas_by_name(self, name: str) -> Nas | None:
        return next((n for n in self.db.nas.values() if n.name == name), None)

    async def nas_list(self) -> list[Nas]:
        return sorted(self.db.nas.values(), key=lambda n: n.name)

    async def save_nas(
        self, name: str, address: str, secret: str, coa_port: int, vendor: str
    ) -> Nas:
        old = await self.nas_by_name(name)
        nas_id = old.id if old else self.db.next_id("nas")
        self.db.nas[nas_id] = Nas(nas_id, name, address, secret, coa_port, vendor)
        return self.db.nas[nas_id]

    async def add_job(self, job: NetworkJob) -> NetworkJob:
        return self.db.insert("network_jobs", lambda i: replace(job, id=i))

    async def job(self, job_id: int) -> NetworkJob | None:
        return self.db.network_jobs.get(job_id)

    async def latest_job(
        self, *, action_id: int | None = None, contract_id: int | None = None
    ) -> NetworkJob | None:
        jobs = [
            j
            for j in self.db.network_jobs.values()
            if (action_id is None or j.action_id == action_id)
            and (contract_id is None or j.contract_id == contract_id)
        ]
        return max(jobs, key=lambda j: j.id, default=None)

    async def due_jobs(self, now: datetime, limit: int) -> list[NetworkJob]:
        jobs = [
            j
            for j in self.db.network_jobs.values()
            if j.status is JobStatus.PENDING and j.next_attempt_at <= now
        ]
        return sorted(jobs, key=lambda j: (j.next_attempt_at, j.id))[:limit]

    async def update_job(self, job: NetworkJob) -> None:
        self.db.network_jobs[job.id] = job


# --------------------------------------------------------------------------------------------
# Unit of work and context


class FakeUnitOfWork:
    """Copy-on-enter, swap-on-commit: uncommitted work never reaches the shared store."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self._work: FakeStore | None = None
        # Annotated with the ports, so mypy checks every fake against its Protocol.
        self.staff: StaffRepo = FakeStaffRepo(self)
        self.catalog: CatalogRepo = FakeCatalogRepo(self)
        self.clients: ClientRepo = FakeClientRepo(self)
        self.contracts: ContractRepo = FakeContractRepo(self)
        self.actions: ActionRepo = FakeActionRepo(self)
        self.acceptances: AcceptanceRepo = FakeAcceptanceRepo(self)
        self.tickets: TicketRepo = FakeTicketRepo(self)
        self.revisions: RevisionRepo = FakeRevisionRepo(self)
        self.notifications: NotificationRepo = FakeNotificationRepo(self)
        self.claims: ClaimRepo = FakeClaimRepo(self)
        self.network: NetworkRepo = FakeNetworkRepo(self)
        self.approvals: ApprovalRepo = FakeApprovalRepo(self)
        self.overview: OverviewRepo = FakeOverviewRepo(self)

    @property
    def work(self) -> FakeStore:
        if self._work is None:
            raise RuntimeError("use the repositories inside `async with uow:`")
        return self._work

    async def __aenter__(self) -> Self:
        if self._work is not None:
            raise RuntimeError("unit of work is not re-entrant; make a new one")
        self._work = self.store.copy()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._work = None  # rollback by default

    async def commit(self) -> None:
        work = self.work
        work.commits = self.store.commits + 1
        self.store.load(work)
        self._work = self.store.copy()  # later changes start a new transaction

    async def rollback(self) -> None:
        self.work  # noqa: B018 - must be inside the block
        self._work = self.store.copy()


class FakeUowFactory:
    """What ``ServiceContext.uow`` is: a callable giving fresh units of work over one store."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store

    def __call__(self) -> UnitOfWork:
        return FakeUnitOfWork(self.store)


def fake_ctx(clock: Callable[[], datetime], store: FakeStore | None = None) -> ServiceContext:
    """A service context over an in-memory store (``ctx.uow.store`` to look inside)."""
    return ServiceContext(
        uow=FakeUowFactory(store if store is not None else FakeStore()),
        clock=clock,
        timezone=ZoneInfo("America/Sao_Paulo"),
    )


def store_of(ctx: ServiceContext) -> FakeStore:
    factory = ctx.uow
    assert isinstance(factory, FakeUowFactory)
    return factory.store


# --------------------------------------------------------------------------------------------
# Seed data


def cpf(base9: str) -> str:
    return base9 + cpf_check_digits(base9)


def cnpj(base12: str) -> str:
    return base12 + cnpj_check_digits(base12)


ADDRESS = Address("Rua das Palmeiras", "120", "Centro", "Campinas", "SP", "13010-100")


@dataclass(frozen=True)
class Seed:
    """Handles on what :func:`seed_fake` created."""

    admin: Staff
    operator: Staff
    operator2: Staff
    technician: Staff
    technician2: Staff
    residential: PlanGroup
    business: PlanGroup
    fibra_300: Plan
    fibra_1g: Plan
    emp_300: Plan
    emp_600: Plan
    internet: Service
    phone: Service
    fixed_ip: Service
    pf_template: ContractTemplate
    pj_template: ContractTemplate
    no_loyalty: LoyaltyTerm
    loyalty_12: LoyaltyTerm
    loyalty_24: LoyaltyTerm
    visit: CatalogItem
    swap: CatalogItem
    support: CatalogItem
    sales: CatalogItem
    pf_client: Client
    pj_client: Client
    pf_contract: Contract
    pj_contract: Contract
    cancelled_contract: Contract


def add_client(store: FakeStore, kind: PersonKind, name: str, document: str, phone: str) -> Client:
    email = fold(name).replace(" ", ".") + "@exemplo.com.br"
    return store.insert("clients", lambda i: Client(i, kind, name, document, phone, email, ADDRESS))


def add_contract(
    store: FakeStore,
    client: Client,
    number: str,
    plan: Plan,
    shares: Iterable[Share],
    template: ContractTemplate,
    *,
    status: ContractStatus = ContractStatus.ACTIVE,
    loyalty: Loyalty | None = None,
) -> Contract:
    shares = tuple(shares)
    value = sum((s.amount for s in shares), Money.zero())
    return store.insert(
        "contracts",
        lambda i: Contract(
            i,
            number,
            client.id,
            status,
            plan.id,
            value,
            shares,
            template.id,
            loyalty or Loyalty.none(),
            10,
            date(2024, 3, 1),
            1,
        ),
    )


def seed_fake(store: FakeStore) -> Seed:
    """A small ISP: 2 plan groups, 4 plans, 3 services, PF/PJ templates, 0/12/24-month loyalty,
    ticket types, departments, 1 admin, 2 operators, 2 technicians, a PF and a PJ client with an
    active contract each, and a cancelled contract (the PF client's old one)."""

    def staff(tg: int, name: str, role: Role) -> Staff:
        return store.insert("staff", lambda i: Staff(i, tg, name, role))

    admin = staff(100, "Sandra Supervisora", Role.ADMIN)
    operator = staff(201, "Patrícia Atendente", Role.OPERATOR)
    operator2 = staff(202, "Bruno Comercial", Role.OPERATOR)
    technician = staff(301, "Marcos Técnico", Role.TECHNICIAN)
    technician2 = staff(302, "Juliana Técnica", Role.TECHNICIAN)

    residential = store.insert("plan_groups", lambda i: PlanGroup(i, "Residencial Fibra"))
    business = store.insert("plan_groups", lambda i: PlanGroup(i, "Empresarial Fibra"))

    def service(code: str, name: str, cents: int) -> Service:
        return store.insert("services", lambda i: Service(i, code, name, Money(cents)))

    internet = service("SCM", "Internet (SCM)", 9990)
    phone = service("STFC", "Telefonia fixa (STFC)", 2990)
    fixed_ip = service("IPFIXO", "IP fixo", 3000)

    def plan(group: PlanGroup, name: str, mbps: int, cents: int, *svc: Service) -> Plan:
        ids = tuple(s.id for s in svc)
        return store.insert(
            "plans", lambda i: Plan(i, group.id, name, mbps, mbps // 2, Money(cents), ids)
        )

    fibra_300 = plan(residential, "Fibra 300 Mega", 300, 9990, internet)
    fibra_1g = plan(residential, "Fibra 1 Giga", 1000, 19990, internet, phone)
    emp_300 = plan(business, "Empresarial 300 Mega", 300, 24990, internet, fixed_ip)
    emp_600 = plan(business, "Empresarial 600 Mega", 600, 39990, internet, fixed_ip, phone)

    pf_template = store.insert(
        "templates",
        lambda i: ContractTemplate(
            i, "PF-RES", "Contrato PF Residencial", PersonKind.PF, "contracts/pf.html.j2"
        ),
    )
    pj_template = store.insert(
        "templates",
        lambda i: ContractTemplate(
            i, "PJ-EMP", "Contrato PJ Empresarial", PersonKind.PJ, "contracts/pj.html.j2"
        ),
    )

    def term(name: str, months: int, cents: int) -> LoyaltyTerm:
        return store.insert("loyalty_terms", lambda i: LoyaltyTerm(i, name, months, Money(cents)))

    no_loyalty = term("Sem fidelidade", 0, 0)
    loyalty_12 = term("Fidelidade 12 meses", 12, 2000)
    loyalty_24 = term("Fidelidade 24 meses", 24, 5000)

    visit = store.insert("ticket_types", lambda i: CatalogItem(i, "Visita técnica"))
    swap = store.insert("ticket_types", lambda i: CatalogItem(i, "Troca de equipamento"))
    support = store.insert("departments", lambda i: CatalogItem(i, "Suporte técnico"))
    sales = store.insert("departments", lambda i: CatalogItem(i, "Comercial"))

    pf_client = add_client(
        store, PersonKind.PF, "João da Silva Araújo", cpf("529982247"), "(19) 99876-5432"
    )
    pj_client = add_client(
        store, PersonKind.PJ, "Padaria Pão de Mel Ltda.", cnpj("112223330001"), "(19) 3232-1010"
    )
    pf_contract = add_contract(
        store,
        pf_client,
        "20001",
        fibra_300,
        [Share(internet.id, internet.name, Money(9990))],
        pf_template,
    )
    pj_contract = add_contract(
        store,
        pj_client,
        "20002",
        emp_300,
        [
            Share(internet.id, internet.name, Money(19990)),
            Share(fixed_ip.id, fixed_ip.name, Money(5000)),
        ],
        pj_template,
    )
    cancelled_contract = add_contract(
        store,
        pf_client,
        "19001",
        fibra_300,
        [Share(internet.id, internet.name, Money(9990))],
        pf_template,
        status=ContractStatus.CANCELLED,
    )
    return Seed(
        admin,
        operator,
        operator2,
        technician,
        technician2,
        residential,
        business,
        fibra_300,
        fibra_1g,
        emp_300,
        emp_600,
        internet,
        phone,
        fixed_ip,
        pf_template,
        pj_template,
        no_loyalty,
        loyalty_12,
        loyalty_24,
        visit,
        swap,
        support,
        sales,
        pf_client,
        pj_client,
        pf_contract,
        pj_contract,
        cancelled_contract,
    )


__all__ = [
    "FakeStore",
    "FakeUnitOfWork",
    "FakeUowFactory",
    "Seed",
    "add_client",
    "add_contract",
    "cnpj",
    "cpf",
    "fake_ctx",
    "fold",
    "seed_fake",
    "store_of",
]
