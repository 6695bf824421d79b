"""Exports: the change history as typed .xlsx and pt-BR .csv, and clients/contracts in the
import layout, imported into a database holding only the catalog: the same cards and PDFs."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import ProviderInfo
from bot.domain.import_layout import Kind
from bot.pdf import DEFAULT_TEMPLATES_DIR, PdfRenderer
from bot.render import MessageRenderer
from bot.services import printouts
from bot.services.cards import contract_card
from bot.services.context import ServiceContext
from bot.services.exporting import changes_table, layout_table
from bot.services.importing import run_import
from bot.services.plan_update import cancel_action, create_plan_update, finalize_action
from bot.services.scheduled import apply_due
from bot.spreadsheet import BRL_FORMAT, write_table
from bot.tabular import open_table
from conversations.clients import STATUS_ICON
from storage import orm
from storage.bulk import import_store_factory
from storage.demo import load_demo_data
from storage.exports import export_reader_factory
from storage.uow import SqlUnitOfWork
from tests.conftest import make_ctx
from tests.rendering.samples import pdf_text
from tests.support.builders import plan_change, world
from tests.support.clock import FakeClock
from tests.support.db import migrated_engine


async def _two_actions(ctx: ServiceContext) -> tuple[int, int, str]:
    w = await world(ctx)
    change = await plan_change(ctx, w.contract)
    kept = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
    other = None
    async with ctx.uow() as uow:
        for client_id in range(2, 60):
            for c in await uow.contracts.for_client(client_id):
                if other is None and c.id != w.contract.id and c.status.value == "ativo":
                    other = c
    assert other is not None
    gone = await create_plan_update(
        ctx, w.operator.id, other.id, await plan_change(ctx, other, plan_name="Fibra 700 Mega")
    )
    await cancel_action(ctx, w.operator.id, gone.action.id, "Cliente desistiu")
    return kept.action.id, gone.action.id, w.contract.number


async def test_a_scheduled_change_exports_its_effective_and_applied_dates(
    engine: AsyncEngine, ctx: ServiceContext, clock: FakeClock, tmp_path: Path
) -> None:
    w = await world(ctx)
    change = await plan_change(
        ctx,
        w.contract,
        channel=None,
        require_acceptance=False,
        with_ticket=False,
        require_ticket_closed=False,
        loyalty_months=None,
    )
    change = replace(change, effective_on=date(2026, 12, 1))
    created = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
    await finalize_action(ctx, w.operator.id, created.action.id)
    clock.now = datetime(2026, 12, 2, 12, 30, tzinfo=UTC)  # 09:30 in São Paulo
    await apply_due(ctx)
    table = await changes_table(ctx, export_reader_factory(engine))
    path = tmp_path / "agendadas.xlsx"
    assert await write_table(table, path) == 1
    ws = load_workbook(path).active
    assert ws is not None
    head = [c.value for c in ws[1]]
    [row] = [dict(zip(head, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    assert row["Situação da ação"] == "finalizada"
    assert row["Vigência a partir de"] == datetime(2026, 12, 1)
    assert row["Aplicada em"] == datetime(2026, 12, 2, 9, 30)
    assert row["Criada em"] == datetime(2026, 11, 20, 10, 0)  # requested


async def test_changes_xlsx_has_typed_cells_frozen_header_and_filters(
    engine: AsyncEngine, ctx: ServiceContext, tmp_path: Path
) -> None:
    kept, gone, number = await _two_actions(ctx)
    path = tmp_path / "alteracoes.xlsx"
    table = await changes_table(ctx, export_reader_factory(engine), start=ctx.today())
    assert await write_table(table, path) == 2

    ws = load_workbook(path).active
    assert ws is not None
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:Z3"  # the last two: effective date and applied at
    head = [c.value for c in ws[1]]
    assert head[:5] == ["Ação", "Contrato", "Cliente", "CPF/CNPJ", "Situação da ação"]
    rows = {
        r[0].value: {h: c for h, c in zip(head, r, strict=True)} for r in ws.iter_rows(min_row=2)
    }
    first = rows[kept]
    assert first["Contrato"].value == number
    assert first["CPF/CNPJ"].value.startswith("***.")
    assert first["Situação da ação"].value == "pendente"
    assert isinstance(first["Criada em"].value, datetime)
    assert first["Criada em"].number_format == "DD/MM/YYYY HH:MM"
    assert first["Plano novo"].value == "Fibra 1 Giga"
    assert first["Valor novo"].number_format == BRL_FORMAT
    assert isinstance(first["Valor novo"].value, (int, float))
    assert Decimal(str(first["Valor novo"].value)) - Decimal(
        str(first["Valor anterior"].value)
    ) == Decimal(str(first["Diferença"].value))
    assert first["Canal do aceite"].value == "página web"
    assert first["Situação do aceite"].value == "pendente"
    assert first["Situação do chamado"].value == "aberto"
    assert rows[gone]["Situação da ação"].value == "cancelada"
    assert rows[gone]["Motivo do cancelamento"].value == "Cliente desistiu"
    assert rows[gone]["Cancelada por"].value == first["Criada por"].value != ""
    assert first["Vigência a partir de"].value is None  # starts on finalizing
    assert first["Aplicada em"].value is None  # not applied yet

    only_cancelled = await changes_table(
        ctx, export_reader_factory(engine), status="cancelled", full_document=True
    )
    csv_path = tmp_path / "alteracoes.csv"
    assert await write_table(only_cancelled, csv_path) == 1
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    row = dict(zip(lines[0], lines[1], strict=True))
    assert row["CPF/CNPJ"].isdigit()  # --full-document
    assert row["Valor novo"].count(",") == 1 and "." not in row["Valor novo"]
    assert row["Criada em"][2] == "/"

    nothing = await changes_table(
        ctx, export_reader_factory(engine), start=date(2020, 1, 1), end=date(2020, 1, 31)
    )
    assert await write_table(nothing, tmp_path / "vazio.xlsx") == 0


async def test_export_then_import_into_a_catalog_only_database_round_trips(
    engine: AsyncEngine, ctx: ServiceContext, backend: str, tmp_path: Path, clock: FakeClock
) -> None:
    files, written = {}, {}
    for kind, suffix in ((Kind.CLIENTS, ".csv"), (Kind.CONTRACTS, ".xlsx")):
        files[kind] = tmp_path / f"{kind.value}{suffix}"
        table = await layout_table(export_reader_factory(engine), kind)
        written[kind] = await write_table(table, files[kind])
    assert written[Kind.CLIENTS] == 60 and written[Kind.CONTRACTS] > 60

    async with migrated_engine(backend, tmp_path / "empty") as other:
        ctx2 = make_ctx(other, clock)
        async with ctx2.uow() as uow:
            assert isinstance(uow, SqlUnitOfWork)
            await load_demo_data(uow.session, ctx2.today(), ctx2.now(), clients=False)
            await uow.commit()
        for kind, path in files.items():
            table = open_table(path)
            result = await run_import(
                import_store_factory(other), kind, table.header, table.rows(), now=clock()
            )
            assert result.rejected == [] and result.committed
            assert result.created == written[kind]

        messages = MessageRenderer(ZoneInfo("America/Sao_Paulo"), clock=clock)
        numbers = await _numbers(ctx)
        assert numbers == await _numbers(ctx2)
        for number in numbers:
            a = await _card(ctx, number, messages)
            b = await _card(ctx2, number, messages)
            assert a == b, number
        renderer = PdfRenderer(DEFAULT_TEMPLATES_DIR, ProviderInfo(), tmp_path / "pdf-cache")
        try:
            for number in (numbers[0], numbers[-1]):  # a PF and a PJ contract
                pdfs = [
                    pdf_text(
                        await renderer.contract_pdf(
                            await printouts.contract_printout_by_number(c, number)
                        )
                    )
                    for c in (ctx, ctx2)
                ]
                assert pdfs[0] == pdfs[1]
        finally:
            renderer.close()


async def _numbers(ctx: ServiceContext) -> list[str]:
    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        from sqlalchemy import select

        return list(
            await uow.session.scalars(
                select(orm.ContractRow.number).order_by(orm.ContractRow.number)
            )
        )


async def _card(ctx: ServiceContext, number: str, messages: MessageRenderer) -> str:
    async with ctx.uow() as uow:
        contract = await uow.contracts.by_number(number)
        assert contract is not None
    card = await contract_card(ctx, contract.id)
    return messages.render("contract_card", None, card=card, icons=STATUS_ICON, notice=None)
