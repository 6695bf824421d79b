"""Classify a plan change for display and reports."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.money import Money


class ChangeType(StrEnum):
    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"
    SAME_PRICE = "same_price"


def change_type(old_value: Money, new_value: Money) -> ChangeType:
    """Upgrade when the client will pay more, downgrade when less, else a same-price change."""
    if new_value > old_value:
        return ChangeType.UPGRADE
    if new_value < old_value:
        return ChangeType.DOWNGRADE
    return ChangeType.SAME_PRICE
