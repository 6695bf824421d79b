"""Read models for the screens: everything one card shows, gathered in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.change import ChangeType, change_type
from bot.domain.effective import ProRata, pro_rata
from bot.domain.gates import Blocker, finalize_blockers, last_answer
from bot.domain.loyalty import LoyaltyTerm
from bot.domain.models import (
    AcceptanceRequest,
    ActionStatus,
    CatalogItem,
    Client,
    Contract,
    ContractAction,
    ContractRevision,
    ContractTemplate,
    Plan,
    PlanGroup,
    Staff,
    Ticket,
)
from bot.domain.money import Money
from bot.domain.network import NetworkJob
from bot.domain.split import Share
from bot.services.approval import ApprovalView, load_approval
from bot.services.context import ServiceContext, found
from bot.services.network import network_of_action, network_of_contract
from bot.services.ports import UnitOfWork


@dataclass(frozen=True)
class ContractCard:
    contract: Contract
    client: Client
    plan: Plan
    group: PlanGroup | None
    template: ContractTemplate
    pending_action: ContractAction | None  # pending or scheduled
    revisions: list[ContractRevision]
    network: NetworkJob | None = None  # the latest change sent to the network, if any
    scheduled_plan: Plan | None = None  # the plan a scheduled change will bring


@dataclass(frozen=True)
class ClientCard:
    client: Client
    contracts: list[Contract]
    plans: dict[int, Plan]


@dataclass(frozen=True)
class ActionCard:
    """A pending action compares the contract as it is with the change; a finalized one shows
    the revision written when it was applied (the contract now *is* the change)."""

    action: ContractAction
    contract: Contract
    client: Client
    current_plan: Plan
    new_plan: Plan
    current_template: ContractTemplate
    new_template: ContractTemplate
    new_loyalty_term: LoyaltyTerm | None
    acceptance: AcceptanceRequest | None
    ticket: Ticket | None
    ticket_assignee: Staff | None
    ticket_type: CatalogItem | None
    ticket_department: CatalogItem | None
    creator: Staff | None
    blockers: list[Blocker]
    change_type: ChangeType
    value_before: Money
    value_after: Money
    network: NetworkJob | None = None  # set once a finalize queued it (RADIUS on)
    # The next invoice, for an open action: at its effective date, or (changes that start on
    # finalizing) as if finalized today.
    pro_rata: ProRata | None = None
    approval: ApprovalView | None = None  # set when the value needed a supervisor's approval

    @property
    def can_finalize(self) -> bool:
        return not self.blockers and self.action.status is ActionStatus.PENDING

    @property
    def removed_services(self) -> list[Share]:
        """Services the contract has now that a pending change drops (the client loses them)."""
        if self.action.status is not ActionStatus.PENDING:
            return []
        kept = {s.service_id for s in self.action.change.services}
        return [s for s in self.contract.services if s.service_id not in kept]


async def client_card(ctx: ServiceContext, client_id: int) -> ClientCard:
    async with ctx.uow() as uow:
        client = found(await uow.clients.get(client_id), "errors.client_not_found")
        contracts = await uow.contracts.for_client(client_id)
        plans = {c.plan_id: found(await uow.catalog.plan(c.plan_id)) for c in contracts}
        return ClientCard(client, contracts, plans)


async def contract_card(ctx: ServiceContext, contract_id: int) -> ContractCard:
    async with ctx.uow() as uow:
        return await load_contract_card(uow, contract_id)


async def load_contract_card(uow: UnitOfWork, contract_id: int) -> ContractCard:
    contract = found(await uow.contracts.get(contract_id), "errors.contract_not_found")
    client = found(await uow.clients.get(contract.client_id), "errors.client_not_found")
    plan = found(await uow.catalog.plan(contract.plan_id))
    groups = {g.id: g for g in await uow.catalog.plan_groups()}
    template = found(await uow.catalog.template(contract.template_id))
    pending = await uow.actions.pending_for_contract(contract_id)
    revisions = await uow.revisions.for_contract(contract_id, limit=3)
    scheduled = None
    if pending is not None and pending.status is ActionStatus.SCHEDULED:
        scheduled = await uow.catalog.plan(pending.change.plan_id)
    return ContractCard(
        contract,
        client,
        plan,
        groups.get(plan.group_id),
        template,
        pending,
        revisions,
        network=await network_of_contract(uow, contract_id),
        scheduled_plan=scheduled,
    )


async def action_card(ctx: ServiceContext, action_id: int) -> ActionCard:
    async with ctx.uow() as uow:
        return await load_action_card(uow, action_id, today=ctx.today())


def next_invoice(action: ContractAction, contract: Contract, today: date | None) -> ProRata | None:
    """The pro-rata of an open action; ``None`` once it is applied, cancelled, or when the
    change starts on finalizing and no ``today`` is given to estimate from."""
    if not action.is_open:
        return None
    start = action.change.effective_on
    if today is not None:  # a date that passed while pending: the change starts on finalizing
        start = max(start, today) if start else today
    if start is None:
        return None
    return pro_rata(contract.value, action.change.value, contract.due_day, start)


async def load_action_card(
    uow: UnitOfWork, action_id: int, *, today: date | None = None
) -> ActionCard:
    action = found(await uow.actions.get(action_id), "errors.action_not_found")
    contract = found(await uow.contracts.get(action.contract_id), "errors.contract_not_found")
    client = found(await uow.clients.get(contract.client_id), "errors.client_not_found")
    acceptance = await uow.acceptances.latest_for_action(action.id)
    ticket = await uow.tickets.for_action(action.id)
    change = action.change
    term = (
        await uow.catalog.loyalty_term(change.loyalty_term_id) if change.loyalty_term_id else None
    )
    types = {t.id: t for t in await uow.catalog.ticket_types()}
    departments = {d.id: d for d in await uow.catalog.departments()}
    before_plan, before_template, value_before = (
        contract.plan_id,
        contract.template_id,
        contract.value,
    )
    after_plan, value_after = change.plan_id, change.value
    revision = await _revision_of(uow, contract, action)
    approval = await load_approval(uow, action.id)
    if revision is not None:
        before_plan = int(revision.before.get("plan_id", before_plan))
        before_template = int(revision.before.get("template_id", before_template))
        value_before = Money(int(revision.before.get("value_cents", value_before.cents)))
        after_plan = int(revision.after.get("plan_id", after_plan))
        value_after = Money(int(revision.after.get("value_cents", value_after.cents)))
    return ActionCard(
        action=action,
        contract=contract,
        client=client,
        current_plan=found(await uow.catalog.plan(before_plan)),
        new_plan=found(await uow.catalog.plan(after_plan)),
        current_template=found(await uow.catalog.template(before_template)),
        new_template=found(await uow.catalog.template(change.template_id)),
        new_loyalty_term=term,
        acceptance=acceptance,
        ticket=ticket,
        ticket_assignee=await uow.staff.get(ticket.assignee_id)
        if ticket and ticket.assignee_id
        else None,
        ticket_type=types.get(ticket.type_id) if ticket else None,
        ticket_department=departments.get(ticket.department_id) if ticket else None,
        creator=await uow.staff.get(action.created_by),
        blockers=finalize_blockers(
            action,
            contract,
            acceptance,
            ticket,
            answer=last_answer(await uow.acceptances.for_action(action.id)),
            approval=approval.approval if approval else None,
        ),
        change_type=change_type(value_before, value_after),
        value_before=value_before,
        value_after=value_after,
        network=await network_of_action(uow, action.id),
        pro_rata=next_invoice(action, contract, today),
        approval=approval,
    )


async def _revision_of(
    uow: UnitOfWork, contract: Contract, action: ContractAction
) -> ContractRevision | None:
    """The revision a finalized action wrote (among the few since the action's base version)."""
    if action.status is not ActionStatus.FINALIZED:
        return None
    recent = await uow.revisions.for_contract(
        contract.id, limit=max(contract.version - action.base_version, 1) + 1
    )
    return next((r for r in recent if r.action_id == action.id), None)
