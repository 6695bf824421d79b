"""``contractbot db backup``: a copy of a database being written to is a consistent state that
restores; PostgreSQL gets a pointer to pg_dump."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from bot.__main__ import main


def _writer(db: Path, stop: threading.Event, written: list[int]) -> None:
    """Each transaction inserts two rows and bumps a counter: any committed state has
    ``rows == 2 * counter``; half a transaction would break it."""
    with closing(sqlite3.connect(db, timeout=30, isolation_level=None)) as con:
        con.execute("PRAGMA journal_mode=WAL")
        n = 0
        while not stop.is_set() or n < 50:
            n += 1
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO ledger(side, n) VALUES ('debit', ?)", (n,))
            con.execute("INSERT INTO ledger(side, n) VALUES ('credit', ?)", (n,))
            con.execute("UPDATE ledger_count SET n = n + 1")
            con.execute("COMMIT")
            written.append(n)


def _state(db: Path) -> tuple[int, int, str]:
    with closing(sqlite3.connect(db)) as con:
        rows = con.execute("SELECT COUNT(*) FROM ledger").fetchone()[0]
        counter = con.execute("SELECT n FROM ledger_count").fetchone()[0]
        revision = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        return rows, counter, revision


@pytest.fixture
def live_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "live.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    monkeypatch.setenv("CONTRACTBOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["db", "upgrade"]) == 0
    with closing(sqlite3.connect(db)) as con:
        con.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, side TEXT, n INTEGER)")
        con.execute("CREATE TABLE ledger_count (n INTEGER)")
        con.execute("INSERT INTO ledger_count VALUES (0)")
        con.commit()
    return db


def test_backup_of_a_database_being_written_restores_consistently(
    live_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stop = threading.Event()
    written: list[int] = []
    writer = threading.Thread(target=_writer, args=(live_db, stop, written))
    writer.start()
    copies = []
    try:
        for i in range(5):
            copy = tmp_path / f"copy-{i}.db"
            assert main(["db", "backup", "-o", str(copy)]) == 0
            copies.append(copy)
    finally:
        stop.set()
        writer.join()
    assert "Cópia de segurança gravada em" in capsys.readouterr().out

    seen = []
    for copy in copies:
        rows, counter, revision = _state(copy)
        assert rows == 2 * counter, copy  # never half a transaction
        assert revision == _state(live_db)[2]
        assert not Path(f"{copy}-wal").exists()  # a self-contained file
        seen.append(counter)
    assert seen == sorted(seen) and seen[-1] <= len(written)

    # Restore: the bot is stopped, the copy goes over the database, the CLI works on it.
    shutil.copyfile(copies[-1], live_db)
    for side in ("-wal", "-shm"):
        Path(f"{live_db}{side}").unlink(missing_ok=True)
    assert main(["db", "current"]) == 0
    assert _state(live_db)[:2] == _state(copies[-1])[:2]


def test_backup_without_output_goes_to_the_data_directory(
    live_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "backup"]) == 0
    [copy] = (tmp_path / "data" / "backups").glob("contractbot-*.db")
    assert str(copy) in capsys.readouterr().out
    assert _state(copy) == _state(live_db)
    assert not list((tmp_path / "data" / "backups").glob(".*partial"))


def test_postgresql_is_pointed_at_pg_dump(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot:s3gr3d0@db/contractbot")
    assert main(["db", "backup"]) == 2
    err = capsys.readouterr().err
    assert "pg_dump --format=custom" in err and "pg_restore" in err
    assert "s3gr3d0" not in err


def test_a_missing_database_is_not_created_by_the_backup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    assert main(["db", "backup", "-o", str(tmp_path / "b.db")]) == 1
    assert "nada para copiar" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "b.db").exists()
