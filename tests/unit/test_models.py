"""Domain objects: JSON round trips for what the database stores as JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.documents import PersonKind
from bot.domain.models import (
    AcceptanceChannel,
    Address,
    Client,
    Evidence,
    PlanChange,
    Priority,
    Role,
    Staff,
    Ticket,
    TicketRequest,
    TicketStatus,
)
from bot.domain.money import Money
from bot.domain.split import Share

FAST = settings(max_examples=200, deadline=None)

ids = st.integers(min_value=1, max_value=2**31 - 1)
texts = st.text(max_size=40)

tickets = st.builds(
    TicketRequest,
    type_id=ids,
    department_id=ids,
    assignee_id=st.none() | ids,
    priority=st.sampled_from(Priority),
    description=texts,
)

plan_changes = st.builds(
    PlanChange,
    plan_id=ids,
    value=st.integers(min_value=0, max_value=10**10).map(Money),
    services=st.lists(
        st.builds(Share, ids, texts, st.integers(min_value=0, max_value=10**10).map(Money)),
        max_size=6,
    ).map(tuple),
    template_id=ids,
    loyalty_term_id=st.none() | ids,
    acceptance_channel=st.none() | st.sampled_from(AcceptanceChannel),
    ticket=st.none() | tickets,
    require_acceptance=st.booleans(),
    require_ticket_closed=st.booleans(),
)

evidences = st.builds(
    Evidence,
    ip=st.none() | st.ip_addresses().map(str),
    user_agent=st.none() | texts,
    telegram_user_id=st.none() | st.integers(min_value=1, max_value=10**12),
    telegram_name=st.none() | texts,
    staff_id=st.none() | ids,
    note=st.none() | texts,
    photo_file_id=st.none() | texts,
)

EXAMPLE = PlanChange(
    plan_id=3,
    value=Money(12990),
    services=(Share(1, "Internet", Money(9990)), Share(4, "IP fixo", Money(3000))),
    template_id=2,
    loyalty_term_id=5,
    acceptance_channel=AcceptanceChannel.TELEGRAM,
    ticket=TicketRequest(1, 2, 9, Priority.HIGH, "Trocar a ONU, cliente prefere à tarde"),
    require_acceptance=True,
    require_ticket_closed=True,
)


def test_plan_change_to_json_shape() -> None:
    data = EXAMPLE.to_json()
    assert data == {
        "plan_id": 3,
        "value_cents": 12990,
        "services": [
            {"service_id": 1, "name": "Internet", "cents": 9990},
            {"service_id": 4, "name": "IP fixo", "cents": 3000},
        ],
        "template_id": 2,
        "loyalty_term_id": 5,
        "acceptance_channel": "telegram",
        "ticket": {
            "type_id": 1,
            "department_id": 2,
            "assignee_id": 9,
            "priority": "high",
            "description": "Trocar a ONU, cliente prefere à tarde",
        },
        "require_acceptance": True,
        "require_ticket_closed": True,
    }


def test_plan_change_round_trip_example() -> None:
    assert PlanChange.from_json(EXAMPLE.to_json()) == EXAMPLE
    assert PlanChange.from_json(json.loads(json.dumps(EXAMPLE.to_json()))) == EXAMPLE


def test_plan_change_without_ticket_or_channel() -> None:
    change = PlanChange(1, Money(0), (), 1, None, None, None, False, False)
    data = change.to_json()
    assert data["ticket"] is None
    assert data["acceptance_channel"] is None
    assert PlanChange.from_json(data) == change


@settings(max_examples=100, deadline=None)
@given(plan_changes)
def test_plan_change_round_trip(change: PlanChange) -> None:
    stored = json.loads(json.dumps(change.to_json()))  # what a JSON column gives back
    back = PlanChange.from_json(stored)
    assert back == change
    assert isinstance(back.value, Money)
    assert back.acceptance_channel is change.acceptance_channel
    if change.ticket is not None:
        assert back.ticket is not None
        assert back.ticket.priority is change.ticket.priority


def test_evidence_to_json_drops_none() -> None:
    ev = Evidence(ip="203.0.113.9", user_agent="Mozilla/5.0", telegram_user_id=None)
    assert ev.to_json() == {"ip": "203.0.113.9", "user_agent": "Mozilla/5.0"}
    assert Evidence().to_json() == {}
    assert Evidence.from_json(None) == Evidence()
    assert Evidence.from_json({}) == Evidence()
    assert Evidence.from_json(ev.to_json()) == ev


@FAST
@given(evidences)
def test_evidence_round_trip(ev: Evidence) -> None:
    data = json.loads(json.dumps(ev.to_json()))
    assert None not in data.values()
    assert Evidence.from_json(data) == ev


def test_client_document_helpers() -> None:
    addr = Address("Rua das Flores", "12", "Centro", "Campinas", "SP", "13010-000", "apto 3")
    client = Client(1, PersonKind.PF, "Maria", "52998224725", "+5519999990000", "m@x.br", addr)
    assert client.document_masked == "***.982.247-**"
    assert client.document_formatted == "529.982.247-25"
    assert addr.one_line() == ("Rua das Flores, 12, apto 3 - Centro, Campinas/SP, CEP 13010-000")
    assert "apto" not in Address("R", "1", "B", "C", "SP", "0").one_line()


def test_an_address_with_missing_parts_reads_without_gaps() -> None:
    assert Address("Rua A", "", "", "Campinas", "", "").one_line() == "Rua A - Campinas"
    assert Address("", "s/n", "Centro", "", "SP", "13010-000").one_line() == (
        "s/n - Centro, SP, CEP 13010-000"
    )
    assert Address("", "", "", "", "", "").one_line() == ""


def test_staff_permissions() -> None:
    assert Staff(1, 10, "Ana", Role.ADMIN).is_admin
    assert Staff(1, 10, "Ana", Role.ADMIN).can_run_wizard
    assert Staff(2, 11, "Bia", Role.OPERATOR).can_run_wizard
    assert not Staff(2, 11, "Bia", Role.OPERATOR).is_admin
    assert not Staff(3, 12, "Caio", Role.TECHNICIAN).can_run_wizard
    assert not Staff(4, 13, "Davi", Role.ADMIN, active=False).is_admin
    assert not Staff(4, 13, "Davi", Role.OPERATOR, active=False).can_run_wizard


def test_priority_rank_orders_urgent_first() -> None:
    ordered = sorted(Priority, key=lambda p: p.rank)
    assert ordered == [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW]


def test_ticket_is_open_and_number() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    base = Ticket(42, 1, 10, None, 1, 1, None, Priority.LOW, "x", TicketStatus.OPEN, now)
    assert base.number == 42
    for status, is_open in [
        (TicketStatus.OPEN, True),
        (TicketStatus.IN_PROGRESS, True),
        (TicketStatus.CLOSED, False),
        (TicketStatus.CANCELLED, False),
    ]:
        ticket = Ticket(42, 1, 10, None, 1, 1, None, Priority.LOW, "x", status, now)
        assert ticket.is_open is is_open
