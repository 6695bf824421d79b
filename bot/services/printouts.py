"""What a contract PDF or an amendment (termo aditivo) prints, gathered in one transaction.

A *printout* is the data of one PDF ("document" is kept for the client's CPF/CNPJ, see
:mod:`bot.domain.documents`). The renderer (``bot/pdf/``) only formats: every value it prints
comes from one of the plain dataclasses of :mod:`bot.services.printout_data`, read through the
repositories in a single unit of work so the printout is one consistent picture of the
database. :class:`PdfPrinter` is the port the chat and the web page print through;
``bot.pdf.PdfRenderer`` implements it.

Three printouts:

* :func:`contract_printout` - the contract as it is now (its current version);
* :func:`proposed_contract_printout` - the contract as it *would be* after a pending action
  (new plan, value, services, template and loyalty; version + 1, labelled "proposta"). This is
  what the client reads before accepting, so its content depends only on the action and the
  contract version it was made against (never on today's date): rendering it twice gives the
  same bytes, whose SHA-256 is kept as evidence;
* :func:`amendment_printout` - the termo aditivo of a finalized action: the revision's
  before → after, the change type and the client's acceptance evidence.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.change import change_type
from bot.domain.effective import pro_rata
from bot.domain.errors import Conflict
from bot.domain.loyalty import Loyalty, loyalty_from_term
from bot.domain.models import (
    AcceptanceRequest,
    AcceptanceStatus,
    ActionStatus,
    Contract,
    ContractAction,
    ContractRevision,
    Plan,
    Staff,
)
from bot.domain.money import Money
from bot.domain.signer import Signer
from bot.domain.split import Share
from bot.services.cards import ContractCard, load_contract_card
from bot.services.context import ServiceContext, found
from bot.services.ports import UnitOfWork
from bot.services.printout_data import (
    AcceptanceEvidence,
    AmendmentPrintout,
    ContractPrintout,
    ContractTerms,
    PdfPrinter,
)


class AmendmentUnavailable(Conflict):
    """A termo aditivo exists only for a finalized action."""

    key = "documents.amendment_pending"


# --------------------------------------------------------------------------- use cases


async def contract_printout(ctx: ServiceContext, contract_id: int) -> ContractPrintout:
    """The contract as it is now, at its current version."""
    async with ctx.uow() as uow:
        contract = found(await uow.contracts.get(contract_id), "errors.contract_not_found")
        return await _contract_printout(ctx, uow, contract)


async def contract_printout_by_number(ctx: ServiceContext, number: str) -> ContractPrintout:
    """Same as :func:`contract_printout`, looked up by the contract number staff type."""
    async with ctx.uow() as uow:
        contract = found(await uow.contracts.by_number(number.strip()), "errors.contract_not_found")
        return await _contract_printout(ctx, uow, contract)


async def _contract_printout(
    ctx: ServiceContext, uow: UnitOfWork, contract: Contract
) -> ContractPrintout:
    client = found(await uow.clients.get(contract.client_id), "errors.client_not_found")
    terms = await _current_terms(uow, contract)
    issued = contract.start_date
    signer = None
    if contract.version > 1:
        revisions = await uow.revisions.for_contract(contract.id, limit=1)
        if revisions and revisions[0].version == contract.version:
            issued = revisions[0].created_at.astimezone(ctx.timezone).date()
            signer = await _signer_of(uow, revisions[0].action_id)
    return ContractPrintout(
        contract_id=contract.id,
        number=contract.number,
        version=contract.version,
        status=contract.status,
        client=client,
        terms=terms,
        due_day=contract.due_day,
        start_date=contract.start_date,
        issued_on=issued,
        signer=signer,
    )


async def final_contract_printout(ctx: ServiceContext, action_id: int) -> ContractPrintout:
    """The contract as the finalized action left it (its revision's version), whatever came
    after: what the client receives once the change is applied."""
    async with ctx.uow() as uow:
        action = found(await uow.actions.get(action_id), "errors.action_not_found")
        contract = found(await uow.contracts.get(action.contract_id), "errors.contract_not_found")
        revision = await _revision_for(uow, contract, action)
        if revision is None:
            raise AmendmentUnavailable(action_id=action.id)
        return ContractPrintout(
            contract_id=contract.id,
            number=contract.number,
            version=revision.version,
            status=contract.status,
            client=found(await uow.clients.get(contract.client_id), "errors.client_not_found"),
            terms=await _terms_from_snapshot(uow, revision.after),
            due_day=contract.due_day,
            start_date=contract.start_date,
            issued_on=revision.created_at.astimezone(ctx.timezone).date(),
            signer=await _signer_of(uow, action.id),
        )


async def _signer_of(uow: UnitOfWork, action_id: int | None) -> Signer | None:
    """Who accepted the action for a company client (None: a person, in person, or no action)."""
    if action_id is None:
        return None
    request = await uow.acceptances.latest_for_action(action_id)
    if request is None or request.status is not AcceptanceStatus.ACCEPTED:
        return None
    return request.signer


async def proposed_contract_printout(ctx: ServiceContext, action_id: int) -> ContractPrintout:
    """The contract as the action would leave it: what the client is asked to accept.

    Built from the action and the contract *at the version the action was made against*
    where it differs from now, so it reads the same on every view. A new loyalty period is
    dated from the day the action was created (the real dates are set when it is finalized).
    """
    async with ctx.uow() as uow:
        action = found(await uow.actions.get(action_id), "errors.action_not_found")
        contract = found(await uow.contracts.get(action.contract_id), "errors.contract_not_found")
        client = found(await uow.clients.get(contract.client_id), "errors.client_not_found")
        base = await _base_terms(uow, action, contract)
        change = action.change
        created_on = action.created_at.astimezone(ctx.timezone).date()
        loyalty = base.loyalty
        term_name = base.loyalty_term_name
        if change.loyalty_term_id is not None:
            term = found(await uow.catalog.loyalty_term(change.loyalty_term_id))
            loyalty = loyalty_from_term(term, change.effective_on or created_on)
            term_name = term.name
        plan = found(await uow.catalog.plan(change.plan_id))
        terms = ContractTerms(
            plan=plan,
            plan_group=await _group_name(uow, plan),
            value=change.value,
            services=change.services,
            template=found(await uow.catalog.template(change.template_id)),
            loyalty=loyalty,
            loyalty_term_name=term_name,
        )
        return ContractPrintout(
            contract_id=contract.id,
            number=contract.number,
            version=action.base_version + 1,
            status=contract.status,
            client=client,
            terms=terms,
            due_day=contract.due_day,
            start_date=contract.start_date,
            issued_on=created_on,
            proposal=True,
            action_id=action.id,
            loyalty_kept=change.loyalty_term_id is None,
        )


async def amendment_printout(
    ctx: ServiceContext, action_id: int, within: UnitOfWork | None = None
) -> AmendmentPrintout:
    """The termo aditivo of a finalized action: before → after and the acceptance evidence.
    ``within``: read in that open unit of work instead of a new one."""
    async with _reading(ctx, within) as uow:
        action = found(await uow.actions.get(action_id), "errors.action_not_found")
        if action.status is not ActionStatus.FINALIZED or action.finalized_at is None:
            cancelled = action.status is ActionStatus.CANCELLED
            key = "documents.amendment_cancelled" if cancelled else AmendmentUnavailable.key
            raise AmendmentUnavailable(key, action_id=action.id)
        contract = found(await uow.contracts.get(action.contract_id), "errors.contract_not_found")
        client = found(await uow.clients.get(contract.client_id), "errors.client_not_found")
        revision = found(await _revision_for(uow, contract, action))
        before = await _terms_from_snapshot(uow, revision.before)
        after = await _terms_from_snapshot(uow, revision.after)
        request = await uow.acceptances.latest_for_action(action.id)
        ticket = await uow.tickets.for_action(action.id)
        # A scheduled change took effect on its date; the others on the day they were finalized
        # (also one whose chosen date passed while it was pending).
        finalized_on = action.finalized_at.astimezone(ctx.timezone).date()
        chosen = action.change.effective_on
        effective_on = max(chosen, finalized_on) if chosen else finalized_on
        return AmendmentPrintout(
            action_id=action.id,
            contract_id=contract.id,
            contract_number=contract.number,
            client=client,
            change_type=change_type(before.value, after.value),
            before=before,
            after=after,
            version_before=int(revision.before.get("version", revision.version - 1)),
            version_after=revision.version,
            due_day=contract.due_day,
            created_at=action.created_at,
            created_by=_name(await uow.staff.get(action.created_by)),
            finalized_at=action.finalized_at,
            finalized_by=_name(
                await uow.staff.get(action.finalized_by) if action.finalized_by else None
            ),
            effective_on=effective_on,
            first_invoice=pro_rata(before.value, after.value, contract.due_day, effective_on),
            acceptance_required=action.change.require_acceptance,
            acceptance=await _evidence(uow, request) if request else None,
            ticket_number=ticket.number if ticket else None,
            ticket_status=ticket.status if ticket else None,
        )


@dataclass(frozen=True)
class AfterFinalize:
    """What the chat shows and sends once an action is finalized, read in one trip."""

    card: ContractCard
    contract: ContractPrintout
    amendment: AmendmentPrintout


async def after_finalize(ctx: ServiceContext, contract_id: int, action_id: int) -> AfterFinalize:
    """The updated contract's card, its PDF data and the amendment's, in one transaction
    (instead of one per screen and document)."""
    async with ctx.uow() as uow:
        card = await load_contract_card(uow, contract_id)
        contract = await _contract_printout(ctx, uow, card.contract)
        amendment = await amendment_printout(ctx, action_id, within=uow)
    return AfterFinalize(card, contract, amendment)


# --------------------------------------------------------------------------- helpers


@asynccontextmanager
async def _reading(ctx: ServiceContext, within: UnitOfWork | None) -> AsyncIterator[UnitOfWork]:
    """The given open unit of work, or a new one for this read alone."""
    if within is not None:
        yield within
        return
    async with ctx.uow() as uow:
        yield uow


def _name(staff: Staff | None) -> str | None:
    return staff.name if staff else None


async def _group_name(uow: UnitOfWork, plan: Plan) -> str | None:
    groups = {g.id: g.name for g in await uow.catalog.plan_groups()}
    return groups.get(plan.group_id)


async def _terms(
    uow: UnitOfWork,
    *,
    plan_id: int,
    value: Money,
    services: tuple[Share, ...],
    template_id: int,
    loyalty: Loyalty,
) -> ContractTerms:
    plan = found(await uow.catalog.plan(plan_id))
    term_name = None
    if loyalty.term_id is not None:
        term = await uow.catalog.loyalty_term(loyalty.term_id)
        term_name = term.name if term else None
    return ContractTerms(
        plan=plan,
        plan_group=await _group_name(uow, plan),
        value=value,
        services=tuple(services),
        template=found(await uow.catalog.template(template_id)),
        loyalty=loyalty,
        loyalty_term_name=term_name,
    )


async def _base_terms(uow: UnitOfWork, action: ContractAction, contract: Contract) -> ContractTerms:
    """The contract's terms at the action's base version (now, unless it changed since)."""
    if contract.version != action.base_version:
        revisions = await uow.revisions.for_contract(
            contract.id, limit=contract.version - action.base_version + 1
        )
        for rev in revisions:
            if rev.version == action.base_version + 1:
                return await _terms_from_snapshot(uow, rev.before)
    return await _current_terms(uow, contract)


async def _current_terms(uow: UnitOfWork, contract: Contract) -> ContractTerms:
    """The terms the contract has now."""
    return await _terms(
        uow,
        plan_id=contract.plan_id,
        value=contract.value,
        services=contract.services,
        template_id=contract.template_id,
        loyalty=contract.loyalty,
    )


async def _revision_for(
    uow: UnitOfWork, contract: Contract, action: ContractAction
) -> ContractRevision | None:
    revisions = await uow.revisions.for_contract(
        contract.id, limit=max(contract.version - action.base_version, 1) + 1
    )
    return next((r for r in revisions if r.action_id == action.id), None)


def _date(text: Any) -> date | None:
    return date.fromisoformat(text) if text else None


async def _terms_from_snapshot(uow: UnitOfWork, snap: dict[str, Any]) -> ContractTerms:
    """Terms from a revision's before/after snapshot (see ``finalize.snapshot``)."""
    raw = snap.get("loyalty") or {}
    loyalty = Loyalty(
        term_id=raw.get("term_id"),
        months=int(raw.get("months") or 0),
        monthly_benefit=Money(int(raw.get("monthly_benefit_cents") or 0)),
        start=_date(raw.get("start")),
        end=_date(raw.get("end")),
    )
    services = tuple(
        Share(int(s["service_id"]), str(s["name"]), Money(int(s["cents"])))
        for s in snap.get("services", [])
    )
    return await _terms(
        uow,
        plan_id=int(snap["plan_id"]),
        value=Money(int(snap["value_cents"])),
        services=services,
        template_id=int(snap["template_id"]),
        loyalty=loyalty,
    )


async def _evidence(uow: UnitOfWork, request: AcceptanceRequest) -> AcceptanceEvidence:
    ev = request.evidence
    staff = await uow.staff.get(ev.staff_id) if ev.staff_id else None
    return AcceptanceEvidence(
        request_id=request.id,
        channel=request.channel,
        status=request.status,
        requested_at=request.created_at,
        decided_at=request.decided_at,
        document_sha256=request.document_sha256,
        ip=ev.ip,
        user_agent=ev.user_agent,
        telegram_user_id=ev.telegram_user_id,
        telegram_name=ev.telegram_name,
        staff_id=ev.staff_id,
        staff_name=_name(staff),
        note=ev.note,
        photo_file_id=ev.photo_file_id,
        document_checked=bool(ev.document_checked),
        signer=request.signer,
    )


__all__ = [
    "AcceptanceEvidence",
    "AmendmentPrintout",
    "AmendmentUnavailable",
    "ContractPrintout",
    "ContractTerms",
    "PdfPrinter",
    "amendment_printout",
    "contract_printout",
    "contract_printout_by_number",
    "final_contract_printout",
    "proposed_contract_printout",
]
