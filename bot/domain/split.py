"""Distribution of a contract's value among its services.

The ERP lets staff put everything on the main service, spread it in proportion to the services'
list prices, or type each share. Whatever the strategy, the shares must add up to the contract
value to the cent, none may be negative, and there is at least one service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.errors import InvalidSplit
from bot.domain.money import Money


class SplitStrategy(StrEnum):
    MAIN = "main"  # tudo no serviço principal
    PROPORTIONAL = "proportional"  # proporcional aos preços de tabela
    MANUAL = "manual"  # digitado serviço a serviço


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """A service chosen for the contract, with its catalog list price."""

    service_id: int
    name: str
    list_price: Money


@dataclass(frozen=True, slots=True)
class Share:
    service_id: int
    name: str
    amount: Money


def validate_split(total: Money, shares: Sequence[Share]) -> tuple[Share, ...]:
    """Check the rules every split must hold; return the shares unchanged if they do."""
    if not shares:
        raise InvalidSplit("split.no_services")
    ids = [s.service_id for s in shares]
    if len(set(ids)) != len(ids):
        raise InvalidSplit("split.duplicate_service")
    for share in shares:
        if share.amount.cents < 0:
            raise InvalidSplit("split.negative", service=share.name)
    got = sum((s.amount for s in shares), Money.zero())
    if got != total:
        diff = total - got
        key = "split.missing" if diff.cents > 0 else "split.exceeds"
        raise InvalidSplit(
            key, total=total.format(), got=got.format(), diff=Money(abs(diff.cents)).format()
        )
    return tuple(shares)


def split_all_on_main(total: Money, services: Sequence[ServiceLine]) -> tuple[Share, ...]:
    """The whole value on the first (main) service, zero on the others."""
    if not services:
        raise InvalidSplit("split.no_services")
    shares = [Share(s.service_id, s.name, Money.zero()) for s in services]
    shares[0] = Share(services[0].service_id, services[0].name, total)
    return validate_split(total, shares)


def split_proportional(total: Money, services: Sequence[ServiceLine]) -> tuple[Share, ...]:
    """Shares in proportion to list prices, by the largest-remainder method.

    Remainder cents go to the services with the largest fractional parts, ties broken by the
    order of the services, so the same input always gives the same split. When every list price
    is zero the value is spread evenly.
    """
    if not services:
        raise InvalidSplit("split.no_services")
    if total.cents < 0:
        raise InvalidSplit("split.negative", service=services[0].name)
    weights = [max(s.list_price.cents, 0) for s in services]
    if sum(weights) == 0:
        weights = [1] * len(services)
    weight_sum = sum(weights)
    base = [total.cents * w // weight_sum for w in weights]
    remainders = [total.cents * w % weight_sum for w in weights]
    leftover = total.cents - sum(base)
    order = sorted(range(len(services)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        base[i] += 1
    shares = [Share(s.service_id, s.name, Money(c)) for s, c in zip(services, base, strict=True)]
    return validate_split(total, shares)


def split_manual(
    total: Money, services: Sequence[ServiceLine], amounts: Sequence[Money]
) -> tuple[Share, ...]:
    """Shares typed by the operator, one per service, validated."""
    if len(amounts) != len(services):
        raise InvalidSplit("split.count_mismatch", expected=len(services), got=len(amounts))
    shares = [Share(s.service_id, s.name, a) for s, a in zip(services, amounts, strict=True)]
    return validate_split(total, shares)


def compute_split(
    strategy: SplitStrategy,
    total: Money,
    services: Sequence[ServiceLine],
    amounts: Sequence[Money] | None = None,
) -> tuple[Share, ...]:
    if strategy is SplitStrategy.MAIN:
        return split_all_on_main(total, services)
    if strategy is SplitStrategy.PROPORTIONAL:
        return split_proportional(total, services)
    return split_manual(total, services, amounts or ())
