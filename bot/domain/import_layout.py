"""The documented column layout of each import kind, and one row turned into a typed record.

Column names are lower-case ASCII with underscores so a header typed as "CPF/CNPJ" or
"Código" in a spreadsheet still matches after :func:`header_key`; ``--map`` covers the rest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from bot.domain import fields as f
from bot.domain.documents import PersonKind
from bot.domain.errors import DomainError
from bot.domain.models import ContractStatus
from bot.domain.network import ReplyAttribute, check_name, parse_attributes


class Kind(StrEnum):
    SERVICES = "services"
    PLANS = "plans"
    CLIENTS = "clients"
    CONTRACTS = "contracts"


@dataclass(frozen=True)
class Layout:
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


LAYOUTS: dict[Kind, Layout] = {
    Kind.SERVICES: Layout(("id_externo", "codigo", "nome", "preco"), ("ativo",)),
    Kind.PLANS: Layout(
        ("id_externo", "nome", "grupo", "download_mbps", "upload_mbps", "preco"),
        ("servicos", "ativo", "grupo_radius", "atributos_radius"),
    ),
    Kind.CLIENTS: Layout(
        ("id_externo", "cpf_cnpj", "nome"),
        (
            "telefone",
            "email",
            "logradouro",
            "numero",
            "complemento",
            "bairro",
            "cidade",
            "uf",
            "cep",
        ),
    ),
    Kind.CONTRACTS: Layout(
        ("id_externo", "numero", "cliente", "plano", "valor", "vencimento", "data_inicio"),
        ("grupo", "situacao", "servicos", "modelo", "fidelidade", "inicio_fidelidade"),
    ),
}

MAX_TEXT = {
    "nome": 160,
    "id_externo": 60,
    "numero": 20,
    "codigo": 30,
    "logradouro": 160,
    "atributos_radius": 2000,
}


def header_key(text: str) -> str:
    """``"CPF/CNPJ "`` → ``cpf_cnpj``; ``"Código"`` → ``codigo``."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


def missing_columns(kind: Kind, present: set[str]) -> list[str]:
    return [c for c in LAYOUTS[kind].required if c not in present]


@dataclass(frozen=True)
class FieldError:
    column: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)


class RowInvalid(Exception):
    """Every problem found on one row (a row is reported whole, not first error only)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    external_id: str
    code: str
    name: str
    price_cents: int
    active: bool


@dataclass(frozen=True, slots=True)
class PlanRecord:
    external_id: str
    name: str
    group: str
    download_mbps: int
    upload_mbps: int
    price_cents: int
    service_codes: tuple[str, ...]
    active: bool
    # The plan's network profile (README "Velocidade na rede"); empty: leave it as it is.
    radius_group: str = ""
    radius_attributes: tuple[ReplyAttribute, ...] = ()


@dataclass(frozen=True, slots=True)
class ClientRecord:
    external_id: str
    kind: PersonKind
    document: str
    name: str
    phone: str
    email: str
    street: str
    number: str
    complement: str
    district: str
    city: str
    state: str
    zip_code: str


@dataclass(frozen=True, slots=True)
class ContractRecord:
    external_id: str
    number: str
    client_ref: str
    plan_ref: str
    group: str
    value_cents: int
    due_day: int
    start_date: date
    status: ContractStatus
    service_codes: tuple[str, ...]
    template_code: str
    loyalty_name: str
    loyalty_start: date | None


T = TypeVar("T")
Record = ServiceRecord | PlanRecord | ClientRecord | ContractRecord


class _Row:
    """Reads cells by column, collecting every error instead of stopping at the first."""

    def __init__(self, cells: Mapping[str, str]) -> None:
        self.cells = cells
        self.errors: list[FieldError] = []

    def text(self, column: str, *, required: bool = False) -> str:
        value = (self.cells.get(column) or "").strip()
        if required and not value:
            self.errors.append(FieldError(column, "import.required"))
        limit = MAX_TEXT.get(column, 80)
        if len(value) > limit:
            self.errors.append(FieldError(column, "import.too_long", {"limit": limit}))
        return value

    def parsed(self, column: str, parse: Callable[[str], T], default: T, *, required: bool) -> T:
        value = self.text(column, required=required)
        if not value:
            return default
        try:
            return parse(value)
        except DomainError as exc:
            self.errors.append(FieldError(column, exc.key, dict(exc.params)))
            return default

    def done(self) -> None:
        if self.errors:
            raise RowInvalid(self.errors)


def _status(text: str) -> ContractStatus:
    try:
        return ContractStatus(header_key(text))
    except ValueError:
        raise f.InvalidField("import.bad_status", value=text) from None


def _mbps(text: str) -> int:
    return f.parse_int(text, 1, 100_000)


def parse_service(cells: Mapping[str, str]) -> ServiceRecord:
    r = _Row(cells)
    rec = ServiceRecord(
        external_id=r.text("id_externo", required=True),
        code=r.text("codigo", required=True).upper(),
        name=r.text("nome", required=True),
        price_cents=r.parsed("preco", lambda s: f.parse_amount(s).cents, 0, required=True),
        active=r.parsed("ativo", f.parse_bool, True, required=False),
    )
    r.done()
    return rec


def parse_plan(cells: Mapping[str, str]) -> PlanRecord:
    r = _Row(cells)
    rec = PlanRecord(
        external_id=r.text("id_externo", required=True),
        name=r.text("nome", required=True),
        group=r.text("grupo", required=True),
        download_mbps=r.parsed(
            "download_mbps", lambda s: f.parse_int(s, 1, 100_000), 0, required=True
        ),
        upload_mbps=r.parsed("upload_mbps", lambda s: f.parse_int(s, 1, 100_000), 0, required=True),
        price_cents=r.parsed("preco", lambda s: f.parse_amount(s).cents, 0, required=True),
        service_codes=f.codes(r.text("servicos")),
        active=r.parsed("ativo", f.parse_bool, True, required=False),
        radius_group=r.parsed("grupo_radius", check_name, "", required=False),
        radius_attributes=r.parsed("atributos_radius", parse_attributes, (), required=False),
    )
    if bool(r.text("grupo_radius")) != bool(r.text("atributos_radius")):
        missing = "atributos_radius" if r.text("grupo_radius") else "grupo_radius"
        r.errors.append(FieldError(missing, "import.required"))
    r.done()
    return rec


def parse_client(cells: Mapping[str, str]) -> ClientRecord:
    r = _Row(cells)
    kind, document = r.parsed("cpf_cnpj", f.parse_document, (PersonKind.PF, ""), required=True)
    rec = ClientRecord(
        external_id=r.text("id_externo", required=True),
        kind=kind,
        document=document,
        name=r.text("nome", required=True),
        phone=r.parsed("telefone", f.normalize_phone, "", required=False),
        email=r.parsed("email", f.check_email, "", required=False),
        street=r.text("logradouro"),
        number=r.text("numero"),
        complement=r.text("complemento"),
        district=r.text("bairro"),
        city=r.text("cidade"),
        state=r.parsed("uf", f.normalize_uf, "", required=False),
        zip_code=r.parsed("cep", f.normalize_cep, "", required=False),
    )
    r.done()
    return rec


def parse_contract(cells: Mapping[str, str]) -> ContractRecord:
    r = _Row(cells)
    rec = ContractRecord(
        external_id=r.text("id_externo", required=True),
        number=r.text("numero", required=True),
        client_ref=r.text("cliente", required=True),
        plan_ref=r.text("plano", required=True),
        group=r.text("grupo"),
        value_cents=r.parsed("valor", lambda s: f.parse_amount(s).cents, 0, required=True),
        due_day=r.parsed("vencimento", lambda s: f.parse_int(s, 1, 31), 1, required=True),
        start_date=r.parsed("data_inicio", f.parse_date, date.min, required=True),
        status=r.parsed("situacao", _status, ContractStatus.ACTIVE, required=False),
        service_codes=f.codes(r.text("servicos")),
        template_code=r.text("modelo").upper(),
        loyalty_name=r.text("fidelidade"),
        loyalty_start=r.parsed("inicio_fidelidade", f.parse_date, None, required=False),
    )
    r.done()
    return rec


PARSERS: dict[Kind, Callable[[Mapping[str, str]], Record]] = {
    Kind.SERVICES: parse_service,
    Kind.PLANS: parse_plan,
    Kind.CLIENTS: parse_client,
    Kind.CONTRACTS: parse_contract,
}


def natural_key(record: Record) -> tuple[str, str]:
    """The column and value that must also be unique inside one file."""
    if isinstance(record, ServiceRecord):
        return "codigo", record.code
    if isinstance(record, PlanRecord):
        return "nome", record.name
    if isinstance(record, ClientRecord):
        return "cpf_cnpj", record.document
    return "numero", record.number
