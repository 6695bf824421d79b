"""Webhook mode: Telegram's POSTs reach the application only with the secret token."""

from __future__ import annotations

from dataclasses import replace

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import WEBHOOK_PATH, _add_webhook_route
from tests.conversations.conftest import OPERATOR_ID, BotEnv


async def test_webhook_requires_the_secret_and_queues_updates(env: BotEnv) -> None:
    settings = replace(env.core.settings, webhook_secret="s3cret-token")
    web_app = web.Application()
    _add_webhook_route(web_app, env.app, settings)
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
    _add_webhook_route(web_app, env.app, replace(env.core.settings, webhook_secret=None))
    update = env.user(OPERATOR_ID).text_update("/start")
    async with TestClient(TestServer(web_app)) as client:
        response = await client.post(WEBHOOK_PATH, json=update)
    assert response.status == 403 and env.app.update_queue.empty()
