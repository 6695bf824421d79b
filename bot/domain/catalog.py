"""What the provider sells and files: plan groups, plans, services, contract templates, and the
ticket types and departments."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.documents import PersonKind
from bot.domain.money import Money


@dataclass(frozen=True, slots=True)
class PlanGroup:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Service:
    id: int
    code: str
    name: str
    list_price: Money
    active: bool = True


@dataclass(frozen=True, slots=True)
class Plan:
    id: int
    group_id: int
    name: str
    download_mbps: int
    upload_mbps: int
    price: Money
    default_service_ids: tuple[int, ...] = ()
    active: bool = True


@dataclass(frozen=True, slots=True)
class ContractTemplate:
    id: int
    code: str
    name: str
    kind: PersonKind
    file: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """Ticket types and departments: a name and an id is all they are."""

    id: int
    name: str
