"""Row → domain object conversions, in one place."""

from __future__ import annotations

from bot.domain.documents import PersonKind
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
from bot.domain.split import Share
from storage import orm


def staff(row: orm.StaffRow) -> Staff:
    return Staff(row.id, row.telegram_id, row.name, Role(row.role), row.active, row.locale)


def client(row: orm.ClientRow) -> Client:
    address = Address(
        row.street, row.number, row.district, row.city, row.state, row.zip_code, row.complement
    )
    return Client(
        row.id, PersonKind(row.kind), row.name, row.document, row.phone, row.email, address
    )


def plan(row: orm.PlanRow, service_ids: tuple[int, ...]) -> Plan:
    return Plan(
        row.id,
        row.group_id,
        row.name,
        row.download_mbps,
        row.upload_mbps,
        Money(row.price_cents),
        service_ids,
        row.active,
    )


def plan_group(row: orm.PlanGroupRow) -> PlanGroup:
    return PlanGroup(row.id, row.name)


def service(row: orm.ServiceRow) -> Service:
    return Service(row.id, row.code, row.name, Money(row.list_price_cents), row.active)


def template(row: orm.ContractTemplateRow) -> ContractTemplate:
    return ContractTemplate(row.id, row.code, row.name, PersonKind(row.kind), row.file, row.active)


def loyalty_term(row: orm.LoyaltyTermRow) -> LoyaltyTerm:
    return LoyaltyTerm(row.id, row.name, row.months, Money(row.monthly_benefit_cents), row.active)


def catalog_item(row: orm.TicketTypeRow | orm.DepartmentRow) -> CatalogItem:
    return CatalogItem(row.id, row.name)


def contract(row: orm.ContractRow, shares: tuple[Share, ...]) -> Contract:
    loyalty = Loyalty(
        row.loyalty_term_id,
        row.loyalty_months,
        Money(row.loyalty_benefit_cents),
        row.loyalty_start,
        row.loyalty_end,
    )
    return Contract(
        row.id,
        row.number,
        row.client_id,
        ContractStatus(row.status),
        row.plan_id,
        Money(row.value_cents),
        shares,
        row.template_id,
        loyalty,
        row.due_day,
        row.start_date,
        row.version,
    )


def action(row: orm.ContractActionRow) -> ContractAction:
    return ContractAction(
        id=row.id,
        contract_id=row.contract_id,
        kind=row.kind,
        status=ActionStatus(row.status),
        base_version=row.base_version,
        change=PlanChange.from_json(row.change),
        created_by=row.created_by,
        created_at=row.created_at,
        finalized_by=row.finalized_by,
        finalized_at=row.finalized_at,
        cancelled_by=row.cancelled_by,
        cancelled_at=row.cancelled_at,
        cancel_reason=row.cancel_reason,
    )


def acceptance(row: orm.AcceptanceRequestRow) -> AcceptanceRequest:
    return AcceptanceRequest(
        id=row.id,
        action_id=row.action_id,
        channel=AcceptanceChannel(row.channel),
        status=AcceptanceStatus(row.status),
        expires_at=row.expires_at,
        created_at=row.created_at,
        document_sha256=row.document_sha256,
        decided_at=row.decided_at,
        evidence=Evidence.from_json(row.evidence),
        reminded_at=row.reminded_at,
    )


def ticket(row: orm.TicketRow, notes: tuple[TicketNote, ...] = ()) -> Ticket:
    return Ticket(
        id=row.id,
        client_id=row.client_id,
        contract_id=row.contract_id,
        action_id=row.action_id,
        type_id=row.type_id,
        department_id=row.department_id,
        assignee_id=row.assignee_id,
        priority=Priority(row.priority),
        description=row.description,
        status=TicketStatus(row.status),
        created_at=row.created_at,
        resolution=row.resolution,
        started_at=row.started_at,
        closed_at=row.closed_at,
        cancelled_at=row.cancelled_at,
        cancel_reason=row.cancel_reason,
        notes=notes,
    )


def revision(row: orm.ContractRevisionRow) -> ContractRevision:
    return ContractRevision(
        row.id,
        row.contract_id,
        row.version,
        row.action_id,
        row.before,
        row.after,
        row.staff_id,
        row.created_at,
        row.author,
    )


def notification(row: orm.NotificationRow) -> Notification:
    return Notification(
        row.id,
        row.chat_id,
        row.kind,
        row.payload,
        NotificationStatus(row.status),
        row.attempts,
        row.next_attempt_at,
        row.created_at,
        row.sent_at,
        row.last_error,
    )
