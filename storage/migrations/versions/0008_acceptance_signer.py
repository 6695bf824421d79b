"""acceptance signer: who answered a company's (PJ) acceptance request

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 22:40:00

A company answers through a person: their name, CPF and role (e.g. "representante legal") are
recorded with the evidence of the request they answered. Empty for PF clients and in-person
acceptances.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("acceptance_requests") as batch:
        batch.add_column(sa.Column("signer_name", sa.String(120), nullable=True))
        batch.add_column(sa.Column("signer_cpf", sa.String(11), nullable=True))
        batch.add_column(sa.Column("signer_role", sa.String(60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("acceptance_requests") as batch:
        batch.drop_column("signer_role")
        batch.drop_column("signer_cpf")
        batch.drop_column("signer_name")
