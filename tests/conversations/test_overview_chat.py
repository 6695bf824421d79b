"""/pendentes as the team overview: one row per pending or scheduled action with what holds it
up (icons by blocker group), its age and owner; filters Minhas / Todas / Paradas; pages; a
row opens the action card; the list costs the same number of queries for 1 or 30 actions."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.domain.models import AcceptanceChannel
from bot.services.operations import pending_by_blocker
from bot.services.pending import pending_actions
from bot.services.plan_update import create_plan_update, finalize_action
from tests.conversations.actions_helpers import (
    OPERATOR2_ID,
    OPERATOR_ID,
    active_contracts,
    db,
    last_alert,
    make_action,
    scalar,
    staff_id,
)
from tests.conversations.conftest import BotEnv
from tests.fakebot.models import SentMessage
from tests.support.builders import plan_change
from tests.support.db import sql_statements

NO_GATES: dict[str, Any] = {
    "channel": None,
    "require_acceptance": False,
    "with_ticket": False,
    "loyalty_months": None,
}


def item_lines(msg: SentMessage) -> list[str]:
    """The list's rows, two lines per action (who and what; then why, how old, whose), after
    the title, the count and the legend."""
    lines = (msg.text or "").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(("⭐ #", "• #")))
    return lines[first:]


def listed_ids(msg: SentMessage) -> list[int]:
    return [int(line.split("#")[1].split(" ")[0]) for line in item_lines(msg)[::2]]


async def scheduled_action(env: BotEnv, contract: Any, days_ahead: int = 5) -> int:
    """A plan change finalized with an effective date ``days_ahead`` days from today."""
    actor = await staff_id(env, OPERATOR_ID)
    change = await plan_change(env.ctx, contract, **NO_GATES)
    change = replace(change, effective_on=env.ctx.today() + timedelta(days=days_ahead))
    created = await create_plan_update(env.ctx, actor, contract.id, change)
    result = await finalize_action(env.ctx, actor, created.action.id)
    assert result.scheduled
    return created.action.id


def bump_contract_version(env: BotEnv, contract_id: int) -> None:
    """Someone changed the contract behind the action's back."""
    con = db(env)
    with con:
        con.execute("UPDATE contracts SET version = version + 1 WHERE id = ?", (contract_id,))
    con.close()


async def test_each_row_shows_its_blockers_age_and_owner(env: BotEnv) -> None:
    c = await active_contracts(env, limit=5)
    both, _ = await make_action(env, c[0])  # web acceptance + ticket to close
    env.clock.advance(days=2, hours=1)
    ticket_only, _ = await make_action(
        env, c[1], by=OPERATOR2_ID, channel=None, require_acceptance=False, loyalty_months=None
    )
    env.clock.advance(hours=20)
    ready, _ = await make_action(env, c[2], **NO_GATES)
    changed, _ = await make_action(env, c[3], by=OPERATOR2_ID, **NO_GATES)
    bump_contract_version(env, c[3].id)
    env.clock.advance(hours=5, minutes=30)
    scheduled = await scheduled_action(env, c[4])
    env.clock.advance(minutes=12)

    op = env.user(OPERATOR_ID, "Patrícia")
    (msg,) = await op.send(env.app, "/pendentes")
    lines = (msg.text or "").splitlines()
    assert lines[:5] == [
        "⏳ Ações pendentes · Todas",
        "5 ações · página 1 de 1",
        "⭐ suas · ⏳ aceite do cliente",
        "🛠️ atendimento · ⚠️ contrato mudou",
        "✅ pronta · 📅 agendada",
    ]
    due = (env.ctx.today() + timedelta(days=5)).strftime("%d/%m")
    names = [scalar(env, "SELECT name FROM clients WHERE id = ?", x.client_id) for x in c]
    assert lines[5:] == [
        f"⭐ #{both.action.id} · {c[0].number} · {names[0]}",
        "    ⏳🛠️ · há 3 d · Patrícia",
        f"⭐ #{ready.action.id} · {c[2].number} · {names[2]}",
        "    ✅ pronta · há 5 h · Patrícia",
        f"⭐ #{scheduled} · {c[4].number} · {names[4]}",
        f"    📅 agendada {due} · há 12 min · Patrícia",
        f"• #{ticket_only.action.id} · {c[1].number} · {names[1]}",
        "    🛠️ · há 1 d · Bruno",
        f"• #{changed.action.id} · {c[3].number} · {names[3]}",
        "    ⚠️ · há 5 h · Bruno",
    ]

    await op.tap(env.app, lambda label: label.startswith(f"#{scheduled} · "), msg.message_id)
    card = op.chat.message(msg.message_id).text or ""
    assert card.startswith(f"📋 Ação de contrato #{scheduled}")


async def test_filters_minhas_todas_paradas_keep_their_choice_across_pages(env: BotEnv) -> None:
    contracts = await active_contracts(env, limit=13)
    old_mine = [(await make_action(env, c))[0].action.id for c in contracts[:9]]
    old_theirs = (await make_action(env, contracts[9], by=OPERATOR2_ID))[0].action.id
    env.clock.advance(days=3, hours=1)
    new_mine = (await make_action(env, contracts[10]))[0].action.id
    new_theirs = [(await make_action(env, c, by=OPERATOR2_ID))[0].action.id for c in contracts[11:]]
    op = env.user(OPERATOR_ID, "Patrícia")
    (msg,) = await op.send(env.app, "/pendentes")
    assert (msg.text or "").splitlines()[1] == "13 ações · página 1 de 2"

    def listed() -> list[int]:
        return listed_ids(op.chat.message(msg.message_id))

    def filter_buttons() -> list[str]:
        return [label for label, _ in op.chat.message(msg.message_id).buttons[-2]]

    await op.tap(env.app, "Minhas", msg.message_id)
    shown = op.chat.message(msg.message_id)
    assert (shown.text or "").splitlines()[:2] == [
        "⏳ Ações pendentes · Minhas",
        "10 ações · página 1 de 2",
    ]
    assert filter_buttons() == ["• Minhas •", "Todas", "Paradas +3 d"]
    assert listed() == old_mine[:8]
    await op.tap(env.app, "Próxima ▶️", msg.message_id)
    assert listed() == [*old_mine[8:], new_mine]
    assert filter_buttons() == ["• Minhas •", "Todas", "Paradas +3 d"]

    await op.tap(env.app, "Paradas +3 d", msg.message_id)
    assert (op.chat.message(msg.message_id).text or "").splitlines()[:2] == [
        "⏳ Ações pendentes · Paradas há mais de 3 dias",
        "10 ações · página 1 de 2",
    ]
    assert listed() == old_mine[:8]
    await op.tap(env.app, "Próxima ▶️", msg.message_id)
    assert listed() == [old_mine[8], old_theirs]

    await op.tap(env.app, "Todas", msg.message_id)
    assert listed() == old_mine[:8]
    await op.tap(env.app, "Próxima ▶️", msg.message_id)
    assert listed() == [old_mine[8], new_mine, old_theirs, *new_theirs]

    # Bruno's own list has only his.
    op2 = env.user(OPERATOR2_ID, "Bruno")
    (theirs,) = await op2.send(env.app, "/pendentes")
    await op2.tap(env.app, "Minhas", theirs.message_id)
    shown = op2.chat.message(theirs.message_id)
    assert listed_ids(shown) == [old_theirs, *new_theirs]
    assert all(line.startswith("⭐") for line in item_lines(shown)[::2])


async def test_empty_filters_say_so(env: BotEnv) -> None:
    await make_action(env, by=OPERATOR2_ID)
    op = env.user(OPERATOR_ID, "Patrícia")
    (msg,) = await op.send(env.app, "/pendentes")
    await op.tap(env.app, "Minhas", msg.message_id)
    assert op.chat.message(msg.message_id).text == (
        "⏳ Ações pendentes · Minhas\nVocê não tem ações pendentes."
    )
    await op.tap(env.app, "Paradas +3 d", msg.message_id)
    assert op.chat.message(msg.message_id).text == (
        "⏳ Ações pendentes · Paradas há mais de 3 dias\nNenhuma ação parada há mais de 3 dias. 🎉"
    )


async def test_a_button_from_before_the_filters_still_lists(env: BotEnv) -> None:
    created, _ = await make_action(env)
    op = env.user(OPERATOR_ID, "Patrícia")
    (menu,) = await op.send(env.app, "/start")
    await op.tap_data(env.app, menu.message_id, "pa:l:0")
    text = op.chat.message(menu.message_id).text or ""
    assert text.startswith("⏳ Ações pendentes · Todas\n1 ação · página 1 de 1")
    assert f"#{created.action.id} ·" in text


async def test_ações_on_a_contract_with_a_scheduled_change_opens_that_action(
    env: BotEnv,
) -> None:
    (contract,) = await active_contracts(env, limit=1)
    action_id = await scheduled_action(env, contract, days_ahead=10)
    due = (env.ctx.today() + timedelta(days=10)).strftime("%d/%m/%Y")
    op = env.user(OPERATOR_ID, "Patrícia")
    (menu,) = await op.send(env.app, "/start")
    # An Ações button from before the change was scheduled (the card no longer offers it).
    await op.tap_data(env.app, menu.message_id, f"ct:a:{contract.id}")
    assert last_alert(env, OPERATOR_ID) == (
        f"Este contrato tem uma mudança agendada para {due}: abrindo a ação."
    )
    card = op.chat.message(menu.message_id).text or ""
    assert card.startswith(f"📋 Ação de contrato #{action_id}")
    # And the wizard's own entry (Atualização de plano) says the same.
    await op.tap_data(env.app, menu.message_id, f"pu:go:{contract.id}")
    assert last_alert(env, OPERATOR_ID).startswith("Este contrato tem uma mudança agendada")


# --------------------------------------------------------------------------- query count


async def test_the_list_and_the_metrics_cost_the_same_queries_for_1_or_30_actions(
    env: BotEnv,
) -> None:
    contracts = await active_contracts(env, limit=30)
    assert len(contracts) == 30
    op = env.user(OPERATOR_ID, "Patrícia")
    me = await staff_id(env, OPERATOR_ID)
    (menu,) = await op.send(env.app, "/start")
    costs: dict[int, tuple[int, int, int]] = {}
    for count, batch in ((1, contracts[:1]), (30, contracts[1:])):
        for contract in batch:
            await make_action(env, contract)
        with sql_statements(env.core.engine) as service:
            page = await pending_actions(env.ctx, me, page_size=50)
        assert len(page.items) == count
        with sql_statements(env.core.engine) as chat:
            await op.tap_data(env.app, menu.message_id, "pa:l:a:0")
        with sql_statements(env.core.engine) as metrics:
            assert sum((await pending_by_blocker(env.ctx)).values()) >= count
        costs[count] = (len(service), len(chat), len(metrics))
    assert costs[1] == costs[30]
    assert costs[1][0] <= 11  # staff check, count, page, contracts, services, clients, …


async def test_telegram_and_web_acceptance_both_read_as_acceptance(env: BotEnv) -> None:
    c1, c2 = await active_contracts(env, limit=2)
    await make_action(env, c1, channel=AcceptanceChannel.TELEGRAM, with_ticket=False)
    await make_action(env, c2, channel=AcceptanceChannel.IN_PERSON, with_ticket=False)
    op = env.user(OPERATOR_ID, "Patrícia")
    (msg,) = await op.send(env.app, "/pendentes")
    assert [line.strip().split(" · ")[0] for line in item_lines(msg)[1::2]] == ["⏳", "⏳"]
