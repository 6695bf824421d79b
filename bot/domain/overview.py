"""The team overview's vocabulary: what kind of thing holds an action up, and how old it is.

``finalize_blockers`` (``bot.domain.gates``) says exactly what stops finalizing; a list row has
room for a couple of icons only, so blockers are folded into their gates
(:attr:`~bot.domain.gates.Blocker.group`: the client's acceptance, the ticket, the supervisor's
approval, the contract itself, anything else).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.gates import Blocker, BlockerGroup

# After how many days a pending action counts as stuck, unless PENDING_STALE_DAYS says otherwise.
DEFAULT_STALE_DAYS = 3


def blocker_groups(blockers: Iterable[Blocker]) -> list[BlockerGroup]:
    """The groups of ``blockers``, each once, in :class:`BlockerGroup` order (empty: ready)."""
    present = {b.group for b in blockers}
    return [g for g in BlockerGroup if g in present]


class AgeUnit(StrEnum):
    MINUTES = "min"
    HOURS = "h"
    DAYS = "d"


@dataclass(frozen=True)
class Age:
    """How long ago, in the largest whole unit (3 d, 5 h, 12 min), rounded down."""

    value: int
    unit: AgeUnit


def age_of(since: datetime, now: datetime) -> Age:
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes >= 24 * 60:
        return Age(minutes // (24 * 60), AgeUnit.DAYS)
    if minutes >= 60:
        return Age(minutes // 60, AgeUnit.HOURS)
    return Age(minutes, AgeUnit.MINUTES)
