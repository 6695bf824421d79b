"""A contract's history: its revisions, newest first."""

from __future__ import annotations

from bot.domain.models import ContractRevision
from bot.services.context import ServiceContext, found


async def contract_history(
    ctx: ServiceContext, contract_id: int, limit: int = 20
) -> list[ContractRevision]:
    async with ctx.uow() as uow:
        found(await uow.contracts.get(contract_id), "errors.contract_not_found")
        return await uow.revisions.for_contract(contract_id, limit=limit)
