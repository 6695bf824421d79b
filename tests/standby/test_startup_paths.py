"""``contractbot run`` on a data folder, database or lock file it cannot use stops with one
Portuguese line naming the path and what to do, and a non-zero exit code, never a traceback.

Paths under a regular file fail for root too (permissions do not stop root, so the chmod cases
are skipped when the tests run as root)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.standby import StartupProblem, check_storage, instance_lock

ROOT = Path(__file__).resolve().parents[2]
AS_ROOT = os.geteuid() == 0
needs_non_root = pytest.mark.skipif(AS_ROOT, reason="root ignores file permissions")


def run_bot(tmp_path: Path, *command: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """The real ``contractbot run`` (or ``command``) with only the given settings (it must stop
    before it reaches Telegram: the API URL points at a closed port)."""
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "DATABASE_", "CONTRACTBOT_"))
        },
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
        "TELEGRAM_API_URL": "http://127.0.0.1:9",
        "PYTHONPATH": str(ROOT),
        **settings,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *(command or ("run",))],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def the_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    (line,) = [x for x in result.stderr.splitlines() if x.strip()]
    return line


def a_file(tmp_path: Path) -> Path:
    plain = tmp_path / "not-a-folder"
    plain.write_text("a regular file where a folder is expected\n")
    return plain


def test_a_data_folder_under_a_regular_file(tmp_path: Path) -> None:
    data = a_file(tmp_path) / "contractbot"
    line = the_line(run_bot(tmp_path, CONTRACTBOT_DATA_DIR=str(data)))
    print(line)
    assert line.startswith(
        f"Não foi possível usar a pasta de dados {data} "
        "(parte do caminho é um arquivo, não uma pasta). "
    )
    assert "CONTRACTBOT_DATA_DIR" in line


def test_a_sqlite_database_under_a_regular_file(tmp_path: Path) -> None:
    folder = a_file(tmp_path) / "db"
    line = the_line(
        run_bot(
            tmp_path,
            CONTRACTBOT_DATA_DIR=str(tmp_path / "var"),
            DATABASE_URL=f"sqlite+aiosqlite:///{folder / 'bot.db'}",
        )
    )
    print(line)
    assert line.startswith(f"Não foi possível gravar o banco SQLite em {folder} (")
    assert "DATABASE_URL" in line


def test_db_upgrade_on_a_database_under_a_regular_file(tmp_path: Path) -> None:
    """``make run`` upgrades the database first: that command says it the same way."""
    folder = a_file(tmp_path) / "db"
    url = f"sqlite+aiosqlite:///{folder / 'bot.db'}"
    line = the_line(run_bot(tmp_path, "db", "upgrade", DATABASE_URL=url))
    assert line.startswith(f"Não foi possível gravar o banco SQLite em {folder} (")


def test_commands_other_than_run_leave_no_lock_file(tmp_path: Path) -> None:
    """Run as root, a lock file would stay root's and lock the bot's own user out."""
    database = tmp_path / "var" / "contractbot.db"
    result = run_bot(tmp_path, "db", "upgrade", DATABASE_URL=f"sqlite+aiosqlite:///{database}")
    assert result.returncode == 0, result.stderr
    assert database.exists() and not Path(f"{database}.active.lock").exists()


def test_a_lock_file_that_cannot_be_opened(tmp_path: Path) -> None:
    """A folder where the lock file should be cannot be opened as a file, by root neither."""
    database = tmp_path / "var" / "contractbot.db"
    lock = Path(f"{database}.active.lock")
    lock.mkdir(parents=True)
    line = the_line(run_bot(tmp_path, CONTRACTBOT_DATA_DIR=str(tmp_path / "var")))
    print(line)
    assert line.startswith(
        f"Não foi possível abrir o arquivo de trava {lock} (é uma pasta, não um arquivo). "
    )
    assert not database.exists()  # nothing was started, nothing half-written


@needs_non_root
def test_a_lock_file_of_another_user(tmp_path: Path) -> None:
    lock = tmp_path / "var" / "contractbot.db.active.lock"
    lock.parent.mkdir()
    lock.touch(mode=0o000)
    line = the_line(run_bot(tmp_path, CONTRACTBOT_DATA_DIR=str(tmp_path / "var")))
    assert line.startswith(f"Não foi possível abrir o arquivo de trava {lock} (permissão negada)")


@needs_non_root
def test_a_read_only_data_folder_and_database(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir(mode=0o500)
    try:
        line = the_line(run_bot(tmp_path, CONTRACTBOT_DATA_DIR=str(var)))
        assert line.startswith(f"Não foi possível usar a pasta de dados {var} (permissão negada)")
    finally:
        var.chmod(0o700)
    db = tmp_path / "db" / "bot.db"
    db.parent.mkdir()
    db.touch(mode=0o400)
    url = f"sqlite+aiosqlite:///{db}"
    line = the_line(run_bot(tmp_path, CONTRACTBOT_DATA_DIR=str(var), DATABASE_URL=url))
    assert line.startswith(f"Não foi possível gravar o banco SQLite em {db} (permissão negada)")


def test_check_storage_accepts_a_fresh_folder_and_postgres(tmp_path: Path) -> None:
    data = tmp_path / "new" / "var"
    check_storage(f"sqlite+aiosqlite:///{data / 'contractbot.db'}", data)
    assert data.is_dir() and (data / "contractbot.db.active.lock").is_file()
    check_storage("postgresql+asyncpg://u@127.0.0.1:1/db", tmp_path / "pgdata")  # no files
    assert (tmp_path / "pgdata").is_dir() and list((tmp_path / "pgdata").iterdir()) == []


async def test_a_lock_file_gone_bad_while_running_is_a_startup_problem(tmp_path: Path) -> None:
    """The preflight passed, then the lock path became unusable: the lock says which file."""
    database = tmp_path / "bot.db"
    lock = instance_lock(f"sqlite+aiosqlite:///{database}")
    Path(f"{database}.active.lock").mkdir()
    with pytest.raises(StartupProblem) as raised:
        await lock.try_acquire()
    assert raised.value.key == "lock"
    assert raised.value.path == Path(f"{database}.active.lock")
