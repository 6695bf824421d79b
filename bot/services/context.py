"""What every service function is handed: how to open a unit of work, the time, the rules' knobs."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.domain.approval import DiscountPolicy
from bot.domain.change import ChangeType
from bot.domain.effective import DEFAULT_WHEN, EffectiveWhen
from bot.domain.errors import NotFound, PermissionDenied
from bot.domain.models import Role, Staff
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.services.reference import Lru, Reference, ReferenceCache


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServiceContext:
    uow: UnitOfWorkFactory
    clock: Clock = utc_now
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Sao_Paulo"))
    acceptance_ttl: timedelta = timedelta(days=7)
    document_retention: timedelta = timedelta(days=90)  # the answered document, for the client
    identity_prefix: int = 0  # characters of the CPF/CNPJ the client types (0: all of it)
    reference_cache: ReferenceCache = field(default_factory=ReferenceCache)
    # Immutable read models keyed by what makes them immutable (e.g. a contract version).
    snapshots: Lru[Hashable, object] = field(default_factory=Lru)
    # RADIUS provisioning (``bot.services.network``): off unless RADIUS_DATABASE_URL is set.
    network_enabled: bool = False
    # When a plan change starts unless the operator chooses otherwise, by change type.
    effective_defaults: Mapping[ChangeType, EffectiveWhen] = field(
        default_factory=lambda: dict(DEFAULT_WHEN)
    )
    # Which typed values the wizard double-checks and which need a supervisor's approval.
    discount: DiscountPolicy = field(default_factory=DiscountPolicy)

    async def reference(self, *, check: bool = False) -> Reference:
        """Staff and catalog from memory (see ``bot.services.reference``)."""
        return await self.reference_cache.get(self.uow, check=check)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today where the provider is (contracts and loyalty periods are local dates)."""
        return self.clock().astimezone(self.timezone).date()


async def require_staff(uow: UnitOfWork, staff_id: int, *roles: Role) -> Staff:
    """The acting staff member, active and (if ``roles`` given) in one of them."""
    staff = await uow.staff.get(staff_id)
    if staff is None or not staff.active:
        raise PermissionDenied()
    if roles and staff.role not in roles:
        raise PermissionDenied()
    return staff


OFFICE_ROLES = (Role.ADMIN, Role.OPERATOR)

T = TypeVar("T")


def found(value: T | None, key: str = "errors.not_found") -> T:
    if value is None:
        raise NotFound(key)
    return value
