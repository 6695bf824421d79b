"""The small web app: the client's acceptance page (web link) and a health check.

A client opens ``/aceite/<token>`` on a phone, sees the proposed change (plans, value, services,
loyalty) and the proposed contract PDF, and accepts or declines. The decision is recorded by
:func:`bot.services.acceptance.decide_by_token` with the evidence (IP, user agent) and the SHA-256
of the exact PDF bytes this app served, so staff can later prove which document was accepted.

Thin glue, like a conversation module: parse the request, call one service, render one template.
What it adds on top is web hygiene: the real client IP behind trusted proxies only, a sliding
window that slows down guessing of tokens per IP (valid tokens are never slowed, so clients
behind one CGNAT address are not punished for a neighbour), a form field bound to the token,
strict security headers, ``no-store`` on every page that carries a token, and access logs with
the token redacted.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.config import Settings
from bot.domain.documents import format_document
from bot.domain.errors import DomainError
from bot.domain.models import ActionStatus, Evidence
from bot.domain.money import Money
from bot.domain.tokens import sha256_hex
from bot.i18n import t
from bot.services.acceptance import AcceptanceUnavailable, decide_by_token, open_by_token
from bot.services.cards import ActionCard
from bot.services.context import ServiceContext

log = logging.getLogger(__name__)

DocumentSource = Callable[[int], Awaitable[bytes]]
"""``document(action_id)`` → the PDF bytes of the proposed contract."""

Clock = Callable[[], datetime]

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "web"

# Tokens are ``secrets.token_urlsafe`` text; anything else is refused without a database trip.
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
_TOKEN_IN_PATH = re.compile(r"/aceite/[^/?#]+")

# Every page lives at /aceite/<token>, so links are relative to that depth; this keeps them
# right behind a reverse proxy that mounts the app under a path prefix.
_CSS_HREF = "../static/aceite.css"

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

_UNAVAILABLE = {
    # key: (HTTP status, catalog key of the page title, catalog key of the message)
    "acceptance.token_invalid": (404, "web.token_invalid_title", "web.token_invalid_message"),
    "acceptance.token_used": (410, "web.token_used_title", "web.token_used_message"),
    "acceptance.token_expired": (410, "web.token_expired_title", "web.token_expired_message"),
    "acceptance.token_cancelled": (
        410,
        "web.token_cancelled_title",
        "web.token_cancelled_message",
    ),
    "acceptance.not_pending": (410, "web.not_pending_title", "web.not_pending_message"),
}


# --------------------------------------------------------------------------- client IP


def _parse_ip(text: str) -> str | None:
    """A normalised IP from one X-Forwarded-For hop (tolerates ``1.2.3.4:port``, ``[v6]``)."""
    hop = text.strip().strip('"')
    if hop.startswith("["):
        hop = hop[1 : hop.find("]")] if "]" in hop else hop[1:]
    elif hop.count(":") == 1:
        hop = hop.split(":", 1)[0]
    try:
        addr = ipaddress.ip_address(hop)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return str(addr)


def client_ip(peer: str | None, forwarded_for: Iterable[str], settings: Settings) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy.

    Behind trusted proxies, X-Forwarded-For is read right to left and the first hop that is not
    itself a trusted proxy is the client (anything left of it was written by the client and can
    be forged). A garbled hop stops the walk at the last address we could trust.
    """
    peer_ip = _parse_ip(peer or "") or (peer or "desconhecido")
    if not settings.is_trusted_proxy(peer_ip):
        return peer_ip
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    last = peer_ip
    for hop in reversed(hops):
        ip = _parse_ip(hop)
        if ip is None:
            return last
        if not settings.is_trusted_proxy(ip):
            return ip
        last = ip
    return last


# --------------------------------------------------------------------------- rate limit


class RateLimiter:
    """At most ``limit`` failures per key in a sliding ``window`` (in memory, one process).

    Only failures are recorded, and a refused attempt is not itself recorded, so after
    ``Retry-After`` seconds the next attempt is answered normally.
    """

    def __init__(
        self,
        clock: Clock,
        limit: int = 5,
        window: timedelta = timedelta(minutes=10),
        max_keys: int = 10_000,
    ) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[datetime]] = OrderedDict()

    def _recent(self, key: str) -> deque[datetime] | None:
        hits = self._hits.get(key)
        if hits is None:
            return None
        cutoff = self.clock() - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return None
        return hits

    def retry_after(self, key: str) -> int | None:
        """Seconds until ``key`` may try again, or None when it may try now."""
        hits = self._recent(key)
        if hits is None or len(hits) < self.limit:
            return None
        wait = hits[0] + self.window - self.clock()
        return max(1, int(wait.total_seconds() + 0.999))

    def hit(self, key: str) -> None:
        hits = self._recent(key)
        if hits is None:
            hits = self._hits[key] = deque()
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
        else:
            self._hits.move_to_end(key)
        hits.append(self.clock())


# --------------------------------------------------------------------------- presentation


def _speeds(download: int, upload: int, locale: str) -> str:
    def fmt(mbps: int) -> str:
        return t("web.speed", locale, mbps=f"{mbps:,}".replace(",", "."))

    return t("web.speeds", locale, download=fmt(download), upload=fmt(upload))


def _when(moment: datetime, locale: str) -> str:
    return t(
        "web.datetime", locale, date=moment.strftime("%d/%m/%Y"), time=moment.strftime("%H:%M")
    )


def _money(value: Money) -> str:
    return value.format()


def proposal_view(card: ActionCard, settings: Settings, expires_at: datetime) -> dict[str, Any]:
    """Everything the proposal page shows, already formatted (the template only lays it out)."""
    tz = settings.timezone
    locale = settings.locale
    change = card.action.change
    current, new = card.current_plan, card.new_plan
    diff = change.value - card.contract.value
    if diff.cents > 0:
        difference = t("web.difference_up", locale, amount=_money(diff))
    elif diff.cents < 0:
        difference = t("web.difference_down", locale, amount=_money(Money(-diff.cents)))
    else:
        difference = t("web.difference_same", locale)
    term = card.new_loyalty_term
    kept = card.contract.loyalty
    if term is None:
        loyalty: dict[str, Any] = {
            "kind": "kept",
            "active": kept.active,
            "months": kept.months,
            "monthly_benefit": _money(kept.monthly_benefit),
            "end": kept.end.strftime("%d/%m/%Y") if kept.end else None,
        }
    elif term.is_none:
        loyalty = {"kind": "none"}
    else:
        loyalty = {
            "kind": "new",
            "name": term.name,
            "months": term.months,
            "monthly_benefit": _money(term.monthly_benefit),
            "total_benefit": _money(term.total_benefit),
        }
    return {
        "client_name": card.client.name,
        "client_document": card.client.document_masked,
        "contract_number": card.contract.number,
        "current": {
            "name": current.name,
            "speeds": _speeds(current.download_mbps, current.upload_mbps, locale),
            "value": _money(card.contract.value),
        },
        "new": {
            "name": new.name,
            "speeds": _speeds(new.download_mbps, new.upload_mbps, locale),
            "value": _money(change.value),
        },
        "difference": difference,
        "services": [{"name": s.name, "value": _money(s.amount)} for s in change.services],
        "services_total": _money(change.value),
        "loyalty": loyalty,
        "template_name": card.new_template.name,
        "expires": _when(expires_at.astimezone(tz), locale),
    }


# --------------------------------------------------------------------------- the app


@dataclass(frozen=True)
class _Opened:
    request_id: int
    action_id: int
    view: dict[str, Any]


@dataclass(frozen=True)
class _Refused:
    key: str  # the AcceptanceUnavailable key: why the link cannot be used
    response: web.Response


class AcceptanceWeb:
    """Request handlers; one instance per app, holding its collaborators."""

    def __init__(
        self,
        ctx: ServiceContext,
        settings: Settings,
        document: DocumentSource | None,
        clock: Clock,
        secret: bytes,
        templates_dir: Path,
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.document = document
        self.clock = clock
        self.secret = secret
        self.limiter = RateLimiter(clock)
        self.env = Environment(
            loader=FileSystemLoader(str(templates_dir)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.css = (templates_dir / "aceite.css").read_bytes()
        # The exact bytes served for each acceptance request, so the hash recorded with the
        # decision is the hash of what the client downloaded (even if rendering is not
        # byte-for-byte reproducible). Bounded: a restart or eviction just renders again.
        self._pdfs: OrderedDict[int, bytes] = OrderedDict()
        self._pdf_cache_size = 32

    # ---------------------------------------------------------------- helpers

    def ip(self, request: web.Request) -> str:
        forwarded = request.headers.getall("X-Forwarded-For", [])
        return client_ip(request.remote, forwarded, self.settings)

    def csrf(self, token: str) -> str:
        return hmac.new(self.secret, b"aceite-form:" + token.encode(), hashlib.sha256).hexdigest()

    def render(
        self,
        name: str,
        status: int = 200,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> web.Response:
        provider = self.settings.provider
        html = self.env.get_template(name).render(
            provider=provider,
            provider_cnpj=format_document(provider.cnpj),
            css_href=_CSS_HREF,
            **params,
        )
        return web.Response(
            text=html, status=status, content_type="text/html", charset="utf-8", headers=headers
        )

    def msg(self, key: str, **params: Any) -> str:
        """A message from the catalog, in the locale the app was built with."""
        return t(key, self.settings.locale, **params)

    def unavailable(self, key: str) -> web.Response:
        status, title, message = _UNAVAILABLE.get(key, _UNAVAILABLE["acceptance.token_invalid"])
        return self.render(
            "indisponivel.html.j2", status=status, title=self.msg(title), message=self.msg(message)
        )

    def unknown_token(self, ip: str) -> web.Response:
        """A token that matches nothing: counted per IP; past the limit, 429."""
        wait = self.limiter.retry_after(ip)
        if wait is not None:
            log.warning("web acceptance: too many invalid links from %s", ip)
            return self.render(
                "indisponivel.html.j2",
                status=429,
                headers={"Retry-After": str(wait)},
                title=self.msg("web.too_many_title"),
                message=self.msg("web.too_many_message", minutes=max(1, (wait + 59) // 60)),
            )
        self.limiter.hit(ip)
        return self.unavailable("acceptance.token_invalid")

    async def open(self, request: web.Request, token: str) -> _Opened | _Refused:
        """The pending request behind ``token`` and its view, or the page explaining why not."""
        invalid = "acceptance.token_invalid"
        if not _TOKEN_RE.match(token):
            return _Refused(invalid, self.unknown_token(self.ip(request)))
        try:
            acceptance, card = await open_by_token(self.ctx, token)
        except AcceptanceUnavailable as err:
            if err.key == invalid:
                return _Refused(invalid, self.unknown_token(self.ip(request)))
            return _Refused(err.key, self.unavailable(err.key))
        except DomainError:
            log.exception("web acceptance: the action behind a valid link is incomplete")
            return _Refused("acceptance.not_pending", self.unavailable("acceptance.not_pending"))
        if card.action.status is not ActionStatus.PENDING:
            # Finalized without waiting for this (optional) acceptance: nothing left to answer.
            return _Refused("acceptance.not_pending", self.unavailable("acceptance.not_pending"))
        view = proposal_view(card, self.settings, acceptance.expires_at)
        return _Opened(acceptance.id, acceptance.action_id, view)

    async def pdf_bytes(self, opened: _Opened) -> bytes | None:
        """The proposed contract, rendered once per request and then served from memory."""
        if self.document is None:
            return None
        cached = self._pdfs.get(opened.request_id)
        if cached is not None:
            self._pdfs.move_to_end(opened.request_id)
            return cached
        data = bytes(await self.document(opened.action_id))
        data = self._pdfs.setdefault(opened.request_id, data)
        while len(self._pdfs) > self._pdf_cache_size:
            self._pdfs.popitem(last=False)
        return data

    def page(
        self, token: str, opened: _Opened, *, error: str | None = None, status: int = 200
    ) -> web.Response:
        return self.render(
            "aceite.html.j2",
            status=status,
            error=error,
            csrf=self.csrf(token),
            pdf_href=f"{token}/contrato.pdf" if self.document is not None else None,
            **opened.view,
        )

    def done(self, accepted: bool, decided_at: datetime | None, sha: str | None) -> web.Response:
        when = (decided_at or self.clock()).astimezone(self.settings.timezone)
        return self.render(
            "concluido.html.j2",
            accepted=accepted,
            when=_when(when, self.settings.locale),
            document_sha256=sha or None,
        )

    # ---------------------------------------------------------------- routes

    async def health(self, request: web.Request) -> web.Response:
        try:
            async with self.ctx.uow() as uow:
                await uow.catalog.plan_groups()
        except Exception:
            log.exception("health check: database round trip failed")
            return web.json_response({"status": "error", "database": "error"}, status=503)
        return web.json_response({"status": "ok", "database": "ok"})

    async def stylesheet(self, request: web.Request) -> web.Response:
        return web.Response(
            body=self.css,
            content_type="text/css",
            charset="utf-8",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    async def show(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        opened = await self.open(request, token)
        if isinstance(opened, _Refused):
            return opened.response
        return self.page(token, opened)

    async def contract_pdf(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        opened = await self.open(request, token)
        if isinstance(opened, _Refused):
            return opened.response
        try:
            data = await self.pdf_bytes(opened)
        except Exception:
            log.exception("web acceptance: rendering the proposed contract failed")
            return self.document_failed()
        if data is None:
            return self.render(
                "indisponivel.html.j2",
                status=404,
                title=self.msg("web.pdf_unavailable_title"),
                message=self.msg("web.pdf_unavailable_message"),
            )
        number = re.sub(r"[^0-9A-Za-z_-]", "", str(opened.view["contract_number"])) or self.msg(
            "web.pdf_filename_fallback"
        )
        filename = self.msg("web.pdf_filename", number=number)
        return web.Response(
            body=data,
            content_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )

    def document_failed(self) -> web.Response:
        return self.render(
            "indisponivel.html.j2",
            status=503,
            headers={"Retry-After": "60"},
            title=self.msg("web.document_failed_title"),
            message=self.msg("web.document_failed_message"),
        )

    async def decide(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        form = await request.post()
        decision = str(form.get("decision", ""))
        if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
            return self.render(
                "indisponivel.html.j2",
                status=403,
                title=self.msg("web.cross_site_title"),
                message=self.msg("web.cross_site_message"),
            )
        evidence = Evidence(
            ip=self.ip(request), user_agent=request.headers.get("User-Agent", "")[:500] or None
        )
        opened = await self.open(request, token)
        if isinstance(opened, _Refused):
            if opened.key == "acceptance.token_used":
                return await self.maybe_repeat(token, decision, form, evidence, opened.response)
            return opened.response
        if not hmac.compare_digest(str(form.get("csrf", "")), self.csrf(token)):
            return self.page(token, opened, error=self.msg("web.stale_form"), status=400)
        if decision not in ("accept", "decline"):
            return self.page(token, opened, error=self.msg("web.bad_decision"), status=400)
        accept = decision == "accept"
        if accept and not form.get("agree"):
            return self.page(token, opened, error=self.msg("web.need_agree"), status=400)
        if not accept and not form.get("confirm"):
            return self.render(
                "recusar.html.j2",
                csrf=self.csrf(token),
                back_href=token,
                **opened.view,
            )
        if not accept:
            reason = str(form.get("reason", "")).strip()[:500]
            if reason:
                evidence = Evidence(ip=evidence.ip, user_agent=evidence.user_agent, note=reason)
        try:
            data = await self.pdf_bytes(opened)
        except Exception:
            log.exception("web acceptance: rendering the proposed contract failed")
            return self.document_failed()
        sha = sha256_hex(data) if data is not None else ""
        try:
            result = await decide_by_token(
                self.ctx, token, accept=accept, evidence=evidence, document_sha256=sha
            )
        except AcceptanceUnavailable as err:
            return self.unavailable(err.key)
        self._pdfs.pop(opened.request_id, None)
        decided = result.request
        return self.done(result.accepted, decided.decided_at, decided.document_sha256)

    async def maybe_repeat(
        self,
        token: str,
        decision: str,
        form: Any,
        evidence: Evidence,
        refusal: web.Response,
    ) -> web.Response:
        """A reloaded thank-you page re-posts the form: the same answer is shown again."""
        if decision not in ("accept", "decline"):
            return refusal
        if not hmac.compare_digest(str(form.get("csrf", "")), self.csrf(token)):
            return refusal
        try:
            # The request is decided (token_used), so nothing can be written: decide_by_token
            # only reports a decision this same person already made, else refuses.
            result = await decide_by_token(
                self.ctx, token, accept=decision == "accept", evidence=evidence, document_sha256=""
            )
        except DomainError:
            return refusal
        if not result.already:  # pragma: no cover - cannot happen for a non-pending request
            return refusal
        decided = result.request
        return self.done(result.accepted, decided.decided_at, decided.document_sha256)


def _token_secret(settings: Settings) -> bytes:
    """Key for the form field: stable across restarts when the bot token is configured."""
    if settings.bot_token:
        key = settings.bot_token.encode()
        return hmac.new(key, b"contractbot-web-form", hashlib.sha256).digest()
    return secrets.token_bytes(32)


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("X-Robots-Tag", "noindex, nofollow")
    if response.content_type != "application/pdf":
        # Browsers' built-in PDF viewers can refuse to run under a CSP of 'none'; the PDF
        # carries no active content of ours, and nosniff keeps it a PDF.
        headers.setdefault("Content-Security-Policy", CSP)
    if not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Pragma", "no-cache")


@web.middleware
async def _errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """An unexpected failure shows a polite page, never a traceback."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("web: unhandled error on %s %s", request.method, _redact(request.path))
        handlers = request.app.get(WEB_HANDLERS)
        locale = handlers.settings.locale if handlers is not None else None
        return web.Response(
            text=f'<!doctype html><html lang="{escape(t("web.html_lang", locale))}">'
            '<meta charset="utf-8">'
            f"<title>{escape(t('web.error_title', locale))}</title>"
            f"<p>{escape(t('web.error_message', locale))}</p>",
            status=500,
            content_type="text/html",
            charset="utf-8",
        )


def _redact(path: str) -> str:
    return _TOKEN_IN_PATH.sub("/aceite/<token>", path)


class RedactingAccessLogger(AbstractAccessLogger):
    """Access log lines without the acceptance token (it is a bearer secret)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %.3fs',
            request.remote,
            request.method,
            _redact(request.path),
            response.status,
            time,
        )


WEB_HANDLERS = web.AppKey("acceptance_web", AcceptanceWeb)


def build_web_app(
    ctx: ServiceContext,
    settings: Settings,
    document: DocumentSource | None = None,
    clock: Clock | None = None,
    *,
    secret: bytes | None = None,
    templates_dir: Path | None = None,
) -> web.Application:
    """The web app: ``/health``, ``/aceite/{token}`` (GET page, POST decision), the PDF.

    ``ctx`` is the :class:`~bot.services.context.ServiceContext`; ``document(action_id)`` gives
    the proposed contract PDF (None: no PDF link, the decision is recorded with an empty hash);
    ``clock`` drives the rate limiter (default ``ctx.now``).
    """
    handlers = AcceptanceWeb(
        ctx,
        settings,
        document,
        clock or ctx.now,
        secret or _token_secret(settings),
        templates_dir or TEMPLATES_DIR,
    )
    app = web.Application(middlewares=[_errors])  # default 1 MiB body: the webhook shares it
    app[WEB_HANDLERS] = handlers
    app.router.add_get("/health", handlers.health)
    app.router.add_get("/static/aceite.css", handlers.stylesheet)
    app.router.add_get("/aceite/{token}", handlers.show)
    app.router.add_post("/aceite/{token}", handlers.decide)
    app.router.add_get("/aceite/{token}/contrato.pdf", handlers.contract_pdf)
    app.on_response_prepare.append(_security_headers)
    return app


async def start_web(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve ``app`` on host:port (port 0: any free port; see ``bound_port``)."""
    runner = web.AppRunner(app, access_log_class=RedactingAccessLogger)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port actually listened on (useful after ``start_web(app, host, 0)``)."""
    address = runner.addresses[0]
    return int(address[1])


async def stop_web(runner: web.AppRunner) -> None:
    await runner.cleanup()


__all__ = [
    "AcceptanceWeb",
    "DocumentSource",
    "RateLimiter",
    "RedactingAccessLogger",
    "bound_port",
    "build_web_app",
    "client_ip",
    "proposal_view",
    "start_web",
    "stop_web",
]
