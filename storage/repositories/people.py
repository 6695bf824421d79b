"""The people the bot knows: staff, the one-time codes that make the first admin, and clients."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update

from bot.domain.models import Address, Client, PersonKind, Role, Staff
from bot.domain.safe_text import strip_bidi
from storage import mappers, orm
from storage.repositories.base import _Repo, bump_reference_version, fold


class SqlStaffRepo(_Repo):
    async def get(self, staff_id: int) -> Staff | None:
        row = await self.s.get(orm.StaffRow, staff_id)
        return mappers.staff(row) if row else None

    async def by_telegram_id(self, telegram_id: int) -> Staff | None:
        row = await self.s.scalar(
            select(orm.StaffRow).where(orm.StaffRow.telegram_id == telegram_id)
        )
        return mappers.staff(row) if row else None

    async def add(
        self, telegram_id: int, name: str, role: Role, locale: str, now: datetime
    ) -> Staff:
        row = orm.StaffRow(
            telegram_id=telegram_id,
            name=strip_bidi(name),
            role=role.value,
            active=True,
            locale=locale,
            created_at=now,
        )
        self.s.add(row)
        await self.s.flush()
        await bump_reference_version(self.s)
        return mappers.staff(row)

    async def update(self, staff: Staff) -> None:
        await self.s.execute(
            update(orm.StaffRow)
            .where(orm.StaffRow.id == staff.id)
            .values(
                name=strip_bidi(staff.name),
                role=staff.role.value,
                active=staff.active,
                locale=staff.locale,
            )
        )
        await bump_reference_version(self.s)

    async def list(self, *, active_only: bool = False) -> list[Staff]:
        stmt = select(orm.StaffRow).order_by(orm.StaffRow.name, orm.StaffRow.id)
        if active_only:
            stmt = stmt.where(orm.StaffRow.active.is_(True))
        return [mappers.staff(r) for r in await self.s.scalars(stmt)]


class SqlClaimRepo(_Repo):
    async def add(self, code_hash: str, now: datetime) -> None:
        self.s.add(orm.AdminClaimRow(code_hash=code_hash, created_at=now))
        await self.s.flush()

    async def use(self, code_hash: str, telegram_id: int, now: datetime) -> bool:
        result = await self.s.execute(
            update(orm.AdminClaimRow)
            .where(orm.AdminClaimRow.code_hash == code_hash, orm.AdminClaimRow.used_at.is_(None))
            .values(used_at=now, used_by=telegram_id)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def revoke_unused(self) -> None:
        await self.s.execute(delete(orm.AdminClaimRow).where(orm.AdminClaimRow.used_at.is_(None)))


class SqlClientRepo(_Repo):
    async def get(self, client_id: int) -> Client | None:
        row = await self.s.get(orm.ClientRow, client_id)
        return mappers.client(row) if row else None

    async def by_document(self, document: str) -> Client | None:
        row = await self.s.scalar(select(orm.ClientRow).where(orm.ClientRow.document == document))
        return mappers.client(row) if row else None

    async def search(
        self,
        *,
        name: str | None,
        document_digits: str | None,
        phone_digits: str | None,
        contract_number: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Client], int]:
        conditions: list[Any] = []
        if name:
            for word in fold(name).split():
                conditions.append(orm.ClientRow.name_search.contains(word, autoescape=True))
        any_of: list[Any] = []
        if document_digits:
            any_of.append(orm.ClientRow.document.startswith(document_digits, autoescape=True))
        if phone_digits:
            any_of.append(orm.ClientRow.phone_digits.endswith(phone_digits, autoescape=True))
        if contract_number:
            any_of.append(
                orm.ClientRow.id.in_(
                    select(orm.ContractRow.client_id).where(
                        orm.ContractRow.number == contract_number
                    )
                )
            )
        where = and_(*conditions) if conditions else or_(*any_of) if any_of else None
        if where is None:
            return [], 0
        total = (
            await self.s.scalar(select(func.count()).select_from(orm.ClientRow).where(where)) or 0
        )
        rows = await self.s.scalars(
            select(orm.ClientRow)
            .where(where)
            .order_by(orm.ClientRow.name_search, orm.ClientRow.id)
            .offset(offset)
            .limit(limit)
        )
        return [mappers.client(r) for r in rows], total

    async def add(
        self, kind: PersonKind, name: str, document: str, phone: str, email: str, address: Address
    ) -> Client:
        row = orm.ClientRow(
            kind=kind.value,
            name=strip_bidi(name),
            name_search=fold(strip_bidi(name)),
            document=document,
            phone=phone,
            phone_digits="".join(c for c in phone if c.isdigit()),
            email=strip_bidi(email),
            street=strip_bidi(address.street),
            number=strip_bidi(address.number),
            complement=strip_bidi(address.complement),
            district=strip_bidi(address.district),
            city=strip_bidi(address.city),
            state=strip_bidi(address.state),
            zip_code=strip_bidi(address.zip_code),
        )
        self.s.add(row)
        await self.s.flush()
        return mappers.client(row)

    async def by_ids(self, client_ids: Sequence[int]) -> dict[int, Client]:
        ids = sorted(set(client_ids))
        if not ids:
            return {}
        rows = await self.s.scalars(select(orm.ClientRow).where(orm.ClientRow.id.in_(ids)))
        return {r.id: mappers.client(r) for r in rows}
