"""When the change starts, in the chat: the wizard's "Quando vale a mudança?" with each option
and bad dates, the next invoice on the review and the card, finalizing into a scheduled change,
the contract card's 📅 line and Cancelar agendamento, and the job applying it on the date."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path as FsPath

import pytest

from bot.domain.models import ActionStatus
from bot.jobs import schedule_background
from bot.services.scheduled import apply_due
from tests.conversations.actions_helpers import action_row, contract_row, db
from tests.conversations.conftest import BotEnv, start_app, stop_app
from tests.conversations.notif_helpers import deliver
from tests.conversations.wizard_helpers import Path, Wizard, pending_action

# The test clock: 20/11/2026 in São Paulo; contract 10000 is due on day 15, R$ 99,90 a month.


async def to_effective(env: BotEnv, path: Path) -> Wizard:
    w = Wizard(env)
    await w.start()
    await w.walk(path, until="effective")
    return w


async def scheduled_action(env: BotEnv) -> tuple[Wizard, int]:
    """Fibra 500 Mega (R$ 119,90) from the next due date, finalized: scheduled for 15/12."""
    w = Wizard(env)
    await w.start()
    await w.walk(Path(effective="due"))
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None
    await w.press(f"pa:fin:{action.id}")
    await w.press(f"pa:ok:{action.id}")
    return w, action.id


async def test_each_option_sets_the_start(env: BotEnv) -> None:
    w = await to_effective(env, Path())
    assert "• Ao finalizar (padrão para Upgrade)\n• No próximo vencimento (15/12)" in w.text
    await w.tap("Vencimento 15/12")
    assert w.draft["effective"] == "2026-12-15"
    await w.tap("⬅️ Voltar")
    assert "✅ Vencimento 15/12" in w.buttons
    await w.tap("Ao finalizar")
    assert w.draft["effective"] == "now"
    await w.tap("⬅️ Voltar")
    await w.type("05/12/2026")
    assert w.draft["effective"] == "2026-12-05"
    w.assert_at("ticket")
    await w.tap("⬅️ Voltar")
    assert "Escolhido: a partir de 05/12/2026" in w.text


async def test_bad_dates_are_refused_and_the_step_asks_again(env: BotEnv) -> None:
    w = await to_effective(env, Path())
    for typed, says in [
        ("31/02/2027", "⚠️ Não entendi a data. Digite no formato dd/mm/aaaa"),
        ("amanhã", "⚠️ Não entendi a data."),
        ("19/11/2026", "⚠️ Essa data já passou."),
        ("19/02/2027", "⚠️ A data pode estar no máximo 90 dias à frente."),
    ]:
        await w.type(typed)
        assert says in w.text, typed
        w.assert_at("effective")
        assert w.draft.get("effective") is None
    await w.type("18/02/2027")  # the 90th day is allowed
    w.assert_at("ticket")


async def test_review_and_card_show_the_next_invoice(env: BotEnv) -> None:
    w = await to_effective(env, Path())
    await w.type("30/11/2026")  # cycle 15/11–15/12: 15 days old, 15 days new
    await w.walk(Path(), start="ticket")
    assert "Vale: a partir de 30/11/2026" in w.text
    assert "🧾 Próxima fatura (ciclo 15/11/2026 a 15/12/2026)" in w.text
    assert "15 dias no valor atual: R$\u00a049,95" in w.text
    assert "15 dias no novo valor: R$\u00a059,95" in w.text
    assert "Total: R$\u00a0109,90" in w.text
    await w.finish()
    assert "📅 Vale: a partir de 30/11/2026" in w.text  # the action card
    assert "Total: R$\u00a0109,90" in w.text


async def test_finalize_schedules_and_the_contract_card_says_so(env: BotEnv) -> None:
    w, action_id = await scheduled_action(env)
    assert "Mudança agendada: o contrato 10000 muda em 15/12/2026." in w.text
    assert "📅 Mudança agendada: Fibra 500 Mega a partir de 15/12" in w.text
    assert "✖️ Cancelar agendamento" in w.buttons
    assert action_row(env, action_id)["status"] == ActionStatus.SCHEDULED.value
    assert contract_row(env, w.contract_id)["version"] == 1  # nothing applied yet

    await w.tap(f"📅 Abrir ação agendada #{action_id}")
    assert "📅 agendada" in w.text and "Agendada: o contrato muda em 15/12/2026" in w.text

    env.clock.now = datetime(2026, 12, 15, 3, 0, tzinfo=UTC)  # 00:00 of 15/12 in São Paulo
    await apply_due(env.core.ctx)
    row = contract_row(env, w.contract_id)
    assert row["version"] == 2 and row["value_cents"] == 11990
    assert action_row(env, action_id)["status"] == ActionStatus.FINALIZED.value
    assert await deliver(env) == 1  # the owner is told, with the updated contract
    news, pdf = w.op.chat.messages[-2:]
    assert (
        f"📅 A mudança agendada da ação #{action_id} foi aplicada: o contrato 10000 está "
        "atualizado" in (news.text or "")
    )
    assert pdf.document is not None and pdf.document.data.startswith(b"%PDF")
    assert (pdf.document.file_name or "").endswith(".pdf")
    assert "10000" in (pdf.text or "")
    await w.press(f"pa:c:{action_id}")  # 📋 Ver ação → the contract → 🕘 Histórico
    await w.press(f"ct:c:{w.contract_id}")
    await w.press(f"ct:h:{w.contract_id}")  # requested, effective and applied
    history = "\n".join(m.text or "" for m in w.op.chat.messages[-3:])
    assert (
        "📅 Pedida em 20/11/2026 10:00 · vale a partir de 15/12/2026 · aplicada em 15/12/2026 00:00"
        in history
    ), history


async def test_a_contract_changed_meanwhile_is_not_overwritten_and_the_owner_is_told(
    env: BotEnv,
) -> None:
    w, action_id = await scheduled_action(env)
    with db(env) as conn:  # e.g. an import updated the contract after the scheduling
        conn.execute(
            "UPDATE contracts SET version = 2, value_cents = 5000 WHERE id = ?", (w.contract_id,)
        )
    env.clock.now = datetime(2026, 12, 15, 3, 0, tzinfo=UTC)
    await apply_due(env.core.ctx)
    assert contract_row(env, w.contract_id)["value_cents"] == 5000
    assert await deliver(env) == 1
    assert f"⚠️ A mudança agendada da ação #{action_id} (contrato 10000) não foi aplicada" in w.text
    assert "Mudança agendada não aplicada: o contrato foi alterado por outra ação" in w.text


async def test_cancelar_agendamento_asks_a_reason_and_keeps_the_contract(env: BotEnv) -> None:
    w, action_id = await scheduled_action(env)
    await w.tap("✖️ Cancelar agendamento")
    await w.type("Cliente desistiu da troca")
    row = action_row(env, action_id)
    assert row["status"] == ActionStatus.CANCELLED.value
    assert row["cancel_reason"] == "Cliente desistiu da troca"
    await w.press(f"ct:c:{w.contract_id}")
    assert "Mudança agendada" not in w.text
    env.clock.now = datetime(2026, 12, 15, 3, 0, tzinfo=UTC)
    assert await apply_due(env.core.ctx) == []
    assert contract_row(env, w.contract_id)["version"] == 1


@pytest.fixture
async def restarted_apps() -> AsyncIterator[list[BotEnv]]:
    """Apps a test started after stopping the first one; stopped at the end."""
    started: list[BotEnv] = []
    yield started
    for bot_env in started:
        await stop_app(bot_env)


async def test_a_bot_off_at_midnight_applies_the_change_when_it_comes_back(
    env: BotEnv, tmp_path: FsPath, restarted_apps: list[BotEnv]
) -> None:
    w, action_id = await scheduled_action(env)
    env.clock.now = datetime(2026, 12, 15, 2, 0, tzinfo=UTC)  # 23:00 of 14/12: stopped
    await stop_app(env)
    env.clock.now = datetime(2026, 12, 16, 12, 0, tzinfo=UTC)  # back on 16/12 at 09:00
    new = await start_app(env.api, env.db_path, tmp_path, env.clock)
    restarted_apps.append(new)
    w.env = new
    assert contract_row(new, w.contract_id)["version"] == 1

    stop = asyncio.Event()
    outbox = schedule_background(new.app, new.core, stop)
    try:
        assert new.app.job_queue is not None
        [job] = new.app.job_queue.get_jobs_by_name("scheduled-changes")
        await job.callback(None)  # what the active instance runs first, seconds after start
    finally:
        stop.set()
        await outbox
        for pending in new.app.job_queue.jobs() if new.app.job_queue else ():
            pending.schedule_removal()
    row = contract_row(new, w.contract_id)
    assert row["version"] == 2 and row["value_cents"] == 11990
    assert action_row(new, action_id)["status"] == ActionStatus.FINALIZED.value
    async with new.core.ctx.uow() as uow:
        [revision] = await uow.revisions.for_contract(w.contract_id, limit=1)
        action = await uow.actions.get(action_id)
    assert revision.action_id == action_id
    assert action is not None and action.applied_at == new.clock.now  # when it came back
    assert action.change.effective_on == date(2026, 12, 15)  # the effective date is kept


async def test_a_downgrade_offers_the_next_due_date_first(env: BotEnv) -> None:
    w = await to_effective(env, Path(value="89,90"))  # less than today's R$ 99,90
    assert "• No próximo vencimento (15/12) (padrão para Downgrade)\n• Ao finalizar" in w.text
    assert w.buttons[:2] == ["Vencimento 15/12", "Ao finalizar"]


async def test_a_single_day_reads_1_dia(env: BotEnv) -> None:
    w = await to_effective(env, Path())
    await w.type("14/12/2026")  # cycle 15/11–15/12: 29 days old, 1 day new
    await w.walk(Path(), start="ticket")
    assert "29 dias no valor atual:" in w.text
    assert "1 dia no novo valor:" in w.text and "1 dias" not in w.text
