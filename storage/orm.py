"""ORM tables. Only repositories touch these classes; services see domain objects."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class StaffRow(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(10), default="pt_BR")
    created_at: Mapped[datetime]


class PlanGroupRow(Base):
    __tablename__ = "plan_groups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class ServiceRow(Base):
    __tablename__ = "services"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    list_price_cents: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    external_id: Mapped[str | None] = mapped_column(String(60), index=True, unique=True)


class PlanRow(Base):
    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("plan_groups.id"))
    name: Mapped[str] = mapped_column(String(80), unique=True)
    download_mbps: Mapped[int] = mapped_column(Integer)
    upload_mbps: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    external_id: Mapped[str | None] = mapped_column(String(60), index=True, unique=True)


class PlanServiceRow(Base):
    __tablename__ = "plan_services"
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ContractTemplateRow(Base):
    __tablename__ = "contract_templates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(2))
    file: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LoyaltyTermRow(Base):
    __tablename__ = "loyalty_terms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    months: Mapped[int] = mapped_column(Integer)
    monthly_benefit_cents: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TicketTypeRow(Base):
    __tablename__ = "ticket_types"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class DepartmentRow(Base):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class ClientRow(Base):
    __tablename__ = "clients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(160))
    name_search: Mapped[str] = mapped_column(String(160), index=True)
    document: Mapped[str] = mapped_column(String(14), unique=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    phone_digits: Mapped[str] = mapped_column(String(20), default="", index=True)
    email: Mapped[str] = mapped_column(String(160), default="")
    street: Mapped[str] = mapped_column(String(160), default="")
    number: Mapped[str] = mapped_column(String(20), default="")
    complement: Mapped[str] = mapped_column(String(80), default="")
    district: Mapped[str] = mapped_column(String(80), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    zip_code: Mapped[str] = mapped_column(String(9), default="")
    external_id: Mapped[str | None] = mapped_column(String(60), index=True, unique=True)


class ContractRow(Base):
    __tablename__ = "contracts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    value_cents: Mapped[int] = mapped_column(BigInteger)
    template_id: Mapped[int] = mapped_column(ForeignKey("contract_templates.id"))
    loyalty_term_id: Mapped[int | None] = mapped_column(ForeignKey("loyalty_terms.id"))
    loyalty_months: Mapped[int] = mapped_column(Integer, default=0)
    loyalty_benefit_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    loyalty_start: Mapped[date | None] = mapped_column(Date)
    loyalty_end: Mapped[date | None] = mapped_column(Date)
    due_day: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    external_id: Mapped[str | None] = mapped_column(String(60), index=True, unique=True)


class ContractServiceRow(Base):
    __tablename__ = "contract_services"
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True
    )
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    share_cents: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer, default=0)


ONE_OPEN_WHERE = "status IN ('pending', 'scheduled')"


class ContractActionRow(Base):
    __tablename__ = "contract_actions"
    __table_args__ = (
        # At most one open (pending or scheduled) action per contract, enforced by the
        # database itself.
        Index(
            "uq_contract_actions_one_open",
            "contract_id",
            unique=True,
            sqlite_where=text(ONE_OPEN_WHERE),
            postgresql_where=text(ONE_OPEN_WHERE),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), index=True)
    base_version: Mapped[int] = mapped_column(Integer)
    change: Mapped[dict[str, Any]]
    created_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime]
    finalized_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    finalized_at: Mapped[datetime | None]
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    applied_at: Mapped[datetime | None]
    apply_failure: Mapped[str | None] = mapped_column(String(80))


class AcceptanceRequestRow(Base):
    __tablename__ = "acceptance_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("contract_actions.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reminded_at: Mapped[datetime | None]
    identity_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    signer_name: Mapped[str | None] = mapped_column(String(120))
    signer_cpf: Mapped[str | None] = mapped_column(String(11))
    signer_role: Mapped[str | None] = mapped_column(String(60))


class AcceptedDocumentRow(Base):
    """The exact PDF bytes a client answered, kept for them until ``keep_until``."""

    __tablename__ = "accepted_documents"
    request_id: Mapped[int] = mapped_column(ForeignKey("acceptance_requests.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    keep_until: Mapped[datetime]


class TicketRow(Base):
    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("contract_actions.id"), index=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    priority: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    resolution: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)


class TicketNoteRow(Base):
    __tablename__ = "ticket_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class ContractRevisionRow(Base):
    __tablename__ = "contract_revisions"
    __table_args__ = (
        UniqueConstraint("contract_id", "version", name="uq_contract_revisions_version"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("contract_actions.id"))
    before: Mapped[dict[str, Any]]
    after: Mapped[dict[str, Any]]
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # Who made a change that no staff member made ("importação"); NULL for staff changes.
    author: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]


class NotificationRow(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class BotStateRow(Base):
    """python-telegram-bot persistence (conversation states, per-user wizard drafts) as JSON."""

    __tablename__ = "bot_state"
    namespace: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class ReferenceVersionRow(Base):
    """One row: bumped whenever staff or catalog change, so in-memory copies know they are stale."""

    __tablename__ = "reference_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class AdminClaimRow(Base):
    """One-time codes that make the first user to open the link an admin."""

    __tablename__ = "admin_claims"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(BigInteger)


class PlanNetworkProfileRow(Base):
    """A plan's RADIUS group and its reply attributes (``[[name, op, value], …]``)."""

    __tablename__ = "plan_network_profiles"
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    radius_group: Mapped[str] = mapped_column(String(64), unique=True)
    attributes: Mapped[list[Any]] = mapped_column(JSON)


class NasRow(Base):
    """An access concentrator the bot may send CoA/Disconnect requests to."""

    __tablename__ = "nas_devices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(45), unique=True)
    secret: Mapped[str] = mapped_column(String(128))
    coa_port: Mapped[int] = mapped_column(Integer, default=3799)
    vendor: Mapped[str] = mapped_column(String(30), default="other")


class ContractAccessRow(Base):
    """A contract's access login (PPPoE/hotspot user name) and, where known, its NAS."""

    __tablename__ = "contract_access"
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True
    )
    login: Mapped[str] = mapped_column(String(64), unique=True)
    nas_id: Mapped[int | None] = mapped_column(ForeignKey("nas_devices.id"))


class NetworkJobRow(Base):
    """A change that must reach the network; written in the finalize transaction."""

    __tablename__ = "network_jobs"
    __table_args__ = (Index("ix_network_jobs_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("contract_actions.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    login: Mapped[str] = mapped_column(String(64), default="")
    radius_group: Mapped[str] = mapped_column(String(64), default="")
    attributes: Mapped[list[Any]] = mapped_column(JSON)
    nas_id: Mapped[int | None] = mapped_column(ForeignKey("nas_devices.id"))
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    applied_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))


class ActionApprovalRow(Base):
    """A discount's approval request and its one decision (``bot.domain.approval``); the
    decision columns are written once, by a conditional UPDATE … WHERE decision IS NULL."""

    __tablename__ = "action_approvals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("contract_actions.id"), unique=True)
    list_price_cents: Mapped[int] = mapped_column(BigInteger)
    value_cents: Mapped[int] = mapped_column(BigInteger)
    requested_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    requested_at: Mapped[datetime]
    decision: Mapped[str | None] = mapped_column(String(10))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
