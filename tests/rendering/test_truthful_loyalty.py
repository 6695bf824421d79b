"""The contract PDF tells the loyalty as it truly stands: an ended period is "sem fidelidade
vigente" (no clause of adherence), a kept one is kept (with its real dates), and the note about
dates counted from the effective date is printed only when a new period starts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest

from bot.config import ProviderInfo
from bot.domain.loyalty import Loyalty
from bot.domain.money import Money
from bot.pdf import DEFAULT_TEMPLATES_DIR, PdfRenderer
from bot.services.printouts import ContractPrintout
from tests.rendering.samples import flat, pdf_pages, sample_document

ADHERES = "O ASSINANTE adere, por opção expressa, ao prazo de permanência"
NOTE = "o prazo de permanência é contado a partir da data de efetivação"


@pytest.fixture(scope="module")
def renderer() -> Iterator[PdfRenderer]:
    r = PdfRenderer(DEFAULT_TEMPLATES_DIR, ProviderInfo(), None)
    yield r
    r.close()


def proposal(loyalty: Loyalty, *, kept: bool) -> ContractPrintout:
    doc = sample_document(version=2)
    return replace(
        doc,
        terms=replace(doc.terms, loyalty=loyalty, loyalty_term_name="Fidelidade 12 meses"),
        issued_on=date(2026, 11, 20),
        proposal=True,
        action_id=9,
        loyalty_kept=kept,
    )


async def text_of(renderer: PdfRenderer, doc: ContractPrintout) -> str:
    return flat(" ".join(pdf_pages(await renderer.contract_pdf(doc))))


async def test_an_ended_loyalty_that_is_kept_is_no_loyalty_in_force(renderer: PdfRenderer) -> None:
    ended = Loyalty(3, 12, Money(2000), date(2023, 8, 29), date(2024, 8, 29))
    text = await text_of(renderer, proposal(ended, kept=True))
    assert (
        "Sem fidelidade vigente: o prazo de permanência anterior (12 meses) encerrou-se em" in text
    )
    assert "29/08/2024" in text
    assert ADHERES not in text
    assert "Prazo de permanência 12 meses" not in text
    assert NOTE not in text
    assert "observada a multa proporcional" not in text


async def test_a_kept_loyalty_in_force_keeps_its_real_dates(renderer: PdfRenderer) -> None:
    kept = Loyalty(3, 12, Money(2000), date(2026, 3, 1), date(2027, 3, 1))
    text = await text_of(renderer, proposal(kept, kept=True))
    assert "Fica mantido o prazo de permanência (fidelidade) ao qual o ASSINANTE já aderiu" in text
    assert ADHERES not in text
    assert "Início 01/03/2026" in text and "Término 01/03/2027" in text
    assert NOTE not in text


async def test_a_new_loyalty_is_adhered_to_and_dated_from_the_effective_date(
    renderer: PdfRenderer,
) -> None:
    new = Loyalty(3, 12, Money(2000), date(2026, 11, 20), date(2027, 11, 20))
    text = await text_of(renderer, proposal(new, kept=False))
    assert ADHERES in text
    assert "Início 20/11/2026" in text and "Término 20/11/2027" in text
    assert NOTE in text
