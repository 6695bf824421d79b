"""One log line per meaningful event, with ids, and never the link token or a document."""

from __future__ import annotations

from bot.domain.documents import format_document
from bot.services.context import ServiceContext
from bot.services.plan_update import cancel_action, create_plan_update, finalize_action
from tests.services.changes import make_ready, pf_change, pj_change
from tests.services.fakes import Seed
from tests.support.logs import bot_logging


async def test_action_lifecycle_logs_one_event_each(fctx: ServiceContext, seed: Seed) -> None:
    with bot_logging("json") as captured:
        created = await create_plan_update(
            fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed)
        )
        await make_ready(fctx, seed, created)
        await finalize_action(fctx, seed.operator.id, created.action.id)
        await finalize_action(fctx, seed.operator.id, created.action.id)  # a repeat: no event
        other = await create_plan_update(
            fctx,
            seed.operator.id,
            seed.pj_contract.id,
            pj_change(
                seed, loyalty_term_id=None, acceptance_channel=None, require_acceptance=False
            ),
        )
        await cancel_action(fctx, seed.operator.id, other.action.id, "cliente desistiu")

    events = [(e["event"], e["action_id"]) for e in captured.events()]
    action, second = created.action.id, other.action.id
    assert events == [
        ("action.created", action),
        ("acceptance.decided", action),
        ("action.finalized", action),
        ("action.created", second),
        ("action.cancelled", second),
    ]
    decided = captured.events()[1]
    assert (decided["channel"], decided["outcome"]) == ("web", "accepted")
    assert captured.events()[0]["contract_id"] == seed.pf_contract.id
    assert created.token is not None and created.token not in captured.text
    for client in (seed.pf_client, seed.pj_client):
        assert client.document not in captured.text
        assert format_document(client.document) not in captured.text
