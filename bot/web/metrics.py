"""``GET /metrics`` in Prometheus' text format, kept off the public routes by default.

Two ways to expose it (README, Produção): its own listener (``METRICS_PORT``, on
``METRICS_HOST``, 127.0.0.1 by default), which the reverse proxy in front of the acceptance
page never forwards to; and/or ``/metrics`` on the main web app that answers only with
``Authorization: Bearer <METRICS_TOKEN>``. With neither set there is no ``/metrics`` at all.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
Refresh = Callable[[], Awaitable[None]]


def metrics_handler(
    metrics: Metrics, refresh: Refresh, token: str | None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The handler: checks the bearer token (when one is set), reads the database figures,
    renders. A database that does not answer still gives the in-process figures."""

    async def handler(request: web.Request) -> web.Response:
        if token is not None:
            given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                raise web.HTTPUnauthorized(headers={"WWW-Authenticate": "Bearer"})
        try:
            await refresh()
        except Exception:
            metrics.scrape_errors.inc()
            log.exception("metrics: database figures could not be read")
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    return handler


def add_metrics_route(app: web.Application, metrics: Metrics, refresh: Refresh, token: str) -> None:
    """``/metrics`` on the main web app, for holders of ``token`` only."""
    app.router.add_get(METRICS_PATH, metrics_handler(metrics, refresh, token))


def build_metrics_app(metrics: Metrics, refresh: Refresh, token: str | None) -> web.Application:
    """A web app of its own (for ``METRICS_HOST:METRICS_PORT``) with ``/metrics`` only."""
    app = web.Application()
    app.router.add_get(METRICS_PATH, metrics_handler(metrics, refresh, token))
    return app
