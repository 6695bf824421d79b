"""Two real ``contractbot run`` processes on one database: one active, one standby.

The active one is killed with SIGKILL while it is sending notifications; the standby takes
over within 15 s and finishes the outbox. Nothing is lost; nothing is sent twice except the
documented at-least-once case (a send in flight when the process died, at most one per
concurrent send); the standby never touched Telegram while it was standby.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.domain.models import NotificationStatus
from bot.services.context import ServiceContext
from bot.services.plan_update import create_plan_update
from storage.db import create_engine, session_factory
from storage.uow import uow_factory
from tests.e2e.test_run_process import ROOT, _cli, _free_port
from tests.fakebot import FakeBotApi
from tests.support.builders import plan_change
from tests.support.db import postgres_url

pytestmark = pytest.mark.e2e

CHATS = list(range(700001, 700061))  # one notification each: a second copy is a duplicate
IN_FLIGHT = 8  # the outbox's concurrent sends (bot.jobs.build_dispatcher)


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
        return
    url = postgres_url()
    assert url is not None
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    except Exception as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL at TEST_POSTGRES_URL is unreachable: {exc}")
        pytest.skip(f"PostgreSQL at TEST_POSTGRES_URL is unreachable: {exc}")
    finally:
        await engine.dispose()
    yield url


async def queue_notifications(url: str) -> None:
    """A real pending action, and one notification about it for each of ``CHATS``."""
    engine = create_engine(url)
    ctx = ServiceContext(uow=uow_factory(session_factory(engine)))
    try:
        async with ctx.uow() as uow:
            operator = await uow.staff.by_telegram_id(900000011)
            contract = (await uow.contracts.for_client(1))[0]
        assert operator is not None
        change = await plan_change(ctx, contract, plan_name="Fibra 1 Giga", with_ticket=False)
        created = await create_plan_update(ctx, operator.id, contract.id, change)
        async with ctx.uow() as uow:
            for chat_id in CHATS:
                await uow.notifications.add(
                    chat_id=chat_id,
                    kind="action_cancelled",
                    payload={"action_id": created.action.id},
                    now=ctx.now(),
                )
            await uow.commit()
    finally:
        await engine.dispose()


async def outbox_statuses(url: str) -> dict[int, NotificationStatus]:
    engine = create_engine(url)
    ctx = ServiceContext(uow=uow_factory(session_factory(engine)))
    try:
        async with ctx.uow() as uow:
            return {n.chat_id: n.status for n in await uow.notifications.all()}
    finally:
        await engine.dispose()


async def wait_until_all_sent(url: str, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        statuses = await outbox_statuses(url)
        if all(statuses[c] is NotificationStatus.SENT for c in CHATS):
            return
        assert loop.time() < deadline, f"still pending: {statuses}"
        await asyncio.sleep(0.5)


def health(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as response:
        body: dict[str, Any] = json.loads(response.read())
    return body


class Instance:
    """One ``contractbot run`` process; its output is collected by a thread."""

    def __init__(self, env: dict[str, str], cwd: Path, web_port: int) -> None:
        self.web_port = web_port
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=cwd,
            env={**env, "WEB_PORT": str(web_port), "PUBLIC_URL": f"http://127.0.0.1:{web_port}"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = asyncio.get_running_loop().run_in_executor(None, self._read)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def said(self, fragment: str) -> bool:
        return any(fragment in line for line in self.lines)

    async def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(self.proc.wait, 30)
        await self._reader
        return code


async def test_standby_takes_over_when_the_active_one_is_killed(
    database_url: str, tmp_path: Path
) -> None:
    async with FakeBotApi(strict_chats=False) as api:
        for chat_id in CHATS:
            api.user(chat_id, f"Pessoa {chat_id}")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))},
            "TELEGRAM_BOT_TOKEN": "123456:TEST",
            "TELEGRAM_API_URL": api.root_url,
            "DATABASE_URL": database_url,
            "CONTRACTBOT_DATA_DIR": str(tmp_path / "var"),
            "PYTHONPATH": str(ROOT),
        }
        _cli(env, "db", "upgrade")
        _cli(env, "demo-data")
        api.inject_delay("sendMessage", 0.4, times=10_000)  # slow Telegram: kill mid-outbox

        first = Instance(env, tmp_path, _free_port())
        second: Instance | None = None
        try:
            await api.wait_for(lambda: first.said("rodando como"), timeout=60)
            second = Instance(env, tmp_path, _free_port())
            await api.wait_for(lambda: second.said("Instância em espera"), timeout=60)
            standby = await asyncio.to_thread(health, second.web_port)
            assert standby["role"] == "standby" and standby["database"] == "ok"
            await queue_notifications(database_url)  # both are up: the work starts now
            await api.wait_for(
                lambda: sum(bool(api.chat(c).messages) for c in CHATS) >= 15, timeout=60
            )
            assert len(api.calls_for("getMe")) == 1  # the standby has not touched Telegram

            first.proc.send_signal(signal.SIGKILL)
            assert sum(bool(api.chat(c).messages) for c in CHATS) < len(CHATS)  # mid-outbox
            await first.stop()
            await api.wait_for(
                lambda: second.said("Instância ativa"),
                timeout=15,
                message="the standby did not take over within 15 s",
            )
            await api.wait_for(
                lambda: all(api.chat(c).messages for c in CHATS),
                timeout=90,
                message="notifications lost after the take-over",
            )
            # Rows whose send was in flight at the kill come back when their lease (30 s) ends.
            await wait_until_all_sent(database_url, timeout=90)
            assert (await asyncio.to_thread(health, second.web_port))["role"] == "active"
            copies = [len(api.chat(c).messages) for c in CHATS]
            assert max(copies) <= 2
            assert sum(n == 2 for n in copies) <= IN_FLIGHT  # only sends in flight at the kill
            assert len(api.calls_for("getMe")) == 2
            assert len(api.calls_for("setMyCommands")) == 4  # once per active instance
            assert await second.stop() == 0
        finally:
            for instance in (first, second):
                if instance is not None and instance.proc.poll() is None:
                    instance.proc.kill()
                    await instance.stop()
