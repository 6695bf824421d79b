"""Documents built by hand (no database) and tiny template folders for the renderer's own tests."""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from datetime import date
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from bot.domain.loyalty import Loyalty
from bot.domain.models import (
    Address,
    Client,
    ContractStatus,
    ContractTemplate,
    PersonKind,
    Plan,
)
from bot.domain.money import Money
from bot.domain.split import Share
from bot.services.printouts import ContractPrintout, ContractTerms

TEMPLATE_FILE = "contracts/pf_residencial.html.j2"


def sample_document(version: int = 1, name: str = "Joana D'Arc & Filhos") -> ContractPrintout:
    client = Client(
        id=1,
        kind=PersonKind.PF,
        name=name,
        document="52998224725",
        phone="(19) 99999-0000",
        email="joana@example.com.br",
        address=Address("Rua São João", "10", "Centro", "Campinas", "SP", "13010-000"),
    )
    plan = Plan(7, 1, "Fibra 500 Mega", 500, 250, Money(11990), (1,))
    terms = ContractTerms(
        plan=plan,
        plan_group="Residencial Fibra",
        value=Money(11990),
        services=(Share(1, "Internet (SCM)", Money(11990)),),
        template=ContractTemplate(1, "PF-RES", "Residencial", PersonKind.PF, TEMPLATE_FILE),
        loyalty=Loyalty.none(),
    )
    return ContractPrintout(
        contract_id=42,
        number="7777",
        version=version,
        status=ContractStatus.ACTIVE,
        client=client,
        terms=terms,
        due_day=10,
        start_date=date(2025, 1, 10),
        issued_on=date(2025, 1, 10),
    )


def other_document(doc: ContractPrintout, contract_id: int) -> ContractPrintout:
    return replace(doc, contract_id=contract_id, number=str(contract_id))


TINY_TEMPLATE = """<!DOCTYPE html>
<html lang="pt-BR"><head><meta charset="utf-8">
<link rel="stylesheet" href="style.css">
</head><body>
<h1>Contrato nº {{ doc.number }} – versão {{ doc.version }}</h1>
<p>{{ doc.client.name }} · {{ doc.terms.value|brl }} · ação, pão, coração</p>
</body></html>
"""


def tiny_templates(
    root: Path,
    extra_head: str = "",
    extra_body: str = "",
    css: str = "body { font-family: 'DejaVu Sans', sans-serif; }",
) -> Path:
    """A template folder with one small contract template (renders in ~0.1 s)."""
    folder = root / "contracts"
    folder.mkdir(parents=True, exist_ok=True)
    html = TINY_TEMPLATE.replace("</head>", extra_head + "</head>").replace(
        "</body>", extra_body + "</body>"
    )
    (folder / "pf_residencial.html.j2").write_text(html, encoding="utf-8")
    (folder / "style.css").write_text(css, encoding="utf-8")
    return root


@functools.lru_cache(maxsize=64)
def _pages(pdf: bytes) -> tuple[str, ...]:
    return tuple(page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages)


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text (pypdf is slow: identical PDFs are extracted once)."""
    return list(_pages(pdf))


def flat(text: str) -> str:
    """Extracted text on one line: hyphenation undone, whitespace collapsed."""
    text = text.replace("\u2010\n", "").replace("\u00ad\n", "")
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()  # a non-breaking space stays one


def pdf_text(pdf: bytes) -> str:
    return flat("\n".join(pdf_pages(pdf)))
