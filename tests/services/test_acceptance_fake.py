"""The client's acceptance: by token, in person, resend, reminders and expiry (fake UoW)."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest

from bot.domain.errors import InvalidInput, PermissionDenied
from bot.domain.gates import Blocker
from bot.domain.models import AcceptanceChannel, AcceptanceStatus, Evidence
from bot.services import tickets
from bot.services.acceptance import (
    AcceptanceUnavailable,
    decide_by_token,
    expire_overdue,
    open_by_token,
    record_in_person,
    remind_pending,
    resend_acceptance,
    set_document_hash,
)
from bot.services.cards import action_card
from bot.services.context import ServiceContext
from bot.services.plan_update import (
    Created,
    cancel_action,
    create_plan_update,
    finalize_action,
)
from tests.services.changes import DOC_HASH, TG_EVIDENCE, WEB_EVIDENCE, pf_change, simple_change
from tests.services.fakes import FakeStore, Seed
from tests.support.clock import FakeClock


@pytest.fixture
async def created(fctx: ServiceContext, seed: Seed) -> Created:
    return await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))


def token_of(created: Created) -> str:
    assert created.token is not None
    return created.token


async def test_open_by_token_shows_the_change(
    fctx: ServiceContext, seed: Seed, created: Created
) -> None:
    request, card = await open_by_token(fctx, token_of(created))
    assert request.status is AcceptanceStatus.PENDING
    assert card.client == seed.pf_client
    assert card.new_plan == seed.fibra_1g
    assert card.current_plan == seed.fibra_300


async def test_accept_by_token_records_evidence_and_hash(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock, created: Created
) -> None:
    clock.advance(hours=2)
    decision = await decide_by_token(
        fctx, token_of(created), accept=True, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH
    )
    assert decision.accepted and not decision.already
    request = store.acceptances[decision.request.id]
    assert decision.request == request
    assert request.status is AcceptanceStatus.ACCEPTED
    assert request.decided_at == clock.now
    assert request.evidence == WEB_EVIDENCE
    assert request.document_sha256 == DOC_HASH
    [owner_note] = store.notifications_for(seed.operator.telegram_id)
    assert owner_note.kind == "acceptance_accepted"
    assert owner_note.payload == {"staff_id": seed.operator.id, "action_id": created.action.id}
    card = await action_card(fctx, created.action.id)
    assert card.blockers == [Blocker.TICKET_NOT_CLOSED]


async def test_decline_by_token(
    fctx: ServiceContext, seed: Seed, store: FakeStore, created: Created
) -> None:
    decision = await decide_by_token(
        fctx, token_of(created), accept=False, evidence=TG_EVIDENCE, document_sha256=DOC_HASH
    )
    assert not decision.accepted
    assert store.acceptances[decision.request.id].status is AcceptanceStatus.DECLINED
    assert store.acceptances[decision.request.id].evidence.telegram_user_id == 777001
    assert store.kinds_for(seed.operator.telegram_id) == ["acceptance_declined"]
    card = await action_card(fctx, created.action.id)
    assert Blocker.ACCEPTANCE_DECLINED in card.blockers


async def test_token_is_single_use(
    fctx: ServiceContext, seed: Seed, store: FakeStore, created: Created
) -> None:
    token = token_of(created)
    await decide_by_token(fctx, token, accept=True, evidence=TG_EVIDENCE, document_sha256=DOC_HASH)
    with pytest.raises(AcceptanceUnavailable) as err:
        await decide_by_token(
            fctx, token, accept=False, evidence=TG_EVIDENCE, document_sha256=DOC_HASH
        )
    assert err.value.key == "acceptance.token_used"
    other_person = Evidence(telegram_user_id=999)
    with pytest.raises(AcceptanceUnavailable) as err:
        await decide_by_token(
            fctx, token, accept=True, evidence=other_person, document_sha256=DOC_HASH
        )
    assert err.value.key == "acceptance.token_used"
    with pytest.raises(AcceptanceUnavailable) as err:
        await open_by_token(fctx, token)
    assert err.value.key == "acceptance.token_used"
    [request] = store.acceptances.values()
    assert request.status is AcceptanceStatus.ACCEPTED
    assert request.evidence == TG_EVIDENCE
    assert store.kinds_for(seed.operator.telegram_id) == ["acceptance_accepted"]


@pytest.mark.parametrize("evidence", [WEB_EVIDENCE, TG_EVIDENCE])
async def test_same_decision_twice_is_already(
    fctx: ServiceContext, seed: Seed, store: FakeStore, created: Created, evidence: Evidence
) -> None:
    token = token_of(created)
    await decide_by_token(fctx, token, accept=True, evidence=evidence, document_sha256=DOC_HASH)
    again = await decide_by_token(
        fctx, token, accept=True, evidence=evidence, document_sha256=DOC_HASH
    )
    assert again.already and again.accepted
    assert again.request.status is AcceptanceStatus.ACCEPTED
    assert store.kinds_for(seed.operator.telegram_id) == ["acceptance_accepted"]


async def test_expired_token_marks_the_request_expired_and_tells_the_owner(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock, created: Created
) -> None:
    clock.advance(days=7)  # expires_at == now: no longer usable
    with pytest.raises(AcceptanceUnavailable) as err:
        await decide_by_token(
            fctx, token_of(created), accept=True, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH
        )
    assert err.value.key == "acceptance.token_expired"
    [request] = store.acceptances.values()
    assert request.status is AcceptanceStatus.EXPIRED
    assert request.decided_at == clock.now
    assert store.kinds_for(seed.operator.telegram_id) == ["acceptance_expired"]
    # a second try says the same and does not notify again
    with pytest.raises(AcceptanceUnavailable) as err:
        await open_by_token(fctx, token_of(created))
    assert err.value.key == "acceptance.token_expired"
    assert store.kinds_for(seed.operator.telegram_id) == ["acceptance_expired"]
    card = await action_card(fctx, created.action.id)
    assert Blocker.ACCEPTANCE_EXPIRED in card.blockers


async def test_token_still_works_just_before_expiry(
    fctx: ServiceContext, store: FakeStore, clock: FakeClock, created: Created
) -> None:
    clock.advance(days=7, seconds=-1)
    decision = await decide_by_token(
        fctx, token_of(created), accept=True, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH
    )
    assert decision.request.status is AcceptanceStatus.ACCEPTED


@pytest.mark.parametrize("token", ["", "nao-existe", "x" * 32])
async def test_unknown_token(fctx: ServiceContext, created: Created, token: str) -> None:
    with pytest.raises(AcceptanceUnavailable) as err:
        await decide_by_token(
            fctx, token, accept=True, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH
        )
    assert err.value.key == "acceptance.token_invalid"
    with pytest.raises(AcceptanceUnavailable):
        await open_by_token(fctx, token)


async def test_resend_kills_the_old_token_and_the_new_one_works(
    fctx: ServiceContext, seed: Seed, store: FakeStore, created: Created
) -> None:
    old_token = token_of(created)
    request, new_token = await resend_acceptance(fctx, seed.operator.id, created.action.id)
    assert new_token is not None and new_token != old_token
    assert request.channel is AcceptanceChannel.WEB
    assert request.status is AcceptanceStatus.PENDING
    old, new = sorted(store.acceptances.values(), key=lambda r: r.id)
    assert old.status is AcceptanceStatus.CANCELLED
    assert new == request
    with pytest.raises(AcceptanceUnavailable) as err:
        await decide_by_token(
            fctx, old_token, accept=True, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH
        )
    assert err.value.key == "acceptance.token_cancelled"
    decision = await decide_by_token(
        fctx, new_token, accept=True, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH
    )
    assert decision.request.id == new.id
    assert store.acceptances[old.id].status is AcceptanceStatus.CANCELLED


async def test_resend_after_decline_can_change_channel_and_unblocks(
    fctx: ServiceContext, seed: Seed, store: FakeStore, created: Created
) -> None:
    await decide_by_token(
        fctx, token_of(created), accept=False, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH
    )
    request, token = await resend_acceptance(
        fctx, seed.operator.id, created.action.id, AcceptanceChannel.TELEGRAM
    )
    assert request.channel is AcceptanceChannel.TELEGRAM and token
    assert store.acceptances[1].status is AcceptanceStatus.DECLINED  # history is kept
    await decide_by_token(fctx, token, accept=True, evidence=TG_EVIDENCE, document_sha256=DOC_HASH)
    assert created.ticket is not None
    await tickets.close_ticket(fctx, seed.technician.id, created.ticket.id, "ok")
    assert not (await finalize_action(fctx, seed.operator.id, created.action.id)).already


async def test_resend_is_refused_when_not_pending_or_not_allowed(
    fctx: ServiceContext, seed: Seed, store: FakeStore, created: Created
) -> None:
    with pytest.raises(PermissionDenied):
        await resend_acceptance(fctx, seed.technician.id, created.action.id)
    await cancel_action(fctx, seed.operator.id, created.action.id, "desistiu")
    with pytest.raises(AcceptanceUnavailable) as err:
        await resend_acceptance(fctx, seed.operator.id, created.action.id)
    assert err.value.key == "acceptance.not_pending"
    assert len(store.acceptances) == 1


async def test_resend_without_any_channel(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    c = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, simple_change(seed))
    with pytest.raises(AcceptanceUnavailable) as err:
        await resend_acceptance(fctx, seed.operator.id, c.action.id)
    assert err.value.key == "acceptance.no_request"
    assert store.acceptances == {}


async def test_resend_after_acceptance_keeps_the_acceptance(
    fctx: ServiceContext, seed: Seed, store: FakeStore, created: Created
) -> None:
    await decide_by_token(
        fctx, token_of(created), accept=True, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH
    )
    assert created.ticket is not None
    await tickets.close_ticket(fctx, seed.technician.id, created.ticket.id, "ok")
    with contextlib.suppress(AcceptanceUnavailable):  # refusing is fine; discarding is not
        await resend_acceptance(fctx, seed.operator.id, created.action.id)
    card = await action_card(fctx, created.action.id)
    assert card.blockers == []


async def test_record_in_person(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock, created: Created
) -> None:
    with pytest.raises(InvalidInput) as err:
        await record_in_person(fctx, seed.operator2.id, created.action.id, "   ")
    assert err.value.key == "errors.note_required"

    decision = await record_in_person(
        fctx,
        seed.operator2.id,
        created.action.id,
        "Assinou o termo na loja",
        photo_file_id="AgAD-foto",
    )
    assert decision.accepted and not decision.already
    web, in_person = sorted(store.acceptances.values(), key=lambda r: r.id)
    assert web.status is AcceptanceStatus.CANCELLED  # the link stops working
    assert in_person.channel is AcceptanceChannel.IN_PERSON
    assert in_person.status is AcceptanceStatus.ACCEPTED
    assert in_person.decided_at == clock.now
    assert in_person.evidence == Evidence(
        staff_id=seed.operator2.id, note="Assinou o termo na loja", photo_file_id="AgAD-foto"
    )
    assert store.kinds_for(seed.operator.telegram_id) == ["acceptance_accepted"]
    with pytest.raises(AcceptanceUnavailable) as err2:
        await open_by_token(fctx, token_of(created))
    assert err2.value.key == "acceptance.token_cancelled"

    again = await record_in_person(fctx, seed.operator2.id, created.action.id, "de novo")
    assert again.already
    assert len(store.acceptances) == 2


async def test_record_in_person_by_the_owner_and_on_a_closed_action(
    fctx: ServiceContext, seed: Seed, store: FakeStore, created: Created
) -> None:
    await record_in_person(fctx, seed.operator.id, created.action.id, "Assinou")
    assert store.kinds_for(seed.operator.telegram_id) == []  # no need to tell yourself
    await cancel_action(fctx, seed.operator.id, created.action.id, "desistiu")
    with pytest.raises(AcceptanceUnavailable) as err:
        await record_in_person(fctx, seed.operator.id, created.action.id, "Assinou")
    assert err.value.key == "acceptance.not_pending"


async def test_remind_pending_once(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock, created: Created
) -> None:
    assert await remind_pending(fctx, timedelta(days=1)) == 0
    clock.advance(days=1)
    assert await remind_pending(fctx, timedelta(days=1)) == 1
    [request] = store.acceptances.values()
    assert request.reminded_at == clock.now
    [note] = store.notifications_for(seed.operator.telegram_id)
    assert (note.kind, note.payload["action_id"]) == ("acceptance_reminder", created.action.id)
    clock.advance(days=1)
    assert await remind_pending(fctx, timedelta(days=1)) == 0
    assert len(store.notifications_for(seed.operator.telegram_id)) == 1


async def test_decided_requests_are_not_reminded(
    fctx: ServiceContext, clock: FakeClock, created: Created
) -> None:
    await decide_by_token(
        fctx, token_of(created), accept=True, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH
    )
    clock.advance(days=3)
    assert await remind_pending(fctx, timedelta(days=1)) == 0


async def test_expire_overdue(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock, created: Created
) -> None:
    pj = await create_plan_update(
        fctx,
        seed.operator2.id,
        seed.pj_contract.id,
        pf_change(seed, plan_id=seed.emp_600.id, template_id=seed.pj_template.id),
    )
    assert pj.token
    clock.advance(days=6)
    assert await expire_overdue(fctx) == 0
    clock.advance(days=1)
    assert await expire_overdue(fctx) == 2
    assert {r.status for r in store.acceptances.values()} == {AcceptanceStatus.EXPIRED}
    assert store.kinds_for(seed.operator.telegram_id) == ["acceptance_expired"]
    assert store.kinds_for(seed.operator2.telegram_id) == ["acceptance_expired"]
    assert await expire_overdue(fctx) == 0
    with pytest.raises(AcceptanceUnavailable) as err:
        await open_by_token(fctx, token_of(created))
    assert err.value.key == "acceptance.token_expired"


async def test_set_document_hash(fctx: ServiceContext, store: FakeStore, created: Created) -> None:
    [request] = store.acceptances.values()
    await set_document_hash(fctx, request.id, DOC_HASH)
    assert store.acceptances[request.id].document_sha256 == DOC_HASH
