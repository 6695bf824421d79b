"""network: plan RADIUS profiles, contract access logins, NAS list, provisioning jobs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 21:10:00

A finalized plan change must reach the client's connection: the plan's RADIUS group and reply
attributes, the contract's login and NAS, and a durable job per change (written in the
finalize transaction) that moves the login to the new group and sends the CoA.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_network_profiles",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("radius_group", sa.String(64), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            ondelete="CASCADE",
            name="fk_plan_network_profiles_plan_id_plans",
        ),
        sa.PrimaryKeyConstraint("plan_id", name="pk_plan_network_profiles"),
        sa.UniqueConstraint("radius_group", name="uq_plan_network_profiles_radius_group"),
    )
    op.create_table(
        "nas_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("address", sa.String(45), nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("coa_port", sa.Integer(), nullable=False),
        sa.Column("vendor", sa.String(30), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_nas_devices"),
        sa.UniqueConstraint("name", name="uq_nas_devices_name"),
        sa.UniqueConstraint("address", name="uq_nas_devices_address"),
    )
    op.create_table(
        "contract_access",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("nas_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            ondelete="CASCADE",
            name="fk_contract_access_contract_id_contracts",
        ),
        sa.ForeignKeyConstraint(
            ["nas_id"], ["nas_devices.id"], name="fk_contract_access_nas_id_nas_devices"
        ),
        sa.PrimaryKeyConstraint("contract_id", name="pk_contract_access"),
        sa.UniqueConstraint("login", name="uq_contract_access_login"),
    )
    op.create_table(
        "network_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("radius_group", sa.String(64), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("nas_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.String(20), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["contract_actions.id"],
            name="fk_network_jobs_action_id_contract_actions",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name="fk_network_jobs_contract_id_contracts"
        ),
        sa.ForeignKeyConstraint(
            ["nas_id"], ["nas_devices.id"], name="fk_network_jobs_nas_id_nas_devices"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_network_jobs"),
    )
    op.create_index("ix_network_jobs_action_id", "network_jobs", ["action_id"])
    op.create_index("ix_network_jobs_contract_id", "network_jobs", ["contract_id"])
    op.create_index("ix_network_jobs_due", "network_jobs", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("network_jobs")
    op.drop_table("contract_access")
    op.drop_table("nas_devices")
    op.drop_table("plan_network_profiles")
