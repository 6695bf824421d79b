"""Notifications are written when something happens and composed when delivered: one whose news
was overtaken before delivery (a ticket cancelled seconds after it was assigned, a reminder for
an acceptance already answered) is not sent and is marked skipped with the reason."""

from __future__ import annotations

from bot.services.acceptance import decide_by_token, remind_pending
from bot.services.plan_update import cancel_action
from bot.services.tickets import take_ticket
from tests.conversations.actions_helpers import staff_id
from tests.conversations.notif_helpers import (
    OPERATOR2_ID,
    OPERATOR_ID,
    TECHNICIAN_ID,
    deliver,
    make_action,
    outbox,
)
from tests.conversations.test_notifications_flow import DOC_SHA, WEB, lines


async def test_ticket_cancelled_before_delivery_is_not_announced(env) -> None:  # type: ignore[no-untyped-def]
    created, _ = await make_action(env)  # a ticket for Marcos, not yet delivered
    marcos = env.user(TECHNICIAN_ID, "Marcos")
    op = env.user(OPERATOR_ID, "Patrícia")
    await cancel_action(
        env.ctx, await staff_id(env, OPERATOR2_ID), created.action.id, "Cliente desistiu"
    )

    await deliver(env)

    assert marcos.chat.messages == []  # neither "Novo atendimento" nor "cancelado"
    rows = {r["kind"]: r for r in outbox(env) if r["chat_id"] == TECHNICIAN_ID}
    assert rows["ticket_assigned"]["status"] == "skipped"
    assert rows["ticket_assigned"]["last_error"] == (
        f"superseded: ticket #{created.ticket.id} is cancelled"
    )
    assert rows["ticket_cancelled"]["status"] == "skipped"
    assert rows["ticket_cancelled"]["last_error"] == (
        f"superseded: the assignee was never told about ticket #{created.ticket.id}"
    )
    assert lines(op.chat.last)[0].startswith(f"🔔 A ação #{created.action.id}")  # still told
    assert await deliver(env) == 0  # skipped rows are done with


async def test_ticket_delivered_then_cancelled_is_announced_both_times(env) -> None:  # type: ignore[no-untyped-def]
    created, _ = await make_action(env)
    marcos = env.user(TECHNICIAN_ID, "Marcos")
    assert await deliver(env) == 1
    await cancel_action(
        env.ctx, await staff_id(env, OPERATOR2_ID), created.action.id, "Cliente desistiu"
    )

    await deliver(env)

    assert [lines(m)[0] for m in marcos.chat.messages] == [
        f"🛠️ Novo atendimento #{created.ticket.id} para você",
        f"✖️ Atendimento #{created.ticket.id} cancelado",
    ]
    assert "Cliente desistiu" not in (marcos.chat.messages[0].text or "")


async def test_ticket_taken_by_hand_is_still_told_when_cancelled(env) -> None:  # type: ignore[no-untyped-def]
    """No assignment message was ever queued: the cancellation is news and goes out."""
    created, _ = await make_action(env, assignee=None)
    marcos = env.user(TECHNICIAN_ID, "Marcos")
    await take_ticket(env.ctx, await staff_id(env, TECHNICIAN_ID), created.ticket.id)
    await cancel_action(
        env.ctx, await staff_id(env, OPERATOR2_ID), created.action.id, "Cliente desistiu"
    )

    await deliver(env)

    assert [lines(m)[0] for m in marcos.chat.messages] == [
        f"✖️ Atendimento #{created.ticket.id} cancelado"
    ]


async def test_reminder_for_an_answered_acceptance_is_skipped(env) -> None:  # type: ignore[no-untyped-def]
    created, contract = await make_action(env, with_ticket=False, require_ticket_closed=False)
    op = env.user(OPERATOR_ID, "Patrícia")
    env.clock.advance(days=2)
    assert await remind_pending(env.ctx, env.ctx.acceptance_ttl / 7) == 1
    assert created.token
    await decide_by_token(
        env.ctx, created.token, accept=True, evidence=WEB, document_sha256=DOC_SHA
    )

    await deliver(env)

    assert [lines(m)[0] for m in op.chat.messages] == [
        f"🔔 O cliente aceitou a ação #{created.action.id} (contrato {contract.number})"
    ]
    (reminder,) = outbox(env, "acceptance_reminder")
    assert reminder["status"] == "skipped"
    assert reminder["last_error"] == "superseded: the acceptance is no longer pending"
