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
* Templates may only load files that live inside ``templates_dir``; any other URL (http, https,
  data, a file elsewhere) is refused by the URL fetcher before any I/O, and rendering carries
  on without it. A contract render never touches the network.
* Every value from the database is escaped (Jinja autoescape is on for every template).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import mimetypes
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

import jinja2

from bot.config import ProviderInfo
from bot.domain.change import ChangeType
from bot.domain.documents import format_document
from bot.domain.models import AcceptanceChannel, AcceptanceStatus, ContractStatus, TicketStatus
from bot.domain.money import Money, format_brl
from bot.services.documents import AmendmentDocument, ContractDocument

log = logging.getLogger(__name__)

AMENDMENT_TEMPLATE = "contracts/amendment.html.j2"
DEFAULT_TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
MEMORY_CACHE_ITEMS = 32
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class AssetRefused(ValueError):
    """A template asked for a resource outside the templates folder (e.g. a remote URL)."""


# --------------------------------------------------------------------------- URL fetcher


def _local_asset(root: Path, url: str) -> Path:
    """The file ``url`` names if it is a regular file inside ``root``, else raise."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise AssetRefused(f"only local template assets may be loaded, refused {url[:200]!r}")
    path = Path(url2pathname(parts.path)).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise AssetRefused(f"asset outside the templates folder refused: {url[:200]!r}")
    return path


@functools.cache
def _fetcher_class() -> type:
    """A WeasyPrint ``URLFetcher`` that serves files under one folder and refuses the rest.

    Built lazily so importing this module does not load WeasyPrint (the CLI's other commands
    start faster).
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        def __init__(self, root: Path, on_refused: Callable[[str], None]) -> None:
            super().__init__(timeout=1, allowed_protocols=("file",), allow_redirects=False)
            self._root = root
            self._on_refused = on_refused

        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                path = _local_asset(self._root, url)
            except AssetRefused:
                self._on_refused(url)
                raise
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime}
            )

    return LocalOnlyFetcher


def make_url_fetcher(root: Path, on_refused: Callable[[str], None] | None = None) -> Any:
    """The fetcher handed to WeasyPrint: only files inside ``root``, nothing else."""
    root = root.resolve()
    refused = on_refused or (lambda _url: None)
    try:
        cls = _fetcher_class()
    except ImportError:  # pragma: no cover - WeasyPrint < 68 takes a plain function

        def fetch(url: str) -> dict[str, Any]:
            try:
                path = _local_asset(root, url)
            except AssetRefused:
                refused(url)
                raise
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return {"string": path.read_bytes(), "mime_type": mime, "redirected_url": url}

        return fetch
    return cls(root, refused)


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


# --------------------------------------------------------------------------- formatting

_MONTHS = [
    "janeiro", "fevereiro", "março", "abril", "maio", "junho",
    "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
]  # fmt: skip
_UNITS = [
    "zero", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez",
    "onze", "doze", "treze", "quatorze", "quinze", "dezesseis", "dezessete", "dezoito",
    "dezenove",
]  # fmt: skip
_TENS = ["", "", "vinte", "trinta", "quarenta", "cinquenta", "sessenta", "setenta", "oitenta",
         "noventa"]  # fmt: skip
_HUNDREDS = ["", "cento", "duzentos", "trezentos", "quatrocentos", "quinhentos", "seiscentos",
             "setecentos", "oitocentos", "novecentos"]  # fmt: skip


def _words_below_1000(n: int) -> str:
    if n == 100:
        return "cem"
    parts = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        parts.append(_HUNDREDS[hundreds])
    if rest:
        if rest < 20:
            parts.append(_UNITS[rest])
        else:
            tens, units = divmod(rest, 10)
            parts.append(_TENS[tens] + (f" e {_UNITS[units]}" if units else ""))
    return " e ".join(parts)


def number_words(n: int) -> str:
    """A whole number in Portuguese words ("mil duzentos e trinta e quatro")."""
    if n == 0:
        return "zero"
    groups = []
    while n:
        n, g = divmod(n, 1000)
        groups.append(g)
    names = [("", ""), ("mil", "mil"), ("milhão", "milhões"), ("bilhão", "bilhões")]
    chunks: list[tuple[int, str]] = []
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if not g:
            continue
        if i == 1 and g == 1:
            text = "mil"
        else:
            singular, plural = names[i]
            text = _words_below_1000(g) + (f" {singular if g == 1 else plural}" if i else "")
        chunks.append((g, text))
    out = chunks[0][1]
    for g, text in chunks[1:]:
        # "mil e cem", "mil e duzentos", "mil duzentos e trinta"
        joiner = " e " if g < 100 or g % 100 == 0 else " "
        out += joiner + text
    return out


def money_words(value: Money | int) -> str:
    """``R$ 1.234,56`` in words: "mil duzentos e trinta e quatro reais e cinquenta e seis
    centavos" (contracts repeat the amount in words)."""
    cents = value.cents if isinstance(value, Money) else int(value)
    reais, centavos = divmod(abs(cents), 100)
    parts = []
    if reais:
        big = reais % 1_000_000 == 0
        unit = "real" if reais == 1 else ("de reais" if big else "reais")
        parts.append(f"{number_words(reais)} {unit}")
    if centavos:
        parts.append(f"{number_words(centavos)} {'centavo' if centavos == 1 else 'centavos'}")
    return " e ".join(parts) if parts else "zero real"


def _brl(value: Money | int | None) -> str:
    if value is None:
        return "—"
    return format_brl(value.cents if isinstance(value, Money) else int(value))


def _mbps(value: int) -> str:
    return f"{value:,}".replace(",", ".") + " Mbps"


def _pct(part: Money, whole: Money) -> str:
    if not whole.cents:
        return "—"
    pct = round(part.cents * 1000 / whole.cents) / 10
    text = f"{pct:.1f}".replace(".", ",")
    return (text[:-2] if text.endswith(",0") else text) + "%"


CHANNEL_LABELS = {
    AcceptanceChannel.TELEGRAM: "Telegram (link pessoal no bot da CONTRATADA)",
    AcceptanceChannel.WEB: "Link web (página de aceite)",
    AcceptanceChannel.IN_PERSON: "Presencial (registrado pela equipe da CONTRATADA)",
}
ACCEPTANCE_STATUS_LABELS = {
    AcceptanceStatus.PENDING: "pendente",
    AcceptanceStatus.ACCEPTED: "aceito",
    AcceptanceStatus.DECLINED: "recusado",
    AcceptanceStatus.EXPIRED: "expirado",
    AcceptanceStatus.CANCELLED: "cancelado",
}
CHANGE_LABELS = {
    ChangeType.UPGRADE: "Upgrade (aumento do valor mensal)",
    ChangeType.DOWNGRADE: "Downgrade (redução do valor mensal)",
    ChangeType.SAME_PRICE: "Alteração sem mudança de valor",
}
CONTRACT_STATUS_LABELS = {
    ContractStatus.ACTIVE: "Ativo",
    ContractStatus.BLOCKED: "Bloqueado",
    ContractStatus.SUSPENDED: "Suspenso",
    ContractStatus.CANCELLED: "Cancelado",
}
TICKET_STATUS_LABELS = {
    TicketStatus.OPEN: "aberto",
    TicketStatus.IN_PROGRESS: "em andamento",
    TicketStatus.CLOSED: "concluído",
    TicketStatus.CANCELLED: "cancelado",
}


# --------------------------------------------------------------------------- cache


class _PdfCache:
    """In-memory LRU in front of a folder of files; thread-safe; keys are file-name safe."""

    def __init__(self, folder: Path | None, max_items: int) -> None:
        self._folder = folder
        self._max = max_items
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            data = self._memory.get(key)
            if data is not None:
                self._memory.move_to_end(key)
                return data
        if self._folder is None:
            return None
        try:
            data = (self._folder / f"{key}.pdf").read_bytes()
        except OSError:
            return None
        self._remember(key, data)
        return data

    def put(self, key: str, data: bytes) -> None:
        self._remember(key, data)
        if self._folder is None:
            return
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._folder, prefix=".tmp-", suffix=".pdf")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self._folder / f"{key}.pdf")
        except OSError as exc:  # a full disk must not break sending the PDF
            log.warning("could not write PDF cache file for %s: %s", key, exc)

    def _remember(self, key: str, data: bytes) -> None:
        with self._lock:
            self._memory[key] = data
            self._memory.move_to_end(key)
            while len(self._memory) > self._max:
                self._memory.popitem(last=False)


@dataclass(frozen=True)
class _Job:
    key: str
    html: str
    base_url: str
    epoch: int  # the document's date: the only "time" a render may depend on


# --------------------------------------------------------------------------- renderer


class PdfRenderer:
    """Renders :class:`ContractDocument` and :class:`AmendmentDocument` to PDF bytes."""

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
        self._cache = _PdfCache(self.cache_dir, memory_items)
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self._render_lock = threading.Lock()  # belt and braces: one WeasyPrint run at a time
        self.renders = 0  # how many times WeasyPrint actually ran
        self.refused_urls: list[str] = []  # assets the fetcher refused (most recent last)
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.templates_dir)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=True,
        )
        self._env.filters.update(
            brl=_brl,
            extenso=money_words,
            data=self._date,
            data_extenso=self._long_date,
            datahora=self._datetime,
            documento=format_document,
            mbps=_mbps,
            pct=_pct,
        )
        self._env.globals.update(
            CHANNEL_LABELS=CHANNEL_LABELS,
            ACCEPTANCE_STATUS_LABELS=ACCEPTANCE_STATUS_LABELS,
            CHANGE_LABELS=CHANGE_LABELS,
            CONTRACT_STATUS_LABELS=CONTRACT_STATUS_LABELS,
            TICKET_STATUS_LABELS=TICKET_STATUS_LABELS,
        )

    # ---- public API

    async def contract_pdf(self, doc: ContractDocument) -> bytes:
        """The contract (current or proposed) as PDF bytes; cached per version/action."""
        return await self._pdf(functools.partial(self._contract_job, doc))

    async def amendment_pdf(self, doc: AmendmentDocument) -> bytes:
        """The termo aditivo of a finalized action as PDF bytes; cached per action."""
        return await self._pdf(functools.partial(self._amendment_job, doc))

    def contract_html(self, doc: ContractDocument) -> str:
        return self._env.get_template(doc.template_file).render(**self._context(doc))

    def amendment_html(self, doc: AmendmentDocument) -> str:
        return self._env.get_template(doc.template_file).render(**self._context(doc))

    @staticmethod
    def filename(doc: ContractDocument | AmendmentDocument) -> str:
        """``contrato-<n>-v<version>.pdf`` (``-proposta`` for a proposal) or
        ``aditivo-<n>-acao<id>.pdf``."""
        if isinstance(doc, AmendmentDocument):
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

    def _contract_job(self, doc: ContractDocument) -> _Job:
        html = self.contract_html(doc)
        epoch = _epoch(doc.issued_on)
        stem = _safe(Path(doc.template_file).name.split(".")[0])
        kind = f"proposta-a{doc.action_id}" if doc.proposal else "contrato"
        prefix = f"{kind}-c{doc.contract_id}-v{doc.version}-{stem}"
        return _Job(self._key(prefix, html, doc.template_file), html, self._base_url(doc), epoch)

    def _amendment_job(self, doc: AmendmentDocument) -> _Job:
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

    def _base_url(self, doc: ContractDocument | AmendmentDocument) -> str:
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
            data = _weasyprint_pdf(job.html, job.base_url, fetcher, job.epoch)
            self.renders += 1
            self._cache.put(job.key, data)
            return data

    def _refused(self, url: str) -> None:
        log.warning("PDF template asset refused (only local files are allowed): %.200s", url)
        self.refused_urls.append(url)
        del self.refused_urls[:-50]

    # ---- template context

    def _context(self, doc: ContractDocument | AmendmentDocument) -> dict[str, Any]:
        day = doc.effective_on if isinstance(doc, AmendmentDocument) else doc.issued_on
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
            return "—"
        if isinstance(value, datetime):
            value = self._local(value).date()
        return value.strftime("%d/%m/%Y")

    def _long_date(self, value: date | datetime) -> str:
        if isinstance(value, datetime):
            value = self._local(value).date()
        return f"{value.day} de {_MONTHS[value.month - 1]} de {value.year}"

    def _datetime(self, value: datetime | None) -> str:
        if value is None:
            return "—"
        local = self._local(value)
        offset = local.strftime("%z")
        offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
        return f"{local:%d/%m/%Y %H:%M:%S} (UTC{offset})"


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _safe(text: str) -> str:
    return _SAFE.sub("_", text).strip("._") or "x"


__all__ = [
    "AMENDMENT_TEMPLATE",
    "DEFAULT_TEMPLATES_DIR",
    "AssetRefused",
    "PdfRenderer",
    "make_url_fetcher",
    "money_words",
    "number_words",
]
