"""The wizard as a table: one row per step with the choices it accepts, what each does to the
draft (always through ``PlanDraft``'s methods) and where it goes next.

``STEPS`` is read by ``flow.build`` to make the ConversationHandler's ``states={}``, by the
codec to know which data belongs to which step, by ``screens`` to draw each step and by
``navigation`` to find the next or previous step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.draft import KEEP_LOYALTY, UNASSIGNED, PlanDraft, parse_manual_split
from bot.domain.effective import EffectiveWhen
from bot.domain.errors import InvalidInput
from bot.domain.models import AcceptanceChannel, Priority
from bot.domain.money import parse_money
from bot.domain.split import SplitStrategy
from bot.services.reference import Catalog
from conversations.plan_update.codec import Verb, WizardCodec


class State(StrEnum):
    """What the wizard awaits; the ConversationHandler's state is the only record of it."""

    CHANNEL = "channel"
    TEMPLATE = "template"
    LOYALTY = "loyalty"
    GROUP = "group"
    PLAN = "plan"
    VALUE = "value"
    TYPING_VALUE = "typing_value"
    CONFIRMING_VALUE = "confirming_value"
    SERVICES = "services"
    SPLIT = "split"
    TYPING_SPLIT = "typing_split"
    EFFECTIVE = "effective"
    TICKET = "ticket"
    TICKET_FORM = "ticket_form"
    TICKET_TYPE = "ticket_type"
    DEPARTMENT = "department"
    ASSIGNEE = "assignee"
    PRIORITY = "priority"
    TYPING_DESCRIPTION = "typing_description"
    GATES = "gates"
    REVIEW = "review"
    EDIT = "edit"


@dataclass(frozen=True)
class Target:
    """Where a choice leads: a step, or (``state=None``) the next step that applies."""

    state: State | None = None
    page: int | None = None
    finish: bool = False  # the review's "create the action": done by the flow, not the draft


NEXT = Target()

Effect = Callable[[PlanDraft, Catalog, str], Target]
TypedEffect = Callable[[PlanDraft, Catalog, str], Target]


@dataclass(frozen=True)
class Choice:
    verb: Verb
    effect: Effect


@dataclass(frozen=True)
class Step:
    state: State
    section: int  # the tutorial's section (1 terms, 2 plan, 3 ticket, 4 review)
    choices: tuple[Choice, ...] = ()
    typed: TypedEffect | None = None
    parent: State | None = None  # sub-screens: Voltar returns there, "next" continues from there
    applies: Callable[[PlanDraft, Catalog], bool] = lambda d, c: True


def to(state: State, page: int | None = None) -> Target:
    return Target(state, page)


def _id(arg: str) -> int:
    return int(arg)


def _known(value: object) -> None:
    """A choice the current screen does not offer (e.g. a plan removed meanwhile)."""
    if value is None or value is False:
        raise InvalidInput("errors.choice_unavailable")


# --- effects ---------------------------------------------------------------------------------


def _channel(d: PlanDraft, c: Catalog, arg: str) -> Target:
    d.choose_channel(None if arg == "no" else AcceptanceChannel(arg))
    return NEXT


def _template(d: PlanDraft, c: Catalog, arg: str) -> Target:
    _known(c.template(_id(arg)))
    d.choose_template(_id(arg))
    return NEXT


def _loyalty(d: PlanDraft, c: Catalog, arg: str) -> Target:
    term = None if _id(arg) == KEEP_LOYALTY else c.term(_id(arg))
    if _id(arg) != KEEP_LOYALTY:
        _known(term)
    d.choose_loyalty(term)
    return NEXT


def _group(d: PlanDraft, c: Catalog, arg: str) -> Target:
    _known(c.group(_id(arg)) and c.plans_in(_id(arg)))
    d.choose_group(_id(arg))
    return to(State.PLAN)


def _plan(d: PlanDraft, c: Catalog, arg: str) -> Target:
    plan = c.plan(_id(arg))
    _known(plan is not None and plan.group_id == d.group_id)
    assert plan is not None
    d.choose_plan(plan)
    return to(State.VALUE)


def _plan_page(d: PlanDraft, c: Catalog, arg: str) -> Target:
    return to(State.PLAN, page=_id(arg))


def _value(d: PlanDraft, c: Catalog, arg: str) -> Target:
    if arg == "type":
        return to(State.TYPING_VALUE)
    plan = c.plan(d.plan_id)
    _known(plan)
    assert plan is not None
    d.set_value(plan.price)
    return to(State.SERVICES)


def _typed_value(d: PlanDraft, c: Catalog, text: str) -> Target:
    plan = c.plan(d.plan_id)
    _known(plan)
    assert plan is not None
    needs_confirmation = d.propose_value(parse_money(text), plan.price)
    return to(State.CONFIRMING_VALUE if needs_confirmation else State.SERVICES)


def _confirm_value(d: PlanDraft, c: Catalog, arg: str) -> Target:
    if arg == "no":
        return to(State.TYPING_VALUE)
    d.confirm_value()
    return to(State.SERVICES)


def _toggle_service(d: PlanDraft, c: Catalog, arg: str) -> Target:
    _known(_id(arg) in c.services)
    d.toggle_service(_id(arg))
    return to(State.SERVICES)


def _services_done(d: PlanDraft, c: Catalog, arg: str) -> Target:
    return to(State.SPLIT) if d.confirm_services(c.services) else NEXT


def _split(d: PlanDraft, c: Catalog, arg: str) -> Target:
    if arg == SplitStrategy.MANUAL.value:
        return to(State.TYPING_SPLIT)
    d.choose_split(SplitStrategy(arg), c.services)
    return NEXT


def _typed_split(d: PlanDraft, c: Catalog, text: str) -> Target:
    amounts = parse_manual_split(text, len(d.service_lines(c.services)))
    d.set_manual_split(amounts, c.services)
    return NEXT


def _effective(d: PlanDraft, c: Catalog, arg: str) -> Target:
    d.choose_effective(EffectiveWhen(arg))
    return NEXT


def _typed_effective(d: PlanDraft, c: Catalog, text: str) -> Target:
    d.type_effective_date(text)
    return NEXT


def ticket_defaults(c: Catalog) -> tuple[int | None, int | None]:
    """The first ticket type and department of the catalog."""
    first_type = c.ticket_types[0].id if c.ticket_types else None
    first_department = c.departments[0].id if c.departments else None
    return first_type, first_department


def _ticket(d: PlanDraft, c: Catalog, arg: str) -> Target:
    d.choose_ticket(arg == "1", *ticket_defaults(c))
    return NEXT


TICKET_FIELDS = {
    "type": State.TICKET_TYPE,
    "dept": State.DEPARTMENT,
    "who": State.ASSIGNEE,
    "prio": State.PRIORITY,
    "desc": State.TYPING_DESCRIPTION,
}


def _ticket_form(d: PlanDraft, c: Catalog, arg: str) -> Target:
    if arg == "ok":
        if d.ticket_type_id is None or d.department_id is None:
            raise InvalidInput("errors.ticket_incomplete")
        return NEXT
    return to(TICKET_FIELDS[arg])


def _ticket_type(d: PlanDraft, c: Catalog, arg: str) -> Target:
    _known(c.ticket_type(_id(arg)))
    d.choose_ticket_type(_id(arg))
    return to(State.TICKET_FORM)


def _department(d: PlanDraft, c: Catalog, arg: str) -> Target:
    _known(c.department(_id(arg)))
    d.choose_department(_id(arg))
    return to(State.TICKET_FORM)


def _assignee(d: PlanDraft, c: Catalog, arg: str) -> Target:
    if _id(arg) != UNASSIGNED:
        _known(c.technician(_id(arg)))
    d.choose_assignee(_id(arg))
    return to(State.TICKET_FORM)


def _priority(d: PlanDraft, c: Catalog, arg: str) -> Target:
    d.choose_priority(Priority(arg))
    return to(State.TICKET_FORM)


def _default_description(d: PlanDraft, c: Catalog, arg: str) -> Target:
    d.use_default_description()
    return to(State.TICKET_FORM)


def _typed_description(d: PlanDraft, c: Catalog, text: str) -> Target:
    d.set_description(text)
    return to(State.TICKET_FORM)


def _gate(d: PlanDraft, c: Catalog, arg: str) -> Target:
    d.toggle_gate(arg)
    return to(State.GATES)


def _gates_done(d: PlanDraft, c: Catalog, arg: str) -> Target:
    return to(State.REVIEW)


def _review(d: PlanDraft, c: Catalog, arg: str) -> Target:
    return Target(finish=True) if arg == "ok" else to(State.EDIT)


EDITABLE = (State.CHANNEL, State.GROUP, State.EFFECTIVE, State.TICKET, State.GATES)


def _edit(d: PlanDraft, c: Catalog, arg: str) -> Target:
    return to(State(arg))


# --- the table -------------------------------------------------------------------------------

CHANNELS = ("no", *(c.value for c in AcceptanceChannel))
PRIORITIES = tuple(p.value for p in (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT))


def _has_ticket(d: PlanDraft, c: Catalog) -> bool:
    return bool(d.ticket)


STEPS: tuple[Step, ...] = (
    Step(State.CHANNEL, 1, (Choice(Verb("ch", CHANNELS), _channel),)),
    Step(
        State.TEMPLATE,
        1,
        (Choice(Verb("tpl"), _template),),
        applies=lambda d, c: len(c.templates) > 1,  # the only template is chosen already
    ),
    Step(State.LOYALTY, 1, (Choice(Verb("loy"), _loyalty),)),
    Step(State.GROUP, 2, (Choice(Verb("grp"), _group),)),
    Step(State.PLAN, 2, (Choice(Verb("pl"), _plan), Choice(Verb("plp"), _plan_page))),
    Step(State.VALUE, 2, (Choice(Verb("val", ("keep", "type")), _value),)),
    Step(State.TYPING_VALUE, 2, typed=_typed_value, parent=State.VALUE),
    Step(
        State.CONFIRMING_VALUE,
        2,
        (Choice(Verb("vc", ("yes", "no")), _confirm_value),),
        parent=State.VALUE,
    ),
    Step(
        State.SERVICES,
        2,
        (Choice(Verb("sv"), _toggle_service), Choice(Verb("svd", takes_arg=False), _services_done)),
    ),
    Step(
        State.SPLIT,
        2,
        (Choice(Verb("sp", tuple(s.value for s in SplitStrategy)), _split),),
        applies=lambda d, c: len(d.service_lines(c.services)) > 1,  # one service takes it all
    ),
    Step(State.TYPING_SPLIT, 2, typed=_typed_split, parent=State.SPLIT),
    Step(
        State.EFFECTIVE,
        2,
        (Choice(Verb("ef", tuple(w.value for w in EffectiveWhen)), _effective),),
        typed=_typed_effective,  # a date, dd/mm/aaaa
    ),
    Step(State.TICKET, 3, (Choice(Verb("tk", ("1", "0")), _ticket),)),
    Step(
        State.TICKET_FORM,
        3,
        (Choice(Verb("tf", (*TICKET_FIELDS, "ok")), _ticket_form),),
        applies=_has_ticket,
    ),
    Step(State.TICKET_TYPE, 3, (Choice(Verb("tt"), _ticket_type),), parent=State.TICKET_FORM),
    Step(State.DEPARTMENT, 3, (Choice(Verb("dp"), _department),), parent=State.TICKET_FORM),
    Step(State.ASSIGNEE, 3, (Choice(Verb("as"), _assignee),), parent=State.TICKET_FORM),
    Step(
        State.PRIORITY,
        3,
        (Choice(Verb("pr", PRIORITIES), _priority),),
        parent=State.TICKET_FORM,
    ),
    Step(
        State.TYPING_DESCRIPTION,
        3,
        (Choice(Verb("ds", ("def",)), _default_description),),
        typed=_typed_description,
        parent=State.TICKET_FORM,
    ),
    Step(
        State.GATES,
        3,
        (
            Choice(Verb("gt", ("acceptance", "ticket")), _gate),
            Choice(Verb("gok", takes_arg=False), _gates_done),
        ),
        applies=lambda d, c: d.channel is not None or bool(d.ticket),
    ),
    Step(
        State.REVIEW,
        4,
        (Choice(Verb("rv", ("ok", "edit")), _review),),
    ),
    Step(
        State.EDIT,
        4,
        (Choice(Verb("ed", tuple(s.value for s in EDITABLE)), _edit),),
        parent=State.REVIEW,
    ),
)

BY_STATE = {step.state: step for step in STEPS}
SEQUENCE = tuple(step.state for step in STEPS if step.parent is None)
CODEC = WizardCodec({step.state.value: tuple(c.verb for c in step.choices) for step in STEPS})


def choice(step: Step, verb: str) -> Choice:
    return next(c for c in step.choices if c.verb.name == verb)
