"""A real FreeRADIUS 3.2 for tests: throwaway configuration directory, ``rlm_sql`` pointed at
the test's RADIUS database (SQLite file, or PostgreSQL), listening on 127.0.0.1 only.

The tables are created from FreeRADIUS's own ``schema.sql`` files, so the bot writes exactly
the schema providers run. Locally the tests skip (with the reason) when FreeRADIUS is not
installed; under ``CI=true`` that is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

RADDB = Path("/etc/freeradius/3.0")
SCHEMA = RADDB / "mods-config/sql/main/{dialect}/schema.sql"
SECRET = "testing123"


def require_freeradius() -> str:
    """The server binary, or skip (locally) / fail (CI) saying what is missing."""
    binary = shutil.which("freeradius") or shutil.which("radiusd")
    missing = [
        what
        for what, ok in (
            ("freeradius", binary is not None),
            ("radclient (freeradius-utils)", shutil.which("radclient") is not None),
            ("FreeRADIUS SQL schema", SCHEMA.with_name("x").parent.parent.exists()),
        )
        if not ok
    ]
    if missing:
        msg = "RADIUS tests need " + ", ".join(missing) + " (apt install freeradius "
        msg += "freeradius-utils freeradius-postgresql)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    assert binary is not None
    return binary


def schema_statements(dialect: str) -> list[str]:
    text = Path(str(SCHEMA).format(dialect=dialect)).read_text()
    lines = [line for line in text.splitlines() if not line.strip().startswith("--")]
    body = "\n".join(lines)
    while "/*" in body:
        start = body.index("/*")
        body = body[:start] + body[body.index("*/", start) + 2 :]
    return [s.strip() for s in body.split(";") if s.strip()]


def create_sqlite_schema(path: Path) -> None:
    with sqlite3.connect(path) as db:
        for statement in schema_statements("sqlite"):
            db.execute(statement)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sql_driver(database: str) -> str:
    if database.startswith("postgresql"):
        url = urlsplit(database.replace("+asyncpg", ""))
        return f"""
    dialect = "postgresql"
    driver = "rlm_sql_postgresql"
    server = "{url.hostname}"
    port = {url.port or 5432}
    login = "{url.username or "postgres"}"
    password = "{url.password or ""}"
    radius_db = "{url.path.lstrip("/")}"
    postgresql {{
        send_application_name = no
    }}"""
    return f"""
    dialect = "sqlite"
    driver = "rlm_sql_sqlite"
    sqlite {{
        filename = "{database}"
    }}"""


def write_config(directory: Path, port: int, database: str) -> None:
    """``database``: a SQLite file path or a ``postgresql+asyncpg://`` URL."""
    for sub in ("log", "run"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    (directory / "dictionary").write_text("$INCLUDE /usr/share/freeradius/dictionary\n")
    (directory / "radiusd.conf").write_text(
        f"""
prefix = /usr
localstatedir = /var
logdir = {directory}/log
run_dir = {directory}/run
raddbdir = {directory}
confdir = {directory}
modconfdir = {RADDB}/mods-config
libdir = /usr/lib/freeradius
pidfile = {directory}/run/radiusd.pid
name = freeradius
max_request_time = 10
cleanup_delay = 0
max_requests = 1024
hostname_lookups = no
log {{
    destination = stdout
}}
security {{
    allow_core_dumps = no
    max_attributes = 200
    reject_delay = 0
    status_server = no
}}
client test {{
    ipaddr = 127.0.0.1
    secret = {SECRET}
}}
modules {{
  expr {{
  }}
  pap {{
  }}
  sql {{
    {_sql_driver(database)}
    read_groups = yes
    read_clients = no
    delete_stale_sessions = no
    acct_table1 = "radacct"
    acct_table2 = "radacct"
    postauth_table = "radpostauth"
    authcheck_table = "radcheck"
    groupcheck_table = "radgroupcheck"
    authreply_table = "radreply"
    groupreply_table = "radgroupreply"
    usergroup_table = "radusergroup"
    client_table = "nas"
    group_attribute = "SQL-Group"
    sql_user_name = "%{{User-Name}}"
    pool {{
        start = 1
        min = 1
        max = 2
        spare = 1
        uses = 0
        retry_delay = 1
        lifetime = 0
        idle_timeout = 60
    }}
    $INCLUDE ${{modconfdir}}/sql/main/${{dialect}}/queries.conf
  }}
}}
server default {{
    listen {{
        type = auth
        ipaddr = 127.0.0.1
        port = {port}
    }}
    authorize {{
        sql
        pap
    }}
    authenticate {{
        Auth-Type PAP {{
            pap
        }}
    }}
    post-auth {{
    }}
}}
"""
    )


class FreeRadius:
    """``with FreeRadius(binary, dir, database) as server:`` … ``server.authenticate(...)``."""

    def __init__(self, binary: str, directory: Path, database: str) -> None:
        self.binary = binary
        self.directory = directory
        self.port = free_udp_port()
        write_config(directory, self.port, database)
        self.process: subprocess.Popen[str] | None = None
        self.log = directory / "log" / "server.out"

    def __enter__(self) -> FreeRadius:
        out = self.log.open("w")
        self.process = subprocess.Popen(
            [self.binary, "-f", "-xx", "-l", "stdout", "-d", str(self.directory)],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if "Ready to process requests" in self.log.read_text():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("FreeRADIUS did not start:\n" + self.log.read_text()[-3000:])

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def authenticate(self, login: str, password: str) -> tuple[str, dict[str, str]]:
        """Send an Access-Request with radclient; (reply kind, reply attributes)."""
        result = subprocess.run(
            ["radclient", "-x", "-r", "1", "-t", "5", f"127.0.0.1:{self.port}", "auth", SECRET],
            input=f'User-Name = "{login}", User-Password = "{password}"\n',
            capture_output=True,
            text=True,
            timeout=30,
        )
        kind = "none"
        attributes: dict[str, str] = {}
        for line in result.stdout.splitlines():
            if line.startswith("Received "):
                kind = line.split()[1]
            elif kind != "none" and "=" in line:
                name, _, value = line.strip().partition(" = ")
                attributes[name.strip()] = value.strip().strip('"')
        return kind, attributes
