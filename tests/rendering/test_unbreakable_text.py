"""Numbers that must read as one piece never break across lines in a PDF: a CPF/CNPJ (full or
masked), a speed ("500 Mbps"), the provider's "CNPJ <number>". The text stays plain (copyable);
only a CSS ``white-space: nowrap`` span holds it together. Day counts read "1 dia" / "N dias"."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.config import ProviderInfo
from bot.domain.documents import format_document
from bot.domain.signer import Signer
from bot.pdf import DEFAULT_TEMPLATES_DIR, PdfRenderer
from bot.pdf.formatting import days
from tests.rendering.samples import pdf_text, sample_document

SIGNER = Signer("Maria Clara Souza", "11144477735", "representante legal")


@pytest.fixture(scope="module")
def renderer() -> Iterator[PdfRenderer]:
    r = PdfRenderer(DEFAULT_TEMPLATES_DIR, ProviderInfo(), None)
    yield r
    r.close()


def test_documents_speeds_and_the_provider_cnpj_are_held_together(renderer: PdfRenderer) -> None:
    doc = sample_document()
    html = renderer.contract_html(doc)
    provider = format_document(ProviderInfo().cnpj)
    assert f'<span class="nowrap">CNPJ {provider}</span>' in html  # the letterhead
    assert f'<span class="nowrap">{format_document(doc.client.document)}</span>' in html
    plan = doc.terms.plan
    assert f'<span class="nowrap">{plan.upload_mbps} Mbps</span>' in html
    css = (DEFAULT_TEMPLATES_DIR / "contracts" / "contract.css").read_text()
    assert ".nowrap { white-space: nowrap; }" in css


async def test_the_signer_line_keeps_the_masked_cpf_whole_and_copyable(
    renderer: PdfRenderer,
) -> None:
    doc = replace(sample_document(version=2), signer=SIGNER)
    html = renderer.contract_html(doc)
    assert 'CPF <span class="nowrap">***.444.777-**</span>' in html
    text = pdf_text(await renderer.contract_pdf(doc))
    assert (
        "Aceito por Maria Clara Souza, CPF ***.444.777-**, representante legal, em nome de" in text
    )
    assert "11144477735" not in text and "111.444.777-35" not in text
    plain = sample_document(version=2)
    assert "Aceito por" not in renderer.contract_html(plain)  # nobody signed for a person


def test_day_counts_agree_with_their_number() -> None:
    assert [days(n) for n in (1, 2, 30)] == ["1 dia", "2 dias", "30 dias"]
