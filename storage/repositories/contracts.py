"""Contracts with their service shares, and the revision log each applied change leaves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update

from bot.domain.loyalty import Loyalty
from bot.domain.models import Contract, ContractRevision, ContractStatus
from bot.domain.money import Money
from bot.domain.split import Share
from storage import mappers, orm
from storage.repositories.base import _Repo


class SqlContractRepo(_Repo):
    async def shares(self, contract_ids: Sequence[int]) -> dict[int, tuple[Share, ...]]:
        """The services of each contract, in their order (one query for any number)."""
        out: dict[int, list[Share]] = {cid: [] for cid in contract_ids}
        if not contract_ids:
            return {}
        rows = await self.s.execute(
            select(
                orm.ContractServiceRow.contract_id,
                orm.ContractServiceRow.service_id,
                orm.ServiceRow.name,
                orm.ContractServiceRow.share_cents,
            )
            .join(orm.ServiceRow, orm.ServiceRow.id == orm.ContractServiceRow.service_id)
            .where(orm.ContractServiceRow.contract_id.in_(contract_ids))
            .order_by(orm.ContractServiceRow.contract_id, orm.ContractServiceRow.position)
        )
        for contract_id, service_id, name, cents in rows:
            out[contract_id].append(Share(service_id, name, Money(cents)))
        return {k: tuple(v) for k, v in out.items()}

    async def _one(self, row: orm.ContractRow | None) -> Contract | None:
        if row is None:
            return None
        shares = await self.shares([row.id])
        return mappers.contract(row, shares.get(row.id, ()))

    async def get(self, contract_id: int) -> Contract | None:
        # populate_existing: a version bumped by another transaction must be seen, not cached
        row = await self.s.get(orm.ContractRow, contract_id, populate_existing=True)
        return await self._one(row)

    async def by_number(self, number: str) -> Contract | None:
        return await self._one(
            await self.s.scalar(select(orm.ContractRow).where(orm.ContractRow.number == number))
        )

    async def for_client(self, client_id: int) -> list[Contract]:
        rows = list(
            await self.s.scalars(
                select(orm.ContractRow)
                .where(orm.ContractRow.client_id == client_id)
                .order_by(orm.ContractRow.number)
            )
        )
        shares = await self.shares([r.id for r in rows])
        return [mappers.contract(r, shares.get(r.id, ())) for r in rows]

    async def add(
        self,
        *,
        number: str,
        client_id: int,
        status: ContractStatus,
        plan_id: int,
        value: Money,
        services: Sequence[Share],
        template_id: int,
        loyalty: Loyalty,
        due_day: int,
        start_date: date,
    ) -> Contract:
        row = orm.ContractRow(
            number=number,
            client_id=client_id,
            status=status.value,
            plan_id=plan_id,
            value_cents=value.cents,
            template_id=template_id,
            due_day=due_day,
            start_date=start_date,
            version=1,
            **self._loyalty_values(loyalty),
        )
        self.s.add(row)
        await self.s.flush()
        await self._write_shares(row.id, services)
        result = await self._one(row)
        assert result is not None
        return result

    @staticmethod
    def _loyalty_values(loyalty: Loyalty) -> dict[str, Any]:
        return {
            "loyalty_term_id": loyalty.term_id,
            "loyalty_months": loyalty.months,
            "loyalty_benefit_cents": loyalty.monthly_benefit.cents,
            "loyalty_start": loyalty.start,
            "loyalty_end": loyalty.end,
        }

    async def _write_shares(self, contract_id: int, services: Sequence[Share]) -> None:
        self.s.add_all(
            orm.ContractServiceRow(
                contract_id=contract_id,
                service_id=s.service_id,
                share_cents=s.amount.cents,
                position=i,
            )
            for i, s in enumerate(services)
        )
        await self.s.flush()

    async def apply_update(
        self,
        contract_id: int,
        expected_version: int,
        *,
        plan_id: int,
        value: Money,
        services: Sequence[Share],
        template_id: int,
        loyalty: Loyalty,
    ) -> bool:
        result = await self.s.execute(
            update(orm.ContractRow)
            .where(orm.ContractRow.id == contract_id, orm.ContractRow.version == expected_version)
            .values(
                plan_id=plan_id,
                value_cents=value.cents,
                template_id=template_id,
                version=orm.ContractRow.version + 1,
                **self._loyalty_values(loyalty),
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        await self.s.execute(
            delete(orm.ContractServiceRow).where(orm.ContractServiceRow.contract_id == contract_id)
        )
        await self._write_shares(contract_id, services)
        return True


class SqlRevisionRepo(_Repo):
    async def add(
        self,
        *,
        contract_id: int,
        version: int,
        action_id: int | None,
        before: dict[str, Any],
        after: dict[str, Any],
        staff_id: int | None,
        now: datetime,
    ) -> ContractRevision:
        row = orm.ContractRevisionRow(
            contract_id=contract_id,
            version=version,
            action_id=action_id,
            before=before,
            after=after,
            staff_id=staff_id,
            created_at=now,
        )
        self.s.add(row)
        await self.s.flush()
        return mappers.revision(row)

    async def for_contract(self, contract_id: int, limit: int = 20) -> list[ContractRevision]:
        rows = await self.s.scalars(
            select(orm.ContractRevisionRow)
            .where(orm.ContractRevisionRow.contract_id == contract_id)
            .order_by(orm.ContractRevisionRow.version.desc())
            .limit(limit)
        )
        return [mappers.revision(r) for r in rows]
