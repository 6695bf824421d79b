"""accepted documents: the exact PDF a client answered, kept for them to download; identity
check failures per acceptance request

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 21:15:00

After answering, the client keeps the very bytes they accepted (or declined), whose SHA-256 is
recorded with the decision, until ``keep_until`` (the provider's retention period). Wrong
CPF/CNPJ typed before answering are counted on the request; the last allowed one locks it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accepted_documents",
        sa.Column(
            "request_id",
            sa.Integer,
            sa.ForeignKey("acceptance_requests.id"),
            primary_key=True,
        ),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("keep_until", storage.types.UTCDateTime(), nullable=False),
    )
    op.add_column(
        "acceptance_requests",
        sa.Column("identity_failures", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("acceptance_requests") as batch:
        batch.drop_column("identity_failures")
    op.drop_table("accepted_documents")
