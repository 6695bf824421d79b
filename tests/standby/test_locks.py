"""The active-instance lock on each database, the role on /health and the standby webhook."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.standby import (
    FileLock,
    NoLock,
    PostgresLock,
    Standing,
    instance_lock,
    report_role,
    wait_for_turn,
    watch,
)
from tests.support.db import postgres_url


async def test_sqlite_file_lock_has_one_holder_and_frees_on_release(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    first, second = instance_lock(url), instance_lock(url)
    assert isinstance(first, FileLock)

    assert await first.try_acquire()
    assert not await second.try_acquire()
    await first.release()
    assert await second.try_acquire()
    assert (tmp_path / "bot.db.active.lock").exists()
    await second.release()


def test_an_in_memory_database_is_always_active() -> None:
    assert isinstance(instance_lock("sqlite+aiosqlite://"), NoLock)
    assert isinstance(instance_lock("sqlite+aiosqlite:///:memory:"), NoLock)


async def test_postgres_advisory_lock_has_one_holder_and_is_lost_with_its_connection() -> None:
    url = postgres_url()
    assert url is not None
    first, second = instance_lock(url), instance_lock(url)
    assert isinstance(first, PostgresLock) and isinstance(second, PostgresLock)
    try:
        assert await first.try_acquire()
        assert not await second.try_acquire()
        assert await first.held()
        await first._drop()  # the connection is gone, as when the process dies
        assert not await first.held()
        assert await second.try_acquire()
    finally:
        await first.release()
        await second.release()


async def test_a_standby_waits_and_takes_the_lock_when_it_frees(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    active, standby = instance_lock(url), instance_lock(url)
    assert await active.try_acquire()
    told: list[str] = []
    stop = asyncio.Event()

    waiting = asyncio.create_task(
        wait_for_turn(standby, stop, lambda: told.append("em espera"), retry=0.01)
    )
    await asyncio.sleep(0.05)
    assert not waiting.done() and told == ["em espera"]
    await active.release()

    assert await asyncio.wait_for(waiting, timeout=5)
    assert told == ["em espera"]  # said once
    await standby.release()


async def test_a_stopped_standby_gives_up_waiting(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    active, standby = instance_lock(url), instance_lock(url)
    assert await active.try_acquire()
    stop = asyncio.Event()
    stop.set()
    assert not await wait_for_turn(standby, stop, lambda: None, retry=0.01)
    await active.release()


@pytest.mark.parametrize("active", [False, True])
async def test_health_says_which_role(active: bool) -> None:
    standing = Standing()
    standing.active = active

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "database": "ok"})

    app = web.Application(middlewares=[report_role(standing)])
    app.router.add_get("/health", health)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/health")
        body = await response.json()

    assert body == {"status": "ok", "database": "ok", "role": "active" if active else "standby"}


async def test_a_standby_refuses_webhook_updates_so_telegram_retries() -> None:
    from telegram.ext import Application

    from bot.config import Settings
    from bot.web.webhook import WEBHOOK_PATH, add_webhook_route

    standing = Standing()
    bot_app = Application.builder().token("123456:TEST").build()
    web_app = web.Application()
    settings = Settings(webhook_secret="s3cr3t")
    add_webhook_route(web_app, bot_app, settings, accepting=lambda: standing.active)
    update = {"update_id": 1, "message": None}
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cr3t"}
    async with TestClient(TestServer(web_app)) as client:
        refused = await client.post(WEBHOOK_PATH, json=update, headers=headers)
        standing.active = True
        accepted = await client.post(WEBHOOK_PATH, json=update, headers=headers)

    assert (refused.status, accepted.status) == (503, 200)
    assert bot_app.update_queue.qsize() == 1


class FlakyLock(NoLock):
    """Held until the database connection drops on the ``after``-th check."""

    def __init__(self, after: int) -> None:
        self.checks = 0
        self.after = after

    async def held(self) -> bool:
        self.checks += 1
        return self.checks < self.after


async def test_the_active_one_stops_once_when_its_lock_is_lost() -> None:
    lock = FlakyLock(after=3)
    lost: list[int] = []

    async def lose() -> None:
        lost.append(lock.checks)

    await asyncio.wait_for(watch(lock, lose, every=0), timeout=5)

    assert lost == [3]
