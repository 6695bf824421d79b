"""The discount rules: which typed values are double-checked, which need approval, who may
decide, the refusal's reason, and the third finalize gate."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain.approval import (
    Approval,
    ApprovalDecision,
    DiscountPolicy,
    may_decide,
    percent_away_tenths,
    refusal_reason,
)
from bot.domain.errors import InvalidInput
from bot.domain.gates import Blocker, BlockerGroup, finalize_blockers
from bot.domain.money import Money
from tests.unit.test_gates import make_action, make_contract

LIST = Money(10000)  # R$ 100,00
NOW = datetime(2026, 11, 29, 17, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cents", "approval", "confirm"),
    [
        (8000, False, False),  # exactly 20 % off: not more than the limit
        (7999, True, True),
        (12000, False, False),  # exactly 20 % above
        (12001, False, True),  # above: a typo check, never an approval
        (10000, False, False),
    ],
)
def test_default_policy(cents: int, approval: bool, confirm: bool) -> None:
    policy = DiscountPolicy()
    assert policy.needs_approval(Money(cents), LIST) is approval
    assert policy.needs_confirmation(Money(cents), LIST) is confirm


def test_a_stricter_limit_and_the_gate_off() -> None:
    strict = DiscountPolicy(approval_percent=10, above_list_percent=50)
    assert strict.needs_approval(Money(8900), LIST)
    assert strict.needs_confirmation(Money(8900), LIST)
    assert not strict.needs_confirmation(Money(14000), LIST)
    off = DiscountPolicy(approval_percent=0, above_list_percent=20)
    assert not off.needs_approval(Money(100), LIST)
    assert off.needs_confirmation(Money(100), LIST)  # a missing digit is still questioned
    assert not off.needs_confirmation(Money(8500), LIST)


def test_percent_is_rounded_up_to_a_tenth() -> None:
    assert percent_away_tenths(Money(6000), LIST) == 400
    assert percent_away_tenths(Money(12993), Money(19990)) == 351  # 35,003 % reads 35,1


def _approval(requested_by: int = 1) -> Approval:
    return Approval(1, 1, LIST, Money(5000), requested_by, NOW)


def test_four_eyes_unless_the_only_admin() -> None:
    assert not may_decide(_approval(requested_by=7), 7, active_admins=2)
    assert may_decide(_approval(requested_by=7), 8, active_admins=2)
    assert may_decide(_approval(requested_by=7), 7, active_admins=1)


def test_refusal_reason_is_trimmed_and_limited() -> None:
    assert refusal_reason("  fora   da\npolítica ") == "fora da política"
    with pytest.raises(InvalidInput) as empty:
        refusal_reason("   ")
    assert empty.value.key == "approval.reason_required"
    with pytest.raises(InvalidInput) as long:
        refusal_reason("x" * 301)
    assert long.value.key == "approval.reason_too_long" and long.value.params["max"] == 300


def test_the_approval_gate_blocks_until_approved() -> None:
    action = make_action(require_acceptance=False, require_ticket_closed=False)
    contract = make_contract()
    pending = _approval()
    assert finalize_blockers(action, contract, None, None) == []
    assert finalize_blockers(action, contract, None, None, approval=pending) == [
        Blocker.APPROVAL_PENDING
    ]
    refused = replace(pending, decision=ApprovalDecision.REFUSED, decided_by=2, decided_at=NOW)
    assert finalize_blockers(action, contract, None, None, approval=refused) == [
        Blocker.APPROVAL_REFUSED
    ]
    approved = replace(refused, decision=ApprovalDecision.APPROVED)
    assert finalize_blockers(action, contract, None, None, approval=approved) == []


def test_blocker_groups_for_overviews() -> None:
    assert Blocker.APPROVAL_PENDING.group is BlockerGroup.APPROVAL
    assert Blocker.APPROVAL_REFUSED.group is BlockerGroup.REFUSED
    assert Blocker.ACCEPTANCE_PENDING.group is BlockerGroup.ACCEPTANCE
    assert Blocker.TICKET_NOT_CLOSED.group is BlockerGroup.TICKET
    assert Blocker.CONTRACT_CHANGED.group is BlockerGroup.CONTRACT
