"""What every SQL repository shares: the session holder, accent folding for search, and the
reference-version bump that tells every process to reload its staff and catalog."""

from __future__ import annotations

import unicodedata

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import orm


def fold(text: str) -> str:
    """Lower-case without accents, so "joao" finds "João" on SQLite and PostgreSQL alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


class _Repo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session


async def bump_reference_version(session: AsyncSession) -> None:
    """Tell every process that its in-memory staff and catalog are stale (same transaction)."""
    await session.execute(
        update(orm.ReferenceVersionRow)
        .where(orm.ReferenceVersionRow.id == 1)
        .values(version=orm.ReferenceVersionRow.version + 1)
    )
