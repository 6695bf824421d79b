"""Walking the step table (``steps.STEPS``): the next and previous step that apply to a draft,
where a choice leads, and the way back when a chosen item left the catalog. Pure: no I/O.

Kept apart from ``steps`` so that module stays the table itself; ``flow`` uses these.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.draft import KEEP_LOYALTY, UNASSIGNED, PlanDraft
from bot.services.reference import Catalog
from conversations.plan_update.steps import BY_STATE, SEQUENCE, State, Target, ticket_defaults


def next_step(state: State, draft: PlanDraft, catalog: Catalog) -> State:
    """The first step after ``state`` (or after its parent) that applies to this draft."""
    state = BY_STATE[state].parent or state
    for candidate in SEQUENCE[SEQUENCE.index(state) + 1 :]:
        if BY_STATE[candidate].applies(draft, catalog):
            return candidate
    return State.REVIEW


def prev_step(state: State, draft: PlanDraft, catalog: Catalog) -> State | None:
    """Where Voltar goes: a sub-screen's parent, else the previous step that applies."""
    parent = BY_STATE[state].parent
    if parent is not None:
        return parent
    for candidate in reversed(SEQUENCE[: SEQUENCE.index(state)]):
        if BY_STATE[candidate].applies(draft, catalog):
            return candidate
    return None


def resolve(target: Target, state: State, draft: PlanDraft, catalog: Catalog) -> State:
    return target.state if target.state is not None else next_step(state, draft, catalog)


def repair(state: State, draft: PlanDraft, catalog: Catalog) -> State | None:
    """Something the draft chose left the catalog meanwhile (an admin deactivated a plan, a
    technician left): forget it and return the step where it is chosen again, if that step
    comes before ``state``; ``None`` when everything the screen needs is still there."""
    position = SEQUENCE.index(BY_STATE[state].parent or state)
    if draft.template_id is not None and catalog.template(draft.template_id) is None:
        draft.forget_template()
        if not BY_STATE[State.TEMPLATE].applies(draft, catalog) and catalog.templates:
            draft.choose_template(catalog.templates[0].id)  # the only one left: no question
    missing: list[tuple[State, bool, Callable[[], None]]] = [
        (State.TEMPLATE, draft.template_id is None and bool(catalog.templates), lambda: None),
        (
            State.LOYALTY,
            draft.loyalty_term_id not in (None, KEEP_LOYALTY)
            and catalog.term(draft.loyalty_term_id) is None,
            draft.forget_loyalty,
        ),
        (
            State.PLAN,
            draft.plan_id is not None and catalog.plan(draft.plan_id) is None,
            draft.forget_plan,
        ),
        (
            State.TICKET_FORM,
            bool(draft.ticket)
            and (
                catalog.ticket_type(draft.ticket_type_id) is None
                or catalog.department(draft.department_id) is None
                or (
                    draft.assignee_id not in (None, UNASSIGNED)
                    and catalog.technician(draft.assignee_id) is None
                )
            ),
            draft.forget_ticket_choices,
        ),
    ]
    for step, gone, forget in missing:
        if gone and SEQUENCE.index(step) < position:
            forget()
            if step is State.TICKET_FORM:  # the defaults again, shown on the ticket screen
                draft.fill_ticket_defaults(*ticket_defaults(catalog))
            if step is State.PLAN and not catalog.plans_in(draft.group_id):
                return State.GROUP
            return step
    return None
