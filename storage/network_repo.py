"""SQL side of :class:`bot.services.ports.NetworkRepo`: profiles, access, NAS and network jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.models import ContractStatus
from bot.domain.network import (
    ContractAccess,
    JobOutcome,
    JobReason,
    JobStatus,
    Nas,
    NetworkJob,
    NetworkProfile,
    ReplyAttribute,
)
from storage import orm
from storage.repositories import bump_reference_version


def _attributes(raw: list[Any]) -> tuple[ReplyAttribute, ...]:
    return tuple(ReplyAttribute(str(n), str(o), str(v)) for n, o, v in raw)


def _raw(attributes: tuple[ReplyAttribute, ...]) -> list[list[str]]:
    return [[a.name, a.op, a.value] for a in attributes]


def _profile(row: orm.PlanNetworkProfileRow) -> NetworkProfile:
    return NetworkProfile(row.plan_id, row.radius_group, _attributes(row.attributes))


def _nas(row: orm.NasRow) -> Nas:
    return Nas(row.id, row.name, row.address, row.secret, row.coa_port, row.vendor)


def _job(row: orm.NetworkJobRow) -> NetworkJob:
    return NetworkJob(
        id=row.id,
        action_id=row.action_id,
        contract_id=row.contract_id,
        login=row.login,
        group=row.radius_group,
        attributes=_attributes(row.attributes),
        status=JobStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        applied_at=row.applied_at,
        reason=JobReason(row.reason) if row.reason else None,
        outcome=JobOutcome(row.outcome) if row.outcome else None,
        nas_id=row.nas_id,
    )


class SqlNetworkRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def profile(self, plan_id: int) -> NetworkProfile | None:
        row = await self.s.get(orm.PlanNetworkProfileRow, plan_id)
        return _profile(row) if row else None

    async def profiles(self) -> list[NetworkProfile]:
        rows = await self.s.scalars(
            select(orm.PlanNetworkProfileRow).order_by(orm.PlanNetworkProfileRow.plan_id)
        )
        return [_profile(r) for r in rows]

    async def save_profile(self, profile: NetworkProfile) -> None:
        row = await self.s.get(orm.PlanNetworkProfileRow, profile.plan_id)
        if row is None:
            row = orm.PlanNetworkProfileRow(plan_id=profile.plan_id)
            self.s.add(row)
        row.radius_group = profile.group
        row.attributes = _raw(profile.attributes)
        await self.s.flush()
        await bump_reference_version(self.s)  # the wizard shows profiles from memory

    async def access(self, contract_id: int) -> ContractAccess | None:
        row = await self.s.get(orm.ContractAccessRow, contract_id)
        return ContractAccess(row.contract_id, row.login, row.nas_id) if row else None

    async def access_by_login(self, login: str) -> ContractAccess | None:
        row = await self.s.scalar(
            select(orm.ContractAccessRow).where(orm.ContractAccessRow.login == login)
        )
        return ContractAccess(row.contract_id, row.login, row.nas_id) if row else None

    async def save_access(self, access: ContractAccess) -> None:
        row = await self.s.get(orm.ContractAccessRow, access.contract_id)
        if row is None:
            row = orm.ContractAccessRow(contract_id=access.contract_id)
            self.s.add(row)
        row.login = access.login
        row.nas_id = access.nas_id
        await self.s.flush()

    async def memberships(self) -> list[tuple[str, str]]:
        a, c, p = orm.ContractAccessRow, orm.ContractRow, orm.PlanNetworkProfileRow
        rows = await self.s.execute(
            select(a.login, p.radius_group)
            .join(c, c.id == a.contract_id)
            .join(p, p.plan_id == c.plan_id)
            .where(c.status == ContractStatus.ACTIVE.value)
            .order_by(a.login)
        )
        return [(login, group) for login, group in rows]

    async def nas(self, nas_id: int) -> Nas | None:
        row = await self.s.get(orm.NasRow, nas_id)
        return _nas(row) if row else None

    async def nas_by_address(self, address: str) -> Nas | None:
        row = await self.s.scalar(select(orm.NasRow).where(orm.NasRow.address == address))
        return _nas(row) if row else None

    async def nas_by_name(self, name: str) -> Nas | None:
        row = await self.s.scalar(select(orm.NasRow).where(orm.NasRow.name == name))
        return _nas(row) if row else None

    async def nas_list(self) -> list[Nas]:
        return [_nas(r) for r in await self.s.scalars(select(orm.NasRow).order_by(orm.NasRow.name))]

    async def save_nas(
        self, name: str, address: str, secret: str, coa_port: int, vendor: str
    ) -> Nas:
        row = await self.s.scalar(select(orm.NasRow).where(orm.NasRow.name == name))
        if row is None:
            row = orm.NasRow(name=name)
            self.s.add(row)
        row.address, row.secret, row.coa_port, row.vendor = address, secret, coa_port, vendor
        await self.s.flush()
        return _nas(row)

    async def add_job(self, job: NetworkJob) -> NetworkJob:
        row = orm.NetworkJobRow(
            action_id=job.action_id,
            contract_id=job.contract_id,
            login=job.login,
            radius_group=job.group,
            attributes=_raw(job.attributes),
            nas_id=job.nas_id,
            status=job.status.value,
            attempts=job.attempts,
            next_attempt_at=job.next_attempt_at,
            created_at=job.created_at,
            applied_at=job.applied_at,
            reason=job.reason.value if job.reason else None,
            outcome=job.outcome.value if job.outcome else None,
        )
        self.s.add(row)
        await self.s.flush()
        return _job(row)

    async def job(self, job_id: int) -> NetworkJob | None:
        row = await self.s.get(orm.NetworkJobRow, job_id)
        return _job(row) if row else None

    async def latest_job(
        self, *, action_id: int | None = None, contract_id: int | None = None
    ) -> NetworkJob | None:
        stmt = select(orm.NetworkJobRow).order_by(orm.NetworkJobRow.id.desc()).limit(1)
        if action_id is not None:
            stmt = stmt.where(orm.NetworkJobRow.action_id == action_id)
        if contract_id is not None:
            stmt = stmt.where(orm.NetworkJobRow.contract_id == contract_id)
        row = await self.s.scalar(stmt)
        return _job(row) if row else None

    async def due_jobs(self, now: datetime, limit: int) -> list[NetworkJob]:
        rows = await self.s.scalars(
            select(orm.NetworkJobRow)
            .where(
                orm.NetworkJobRow.status == JobStatus.PENDING.value,
                orm.NetworkJobRow.next_attempt_at <= now,
            )
            .order_by(orm.NetworkJobRow.next_attempt_at, orm.NetworkJobRow.id)
            .limit(limit)
        )
        return [_job(r) for r in rows]

    async def update_job(self, job: NetworkJob) -> None:
        await self.s.execute(
            update(orm.NetworkJobRow)
            .where(orm.NetworkJobRow.id == job.id)
            .values(
                status=job.status.value,
                attempts=job.attempts,
                next_attempt_at=job.next_attempt_at,
                applied_at=job.applied_at,
                reason=job.reason.value if job.reason else None,
                outcome=job.outcome.value if job.outcome else None,
                nas_id=job.nas_id,
            )
        )
