"""create_plan_update, finalize_action and cancel_action over the fake unit of work."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.domain.errors import (
    Conflict,
    InvalidInput,
    InvalidSplit,
    LoyaltyNotAllowed,
    NotFound,
    PermissionDenied,
)
from bot.domain.gates import Blocker
from bot.domain.loyalty import Loyalty
from bot.domain.models import (
    AcceptanceChannel,
    AcceptanceStatus,
    ActionStatus,
    ContractStatus,
    Priority,
    TicketStatus,
)
from bot.domain.money import Money
from bot.domain.split import Share
from bot.domain.tokens import hash_token
from bot.i18n import error_text
from bot.services import tickets
from bot.services.acceptance import AcceptanceUnavailable, decide_by_token, open_by_token
from bot.services.cards import action_card
from bot.services.context import ServiceContext
from bot.services.plan_update import (
    FinalizeBlocked,
    cancel_action,
    create_plan_update,
    finalize_action,
)
from tests.services.changes import (
    WEB_EVIDENCE,
    make_ready,
    pf_change,
    pj_change,
    simple_change,
    ticket_request,
)
from tests.services.fakes import FakeStore, Seed
from tests.support.clock import FakeClock


def assert_nothing_created(store: FakeStore) -> None:
    assert store.actions == {}
    assert store.acceptances == {}
    assert store.tickets == {}
    assert store.notifications == {}
    assert store.commits == 0  # a refusal commits nothing at all


# ---------------------------------------------------------------------------------- create


async def test_create_stores_action_acceptance_ticket_and_notifies_assignee(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock
) -> None:
    change = pf_change(seed, ticket=ticket_request(seed, description="  Trocar ONU  "))
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)

    assert not created.existing
    assert created.token is not None and len(created.token) >= 32
    action = store.actions[created.action.id]
    assert action == created.action
    assert action.status is ActionStatus.PENDING
    assert action.base_version == 1
    assert action.change == change
    assert (action.created_by, action.created_at) == (seed.operator.id, clock.now)

    [request] = store.acceptances.values()
    assert request.action_id == action.id
    assert request.channel is AcceptanceChannel.WEB
    assert request.status is AcceptanceStatus.PENDING
    assert request.expires_at == clock.now + timedelta(days=7)
    assert store.token_hashes[request.id] == hash_token(created.token)
    assert created.token not in store.token_hashes.values()  # only the hash is kept

    [ticket] = store.tickets.values()
    assert created.ticket == ticket
    assert ticket.action_id == action.id
    assert (ticket.client_id, ticket.contract_id) == (seed.pf_client.id, seed.pf_contract.id)
    assert ticket.assignee_id == seed.technician.id
    assert ticket.priority is Priority.HIGH
    assert ticket.description == "Trocar ONU"
    assert ticket.status is TicketStatus.OPEN

    [note] = store.notifications.values()
    assert note.chat_id == seed.technician.telegram_id
    assert note.kind == "ticket_assigned"
    assert note.payload == {
        "staff_id": seed.technician.id,
        "ticket_id": ticket.id,
        "action_id": action.id,
    }
    assert store.contracts[seed.pf_contract.id] == seed.pf_contract  # nothing applied yet


async def test_create_is_idempotent(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    first = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    other_change = pf_change(seed, plan_id=seed.fibra_300.id)
    second = await create_plan_update(fctx, seed.operator2.id, seed.pf_contract.id, other_change)

    assert second.existing
    assert second.token is None
    assert second.action == first.action
    assert second.ticket == first.ticket
    assert len(store.actions) == len(store.acceptances) == len(store.tickets) == 1
    assert len(store.notifications) == 1


async def test_create_without_assignee_notifies_nobody(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    change = pf_change(seed, ticket=ticket_request(seed, assignee_id=None))
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    assert created.ticket is not None and created.ticket.assignee_id is None
    assert store.notifications == {}


async def test_create_in_person_has_no_token(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    change = pf_change(seed, acceptance_channel=AcceptanceChannel.IN_PERSON)
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    assert created.token is None
    [request] = store.acceptances.values()
    assert request.channel is AcceptanceChannel.IN_PERSON
    assert store.token_hashes[request.id] is None


async def test_pj_may_get_24_months(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    created = await create_plan_update(fctx, seed.operator.id, seed.pj_contract.id, pj_change(seed))
    assert store.actions[created.action.id].change.loyalty_term_id == seed.loyalty_24.id


async def test_create_refuses_a_cancelled_contract(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    with pytest.raises(Conflict) as err:
        await create_plan_update(
            fctx, seed.operator.id, seed.cancelled_contract.id, pf_change(seed)
        )
    assert err.value.key == "errors.contract_cancelled"
    assert "19001" in error_text(err.value)
    assert_nothing_created(store)


async def test_pf_cannot_get_24_months(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    with pytest.raises(LoyaltyNotAllowed) as err:
        await create_plan_update(
            fctx,
            seed.operator.id,
            seed.pf_contract.id,
            pf_change(seed, loyalty_term_id=seed.loyalty_24.id),
        )
    assert err.value.key == "loyalty.pf_max"
    assert err.value.params == {"months": 24, "max": 12}
    assert_nothing_created(store)


@pytest.mark.parametrize(
    ("channel", "required"),
    [(None, False), (AcceptanceChannel.WEB, False), (AcceptanceChannel.TELEGRAM, False)],
)
async def test_loyalty_needs_a_required_acceptance(
    fctx: ServiceContext,
    seed: Seed,
    store: FakeStore,
    channel: AcceptanceChannel | None,
    required: bool,
) -> None:
    change = pf_change(seed, acceptance_channel=channel, require_acceptance=required)
    with pytest.raises(LoyaltyNotAllowed) as err:
        await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    assert err.value.key == "errors.acceptance_required_for_loyalty"
    assert_nothing_created(store)


async def test_no_loyalty_term_needs_no_acceptance(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    change = pf_change(
        seed, loyalty_term_id=seed.no_loyalty.id, acceptance_channel=None, require_acceptance=False
    )
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    assert created.token is None
    assert store.acceptances == {}


async def test_template_kind_must_match_client(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    with pytest.raises(InvalidInput) as err:
        await create_plan_update(
            fctx,
            seed.operator.id,
            seed.pf_contract.id,
            pf_change(seed, template_id=seed.pj_template.id),
        )
    assert err.value.key == "errors.template_kind"
    assert err.value.params["template_kind"] == "PJ"
    assert err.value.params["client_kind"] == "PF"
    assert_nothing_created(store)


@pytest.mark.parametrize(
    ("cents", "key"), [((17000, 2000), "split.missing"), ((17000, 3000), "split.exceeds")]
)
async def test_split_must_add_up(
    fctx: ServiceContext, seed: Seed, store: FakeStore, cents: tuple[int, int], key: str
) -> None:
    services = (
        Share(seed.internet.id, seed.internet.name, Money(cents[0])),
        Share(seed.phone.id, seed.phone.name, Money(cents[1])),
    )
    with pytest.raises(InvalidSplit) as err:
        await create_plan_update(
            fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed, services=services)
        )
    assert err.value.key == key
    assert err.value.params["total"] == "R$\u00a0199,90"
    assert_nothing_created(store)


async def test_split_needs_a_service(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    with pytest.raises(InvalidSplit) as err:
        await create_plan_update(
            fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed, services=())
        )
    assert err.value.key == "split.no_services"
    assert_nothing_created(store)


@pytest.mark.parametrize("who", ["operator2", "admin", "inactive_technician", "nobody"])
async def test_assignee_must_be_an_active_technician(
    fctx: ServiceContext, seed: Seed, store: FakeStore, who: str
) -> None:
    ids = {
        "operator2": seed.operator2.id,
        "admin": seed.admin.id,
        "nobody": 999,
        "inactive_technician": seed.technician2.id,
    }
    store.staff[seed.technician2.id] = replace(seed.technician2, active=False)
    change = pf_change(seed, ticket=ticket_request(seed, assignee_id=ids[who]))
    with pytest.raises(InvalidInput) as err:
        await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    assert err.value.key == "errors.assignee_not_technician"
    assert_nothing_created(store)


async def test_technician_cannot_create(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    with pytest.raises(PermissionDenied) as err:
        await create_plan_update(fctx, seed.technician.id, seed.pf_contract.id, pf_change(seed))
    assert err.value.key == "errors.permission"
    assert_nothing_created(store)


async def test_inactive_or_unknown_staff_cannot_create(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    store.staff[seed.operator.id] = replace(seed.operator, active=False)
    for actor in (seed.operator.id, 4242):
        with pytest.raises(PermissionDenied):
            await create_plan_update(fctx, actor, seed.pf_contract.id, pf_change(seed))
    assert_nothing_created(store)


@pytest.mark.parametrize(
    ("over", "key"),
    [
        (
            {"require_acceptance": True, "acceptance_channel": None, "loyalty_term_id": None},
            "errors.gate_without_acceptance",
        ),
        ({"require_ticket_closed": True, "ticket": None}, "errors.gate_without_ticket"),
        ({"value": Money(0), "services": ()}, "errors.value_must_be_positive"),
    ],
)
async def test_inconsistent_changes_are_refused(
    fctx: ServiceContext, seed: Seed, store: FakeStore, over: dict[str, object], key: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        await create_plan_update(
            fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed, **over)
        )
    assert err.value.key == key
    assert_nothing_created(store)


async def test_inactive_plan_and_long_description_are_refused(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    store.plans[seed.fibra_1g.id] = replace(seed.fibra_1g, active=False)
    with pytest.raises(InvalidInput) as err:
        await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    assert err.value.key == "errors.plan_inactive"
    store.plans[seed.fibra_1g.id] = seed.fibra_1g
    long = pf_change(seed, ticket=ticket_request(seed, description="x" * 1001))
    with pytest.raises(InvalidInput) as err:
        await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, long)
    assert err.value.key == "errors.description_too_long"
    assert_nothing_created(store)


async def test_unknown_contract_and_catalog_items(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    with pytest.raises(NotFound) as err:
        await create_plan_update(fctx, seed.operator.id, 999, pf_change(seed))
    assert err.value.key == "errors.contract_not_found"
    for change in (
        pf_change(seed, ticket=ticket_request(seed, type_id=99)),
        pf_change(seed, ticket=ticket_request(seed, department_id=99)),
        pf_change(seed, loyalty_term_id=99),
        pf_change(seed, template_id=99),
    ):
        with pytest.raises(NotFound):
            await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    assert_nothing_created(store)


# -------------------------------------------------------------------------------- finalize


async def test_finalize_blocked_lists_everything_missing(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    with pytest.raises(FinalizeBlocked) as err:
        await finalize_action(fctx, seed.operator.id, created.action.id)
    assert err.value.blockers == [Blocker.ACCEPTANCE_PENDING, Blocker.TICKET_NOT_CLOSED]
    assert error_text(err.value) == (
        "• O aceite do cliente ainda está pendente.\n• O atendimento ainda não foi concluído."
    )
    assert error_text(err.value, "en") == (
        "• The client's acceptance is still pending.\n• The ticket has not been closed yet."
    )
    assert store.actions[created.action.id].status is ActionStatus.PENDING
    assert store.contracts[seed.pf_contract.id] == seed.pf_contract
    assert store.revisions == {}


async def test_finalize_blocked_by_one_gate_only(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    assert created.ticket is not None
    await tickets.close_ticket(fctx, seed.technician.id, created.ticket.id, "feito")
    with pytest.raises(FinalizeBlocked) as err:
        await finalize_action(fctx, seed.operator.id, created.action.id)
    assert err.value.blockers == [Blocker.ACCEPTANCE_PENDING]


async def test_finalize_applies_the_change_once(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock
) -> None:
    change = pf_change(seed)
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    await make_ready(fctx, seed, created)
    clock.advance(hours=1)

    result = await finalize_action(fctx, seed.operator2.id, created.action.id)

    assert not result.already
    contract = store.contracts[seed.pf_contract.id]
    assert result.contract == contract
    assert contract.version == 2
    assert contract.plan_id == seed.fibra_1g.id
    assert contract.value == Money(19990)
    assert contract.services == change.services
    assert contract.template_id == seed.pf_template.id
    # 20/11/2026 in São Paulo: 12 months from the local date
    assert contract.loyalty == Loyalty(
        seed.loyalty_12.id, 12, Money(2000), date(2026, 11, 20), date(2027, 11, 20)
    )
    action = store.actions[created.action.id]
    assert action.status is ActionStatus.FINALIZED
    assert (action.finalized_by, action.finalized_at) == (seed.operator2.id, clock.now)
    assert result.action == action

    [revision] = store.revisions.values()
    assert result.revision == revision
    assert (revision.contract_id, revision.version, revision.action_id, revision.staff_id) == (
        seed.pf_contract.id,
        2,
        created.action.id,
        seed.operator2.id,
    )
    assert revision.created_at == clock.now
    assert revision.before["version"] == 1
    assert revision.before["plan_id"] == seed.fibra_300.id
    assert revision.before["value_cents"] == 9990
    assert revision.before["loyalty"]["months"] == 0
    assert revision.after["version"] == 2
    assert revision.after["plan_id"] == seed.fibra_1g.id
    assert revision.after["value_cents"] == 19990
    assert [s["cents"] for s in revision.after["services"]] == [17000, 2990]
    assert revision.after["loyalty"] == {
        "term_id": seed.loyalty_12.id,
        "months": 12,
        "monthly_benefit_cents": 2000,
        "start": "2026-11-20",
        "end": "2027-11-20",
    }
    assert store.kinds_for(seed.operator.telegram_id)[-1] == "action_finalized"

    again = await finalize_action(fctx, seed.operator.id, created.action.id)
    assert again.already
    assert again.revision is None
    assert len(store.revisions) == 1
    assert store.contracts[seed.pf_contract.id].version == 2


async def test_finalize_by_the_creator_does_not_notify_them(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    created = await create_plan_update(
        fctx, seed.operator.id, seed.pf_contract.id, simple_change(seed)
    )
    before = len(store.notifications)
    result = await finalize_action(fctx, seed.operator.id, created.action.id)
    assert not result.already
    assert len(store.notifications) == before
    assert store.contracts[seed.pf_contract.id].loyalty == seed.pf_contract.loyalty  # kept


async def test_finalize_refuses_when_the_contract_changed(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    await make_ready(fctx, seed, created)
    # Someone else changed the contract in the meantime (e.g. the ERP import).
    changed = replace(store.contracts[seed.pf_contract.id], version=2, value=Money(10990))
    store.contracts[seed.pf_contract.id] = changed

    with pytest.raises(FinalizeBlocked) as err:
        await finalize_action(fctx, seed.operator.id, created.action.id)

    assert err.value.blockers == [Blocker.CONTRACT_CHANGED]
    assert (err.value.base, err.value.current) == (1, 2)
    assert "versão 1 → 2" in error_text(err.value)
    assert store.contracts[seed.pf_contract.id] == changed
    assert store.actions[created.action.id].status is ActionStatus.PENDING
    assert store.revisions == {}


async def test_finalize_refuses_a_contract_cancelled_meanwhile(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    created = await create_plan_update(
        fctx, seed.operator.id, seed.pf_contract.id, simple_change(seed)
    )
    store.contracts[seed.pf_contract.id] = replace(
        seed.pf_contract, status=ContractStatus.CANCELLED
    )
    with pytest.raises(FinalizeBlocked) as err:
        await finalize_action(fctx, seed.operator.id, created.action.id)
    assert err.value.blockers == [Blocker.CONTRACT_CANCELLED]


async def test_finalize_after_decline_and_ticket_cancel(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    assert created.token and created.ticket
    await decide_by_token(
        fctx, created.token, accept=False, evidence=WEB_EVIDENCE, document_sha256="0" * 64
    )
    await tickets.cancel_ticket(fctx, seed.technician.id, created.ticket.id, "cliente ausente")
    with pytest.raises(FinalizeBlocked) as err:
        await finalize_action(fctx, seed.operator.id, created.action.id)
    assert err.value.blockers == [Blocker.ACCEPTANCE_DECLINED, Blocker.TICKET_CANCELLED]


async def test_finalize_permissions_and_unknown_action(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    created = await create_plan_update(
        fctx, seed.operator.id, seed.pf_contract.id, simple_change(seed)
    )
    with pytest.raises(PermissionDenied):
        await finalize_action(fctx, seed.technician.id, created.action.id)
    with pytest.raises(NotFound) as err:
        await finalize_action(fctx, seed.operator.id, 999)
    assert err.value.key == "errors.action_not_found"
    assert store.actions[created.action.id].status is ActionStatus.PENDING
    result = await finalize_action(fctx, seed.admin.id, created.action.id)
    assert result.action.finalized_by == seed.admin.id


async def test_a_declined_acceptance_blocks_finalize_even_without_the_gate(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    # A declined acceptance blocks finalizing until a new request is accepted or the action is
    # cancelled.
    change = simple_change(seed, acceptance_channel=AcceptanceChannel.WEB)
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    assert created.token is not None
    await decide_by_token(
        fctx, created.token, accept=False, evidence=WEB_EVIDENCE, document_sha256="0" * 64
    )
    with pytest.raises(FinalizeBlocked) as err:
        await finalize_action(fctx, seed.operator.id, created.action.id)
    assert err.value.blockers == [Blocker.ACCEPTANCE_DECLINED]
    assert store.contracts[seed.pf_contract.id].version == 1


# ---------------------------------------------------------------------------------- cancel


@pytest.mark.parametrize("reason", ["", "   ", None])
async def test_cancel_needs_a_reason(
    fctx: ServiceContext, seed: Seed, store: FakeStore, reason: str | None
) -> None:
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    with pytest.raises(InvalidInput) as err:
        await cancel_action(fctx, seed.operator.id, created.action.id, reason)  # type: ignore[arg-type]
    assert err.value.key == "errors.reason_required"
    assert store.actions[created.action.id].status is ActionStatus.PENDING


async def test_cancel_closes_everything_and_tells_people(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock
) -> None:
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    assert created.token and created.ticket
    clock.advance(minutes=5)

    result = await cancel_action(fctx, seed.operator2.id, created.action.id, "  Cliente desistiu  ")

    assert not result.already
    action = store.actions[created.action.id]
    assert result.action == action
    assert action.status is ActionStatus.CANCELLED
    assert (action.cancelled_by, action.cancelled_at, action.cancel_reason) == (
        seed.operator2.id,
        clock.now,
        "Cliente desistiu",
    )
    [request] = store.acceptances.values()
    assert request.status is AcceptanceStatus.CANCELLED
    ticket = store.tickets[created.ticket.id]
    assert ticket.status is TicketStatus.CANCELLED
    assert (ticket.cancel_reason, ticket.cancelled_at) == ("Cliente desistiu", clock.now)
    assert store.kinds_for(seed.technician.telegram_id) == ["ticket_assigned", "ticket_cancelled"]
    assert store.notifications_for(seed.technician.telegram_id)[-1].payload == {
        "staff_id": seed.technician.id,
        "ticket_id": ticket.id,
        "action_id": action.id,
    }
    assert store.kinds_for(seed.operator.telegram_id) == ["action_cancelled"]

    with pytest.raises(AcceptanceUnavailable) as err:
        await open_by_token(fctx, created.token)
    assert err.value.key == "acceptance.token_cancelled"

    count = len(store.notifications)
    again = await cancel_action(fctx, seed.operator.id, created.action.id, "de novo")
    assert again.already
    assert store.actions[created.action.id].cancel_reason == "Cliente desistiu"
    assert len(store.notifications) == count

    with pytest.raises(FinalizeBlocked) as fin:
        await finalize_action(fctx, seed.operator.id, created.action.id)
    assert fin.value.blockers == [Blocker.NOT_PENDING_CANCELLED]

    # the contract is free for a new action
    new = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    assert not new.existing and new.action.id != created.action.id


async def test_cancel_leaves_a_closed_ticket_alone(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    await make_ready(fctx, seed, created)
    assert created.ticket is not None
    await cancel_action(fctx, seed.operator.id, created.action.id, "mudou de ideia")
    assert store.tickets[created.ticket.id].status is TicketStatus.CLOSED
    assert store.acceptances[1].status is AcceptanceStatus.ACCEPTED
    assert "ticket_cancelled" not in store.kinds_for(seed.technician.telegram_id)


async def test_cancel_after_finalize_and_by_technician(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    created = await create_plan_update(
        fctx, seed.operator.id, seed.pf_contract.id, simple_change(seed)
    )
    with pytest.raises(PermissionDenied):
        await cancel_action(fctx, seed.technician.id, created.action.id, "não")
    await finalize_action(fctx, seed.operator.id, created.action.id)
    with pytest.raises(FinalizeBlocked) as err:
        await cancel_action(fctx, seed.operator.id, created.action.id, "tarde demais")
    assert err.value.blockers == [Blocker.NOT_PENDING_FINALIZED]
    assert store.actions[created.action.id].status is ActionStatus.FINALIZED


async def test_action_card_follows_the_gates(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    card = await action_card(fctx, created.action.id)
    assert card.blockers == [Blocker.ACCEPTANCE_PENDING, Blocker.TICKET_NOT_CLOSED]
    await make_ready(fctx, seed, created)
    card = await action_card(fctx, created.action.id)
    assert card.blockers == [] and card.can_finalize


# ------------------------------------------------------------------------ races and time zone


async def test_a_version_race_inside_finalize_rolls_everything_back(
    fctx: ServiceContext, seed: Seed, store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contract moved between the check and the conditional update: nothing may stick,
    not even the action's pending → finalized flip made earlier in the same transaction."""
    from tests.services.fakes import FakeContractRepo

    created = await create_plan_update(
        fctx, seed.operator.id, seed.pf_contract.id, simple_change(seed)
    )

    async def lost(self: FakeContractRepo, *args: object, **kwargs: object) -> bool:
        return False

    monkeypatch.setattr(FakeContractRepo, "apply_update", lost)
    with pytest.raises(FinalizeBlocked) as err:
        await finalize_action(fctx, seed.operator2.id, created.action.id)
    assert err.value.blockers == [Blocker.CONTRACT_CHANGED]
    assert store.actions[created.action.id].status is ActionStatus.PENDING
    assert store.actions[created.action.id].finalized_by is None
    assert store.revisions == {}
    assert store.kinds_for(seed.operator.telegram_id) == []


@pytest.mark.parametrize(
    ("winner", "already"), [(ActionStatus.FINALIZED, True), (ActionStatus.CANCELLED, False)]
)
async def test_finalize_losing_the_race_applies_nothing(
    fctx: ServiceContext,
    seed: Seed,
    store: FakeStore,
    monkeypatch: pytest.MonkeyPatch,
    winner: ActionStatus,
    already: bool,
) -> None:
    """Another finalize or cancel commits between our read and our conditional update."""
    from tests.services.fakes import FakeActionRepo

    created = await create_plan_update(
        fctx, seed.operator.id, seed.pf_contract.id, simple_change(seed)
    )

    async def other_won(self: FakeActionRepo, action_id: int, **kwargs: object) -> bool:
        self.db.actions[action_id] = replace(self.db.actions[action_id], status=winner)
        return False

    monkeypatch.setattr(FakeActionRepo, "finish", other_won)
    if already:
        result = await finalize_action(fctx, seed.operator.id, created.action.id)
        assert result.already and result.revision is None
    else:
        with pytest.raises(FinalizeBlocked) as err:
            await finalize_action(fctx, seed.operator.id, created.action.id)
        assert err.value.blockers == [Blocker.NOT_PENDING_CANCELLED]
    assert store.contracts[seed.pf_contract.id] == seed.pf_contract
    assert store.revisions == {}


async def test_loyalty_starts_on_the_local_date(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock
) -> None:
    from datetime import UTC, datetime

    clock.now = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)  # still 30/11 in São Paulo
    change = pf_change(
        seed,
        acceptance_channel=AcceptanceChannel.IN_PERSON,
        ticket=None,
        require_ticket_closed=False,
    )
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    from bot.services.acceptance import record_in_person

    await record_in_person(fctx, seed.operator.id, created.action.id, "Assinou")
    result = await finalize_action(fctx, seed.operator.id, created.action.id)
    assert result.contract.loyalty.start == date(2026, 11, 30)
    assert result.contract.loyalty.end == date(2027, 11, 30)


async def test_cancel_reason_is_capped(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    await cancel_action(fctx, seed.operator.id, created.action.id, "m" * 800)
    assert store.actions[created.action.id].cancel_reason == "m" * 500
    assert created.ticket is not None
    assert store.tickets[created.ticket.id].cancel_reason == "m" * 500


async def test_finalize_kills_an_acceptance_link_it_did_not_need(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    change = simple_change(seed, acceptance_channel=AcceptanceChannel.WEB)
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    assert created.token is not None
    await finalize_action(fctx, seed.operator.id, created.action.id)
    [request] = store.acceptances.values()
    assert request.status is AcceptanceStatus.CANCELLED
    with pytest.raises(AcceptanceUnavailable) as err:
        await open_by_token(fctx, created.token)
    assert err.value.key == "acceptance.token_cancelled"


async def test_pending_actions_list_mine_first(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock
) -> None:
    from bot.services.pending import pending_actions

    theirs = await create_plan_update(fctx, seed.operator2.id, seed.pj_contract.id, pj_change(seed))
    clock.advance(minutes=1)
    mine = await create_plan_update(
        fctx, seed.operator.id, seed.pf_contract.id, simple_change(seed)
    )
    page = await pending_actions(fctx, seed.operator.id)
    assert page.total == 2
    assert [(i.action.id, i.mine, i.contract_number, i.client_name) for i in page.items] == [
        (mine.action.id, True, "20001", "João da Silva Araújo"),
        (theirs.action.id, False, "20002", "Padaria Pão de Mel Ltda."),
    ]
    other_view = await pending_actions(fctx, seed.operator2.id)
    assert [i.action.id for i in other_view.items] == [theirs.action.id, mine.action.id]
    await finalize_action(fctx, seed.operator.id, mine.action.id)
    assert [i.action.id for i in (await pending_actions(fctx, seed.admin.id)).items] == [
        theirs.action.id
    ]
    with pytest.raises(PermissionDenied):
        await pending_actions(fctx, seed.technician.id)
