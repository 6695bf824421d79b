"""The plan-update wizard's draft: what the operator has chosen so far, and the rules that
apply while choosing (a new loyalty term forces acceptance; gates only where they make sense).

The draft is a plain dict when stored (ids, cents, strings), so it survives a bot restart in
the database and never holds objects that could go stale.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

from bot.domain.approval import (
    DEFAULT_ABOVE_LIST_PERCENT,
    DEFAULT_APPROVAL_PERCENT,
    DiscountPolicy,
)
from bot.domain.documents import PersonKind
from bot.domain.effective import (
    EffectiveWhen,
    next_due_date,
    parse_effective_date,
)
from bot.domain.errors import InvalidInput, InvalidSplit, LoyaltyNotAllowed
from bot.domain.loyalty import LoyaltyTerm, check_allowed, requires_acceptance
from bot.domain.models import (
    AcceptanceChannel,
    Plan,
    PlanChange,
    Priority,
    Service,
    TicketRequest,
)
from bot.domain.money import Money
from bot.domain.split import ServiceLine, Share, SplitStrategy, compute_split

KEEP_LOYALTY = 0  # loyalty_term_id value meaning "keep the contract's current loyalty"
UNASSIGNED = 0  # assignee_id value meaning "no assignee: the ticket goes to the queue"
MAX_DESCRIPTION = 1000


@dataclass
class PlanDraft:
    contract_id: int
    base_version: int
    client_kind: str
    channel: str | None = None
    template_id: int | None = None
    loyalty_term_id: int | None = None  # KEEP_LOYALTY, a term id, or None (not chosen yet)
    loyalty_forces_acceptance: bool = False
    group_id: int | None = None
    plan_id: int | None = None
    value_cents: int | None = None
    value_to_confirm_cents: int | None = None  # typed, far from the list price, not confirmed
    service_ids: list[int] = field(default_factory=list)
    split: str | None = None
    manual_cents: list[int] | None = None
    ticket: bool | None = None
    ticket_type_id: int | None = None
    department_id: int | None = None
    assignee_id: int | None = None  # 0: unassigned
    priority: str | None = None
    description: str | None = None  # None: the default description (plan → plan, contract)
    gate_acceptance: bool = False
    gate_ticket: bool = False
    due_day: int = 1  # the contract's, for "no próximo vencimento" and the pro-rata
    today: str | None = None  # ISO date the operator works on (refreshed on every screen)
    effective: str | None = None  # EffectiveWhen.ON_FINALIZE, an ISO date, or None (not chosen)
    # The provider's DiscountPolicy when the wizard started (DISCOUNT_APPROVAL_PERCENT…).
    approval_percent: int = DEFAULT_APPROVAL_PERCENT
    above_list_percent: int = DEFAULT_ABOVE_LIST_PERCENT

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanDraft:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def kind(self) -> PersonKind:
        return PersonKind(self.client_kind)

    @property
    def acceptance_channel(self) -> AcceptanceChannel | None:
        return AcceptanceChannel(self.channel) if self.channel else None

    # --- choices that carry rules -------------------------------------------------------

    def choose_channel(self, channel: AcceptanceChannel | None) -> None:
        if channel is None and self.loyalty_forces_acceptance:
            raise LoyaltyNotAllowed("errors.acceptance_required_for_loyalty")
        self.channel = channel.value if channel else None
        self.gate_acceptance = channel is not None  # by default the acceptance must be done

    def choose_loyalty(self, term: LoyaltyTerm | None) -> None:
        """``None`` keeps the current loyalty; a new term needs the client's acceptance."""
        if term is None:
            self.loyalty_term_id = KEEP_LOYALTY
            self.loyalty_forces_acceptance = False
            return
        check_allowed(self.kind, term)
        forces = requires_acceptance(term)
        if forces and self.channel is None:
            raise LoyaltyNotAllowed("errors.acceptance_required_for_loyalty")
        self.loyalty_term_id = term.id
        self.loyalty_forces_acceptance = forces
        if forces:
            self.gate_acceptance = True

    def choose_template(self, template_id: int) -> None:
        self.template_id = template_id

    # --- choices that left the catalog meanwhile (e.g. a plan deactivated by an admin) -------

    def forget_template(self) -> None:
        self.template_id = None

    def forget_loyalty(self) -> None:
        self.loyalty_term_id = None
        self.loyalty_forces_acceptance = False

    def forget_plan(self) -> None:
        self.plan_id = None
        self.value_cents = None
        self.value_to_confirm_cents = None
        self.service_ids = []
        self._forget_split()

    def forget_ticket_choices(self) -> None:
        """Back to the ticket's defaults (filled again when the ticket screen is reached)."""
        self.ticket_type_id = None
        self.department_id = None
        self.assignee_id = UNASSIGNED

    def choose_group(self, group_id: int) -> None:
        """Another group: the plan chosen in the old one no longer applies."""
        if self.group_id != group_id:
            self.plan_id = None
        self.group_id = group_id

    def choose_plan(self, plan: Plan) -> None:
        """A new plan brings its list price and default services; the split is chosen again.
        Tapping the plan already chosen keeps the value and services chosen for it."""
        if self.plan_id == plan.id and self.value_cents is not None:
            return
        self.plan_id = plan.id
        self.group_id = plan.group_id
        self.value_cents = plan.price.cents
        self.value_to_confirm_cents = None
        self.service_ids = list(plan.default_service_ids)
        self._forget_split()

    def set_value(self, value: Money) -> None:
        if value.cents <= 0:
            raise InvalidInput("errors.value_must_be_positive")
        self.value_cents = value.cents
        self.value_to_confirm_cents = None
        self._forget_split()

    def propose_value(self, value: Money, list_price: Money) -> bool:
        """A typed value: taken at once, or held for confirmation when it is far from the
        plan's list price (returns True then)."""
        if value.cents <= 0:
            raise InvalidInput("errors.value_must_be_positive")
        if self.discount_policy.needs_confirmation(value, list_price):
            self.value_to_confirm_cents = value.cents
            return True
        self.set_value(value)
        return False

    @property
    def discount_policy(self) -> DiscountPolicy:
        return DiscountPolicy(self.approval_percent, self.above_list_percent)

    def confirm_value(self) -> None:
        if self.value_to_confirm_cents is None:
            raise InvalidInput("errors.invalid_input")
        self.set_value(Money(self.value_to_confirm_cents))

    def _forget_split(self) -> None:
        self.split = None
        self.manual_cents = None

    def toggle_service(self, service_id: int) -> None:
        if service_id in self.service_ids:
            self.service_ids.remove(service_id)
        else:
            self.service_ids.append(service_id)
        self._forget_split()

    def confirm_services(self, catalog: dict[int, Service]) -> bool:
        """Done choosing services; returns whether the split must still be chosen. With one
        service there is nothing to distribute: the whole value goes to it."""
        lines = self.service_lines(catalog)
        if not lines:
            raise InvalidSplit("split.no_services")
        if len(lines) == 1:
            self.choose_split(SplitStrategy.MAIN, catalog)
            return False
        return True

    def choose_split(self, strategy: SplitStrategy, catalog: dict[int, Service]) -> None:
        """Main service or proportional (manual amounts come through ``set_manual_split``)."""
        if strategy is SplitStrategy.MANUAL:
            raise InvalidSplit("split.invalid")
        previous = (self.split, self.manual_cents)
        self.split, self.manual_cents = strategy.value, None
        try:
            self.shares(catalog)
        except InvalidSplit:
            self.split, self.manual_cents = previous
            raise

    def set_manual_split(self, amounts: list[Money], catalog: dict[int, Service]) -> None:
        previous = (self.split, self.manual_cents)
        self.split, self.manual_cents = SplitStrategy.MANUAL.value, [a.cents for a in amounts]
        try:
            self.shares(catalog)
        except InvalidSplit:
            self.split, self.manual_cents = previous
            raise

    def choose_ticket(self, wanted: bool, type_id: int | None, department_id: int | None) -> None:
        """Yes opens the ticket with defaults (first type and department, the queue, normal
        priority, the default description), each changeable on the ticket screen."""
        self.ticket = wanted
        self.gate_ticket = wanted  # by default the ticket must be closed before finalizing
        if wanted:
            self.fill_ticket_defaults(type_id, department_id)

    def fill_ticket_defaults(self, type_id: int | None, department_id: int | None) -> None:
        """Whatever the ticket has not chosen yet gets its default."""
        self.ticket_type_id = self.ticket_type_id or type_id
        self.department_id = self.department_id or department_id
        if self.assignee_id is None:
            self.assignee_id = UNASSIGNED
        self.priority = self.priority or Priority.NORMAL.value

    def choose_ticket_type(self, type_id: int) -> None:
        self.ticket_type_id = type_id

    def choose_department(self, department_id: int) -> None:
        self.department_id = department_id

    def choose_assignee(self, staff_id: int) -> None:
        """A technician's staff id, or ``UNASSIGNED``."""
        self.assignee_id = staff_id

    def choose_priority(self, priority: Priority) -> None:
        self.priority = priority.value

    def use_default_description(self) -> None:
        self.description = None

    def set_description(self, text: str) -> None:
        text = (text or "").strip()
        if not text:
            raise InvalidInput("errors.note_required")
        if len(text) > MAX_DESCRIPTION:
            raise InvalidInput("errors.description_too_long", max=MAX_DESCRIPTION)
        self.description = text

    def toggle_gate(self, gate: str) -> None:
        if gate == "acceptance":
            if self.channel is None:
                raise InvalidInput("errors.gate_without_acceptance")
            if self.loyalty_forces_acceptance:
                raise LoyaltyNotAllowed("errors.acceptance_required_for_loyalty")
            self.gate_acceptance = not self.gate_acceptance
        else:
            if not self.ticket:
                raise InvalidInput("errors.gate_without_ticket")
            self.gate_ticket = not self.gate_ticket

    # --- when the change starts ----------------------------------------------------------

    def observe_today(self, today: date) -> None:
        """The provider's date now: dates are checked against it (a draft may span midnight)."""
        self.today = today.isoformat()

    def working_day(self) -> date:
        """The date choices are checked against (``observe_today``)."""
        if self.today is None:
            raise InvalidInput("errors.invalid_input")
        return date.fromisoformat(self.today)

    def choose_effective(self, when: EffectiveWhen) -> None:
        """On finalizing, or at the next due date (kept as the date it is today)."""
        if when is EffectiveWhen.ON_FINALIZE:
            self.effective = EffectiveWhen.ON_FINALIZE.value
        else:
            self.effective = next_due_date(self.working_day(), self.due_day).isoformat()

    def type_effective_date(self, text: str) -> None:
        """A date typed as dd/mm/aaaa (refused with a message when it is not one)."""
        self.effective = parse_effective_date(text, self.working_day()).isoformat()

    def next_due(self) -> date:
        return next_due_date(self.working_day(), self.due_day)

    def starts_on(self) -> date:
        """The chosen date, or today for a change that starts on finalizing (an estimate)."""
        return self.effective_on or self.working_day()

    @property
    def effective_on(self) -> date | None:
        """The chosen start date; ``None`` when the change starts on finalizing."""
        if self.effective in (None, EffectiveWhen.ON_FINALIZE.value):
            return None
        return date.fromisoformat(self.effective)

    # --- derived ------------------------------------------------------------------------

    def service_lines(self, catalog: dict[int, Service]) -> list[ServiceLine]:
        """Chosen services in catalog order: the first is the main service."""
        chosen = [catalog[sid] for sid in sorted(self.service_ids) if sid in catalog]
        return [ServiceLine(s.id, s.name, s.list_price) for s in chosen]

    def shares(self, catalog: dict[int, Service]) -> tuple[Share, ...]:
        if self.value_cents is None or self.split is None:
            raise InvalidSplit("split.invalid")
        amounts = [Money(c) for c in self.manual_cents] if self.manual_cents is not None else None
        return compute_split(
            SplitStrategy(self.split), Money(self.value_cents), self.service_lines(catalog), amounts
        )

    def to_change(self, catalog: dict[int, Service], default_description: str) -> PlanChange:
        """The finished draft as the change the action will carry (every step must be done)."""
        if self.plan_id is None or self.template_id is None or self.value_cents is None:
            raise InvalidInput("errors.invalid_input")
        ticket = None
        if self.ticket:
            if self.ticket_type_id is None or self.department_id is None or self.priority is None:
                raise InvalidInput("errors.invalid_input")
            ticket = TicketRequest(
                type_id=self.ticket_type_id,
                department_id=self.department_id,
                assignee_id=self.assignee_id or None,
                priority=Priority(self.priority),
                description=self.description or default_description,
            )
        return PlanChange(
            plan_id=self.plan_id,
            value=Money(self.value_cents),
            services=self.shares(catalog),
            template_id=self.template_id,
            loyalty_term_id=None
            if self.loyalty_term_id in (None, KEEP_LOYALTY)
            else self.loyalty_term_id,
            acceptance_channel=self.acceptance_channel,
            ticket=ticket,
            require_acceptance=self.channel is not None and self.gate_acceptance,
            require_ticket_closed=bool(self.ticket) and self.gate_ticket,
            effective_on=self.effective_on,
        )


def parse_manual_split(text: str, count: int) -> list[Money]:
    """Amounts typed one per line or separated by ';' (commas are decimal separators)."""
    from bot.domain.money import parse_money

    parts = [p.strip() for chunk in (text or "").splitlines() for p in chunk.split(";")]
    parts = [p for p in parts if p]
    if len(parts) != count:
        raise InvalidSplit("split.count_mismatch", expected=count, got=len(parts))
    return [parse_money(p) for p in parts]
