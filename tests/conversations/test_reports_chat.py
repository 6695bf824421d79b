"""📊 Relatórios: an admin picks a period and gets the change history as an .xlsx document;
nobody else can."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from bot.spreadsheet import BRL_FORMAT
from conversations import reports
from storage.exports import export_reader_factory
from tests.conversations.actions_helpers import OPERATOR_ID, make_action
from tests.conversations.conftest import BotEnv


def wire(env: BotEnv) -> None:
    """What bot/app.py does once this module is wired (see the module docstring): the
    handlers go before the catch-all for stale buttons, which stays last."""
    stale = env.app.handlers[0][-1]
    env.app.remove_handler(stale)
    env.app.add_handlers(reports.handlers(export_reader_factory(env.core.engine)))
    env.app.add_handler(stale)


async def test_admin_gets_this_months_changes_as_a_workbook(env: BotEnv) -> None:
    wire(env)
    created, contract = await make_action(env)
    admin = await env.add_admin()
    (screen,) = await admin.send(env.app, "/relatorios")
    assert "Relatórios" in (screen.text or "")
    assert screen.button_texts()[:3] == ["Este mês", "Mês passado", "Últimos 30 dias"]

    await admin.tap(env.app, "Este mês", screen.message_id)
    (doc,) = admin.chat.documents
    assert "upload_document" in admin.chat.actions
    assert (doc.document_name or "").startswith("alteracoes-") and doc.document_name.endswith(
        ".xlsx"
    )
    assert "1 ação" in (doc.caption or "")

    ws = load_workbook(io.BytesIO(doc.document_bytes or b"")).active
    assert ws is not None and ws.freeze_panes == "A2"
    head = [c.value for c in ws[1]]
    row = dict(zip(head, next(ws.iter_rows(min_row=2, max_row=2)), strict=True))
    assert row["Ação"].value == created.action.id
    assert row["Contrato"].value == contract.number
    assert str(row["CPF/CNPJ"].value).startswith("***.")
    assert isinstance(row["Criada em"].value, datetime)
    assert row["Valor novo"].number_format == BRL_FORMAT
    assert row["Situação da ação"].value == "pendente"

    await admin.tap(env.app, "Mês passado", screen.message_id)
    last = admin.chat.documents[-1]
    assert "0 ações" in (last.caption or "")


async def test_an_operator_cannot_open_reports(env: BotEnv) -> None:
    wire(env)
    await make_action(env)
    op = env.user(OPERATOR_ID, "Patrícia")
    replies = await op.send(env.app, "/relatorios")
    assert any("permissão" in (m.text or "").lower() for m in replies)
    assert op.chat.documents == []
