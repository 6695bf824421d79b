"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 22:48:56.375720
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("name_search", sa.String(length=160), nullable=False),
        sa.Column("document", sa.String(length=14), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("phone_digits", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=160), nullable=False),
        sa.Column("street", sa.String(length=160), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("complement", sa.String(length=80), nullable=False),
        sa.Column("district", sa.String(length=80), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("zip_code", sa.String(length=9), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("document", name=op.f("uq_clients_document")),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clients_name_search"), ["name_search"], unique=False)
        batch_op.create_index(batch_op.f("ix_clients_phone_digits"), ["phone_digits"], unique=False)

    op.create_table(
        "contract_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("file", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_templates")),
        sa.UniqueConstraint("code", name=op.f("uq_contract_templates_code")),
    )
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("name", name=op.f("uq_departments_name")),
    )
    op.create_table(
        "loyalty_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("monthly_benefit_cents", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_terms")),
        sa.UniqueConstraint("name", name=op.f("uq_loyalty_terms_name")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "plan_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_plan_groups_name")),
    )
    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("list_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
        sa.UniqueConstraint("code", name=op.f("uq_services_code")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("telegram_id", name=op.f("uq_staff_telegram_id")),
    )
    op.create_table(
        "ticket_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_types")),
        sa.UniqueConstraint("name", name=op.f("uq_ticket_types_name")),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("download_mbps", sa.Integer(), nullable=False),
        sa.Column("upload_mbps", sa.Integer(), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["plan_groups.id"], name=op.f("fk_plans_group_id_plan_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("name", name=op.f("uq_plans_name")),
    )
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("value_cents", sa.BigInteger(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("loyalty_term_id", sa.Integer(), nullable=True),
        sa.Column("loyalty_months", sa.Integer(), nullable=False),
        sa.Column("loyalty_benefit_cents", sa.BigInteger(), nullable=False),
        sa.Column("loyalty_start", sa.Date(), nullable=True),
        sa.Column("loyalty_end", sa.Date(), nullable=True),
        sa.Column("due_day", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_contracts_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["loyalty_term_id"],
            ["loyalty_terms.id"],
            name=op.f("fk_contracts_loyalty_term_id_loyalty_terms"),
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_contracts_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["contract_templates.id"],
            name=op.f("fk_contracts_template_id_contract_templates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("number", name=op.f("uq_contracts_number")),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contracts_client_id"), ["client_id"], unique=False)

    op.create_table(
        "plan_services",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_plan_services_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_plan_services_service_id_services")
        ),
        sa.PrimaryKeyConstraint("plan_id", "service_id", name=op.f("pk_plan_services")),
    )
    op.create_table(
        "contract_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("finalized_by", sa.Integer(), nullable=True),
        sa.Column("finalized_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("cancelled_by", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cancelled_by"], ["staff.id"], name=op.f("fk_contract_actions_cancelled_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_actions_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff.id"], name=op.f("fk_contract_actions_created_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["finalized_by"], ["staff.id"], name=op.f("fk_contract_actions_finalized_by_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_actions")),
    )
    with op.batch_alter_table("contract_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_actions_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contract_actions_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_contract_actions_one_pending",
            ["contract_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "contract_services",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("share_cents", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_services_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_contract_services_service_id_services")
        ),
        sa.PrimaryKeyConstraint("contract_id", "service_id", name=op.f("pk_contract_services")),
    )
    op.create_table(
        "acceptance_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("expires_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("reminded_at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["contract_actions.id"],
            name=op.f("fk_acceptance_requests_action_id_contract_actions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acceptance_requests")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_acceptance_requests_token_hash")),
    )
    with op.batch_alter_table("acceptance_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_acceptance_requests_action_id"), ["action_id"], unique=False
        )

    op.create_table(
        "contract_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["contract_actions.id"],
            name=op.f("fk_contract_revisions_action_id_contract_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_revisions_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_contract_revisions_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_revisions")),
        sa.UniqueConstraint("contract_id", "version", name="uq_contract_revisions_version"),
    )
    with op.batch_alter_table("contract_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_revisions_contract_id"), ["contract_id"], unique=False
        )

    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("closed_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["contract_actions.id"],
            name=op.f("fk_tickets_action_id_contract_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["staff.id"], name=op.f("fk_tickets_assignee_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_tickets_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_tickets_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_tickets_department_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["type_id"], ["ticket_types.id"], name=op.f("fk_tickets_type_id_ticket_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tickets_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_status"), ["status"], unique=False)

    op.create_table(
        "ticket_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff.id"], name=op.f("fk_ticket_notes_author_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_notes_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_notes")),
    )
    with op.batch_alter_table("ticket_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_notes_ticket_id"), ["ticket_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_notes_ticket_id"))

    op.drop_table("ticket_notes")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_status"))
        batch_op.drop_index(batch_op.f("ix_tickets_contract_id"))
        batch_op.drop_index(batch_op.f("ix_tickets_assignee_id"))
        batch_op.drop_index(batch_op.f("ix_tickets_action_id"))

    op.drop_table("tickets")
    with op.batch_alter_table("contract_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_revisions_contract_id"))

    op.drop_table("contract_revisions")
    with op.batch_alter_table("acceptance_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acceptance_requests_action_id"))

    op.drop_table("acceptance_requests")
    op.drop_table("contract_services")
    with op.batch_alter_table("contract_actions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_contract_actions_one_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_contract_actions_status"))
        batch_op.drop_index(batch_op.f("ix_contract_actions_contract_id"))

    op.drop_table("contract_actions")
    op.drop_table("plan_services")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contracts_client_id"))

    op.drop_table("contracts")
    op.drop_table("plans")
    op.drop_table("ticket_types")
    op.drop_table("staff")
    op.drop_table("services")
    op.drop_table("plan_groups")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_due")

    op.drop_table("notifications")
    op.drop_table("loyalty_terms")
    op.drop_table("departments")
    op.drop_table("contract_templates")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_phone_digits"))
        batch_op.drop_index(batch_op.f("ix_clients_name_search"))

    op.drop_table("clients")
