"""``contractbot db backup``: a consistent copy of a live SQLite database.

Copying the file with ``cp`` while the bot writes can catch half a transaction (and misses
what still sits in the ``-wal`` file). SQLite's online backup API copies the database as one
read transaction sees it, so the copy is always a state some commit left behind, while the
bot keeps writing. PostgreSQL has its own tool for this, ``pg_dump``.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.db import SQLITE_BUSY_TIMEOUT_MS, is_sqlite, normalize_url


class BackupNotSupported(Exception):
    """The database is not SQLite: the CLI points at ``pg_dump`` instead."""


class BackupFailed(Exception):
    """The copy did not pass SQLite's integrity check (it is removed)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int


def sqlite_path(database_url: str) -> Path:
    """The database file of a SQLite URL; :class:`BackupNotSupported` for anything else."""
    url = normalize_url(database_url)
    if not is_sqlite(url):
        raise BackupNotSupported(make_url(url).get_backend_name())
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupNotSupported("sqlite-memory")
    return Path(path)


def backup_sqlite(source: Path, target: Path) -> BackupResult:
    """Copy ``source`` into ``target`` through the backup API, check the copy's integrity and
    only then move it into place (a failed backup never leaves a half-written file)."""
    if not source.exists():
        raise FileNotFoundError(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # one step: a single read snapshot of the whole database
            dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside
            ok = dst.execute("PRAGMA integrity_check").fetchone()
        finally:
            dst.close()
    finally:
        src.close()
    if not ok or ok[0] != "ok":
        partial.unlink(missing_ok=True)
        raise BackupFailed(str(ok[0] if ok else "?"))
    os.replace(partial, target)
    return BackupResult(target, target.stat().st_size)
