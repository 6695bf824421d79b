"""Helpers for the client-acceptance, ticket-chat and notification-flow tests.

Database queries shared with the other chat tests come from :mod:`actions_helpers`.

* :func:`deliver`: runs the real outbox :class:`~bot.notify.Dispatcher` once with the real
  :class:`~conversations.notifications.NotificationComposer`, with no rate-limit waits.
* Actions created straight through the service; a Telegram-link client; small DB queries.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import replace
from typing import Any

from bot.domain.models import AcceptanceChannel, ContractStatus, PersonKind, Priority
from bot.notify import Dispatcher
from bot.services.plan_update import Created, create_plan_update
from conversations.notifications import NotificationComposer
from tests.conversations.actions_helpers import (
    one,
    rows,
    staff_id,
)
from tests.conversations.conftest import BotEnv
from tests.fakebot import FakeUser
from tests.fakebot.models import SentMessage
from tests.support.builders import plan_change

OPERATOR_ID = 900000011
OPERATOR2_ID = 900000012
TECHNICIAN_ID = 900000001  # Marcos
TECHNICIAN2_ID = 900000002  # Juliana
CLIENT_ID = 777000111
CLIENT_FIRST = "Joana"
CLIENT_LAST = "Pereira"
CLIENT_FULL = "Joana Pereira"


def snapshot(env: BotEnv) -> dict[str, list[tuple[Any, ...]]]:
    """Every business table's rows (the bot's own conversation state excluded)."""
    con = sqlite3.connect(env.db_path)
    try:
        tables = [
            r[0]
            for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
            if r[0] not in {"bot_state", "alembic_version"} and not r[0].startswith("sqlite_")
        ]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        con.close()


def ticket_row(env: BotEnv, ticket_id: int) -> dict[str, Any]:
    return one(env, "SELECT * FROM tickets WHERE id = ?", ticket_id)


def plan_name(env: BotEnv, plan_id: int) -> str:
    return str(one(env, "SELECT name FROM plans WHERE id = ?", plan_id)["name"])


def outbox(env: BotEnv, kind: str | None = None) -> list[dict[str, Any]]:
    if kind is not None:
        return rows(env, "SELECT * FROM notifications WHERE kind = ? ORDER BY id", kind)
    return rows(env, "SELECT * FROM notifications ORDER BY id")


# --------------------------------------------------------------------------- domain setup


async def active_contracts(
    env: BotEnv, kind: PersonKind = PersonKind.PF, limit: int = 20
) -> list[Any]:
    """Active contracts of clients of ``kind``, in id order."""
    out: list[Any] = []
    async with env.ctx.uow() as uow:
        for client_id in range(1, 100):
            client = await uow.clients.get(client_id)
            if client is None or client.kind is not kind:
                continue
            out.extend(
                c
                for c in await uow.contracts.for_client(client_id)
                if c.status is ContractStatus.ACTIVE
            )
            if len(out) >= limit:
                break
    return out[:limit]


async def make_action(
    env: BotEnv,
    contract: Any = None,
    *,
    by: int = OPERATOR_ID,
    priority: Priority = Priority.HIGH,
    assignee: int | None = TECHNICIAN_ID,
    **change: Any,
) -> tuple[Created, Any]:
    """A pending plan update made through the service (web acceptance and a ticket for Marcos
    unless told otherwise; ``assignee`` is a Telegram id or None); returns (created, contract)."""
    if contract is None:
        contract = (await active_contracts(env, limit=1))[0]
    actor = await staff_id(env, by)
    if change.get("with_ticket", True):
        change["ticket_assignee"] = await staff_id(env, assignee) if assignee else None
    current = plan_name(env, contract.plan_id)
    plan = "Fibra 700 Mega" if current == "Fibra 1 Giga" else "Fibra 1 Giga"
    pc = await plan_change(env.ctx, contract, plan_name=plan, **change)
    if pc.ticket is not None:
        pc = replace(pc, ticket=replace(pc.ticket, priority=priority))
    created = await create_plan_update(env.ctx, actor, contract.id, pc)
    assert not created.existing
    return created, contract


async def telegram_action(env: BotEnv, **change: Any) -> tuple[Created, Any]:
    change.setdefault("channel", AcceptanceChannel.TELEGRAM)
    return await make_action(env, **change)


class StubPdf:
    """Stands in for the WeasyPrint renderer where a test doesn't look inside the PDF."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.contracts: list[Any] = []
        self.amendments: list[Any] = []

    async def contract_pdf(self, doc: Any) -> bytes:
        self.contracts.append(doc)
        return b"%PDF-1.4\n%stub contract " + str(len(self.contracts)).encode() + b"\n"

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


# --------------------------------------------------------------------------- notifications


async def _no_sleep(_seconds: float) -> None:
    return None


def dispatcher(env: BotEnv) -> Dispatcher:
    return Dispatcher(
        env.ctx,
        env.app.bot,
        NotificationComposer(env.app.bot_data["app"]),
        per_chat_interval=0,
        group_interval=0,
        global_rate=1000,
        sleep=_no_sleep,
    )


async def deliver(env: BotEnv) -> int:
    """Deliver every due outbox row once; returns how many were marked sent."""
    return await dispatcher(env).run_once()


# --------------------------------------------------------------------------- chat


def client(env: BotEnv, user_id: int = CLIENT_ID) -> FakeUser:
    """The subscriber: not staff, with a first and last name (the evidence keeps both)."""
    return env.api.user(user_id, CLIENT_FIRST, last_name=CLIENT_LAST, language_code="pt-br")


async def open_link(env: BotEnv, user: FakeUser, token: str | None) -> list[SentMessage]:
    assert token
    return await user.send(env.app, f"/start ac_{token}")


async def open_action(env: BotEnv, user: FakeUser, action_id: int) -> int:
    """/start, then the action card on the menu message; returns that message's id."""
    (menu,) = await user.send(env.app, "/start")
    await user.tap_data(env.app, menu.message_id, f"pa:c:{action_id}")
    return menu.message_id


def sha256(data: bytes | None) -> str:
    assert data is not None
    return hashlib.sha256(data).hexdigest()


def client_document(env: BotEnv, action_id: int) -> str:
    """The CPF/CNPJ of the action's client, as the client types it before answering."""
    found = rows(
        env,
        "SELECT c.document FROM clients c JOIN contracts k ON k.client_id = c.id"
        " JOIN contract_actions a ON a.contract_id = k.id WHERE a.id = ?",
        action_id,
    )
    return str(found[0]["document"])


async def answer(env: BotEnv, user: FakeUser, action_id: int, button: str) -> list[SentMessage]:
    """Tap the confirmation (✅ Sim, aceito / ❌ Sim, recuso), then type the document asked."""
    await user.tap(env.app, button)
    return await user.send(env.app, client_document(env, action_id))
