"""Wiring for ``/metrics``: the Telegram handlers timed per flow, and the database figures read
on each scrape (see :mod:`bot.metrics` and :mod:`bot.web.metrics`)."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, ApplicationHandlerStop, BaseHandler, ConversationHandler

from bot.config import Settings
from bot.metrics import Metrics, Snapshot
from bot.services import operations
from bot.services.context import ServiceContext
from bot.web.metrics import Refresh, add_metrics_route, build_metrics_app
from storage import ops_stats
from storage.db import session_factory

Callback = Callable[..., Awaitable[Any]]


def flow_of(callback: Callable[..., Any]) -> str:
    """The flow of a handler outside any conversation: its callback's module under
    ``conversations`` (``menu``, ``actions``, ``tickets``, ``screens`` for typed-text
    search…), a small fixed set of label values."""
    parts = getattr(callback, "__module__", "").split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "conversations" else parts[0] or "other"


def timed(callback: Callback, flow: str, metrics: Metrics) -> Callback:
    """``callback`` counted and timed under ``flow``; what it returns or raises is unchanged."""

    @functools.wraps(callback)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        outcome = "ok"
        try:
            return await callback(*args, **kwargs)
        except ApplicationHandlerStop:
            raise
        except Exception:
            outcome = "error"
            raise
        finally:
            metrics.updates.labels(flow, outcome).inc()
            metrics.handler_seconds.labels(flow).observe(time.perf_counter() - started)

    return wrapper


def _instrument(
    handler: BaseHandler[Any, Any, Any], metrics: Metrics, flow: str | None = None
) -> None:
    """Wrap ``handler``'s callback; inside a conversation every step counts under the
    conversation's name (``plan_update``, ``search``…)."""
    if isinstance(handler, ConversationHandler):
        nested = [*handler.entry_points, *handler.fallbacks]
        for state_handlers in handler.states.values():
            nested.extend(state_handlers)
        for inner in nested:
            _instrument(inner, metrics, flow or handler.name)
        return
    if not getattr(handler.callback, "_contractbot_timed", False):
        wrapped = timed(handler.callback, flow or flow_of(handler.callback), metrics)
        wrapped._contractbot_timed = True  # type: ignore[attr-defined]
        handler.callback = wrapped  # type: ignore[assignment]


def instrument_handlers(app: Application[Any, Any, Any, Any, Any, Any], metrics: Metrics) -> None:
    """Time every handler that answers updates (group 0 and up); the access gate in the
    negative groups runs for every update and is not a flow."""
    for group, handlers in app.handlers.items():
        if group < 0:
            continue
        for handler in handlers:
            _instrument(handler, metrics)


def database_refresh(
    engine: AsyncEngine, ctx: ServiceContext, metrics: Metrics
) -> Callable[[], Awaitable[None]]:
    """What ``/metrics`` reads from the database on each scrape."""
    sessions = session_factory(engine)

    async def refresh() -> None:
        outbox = await ops_stats.outbox_stats(sessions, ctx.now())
        metrics.set_snapshot(
            Snapshot(
                outbox_pending=outbox.pending,
                outbox_oldest_age_seconds=outbox.oldest_age_seconds,
                acceptances=await ops_stats.acceptance_counts(sessions),
                pending_actions=await operations.pending_by_blocker(ctx),
            )
        )

    return refresh


def expose_metrics(
    web_app: web.Application, settings: Settings, metrics: Metrics, refresh: Refresh
) -> web.Application | None:
    """Where ``/metrics`` answers: on ``web_app`` behind ``METRICS_TOKEN`` when one is set,
    and in the returned app of its own when ``METRICS_PORT`` is set (token checked there
    too, if any). Neither set: nowhere."""
    if settings.metrics_token:
        add_metrics_route(web_app, metrics, refresh, settings.metrics_token)
    if settings.metrics_port:
        return build_metrics_app(metrics, refresh, settings.metrics_token)
    return None
