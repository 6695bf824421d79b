"""Bidirectional-control characters (U+202E and friends) cannot reverse a line: typed ones are
stripped before they are stored, and ones already in the database (written before this rule)
never reach the web page or the PDF."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import text, update

from bot.config import ProviderInfo
from bot.domain.safe_text import has_bidi
from bot.pdf import DEFAULT_TEMPLATES_DIR, PdfRenderer
from bot.services import printouts, tickets
from bot.services import staff as staff_service
from bot.services.acceptance import record_in_person
from bot.services.context import ServiceContext
from bot.services.plan_update import cancel_action, create_plan_update
from storage import orm
from storage.uow import SqlUnitOfWork
from tests.rendering.samples import pdf_text
from tests.support.builders import plan_change, world
from tests.support.clock import FakeClock
from tests.web.support import pending_web_action, text_of, web_client

RLO = "\u202e"
HOSTILE = f"Maria {RLO}adleb\u2066 Souza\u200f"
SHOWN = "Maria adleb Souza"


async def _store_raw(ctx: ServiceContext, client_id: int) -> None:
    """As a row written before input was cleaned: straight into the table."""
    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        await uow.session.execute(
            update(orm.ClientRow)
            .where(orm.ClientRow.id == client_id)
            .values(name=HOSTILE, street=f"Rua {RLO}9 ,sadoR")
        )
        await uow.commit()


async def test_web_page_shows_stored_names_without_bidi_controls(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    p = await pending_web_action(ctx)
    await _store_raw(ctx, p.world.contract.client_id)
    async with web_client(ctx, clock) as client:
        resp = await client.get(f"/aceite/{p.token}")
        page = await resp.text()
    assert resp.status == 200
    assert f"Olá, {SHOWN}" in text_of(page)
    assert not has_bidi(page)


async def test_pdf_shows_stored_names_without_bidi_controls(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    w = await world(ctx)
    await _store_raw(ctx, w.contract.client_id)
    renderer = PdfRenderer(DEFAULT_TEMPLATES_DIR, ProviderInfo(), tmp_path / "pdf-cache")
    try:
        pdf = await renderer.contract_pdf(await printouts.contract_printout(ctx, w.contract.id))
    finally:
        renderer.close()
    seen = pdf_text(pdf)
    assert SHOWN.upper() in seen.upper()
    assert not has_bidi(seen)


async def test_typed_names_notes_and_reasons_are_stored_without_bidi_controls(
    ctx: ServiceContext,
) -> None:
    w = await world(ctx)
    change = await plan_change(ctx, w.contract, ticket_assignee=w.technician.id)
    assert change.ticket is not None
    change = replace(change, ticket=replace(change.ticket, description=f"Trocar {RLO}UNO"))
    created = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
    assert created.ticket is not None
    await tickets.add_note(ctx, w.technician.id, created.ticket.id, f"Cliente {RLO}ausente")
    await record_in_person(ctx, w.operator.id, created.action.id, f"Assinou {RLO}na loja")
    await cancel_action(ctx, w.operator.id, created.action.id, f"Motivo {RLO}oculto\u2069")
    admin = await staff_service.ensure_admins(ctx, (555000111,))
    added = await staff_service.add_staff(
        ctx, admin[0].id, 555000222, f"Ana {RLO}Técnica", w.technician.role
    )
    await staff_service.deactivate(ctx, admin[0].id, 555000222)
    again = await staff_service.add_staff(  # reactivated, with the name typed again
        ctx, admin[0].id, 555000222, f"Ana {RLO}Técnica\u2069", w.technician.role
    )
    assert added.name == again.name == "Ana Técnica"

    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        stored: list[str] = []
        for sql in (
            "SELECT description, cancel_reason FROM tickets",
            "SELECT text FROM ticket_notes",
            "SELECT cancel_reason, change FROM contract_actions",
            "SELECT evidence FROM acceptance_requests",
            "SELECT name FROM staff",
        ):
            for row in (await uow.session.execute(text(sql))).all():
                stored.extend(str(v) for v in row)
    assert any("Trocar UNO" in s for s in stored)
    assert any("Motivo oculto" in s for s in stored)
    assert any("Ana Técnica" in s for s in stored)
    assert not [s for s in stored if has_bidi(s)]
