"""Pending contract changes (actions) and the client acceptance requests that approve them;
they share a module because finishing an action cancels its open requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.errors import Conflict
from bot.domain.models import (
    OPEN_ACTION_STATUSES,
    AcceptanceChannel,
    AcceptanceRequest,
    AcceptanceStatus,
    ActionStatus,
    ContractAction,
    Evidence,
    PlanChange,
)
from bot.domain.safe_text import strip_bidi, strip_bidi_json, strip_bidi_or_none
from bot.domain.signer import Signer
from storage import mappers, orm
from storage.repositories.base import _Repo


class SqlActionRepo(_Repo):
    async def add(
        self,
        *,
        contract_id: int,
        base_version: int,
        change: PlanChange,
        created_by: int,
        now: datetime,
    ) -> ContractAction:
        row = orm.ContractActionRow(
            contract_id=contract_id,
            kind="plan_update",
            status=ActionStatus.PENDING.value,
            base_version=base_version,
            change=strip_bidi_json(change.to_json()),
            created_by=created_by,
            created_at=now,
        )
        try:
            async with self.s.begin_nested():
                self.s.add(row)
                await self.s.flush()
        except IntegrityError as exc:
            raise Conflict("errors.conflict") from exc
        return mappers.action(row)

    async def get(self, action_id: int) -> ContractAction | None:
        row = await self.s.get(orm.ContractActionRow, action_id, populate_existing=True)
        return mappers.action(row) if row else None

    async def get_for_update(self, action_id: int) -> ContractAction | None:
        row = await self.s.scalar(
            select(orm.ContractActionRow)
            .where(orm.ContractActionRow.id == action_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return mappers.action(row) if row else None

    async def pending_for_contract(self, contract_id: int) -> ContractAction | None:
        row = await self.s.scalar(
            select(orm.ContractActionRow).where(
                orm.ContractActionRow.contract_id == contract_id,
                orm.ContractActionRow.status.in_([s.value for s in OPEN_ACTION_STATUSES]),
            )
        )
        return mappers.action(row) if row else None

    async def move(
        self, action_id: int, *, from_status: ActionStatus, to: ActionStatus, **values: Any
    ) -> bool:
        if "cancel_reason" in values:
            values["cancel_reason"] = strip_bidi_or_none(values["cancel_reason"])
        result = await self.s.execute(
            update(orm.ContractActionRow)
            .where(
                orm.ContractActionRow.id == action_id,
                orm.ContractActionRow.status == from_status.value,
            )
            .values(status=to.value, **values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def scheduled(self) -> list[ContractAction]:
        rows = await self.s.scalars(
            select(orm.ContractActionRow)
            .where(orm.ContractActionRow.status == ActionStatus.SCHEDULED.value)
            .order_by(orm.ContractActionRow.id)
        )
        return [mappers.action(r) for r in rows]

    async def finish(
        self,
        action_id: int,
        *,
        finalized: bool,
        staff_id: int,
        now: datetime,
        reason: str | None = None,
    ) -> bool:
        values: dict[str, Any]
        if finalized:
            values = {
                "status": ActionStatus.FINALIZED.value,
                "finalized_by": staff_id,
                "finalized_at": now,
                "applied_at": now,
            }
        else:
            values = {
                "status": ActionStatus.CANCELLED.value,
                "cancelled_by": staff_id,
                "cancelled_at": now,
                "cancel_reason": strip_bidi_or_none(reason),
            }
        result = await self.s.execute(
            update(orm.ContractActionRow)
            .where(
                orm.ContractActionRow.id == action_id,
                orm.ContractActionRow.status == ActionStatus.PENDING.value,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        # A new statement, so a new snapshot: it sees a request committed while we waited.
        await self.s.execute(
            update(orm.AcceptanceRequestRow)
            .where(
                orm.AcceptanceRequestRow.action_id == action_id,
                orm.AcceptanceRequestRow.status == AcceptanceStatus.PENDING.value,
            )
            .values(status=AcceptanceStatus.CANCELLED.value, decided_at=now)
            .execution_options(synchronize_session=False)
        )
        return True

    async def for_contract(self, contract_id: int, limit: int = 10) -> list[ContractAction]:
        rows = await self.s.scalars(
            select(orm.ContractActionRow)
            .where(orm.ContractActionRow.contract_id == contract_id)
            .order_by(orm.ContractActionRow.id.desc())
            .limit(limit)
        )
        return [mappers.action(r) for r in rows]


class SqlAcceptanceRepo(_Repo):
    async def add(
        self,
        *,
        action_id: int,
        channel: AcceptanceChannel,
        token_hash: str | None,
        expires_at: datetime,
        now: datetime,
    ) -> AcceptanceRequest:
        row = orm.AcceptanceRequestRow(
            action_id=action_id,
            channel=channel.value,
            status=AcceptanceStatus.PENDING.value,
            token_hash=token_hash,
            expires_at=expires_at,
            created_at=now,
        )
        self.s.add(row)
        await self.s.flush()
        return mappers.acceptance(row)

    async def get(self, request_id: int) -> AcceptanceRequest | None:
        row = await self.s.get(orm.AcceptanceRequestRow, request_id, populate_existing=True)
        return mappers.acceptance(row) if row else None

    async def by_token_hash(self, token_hash: str) -> AcceptanceRequest | None:
        row = await self.s.scalar(
            select(orm.AcceptanceRequestRow)
            .where(orm.AcceptanceRequestRow.token_hash == token_hash)
            .execution_options(populate_existing=True)
        )
        return mappers.acceptance(row) if row else None

    async def latest_for_action(self, action_id: int) -> AcceptanceRequest | None:
        row = await self.s.scalar(
            select(orm.AcceptanceRequestRow)
            .where(orm.AcceptanceRequestRow.action_id == action_id)
            .order_by(orm.AcceptanceRequestRow.id.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        )
        return mappers.acceptance(row) if row else None

    async def for_action(self, action_id: int) -> list[AcceptanceRequest]:
        rows = await self.s.scalars(
            select(orm.AcceptanceRequestRow)
            .where(orm.AcceptanceRequestRow.action_id == action_id)
            .order_by(orm.AcceptanceRequestRow.id)
            .execution_options(populate_existing=True)
        )
        return [mappers.acceptance(r) for r in rows]

    async def decide(
        self,
        request_id: int,
        *,
        to: AcceptanceStatus,
        now: datetime,
        evidence: Evidence | None = None,
        document_sha256: str | None = None,
        signer: Signer | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": to.value, "decided_at": now}
        if evidence is not None:
            values["evidence"] = strip_bidi_json(evidence.to_json())
        if document_sha256 is not None:
            values["document_sha256"] = document_sha256
        if signer is not None:
            values.update(
                signer_name=strip_bidi(signer.name),
                signer_cpf=signer.cpf,
                signer_role=strip_bidi(signer.role),
            )
        result = await self.s.execute(
            update(orm.AcceptanceRequestRow)
            .where(
                orm.AcceptanceRequestRow.id == request_id,
                orm.AcceptanceRequestRow.status == AcceptanceStatus.PENDING.value,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            return True
        if to is not AcceptanceStatus.CANCELLED:
            return False
        status = await self.s.scalar(
            select(orm.AcceptanceRequestRow.status).where(orm.AcceptanceRequestRow.id == request_id)
        )
        return status == AcceptanceStatus.CANCELLED.value

    async def set_document_hash(self, request_id: int, sha256: str) -> None:
        await self.s.execute(
            update(orm.AcceptanceRequestRow)
            .where(orm.AcceptanceRequestRow.id == request_id)
            .values(document_sha256=sha256)
        )

    async def keep_document(
        self, request_id: int, *, sha256: str, content: bytes, keep_until: datetime
    ) -> None:
        await self.s.merge(  # the chat keeps the offered copy first; answering replaces it
            orm.AcceptedDocumentRow(
                request_id=request_id, sha256=sha256, content=content, keep_until=keep_until
            )
        )
        await self.s.flush()

    async def keep_longer(self, request_id: int, keep_until: datetime) -> None:
        row = orm.AcceptedDocumentRow
        await self.s.execute(
            update(row)
            .where(row.request_id == request_id, row.keep_until < keep_until)
            .values(keep_until=keep_until)
            .execution_options(synchronize_session=False)
        )

    async def forget_kept(self, now: datetime) -> int:
        row = orm.AcceptedDocumentRow
        result = await self.s.execute(
            delete(row).where(row.keep_until <= now).execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def identity_failed(self, request_id: int) -> int:
        row = orm.AcceptanceRequestRow
        await self.s.execute(
            update(row)
            .where(row.id == request_id)
            .values(identity_failures=row.identity_failures + 1)
            .execution_options(synchronize_session=False)
        )
        count = await self.s.scalar(select(row.identity_failures).where(row.id == request_id))
        return int(count or 0)

    async def kept_document(self, request_id: int, now: datetime) -> tuple[str, bytes] | None:
        row = await self.s.get(orm.AcceptedDocumentRow, request_id)
        if row is None or row.keep_until <= now:
            return None
        return row.sha256, bytes(row.content)

    async def pending_expiring(self, now: datetime) -> list[AcceptanceRequest]:
        rows = await self.s.scalars(
            select(orm.AcceptanceRequestRow).where(
                orm.AcceptanceRequestRow.status == AcceptanceStatus.PENDING.value,
                orm.AcceptanceRequestRow.expires_at <= now,
            )
        )
        return [mappers.acceptance(r) for r in rows]

    async def pending_unreminded(self, created_before: datetime) -> list[AcceptanceRequest]:
        rows = await self.s.scalars(
            select(orm.AcceptanceRequestRow).where(
                orm.AcceptanceRequestRow.status == AcceptanceStatus.PENDING.value,
                orm.AcceptanceRequestRow.reminded_at.is_(None),
                orm.AcceptanceRequestRow.created_at <= created_before,
            )
        )
        return [mappers.acceptance(r) for r in rows]

    async def mark_reminded(self, request_id: int, now: datetime) -> None:
        await self.s.execute(
            update(orm.AcceptanceRequestRow)
            .where(orm.AcceptanceRequestRow.id == request_id)
            .values(reminded_at=now)
        )
