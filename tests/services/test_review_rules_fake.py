"""Rules tightened after review: a refusal survives a resent link, claim codes die once there
is an admin, drafts made against older terms are refused, in person is for office staff."""

from __future__ import annotations

import pytest

from bot.domain.errors import Conflict, PermissionDenied
from bot.domain.gates import Blocker
from bot.domain.models import AcceptanceChannel
from bot.domain.tokens import hash_token
from bot.services import staff as staff_service
from bot.services.acceptance import decide_by_token, record_in_person, resend_acceptance
from bot.services.cards import action_card
from bot.services.context import ServiceContext
from bot.services.plan_update import FinalizeBlocked, create_plan_update, finalize_action
from tests.services.changes import DOC_HASH, WEB_EVIDENCE, simple_change
from tests.services.fakes import FakeStore, Seed


async def test_a_refusal_still_blocks_after_the_link_is_resent(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    optional = simple_change(seed, acceptance_channel=AcceptanceChannel.WEB)
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, optional)
    assert created.token is not None
    await decide_by_token(
        fctx, created.token, accept=False, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH
    )
    _request, token = await resend_acceptance(fctx, seed.operator.id, created.action.id)
    card = await action_card(fctx, created.action.id)
    assert card.blockers == [Blocker.ACCEPTANCE_DECLINED]
    with pytest.raises(FinalizeBlocked) as err:
        await finalize_action(fctx, seed.operator.id, created.action.id)
    assert err.value.blockers == [Blocker.ACCEPTANCE_DECLINED]
    assert store.contracts[seed.pf_contract.id].version == seed.pf_contract.version

    assert token is not None  # a later "yes" lifts it
    await decide_by_token(fctx, token, accept=True, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH)
    result = await finalize_action(fctx, seed.operator.id, created.action.id)
    assert not result.already and result.contract.version == seed.pf_contract.version + 1


async def test_claim_codes_stop_working_once_an_admin_exists(
    fctx: ServiceContext, seed: Seed
) -> None:
    # The seed has an admin: no code is opened, and a code from an earlier start is refused.
    assert await staff_service.open_admin_claim(fctx) is None
    async with fctx.uow() as uow:
        await uow.claims.add(hash_token("old-code-from-the-logs"), fctx.now())
        await uow.commit()
    with pytest.raises(PermissionDenied):
        await staff_service.claim_admin(fctx, "old-code-from-the-logs", 424242, "Intruso", "pt_BR")
    assert await staff_service.staff_by_telegram_id(fctx, 424242) is None


async def test_a_draft_made_against_older_terms_is_refused(
    fctx: ServiceContext, seed: Seed
) -> None:
    contract = seed.pf_contract
    with pytest.raises(Conflict):
        await create_plan_update(
            fctx,
            seed.operator.id,
            contract.id,
            simple_change(seed),
            expected_version=contract.version - 1,
        )
    created = await create_plan_update(
        fctx, seed.operator.id, contract.id, simple_change(seed), expected_version=contract.version
    )
    assert created.action.base_version == contract.version


async def test_technicians_cannot_record_an_in_person_acceptance(
    fctx: ServiceContext, seed: Seed
) -> None:
    created = await create_plan_update(
        fctx,
        seed.operator.id,
        seed.pf_contract.id,
        simple_change(seed, acceptance_channel=AcceptanceChannel.IN_PERSON),
    )
    with pytest.raises(PermissionDenied):
        await record_in_person(fctx, seed.technician.id, created.action.id, "assinou")
