"""The daily digest, with a fake clock: who gets what, nothing for someone with nothing to
report, once a day (also across a restart and with two instances), the time boundary, and a
Telegram error while sending (the outbox retries; nothing is lost)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, time
from typing import Any

from bot.app import Core
from bot.jobs import schedule_background
from bot.services.context import ServiceContext
from bot.services.digest import DigestPolicy, queue_digest
from bot.services.staff import deactivate
from storage.db import create_engine, session_factory
from storage.uow import uow_factory
from tests.conversations.actions_helpers import (
    OPERATOR2_ID,
    OPERATOR_ID,
    TECHNICIAN_ID,
    active_contracts,
    make_action,
    rows,
    scalar,
)
from tests.conversations.conftest import BotEnv
from tests.conversations.notif_helpers import deliver
from tests.support.clock import FakeClock

GROUP_ID = -1001234500000
POLICY = DigestPolicy(time(8, 0), stale_days=3, group_chat_id=GROUP_ID)
# 27/11/2026 08:00 in São Paulo (UTC-3); the fake clock starts on 20/11 at 10:00 there.
DIGEST_AT = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)


def digests(env: BotEnv) -> list[dict[str, Any]]:
    return rows(env, "SELECT * FROM notifications WHERE kind = 'digest' ORDER BY id")


def name_of(env: BotEnv, contract: Any) -> str:
    return str(scalar(env, "SELECT name FROM clients WHERE id = ?", contract.client_id))


async def three_actions(env: BotEnv) -> dict[str, Any]:
    """20/11: Bruno's action whose link expires on 27/11 at 10:00; 22/11: Patrícia's with a
    web link and a ticket; 26/11: Patrícia's with no gates (ready)."""
    c = await active_contracts(env, limit=3)
    expiring, _ = await make_action(env, c[0], by=OPERATOR2_ID, with_ticket=False)
    env.clock.advance(days=2)
    old, _ = await make_action(env, c[1])
    env.clock.advance(days=4)
    ready, _ = await make_action(
        env, c[2], channel=None, require_acceptance=False, with_ticket=False, loyalty_months=None
    )
    return {"expiring": expiring, "old": old, "ready": ready, "contracts": c}


def with_group(env: BotEnv) -> Any:
    services = env.app.bot_data["app"]
    services.settings = replace(services.settings, staff_group_chat_id=GROUP_ID)
    return env.api.group(GROUP_ID, "Equipe Provedor")


async def test_each_owner_gets_their_own_items_and_the_group_everything(env: BotEnv) -> None:
    made = await three_actions(env)
    c = made["contracts"]
    old, ready, expiring = made["old"], made["ready"], made["expiring"]
    group = with_group(env)
    op = env.user(OPERATOR_ID, "Patrícia")
    op2 = env.user(OPERATOR2_ID, "Bruno")
    marcos = env.user(TECHNICIAN_ID, "Marcos")
    admin = await env.add_admin()
    await deliver(env)  # the ticket assignment to Marcos, out of the way
    before = {u: len(u.chat.messages) for u in (op, op2, marcos, admin)}
    env.clock.now = DIGEST_AT

    assert await queue_digest(env.ctx, POLICY) == 3
    assert await deliver(env) == 3

    (mine,) = op.chat.messages[before[op] :]
    assert (mine.text or "").splitlines() == [
        "☀️ Resumo do dia · 27/11",
        "",
        "✅ Prontas para finalizar (1)",
        f"• #{ready.action.id} · {c[2].number} · {name_of(env, c[2])}",
        "",
        "⏸️ Paradas há mais de 3 dias (1)",
        f"• #{old.action.id} · {c[1].number} · {name_of(env, c[1])}",
        "    ⏳🛠️ · 4 d",
        "",
        "🛠️ Atendimentos abertos há mais de 1 dia (1)",
        f"• 🛠️ #{old.ticket.id} · {c[1].number} · {name_of(env, c[1])}",
        "    4 d · Marcos",
    ]
    assert mine.button_texts() == ["⏳ Ver minhas pendências"]
    (theirs,) = op2.chat.messages[before[op2] :]
    assert (theirs.text or "").splitlines() == [
        "☀️ Resumo do dia · 27/11",
        "",
        "⏸️ Paradas há mais de 3 dias (1)",
        f"• #{expiring.action.id} · {c[0].number} · {name_of(env, c[0])}",
        "    ⏳ · 6 d",
        "",
        "⌛ Links de aceite vencendo em 24 h (1)",
        f"• #{expiring.action.id} · {c[0].number} · {name_of(env, c[0])}",
        "    vence 27/11 10:00",
    ]
    (team,) = group.messages
    assert (team.text or "").splitlines() == [
        "☀️ Resumo do dia · 27/11",
        "",
        "✅ Prontas para finalizar (1)",
        f"• #{ready.action.id} · {c[2].number} · {name_of(env, c[2])}",
        "    Patrícia",
        "",
        "⏸️ Paradas há mais de 3 dias (2)",
        f"• #{expiring.action.id} · {c[0].number} · {name_of(env, c[0])}",
        "    ⏳ · 6 d · Bruno",
        f"• #{old.action.id} · {c[1].number} · {name_of(env, c[1])}",
        "    ⏳🛠️ · 4 d · Patrícia",
        "",
        "⌛ Links de aceite vencendo em 24 h (1)",
        f"• #{expiring.action.id} · {c[0].number} · {name_of(env, c[0])}",
        "    vence 27/11 10:00 · Bruno",
        "",
        "🛠️ Atendimentos abertos há mais de 1 dia (1)",
        f"• 🛠️ #{old.ticket.id} · {c[1].number} · {name_of(env, c[1])}",
        "    4 d · Marcos",
    ]
    assert team.buttons == []
    # Nothing to report, nothing sent: the technician and the admin own no action.
    assert len(marcos.chat.messages) == before[marcos]
    assert len(admin.chat.messages) == before[admin]

    # The owner's button opens their own list.
    await op.tap(env.app, "⏳ Ver minhas pendências", mine.message_id)
    assert (op.chat.last.text or "").startswith("⏳ Ações pendentes · Minhas")  # type: ignore[union-attr]


async def test_nothing_before_the_time_then_once_that_day_then_again_the_next(
    env: BotEnv,
) -> None:
    await three_actions(env)
    env.clock.now = DIGEST_AT.replace(hour=10, minute=59)  # 07:59 in São Paulo
    assert await queue_digest(env.ctx, POLICY) is None
    assert digests(env) == []
    env.clock.advance(minutes=1)  # 08:00
    assert await queue_digest(env.ctx, POLICY) == 3
    env.clock.advance(hours=14)  # 22:00, still the same day there
    assert await queue_digest(env.ctx, POLICY) is None
    assert len(digests(env)) == 3
    env.clock.advance(hours=2)  # 00:00 on the 28th: not yet 08:00
    assert await queue_digest(env.ctx, POLICY) is None
    env.clock.advance(hours=8)
    assert await queue_digest(env.ctx, POLICY) == 3
    assert len(digests(env)) == 6


async def test_off_sends_nothing(env: BotEnv) -> None:
    await three_actions(env)
    env.clock.now = DIGEST_AT
    assert await queue_digest(env.ctx, replace(POLICY, at=None)) is None
    assert digests(env) == []


async def test_with_nothing_pending_nobody_gets_a_digest(env: BotEnv) -> None:
    env.clock.now = DIGEST_AT
    assert await queue_digest(env.ctx, POLICY) == 0
    assert digests(env) == []
    assert scalar(env, "SELECT count(*) FROM bot_state WHERE namespace = 'digest'") == 1


def second_instance(env: BotEnv, clock: FakeClock) -> Core:
    """Another process on the same database (a restart, or the standby)."""
    engine = create_engine(env.core.settings.database_url)
    ctx = ServiceContext(uow=uow_factory(session_factory(engine)), clock=clock)
    return Core(env.core.settings, engine, ctx)


async def test_once_a_day_across_a_restart_and_two_instances(env: BotEnv) -> None:
    await three_actions(env)
    env.clock.now = DIGEST_AT
    other = second_instance(env, env.clock)
    try:
        both = await asyncio.gather(queue_digest(env.ctx, POLICY), queue_digest(other.ctx, POLICY))
        assert sorted(both, key=str) == [3, None]
        assert len(digests(env)) == 3
        env.clock.advance(hours=1)  # the bot restarted: a new process, the same day
        restarted = second_instance(env, env.clock)
        try:
            assert await queue_digest(restarted.ctx, POLICY) is None
        finally:
            await restarted.close()
    finally:
        await other.close()
    assert len(digests(env)) == 3


async def queued_for_both_owners(env: BotEnv) -> tuple[Any, int]:
    """Patrícia's and Bruno's digests queued (no group); Patrícia and how many messages she
    had before them."""
    await three_actions(env)
    op = env.user(OPERATOR_ID, "Patrícia")
    env.user(OPERATOR2_ID, "Bruno")
    env.user(TECHNICIAN_ID, "Marcos")
    await deliver(env)  # the ticket assignment
    before = len(op.chat.messages)
    env.clock.now = DIGEST_AT
    assert await queue_digest(env.ctx, replace(POLICY, group_chat_id=None)) == 2
    return op, before


async def test_a_telegram_error_is_retried_and_nothing_is_lost(env: BotEnv) -> None:
    op, before = await queued_for_both_owners(env)
    env.api.inject_fault("sendMessage", status=500, chat_id=OPERATOR_ID, times=1)

    assert await deliver(env) == 1  # Bruno's went out; Patrícia's waits for its retry
    [failed] = [d for d in digests(env) if d["chat_id"] == OPERATOR_ID]
    assert failed["status"] == "pending" and failed["attempts"] == 1
    assert len(op.chat.messages) == before
    env.clock.advance(minutes=5)
    assert await deliver(env) == 1
    assert [d["status"] for d in digests(env)] == ["sent", "sent"]
    (got,) = op.chat.messages[before:]
    assert (got.text or "").startswith("☀️ Resumo do dia · 27/11")


async def test_the_digest_speaks_the_owners_language(env: BotEnv) -> None:
    await three_actions(env)
    async with env.ctx.uow() as uow:
        owner = await uow.staff.by_telegram_id(OPERATOR_ID)
        assert owner is not None
        await uow.staff.update(replace(owner, locale="en"))
        await uow.commit()
    op = env.user(OPERATOR_ID, "Patricia", language_code="en")
    env.user(OPERATOR2_ID, "Bruno")
    env.clock.now = DIGEST_AT
    await queue_digest(env.ctx, replace(POLICY, group_chat_id=None))
    await deliver(env)
    assert (op.chat.last.text or "").splitlines()[:3] == [  # type: ignore[union-attr]
        "☀️ Daily summary · 27/11",
        "",
        "✅ Ready to finalize (1)",
    ]
    assert op.chat.last.button_texts() == ["⏳ See my pending actions"]  # type: ignore[union-attr]


async def test_a_long_section_shows_eight_and_counts_the_rest(env: BotEnv) -> None:
    for contract in await active_contracts(env, limit=11):
        await make_action(
            env,
            contract,
            channel=None,
            require_acceptance=False,
            with_ticket=False,
            loyalty_months=None,
        )
    op = env.user(OPERATOR_ID, "Patrícia")
    env.clock.now = DIGEST_AT
    assert await queue_digest(env.ctx, replace(POLICY, group_chat_id=None)) == 1
    assert await deliver(env) == 1
    lines = (op.chat.last.text or "").splitlines()  # type: ignore[union-attr]
    assert lines[2] == "✅ Prontas para finalizar (11)"
    assert len([line for line in lines if line.startswith("• #")]) == 8
    assert lines[-1] == "… e mais 3"


async def digest_jobs_run(env: BotEnv, core: Core) -> int:
    """Start the active instance's background work, run its digest job once (what the
    JobQueue does each minute), stop; how many digest jobs there were."""
    queue = env.app.job_queue
    assert queue is not None
    stop = asyncio.Event()
    outbox = schedule_background(env.app, core, stop)
    try:
        jobs = queue.get_jobs_by_name("daily-digest")
        for job in jobs:
            await job.callback(None)
    finally:
        stop.set()
        await outbox
        for job in queue.jobs():
            job.schedule_removal()
    return len(jobs)


async def test_the_active_instance_runs_the_digest_job_unless_it_is_off(env: BotEnv) -> None:
    await three_actions(env)
    env.clock.now = DIGEST_AT
    off = replace(env.core, settings=replace(env.core.settings, digest_time=None))
    assert await digest_jobs_run(env, off) == 0
    assert digests(env) == []
    assert await digest_jobs_run(env, env.core) == 1  # DIGEST_TIME 08:00 by default
    assert {d["chat_id"] for d in digests(env)} == {OPERATOR_ID, OPERATOR2_ID}


async def test_someone_deactivated_after_the_digest_was_queued_does_not_receive_it(
    env: BotEnv,
) -> None:
    op, before = await queued_for_both_owners(env)
    await deactivate(env.ctx, None, OPERATOR_ID)

    await deliver(env)
    assert len(op.chat.messages) == before
    assert {d["chat_id"]: d["status"] for d in digests(env)}[OPERATOR2_ID] == "sent"
    assert {d["chat_id"]: d["status"] for d in digests(env)}[OPERATOR_ID] != "sent"
