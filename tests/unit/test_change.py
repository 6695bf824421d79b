"""Classifying a plan change by price."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.change import ChangeType, change_type
from bot.domain.money import Money
from bot.i18n import has_key


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (9990, 12990, ChangeType.UPGRADE),
        (9990, 9991, ChangeType.UPGRADE),
        (0, 1, ChangeType.UPGRADE),
        (12990, 9990, ChangeType.DOWNGRADE),
        (9990, 9989, ChangeType.DOWNGRADE),
        (9990, 9990, ChangeType.SAME_PRICE),
        (0, 0, ChangeType.SAME_PRICE),
    ],
)
def test_change_type(old: int, new: int, expected: ChangeType) -> None:
    assert change_type(Money(old), Money(new)) is expected


@pytest.mark.parametrize("kind", list(ChangeType))
def test_change_type_has_a_label_in_both_locales(kind: ChangeType) -> None:
    assert has_key(f"change_type.{kind.value}", "pt_BR")
    assert has_key(f"change_type.{kind.value}", "en")


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**10), st.integers(0, 10**10))
def test_change_type_is_antisymmetric(a: int, b: int) -> None:
    forward, backward = change_type(Money(a), Money(b)), change_type(Money(b), Money(a))
    if a == b:
        assert forward is backward is ChangeType.SAME_PRICE
    else:
        assert {forward, backward} == {ChangeType.UPGRADE, ChangeType.DOWNGRADE}
        assert (forward is ChangeType.UPGRADE) == (b > a)
