"""Contract and amendment PDFs: Jinja2 templates rendered by WeasyPrint in a worker thread.

Why it is shaped like this:

* WeasyPrint is CPU-bound and takes about a second per document, so it never runs on the event
  loop: every render goes to one dedicated worker thread, one render at a time (a burst of
  "Ver contrato" taps queues instead of eating every core).
* A contract version never changes once written, so its PDF is rendered once and then served
  from a cache (an in-memory LRU plus files under ``cache_dir``). The key carries the contract
  id, version and template file plus a digest of the template sources, the provider data and
  the HTML itself, so an edited template or a changed value can never be served stale.
* The bytes are deterministic for identical input (no timestamps of "now", no random ids; the
  PDF creation date is the document's own date), because the SHA-256 of the exact file shown to
  the client is kept as acceptance evidence.
* Templates may only load files that live inside ``templates_dir`` (see :mod:`.fetcher`).
* Every value from the database is escaped: the environment is the project's shared one
  (:func:`bot.templating.template_environment`), with the contract's own filters added.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import ProviderInfo, Settings
from bot.domain.documents import format_document
from bot.metrics import METRICS
from bot.pdf.cache import PdfCache
from bot.pdf.fetcher import make_url_fetcher
from bot.pdf.formatting import (
    ACCEPTANCE_STATUS_LABELS,
    CHANGE_LABELS,
    CHANNEL_LABELS,
    CONTRACT_STATUS_LABELS,
    MONTHS,
    TICKET_STATUS_LABELS,
    days,
    document,
    mbps,
    money_words,
    pct,
)
from bot.services.printout_data import AmendmentPrintout, ContractPrintout
from bot.templating import MISSING, TEMPLATES_DIR, template_environment

log = logging.getLogger(__name__)

DEFAULT_TEMPLATES_DIR = TEMPLATES_DIR
MEMORY_CACHE_ITEMS = 32
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


_ENV_LOCK = threading.Lock()


@contextlib.contextmanager
def _source_date_epoch(epoch: int) -> Iterator[None]:
    """Pin the timestamp fontTools writes into embedded font subsets (``head.modified``).

    Without it two renders of the same document a second apart differ in a few bytes. fontTools
    honours the reproducible-builds ``SOURCE_DATE_EPOCH`` variable; it is set only for the
    duration of one render (and left alone if the operator already set it).
    """
    with _ENV_LOCK:
        previous = os.environ.get("SOURCE_DATE_EPOCH")
        if previous is None:
            os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)


def _weasyprint_pdf(html: str, base_url: str, url_fetcher: Any, epoch: int = 0) -> bytes:
    """The one call into WeasyPrint (tests count calls to it)."""
    from weasyprint import HTML

    with _source_date_epoch(epoch):
        pdf = HTML(string=html, base_url=base_url, url_fetcher=url_fetcher).write_pdf()
    assert pdf is not None
    return bytes(pdf)


@dataclass(frozen=True)
class _Job:
    key: str
    html: str
    base_url: str
    epoch: int  # the document's date: the only "time" a render may depend on


# --------------------------------------------------------------------------- renderer


class PdfRenderer:
    """Renders :class:`ContractPrintout` and :class:`AmendmentPrintout` to PDF bytes."""

    def __init__(
        self,
        templates_dir: Path = DEFAULT_TEMPLATES_DIR,
        provider: ProviderInfo | None = None,
        cache_dir: Path | None = None,
        timezone: ZoneInfo | None = None,
        *,
        memory_items: int = MEMORY_CACHE_ITEMS,
    ) -> None:
        self.templates_dir = Path(templates_dir).resolve()
        self.provider = provider or ProviderInfo()
        self.timezone = timezone or ZoneInfo("America/Sao_Paulo")
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._cache = PdfCache(self.cache_dir, memory_items)
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self._render_lock = threading.Lock()  # belt and braces: one WeasyPrint run at a time
        self.renders = 0  # how many times WeasyPrint actually ran
        self.refused_urls: list[str] = []  # assets the fetcher refused (most recent last)
        self._env = template_environment(
            self.templates_dir,
            filters={
                "extenso": money_words,
                "data": self._date,
                "data_extenso": self._long_date,
                "datahora": self._datetime,
                "documento": document,
                "dias": days,
                "mbps": mbps,
                "pct": pct,
            },
        )
        self._env.globals.update(
            CHANNEL_LABELS=CHANNEL_LABELS,
            ACCEPTANCE_STATUS_LABELS=ACCEPTANCE_STATUS_LABELS,
            CHANGE_LABELS=CHANGE_LABELS,
            CONTRACT_STATUS_LABELS=CONTRACT_STATUS_LABELS,
            TICKET_STATUS_LABELS=TICKET_STATUS_LABELS,
        )

    @classmethod
    def for_settings(
        cls, settings: Settings, templates_dir: Path = DEFAULT_TEMPLATES_DIR
    ) -> PdfRenderer:
        """The renderer as the bot builds it: provider data, time zone, cache under data_dir."""
        return cls(
            templates_dir, settings.provider, settings.data_dir / "pdf-cache", settings.timezone
        )

    # ---- public API

    async def contract_pdf(self, doc: ContractPrintout) -> bytes:
        """The contract (current or proposed) as PDF bytes; cached per version/action."""
        return await self._pdf(functools.partial(self._contract_job, doc))

    async def amendment_pdf(self, doc: AmendmentPrintout) -> bytes:
        """The termo aditivo of a finalized action as PDF bytes; cached per action."""
        return await self._pdf(functools.partial(self._amendment_job, doc))

    def contract_html(self, doc: ContractPrintout) -> str:
        return self._env.get_template(doc.template_file).render(**self._context(doc))

    def amendment_html(self, doc: AmendmentPrintout) -> str:
        return self._env.get_template(doc.template_file).render(**self._context(doc))

    @staticmethod
    def filename(doc: ContractPrintout | AmendmentPrintout) -> str:
        """``contrato-<n>-v<version>.pdf`` (``-proposta`` for a proposal) or
        ``aditivo-<n>-acao<id>.pdf``."""
        if isinstance(doc, AmendmentPrintout):
            return f"aditivo-{_safe(doc.contract_number)}-acao{doc.action_id}.pdf"
        suffix = "-proposta" if doc.proposal else ""
        return f"contrato-{_safe(doc.number)}-v{doc.version}{suffix}.pdf"

    def close(self) -> None:
        """Stop the worker thread (waits for a render in progress)."""
        with self._executor_lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None

    # ---- jobs

    def _contract_job(self, doc: ContractPrintout) -> _Job:
        html = self.contract_html(doc)
        epoch = _epoch(doc.issued_on)
        stem = _safe(Path(doc.template_file).name.split(".")[0])
        kind = f"proposta-a{doc.action_id}" if doc.proposal else "contrato"
        prefix = f"{kind}-c{doc.contract_id}-v{doc.version}-{stem}"
        return _Job(self._key(prefix, html, doc.template_file), html, self._base_url(doc), epoch)

    def _amendment_job(self, doc: AmendmentPrintout) -> _Job:
        html = self.amendment_html(doc)
        prefix = f"aditivo-c{doc.contract_id}-a{doc.action_id}-v{doc.version_after}"
        epoch = _epoch(doc.effective_on)
        return _Job(self._key(prefix, html, doc.template_file), html, self._base_url(doc), epoch)

    def _key(self, prefix: str, html: str, template_file: str) -> str:
        digest = hashlib.sha256()
        digest.update(self._sources_hash(template_file).encode())
        digest.update(repr(sorted(asdict(self.provider).items())).encode())
        digest.update(html.encode())
        return f"{prefix}-{digest.hexdigest()[:24]}"

    def _sources_hash(self, template_file: str) -> str:
        """Digest of every file the template folder holds (layout, partials, CSS, images)."""
        folder = (self.templates_dir / template_file).parent
        digest = hashlib.sha256()
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def _base_url(self, doc: ContractPrintout | AmendmentPrintout) -> str:
        return (self.templates_dir / doc.template_file).parent.as_uri() + "/"

    async def _pdf(self, make_job: Callable[[], _Job]) -> bytes:
        """Template rendering, hashing and the cache's file read happen in a thread (never on
        the event loop); only a cache miss queues for the single WeasyPrint worker."""
        job, cached = await asyncio.to_thread(self._prepare, make_job)
        if cached is not None:
            return cached
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker(), self._render, job)

    def _prepare(self, make_job: Callable[[], _Job]) -> tuple[_Job, bytes | None]:
        job = make_job()
        return job, self._cache.get(job.key)

    def _worker(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")
            return self._executor

    def _render(self, job: _Job) -> bytes:
        """Runs in the worker thread; a job queued behind an identical one hits the cache."""
        with self._render_lock:
            cached = self._cache.get(job.key)
            if cached is not None:
                return cached
            fetcher = make_url_fetcher(self.templates_dir, self._refused)
            started = time.perf_counter()
            data = _weasyprint_pdf(job.html, job.base_url, fetcher, job.epoch)
            METRICS.pdf_seconds.labels(job.key.split("-", 1)[0]).observe(
                time.perf_counter() - started
            )
            self.renders += 1
            self._cache.put(job.key, data)
            return data

    def _refused(self, url: str) -> None:
        log.warning("PDF template asset refused (only local files are allowed): %.200s", url)
        self.refused_urls.append(url)
        del self.refused_urls[:-50]

    # ---- template context

    def _context(self, doc: ContractPrintout | AmendmentPrintout) -> dict[str, Any]:
        day = doc.effective_on if isinstance(doc, AmendmentPrintout) else doc.issued_on
        created = datetime.combine(day, datetime.min.time())
        return {
            "doc": doc,
            "provider": self.provider,
            "provider_cnpj": format_document(self.provider.cnpj),
            "created_iso": created.strftime("%Y-%m-%d"),
        }

    def _local(self, value: datetime) -> datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(self.timezone)

    def _date(self, value: date | datetime | None) -> str:
        if value is None:
            return MISSING
        if isinstance(value, datetime):
            value = self._local(value).date()
        return value.strftime("%d/%m/%Y")

    def _long_date(self, value: date | datetime) -> str:
        if isinstance(value, datetime):
            value = self._local(value).date()
        return f"{value.day} de {MONTHS[value.month - 1]} de {value.year}"

    def _datetime(self, value: datetime | None) -> str:
        if value is None:
            return MISSING
        local = self._local(value)
        offset = local.strftime("%z")
        offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
        return f"{local:%d/%m/%Y %H:%M:%S} (UTC{offset})"


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _safe(text: str) -> str:
    return _SAFE.sub("_", text).strip("._") or "x"


__all__ = ["DEFAULT_TEMPLATES_DIR", "PdfRenderer"]
