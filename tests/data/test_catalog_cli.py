"""A provider moving in from an empty database: README's "Começando do zero" run as written,
then ``contractbot catalog`` refusing duplicates and bad values, and running twice."""

from __future__ import annotations

import asyncio
import re
import shlex
import shutil
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from bot.__main__ import main
from bot.domain.documents import PersonKind
from bot.services.cards import ContractCard, contract_card
from bot.services.catalog import CatalogOverview, overview
from bot.services.context import ServiceContext
from bot.services.reference import Reference
from storage.db import create_engine, migrate
from tests.conftest import make_ctx
from tests.support.clock import FakeClock
from tests.support.db import migrated_engine

ROOT = Path(__file__).resolve().parents[2]


def walkthrough() -> list[str]:
    """The command lines of README's "Começando do zero" block, as a provider types them."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Começando do zero", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


@pytest.fixture
def database(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty database (no tables) as DATABASE_URL, the example files under the cwd."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'provider.db'}"
    else:

        async def emptied() -> str:
            async with migrated_engine("postgres", tmp_path) as engine:
                await migrate(engine, "downgrade", "base")
                return engine.url.render_as_string(hide_password=False)

        url = asyncio.run(emptied())
    shutil.copytree(ROOT / "templates" / "import", tmp_path / "templates" / "import")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


T = TypeVar("T")


def read(url: str, fn: Callable[[ServiceContext], Awaitable[T]]) -> T:
    """What a second process (the bot) reads from the database the CLI wrote."""

    async def go() -> T:
        engine = create_engine(url)
        try:
            return await fn(make_ctx(engine, FakeClock()))
        finally:
            await engine.dispose()

    return asyncio.run(go())


def catalog_now(url: str) -> CatalogOverview:
    return read(url, overview)


async def _version(ctx: ServiceContext) -> int:
    async with ctx.uow() as uow:
        return await uow.catalog.reference_version()


def reference_version(url: str) -> int:
    return read(url, _version)


def test_readme_walkthrough_moves_a_provider_in_from_an_empty_database(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = walkthrough()
    assert lines[-1] == "make run"  # the bot itself is not started here
    assert lines[0] == "contractbot db upgrade"
    said = {}
    for line in lines[:-1]:
        program, *argv = shlex.split(line)
        assert program == "contractbot"
        code, out, err = run(capsys, *argv)
        assert (code, err) == (0, ""), f"{line}\n{out}{err}"
        said[line] = out
        if argv[0] == "import":
            assert "Importação gravada." in out, out
    assert said["contractbot catalog init"] == (
        "Catálogo base criado: 2 modelos de contrato, 1 fidelidade, 4 tipos de atendimento, "
        "4 departamentos.\n"
    )
    assert said['contractbot catalog loyalty add "Fidelidade 12 meses" 12 20,00'] == (
        "Fidelidade criada: Fidelidade 12 meses — 12 meses, R$\u00a020,00 por mês de benefício, "
        "para clientes PF e PJ.\n"
    )

    async def check(ctx: ServiceContext) -> tuple[ContractCard, ContractCard, Reference]:
        async with ctx.uow() as uow:
            pf = await uow.contracts.by_number("50001")
            pj = await uow.contracts.by_number("50003")
        assert pf is not None and pj is not None
        return (
            await contract_card(ctx, pf.id),
            await contract_card(ctx, pj.id),
            await ctx.reference(),
        )

    pf_card, pj_card, reference = read(database, check)
    assert pf_card.client.name == "Ana Souza Lima"
    assert pf_card.plan.name == "Fibra 500 Mega"
    assert pf_card.group is not None and pf_card.group.name == "Residencial Fibra"
    assert pf_card.template.code == "PF-RES"
    assert pf_card.contract.value.format() == "R$\u00a0119,90"
    assert [s.name for s in pf_card.contract.services] == [
        "Internet (SCM)",
        "Wi-Fi Plus (roteador mesh)",
    ]
    assert (pf_card.contract.loyalty.months, pf_card.contract.loyalty.monthly_benefit.format()) == (
        12,
        "R$\u00a020,00",
    )
    assert pj_card.group is not None
    assert (pj_card.template.code, pj_card.group.name) == ("PJ-EMP", "Empresarial Fibra")
    assert pj_card.contract.loyalty.months == 0

    pf = reference.catalog(PersonKind.PF)
    assert [g.name for g in pf.groups] == ["Residencial Fibra", "Empresarial Fibra"]
    assert sorted(p.name for p in pf.plans) == [
        "Empresarial 300 Mega",
        "Fibra 300 Mega",
        "Fibra 500 Mega",
    ]
    assert [p.name for p in pf.plans_in(pf_card.group.id)] == ["Fibra 300 Mega", "Fibra 500 Mega"]
    assert [t.code for t in pf.templates] == ["PF-RES"]
    assert [t.name for t in pf.loyalty_terms] == ["Sem fidelidade", "Fidelidade 12 meses"]
    assert [i.name for i in pf.ticket_types] == [
        "Visita técnica",
        "Troca de equipamento",
        "Alteração de plano",
        "Suporte remoto",
    ]
    assert [i.name for i in pf.departments] == [
        "Suporte técnico",
        "Comercial",
        "Financeiro",
        "Instalação",
    ]
    assert [t.code for t in reference.catalog(PersonKind.PJ).templates] == ["PJ-EMP"]


def names(c: CatalogOverview) -> dict[str, list[str]]:
    return {
        "groups": [g.name for g in c.groups],
        "templates": [t.code for t in c.templates],
        "loyalty_terms": [t.name for t in c.loyalty_terms],
        "ticket_types": [i.name for i in c.ticket_types],
        "departments": [i.name for i in c.departments],
    }


def test_catalog_init_twice_creates_nothing_the_second_time_and_says_so(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "db", "upgrade")[0] == 0
    assert run(capsys, "catalog", "init")[0] == 0
    first, version = names(catalog_now(database)), reference_version(database)
    code, out, err = run(capsys, "catalog", "init")
    assert (code, out, err) == (0, "Nada novo: o catálogo base já existe.\n", "")
    assert names(catalog_now(database)) == first
    assert reference_version(database) == version  # nothing written, nothing to re-read


def test_catalog_init_completes_a_catalog_started_by_hand(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "db", "upgrade")[0] == 0

    async def one_template(ctx: ServiceContext) -> None:
        async with ctx.uow() as uow:
            await uow.catalog.add_template("PF-RES", "Meu contrato", PersonKind.PF, "meu.html.j2")
            await uow.commit()

    read(database, one_template)
    code, out, _ = run(capsys, "catalog", "init")
    assert (code, out) == (
        0,
        "Catálogo base criado: 1 modelo de contrato, 1 fidelidade, 4 tipos de atendimento, "
        "4 departamentos.\n",
    )
    templates = catalog_now(database).templates
    assert (templates[0].code, templates[0].name) == ("PF-RES", "Meu contrato")  # kept
    assert [t.code for t in templates] == ["PF-RES", "PJ-EMP"]


def test_demo_data_builds_on_the_base_catalog_in_either_order(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "catalog", "init")[0] == 0
    assert run(capsys, "demo-data")[0] == 0
    after_demo = names(catalog_now(database))
    assert after_demo["templates"] == ["PF-RES", "PJ-EMP"]
    assert after_demo["loyalty_terms"].count("Sem fidelidade") == 1
    assert len(after_demo["ticket_types"]) == len(after_demo["departments"]) == 4
    code, out, _ = run(capsys, "catalog", "init")
    assert (code, out) == (0, "Nada novo: o catálogo base já existe.\n")


def test_every_catalog_write_bumps_the_version_a_running_bot_rereads(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "catalog", "init")[0] == 0
    before = reference_version(database)
    assert run(capsys, "catalog", "group", "add", "Rural Rádio")[0] == 0
    after_group = reference_version(database)
    assert after_group > before
    code, out, _ = run(capsys, "catalog", "loyalty", "add", "Fidelidade 24 meses", "24", "50")
    assert code == 0
    assert out == (
        "Fidelidade criada: Fidelidade 24 meses — 24 meses, R$\u00a050,00 por mês de benefício, "
        "para clientes PJ.\n"
        "Clientes pessoa física podem ter no máximo 12 meses de fidelidade: esta só será "
        "oferecida a clientes PJ.\n"
    )
    assert reference_version(database) > after_group

    async def offered(ctx: ServiceContext) -> list[list[str]]:
        reference = await ctx.reference()
        return [
            [t.name for t in reference.catalog(kind).loyalty_terms]
            for kind in (PersonKind.PF, PersonKind.PJ)
        ]

    assert read(database, offered) == [
        ["Sem fidelidade"],
        ["Sem fidelidade", "Fidelidade 24 meses"],
    ]


REFUSALS = [
    (
        ["catalog", "group", "add", "residencial  FIBRA"],
        'O grupo de planos "Residencial Fibra" já existe.',
    ),
    (["catalog", "group", "add", "   "], "O nome não pode ficar vazio."),
    (
        ["catalog", "group", "add", "G" * 81],
        "O nome pode ter no máximo 80 caracteres (o seu tem 81).",
    ),
    (
        ["catalog", "loyalty", "add", "sem fidelidade", "0", "0"],
        'A fidelidade "Sem fidelidade" já existe.',
    ),
    (
        ["catalog", "loyalty", "add", "Fidelidade 6 meses", "seis", "10,00"],
        'Meses de fidelidade: digite um número inteiro de 0 a 36 (recebi "seis").',
    ),
    (
        ["catalog", "loyalty", "add", "Fidelidade 48 meses", "48", "10,00"],
        'Meses de fidelidade: digite um número inteiro de 0 a 36 (recebi "48").',
    ),
    (
        ["catalog", "loyalty", "add", "Fidelidade 6 meses", "6", "0,00"],
        "Uma fidelidade precisa de um benefício mensal maior que zero (por exemplo 20,00): "
        "o cliente só se compromete em troca de um desconto.",
    ),
    (
        ["catalog", "loyalty", "add", "Desconto avulso", "0", "5,00"],
        "Sem meses de fidelidade não há benefício: use 0,00 ou informe os meses.",
    ),
    (
        ["catalog", "loyalty", "add", "Fidelidade 6 meses", "6", "-5"],
        "O valor não pode ser negativo.",
    ),
    (
        ["catalog", "loyalty", "add", "Fidelidade 6 meses", "6", "10.000,001"],
        '"10.000,001" tem mais de duas casas decimais. Use por exemplo 99,90.',
    ),
]


@pytest.mark.parametrize(("argv", "message"), REFUSALS)
def test_duplicates_and_bad_values_are_refused_in_one_line_and_nothing_is_written(
    database: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert run(capsys, "catalog", "init")[0] == 0
    assert run(capsys, "catalog", "group", "add", "Residencial Fibra")[0] == 0
    before, version = names(catalog_now(database)), reference_version(database)
    code, out, err = run(capsys, *argv)
    assert (code, out, err) == (1, "", f"Erro: {message}\n")
    assert names(catalog_now(database)) == before
    assert reference_version(database) == version


def test_catalog_list_shows_every_kind_of_entry(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "catalog", "list")
    assert code == 0
    assert out.startswith("Grupos de planos (0):\n  (nenhum)\nModelos de contrato (0):\n")
    run(capsys, "catalog", "init")
    run(capsys, "catalog", "group", "add", "Residencial Fibra")
    run(capsys, "catalog", "loyalty", "add", "Fidelidade 24 meses", "24", "R$ 50,00")
    code, out, _ = run(capsys, "catalog", "list")
    assert code == 0
    assert out == (
        "Grupos de planos (1):\n"
        "  Residencial Fibra\n"
        "Modelos de contrato (2):\n"
        "  PF-RES   PF  Contrato de Prestação de Serviços - Pessoa Física (Residencial)\n"
        "  PJ-EMP   PJ  Contrato de Prestação de Serviços - Pessoa Jurídica (Empresarial)\n"
        "Fidelidades (2):\n"
        "  Sem fidelidade — sem período — PF e PJ\n"
        "  Fidelidade 24 meses — 24 meses, R$\u00a050,00/mês — PJ\n"
        "Tipos de atendimento (4):\n"
        "  Visita técnica\n"
        "  Troca de equipamento\n"
        "  Alteração de plano\n"
        "  Suporte remoto\n"
        "Departamentos (4):\n"
        "  Suporte técnico\n"
        "  Comercial\n"
        "  Financeiro\n"
        "  Instalação\n"
    )
