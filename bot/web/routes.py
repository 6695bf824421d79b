"""The acceptance page's handlers: open a link, show the proposal and its PDF, record the answer.

A client opens ``/aceite/<token>`` on a phone, sees the proposed change (plans, value, services,
loyalty) and the proposed contract PDF, and accepts or declines. The decision is recorded by
:func:`bot.services.acceptance.decide_by_token` with the evidence (IP, user agent) and the SHA-256
of the exact PDF bytes this app served, so staff can later prove which document was accepted.

Thin glue, like a conversation module: parse the request, call one service, render one template.
The hygiene around it (client IP, wrong-token throttle, form field, headers) is in
:mod:`bot.web.security`; what the page shows is in :mod:`bot.web.views`.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config import Settings
from bot.domain.documents import format_document
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.models import ActionStatus, Evidence
from bot.domain.signer import signer_from_input
from bot.domain.tokens import sha256_hex
from bot.i18n import error_text, t
from bot.services.acceptance import (
    AcceptanceUnavailable,
    IdentityLocked,
    IdentityMismatch,
    decide_by_token,
    open_by_token,
)
from bot.services.context import ServiceContext
from bot.services.printout_data import PdfPrinter
from bot.templating import TEMPLATES_DIR, template_environment
from bot.web.answered import KEPT_PDF, AnsweredPages
from bot.web.preview import StaffPreview
from bot.web.security import (
    TOKEN_RE,
    Clock,
    WrongTokenThrottle,
    form_token,
    request_ip,
    same_form_token,
    signer_fields,
)
from bot.web.views import CSS_HREF, proposal_view, unavailable, when

log = logging.getLogger(__name__)

ProposalPdf = Callable[[int], Awaitable[bytes]]
"""``proposal_pdf(action_id)`` → the PDF bytes of the contract the action proposes."""

WEB_TEMPLATES_DIR = TEMPLATES_DIR / "web"


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
        proposal_pdf: ProposalPdf | None,
        clock: Clock,
        secret: bytes,
        templates_dir: Path,
        printer: PdfPrinter | None = None,
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.proposal_pdf = proposal_pdf
        self.clock = clock
        self.secret = secret
        self.throttle = WrongTokenThrottle(clock)
        self.env = template_environment(templates_dir)
        self.css = (templates_dir / "aceite.css").read_bytes()
        # The exact bytes served for each acceptance request, so the hash recorded with the
        # decision is the hash of what the client downloaded (even if rendering is not
        # byte-for-byte reproducible). Bounded: a restart or eviction just renders again.
        self._pdfs: OrderedDict[int, bytes] = OrderedDict()
        self._pdf_cache_size = 32
        self.answered = AnsweredPages(self, printer)
        self.preview = StaffPreview(self)

    # ---------------------------------------------------------------- helpers

    def ip(self, request: web.Request) -> str:
        return request_ip(request, self.settings)

    def csrf(self, token: str) -> str:
        return form_token(self.secret, token)

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
            css_href=CSS_HREF,
            **params,
        )
        return web.Response(
            text=html, status=status, content_type="text/html", charset="utf-8", headers=headers
        )

    def msg(self, key: str, **params: Any) -> str:
        """A message from the catalog, in the locale the app was built with."""
        return t(key, self.settings.locale, **params)

    def unavailable(self, key: str) -> web.Response:
        status, title, message = unavailable(key)
        return self.render(
            "indisponivel.html.j2", status=status, title=self.msg(title), message=self.msg(message)
        )

    def unknown_token(self, ip: str) -> web.Response:
        """A token that matches nothing: counted per IP; past the limit, 429."""
        wait = self.throttle.retry_after(ip)
        if wait is not None:
            log.warning("web acceptance: too many invalid links from %s", ip)
            return self.render(
                "indisponivel.html.j2",
                status=429,
                headers={"Retry-After": str(wait)},
                title=self.msg("web.too_many_title"),
                message=self.msg("web.too_many_message", minutes=max(1, (wait + 59) // 60)),
            )
        self.throttle.hit(ip)
        return self.unavailable("acceptance.token_invalid")

    async def open(self, request: web.Request, token: str) -> _Opened | _Refused:
        """The pending request behind ``token`` and its view, or the page explaining why not."""
        invalid = "acceptance.token_invalid"
        if not TOKEN_RE.match(token):
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
        today = self.clock().astimezone(self.settings.timezone).date()
        view = proposal_view(card, self.settings, acceptance.expires_at, today)
        return _Opened(acceptance.id, acceptance.action_id, view)

    async def pdf_bytes(self, opened: _Opened) -> bytes | None:
        """The proposed contract, rendered once per request and then served from memory."""
        if self.proposal_pdf is None:
            return None
        cached = self._pdfs.get(opened.request_id)
        if cached is not None:
            self._pdfs.move_to_end(opened.request_id)
            return cached
        data = bytes(await self.proposal_pdf(opened.action_id))
        data = self._pdfs.setdefault(opened.request_id, data)
        while len(self._pdfs) > self._pdf_cache_size:
            self._pdfs.popitem(last=False)
        return data

    def page(
        self, token: str, opened: _Opened, *, error: str | None = None, status: int = 200
    ) -> web.Response:
        return self.form(token, opened, accept=True, error=error, status=status)

    def decline_page(
        self, token: str, opened: _Opened, *, error: str | None = None, status: int = 200
    ) -> web.Response:
        return self.form(token, opened, accept=False, error=error, status=status)

    def form(
        self,
        token: str,
        opened: _Opened,
        *,
        accept: bool,
        error: str | None,
        status: int = 200,
        signer_form: dict[str, str] | None = None,
        staff: bool = False,
    ) -> web.Response:
        """The proposal with the accept form, or the decline confirmation; ``signer_form``: a
        company signer's fields as typed (blank, with the default role, at first); ``staff``:
        a staff member's browser, which sees the proposal without the forms."""
        pdf_href = f"{token}/contrato.pdf" if self.proposal_pdf is not None else None
        links: dict[str, Any] = (
            {"staff_preview": staff, "pdf_href": pdf_href} if accept else {"back_href": token}
        )
        return self.render(
            "aceite.html.j2" if accept else "recusar.html.j2",
            status=status,
            error=error,
            csrf=self.csrf(token),
            identity_prefix=self.ctx.identity_prefix,
            signer_form=signer_form or self.blank_signer(),
            **links,
            **opened.view,
        )

    def blank_signer(self) -> dict[str, str]:
        return {"name": "", "cpf": "", "role": self.msg("acceptance.signer.default_role")}

    def ask_again(
        self, token: str, opened: _Opened, accept: bool, error: str, form: Any = None
    ) -> web.Response:
        """The answer's form again, saying what is missing or wrong (nothing recorded); the
        signer's fields keep what was typed."""
        typed = signer_fields(form) if form is not None else None
        return self.form(token, opened, accept=accept, error=error, status=400, signer_form=typed)

    def done(
        self,
        accepted: bool,
        decided_at: datetime | None,
        sha: str | None,
        *,
        download_href: str | None = None,
        final_hrefs: tuple[str, str] | None = None,
        **state: Any,
    ) -> web.Response:
        """The answer recorded; ``final_hrefs``: (contract, amendment) once it is applied;
        ``state``: where an accepted change stands (``cancelled``, ``scheduled_on``)."""
        moment = (decided_at or self.clock()).astimezone(self.settings.timezone)
        return self.render(
            "concluido.html.j2",
            accepted=accepted,
            when=when(moment, self.settings.locale),
            document_sha256=sha or None,
            download_href=download_href,
            final_hrefs=final_hrefs,
            retention_days=self.ctx.document_retention.days,
            **state,
        )

    # ---------------------------------------------------------------- routes

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
            if opened.key == "acceptance.token_used":
                return await self.answered.page(token, opened.response)
            return opened.response
        staff = self.preview.recognises(request)
        return self.form(token, opened, accept=True, error=None, staff=staff)

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
        if self.preview.recognises(request):
            return await self.preview.refuse(request)
        opened = await self.open(request, token)
        if isinstance(opened, _Refused):
            if opened.key == "acceptance.token_used":
                return await self.answered.repeat(token, decision, form, evidence, opened.response)
            return opened.response
        if not same_form_token(form.get("csrf"), self.csrf(token)):
            return self.page(token, opened, error=self.msg("web.stale_form"), status=400)
        if decision not in ("accept", "decline"):
            return self.page(token, opened, error=self.msg("web.bad_decision"), status=400)
        accept = decision == "accept"
        if accept and not form.get("agree"):
            return self.page(token, opened, error=self.msg("web.need_agree"), status=400)
        if not accept and not form.get("confirm"):
            return self.decline_page(token, opened)
        signer = None
        if opened.view["is_pj"]:
            try:
                signer = signer_from_input(**signer_fields(form))
            except InvalidInput as err:
                error = error_text(err, self.settings.locale)
                return self.ask_again(token, opened, accept, error, form)
        typed = str(form.get("documento", "")).strip()[:40]
        if not typed:
            return self.ask_again(token, opened, accept, self.msg("web.need_document"), form)
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
                self.ctx,
                token,
                accept=accept,
                evidence=evidence,
                document_sha256=sha,
                document=data,
                typed_document=typed,
                signer=signer,
            )
        except AcceptanceUnavailable as err:
            return self.unavailable(err.key)
        except IdentityMismatch as err:
            error = error_text(err, self.settings.locale)
            return self.ask_again(token, opened, accept, error, form)
        except IdentityLocked as err:
            return self.render(
                "indisponivel.html.j2",
                status=403,
                title=self.msg("web.identity_locked_title"),
                message=error_text(err, self.settings.locale),
            )
        self._pdfs.pop(opened.request_id, None)
        decided = result.request
        return self.done(
            result.accepted,
            decided.decided_at,
            decided.document_sha256,
            download_href=f"{token}/{KEPT_PDF}" if data is not None else None,
        )


__all__ = ["WEB_TEMPLATES_DIR", "AcceptanceWeb", "ProposalPdf"]
