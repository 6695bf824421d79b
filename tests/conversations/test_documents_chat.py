"""Contracts and amendments as PDFs in the chat: Ver contrato (PDF), after Confirmar, and the
amendment kept retrievable from the contract's history."""

from __future__ import annotations

import io

from pypdf import PdfReader

from bot.services.acceptance import record_in_person
from bot.services.plan_update import finalize_action
from bot.services.tickets import close_ticket
from tests.conversations.actions_helpers import (
    OPERATOR_ID,
    TECHNICIAN_ID,
    home,
    make_action,
    plan_name,
    staff_id,
)
from tests.conversations.conftest import BotEnv


def pdf_text(data: bytes | None) -> str:
    assert data is not None and data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_contract_pdf_from_the_card_and_the_amendment_from_history(env: BotEnv) -> None:
    created, contract = await make_action(env)
    action_id = created.action.id
    op_id = await staff_id(env, OPERATOR_ID)
    await record_in_person(env.ctx, op_id, action_id, "assinou na loja")
    assert created.ticket is not None
    await close_ticket(env.ctx, await staff_id(env, TECHNICIAN_ID), created.ticket.id, "feito")
    new_plan = plan_name(env, created.action.change.plan_id)
    await finalize_action(env.ctx, op_id, action_id)

    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await home(env, op)
    await op.tap_data(env.app, mid, f"ct:c:{contract.id}")
    await op.tap(env.app, "Ver contrato (PDF)", mid)
    (doc,) = op.chat.documents
    assert doc.document_name == f"contrato-{contract.number}-v2.pdf"
    assert "upload_document" in op.chat.actions
    text = pdf_text(doc.document_bytes)
    assert new_plan in text and contract.number in text

    await op.tap(env.app, "Histórico", mid)
    history = op.chat.message(mid)
    assert "v2" in (history.text or "")
    await op.tap(env.app, "Termo aditivo da versão 2", mid)
    amendment = op.chat.documents[-1]
    assert amendment.document_name == f"aditivo-{contract.number}-acao{action_id}.pdf"
    body = pdf_text(amendment.document_bytes)
    assert "TERMO ADITIVO" in body.upper()
    assert new_plan in body and "assinou na loja" in body
