"""Telegram's door in webhook mode: ``POST /telegram/webhook`` on the same web app.

The secret token header proves the post comes from Telegram (``run --webhook`` always sets one;
without it every post is refused). A post with the right secret whose body is not a Telegram
update (invalid JSON, or JSON of another shape) is answered 400 with one log line: it is a
client's mistake, not ours, so no traceback and no 500.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.config import Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class NotAnUpdate(ValueError):
    """The body of a webhook post is not a Telegram update."""


def parse_update(body: bytes, application: AnyApplication) -> Update:
    """The update a webhook body carries, or :class:`NotAnUpdate` saying why not."""
    try:
        data = json.loads(body)
    except ValueError as exc:  # invalid JSON or invalid UTF-8
        raise NotAnUpdate(f"invalid JSON ({exc})") from None
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise NotAnUpdate(f"JSON without an update_id ({type(data).__name__})")
    try:
        update = Update.de_json(data, application.bot)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise NotAnUpdate(f"malformed update {update_id} ({type(exc).__name__}: {exc})") from None
    if update is None:  # pragma: no cover - de_json gives None only for an empty body
        raise NotAnUpdate("empty update")
    return update


def add_webhook_route(
    web_app: web.Application,
    application: AnyApplication,
    settings: Settings,
    accepting: Callable[[], bool] = lambda: True,
) -> None:
    """Telegram posts updates here; the secret token header proves it is Telegram. A standby
    instance answers 503 (Telegram retries later; the reverse proxy should fail over)."""

    expected = (settings.webhook_secret or "").encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        if not accepting():
            return web.Response(status=503, text="standby")
        try:
            update = parse_update(await request.read(), application)
        except NotAnUpdate as exc:
            log.warning("webhook: refused a post that is not a Telegram update: %.300s", exc)
            return web.Response(status=400)
        await application.update_queue.put(update)
        return web.Response()

    web_app.router.add_post(WEBHOOK_PATH, receive)


__all__ = ["WEBHOOK_PATH", "NotAnUpdate", "add_webhook_route", "parse_update"]
