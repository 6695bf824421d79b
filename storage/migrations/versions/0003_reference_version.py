"""reference version: one counter bumped by every change to staff or catalog

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 20:45:00

Processes keep the catalog and the staff list in memory (every wizard tap and every update's
staff gate read them); a cheap read of this counter tells them when their copy is stale.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "reference_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": 1}])


def downgrade() -> None:
    op.drop_table("reference_version")
