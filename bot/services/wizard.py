"""What the plan-update wizard needs from the world: the catalog for each step, a fresh draft,
the review (current vs new) and turning the finished draft into the pending action."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.change import ChangeType, change_type
from bot.domain.draft import KEEP_LOYALTY, PlanDraft
from bot.domain.errors import Conflict
from bot.domain.loyalty import LoyaltyTerm, terms_for
from bot.domain.models import (
    CatalogItem,
    Client,
    Contract,
    ContractAction,
    ContractStatus,
    ContractTemplate,
    Plan,
    PlanGroup,
    Role,
    Service,
    Staff,
)
from bot.domain.money import Money
from bot.domain.split import Share
from bot.services.cards import ContractCard, load_contract_card
from bot.services.context import OFFICE_ROLES, ServiceContext, found, require_staff
from bot.services.plan_update import Created, create_plan_update


@dataclass(frozen=True)
class WizardCatalog:
    groups: list[PlanGroup]
    plans: list[Plan]
    services: dict[int, Service]
    templates: list[ContractTemplate]
    loyalty_terms: list[LoyaltyTerm]
    ticket_types: list[CatalogItem]
    departments: list[CatalogItem]
    technicians: list[Staff]

    def plan(self, plan_id: int | None) -> Plan | None:
        return next((p for p in self.plans if p.id == plan_id), None)

    def plans_in(self, group_id: int | None) -> list[Plan]:
        return [p for p in self.plans if p.group_id == group_id]

    def template(self, template_id: int | None) -> ContractTemplate | None:
        return next((t for t in self.templates if t.id == template_id), None)

    def term(self, term_id: int | None) -> LoyaltyTerm | None:
        return next((t for t in self.loyalty_terms if t.id == term_id), None)

    def group(self, group_id: int | None) -> PlanGroup | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def item(self, items: list[CatalogItem], item_id: int | None) -> CatalogItem | None:
        return next((i for i in items if i.id == item_id), None)

    def technician(self, staff_id: int | None) -> Staff | None:
        return next((s for s in self.technicians if s.id == staff_id), None)


@dataclass(frozen=True)
class Review:
    card: ContractCard
    catalog: WizardCatalog
    draft: PlanDraft
    new_plan: Plan
    new_value: Money
    new_shares: tuple[Share, ...]
    new_template: ContractTemplate
    new_term: LoyaltyTerm | None  # None: current loyalty kept
    change_type: ChangeType


async def load_catalog(ctx: ServiceContext, draft: PlanDraft) -> WizardCatalog:
    """Everything the steps offer, filtered for the client (template kind, loyalty limits)."""
    async with ctx.uow() as uow:
        staff = await uow.staff.list(active_only=True)
        return WizardCatalog(
            groups=await uow.catalog.plan_groups(),
            plans=await uow.catalog.plans(),
            services={s.id: s for s in await uow.catalog.services()},
            templates=[
                t for t in await uow.catalog.templates() if t.active and t.kind is draft.kind
            ],
            loyalty_terms=terms_for(draft.kind, await uow.catalog.loyalty_terms()),
            ticket_types=await uow.catalog.ticket_types(),
            departments=await uow.catalog.departments(),
            technicians=[s for s in staff if s.role is Role.TECHNICIAN],
        )


async def start(
    ctx: ServiceContext, actor_id: int, contract_id: int
) -> tuple[PlanDraft, ContractAction | None]:
    """A fresh draft for the contract, or the contract's pending action if it already has one."""
    async with ctx.uow() as uow:
        await require_staff(uow, actor_id, *OFFICE_ROLES)
        card = await load_contract_card(uow, contract_id)
    if card.contract.status is ContractStatus.CANCELLED:
        raise Conflict("errors.contract_cancelled", number=card.contract.number)
    draft = PlanDraft(
        contract_id=contract_id,
        base_version=card.contract.version,
        client_kind=card.client.kind.value,
        template_id=card.contract.template_id,
        group_id=card.plan.group_id,
    )
    return draft, card.pending_action


async def review(ctx: ServiceContext, draft: PlanDraft) -> Review:
    catalog = await load_catalog(ctx, draft)
    async with ctx.uow() as uow:
        card = await load_contract_card(uow, draft.contract_id)
    plan = catalog.plan(draft.plan_id)
    template = catalog.template(draft.template_id)
    if plan is None or template is None or draft.value_cents is None:
        raise Conflict("errors.conflict")
    value = Money(draft.value_cents)
    term = (
        None
        if draft.loyalty_term_id in (None, KEEP_LOYALTY)
        else catalog.term(draft.loyalty_term_id)
    )
    return Review(
        card,
        catalog,
        draft,
        plan,
        value,
        draft.shares(catalog.services),
        template,
        term,
        change_type(card.contract.value, value),
    )


async def finish(ctx: ServiceContext, actor_id: int, draft: PlanDraft) -> Created:
    """Tutorial step 7: store the pending action (and its acceptance request and ticket)."""
    catalog = await load_catalog(ctx, draft)
    return await create_plan_update(
        ctx,
        actor_id,
        draft.contract_id,
        draft.to_change(catalog.services),
        expected_version=draft.base_version,
    )


async def header(ctx: ServiceContext, draft: PlanDraft) -> tuple[Contract, Client]:
    """The contract and client named at the top of every wizard screen."""
    async with ctx.uow() as uow:
        contract = found(await uow.contracts.get(draft.contract_id), "errors.contract_not_found")
        client = found(await uow.clients.get(contract.client_id), "errors.client_not_found")
    return contract, client


def default_description(review_data: Review) -> str:
    c = review_data.card
    return f"{c.plan.name} → {review_data.new_plan.name} (contrato {c.contract.number})"
