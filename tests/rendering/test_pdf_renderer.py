"""The renderer on its own (no database): local-only assets, cache, determinism, one at a time."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import bot.pdf.renderer as pdf_module
from bot.config import ProviderInfo
from bot.pdf import AssetRefused, PdfRenderer, make_url_fetcher, money_words
from tests.rendering.samples import pdf_pages, pdf_text, sample_document, tiny_templates


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any attempt to open a connection or resolve a name is recorded and fails loudly."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.fixture
def weasy_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the real WeasyPrint runs (the renderer's one call into it)."""
    calls: list[str] = []
    real = pdf_module._weasyprint_pdf

    def counting(html: str, *args: Any, **kwargs: Any) -> bytes:
        calls.append(html)
        return real(html, *args, **kwargs)

    monkeypatch.setattr(pdf_module, "_weasyprint_pdf", counting)
    return calls


def test_fetcher_serves_only_files_inside_the_templates_folder(tmp_path: Path) -> None:
    root = tiny_templates(tmp_path / "tpl")
    (tmp_path / "secret.txt").write_text("segredo")
    refused: list[str] = []
    fetcher = make_url_fetcher(root, refused.append)

    css = (root / "contracts" / "style.css").resolve()
    response = fetcher(css.as_uri())
    assert b"DejaVu Sans" in response.read()
    assert response.content_type == "text/css"

    for url in [
        "http://example.com/x.png",
        "https://example.com/a.css",
        "ftp://example.com/a.css",
        "data:text/css;base64,Ym9keXt9",
        (tmp_path / "secret.txt").resolve().as_uri(),
        css.as_uri().replace("/contracts/style.css", "/contracts/../../secret.txt"),
        "file://evil.example.com/etc/passwd",
        (root / "contracts" / "missing.css").resolve().as_uri(),
    ]:
        with pytest.raises(AssetRefused):
            fetcher(url)
    assert len(refused) == 8


async def test_remote_urls_in_a_template_are_refused_and_it_still_renders(
    tmp_path: Path, no_network: list[Any]
) -> None:
    root = tiny_templates(
        tmp_path,
        extra_head='<link rel="stylesheet" href="https://example.com/remote.css">'
        '<style>@import url("https://example.com/evil.css");</style>',
        extra_body='<img src="http://example.com/x.png" alt="">'
        '<img src="file:///etc/hostname" alt="">',
        css='@import url("https://cdn.example.com/imported.css");\n'
        "body { font-family: 'DejaVu Sans', sans-serif; }",
    )
    renderer = PdfRenderer(root, ProviderInfo(), None)
    try:
        pdf = await renderer.contract_pdf(sample_document())
    finally:
        renderer.close()

    assert pdf.startswith(b"%PDF")
    assert "ação, pão, coração" in pdf_text(pdf)
    assert no_network == []
    refused = set(renderer.refused_urls)
    assert {
        "https://example.com/remote.css",
        "https://example.com/evil.css",
        "https://cdn.example.com/imported.css",
        "http://example.com/x.png",
        "file:///etc/hostname",
    } <= refused


async def test_same_version_renders_once_then_comes_from_the_cache(
    tmp_path: Path, weasy_calls: list[str]
) -> None:
    root = tiny_templates(tmp_path / "tpl")
    cache = tmp_path / "cache"
    doc = sample_document()
    first = PdfRenderer(root, ProviderInfo(), cache)
    try:
        a = await first.contract_pdf(doc)
        b = await first.contract_pdf(doc)
        assert a == b
        assert len(weasy_calls) == 1 and first.renders == 1
        files = list(cache.glob("*.pdf"))
        assert len(files) == 1
        assert files[0].name.startswith("contrato-c42-v1-pf_residencial-")

        await first.contract_pdf(replace(doc, version=2))  # a new version is a new document
        assert len(weasy_calls) == 2
    finally:
        first.close()

    second = PdfRenderer(root, ProviderInfo(), cache)  # a restart: the file cache answers
    try:
        assert await second.contract_pdf(doc) == a
        assert len(weasy_calls) == 2 and second.renders == 0

        (root / "contracts" / "style.css").write_text("body { color: #222; }")
        changed = await second.contract_pdf(doc)  # an edited template is never served stale
        assert len(weasy_calls) == 3
        assert changed != a
    finally:
        second.close()


async def test_concurrent_requests_for_one_document_render_it_once(
    tmp_path: Path, weasy_calls: list[str]
) -> None:
    renderer = PdfRenderer(tiny_templates(tmp_path), ProviderInfo(), None)
    try:
        results = await asyncio.gather(
            *(renderer.contract_pdf(sample_document()) for _ in range(4))
        )
    finally:
        renderer.close()
    assert len(set(results)) == 1
    assert len(weasy_calls) == 1


async def test_renders_run_one_at_a_time_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pdf_module._weasyprint_pdf
    state = {"active": 0, "max": 0}
    threads: set[str] = set()
    lock = threading.Lock()

    def tracking(*args: Any, **kwargs: Any) -> bytes:
        with lock:
            state["active"] += 1
            state["max"] = max(state["max"], state["active"])
        threads.add(threading.current_thread().name)
        try:
            return real(*args, **kwargs)
        finally:
            with lock:
                state["active"] -= 1

    monkeypatch.setattr(pdf_module, "_weasyprint_pdf", tracking)
    renderer = PdfRenderer(tiny_templates(tmp_path), ProviderInfo(), None)
    doc = sample_document()
    try:
        pdfs = await asyncio.gather(
            *(renderer.contract_pdf(replace(doc, contract_id=i, number=str(i))) for i in range(3))
        )
    finally:
        renderer.close()
    assert len(set(pdfs)) == 3
    assert state["max"] == 1
    assert threading.main_thread().name not in threads


async def test_identical_input_gives_identical_bytes_across_renderers(tmp_path: Path) -> None:
    root = tiny_templates(tmp_path)
    outputs = []
    for attempt in range(2):
        if attempt:
            await asyncio.sleep(1.05)  # a second later: no clock may leak into the bytes
        renderer = PdfRenderer(root, ProviderInfo(), None)
        try:
            outputs.append(await renderer.contract_pdf(sample_document()))
        finally:
            renderer.close()
    assert outputs[0] == outputs[1]


async def test_database_values_are_escaped(tmp_path: Path) -> None:
    renderer = PdfRenderer(tiny_templates(tmp_path), ProviderInfo(), None)
    name = 'Ana <script>alert("x")</script> & Cia'
    doc = sample_document(name=name)
    try:
        html = renderer.contract_html(doc)
        pdf = await renderer.contract_pdf(doc)
    finally:
        renderer.close()
    assert "<script>" not in html
    assert "Ana &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Cia" in html
    assert name in pdf_text(pdf)
    assert len(pdf_pages(pdf)) == 1


def test_filenames() -> None:
    doc = sample_document(version=3)
    assert PdfRenderer.filename(doc) == "contrato-7777-v3.pdf"
    assert PdfRenderer.filename(replace(doc, proposal=True, action_id=9)) == (
        "contrato-7777-v3-proposta.pdf"
    )
    assert PdfRenderer.filename(replace(doc, number="../12 34")) == "contrato-12_34-v3.pdf"


@pytest.mark.parametrize(
    ("cents", "words"),
    [
        (1, "um centavo"),
        (100, "um real"),
        (9990, "noventa e nove reais e noventa centavos"),
        (10000, "cem reais"),
        (19990, "cento e noventa e nove reais e noventa centavos"),
        (120000, "mil e duzentos reais"),
        (123456, "mil duzentos e trinta e quatro reais e cinquenta e seis centavos"),
        (2101500, "vinte e um mil e quinze reais"),
        (100000000, "um milhão de reais"),
    ],
)
def test_money_in_words(cents: int, words: str) -> None:
    assert money_words(cents) == words
