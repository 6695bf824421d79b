"""finalize_blockers: what stops a pending action from being finalized, for every case."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.gates import Blocker, finalize_blockers
from bot.domain.loyalty import Loyalty
from bot.domain.models import (
    AcceptanceChannel,
    AcceptanceRequest,
    AcceptanceStatus,
    ActionStatus,
    Contract,
    ContractAction,
    ContractStatus,
    PlanChange,
    Priority,
    Ticket,
    TicketRequest,
    TicketStatus,
)
from bot.domain.money import Money
from bot.domain.split import Share
from bot.i18n import has_key, t

NOW = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)


def make_contract(**changes: object) -> Contract:
    contract = Contract(
        id=10,
        number="2024-0010",
        client_id=1,
        status=ContractStatus.ACTIVE,
        plan_id=1,
        value=Money(9990),
        services=(Share(1, "Internet", Money(9990)),),
        template_id=1,
        loyalty=Loyalty.none(),
        due_day=10,
        start_date=date(2024, 1, 10),
        version=3,
    )
    return replace(contract, **changes)  # type: ignore[arg-type]


def make_change(
    *, require_acceptance: bool = True, require_ticket_closed: bool = True
) -> PlanChange:
    return PlanChange(
        plan_id=2,
        value=Money(12990),
        services=(Share(1, "Internet", Money(12990)),),
        template_id=1,
        loyalty_term_id=None,
        acceptance_channel=AcceptanceChannel.WEB,
        ticket=TicketRequest(1, 1, None, Priority.NORMAL, "Trocar ONU"),
        require_acceptance=require_acceptance,
        require_ticket_closed=require_ticket_closed,
    )


def make_action(
    *,
    status: ActionStatus = ActionStatus.PENDING,
    base_version: int = 3,
    require_acceptance: bool = True,
    require_ticket_closed: bool = True,
) -> ContractAction:
    return ContractAction(
        id=7,
        contract_id=10,
        kind="plan_update",
        status=status,
        base_version=base_version,
        change=make_change(
            require_acceptance=require_acceptance, require_ticket_closed=require_ticket_closed
        ),
        created_by=1,
        created_at=NOW,
    )


def make_acceptance(status: AcceptanceStatus = AcceptanceStatus.ACCEPTED) -> AcceptanceRequest:
    return AcceptanceRequest(
        id=5,
        action_id=7,
        channel=AcceptanceChannel.WEB,
        status=status,
        expires_at=NOW + timedelta(days=7),
        created_at=NOW,
    )


def make_ticket(status: TicketStatus = TicketStatus.CLOSED) -> Ticket:
    return Ticket(
        id=42,
        client_id=1,
        contract_id=10,
        action_id=7,
        type_id=1,
        department_id=1,
        assignee_id=None,
        priority=Priority.NORMAL,
        description="Trocar ONU",
        status=status,
        created_at=NOW,
    )


def blockers(
    action: ContractAction | None = None,
    contract: Contract | None = None,
    acceptance: AcceptanceRequest | str | None = "default",
    ticket: Ticket | str | None = "default",
) -> list[Blocker]:
    acc = make_acceptance() if acceptance == "default" else acceptance
    tic = make_ticket() if ticket == "default" else ticket
    assert not isinstance(acc, str) and not isinstance(tic, str)
    return finalize_blockers(action or make_action(), contract or make_contract(), acc, tic)


def test_all_gates_met_can_finalize() -> None:
    assert blockers() == []


def test_already_finalized() -> None:
    action = make_action(status=ActionStatus.FINALIZED)
    assert blockers(action) == [Blocker.NOT_PENDING_FINALIZED]
    # Nothing else is reported for a finished action, even if everything else is wrong.
    assert blockers(
        action,
        make_contract(status=ContractStatus.CANCELLED, version=9),
        make_acceptance(AcceptanceStatus.DECLINED),
        None,
    ) == [Blocker.NOT_PENDING_FINALIZED]


def test_already_cancelled() -> None:
    action = make_action(status=ActionStatus.CANCELLED)
    assert blockers(action) == [Blocker.NOT_PENDING_CANCELLED]
    assert blockers(action, acceptance=None, ticket=None) == [Blocker.NOT_PENDING_CANCELLED]


def test_contract_changed_version() -> None:
    assert blockers(contract=make_contract(version=4)) == [Blocker.CONTRACT_CHANGED]
    assert blockers(action=make_action(base_version=2)) == [Blocker.CONTRACT_CHANGED]


def test_contract_cancelled() -> None:
    assert blockers(contract=make_contract(status=ContractStatus.CANCELLED)) == [
        Blocker.CONTRACT_CANCELLED
    ]


@pytest.mark.parametrize("status", [ContractStatus.BLOCKED, ContractStatus.SUSPENDED])
def test_blocked_or_suspended_contract_is_not_a_blocker(status: ContractStatus) -> None:
    assert blockers(contract=make_contract(status=status)) == []


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (AcceptanceStatus.ACCEPTED, []),
        (AcceptanceStatus.PENDING, [Blocker.ACCEPTANCE_PENDING]),
        (AcceptanceStatus.DECLINED, [Blocker.ACCEPTANCE_DECLINED]),
        (AcceptanceStatus.EXPIRED, [Blocker.ACCEPTANCE_EXPIRED]),
        (AcceptanceStatus.CANCELLED, [Blocker.ACCEPTANCE_MISSING]),
    ],
)
def test_acceptance_gate(status: AcceptanceStatus, expected: list[Blocker]) -> None:
    assert blockers(acceptance=make_acceptance(status)) == expected


def test_acceptance_missing() -> None:
    assert blockers(acceptance=None) == [Blocker.ACCEPTANCE_MISSING]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (TicketStatus.CLOSED, []),
        (TicketStatus.OPEN, [Blocker.TICKET_NOT_CLOSED]),
        (TicketStatus.IN_PROGRESS, [Blocker.TICKET_NOT_CLOSED]),
        (TicketStatus.CANCELLED, [Blocker.TICKET_CANCELLED]),
    ],
)
def test_ticket_gate(status: TicketStatus, expected: list[Blocker]) -> None:
    assert blockers(ticket=make_ticket(status)) == expected


def test_ticket_missing() -> None:
    assert blockers(ticket=None) == [Blocker.TICKET_MISSING]


def test_acceptance_gate_off_ignores_acceptance_except_a_refusal() -> None:
    action = make_action(require_acceptance=False)
    for status in AcceptanceStatus:
        expected = [Blocker.ACCEPTANCE_DECLINED] if status is AcceptanceStatus.DECLINED else []
        assert blockers(action, acceptance=make_acceptance(status)) == expected
    assert blockers(action, acceptance=None) == []
    # the ticket gate still applies
    assert blockers(action, ticket=make_ticket(TicketStatus.OPEN)) == [Blocker.TICKET_NOT_CLOSED]


def test_ticket_gate_off_ignores_ticket() -> None:
    action = make_action(require_ticket_closed=False)
    for status in TicketStatus:
        assert blockers(action, ticket=make_ticket(status)) == []
    assert blockers(action, ticket=None) == []
    assert blockers(action, acceptance=make_acceptance(AcceptanceStatus.PENDING)) == [
        Blocker.ACCEPTANCE_PENDING
    ]


def test_both_gates_off_is_empty_even_with_pending_acceptance() -> None:
    action = make_action(require_acceptance=False, require_ticket_closed=False)
    assert (
        blockers(
            action,
            acceptance=make_acceptance(AcceptanceStatus.PENDING),
            ticket=make_ticket(TicketStatus.OPEN),
        )
        == []
    )
    assert blockers(action, acceptance=None, ticket=None) == []


def test_every_problem_at_once_is_reported_in_order() -> None:
    got = blockers(
        make_action(),
        make_contract(status=ContractStatus.CANCELLED, version=5),
        make_acceptance(AcceptanceStatus.DECLINED),
        make_ticket(TicketStatus.IN_PROGRESS),
    )
    assert got == [
        Blocker.CONTRACT_CANCELLED,
        Blocker.CONTRACT_CHANGED,
        Blocker.ACCEPTANCE_DECLINED,
        Blocker.TICKET_NOT_CLOSED,
    ]


@pytest.mark.parametrize("blocker", list(Blocker))
@pytest.mark.parametrize("locale", ["pt_BR", "en"])
def test_every_blocker_has_a_message_in_both_catalogs(blocker: Blocker, locale: str) -> None:
    assert blocker.message_key == f"blocker.{blocker.value}"
    assert has_key(blocker.message_key, locale)
    text = t(blocker.message_key, locale, base=3, current=4)
    assert text and "{" not in text


def test_contract_changed_message_shows_versions() -> None:
    text = t(Blocker.CONTRACT_CHANGED.message_key, "pt_BR", base=3, current=4)
    assert "3" in text and "4" in text
