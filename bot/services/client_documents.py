"""What the client keeps: the exact document they answered and, once the change is applied,
the final contract and the amendment.

Two channels, one rule each. A client who answered in Telegram gets the final documents in the
chat, through the outbox (queued in the transaction that applies the change, so exactly once and
safe across restarts) and can download the exact PDF they answered there. A client who answered
on the web page finds both final documents on that page while the answered document is kept
(``ServiceContext.document_retention``). In person: nothing is sent (staff hand over paper).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.models import (
    AcceptanceChannel,
    AcceptanceRequest,
    AcceptanceStatus,
    ActionStatus,
)
from bot.domain.tokens import hash_token
from bot.services.acceptance import AcceptanceUnavailable
from bot.services.context import ServiceContext
from bot.services.ports import UnitOfWork

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
        kept = await uow.acceptances.kept_document(request.id, ctx.now())
    if kept is None or kept[0] != request.document_sha256:
        return None
    return KeptDocument(kept[0], kept[1])


async def kept_document(ctx: ServiceContext, token: str) -> tuple[AcceptanceRequest, bytes]:
    """The answered request behind ``token`` and the exact bytes the client answered, while the
    retention lasts; :class:`AcceptanceUnavailable` otherwise (nothing about the contract)."""
    now = ctx.now()
    async with ctx.uow() as uow:
        request = await uow.acceptances.by_token_hash(hash_token(token or ""))
        if request is None or not _answered(request):
            raise AcceptanceUnavailable("acceptance.token_invalid")
        kept = await uow.acceptances.kept_document(request.id, now)
    if kept is None or kept[0] != request.document_sha256:
        raise AcceptanceUnavailable("acceptance.document_gone")
    return request, kept[1]


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


async def queue_client_documents(uow: UnitOfWork, action_id: int, now: datetime) -> None:
    """When a change is applied (finalize, or a scheduled change on its date): queue the final
    documents for a client who accepted in Telegram. The web page shows them by itself."""
    request = await uow.acceptances.latest_for_action(action_id)
    if (
        request is None
        or request.status is not AcceptanceStatus.ACCEPTED
        or request.channel is not AcceptanceChannel.TELEGRAM
        or request.evidence.telegram_user_id is None
    ):
        return
    await uow.notifications.add(
        chat_id=request.evidence.telegram_user_id,
        kind=CLIENT_DOCUMENTS,
        payload={"action_id": action_id, "request_id": request.id},
        now=now,
    )


@dataclass(frozen=True)
class Concluded:
    """An answered web link whose change was applied: the final documents can be downloaded."""

    request: AcceptanceRequest
    action_id: int


async def concluded_by_token(ctx: ServiceContext, token: str) -> Concluded | None:
    """The accepted request behind ``token`` once its action is applied, while its answered
    document is kept; None while the change is not applied yet. Past the retention period,
    :class:`AcceptanceUnavailable` ("document_gone")."""
    async with ctx.uow() as uow:
        request = await uow.acceptances.by_token_hash(hash_token(token or ""))
        if request is None or request.status is not AcceptanceStatus.ACCEPTED:
            return None
        action = await uow.actions.get(request.action_id)
        if action is None or action.status is not ActionStatus.FINALIZED:
            return None  # pending or scheduled: not applied yet
        kept = await uow.acceptances.kept_document(request.id, ctx.now())
    if kept is None:
        raise AcceptanceUnavailable("acceptance.document_gone")
    return Concluded(request, action.id)


def _answered(request: AcceptanceRequest) -> bool:
    return request.status in (AcceptanceStatus.ACCEPTED, AcceptanceStatus.DECLINED)


__all__ = [
    "CLIENT_DOCUMENTS",
    "Concluded",
    "KeptDocument",
    "concluded_by_token",
    "decided_by_telegram_user",
    "keep_offered",
    "kept_document",
    "kept_for_telegram_user",
    "queue_client_documents",
]
