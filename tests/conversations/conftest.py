"""A real python-telegram-bot Application over a migrated demo database, talking HTTP to an
in-process fake Bot API. Tests drive it as users and assert on what they see and the DB."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import Core, build_application, prepare
from bot.config import Settings
from bot.domain.models import Role, Staff
from bot.services.context import ServiceContext
from storage.db import create_engine, migrate, session_factory
from storage.uow import uow_factory
from tests.conftest import seed
from tests.fakebot import FakeBotApi, FakeUser
from tests.support.clock import FakeClock

TOKEN = "123456:TEST"
OPERATOR_ID = 900000011
OPERATOR2_ID = 900000012
TECHNICIAN_ID = 900000001
STRANGER_ID = 555000111


@dataclass
class BotEnv:
    api: FakeBotApi
    app: Application[Any, Any, Any, Any, Any, Any]
    core: Core
    clock: FakeClock
    db_path: Path

    @property
    def ctx(self) -> ServiceContext:
        return self.core.ctx

    def user(
        self, user_id: int, first_name: str = "Usuário", language_code: str = "pt-br"
    ) -> FakeUser:
        return self.api.user(user_id=user_id, first_name=first_name, language_code=language_code)

    async def staff(self, telegram_id: int) -> Staff:
        async with self.ctx.uow() as uow:
            staff = await uow.staff.by_telegram_id(telegram_id)
        assert staff is not None
        return staff

    async def add_admin(self, telegram_id: int = 900000099) -> FakeUser:
        async with self.ctx.uow() as uow:
            await uow.staff.add(telegram_id, "Admin Teste", Role.ADMIN, "pt_BR", self.clock())
            await uow.commit()
        return self.user(telegram_id, "Admin")


def make_settings(api: FakeBotApi, db_path: Path, tmp_path: Path) -> Settings:
    return Settings(
        bot_token=TOKEN,
        api_url=api.root_url,
        database_url=f"sqlite+aiosqlite:///{db_path}",
        public_url="https://aceite.provedor.test",
        data_dir=tmp_path / "var",
    )


async def start_app(api: FakeBotApi, db_path: Path, tmp_path: Path, clock: FakeClock) -> BotEnv:
    settings = make_settings(api, db_path, tmp_path)
    engine = create_engine(settings.database_url)
    ctx = ServiceContext(
        uow=uow_factory(session_factory(engine)), clock=clock, timezone=settings.timezone
    )
    core = Core(settings, engine, ctx)
    app = build_application(core, rate_limit=False)
    await app.initialize()
    await prepare(app)
    return BotEnv(api, app, core, clock, db_path)


async def stop_app(env: BotEnv) -> None:
    await env.app.shutdown()  # flushes persistence
    await env.core.close()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, migrated and seeded once per test session (then copied per test)."""
    path = tmp_path_factory.mktemp("template") / "bot.db"

    async def build() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await migrate(engine)
        await seed(ServiceContext(uow=uow_factory(session_factory(engine)), clock=FakeClock()))
        await engine.dispose()

    asyncio.run(build())
    return path


@pytest.fixture
async def env(
    api: FakeBotApi, tmp_path: Path, clock: FakeClock, template_db: Path
) -> AsyncIterator[BotEnv]:
    db_path = tmp_path / "bot.db"
    with closing(sqlite3.connect(template_db)) as src, closing(sqlite3.connect(db_path)) as dst:
        src.backup(dst)  # a consistent copy, WAL included
    bot_env = await start_app(api, db_path, tmp_path, clock)
    try:
        yield bot_env
    finally:
        await stop_app(bot_env)


__all__ = ["BotEnv", "replace", "start_app", "stop_app"]
