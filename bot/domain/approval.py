"""Discount approval: a value far below the plan's list price needs a supervisor's yes.

Why: a typed R$ 79,90 for a plan listed at R$ 199,90 is either a typo or a commercial decision
someone must own. The wizard asks "tem certeza?" first (:meth:`DiscountPolicy.needs_confirmation`);
an action created with such a value carries an :class:`Approval` that an admin decides, and
finalizing waits for it (``bot.domain.gates``).

Who may decide (:func:`may_decide`): any active admin except the one who asked for the discount,
so a discount always has a second pair of eyes; the only exception is a provider with a single
active admin, who may approve their own request (nobody else could).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.errors import InvalidInput
from bot.domain.money import Money

DEFAULT_APPROVAL_PERCENT = 20
DEFAULT_ABOVE_LIST_PERCENT = 20
MAX_REASON = 300  # a refusal's reason: one or two sentences, shown on the card and in alerts


def _beyond(value: Money, list_price: Money, percent: int) -> bool:
    """Whether ``value`` is more than ``percent`` % away from ``list_price`` (exact cents)."""
    return abs(value.cents - list_price.cents) * 100 > list_price.cents * percent


def percent_away_tenths(value: Money, list_price: Money) -> int:
    """How far ``value`` is from ``list_price``, in tenths of a percent, rounded up: a value
    just past a threshold never reads as exactly on it."""
    if list_price.cents <= 0:
        return 1000
    return -(-abs(value.cents - list_price.cents) * 1000 // list_price.cents)


@dataclass(frozen=True)
class DiscountPolicy:
    """``approval_percent``: a discount beyond it needs approval (0: never).
    ``above_list_percent``: a value this much above the list price is probably a typo and is
    confirmed first; with the approval gate off, the same margin guards values below the list
    price too (a missing digit must not go through silently)."""

    approval_percent: int = DEFAULT_APPROVAL_PERCENT
    above_list_percent: int = DEFAULT_ABOVE_LIST_PERCENT

    @property
    def gate_on(self) -> bool:
        return self.approval_percent > 0

    def needs_approval(self, value: Money, list_price: Money) -> bool:
        return (
            self.gate_on
            and value < list_price
            and _beyond(value, list_price, self.approval_percent)
        )

    def needs_confirmation(self, value: Money, list_price: Money) -> bool:
        """The value step's "tem certeza?"."""
        if list_price < value:
            return _beyond(value, list_price, self.above_list_percent)
        below = self.approval_percent if self.gate_on else self.above_list_percent
        return _beyond(value, list_price, below)


class ApprovalDecision(StrEnum):
    APPROVED = "approved"
    REFUSED = "refused"


@dataclass(frozen=True)
class Approval:
    """The request for a supervisor's approval of one action's discount, and its decision
    (written once: ``decision`` goes from None to approved/refused and never changes again)."""

    id: int
    action_id: int
    list_price: Money
    value: Money
    requested_by: int
    requested_at: datetime
    decision: ApprovalDecision | None = None
    decided_by: int | None = None
    decided_at: datetime | None = None
    reason: str | None = None

    @property
    def discount_tenths(self) -> int:
        return percent_away_tenths(self.value, self.list_price)

    @property
    def decided(self) -> bool:
        return self.decision is not None


def may_decide(approval: Approval, staff_id: int, active_admins: int) -> bool:
    """The four-eyes rule: not the requester, unless they are the provider's only admin."""
    return approval.requested_by != staff_id or active_admins <= 1


def refusal_reason(text: str | None) -> str:
    """The typed reason for a refusal, trimmed; empty or too long is refused with a key."""
    reason = " ".join((text or "").split())
    if not reason:
        raise InvalidInput("approval.reason_required")
    if len(reason) > MAX_REASON:
        raise InvalidInput("approval.reason_too_long", max=MAX_REASON, length=len(reason))
    return reason
