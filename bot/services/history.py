"""A contract's history: its revisions, newest first, with the plans they name."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import ContractRevision, Plan
from bot.services.context import ServiceContext, found


@dataclass(frozen=True)
class History:
    revisions: list[ContractRevision]
    plans: dict[int, Plan]  # every plan a revision mentions, active or not


async def contract_history(ctx: ServiceContext, contract_id: int, limit: int = 20) -> History:
    async with ctx.uow() as uow:
        found(await uow.contracts.get(contract_id), "errors.contract_not_found")
        revisions = await uow.revisions.for_contract(contract_id, limit=limit)
        plans = {p.id: p for p in await uow.catalog.plans(active_only=False)}
    return History(revisions, plans)
