"""action approvals: a supervisor's yes or no on a discount beyond DISCOUNT_APPROVAL_PERCENT

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 23:00:00

An action whose value is further below the plan's list price than the provider allows carries
one approval request (unique per action). Its decision columns start empty and are written once
by a conditional UPDATE … WHERE decision IS NULL, so two admins deciding at once end with one
decision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("list_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("value_cents", sa.BigInteger(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("decision", sa.String(10), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["contract_actions.id"],
            name="fk_action_approvals_action_id_contract_actions",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["staff.id"], name="fk_action_approvals_requested_by_staff"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["staff.id"], name="fk_action_approvals_decided_by_staff"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_action_approvals"),
        sa.UniqueConstraint("action_id", name="uq_action_approvals_action_id"),
    )


def downgrade() -> None:
    op.drop_table("action_approvals")
