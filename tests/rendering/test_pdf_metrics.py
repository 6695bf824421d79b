"""PDF render time reaches /metrics for each real WeasyPrint run, not for cache hits."""

from __future__ import annotations

from pathlib import Path

from bot.config import ProviderInfo
from bot.metrics import METRICS
from bot.pdf import PdfRenderer
from tests.rendering.samples import sample_document, tiny_templates


def renders(document: str) -> float:
    labels = {"document": document}
    return METRICS.registry.get_sample_value("contractbot_pdf_render_seconds_count", labels) or 0


async def test_each_render_is_timed_once_by_document(tmp_path: Path) -> None:
    before = renders("contrato")
    renderer = PdfRenderer(tiny_templates(tmp_path / "tpl"), ProviderInfo(), tmp_path / "cache")
    try:
        await renderer.contract_pdf(sample_document())
        await renderer.contract_pdf(sample_document())  # from the cache: not a render
    finally:
        renderer.close()
    assert renders("contrato") == before + 1
    total = METRICS.registry.get_sample_value(
        "contractbot_pdf_render_seconds_sum", {"document": "contrato"}
    )
    assert total is not None and total > 0
