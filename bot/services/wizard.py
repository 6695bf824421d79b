"""What the plan-update wizard needs from the world, read as rarely as possible.

A wizard tap reads nothing from the database: the catalog comes from the in-memory reference
copy, and the contract as it was when the wizard started (the action is made against that
version; creating it checks the version again) from a small snapshot cache. Only starting
and finishing the wizard open a transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.domain.change import ChangeType, change_type
from bot.domain.draft import KEEP_LOYALTY, PlanDraft
from bot.domain.effective import DEFAULT_WHEN, EffectiveWhen, ProRata, pro_rata
from bot.domain.errors import Conflict
from bot.domain.loyalty import LoyaltyTerm
from bot.domain.models import ContractAction, ContractStatus, ContractTemplate, Plan
from bot.domain.money import Money
from bot.domain.split import Share
from bot.services.cards import ContractCard, load_contract_card
from bot.services.context import OFFICE_ROLES, ServiceContext, require_staff
from bot.services.plan_update import Created, create_plan_update
from bot.services.reference import Catalog


@dataclass(frozen=True)
class WizardView:
    """Everything a wizard screen shows: the contract as the wizard found it and the catalog."""

    card: ContractCard
    catalog: Catalog
    default_when: Mapping[ChangeType, EffectiveWhen] = field(
        default_factory=lambda: dict(DEFAULT_WHEN)
    )


@dataclass(frozen=True)
class Review:
    """Current against new, for the review screen (tutorial step 6)."""

    card: ContractCard
    catalog: Catalog
    draft: PlanDraft
    new_plan: Plan
    new_value: Money
    new_shares: tuple[Share, ...]
    new_template: ContractTemplate
    new_term: LoyaltyTerm | None  # None: current loyalty kept
    change_type: ChangeType
    effective_on: date | None  # None: on finalizing
    pro_rata: ProRata  # the next invoice (if finalized today, when it starts on finalizing)


@dataclass(frozen=True)
class Started:
    draft: PlanDraft
    view: WizardView
    pending: ContractAction | None


async def start(ctx: ServiceContext, actor_id: int, contract_id: int) -> Started:
    """A fresh draft for the contract, or the contract's pending action if it already has one.
    The one template that fits the client is chosen already (its step is then skipped)."""
    async with ctx.uow() as uow:
        await require_staff(uow, actor_id, *OFFICE_ROLES)
        card = await load_contract_card(uow, contract_id)
    if card.contract.status is ContractStatus.CANCELLED:
        raise Conflict("errors.contract_cancelled", number=card.contract.number)
    catalog = (await ctx.reference()).catalog(card.client.kind)
    template_id = card.contract.template_id
    if len(catalog.templates) == 1 or catalog.template(template_id) is None:
        template_id = catalog.templates[0].id if catalog.templates else template_id
    draft = PlanDraft(
        contract_id=contract_id,
        base_version=card.contract.version,
        client_kind=card.client.kind.value,
        template_id=template_id,
        group_id=card.plan.group_id,
        due_day=card.contract.due_day,
        approval_percent=ctx.discount.approval_percent,
        above_list_percent=ctx.discount.above_list_percent,
    )
    draft.observe_today(ctx.today())
    ctx.snapshots.put(_card_key(draft), card)
    return Started(draft, WizardView(card, catalog, ctx.effective_defaults), card.pending_action)


async def view(ctx: ServiceContext, draft: PlanDraft) -> WizardView:
    """What a screen shows; from memory, except after a restart (one read of the card)."""
    catalog = (await ctx.reference()).catalog(draft.kind)
    card = ctx.snapshots.get(_card_key(draft))
    if not isinstance(card, ContractCard):
        async with ctx.uow() as uow:
            card = await load_contract_card(uow, draft.contract_id)
        if card.contract.version != draft.base_version:
            raise Conflict("errors.conflict")
        ctx.snapshots.put(_card_key(draft), card)
    draft.observe_today(ctx.today())
    return WizardView(card, catalog, ctx.effective_defaults)


def review(shown: WizardView, draft: PlanDraft) -> Review:
    """Current against new; raises when the draft is not finished."""
    catalog, card = shown.catalog, shown.card
    plan = catalog.plan(draft.plan_id)
    template = catalog.template(draft.template_id)
    if plan is None or template is None or draft.value_cents is None:
        raise Conflict("errors.conflict")
    value = Money(draft.value_cents)
    keep = draft.loyalty_term_id in (None, KEEP_LOYALTY)
    return Review(
        card=card,
        catalog=catalog,
        draft=draft,
        new_plan=plan,
        new_value=value,
        new_shares=draft.shares(catalog.services),
        new_template=template,
        new_term=None if keep else catalog.term(draft.loyalty_term_id),
        change_type=change_type(card.contract.value, value),
        effective_on=draft.effective_on,
        pro_rata=pro_rata(
            card.contract.value,
            value,
            card.contract.due_day,
            draft.starts_on(),
        ),
    )


async def finish(
    ctx: ServiceContext, actor_id: int, draft: PlanDraft, default_description: str
) -> Created:
    """Tutorial step 7: store the pending action (and its acceptance request and ticket)."""
    catalog = (await ctx.reference()).catalog(draft.kind)
    return await create_plan_update(
        ctx,
        actor_id,
        draft.contract_id,
        draft.to_change(catalog.services, default_description),
        expected_version=draft.base_version,
    )


def _card_key(draft: PlanDraft) -> tuple[str, int, int]:
    return ("wizard-card", draft.contract_id, draft.base_version)
