"""Updates handled and handler latency, counted per flow by the application the bot runs."""

from __future__ import annotations

from bot.metrics import METRICS
from tests.conversations.actions_helpers import OPERATOR_ID
from tests.conversations.conftest import BotEnv
from tests.conversations.wizard_helpers import Wizard

STRANGER_ID = 555000111


def handled(flow: str, outcome: str = "ok") -> float:
    labels = {"flow": flow, "outcome": outcome}
    return METRICS.registry.get_sample_value("contractbot_updates_handled_total", labels) or 0.0


def timed(flow: str) -> float:
    labels = {"flow": flow}
    return METRICS.registry.get_sample_value("contractbot_handler_seconds_count", labels) or 0.0


async def test_each_answered_update_is_counted_under_its_flow(env: BotEnv) -> None:
    menu, search, menu_timed = handled("menu"), handled("screens"), timed("menu")
    wizard = handled("plan_update")
    op = env.user(OPERATOR_ID, "Patrícia")

    await op.send(env.app, "/start")
    assert (handled("menu"), timed("menu")) == (menu + 1, menu_timed + 1)

    (reply, *_) = await op.send(env.app, "Lucas")  # typed text searches clients
    assert "Lucas" in (reply.text or "")
    assert handled("screens") == search + 1  # typed-text search
    assert handled("menu") == menu + 1
    assert handled("plan_update") == wizard


async def test_updates_the_gate_refuses_are_not_a_flow(env: BotEnv) -> None:
    before = {
        s.labels["flow"]: s.value
        for s in METRICS.updates.collect()[0].samples
        if s.name.endswith("_total")
    }
    await env.user(STRANGER_ID, "Zé").send(env.app, "/start")
    after = {
        s.labels["flow"]: s.value
        for s in METRICS.updates.collect()[0].samples
        if s.name.endswith("_total")
    }
    assert after == before


async def test_wizard_steps_count_under_the_conversation(env: BotEnv) -> None:
    wizard = handled("plan_update")
    w = Wizard(env)
    await w.start_from_card()
    after_start = handled("plan_update")
    assert after_start > wizard  # the entry point (the card's button) belongs to the wizard
    await w.tap("Link web")
    assert handled("plan_update") == after_start + 1
