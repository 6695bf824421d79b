"""Active/standby: of several ``contractbot run`` processes on one database, one is active.

Why: providers restart for upgrades and run a second machine for safety, but two bots on one
token fight over ``getUpdates`` (Telegram answers 409) and would both send the outbox and run
the scheduled jobs. So the instance that holds the lock is active: it talks to Telegram, sends
notifications and runs every scheduled job. The others are standby: they serve ``/health``
(saying so) and the acceptance web page, which only touches the database, and try the lock
again every few seconds, so a standby takes over within seconds of the active one dying.

The lock dies with its holder, kill -9 included:

* PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a dedicated connection held
  for the process' life. The server drops it when the connection closes; the connection asks
  the server for TCP keepalives every few seconds, so a machine that vanished without closing
  its socket loses the lock within ~15 s too.
* SQLite: ``fcntl.flock`` on a file next to the database; the kernel releases it when the
  process ends. (An in-memory database has no second process: always active.)

Before any of this, :func:`check_storage` makes sure the data folder, the SQLite database and
its lock file can be written, so a permission problem stops ``contractbot run`` with one line
saying which path and what to do (:class:`StartupProblem`) instead of a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

from storage.db import create_engine, normalize_url

log = logging.getLogger(__name__)

# One advisory lock key for "the active contractbot" (advisory locks are per database).
LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"contractbot active instance").digest()[:8], "big", signed=True
)
RETRY_SECONDS = 2.0  # how often a standby tries the lock; well inside the 15 s take-over
CHECK_SECONDS = 5.0  # how often the active one makes sure its lock connection is alive


class InstanceLock(Protocol):
    async def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True when this process holds it now."""
        ...

    async def held(self) -> bool:
        """False when the lock was lost (PostgreSQL: the connection dropped)."""
        ...

    async def release(self) -> None: ...


class PostgresLock:
    """A session advisory lock on a connection of its own (not from the application's pool)."""

    def __init__(self, url: str, key: int = LOCK_KEY) -> None:
        self._engine: AsyncEngine = create_engine(url, poolclass=NullPool)
        self._key = key
        self._conn: AsyncConnection | None = None
        self._holding = False

    async def try_acquire(self) -> bool:
        try:
            conn = await self._connection()
            got = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key}))
            await conn.commit()  # the lock is session-level; end the read transaction
        except Exception as exc:  # the database is down: stay standby, try again later
            log.warning("active-instance lock: %s", exc)
            await self._drop()
            return False
        self._holding = got
        return got

    async def held(self) -> bool:
        if not self._holding or self._conn is None:
            return False
        try:
            await self._conn.execute(text("SELECT 1"))
            await self._conn.commit()
        except Exception as exc:
            log.error("active-instance lock connection failed: %s", exc)
            await self._drop()
            return False
        return True

    async def release(self) -> None:
        if self._conn is not None and self._holding:
            with contextlib.suppress(Exception):
                await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
                await self._conn.commit()
        await self._drop()
        await self._engine.dispose()

    async def _connection(self) -> AsyncConnection:
        if self._conn is None:
            conn = await self._engine.connect()
            # The server notices a vanished client (power loss, cable) in ~11 s, not 2 hours.
            for setting in (
                "SET tcp_keepalives_idle = 5",
                "SET tcp_keepalives_interval = 2",
                "SET tcp_keepalives_count = 3",
            ):
                await conn.execute(text(setting))
            await conn.commit()
            self._conn = conn
        return self._conn

    async def _drop(self) -> None:
        self._holding = False
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()


class StartupProblem(Exception):
    """A file or folder this instance needs cannot be used: which one, why, and a catalog key
    (``startup.<key>``) for the line that tells the installer what to do. A raw
    PermissionError traceback names neither the setting nor the fix."""

    def __init__(self, key: str, path: Path, error: OSError) -> None:
        super().__init__(f"{key}: {path}: {error.strerror or error}")
        self.key = key
        self.path = path
        self.error = error


# The operating system's reasons a person can act on (a catalog key each: startup.reason_*).
REASONS = {
    errno.EACCES: "denied",
    errno.EPERM: "denied",
    errno.EROFS: "read_only",
    errno.ENOTDIR: "not_dir",
    errno.EEXIST: "not_dir",  # mkdir where a file of that name is
    errno.EISDIR: "is_dir",
    errno.ENOSPC: "no_space",
}


def open_lock_file(path: Path) -> int:
    """The lock file's descriptor (created if absent); :class:`StartupProblem` when it cannot
    be opened, typically because another user (root, an older install) created it."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StartupProblem("lock", path, exc) from exc


class FileLock:
    """``flock`` on ``<database>.active.lock``: one holder per machine's kernel, gone with it."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    async def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = open_lock_file(self._path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def held(self) -> bool:
        return self._fd is not None

    async def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class NoLock:
    """An in-memory SQLite database belongs to one process: it is always the active one."""

    async def try_acquire(self) -> bool:
        return True

    async def held(self) -> bool:
        return True

    async def release(self) -> None:
        return None


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL and in-memory databases."""
    url = make_url(normalize_url(database_url))
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database)


def lock_file(database: Path) -> Path:
    """Where the SQLite instance lock lives: beside the database, so both move together."""
    return Path(f"{database}.active.lock")


def instance_lock(database_url: str) -> InstanceLock:
    """The lock that fits the database: advisory lock on PostgreSQL, a file lock on SQLite."""
    if make_url(normalize_url(database_url)).get_backend_name() == "postgresql":
        return PostgresLock(normalize_url(database_url))
    database = sqlite_file(database_url)
    return NoLock() if database is None else FileLock(lock_file(database))


def _writable_dir(path: Path, key: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupProblem(key, path, exc) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise StartupProblem(key, path, PermissionError(errno.EACCES, os.strerror(errno.EACCES)))


def check_storage(database_url: str, data_dir: Path) -> None:
    """Before ``contractbot run`` starts anything: the data directory can be made and written,
    and so can the database (:func:`check_database`) and its lock file. Raises
    :class:`StartupProblem` for the first that cannot."""
    _writable_dir(data_dir, "data_dir")
    check_database(database_url, lock=True)


def check_database(database_url: str, *, lock: bool) -> None:
    """A SQLite database and the folder it lives in (SQLite writes ``-wal`` and ``-shm`` files
    beside it) can be written; with ``lock``, its lock file can be opened too. The other
    commands check without the lock: one run as root would leave a lock file the bot's own
    user could not open."""
    database = sqlite_file(database_url)
    if database is None:
        return
    _writable_dir(database.parent, "database")
    if database.exists():
        try:
            os.close(os.open(database, os.O_RDWR))
        except OSError as exc:
            raise StartupProblem("database", database, exc) from exc
    if lock:
        os.close(open_lock_file(lock_file(database)))


async def wait_for_turn(
    lock: InstanceLock,
    stop: asyncio.Event,
    on_standby: Callable[[], None],
    retry: float = RETRY_SECONDS,
) -> bool:
    """Take the lock, waiting as standby while another instance holds it. False when ``stop``
    was set first. ``on_standby`` runs once, when the first try fails."""
    told = False
    while not stop.is_set():
        if await lock.try_acquire():
            return True
        if not told:
            on_standby()
            told = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=retry)
    return False


async def watch(lock: InstanceLock, lost: Callable[[], Awaitable[None]], every: float) -> None:
    """While active: check the lock every ``every`` seconds; call ``lost`` once if it is gone."""
    while True:
        await asyncio.sleep(every)
        if not await lock.held():
            await lost()
            return


class Standing:
    """Whether this process is the active instance; read by ``/health`` and the webhook."""

    def __init__(self) -> None:
        self.active = False

    @property
    def role(self) -> str:
        return "active" if self.active else "standby"


def report_role(standing: Standing) -> Callable[..., Awaitable[web.StreamResponse]]:
    """An aiohttp middleware that adds ``"role": "active" | "standby"`` to ``/health``'s JSON,
    so a load balancer or a monitor can tell the two instances apart."""

    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        response = await handler(request)
        if request.path != "/health" or not isinstance(response, web.Response):
            return response
        if response.content_type != "application/json" or response.body is None:
            return response
        body = json.loads(bytes(response.body))  # type: ignore[arg-type]
        body["role"] = standing.role
        return web.json_response(body, status=response.status)

    return middleware
