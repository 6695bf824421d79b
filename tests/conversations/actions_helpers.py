"""Helpers for the conversation tests in this folder (security, actions, staff admin, menus).

* DB snapshots and small queries (plain ``sqlite3`` on the test's database file).
* Actions created straight through the service (faster than walking the wizard).
* A stub PDF renderer for tests that finalize but don't look at the PDF itself.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import pytest

from bot.domain.models import ContractStatus, PersonKind, Role
from bot.services.plan_update import Created, create_plan_update
from tests.conversations.conftest import BotEnv
from tests.fakebot import FakeUser
from tests.support.builders import plan_change

OPERATOR_ID = 900000011
OPERATOR2_ID = 900000012
TECHNICIAN_ID = 900000001
TECHNICIAN2_ID = 900000002
STRANGER_ID = 555000111

# --------------------------------------------------------------------------- database

IGNORED_TABLES = {"bot_state", "alembic_version"}


def db(env: BotEnv) -> sqlite3.Connection:
    con = sqlite3.connect(env.db_path)
    con.row_factory = sqlite3.Row
    return con


def rows(env: BotEnv, sql: str, *params: Any) -> list[dict[str, Any]]:
    con = db(env)
    try:
        return [dict(r) for r in con.execute(sql, params).fetchall()]
    finally:
        con.close()


def one(env: BotEnv, sql: str, *params: Any) -> dict[str, Any]:
    found = rows(env, sql, *params)
    assert len(found) == 1, found
    return found[0]


def scalar(env: BotEnv, sql: str, *params: Any) -> Any:
    con = db(env)
    try:
        row = con.execute(sql, params).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def snapshot(env: BotEnv) -> dict[str, list[tuple[Any, ...]]]:
    """Every business table's rows (the bot's own conversation state excluded)."""
    con = sqlite3.connect(env.db_path)
    try:
        tables = [
            r[0]
            for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
            if r[0] not in IGNORED_TABLES and not r[0].startswith("sqlite_")
        ]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        con.close()


def action_row(env: BotEnv, action_id: int) -> dict[str, Any]:
    return one(env, "SELECT * FROM contract_actions WHERE id = ?", action_id)


def contract_row(env: BotEnv, contract_id: int) -> dict[str, Any]:
    return one(env, "SELECT * FROM contracts WHERE id = ?", contract_id)


def acceptances(env: BotEnv, action_id: int) -> list[dict[str, Any]]:
    return rows(env, "SELECT * FROM acceptance_requests WHERE action_id = ? ORDER BY id", action_id)


def ticket_for(env: BotEnv, action_id: int) -> dict[str, Any]:
    return one(env, "SELECT * FROM tickets WHERE action_id = ?", action_id)


def revisions(env: BotEnv, contract_id: int) -> list[dict[str, Any]]:
    return rows(
        env, "SELECT * FROM contract_revisions WHERE contract_id = ? ORDER BY id", contract_id
    )


def plan_name(env: BotEnv, plan_id: int) -> str:
    return str(scalar(env, "SELECT name FROM plans WHERE id = ?", plan_id))


# --------------------------------------------------------------------------- domain setup


async def staff_id(env: BotEnv, telegram_id: int) -> int:
    return (await env.staff(telegram_id)).id


async def active_contracts(
    env: BotEnv, kind: PersonKind = PersonKind.PF, limit: int = 20
) -> list[Any]:
    """Active contracts of clients of ``kind``, in id order."""
    out = []
    async with env.ctx.uow() as uow:
        for client_id in range(1, 200):
            client = await uow.clients.get(client_id)
            if client is None:
                if client_id > 80:
                    break
                continue
            if client.kind is not kind:
                continue
            for c in await uow.contracts.for_client(client_id):
                if c.status is ContractStatus.ACTIVE:
                    out.append(c)
            if len(out) >= limit:
                break
    return out[:limit]


async def make_action(
    env: BotEnv,
    contract: Any = None,
    *,
    by: int = OPERATOR_ID,
    plan: str | None = None,
    **change: Any,
) -> tuple[Created, Any]:
    """A pending plan update created through the service; returns (created, contract)."""
    if contract is None:
        contract = (await active_contracts(env, limit=1))[0]
    actor = await staff_id(env, by)
    if "ticket_assignee" not in change and change.get("with_ticket", True):
        change["ticket_assignee"] = await staff_id(env, TECHNICIAN_ID)
    if plan is None:
        current = plan_name(env, contract.plan_id)
        plan = "Fibra 700 Mega" if current == "Fibra 1 Giga" else "Fibra 1 Giga"
    pc = await plan_change(env.ctx, contract, plan_name=plan, **change)
    created = await create_plan_update(env.ctx, actor, contract.id, pc)
    assert not created.existing
    return created, contract


async def add_staff_row(env: BotEnv, telegram_id: int, name: str, role: Role) -> None:
    async with env.ctx.uow() as uow:
        await uow.staff.add(telegram_id, name, role, "pt_BR", env.clock())
        await uow.commit()


# --------------------------------------------------------------------------- chat helpers


async def home(env: BotEnv, user: FakeUser) -> int:
    """/start for a staff member; returns the menu message id (something to tap on)."""
    (menu,) = await user.send(env.app, "/start")
    return menu.message_id


async def open_action(env: BotEnv, user: FakeUser, action_id: int) -> int:
    """Open the action card from the menu; returns the card's message id."""
    mid = await home(env, user)
    await user.tap_data(env.app, mid, f"pa:c:{action_id}")
    return mid


def answers(env: BotEnv, user_id: int) -> list[dict[str, Any]]:
    return [a for a in env.api.callback_answers if a["user_id"] == user_id]


def last_alert(env: BotEnv, user_id: int) -> str:
    answer = env.api.last_callback_answer(user_id)
    assert answer is not None, "the callback query was not answered"
    return str(answer.get("text") or "")


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


class StubPdf:
    """Stands in for the WeasyPrint renderer where a test doesn't look at the PDF."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.contracts: list[Any] = []
        self.amendments: list[Any] = []

    async def contract_pdf(self, doc: Any) -> bytes:
        self.contracts.append(doc)
        return b"%PDF-1.4\n%stub contract\n"

    async def amendment_pdf(self, doc: Any) -> bytes:
        self.amendments.append(doc)
        return b"%PDF-1.4\n%stub amendment\n"

    def filename(self, doc: Any) -> str:
        return str(self.real.filename(doc))


def stub_pdf(env: BotEnv) -> StubPdf:
    services = env.app.bot_data["app"]
    stub = StubPdf(services.pdf)
    services.pdf = stub
    return stub
