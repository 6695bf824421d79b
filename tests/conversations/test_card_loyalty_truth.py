"""The staff's action card tells a kept loyalty as the client reads it: one already ended is
"sem fidelidade vigente", never "mantida como está"; one in force shows its real end."""

from __future__ import annotations

from datetime import date

from tests.conversations.actions_helpers import OPERATOR_ID, make_action, one, open_action
from tests.conversations.conftest import BotEnv


async def card_loyalty_line(env: BotEnv, ended: bool) -> tuple[str, str]:
    today = env.ctx.today().isoformat()
    row = one(
        env,
        "SELECT id, loyalty_end FROM contracts WHERE status = 'ativo' AND loyalty_months > 0"
        f" AND loyalty_end {'<=' if ended else '>'} ? ORDER BY id LIMIT 1",
        today,
    )
    async with env.ctx.uow() as uow:
        contract = await uow.contracts.get(row["id"])
    created, _ = await make_action(env, contract, loyalty_months=None)  # the loyalty is kept
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, created.action.id)
    line = next(x for x in (op.chat.message(mid).text or "").splitlines() if x.startswith("🔒"))
    return line, date.fromisoformat(row["loyalty_end"]).strftime("%d/%m/%Y")


async def test_an_ended_loyalty_is_not_said_to_be_kept(env: BotEnv) -> None:
    line, _end = await card_loyalty_line(env, ended=True)
    assert line == "🔒 sem fidelidade vigente (nenhuma nova)"


async def test_a_loyalty_in_force_shows_its_end(env: BotEnv) -> None:
    line, end = await card_loyalty_line(env, ended=False)
    assert line == f"🔒 mantida como está, até {end}"
