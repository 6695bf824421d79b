"""Read models for the screens: client, contract and action cards."""

from __future__ import annotations

import pytest

from bot.domain.change import ChangeType
from bot.domain.errors import NotFound
from bot.domain.gates import Blocker
from bot.domain.money import Money
from bot.domain.split import Share
from bot.services.cards import action_card, client_card, contract_card
from bot.services.context import ServiceContext
from bot.services.plan_update import create_plan_update, finalize_action
from tests.services.changes import pf_change, pj_change, simple_change
from tests.services.fakes import FakeStore, Seed


async def test_client_card(fctx: ServiceContext, seed: Seed) -> None:
    card = await client_card(fctx, seed.pf_client.id)
    assert card.client == seed.pf_client
    assert [c.number for c in card.contracts] == ["19001", "20001"]
    assert card.plans == {seed.fibra_300.id: seed.fibra_300}
    with pytest.raises(NotFound) as err:
        await client_card(fctx, 999)
    assert err.value.key == "errors.client_not_found"


async def test_contract_card(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    card = await contract_card(fctx, seed.pj_contract.id)
    assert (card.contract, card.client, card.plan) == (
        seed.pj_contract,
        seed.pj_client,
        seed.emp_300,
    )
    assert card.group == seed.business
    assert card.template == seed.pj_template
    assert card.pending_action is None and card.revisions == []
    created = await create_plan_update(fctx, seed.operator.id, seed.pj_contract.id, pj_change(seed))
    assert (await contract_card(fctx, seed.pj_contract.id)).pending_action == created.action
    with pytest.raises(NotFound) as err:
        await contract_card(fctx, 999)
    assert err.value.key == "errors.contract_not_found"


async def test_contract_card_shows_the_last_three_revisions(
    fctx: ServiceContext, seed: Seed
) -> None:
    for n in range(4):
        plan = seed.fibra_1g if n % 2 == 0 else seed.fibra_300
        created = await create_plan_update(
            fctx, seed.operator.id, seed.pf_contract.id, simple_change(seed, plan_id=plan.id)
        )
        await finalize_action(fctx, seed.operator.id, created.action.id)
    card = await contract_card(fctx, seed.pf_contract.id)
    assert [r.version for r in card.revisions] == [5, 4, 3]
    assert card.contract.version == 5
    assert card.pending_action is None


async def test_action_card(fctx: ServiceContext, seed: Seed) -> None:
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    card = await action_card(fctx, created.action.id)
    assert card.action == created.action
    assert (card.contract, card.client) == (seed.pf_contract, seed.pf_client)
    assert (card.current_plan, card.new_plan) == (seed.fibra_300, seed.fibra_1g)
    assert (card.current_template, card.new_template) == (seed.pf_template, seed.pf_template)
    assert card.new_loyalty_term == seed.loyalty_12
    assert card.acceptance is not None and card.acceptance.action_id == created.action.id
    assert card.ticket == created.ticket
    assert card.ticket_assignee == seed.technician
    assert (card.ticket_type, card.ticket_department) == (seed.swap, seed.support)
    assert card.creator == seed.operator
    assert card.blockers == [Blocker.ACCEPTANCE_PENDING, Blocker.TICKET_NOT_CLOSED]
    assert not card.can_finalize
    assert card.change_type is ChangeType.UPGRADE
    with pytest.raises(NotFound) as err:
        await action_card(fctx, 999)
    assert err.value.key == "errors.action_not_found"


async def test_action_card_without_acceptance_or_ticket(fctx: ServiceContext, seed: Seed) -> None:
    created = await create_plan_update(
        fctx, seed.operator.id, seed.pf_contract.id, simple_change(seed)
    )
    card = await action_card(fctx, created.action.id)
    assert card.acceptance is None and card.ticket is None
    assert card.ticket_assignee is card.ticket_type is card.ticket_department is None
    assert card.new_loyalty_term is None
    assert card.blockers == [] and card.can_finalize


@pytest.mark.parametrize(
    ("cents", "expected"),
    [(9990, ChangeType.SAME_PRICE), (8990, ChangeType.DOWNGRADE), (9991, ChangeType.UPGRADE)],
)
async def test_change_type(
    fctx: ServiceContext, seed: Seed, cents: int, expected: ChangeType
) -> None:
    change = simple_change(
        seed,
        plan_id=seed.fibra_300.id,
        value=Money(cents),
        services=(Share(seed.internet.id, seed.internet.name, Money(cents)),),
    )
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    assert (await action_card(fctx, created.action.id)).change_type is expected
