"""Taking a finalized plan change to the network: queue a job in the finalize transaction, then
work it (RADIUS group membership, CoA, Disconnect fallback) with retries and a recorded outcome.

The RADIUS database and the NAS are reached through the ports below (``bot.radius`` implements
them), so this module holds the rules only: what to try, in which order, when to give up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.domain.errors import InvalidInput
from bot.domain.network import (
    ContractAccess,
    JobOutcome,
    JobReason,
    JobStatus,
    NakPolicy,
    Nas,
    NetworkJob,
    NetworkProfile,
    ReplyAttribute,
    Session,
    backoff,
    check_name,
    check_nas,
    make_profile,
)
from bot.services.context import OFFICE_ROLES, ServiceContext, found, require_staff
from bot.services.outbox import notify_staff
from bot.services.ports import UnitOfWork

log = logging.getLogger(__name__)


class RadiusUnavailable(Exception):
    """The RADIUS database could not be reached; the job waits and tries again."""


class Answer(StrEnum):
    ACK = "ack"
    NAK = "nak"
    TIMEOUT = "timeout"


class RadiusDirectory(Protocol):
    """FreeRADIUS's SQL tables, as far as the bot owns them."""

    async def apply(
        self,
        login: str,
        group: str,
        attributes: tuple[ReplyAttribute, ...],
        owned_groups: frozenset[str],
    ) -> None:
        """Write the group's reply attributes and make ``login`` a member of ``group`` only
        (among ``owned_groups``); raise :class:`RadiusUnavailable` when the database is down."""
        ...

    async def session(self, login: str) -> Session | None:
        """The login's open accounting session, if any (raise :class:`RadiusUnavailable`)."""
        ...


class CoaSender(Protocol):
    """RFC 5176 requests to a NAS."""

    async def change(
        self, nas: Nas, login: str, session: Session, attributes: tuple[ReplyAttribute, ...]
    ) -> Answer: ...
    async def disconnect(self, nas: Nas, login: str, session: Session) -> Answer: ...


@dataclass(frozen=True)
class NetworkPolicy:
    on_nak: NakPolicy = NakPolicy.DISCONNECT
    max_attempts: int = 5
    batch: int = 20


async def queue_network_change(
    uow: UnitOfWork, *, contract_id: int, plan_id: int, action_id: int | None, now: datetime
) -> NetworkJob:
    """Called inside the finalize transaction: the job commits (or rolls back) with it. A plan
    without a profile or a contract without a login is recorded as skipped, with the reason."""
    profile = await uow.network.profile(plan_id)
    access = await uow.network.access(contract_id)
    reason = None
    if profile is None:
        reason = JobReason.NO_PROFILE
    elif access is None:
        reason = JobReason.NO_LOGIN
    job = NetworkJob(
        id=0,
        action_id=action_id,
        contract_id=contract_id,
        login=access.login if access else "",
        group=profile.group if profile else "",
        attributes=profile.attributes if profile else (),
        status=JobStatus.SKIPPED if reason else JobStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        reason=reason,
        nas_id=access.nas_id if access else None,
    )
    return await uow.network.add_job(job)


async def run_due_jobs(
    ctx: ServiceContext, directory: RadiusDirectory, coa: CoaSender, policy: NetworkPolicy
) -> int:
    """Work every job whose time has come; returns how many were attempted."""
    async with ctx.uow() as uow:
        jobs = await uow.network.due_jobs(ctx.now(), policy.batch)
        owned = frozenset(p.group for p in await uow.network.profiles())
    for job in jobs:
        await work_job(ctx, directory, coa, policy, job, owned)
    return len(jobs)


async def work_job(
    ctx: ServiceContext,
    directory: RadiusDirectory,
    coa: CoaSender,
    policy: NetworkPolicy,
    job: NetworkJob,
    owned: frozenset[str],
) -> NetworkJob:
    """One attempt: group membership first (it is what the next connection reads), then the
    live session through the NAS."""
    attempts = job.attempts + 1
    job = replace(job, attempts=attempts)
    try:
        await directory.apply(job.login, job.group, job.attributes, owned | {job.group})
        session = await directory.session(job.login)
    except RadiusUnavailable:
        log.warning("network job %s: RADIUS database unavailable", job.id)
        return await _retry(ctx, job, JobReason.DATABASE_DOWN)
    if session is None:
        return await _applied(ctx, job, JobOutcome.NO_SESSION)
    async with ctx.uow() as uow:
        nas = await uow.network.nas_by_address(session.nas_address)
        if nas is None and job.nas_id is not None:
            nas = await uow.network.nas(job.nas_id)
    if nas is None:
        return await _failed(ctx, job, JobReason.NAS_UNKNOWN)
    answer = await coa.change(nas, job.login, session, job.attributes)
    if answer is Answer.ACK:
        return await _applied(ctx, replace(job, nas_id=nas.id), JobOutcome.COA)
    if answer is Answer.NAK and policy.on_nak is NakPolicy.LEAVE:
        return await _applied(ctx, replace(job, nas_id=nas.id), JobOutcome.ON_RECONNECT)
    if answer is Answer.NAK:
        if await coa.disconnect(nas, job.login, session) is Answer.ACK:
            return await _applied(ctx, replace(job, nas_id=nas.id), JobOutcome.DISCONNECTED)
        return await _failed(ctx, job, JobReason.COA_NAK)
    if attempts < policy.max_attempts:
        return await _retry(ctx, job, JobReason.NO_ANSWER)
    return await _failed(ctx, job, JobReason.NO_ANSWER)


async def _save(ctx: ServiceContext, job: NetworkJob) -> NetworkJob:
    async with ctx.uow() as uow:
        await uow.network.update_job(job)
        await uow.commit()
    return job


async def _retry(ctx: ServiceContext, job: NetworkJob, reason: JobReason) -> NetworkJob:
    wait = backoff(job.attempts)
    return await _save(ctx, replace(job, reason=reason, next_attempt_at=ctx.now() + wait))


async def _applied(ctx: ServiceContext, job: NetworkJob, outcome: JobOutcome) -> NetworkJob:
    done = replace(
        job, status=JobStatus.APPLIED, applied_at=ctx.now(), outcome=outcome, reason=None
    )
    return await _save(ctx, done)


async def _failed(ctx: ServiceContext, job: NetworkJob, reason: JobReason) -> NetworkJob:
    """Give up and tell the action's owner (the outbox delivers after the commit)."""
    failed = replace(job, status=JobStatus.FAILED, reason=reason)
    now = ctx.now()
    async with ctx.uow() as uow:
        await uow.network.update_job(failed)
        action = await uow.actions.get(job.action_id) if job.action_id else None
        if action is not None:
            await notify_staff(
                uow,
                action.created_by,
                "network_failed",
                now,
                action_id=action.id,
                reason=reason.value,
            )
        await uow.commit()
    return failed


async def retry_job(ctx: ServiceContext, actor_id: int, job_id: int) -> NetworkJob:
    """Staff's **Tentar de novo**: a failed job goes back to the queue, due now."""
    async with ctx.uow() as uow:
        await require_staff(uow, actor_id, *OFFICE_ROLES)
        job = found(await uow.network.job(job_id))
        if job.status is not JobStatus.FAILED:
            return job
        again = replace(
            job, status=JobStatus.PENDING, attempts=0, next_attempt_at=ctx.now(), reason=None
        )
        await uow.network.update_job(again)
        await uow.commit()
    return again


async def save_profile(
    ctx: ServiceContext, plan_id: int, group: str, attributes: str
) -> NetworkProfile:
    """Validate and store a plan's profile (CLI and import); invalid syntax is refused here."""
    profile = make_profile(plan_id, group, attributes)
    async with ctx.uow() as uow:
        found(await uow.catalog.plan(plan_id))
        for other in await uow.network.profiles():
            if other.group == profile.group and other.plan_id != plan_id:
                raise InvalidInput("errors.radius_group_taken", value=profile.group)
        await uow.network.save_profile(profile)
        await uow.commit()
    ctx.reference_cache.invalidate()
    return profile


async def save_access(
    ctx: ServiceContext, contract_number: str, login: str, nas_name: str | None = None
) -> ContractAccess:
    """Set a contract's access login (and NAS, by name); a login belongs to one contract."""
    login = check_name(login, "login")
    async with ctx.uow() as uow:
        contract = found(
            await uow.contracts.by_number(contract_number), "errors.contract_not_found"
        )
        other = await uow.network.access_by_login(login)
        if other is not None and other.contract_id != contract.id:
            raise InvalidInput("errors.radius_login_taken", value=login)
        nas_id = None
        if nas_name:
            nas_id = found(await uow.network.nas_by_name(nas_name), "errors.radius_nas_unknown").id
        access = ContractAccess(contract.id, login, nas_id)
        await uow.network.save_access(access)
        await uow.commit()
    return access


async def network_of_action(uow: UnitOfWork, action_id: int) -> NetworkJob | None:
    return await uow.network.latest_job(action_id=action_id)


async def network_of_contract(uow: UnitOfWork, contract_id: int) -> NetworkJob | None:
    return await uow.network.latest_job(contract_id=contract_id)


async def save_nas(
    ctx: ServiceContext, name: str, address: str, secret: str, coa_port: int, vendor: str
) -> Nas:
    name, address = check_nas(name, address, secret, coa_port)
    async with ctx.uow() as uow:
        other = await uow.network.nas_by_address(address)
        if other is not None and other.name != name:
            raise InvalidInput("errors.radius_nas_address_taken", value=address)
        nas = await uow.network.save_nas(name, address, secret, coa_port, vendor or "other")
        await uow.commit()
    return nas


async def find_plan_id(ctx: ServiceContext, plan: str) -> int:
    """A plan by id or exact name (CLI arguments)."""
    async with ctx.uow() as uow:
        plans = await uow.catalog.plans(active_only=False)
    for p in plans:
        if str(p.id) == plan.strip() or p.name == plan.strip():
            return p.id
    raise InvalidInput("errors.radius_plan_unknown", value=plan[:80])


async def desired_state(ctx: ServiceContext) -> tuple[list[NetworkProfile], list[tuple[str, str]]]:
    """Every plan's profile and every active contract's (login, group): what ``radius sync``
    writes."""
    async with ctx.uow() as uow:
        return await uow.network.profiles(), await uow.network.memberships()


@dataclass(frozen=True)
class LoginExpectation:
    contract_number: str
    plan_name: str
    profile: NetworkProfile | None


async def expected_for_login(ctx: ServiceContext, login: str) -> LoginExpectation | None:
    """What the contract with this login says its network profile is (``radius check``)."""
    async with ctx.uow() as uow:
        access = await uow.network.access_by_login(login.strip())
        if access is None:
            return None
        contract = found(await uow.contracts.get(access.contract_id))
        plan = found(await uow.catalog.plan(contract.plan_id))
        return LoginExpectation(contract.number, plan.name, await uow.network.profile(plan.id))
