"""A realistic demo ISP: catalog, staff and 60 clients with contracts.

The catalog is the base one every provider gets (``bot.domain.catalog_base``: templates,
"Sem fidelidade", ticket types, departments) plus the demo's groups, plans and loyalty terms.

Deterministic (seeded) and idempotent: every row is looked up by its natural key first, so
running ``contractbot demo-data`` twice adds nothing the second time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.catalog_base import DEPARTMENTS, TEMPLATES, TICKET_TYPES
from bot.domain.documents import cnpj_check_digits, cpf_check_digits
from bot.domain.loyalty import add_months
from bot.domain.money import Money
from bot.domain.split import ServiceLine, split_proportional
from storage import orm
from storage.demo_data import (
    CITIES,
    COMPANIES,
    DISTRICTS,
    FIRST,
    GROUPS,
    LAST,
    LOYALTY,
    PF_CLIENTS,
    PJ_CLIENTS,
    PLANS,
    SERVICES,
    STAFF,
    STATUSES,
    STREETS,
)
from storage.repositories import bump_reference_version, fold

R = TypeVar("R", bound=orm.Base)


@dataclass
class DemoSummary:
    created: dict[str, int]

    def describe(self) -> str:
        parts = [f"{n} {k}" for k, n in self.created.items() if n]
        return ", ".join(parts) if parts else "nada novo (os dados de demonstração já existem)"


class _Loader:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session
        self.created: dict[str, int] = {}

    async def get_or_add(self, model: type[R], label: str, key: dict[str, Any], **values: Any) -> R:
        stmt = select(model).filter_by(**key)
        row = await self.s.scalar(stmt)
        if row is None:
            row = model(**key, **values)
            self.s.add(row)
            await self.s.flush()
            self.created[label] = self.created.get(label, 0) + 1
        return row


def _cpf(rng: random.Random) -> str:
    base = "".join(str(rng.randint(0, 9)) for _ in range(9))
    return base + cpf_check_digits(base)


def _cnpj(rng: random.Random) -> str:
    base = "".join(str(rng.randint(0, 9)) for _ in range(8)) + "0001"
    return base + cnpj_check_digits(base)


async def load_demo_data(
    session: AsyncSession, today: date, now: datetime | None = None, *, clients: bool = True
) -> DemoSummary:
    """Insert what is missing of the demo ISP; return what was created.

    ``clients=False`` loads the catalog and staff only: a provider about to import its own
    clients and contracts (and the import round-trip tests) start from there.
    """
    now = now or datetime.now(UTC)
    ld = _Loader(session)
    groups = [
        await ld.get_or_add(orm.PlanGroupRow, "grupos de planos", {"name": n}) for n in GROUPS
    ]
    services = {
        code: await ld.get_or_add(
            orm.ServiceRow,
            "serviços",
            {"code": code},
            name=name,
            list_price_cents=price,
            active=True,
        )
        for code, name, price in SERVICES
    }
    plans = []
    for gi, name, down, up, price, codes in PLANS:
        plan = await ld.get_or_add(
            orm.PlanRow,
            "planos",
            {"name": name},
            group_id=groups[gi].id,
            download_mbps=down,
            upload_mbps=up,
            price_cents=price,
            active=True,
        )
        for pos, code in enumerate(codes):
            await ld.get_or_add(
                orm.PlanServiceRow,
                "serviços de plano",
                {"plan_id": plan.id, "service_id": services[code].id},
                position=pos,
            )
        plans.append((plan, codes))
    templates = {
        spec.kind.value: await ld.get_or_add(
            orm.ContractTemplateRow,
            "modelos de contrato",
            {"code": spec.code},
            name=spec.name,
            kind=spec.kind.value,
            file=spec.file,
            active=True,
        )
        for spec in TEMPLATES
    }
    terms = [
        await ld.get_or_add(
            orm.LoyaltyTermRow,
            "fidelidades",
            {"name": name},
            months=months,
            monthly_benefit_cents=benefit,
            active=True,
        )
        for name, months, benefit in LOYALTY
    ]
    for name in TICKET_TYPES:
        await ld.get_or_add(orm.TicketTypeRow, "tipos de atendimento", {"name": name})
    for name in DEPARTMENTS:
        await ld.get_or_add(orm.DepartmentRow, "departamentos", {"name": name})
    for tg_id, name, role in STAFF:
        await ld.get_or_add(
            orm.StaffRow,
            "membros da equipe",
            {"telegram_id": tg_id},
            name=name,
            role=role,
            active=True,
            locale="pt_BR",
            created_at=now,
        )
    if clients:
        await _clients(ld, today, plans, services, templates, terms)
    if ld.created:
        await bump_reference_version(session)
    return DemoSummary(ld.created)


async def _clients(
    ld: _Loader,
    today: date,
    plans: list[tuple[orm.PlanRow, list[str]]],
    services: dict[str, orm.ServiceRow],
    templates: dict[str, orm.ContractTemplateRow],
    terms: list[orm.LoyaltyTermRow],
) -> None:
    rng = random.Random(20241127)
    residential = [p for p in plans if p[0].group_id != plans[5][0].group_id]
    business = [p for p in plans if p[0].group_id == plans[5][0].group_id]
    for i in range(PF_CLIENTS + PJ_CLIENTS):
        pj = i >= PF_CLIENTS
        if pj:
            name = COMPANIES[(i - PF_CLIENTS) % len(COMPANIES)] + " Ltda."
            document = _cnpj(rng)
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}"
            document = _cpf(rng)
        city, state, zip_prefix = rng.choice(CITIES)
        # Stored as contractbot import normalises phones, so exported demo data re-imports as is.
        phone = f"+55 19 9{rng.randint(8000, 9999)}-{rng.randint(1000, 9999)}"
        email_user = fold(name).replace(" ", ".").replace("&", "e").replace(".ltda.", "")
        client = await ld.get_or_add(
            orm.ClientRow,
            "clientes",
            {"document": document},
            kind="PJ" if pj else "PF",
            name=name,
            name_search=fold(name),
            phone=phone,
            phone_digits="".join(c for c in phone if c.isdigit()),
            email=f"{email_user}@exemplo.com.br",
            street=rng.choice(STREETS),
            number=str(rng.randint(10, 2500)),
            complement=rng.choice(["", "", "Casa 2", "Apto 31"]),
            district=rng.choice(DISTRICTS),
            city=city,
            state=state,
            zip_code=f"{zip_prefix}{rng.randint(10, 99)}-{rng.randint(100, 999)}",
        )
        contracts = 2 if i % 9 == 4 else 1
        for c in range(contracts):
            plan, codes = rng.choice(business if pj else residential)
            if rng.random() < 0.3 and "WIFI" not in codes:
                codes = [*codes, "WIFI"]
            value = Money(plan.price_cents + (1500 if "WIFI" in codes and len(codes) > 1 else 0))
            lines = [
                ServiceLine(
                    services[cd].id, services[cd].name, Money(services[cd].list_price_cents)
                )
                for cd in codes
            ]
            shares = split_proportional(value, lines)
            start = add_months(today, -rng.randint(2, 40))
            term = rng.choice(terms[:3] if not pj else terms)
            loyalty_start = start if term.months else None
            await _contract(
                ld,
                number=f"{10000 + i * 10 + c}",
                client=client,
                plan=plan,
                value=value,
                shares=shares,
                template=templates["PJ" if pj else "PF"],
                term=term,
                loyalty_start=loyalty_start,
                start=start,
                status="ativo" if c == 0 and i < 6 else rng.choice(STATUSES),
                due_day=rng.choice([5, 10, 15, 20, 25]),
            )


async def _contract(
    ld: _Loader,
    *,
    number: str,
    client: orm.ClientRow,
    plan: orm.PlanRow,
    value: Money,
    shares: Any,
    template: orm.ContractTemplateRow,
    term: orm.LoyaltyTermRow,
    loyalty_start: date | None,
    start: date,
    status: str,
    due_day: int,
) -> None:
    existing = await ld.s.scalar(select(orm.ContractRow).filter_by(number=number))
    if existing is not None:
        return
    row = await ld.get_or_add(
        orm.ContractRow,
        "contratos",
        {"number": number},
        client_id=client.id,
        status=status,
        plan_id=plan.id,
        value_cents=value.cents,
        template_id=template.id,
        loyalty_term_id=term.id if term.months else None,
        loyalty_months=term.months,
        loyalty_benefit_cents=term.monthly_benefit_cents,
        loyalty_start=loyalty_start,
        loyalty_end=add_months(loyalty_start, term.months) if loyalty_start else None,
        due_day=due_day,
        start_date=start,
        version=1,
    )
    for pos, share in enumerate(shares):
        ld.s.add(
            orm.ContractServiceRow(
                contract_id=row.id,
                service_id=share.service_id,
                share_cents=share.amount.cents,
                position=pos,
            )
        )
    await ld.s.flush()
