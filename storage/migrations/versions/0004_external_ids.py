"""external ids: the provider's own ids on imported rows; revision author for imports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 21:00:00

``contractbot import`` upserts by the id the provider's ERP gives each service, plan, client and
contract, so a second import of the same file finds the same rows. A revision made by an import
has no staff member behind it; ``author`` says "importação" instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("services", "plans", "clients", "contracts")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("external_id", sa.String(60), nullable=True))
        op.create_index(f"ix_{table}_external_id", table, ["external_id"], unique=True)
    op.add_column("contract_revisions", sa.Column("author", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contract_revisions") as batch:
        batch.drop_column("author")
    for table in TABLES:
        op.drop_index(f"ix_{table}_external_id", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("external_id")
