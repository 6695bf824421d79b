"""Imports over the real database (SQLite always, PostgreSQL when set up), demo ISP loaded:
what the summary says must be what is in the tables, and a refused import leaves no trace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.import_layout import Kind
from bot.domain.models import ActionStatus
from bot.services.context import ServiceContext
from bot.services.importing import ColumnMap, ImportResult, run_import
from bot.services.plan_update import create_plan_update
from bot.services.search import search_clients
from bot.tabular import open_table
from storage import orm
from storage.bulk import import_store_factory
from storage.db import session_factory
from tests.support.builders import plan_change, world

CLIENTS = (
    "id_externo;cpf_cnpj;nome;telefone;cep;uf\n"
    "CLI-1;123.456.789-09;Ana Souza;(19) 98765-4321;13010123;SP\n"
    "CLI-2;11.222.333/0001-81;Padaria Pão de Mel Ltda.;19 3232-1010;;sp\n"
)
CONTRACTS = (
    "id_externo;numero;cliente;plano;grupo;valor;vencimento;data_inicio;servicos;fidelidade\n"
    "CT-1;50001;CLI-1;Fibra 500 Mega;Residencial Fibra;119,90;10;01/03/2025;SCM|WIFI;"
    "Fidelidade 12 meses\n"
    "CT-2;50002;11222333000181;Empresarial 300 Mega;;R$ 249,90;5;2025-01-15;;\n"
)


async def imp(
    engine: AsyncEngine, ctx: ServiceContext, tmp_path: Path, kind: Kind, text: str, **kw: Any
) -> ImportResult:
    path = tmp_path / f"{kind.value}.csv"
    path.write_text(text, encoding="utf-8")
    table = open_table(path)
    try:
        return await run_import(
            import_store_factory(engine), kind, table.header, table.rows(), now=ctx.now(), **kw
        )
    finally:
        table.close()


async def count(engine: AsyncEngine, model: Any, **where: Any) -> int:
    async with session_factory(engine)() as s:
        return int(await s.scalar(select(func.count()).select_from(model).filter_by(**where)) or 0)


def counts(r: ImportResult) -> tuple[int, int, int, int]:
    return r.created, r.updated, r.unchanged, len(r.rejected)


async def test_clients_and_contracts_land_normalised_and_a_second_import_changes_nothing(
    engine: AsyncEngine, ctx: ServiceContext, tmp_path: Path
) -> None:
    r = await imp(engine, ctx, tmp_path, Kind.CLIENTS, CLIENTS)
    assert counts(r) == (2, 0, 0, 0) and r.committed
    r = await imp(engine, ctx, tmp_path, Kind.CONTRACTS, CONTRACTS)
    assert counts(r) == (2, 0, 0, 0) and r.committed

    async with session_factory(engine)() as s:
        ana = await s.scalar(select(orm.ClientRow).filter_by(external_id="CLI-1"))
        assert ana is not None
        assert (ana.document, ana.phone, ana.zip_code, ana.kind) == (
            "12345678909",
            "+55 19 98765-4321",
            "13010-123",
            "PF",
        )
        ct = await s.scalar(select(orm.ContractRow).filter_by(external_id="CT-1"))
        assert ct is not None and ct.client_id == ana.id
        assert (ct.value_cents, ct.loyalty_months, ct.version) == (11990, 12, 1)
        shares = await s.scalars(
            select(orm.ContractServiceRow.share_cents).filter_by(contract_id=ct.id)
        )
        assert sum(shares) == 11990
    found = await search_clients(ctx, "98765-4321")
    assert [c.name for c in found.items] == ["Ana Souza"]

    again = await imp(engine, ctx, tmp_path, Kind.CLIENTS, CLIENTS)
    assert counts(again) == (0, 0, 2, 0)
    again = await imp(engine, ctx, tmp_path, Kind.CONTRACTS, CONTRACTS)
    assert counts(again) == (0, 0, 2, 0)
    assert await count(engine, orm.ContractRevisionRow) == 0


async def test_a_changed_contract_gets_a_new_version_and_a_revision_by_the_import(
    engine: AsyncEngine, ctx: ServiceContext, tmp_path: Path
) -> None:
    await imp(engine, ctx, tmp_path, Kind.CLIENTS, CLIENTS)
    await imp(engine, ctx, tmp_path, Kind.CONTRACTS, CONTRACTS)
    changed = CONTRACTS.replace("119,90;10", "139,90;10")
    r = await imp(engine, ctx, tmp_path, Kind.CONTRACTS, changed)
    assert counts(r) == (0, 1, 1, 0)
    async with session_factory(engine)() as s:
        ct = await s.scalar(select(orm.ContractRow).filter_by(external_id="CT-1"))
        assert ct is not None and (ct.value_cents, ct.version) == (13990, 2)
        rev = await s.scalar(select(orm.ContractRevisionRow).filter_by(contract_id=ct.id))
        assert rev is not None
        assert (rev.author, rev.staff_id, rev.version) == ("importação", None, 2)
        assert (rev.before["value_cents"], rev.after["value_cents"]) == (11990, 13990)
    async with ctx.uow() as uow:
        (seen,) = await uow.revisions.for_contract(ct.id)
    assert (seen.author, seen.version) == ("importação", 2)


async def test_a_contract_with_a_pending_action_is_reported_not_overwritten(
    engine: AsyncEngine, ctx: ServiceContext, tmp_path: Path
) -> None:
    w = await world(ctx)
    await create_plan_update(ctx, w.operator.id, w.contract.id, await plan_change(ctx, w.contract))
    async with session_factory(engine)() as s:
        row = await s.get(orm.ContractRow, w.contract.id)
        client = await s.get(orm.ClientRow, w.contract.client_id)
        assert row is not None and client is not None
        plan = await s.get(orm.PlanRow, row.plan_id)
        assert plan is not None
    text = (
        "id_externo;numero;cliente;plano;valor;vencimento;data_inicio\n"
        f"X-1;{row.number};{client.document};{plan.name};999,00;{row.due_day};"
        f"{row.start_date.isoformat()}\n"
    )
    r = await imp(engine, ctx, tmp_path, Kind.CONTRACTS, text)
    assert r.held == [(2, row.number)] and r.updated == 0
    async with session_factory(engine)() as s:
        after = await s.get(orm.ContractRow, w.contract.id)
        assert after is not None and (after.value_cents, after.version) == (row.value_cents, 1)
    assert await count(engine, orm.ContractActionRow, status=ActionStatus.PENDING.value) == 1


async def test_one_bad_line_and_nothing_is_written(
    engine: AsyncEngine, ctx: ServiceContext, tmp_path: Path
) -> None:
    bad = CLIENTS + "CLI-3;111.111.111-11;Sem CPF;;;\nCLI-1;529.982.247-25;Repetido;;;\n"
    before = await count(engine, orm.ClientRow)
    r = await imp(engine, ctx, tmp_path, Kind.CLIENTS, bad)
    assert not r.committed
    assert [(x.line, [(e.column, e.key) for e in x.errors]) for x in r.rejected] == [
        (4, [("cpf_cnpj", "document.invalid_cpf")]),
        (5, [("id_externo", "import.duplicate_in_file")]),
    ]
    assert await count(engine, orm.ClientRow) == before


async def test_skip_invalid_keeps_the_valid_lines(
    engine: AsyncEngine, ctx: ServiceContext, tmp_path: Path
) -> None:
    await imp(engine, ctx, tmp_path, Kind.CLIENTS, CLIENTS)
    text = CONTRACTS + (
        "CT-3;50003;CLI-9;Fibra 300 Mega;;99,90;10;01/03/2025;;\n"
        "CT-4;50004;CLI-1;Fibra 300 Mega;Grupo Inexistente;99,90;10;01/03/2025;;\n"
    )
    r = await imp(engine, ctx, tmp_path, Kind.CONTRACTS, text, skip_invalid=True)
    assert r.committed and counts(r) == (2, 0, 0, 2)
    assert [(x.line, x.errors[0].column, x.errors[0].key) for x in r.rejected] == [
        (4, "cliente", "import.unknown_client"),
        (5, "grupo", "import.unknown_group"),
    ]
    assert await count(engine, orm.ContractRow, number="50003") == 0
    assert await count(engine, orm.ContractRow, external_id="CT-1") == 1


async def test_dry_run_counts_but_writes_nothing(
    engine: AsyncEngine, ctx: ServiceContext, tmp_path: Path
) -> None:
    r = await imp(engine, ctx, tmp_path, Kind.CLIENTS, CLIENTS, dry_run=True)
    assert counts(r) == (2, 0, 0, 0) and not r.committed
    assert await count(engine, orm.ClientRow, external_id="CLI-1") == 0


async def test_map_renames_columns_and_fixes_values(
    engine: AsyncEngine, ctx: ServiceContext, tmp_path: Path
) -> None:
    text = "Código;CPF;Razão Social\nE7;123.456.789-09;Ana Souza\n"
    cmap = ColumnMap({"Código": "id_externo", "CPF": "cpf_cnpj", "Razão Social": "nome"},
                     {"cidade": "Campinas"})  # fmt: skip
    r = await imp(engine, ctx, tmp_path, Kind.CLIENTS, text, cmap=cmap)
    assert counts(r) == (1, 0, 0, 0)
    assert await count(engine, orm.ClientRow, external_id="E7", city="Campinas") == 1


async def test_plans_need_an_existing_group_and_bump_the_catalog_version(
    engine: AsyncEngine, ctx: ServiceContext, tmp_path: Path
) -> None:
    async with session_factory(engine)() as s:
        v0 = await s.scalar(select(orm.ReferenceVersionRow.version))
    text = (
        "id_externo;nome;grupo;download_mbps;upload_mbps;preco;servicos\n"
        "P-1;Fibra 2 Giga;Residencial Fibra;2000;1000;299,90;SCM|WIFI\n"
        "P-2;Fibra 3 Giga;Fibra Lunar;3000;1000;399,90;SCM\n"
    )
    r = await imp(engine, ctx, tmp_path, Kind.PLANS, text, skip_invalid=True)
    assert counts(r) == (1, 0, 0, 1)
    assert r.rejected[0].errors[0].key == "import.unknown_group"
    async with session_factory(engine)() as s:
        v1 = await s.scalar(select(orm.ReferenceVersionRow.version))
        plan = await s.scalar(select(orm.PlanRow).filter_by(name="Fibra 2 Giga"))
        assert plan is not None and plan.price_cents == 29990
        links = await s.scalar(
            select(func.count()).select_from(orm.PlanServiceRow).filter_by(plan_id=plan.id)
        )
    assert links == 2 and v1 == (v0 or 0) + 1
