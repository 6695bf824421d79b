"""The base catalog a provider starts from, and the rules for what an admin adds to it.

Plan groups, contract templates, loyalty terms, ticket types and departments are not imported
(the import names them); ``contractbot catalog`` creates them. The demo data builds on the same
lists, so the demo's template codes and the ones a provider gets are the same.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.domain.documents import PersonKind
from bot.domain.errors import InvalidInput
from bot.domain.loyalty import LoyaltyTerm, allowed_for
from bot.domain.money import Money, parse_money
from bot.domain.safe_text import strip_bidi

MAX_NAME = 80  # the name columns of plan groups, loyalty terms, ticket types, departments
# No rule caps a business client's loyalty period; past three years a typo is likelier.
MAX_LOYALTY_MONTHS = 36


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """A contract template shipped in ``templates/contracts/``."""

    code: str
    name: str
    kind: PersonKind
    file: str


TEMPLATES = (
    TemplateSpec(
        "PF-RES",
        "Contrato de Prestação de Serviços - Pessoa Física (Residencial)",
        PersonKind.PF,
        "contracts/pf_residencial.html.j2",
    ),
    TemplateSpec(
        "PJ-EMP",
        "Contrato de Prestação de Serviços - Pessoa Jurídica (Empresarial)",
        PersonKind.PJ,
        "contracts/pj_empresarial.html.j2",
    ),
)
NO_LOYALTY = "Sem fidelidade"
TICKET_TYPES = ("Visita técnica", "Troca de equipamento", "Alteração de plano", "Suporte remoto")
DEPARTMENTS = ("Suporte técnico", "Comercial", "Financeiro", "Instalação")


@dataclass(frozen=True, slots=True)
class NewLoyaltyTerm:
    """A loyalty term as typed, checked, before it has an id."""

    name: str
    months: int
    monthly_benefit: Money


def name_key(name: str) -> str:
    """What two names must differ in to be two entries: not case, accents or spacing
    ("Residencial fibra" and "Residencial  Fibra" would read as one group in a list)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def clean_name(text: str) -> str:
    """A catalog name as stored: one line, single spaces, no bidi controls, not empty."""
    name = " ".join(strip_bidi(text or "").split())
    if not name:
        raise InvalidInput("catalog.name_empty")
    if len(name) > MAX_NAME:
        raise InvalidInput("catalog.name_too_long", max=MAX_NAME, length=len(name))
    return name


def parse_months(text: str) -> int:
    raw = (text or "").strip()
    if not raw.isdigit() or int(raw) > MAX_LOYALTY_MONTHS:
        raise InvalidInput("catalog.bad_months", value=raw, max=MAX_LOYALTY_MONTHS)
    return int(raw)


def new_loyalty_term(name: str, months: str, benefit: str) -> NewLoyaltyTerm:
    """Check a loyalty term as an admin types it: months a whole number, the monthly benefit
    in BRL ("20,00", "R$ 1.234,56"). A loyalty period is the price of a benefit, so a period
    needs one and no period cannot have one."""
    term = NewLoyaltyTerm(clean_name(name), parse_months(months), parse_money(benefit))
    if term.months and not term.monthly_benefit:
        raise InvalidInput("catalog.loyalty_needs_benefit")
    if not term.months and term.monthly_benefit:
        raise InvalidInput("catalog.benefit_needs_loyalty")
    return term


def offered_to(term: LoyaltyTerm | NewLoyaltyTerm) -> tuple[PersonKind, ...]:
    """The kinds of client a term can be offered to (a PF client: at most 12 months)."""
    probe = LoyaltyTerm(0, term.name, term.months, term.monthly_benefit)
    return tuple(kind for kind in PersonKind if allowed_for(kind, probe))
