"""Blocker groups (every blocker has one; an unknown kind falls back to "other") and ages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.gates import Blocker, BlockerGroup
from bot.domain.overview import Age, AgeUnit, age_of, blocker_groups

EXPECTED = {
    Blocker.ACCEPTANCE_PENDING: BlockerGroup.ACCEPTANCE,
    Blocker.ACCEPTANCE_DECLINED: BlockerGroup.ACCEPTANCE,
    Blocker.ACCEPTANCE_EXPIRED: BlockerGroup.ACCEPTANCE,
    Blocker.ACCEPTANCE_MISSING: BlockerGroup.ACCEPTANCE,
    Blocker.TICKET_NOT_CLOSED: BlockerGroup.TICKET,
    Blocker.TICKET_CANCELLED: BlockerGroup.TICKET,
    Blocker.TICKET_MISSING: BlockerGroup.TICKET,
    Blocker.APPROVAL_PENDING: BlockerGroup.APPROVAL,
    Blocker.APPROVAL_REFUSED: BlockerGroup.REFUSED,
    Blocker.CONTRACT_CHANGED: BlockerGroup.CONTRACT,
    Blocker.CONTRACT_CANCELLED: BlockerGroup.CONTRACT,
    Blocker.NOT_PENDING_FINALIZED: BlockerGroup.OTHER,
    Blocker.NOT_PENDING_CANCELLED: BlockerGroup.OTHER,
}


@pytest.mark.parametrize("blocker", list(Blocker))
def test_every_blocker_has_a_group(blocker: Blocker) -> None:
    assert blocker.group is EXPECTED.get(blocker, BlockerGroup.OTHER)


def test_a_blocker_of_no_known_gate_is_other_not_dropped() -> None:
    assert blocker_groups([Blocker.NOT_PENDING_CANCELLED, Blocker.TICKET_NOT_CLOSED]) == [
        BlockerGroup.TICKET,
        BlockerGroup.OTHER,
    ]


def test_groups_come_once_each_in_a_fixed_order() -> None:
    blockers = [
        Blocker.TICKET_NOT_CLOSED,
        Blocker.ACCEPTANCE_DECLINED,
        Blocker.ACCEPTANCE_PENDING,
        Blocker.CONTRACT_CHANGED,
        Blocker.APPROVAL_PENDING,
    ]
    assert blocker_groups(blockers) == [
        BlockerGroup.ACCEPTANCE,
        BlockerGroup.TICKET,
        BlockerGroup.APPROVAL,
        BlockerGroup.CONTRACT,
    ]
    assert blocker_groups([]) == []


NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "age"),
    [
        (timedelta(0), Age(0, AgeUnit.MINUTES)),
        (timedelta(minutes=59, seconds=59), Age(59, AgeUnit.MINUTES)),
        (timedelta(hours=1), Age(1, AgeUnit.HOURS)),
        (timedelta(hours=23, minutes=59), Age(23, AgeUnit.HOURS)),
        (timedelta(days=1), Age(1, AgeUnit.DAYS)),
        (timedelta(days=3, hours=23), Age(3, AgeUnit.DAYS)),
        (timedelta(minutes=-5), Age(0, AgeUnit.MINUTES)),  # a clock a little ahead
    ],
)
def test_age_in_the_largest_whole_unit(ago: timedelta, age: Age) -> None:
    assert age_of(NOW - ago, NOW) == age
