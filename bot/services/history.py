"""A contract's history: its revisions, newest first, with the plans they name."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.models import ContractAction, ContractRevision, Plan
from bot.services.approval import ApprovalView, load_approvals
from bot.services.context import ServiceContext, found


@dataclass(frozen=True)
class History:
    revisions: list[ContractRevision]
    plans: dict[int, Plan]  # every plan a revision mentions, active or not
    # The actions behind the revisions (requested, effective and applied dates), by id.
    actions: dict[int, ContractAction] = field(default_factory=dict)
    # The discount approvals of those actions (who approved the value), by action id.
    approvals: dict[int, ApprovalView] = field(default_factory=dict)


async def contract_history(ctx: ServiceContext, contract_id: int, limit: int = 20) -> History:
    async with ctx.uow() as uow:
        found(await uow.contracts.get(contract_id), "errors.contract_not_found")
        revisions = await uow.revisions.for_contract(contract_id, limit=limit)
        plans = {p.id: p for p in await uow.catalog.plans(active_only=False)}
        actions = {}
        for r in revisions:
            action = await uow.actions.get(r.action_id) if r.action_id else None
            if action is not None:
                actions[action.id] = action
        approvals = await load_approvals(uow, list(actions))
    return History(revisions, plans, actions, approvals)
