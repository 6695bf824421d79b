"""The client's acceptance of a plan update: by link (Telegram or web), in person, resend,
reminders and expiry."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain.errors import Conflict, DomainError, InvalidInput
from bot.domain.identity import MAX_IDENTITY_TRIES, document_matches
from bot.domain.models import (
    AcceptanceChannel,
    AcceptanceRequest,
    AcceptanceStatus,
    ActionStatus,
    Client,
    Evidence,
    PersonKind,
)
from bot.domain.safe_text import strip_bidi
from bot.domain.signer import Signer
from bot.domain.tokens import hash_token, new_token
from bot.services.cards import ActionCard, load_action_card
from bot.services.context import OFFICE_ROLES, ServiceContext, found, require_staff
from bot.services.outbox import notify_staff
from bot.services.ports import UnitOfWork

log = logging.getLogger(__name__)


class AcceptanceUnavailable(DomainError):
    """A link that cannot be used; says why without revealing anything about the contract."""

    key = "acceptance.token_invalid"


class IdentityMismatch(DomainError):
    """The document typed is not the client's; ``remaining`` tries are left."""

    key = "acceptance.identity_mismatch"


class IdentityLocked(DomainError):
    """Too many wrong documents: the request is locked and the owner told."""

    key = "acceptance.identity_locked"


class SignerRequired(DomainError):
    """A company (PJ) client answers through a person whose name, CPF and role are asked first."""

    key = "acceptance.signer.required"


class StaffCannotDecide(DomainError):
    """A staff member tried to answer a client's acceptance link as if they were the client."""

    key = "acceptance.staff_view"


_STATUS_KEYS = {
    AcceptanceStatus.ACCEPTED: "acceptance.token_used",
    AcceptanceStatus.DECLINED: "acceptance.token_used",
    AcceptanceStatus.EXPIRED: "acceptance.token_expired",
    AcceptanceStatus.CANCELLED: "acceptance.token_cancelled",
}


@dataclass(frozen=True)
class Decision:
    request: AcceptanceRequest
    accepted: bool
    already: bool = False  # the same decision was already recorded (a double tap)


async def _usable(
    ctx: ServiceContext, uow: UnitOfWork, token_hash: str, *, lock: bool = False
) -> AcceptanceRequest:
    """The pending request behind a link, or :class:`AcceptanceUnavailable`.

    The action must still be pending: a request left behind by a finalize or cancel that won a
    race is cancelled here and shows nothing. ``lock`` holds the action until commit, so a
    finalize or cancel cannot slip in between this check and the client's answer.
    """
    request = await uow.acceptances.by_token_hash(token_hash)
    if request is None:
        raise AcceptanceUnavailable("acceptance.token_invalid")
    if request.status is AcceptanceStatus.PENDING:
        get = uow.actions.get_for_update if lock else uow.actions.get
        action = found(await get(request.action_id))
        if action.status is not ActionStatus.PENDING:
            await uow.acceptances.decide(request.id, to=AcceptanceStatus.CANCELLED, now=ctx.now())
            await uow.commit()
            raise AcceptanceUnavailable("acceptance.not_pending")
    if request.status is AcceptanceStatus.PENDING and request.expires_at <= ctx.now():
        await _expire(ctx, uow, request)
        await uow.commit()
        raise AcceptanceUnavailable("acceptance.token_expired")
    if request.status is not AcceptanceStatus.PENDING:
        raise AcceptanceUnavailable(_STATUS_KEYS[request.status])
    return request


async def open_by_token(ctx: ServiceContext, token: str) -> tuple[AcceptanceRequest, ActionCard]:
    """What the client sees behind a link: the request and the proposed change."""
    return await open_by_hash(ctx, hash_token(token or ""))


async def open_by_hash(
    ctx: ServiceContext, token_hash: str
) -> tuple[AcceptanceRequest, ActionCard]:
    """As :func:`open_by_token`, for callers that keep only the token's hash (the chat)."""
    async with ctx.uow() as uow:
        request = await _usable(ctx, uow, token_hash)
        return request, await load_action_card(uow, request.action_id, today=ctx.today())


async def decide_by_token(
    ctx: ServiceContext,
    token: str,
    *,
    accept: bool,
    evidence: Evidence,
    document_sha256: str,
    document: bytes | None = None,
    typed_document: str | None = None,
    signer: Signer | None = None,
) -> Decision:
    """Record the client's answer once; the link is single use.

    Repeating the same answer (a double tap, a reloaded page) is reported as ``already``.
    """
    return await decide_by_hash(
        ctx,
        hash_token(token or ""),
        accept=accept,
        evidence=evidence,
        document_sha256=document_sha256,
        document=document,
        typed_document=typed_document,
        signer=signer,
    )


async def decide_by_hash(
    ctx: ServiceContext,
    token_hash: str,
    *,
    accept: bool,
    evidence: Evidence,
    document_sha256: str,
    document: bytes | None = None,
    typed_document: str | None = None,
    signer: Signer | None = None,
) -> Decision:
    """As :func:`decide_by_token`. ``document``: the exact bytes answered (their SHA-256 is
    ``document_sha256``), kept for the client to download for ``ctx.document_retention``; without
    it, a copy kept when the offer was made (the chat) is kept on if its hash matches.
    ``typed_document``: the CPF/CNPJ the person typed; checked first (see :func:`_check_identity`),
    and only "document checked" is recorded. ``signer``: required for a company client (see
    :mod:`bot.domain.signer`), ignored for a person."""
    now = ctx.now()
    async with ctx.uow() as uow:
        request = await uow.acceptances.by_token_hash(token_hash)
        wanted = AcceptanceStatus.ACCEPTED if accept else AcceptanceStatus.DECLINED
        if (
            request is not None
            and request.status is wanted
            and _same_person(request.evidence, evidence)
        ):
            return Decision(request, accept, already=True)
        request = await _usable(ctx, uow, token_hash, lock=True)
        await _not_staff(uow, evidence)
        client = await _client_of(uow, request)
        if client.kind is not PersonKind.PJ:
            signer = None
        elif signer is None:
            raise SignerRequired()
        if typed_document is not None:
            await _check_identity(ctx, uow, request, client, typed_document)
            evidence = replace(evidence, document_checked=True)
        if not await uow.acceptances.decide(
            request.id,
            to=wanted,
            now=now,
            evidence=evidence,
            document_sha256=document_sha256,
            signer=signer,
        ):
            raise AcceptanceUnavailable("acceptance.token_used")
        if document is None and document_sha256:
            offered = await uow.acceptances.kept_document(request.id, now)
            document = offered[1] if offered and offered[0] == document_sha256 else None
        if document is not None and document_sha256:
            await uow.acceptances.keep_document(
                request.id,
                sha256=document_sha256,
                content=document,
                keep_until=now + ctx.document_retention,
            )
        await _tell_owner(
            uow, request.action_id, "acceptance_accepted" if accept else "acceptance_declined", now
        )
        decided = found(await uow.acceptances.get(request.id))
        await uow.commit()
    _log_decision(decided)
    return Decision(decided, accept)


def _log_decision(request: AcceptanceRequest) -> None:
    log.info(
        "acceptance decided",
        extra={
            "event": "acceptance.decided",
            "action_id": request.action_id,
            "acceptance_id": request.id,
            "channel": request.channel.value,
            "outcome": request.status.value,
        },
    )


async def _client_of(uow: UnitOfWork, request: AcceptanceRequest) -> Client:
    action = found(await uow.actions.get(request.action_id))
    contract = found(await uow.contracts.get(action.contract_id))
    return found(await uow.clients.get(contract.client_id))


async def _check_identity(
    ctx: ServiceContext, uow: UnitOfWork, request: AcceptanceRequest, client: Client, typed: str
) -> None:
    """The typed document must be the client's. A wrong one is counted (and committed, so a
    refused answer still counts); the last allowed one cancels the request, whose link then
    works no more, and tells the action's owner, who can send a new link."""
    if document_matches(client.document, typed, ctx.identity_prefix):
        return
    failures = await uow.acceptances.identity_failed(request.id)
    if failures >= MAX_IDENTITY_TRIES:
        await uow.acceptances.decide(request.id, to=AcceptanceStatus.CANCELLED, now=ctx.now())
        await _tell_owner(uow, request.action_id, "acceptance_locked", ctx.now())
        await uow.commit()
        raise IdentityLocked(tries=MAX_IDENTITY_TRIES)
    await uow.commit()
    raise IdentityMismatch(remaining=MAX_IDENTITY_TRIES - failures)


async def _not_staff(uow: UnitOfWork, evidence: Evidence) -> None:
    """Staff cannot answer for a client through the client's link: recorded as the client's own
    acceptance, it would satisfy the gate of a new loyalty term. In-person acceptance (with its
    note) is the staff's path."""
    if evidence.telegram_user_id is None:
        return
    staff = await uow.staff.by_telegram_id(evidence.telegram_user_id)
    if staff is not None and staff.active:
        raise StaffCannotDecide()


def _same_person(recorded: Evidence, now: Evidence) -> bool:
    if recorded.telegram_user_id is not None:
        return recorded.telegram_user_id == now.telegram_user_id
    return recorded.ip == now.ip and recorded.user_agent == now.user_agent


async def _tell_owner(uow: UnitOfWork, action_id: int, kind: str, now: datetime) -> None:
    action = found(await uow.actions.get(action_id))
    await notify_staff(uow, action.created_by, kind, now, action_id=action_id)


async def record_in_person(
    ctx: ServiceContext, actor_id: int, action_id: int, note: str, photo_file_id: str | None = None
) -> Decision:
    """Staff record that the client accepted in person (signed paper), with a note."""
    note = strip_bidi(note or "").strip()
    if not note:
        raise InvalidInput("errors.note_required")
    now = ctx.now()
    async with ctx.uow() as uow:
        staff = await require_staff(uow, actor_id, *OFFICE_ROLES)
        action = found(await uow.actions.get_for_update(action_id), "errors.action_not_found")
        if action.status is not ActionStatus.PENDING:
            raise AcceptanceUnavailable("acceptance.not_pending")
        request = await uow.acceptances.latest_for_action(action_id)
        if request is not None and request.status is AcceptanceStatus.ACCEPTED:
            return Decision(request, True, already=True)
        if (
            request is not None
            and request.status is AcceptanceStatus.PENDING
            and not await uow.acceptances.decide(request.id, to=AcceptanceStatus.CANCELLED, now=now)
        ):
            raise Conflict("errors.conflict")  # the client answered just now: look again
        new = await uow.acceptances.add(
            action_id=action_id,
            channel=AcceptanceChannel.IN_PERSON,
            token_hash=None,
            expires_at=now,
            now=now,
        )
        evidence = Evidence(staff_id=staff.id, note=note[:1000], photo_file_id=photo_file_id)
        await uow.acceptances.decide(
            new.id, to=AcceptanceStatus.ACCEPTED, now=now, evidence=evidence
        )
        if action.created_by != actor_id:
            await _tell_owner(uow, action_id, "acceptance_accepted", now)
        decided = found(await uow.acceptances.get(new.id))
        await uow.commit()
    _log_decision(decided)
    return Decision(decided, True)


async def resend_acceptance(
    ctx: ServiceContext, actor_id: int, action_id: int, channel: AcceptanceChannel | None = None
) -> tuple[AcceptanceRequest, str | None]:
    """A new link: the old request is cancelled (its link dies) and a new token is issued.

    The action is locked first, so a finalize or cancel committing meanwhile is seen and the
    resend refused instead of leaving a live link behind a closed action.
    """
    now = ctx.now()
    async with ctx.uow() as uow:
        await require_staff(uow, actor_id, *OFFICE_ROLES)
        action = found(await uow.actions.get_for_update(action_id), "errors.action_not_found")
        if action.status is not ActionStatus.PENDING:
            raise AcceptanceUnavailable("acceptance.not_pending")
        old = await uow.acceptances.latest_for_action(action_id)
        if old is not None and old.status is AcceptanceStatus.ACCEPTED:
            raise AcceptanceUnavailable("acceptance.already_accepted")
        if (
            old is not None
            and old.status is AcceptanceStatus.PENDING
            and not await uow.acceptances.decide(old.id, to=AcceptanceStatus.CANCELLED, now=now)
        ):
            raise Conflict("errors.conflict")  # the client answered just now: look again
        chosen = channel or (old.channel if old else action.change.acceptance_channel)
        if chosen is None:
            raise AcceptanceUnavailable("acceptance.no_request")
        token = await open_acceptance(ctx, uow, action_id, chosen)
        new = found(await uow.acceptances.latest_for_action(action_id))
        await uow.commit()
    return new, token


async def open_acceptance(
    ctx: ServiceContext, uow: UnitOfWork, action_id: int, channel: AcceptanceChannel
) -> str | None:
    """A new pending acceptance request; returns its token (None for in-person)."""
    now = ctx.now()
    token = None if channel is AcceptanceChannel.IN_PERSON else new_token()
    await uow.acceptances.add(
        action_id=action_id,
        channel=channel,
        token_hash=hash_token(token) if token else None,
        expires_at=now + ctx.acceptance_ttl,
        now=now,
    )
    return token


async def _expire(ctx: ServiceContext, uow: UnitOfWork, request: AcceptanceRequest) -> None:
    """Expire the request and tell the owner; one left behind a closed action is cancelled
    quietly (nobody waits for it any more)."""
    action = found(await uow.actions.get(request.action_id))
    if action.status is not ActionStatus.PENDING:
        await uow.acceptances.decide(request.id, to=AcceptanceStatus.CANCELLED, now=ctx.now())
    elif await uow.acceptances.decide(request.id, to=AcceptanceStatus.EXPIRED, now=ctx.now()):
        await _tell_owner(uow, request.action_id, "acceptance_expired", ctx.now())


async def expire_overdue(ctx: ServiceContext) -> int:
    """Mark pending requests past their expiry as expired and tell the owners."""
    async with ctx.uow() as uow:
        overdue = await uow.acceptances.pending_expiring(ctx.now())
        for request in overdue:
            await _expire(ctx, uow, request)
        await uow.commit()
    for request in overdue:
        log.info(
            "acceptance expired",
            extra={
                "event": "acceptance.expired",
                "action_id": request.action_id,
                "acceptance_id": request.id,
            },
        )
    return len(overdue)


async def remind_pending(ctx: ServiceContext, after: timedelta) -> int:
    """Remind each action owner once about an acceptance still pending after ``after``."""
    now = ctx.now()
    async with ctx.uow() as uow:
        due = await uow.acceptances.pending_unreminded(now - after)
        for request in due:
            await uow.acceptances.mark_reminded(request.id, now)
            action = found(await uow.actions.get(request.action_id))
            if action.status is ActionStatus.PENDING:
                await _tell_owner(uow, request.action_id, "acceptance_reminder", now)
        await uow.commit()
    return len(due)


async def set_document_hash(ctx: ServiceContext, request_id: int, sha256: str) -> None:
    """Remember the hash of the document shown, for requests whose document is rendered first."""
    async with ctx.uow() as uow:
        await uow.acceptances.set_document_hash(request_id, sha256)
        await uow.commit()
