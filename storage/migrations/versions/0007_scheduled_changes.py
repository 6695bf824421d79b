"""scheduled plan changes: when the change was applied, why a scheduled one was not; one open
action per contract covers pending and scheduled

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 21:10:00

A plan change with a future effective date is finalized into the ``scheduled`` status and
applied at 00:00 of that date by the active instance. While it waits, no other action may
start on the contract: the partial unique index that allowed one pending action per contract
now covers both statuses.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_INDEX, OLD_WHERE = "uq_contract_actions_one_pending", "status = 'pending'"
NEW_INDEX, NEW_WHERE = "uq_contract_actions_one_open", "status IN ('pending', 'scheduled')"


def _swap_index(drop: tuple[str, str], create: tuple[str, str]) -> None:
    with op.batch_alter_table("contract_actions") as batch:
        batch.drop_index(drop[0], sqlite_where=sa.text(drop[1]), postgresql_where=sa.text(drop[1]))
        batch.create_index(
            create[0],
            ["contract_id"],
            unique=True,
            sqlite_where=sa.text(create[1]),
            postgresql_where=sa.text(create[1]),
        )


def upgrade() -> None:
    with op.batch_alter_table("contract_actions") as batch:
        batch.add_column(sa.Column("applied_at", storage.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("apply_failure", sa.String(80), nullable=True))
    _swap_index((OLD_INDEX, OLD_WHERE), (NEW_INDEX, NEW_WHERE))


def downgrade() -> None:
    _swap_index((NEW_INDEX, NEW_WHERE), (OLD_INDEX, OLD_WHERE))
    with op.batch_alter_table("contract_actions") as batch:
        batch.drop_column("apply_failure")
        batch.drop_column("applied_at")
