"""An alphanumeric CNPJ from the import file to search, the client card and the contract PDF."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import ProviderInfo
from bot.domain.import_layout import Kind
from bot.pdf import DEFAULT_TEMPLATES_DIR, PdfRenderer
from bot.render import MessageRenderer
from bot.services import printouts
from bot.services.cards import client_card
from bot.services.context import ServiceContext
from bot.services.search import search_clients
from conversations.clients import STATUS_ICON
from tests.data.test_import_db import imp
from tests.rendering.samples import pdf_text

CLIENT = "id_externo;cpf_cnpj;nome\nPJ-9;12.abc.345/01de-35;Mercado Novo Formato Ltda.\n"
CONTRACT = (
    "id_externo;numero;cliente;plano;valor;vencimento;data_inicio\n"
    "K-9;77001;12ABC34501DE35;Empresarial 300 Mega;249,90;10;01/08/2026\n"
)


async def test_alphanumeric_cnpj_import_search_card_and_pdf(
    engine: AsyncEngine, ctx: ServiceContext, tmp_path: Path
) -> None:
    assert (await imp(engine, ctx, tmp_path, Kind.CLIENTS, CLIENT)).created == 1
    assert (await imp(engine, ctx, tmp_path, Kind.CONTRACTS, CONTRACT)).created == 1

    for query in ("12.ABC.345/01DE-35", "12abc34501de35"):
        page = await search_clients(ctx, query)
        assert [c.name for c in page.items] == ["Mercado Novo Formato Ltda."]
    client = (await search_clients(ctx, "12.ABC.345/01DE-35")).items[0]
    assert client.document == "12ABC34501DE35"

    card = await client_card(ctx, client.id)
    messages = MessageRenderer(ZoneInfo("America/Sao_Paulo"))
    text = messages.render("client_card", None, card=card, icons=STATUS_ICON)
    assert "**.ABC.345/01DE\u2011**" in text  # masked, its hyphen unbreakable

    doc = await printouts.contract_printout_by_number(ctx, "77001")
    renderer = PdfRenderer(DEFAULT_TEMPLATES_DIR, ProviderInfo(), tmp_path / "pdf-cache")
    try:
        pdf = await renderer.contract_pdf(doc)
    finally:
        renderer.close()
    assert "12.ABC.345/01DE-35" in pdf_text(pdf)
