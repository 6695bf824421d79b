"""The one place that knows every concrete class: settings → engine → units of work → services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.services.context import ServiceContext
from storage.db import create_engine, session_factory
from storage.uow import uow_factory


@dataclass
class Core:
    """What the CLI, the bot and the web app share: the engine and the service context."""

    settings: Settings
    engine: AsyncEngine
    ctx: ServiceContext

    async def close(self) -> None:
        await self.engine.dispose()


def build_core(settings: Settings) -> Core:
    engine = create_engine(settings.database_url)
    ctx = ServiceContext(
        uow=uow_factory(session_factory(engine)),
        timezone=settings.timezone,
        acceptance_ttl=settings.acceptance_ttl,
    )
    return Core(settings, engine, ctx)
