"""What the client keeps: the exact document they answered and, once the change is applied,
the final contract and the amendment.

Two channels, one rule each. A client who answered in Telegram gets the final documents in the
chat, through the outbox (queued in the transaction that applies the change, so exactly once and
safe across restarts) and can download the exact PDF they answered there. A client who answered
on the web page finds both final documents on that page while the answered document is kept
(``ServiceContext.document_retention``, counted again from the day the change is applied).
In person: nothing is sent (staff hand over paper).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.models import (
    AcceptanceChannel,
    AcceptanceRequest,
    AcceptanceStatus,
    ActionStatus,
    Notification,
)
from bot.domain.tokens import hash_token
from bot.services.acceptance import AcceptanceUnavailable
from bot.services.context import ServiceContext
from bot.services.outbox import notify_staff
from bot.services.ports import UnitOfWork

log = logging.getLogger(__name__)

CLIENT_DOCUMENTS = "client_documents"
"""Outbox kind: the final contract and amendment of ``payload["action_id"]``, to the client."""


@dataclass(frozen=True)
class KeptDocument:
    sha256: str
    content: bytes


async def keep_offered(ctx: ServiceContext, token_hash: str, sha256: str, content: bytes) -> None:
    """Keep the PDF just sent to the chat while the request is open: answering keeps these very
    bytes for the retention period (the chat state holds only their hash)."""
    async with ctx.uow() as uow:
        request = await uow.acceptances.by_token_hash(token_hash)
        if request is None or request.status is not AcceptanceStatus.PENDING:
            return
        await uow.acceptances.keep_document(
            request.id, sha256=sha256, content=content, keep_until=request.expires_at
        )
        await uow.commit()


async def kept_for_telegram_user(
    ctx: ServiceContext, request_id: int, telegram_user_id: int
) -> KeptDocument | None:
    """The exact PDF this Telegram user answered, while kept; None for anyone else."""
    request = await decided_by_telegram_user(ctx, request_id, telegram_user_id)
    if request is None:
        return None
    async with ctx.uow() as uow:
        content = await _kept(uow, request, ctx.now())
    if content is None or request.document_sha256 is None:
        return None
    return KeptDocument(request.document_sha256, content)


async def kept_document(ctx: ServiceContext, token: str) -> tuple[AcceptanceRequest, bytes]:
    """The answered request behind ``token`` and the exact bytes the client answered, while the
    retention lasts; :class:`AcceptanceUnavailable` otherwise (nothing about the contract)."""
    now = ctx.now()
    async with ctx.uow() as uow:
        request = await uow.acceptances.by_token_hash(hash_token(token or ""))
        if request is None or not _answered(request):
            raise AcceptanceUnavailable("acceptance.token_invalid")
        content = await _kept(uow, request, now)
    if content is None:
        raise AcceptanceUnavailable("acceptance.document_gone")
    return request, content


async def decided_by_telegram_user(
    ctx: ServiceContext, request_id: int, telegram_user_id: int
) -> AcceptanceRequest | None:
    """The request ``request_id`` when this Telegram user already answered it, else None.

    A late or repeated tap on the client's buttons is answered with what was recorded; anyone
    else (a guessed id, another chat) learns nothing.
    """
    async with ctx.uow() as uow:
        request = await uow.acceptances.get(request_id)
    if request is None or not _answered(request):
        return None
    if request.evidence.telegram_user_id != telegram_user_id:
        return None
    return request


async def queue_client_documents(
    uow: UnitOfWork, action_id: int, now: datetime, retention: timedelta
) -> None:
    """When a change is applied (finalize, or a scheduled change on its date): the client's
    copies are kept for the whole retention period from now (a change applied weeks after the
    answer must not leave the "concluído" page only days to live), and a client who answered in
    Telegram (whatever link they opened) gets the final documents there. The web page shows
    them by itself."""
    request = await uow.acceptances.latest_for_action(action_id)
    if request is None or request.status is not AcceptanceStatus.ACCEPTED:
        return
    if request.channel is AcceptanceChannel.IN_PERSON:
        return  # staff hand over paper; the evidence names a staff member, not the client
    await uow.acceptances.keep_longer(request.id, now + retention)
    if request.evidence.telegram_user_id is None:
        return
    await uow.notifications.add(
        chat_id=request.evidence.telegram_user_id,
        kind=CLIENT_DOCUMENTS,
        payload={"action_id": action_id, "request_id": request.id},
        now=now,
    )


UNDELIVERED = "client_documents_failed"
"""Staff outbox kind: the client's final documents could not be delivered in Telegram."""


async def follow_up_failure(uow: UnitOfWork, n: Notification, now: datetime) -> None:
    """Inside the transaction that records ``n`` as failed for good: when it carried a client's
    final documents (the client blocked the bot, or deleted their account), the action's owner
    is told, so the office hands the documents over another way."""
    if n.kind != CLIENT_DOCUMENTS:
        return
    action = await uow.actions.get(int(n.payload["action_id"]))
    if action is not None:
        await notify_staff(uow, action.created_by, UNDELIVERED, now, action_id=action.id)


async def forget_expired_copies(ctx: ServiceContext) -> int:
    """Delete the kept PDFs whose retention is over (and offered copies never answered, once
    their link expired): nobody can download them any more, so the database does not keep the
    client's personal data longer than it promised. The evidence (the SHA-256 on the request,
    printed in the amendment) stays."""
    async with ctx.uow() as uow:
        deleted = await uow.acceptances.forget_kept(ctx.now())
        await uow.commit()
    if deleted:
        log.info(
            "kept documents deleted after their retention",
            extra={"event": "documents.forgotten", "count": deleted},
        )
    return deleted


@dataclass(frozen=True)
class Concluded:
    """An accepted link and where its change stands: the final documents can be downloaded
    once it is applied; until then the page says whether it is waiting, scheduled or was
    cancelled by the office."""

    request: AcceptanceRequest
    action_id: int
    status: ActionStatus
    effective_on: date | None = None  # a scheduled change's date

    @property
    def applied(self) -> bool:
        return self.status is ActionStatus.FINALIZED


async def concluded_by_token(ctx: ServiceContext, token: str) -> Concluded | None:
    """The accepted request behind ``token`` and its action's state (None: a request that was
    not accepted). :class:`AcceptanceUnavailable`: no such token ("token_invalid"), or applied
    but past the retention period ("document_gone")."""
    async with ctx.uow() as uow:
        request = await uow.acceptances.by_token_hash(hash_token(token or ""))
        if request is None:
            raise AcceptanceUnavailable("acceptance.token_invalid")
        if request.status is not AcceptanceStatus.ACCEPTED:
            return None
        action = await uow.actions.get(request.action_id)
        if action is None:
            return None
        concluded = Concluded(request, action.id, action.status, action.change.effective_on)
        if not concluded.applied:
            return concluded
        content = await _kept(uow, request, ctx.now())
    if content is None:
        raise AcceptanceUnavailable("acceptance.document_gone")
    return concluded


async def _kept(uow: UnitOfWork, request: AcceptanceRequest, now: datetime) -> bytes | None:
    """The bytes kept for ``request`` while its retention lasts, only if they are the very
    document its evidence names (same SHA-256)."""
    kept = await uow.acceptances.kept_document(request.id, now)
    if kept is None or kept[0] != request.document_sha256:
        return None
    return kept[1]


def _answered(request: AcceptanceRequest) -> bool:
    return request.status in (AcceptanceStatus.ACCEPTED, AcceptanceStatus.DECLINED)


__all__ = [
    "CLIENT_DOCUMENTS",
    "UNDELIVERED",
    "Concluded",
    "KeptDocument",
    "concluded_by_token",
    "decided_by_telegram_user",
    "follow_up_failure",
    "forget_expired_copies",
    "keep_offered",
    "kept_document",
    "kept_for_telegram_user",
    "queue_client_documents",
]
