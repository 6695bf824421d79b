"""``contractbot`` command line: database, demo data, catalog, staff, the bot itself, PDFs."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from dotenv import load_dotenv

from bot import catalog_cli, data_cli, radius_cli
from bot.app import Core, build_core, run
from bot.config import (
    DB_FILE_NAME,
    ConfigError,
    ConfigProblem,
    Settings,
    config_warnings,
    load_settings,
    sqlite_url,
)
from bot.domain.errors import DomainError
from bot.domain.locales import normalize_locale
from bot.domain.models import Role
from bot.i18n import error_text, t
from bot.logs import configure_logging
from bot.pdf import cli as pdf_cli
from bot.services import staff as staff_service
from bot.standby import REASONS, StartupProblem, check_database, check_storage
from storage.db import migrate

ROLE_NAMES = {r.value: r for r in Role}
log = logging.getLogger("contractbot")


def startup_warnings(settings: Settings, cwd: Path | None = None) -> list[ConfigProblem]:
    """:func:`~bot.config.config_warnings`, and a database left behind in ``./var`` by versions
    whose default database lived in the current directory."""
    problems = config_warnings(settings)
    old = (cwd or Path.cwd()) / "var" / DB_FILE_NAME
    new = settings.data_dir / DB_FILE_NAME
    if settings.database_url == sqlite_url(settings.data_dir) and old.exists() and not new.exists():
        problems.append(ConfigProblem("legacy_database", {"old": str(old), "new": str(new)}))
    return problems


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="contractbot", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database schema (Alembic migrations)")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply every pending migration")
    down = db_sub.add_parser("downgrade", help="revert migrations")
    down.add_argument("revision", nargs="?", default="-1")
    db_sub.add_parser("current", help="show the schema revision")
    backup = db_sub.add_parser(
        "backup", help="a consistent copy of the live SQLite database (PostgreSQL: pg_dump)"
    )
    backup.add_argument(
        "-o", "--output", help="file to write (default: DATA_DIR/backups/contractbot-<time>.db)"
    )

    sub.add_parser("demo-data", help="load a realistic demo ISP (idempotent)")

    st = sub.add_parser("staff", help="manage staff members")
    st_sub = st.add_subparsers(dest="staff_command", required=True)
    add = st_sub.add_parser("add", help="add a staff member by Telegram user id")
    add.add_argument("telegram_id", type=int)
    add.add_argument("name")
    add.add_argument("--role", choices=sorted(ROLE_NAMES), default="operator")
    st_sub.add_parser("list", help="list staff members")
    sr = st_sub.add_parser("set-role", help="change a staff member's role")
    sr.add_argument("telegram_id", type=int)
    sr.add_argument("role", choices=sorted(ROLE_NAMES))
    de = st_sub.add_parser("deactivate", help="remove a staff member's access")
    de.add_argument("telegram_id", type=int)

    run = sub.add_parser("run", help="start the Telegram bot and the web acceptance page")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates by webhook at PUBLIC_URL/telegram/webhook (HTTPS)",
    )
    pdf_cli.add_parsers(sub)
    data_cli.add_parsers(sub)
    catalog_cli.add_parsers(sub)
    radius_cli.add_parsers(sub)
    return p


async def _with_core(settings: Settings, fn: Callable[[Core], Awaitable[int]]) -> int:
    core = build_core(settings)
    try:
        return await fn(core)
    finally:
        await core.close()


async def _db(core: Core, args: argparse.Namespace) -> int:
    from storage.db import current_revision

    if args.db_command == "upgrade":
        await migrate(core.engine, "upgrade", "head")
        print(f"Banco atualizado: revisão {await current_revision(core.engine)}")
    elif args.db_command == "downgrade":
        await migrate(core.engine, "downgrade", args.revision)
        print(f"Banco revertido: revisão {await current_revision(core.engine)}")
    else:
        print(await current_revision(core.engine) or "(vazio)")
    return 0


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    """``contractbot db backup``: runs beside a live bot, needs no engine of its own."""
    from datetime import datetime

    from storage.backup import BackupFailed, BackupNotSupported, backup_sqlite, sqlite_path

    locale = settings.locale
    try:
        source = sqlite_path(settings.database_url)
    except BackupNotSupported:
        print(t("backup.use_pg_dump", locale), file=sys.stderr)
        return 2
    stamp = datetime.now(settings.timezone).strftime("%Y%m%d-%H%M%S")
    target = Path(args.output or settings.data_dir / "backups" / f"contractbot-{stamp}.db")
    try:
        result = backup_sqlite(source, target)
    except FileNotFoundError:
        print(t("backup.no_database", locale, path=source), file=sys.stderr)
        return 1
    except BackupFailed as exc:
        print(t("backup.failed", locale, detail=exc), file=sys.stderr)
        return 1
    print(t("backup.done", locale, path=result.path, size=f"{result.size / 1024:.0f}"))
    return 0


async def _demo(core: Core, _args: argparse.Namespace) -> int:
    from storage.demo import load_demo_data

    await migrate(core.engine, "upgrade", "head")
    async with core.ctx.uow() as uow:
        summary = await load_demo_data(uow.session, core.ctx.today(), core.ctx.now())  # type: ignore[attr-defined]
        await uow.commit()
    print(f"Dados de demonstração: {summary.describe()}.")
    return 0


async def _staff(core: Core, args: argparse.Namespace) -> int:
    ctx = core.ctx
    cmd = args.staff_command
    if cmd == "add":
        s = await staff_service.add_staff(
            ctx, None, args.telegram_id, args.name, ROLE_NAMES[args.role]
        )
        print(f"Adicionado: {s.name} ({s.telegram_id}) como {s.role.value}")
    elif cmd == "list":
        for s in await staff_service.list_staff(ctx):
            state = "ativo" if s.active else "inativo"
            print(f"{s.telegram_id:>12}  {s.role.value:<10}  {state:<7}  {s.name}")
    elif cmd == "set-role":
        s = await staff_service.set_role(ctx, None, args.telegram_id, ROLE_NAMES[args.role])
        print(f"{s.name} agora é {s.role.value}")
    elif cmd == "deactivate":
        s = await staff_service.deactivate(ctx, None, args.telegram_id)
        print(f"{s.name} foi desativado")
    return 0


COMMANDS: dict[str, Callable[[Core, argparse.Namespace], Awaitable[int]]] = {
    "db": _db,
    "demo-data": _demo,
    "staff": _staff,
    **pdf_cli.COMMANDS,
    **data_cli.COMMANDS,
    **catalog_cli.COMMANDS,
    **radius_cli.COMMANDS,
}


def _config_errors(exc: ConfigError) -> None:
    """Every unusable setting, one line each, in the configured (or default) language."""
    locale = normalize_locale(os.environ.get("CONTRACTBOT_LOCALE"))
    for problem in exc.problems:
        line = t(f"config.{problem.key}", locale, **problem.params)
        print(f"{t('config.invalid', locale)}: {line}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    load_dotenv(".env")
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        _config_errors(exc)
        return 2
    if args.command == "run":
        return _run(settings, args)
    if args.command == "db" and args.db_command == "backup":
        return _backup(settings, args)
    handler = COMMANDS[args.command]
    try:
        check_database(settings.database_url, lock=False)
    except StartupProblem as exc:
        return _refuse(exc, settings.locale)

    async def go(core: Core) -> int:
        if args.command not in ("db", "demo-data"):
            await migrate(core.engine, "upgrade", "head")
        return await handler(core, args)

    try:
        return asyncio.run(_with_core(settings, go))
    except DomainError as exc:
        print(f"Erro: {error_text(exc, settings.locale)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.bot_token:
        print(t("run.no_token", settings.locale), file=sys.stderr)
        return 2
    if args.webhook and not settings.public_url.startswith("https://"):
        print(
            "--webhook: PUBLIC_URL precisa ser https:// "
            "(o Telegram só entrega webhooks por HTTPS).",
            file=sys.stderr,
        )
        return 2
    try:
        check_storage(settings.database_url, settings.data_dir)  # before any other output
    except StartupProblem as exc:
        return _refuse(exc, settings.locale)
    configure_logging(
        settings.log_format,
        [settings.bot_token, settings.webhook_secret, settings.metrics_token],
    )
    for problem in startup_warnings(settings):
        log.warning(
            "%s: %s",
            t("config.warning", settings.locale),
            t(f"config.{problem.key}", settings.locale, **problem.params),
            extra={"event": "config.warning", "setting": problem.key},
        )
    try:
        return asyncio.run(run(settings, webhook=args.webhook))
    except StartupProblem as exc:  # the lock file went bad after the check
        return _refuse(exc, settings.locale)
    except KeyboardInterrupt:
        return 130


def _refuse(problem: StartupProblem, locale: str) -> int:
    """One line on stderr: the path, why it cannot be used and what to do about it."""
    code = REASONS.get(problem.error.errno or 0)
    reason = t(f"startup.reason_{code}", locale) if code else str(problem.error.strerror)
    line = t(f"startup.{problem.key}", locale, path=problem.path, reason=reason, user=_user())
    print(line, file=sys.stderr)
    return 2


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # a container user without a passwd entry
        return str(os.getuid())


if __name__ == "__main__":
    sys.exit(main())
