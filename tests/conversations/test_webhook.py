"""Webhook mode: Telegram's POSTs reach the application only with the secret token."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.web import build_web_app
from bot.web.webhook import WEBHOOK_PATH, add_webhook_route
from tests.conversations.conftest import OPERATOR_ID, BotEnv


async def test_webhook_requires_the_secret_and_queues_updates(env: BotEnv) -> None:
    settings = replace(env.core.settings, webhook_secret="s3cret-token")
    web_app = web.Application()
    add_webhook_route(web_app, env.app, settings)
    update = env.user(OPERATOR_ID).text_update("/start")
    async with TestClient(TestServer(web_app)) as client:
        refused = await client.post(WEBHOOK_PATH, json=update)
        wrong = await client.post(
            WEBHOOK_PATH, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
        )
        assert env.app.update_queue.empty()
        accepted = await client.post(
            WEBHOOK_PATH, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
        )
    assert (refused.status, wrong.status, accepted.status) == (403, 403, 200)
    queued = env.app.update_queue.get_nowait()
    assert queued.message is not None and queued.message.text == "/start"


async def test_webhook_without_a_secret_refuses_everything(env: BotEnv) -> None:
    """``run --webhook`` always sets a secret; a route built without one must not be open."""
    web_app = web.Application()
    add_webhook_route(web_app, env.app, replace(env.core.settings, webhook_secret=None))
    update = env.user(OPERATOR_ID).text_update("/start")
    async with TestClient(TestServer(web_app)) as client:
        response = await client.post(WEBHOOK_PATH, json=update)
    assert response.status == 403 and env.app.update_queue.empty()


@pytest.mark.parametrize(
    "body",
    [
        b'{"update_id": 1, "message": ',  # cut off: invalid JSON
        b"\xff\xfe not utf-8",
        b"[1, 2, 3]",  # JSON, but not an update
        b'{"hello": "world"}',
        b'{"update_id": "7"}',
        b'{"update_id": 8, "message": "not a message"}',
        b"null",
    ],
)
async def test_webhook_with_a_body_that_is_no_update_answers_400_with_one_log_line(
    env: BotEnv, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Right secret, wrong body: the sender's mistake, so 400 and one line, never a 500 with a
    traceback (the web app's error page would otherwise catch it)."""
    settings = replace(env.core.settings, webhook_secret="s3cret-token")
    web_app = build_web_app(env.ctx, settings)
    add_webhook_route(web_app, env.app, settings)
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
    with caplog.at_level(logging.INFO):
        async with TestClient(TestServer(web_app)) as client:
            response = await client.post(WEBHOOK_PATH, data=body, headers=headers)
    assert response.status == 400
    assert env.app.update_queue.empty()
    complaints = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(complaints) == 1, [r.getMessage() for r in complaints]
    assert complaints[0].name == "bot.web.webhook" and complaints[0].exc_info is None
    assert "not a Telegram update" in complaints[0].getMessage()
