"""Row → domain object conversions, in one place.

Free text read back (names, addresses, notes, reasons, descriptions, the JSON of changes and
evidence) loses any bidirectional-control character here, so rows stored before input was
cleaned cannot reverse a line of a message, the web page or a PDF (``bot.domain.safe_text``).
"""

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
from bot.domain.safe_text import strip_bidi as _s
from bot.domain.safe_text import strip_bidi_json as _json
from bot.domain.safe_text import strip_bidi_or_none as _o
from bot.domain.signer import Signer
from bot.domain.split import Share
from storage import orm


def staff(row: orm.StaffRow) -> Staff:
    return Staff(row.id, row.telegram_id, _s(row.name), Role(row.role), row.active, row.locale)


def client(row: orm.ClientRow) -> Client:
    address = Address(
        _s(row.street),
        _s(row.number),
        _s(row.district),
        _s(row.city),
        _s(row.state),
        _s(row.zip_code),
        _s(row.complement),
    )
    return Client(
        row.id, PersonKind(row.kind), _s(row.name), row.document, row.phone, _s(row.email), address
    )


def plan(row: orm.PlanRow, service_ids: tuple[int, ...]) -> Plan:
    return Plan(
        row.id,
        row.group_id,
        _s(row.name),
        row.download_mbps,
        row.upload_mbps,
        Money(row.price_cents),
        service_ids,
        row.active,
    )


def plan_group(row: orm.PlanGroupRow) -> PlanGroup:
    return PlanGroup(row.id, _s(row.name))


def service(row: orm.ServiceRow) -> Service:
    return Service(row.id, row.code, _s(row.name), Money(row.list_price_cents), row.active)


def template(row: orm.ContractTemplateRow) -> ContractTemplate:
    return ContractTemplate(
        row.id, row.code, _s(row.name), PersonKind(row.kind), row.file, row.active
    )


def loyalty_term(row: orm.LoyaltyTermRow) -> LoyaltyTerm:
    return LoyaltyTerm(
        row.id, _s(row.name), row.months, Money(row.monthly_benefit_cents), row.active
    )


def catalog_item(row: orm.TicketTypeRow | orm.DepartmentRow) -> CatalogItem:
    return CatalogItem(row.id, _s(row.name))


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
        change=PlanChange.from_json(_json(row.change)),
        created_by=row.created_by,
        created_at=row.created_at,
        finalized_by=row.finalized_by,
        finalized_at=row.finalized_at,
        cancelled_by=row.cancelled_by,
        cancelled_at=row.cancelled_at,
        cancel_reason=_o(row.cancel_reason),
        applied_at=row.applied_at,
        apply_failure=row.apply_failure,
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
        evidence=Evidence.from_json(_json(row.evidence)),
        reminded_at=row.reminded_at,
        signer=(
            Signer(row.signer_name or "", row.signer_cpf, row.signer_role or "")
            if row.signer_cpf
            else None
        ),
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
        description=_s(row.description),
        status=TicketStatus(row.status),
        created_at=row.created_at,
        resolution=_o(row.resolution),
        started_at=row.started_at,
        closed_at=row.closed_at,
        cancelled_at=row.cancelled_at,
        cancel_reason=_o(row.cancel_reason),
        notes=notes,
    )


def revision(row: orm.ContractRevisionRow) -> ContractRevision:
    return ContractRevision(
        row.id,
        row.contract_id,
        row.version,
        row.action_id,
        _json(row.before),
        _json(row.after),
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
