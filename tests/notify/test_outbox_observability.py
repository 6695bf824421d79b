"""The outbox's deliveries and failures as metrics, and one log event per failed notification."""

from __future__ import annotations

import pytest
from telegram.ext import ExtBot

from bot.metrics import METRICS
from bot.services.context import ServiceContext
from tests.fakebot import FakeBotApi
from tests.notify.support import FakeTime, add, make_dispatcher
from tests.support.logs import bot_logging

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def counted(name: str, kind: str) -> float:
    return METRICS.registry.get_sample_value(f"{name}_total", {"kind": kind}) or 0.0


async def test_deliveries_and_failures_are_counted_and_the_failure_logged(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    delivered = counted("contractbot_notifications_delivered", "test")
    failed = counted("contractbot_notifications_failed", "test")
    api.block_chat(103)
    ids = [await add(sqlite_ctx, chat, f"oi {chat}") for chat in (101, 102, 103)]

    with bot_logging("json") as captured:
        assert await make_dispatcher(sqlite_ctx, bot, fake_time).run_once() == 2

    assert counted("contractbot_notifications_delivered", "test") == delivered + 2
    assert counted("contractbot_notifications_failed", "test") == failed + 1
    [event] = captured.events()
    assert event["event"] == "notification.failed"
    assert (event["notification_id"], event["kind"], event["chat_id"]) == (ids[2], "test", 103)
    assert event["level"] == "WARNING"
