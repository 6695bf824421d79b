"""An answered link, opened again: the answer, the exact PDF answered and, once the change is
applied, the final contract and the amendment ("concluído").

Everything here lasts as long as the answered document is kept (the retention period); after
that the page says the copies are gone. Nothing here can change a decision.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.domain.errors import DomainError
from bot.domain.models import AcceptanceStatus, ActionStatus, Evidence
from bot.services import printouts
from bot.services.acceptance import AcceptanceUnavailable, decide_by_token
from bot.services.client_documents import Concluded, concluded_by_token, kept_document
from bot.services.printout_data import PdfPrinter
from bot.web.security import TOKEN_RE, same_form_token

if TYPE_CHECKING:
    from bot.web.routes import AcceptanceWeb

log = logging.getLogger(__name__)

KEPT_PDF = "aceito.pdf"
FINAL_CONTRACT_PDF = "contrato-final.pdf"
AMENDMENT_PDF = "aditivo.pdf"


class AnsweredPages:
    """The answered link's page and downloads; ``printer`` renders the final documents."""

    def __init__(self, site: AcceptanceWeb, printer: PdfPrinter | None) -> None:
        self.site = site
        self.printer = printer

    async def page(self, token: str, refusal: web.Response) -> web.Response:
        """The answer again, with the kept document; "concluído" with the final documents once
        applied; the "copies are gone" page after the retention period."""
        site = self.site
        try:
            concluded = await concluded_by_token(site.ctx, token)
            decided, _data = await kept_document(site.ctx, token)
        except AcceptanceUnavailable as err:
            if err.key == "acceptance.document_gone":
                return site.unavailable(err.key)
            return refusal
        final = concluded is not None and concluded.applied and self.printer is not None
        state = concluded.status if concluded is not None else None
        scheduled = (
            concluded.effective_on if concluded and state is ActionStatus.SCHEDULED else None
        )
        return site.done(
            decided.status is AcceptanceStatus.ACCEPTED,
            decided.decided_at,
            decided.document_sha256,
            download_href=f"{token}/{KEPT_PDF}",
            final_hrefs=(
                (f"{token}/{FINAL_CONTRACT_PDF}", f"{token}/{AMENDMENT_PDF}") if final else None
            ),
            cancelled=state is ActionStatus.CANCELLED,
            scheduled_on=f"{scheduled:%d/%m/%Y}" if scheduled else None,
        )

    async def repeat(
        self, token: str, decision: str, form: Any, evidence: Evidence, refusal: web.Response
    ) -> web.Response:
        """A reloaded thank-you page re-posts the form: the same answer is shown again."""
        site = self.site
        if decision not in ("accept", "decline"):
            return refusal
        if not same_form_token(form.get("csrf"), site.csrf(token)):
            return refusal
        try:
            # The request is decided (token_used), so nothing can be written: decide_by_token
            # only reports a decision this same person already made, else refuses.
            result = await decide_by_token(
                site.ctx, token, accept=decision == "accept", evidence=evidence, document_sha256=""
            )
        except DomainError:
            return refusal
        if not result.already:  # pragma: no cover - cannot happen for a non-pending request
            return refusal
        decided = result.request
        return site.done(
            result.accepted,
            decided.decided_at,
            decided.document_sha256,
            download_href=f"{token}/{KEPT_PDF}" if decided.document_sha256 else None,
        )

    async def kept_pdf(self, request: web.Request) -> web.Response:
        """The exact PDF the client answered (same bytes, same SHA-256), while it is kept."""
        site = self.site
        token = request.match_info["token"]
        if not TOKEN_RE.match(token):
            return site.unknown_token(site.ip(request))
        try:
            decided, data = await kept_document(site.ctx, token)
        except AcceptanceUnavailable as err:
            if err.key == "acceptance.token_invalid":
                return site.unknown_token(site.ip(request))
            return site.unavailable(err.key)
        return _pdf(data, site.msg("web.kept_filename", request=decided.id))

    async def final_contract_pdf(self, request: web.Request) -> web.Response:
        """The contract as the applied change left it."""
        return await self._final(
            request, printouts.final_contract_printout, lambda p, doc: p.contract_pdf(doc)
        )

    async def amendment_pdf(self, request: web.Request) -> web.Response:
        """The termo aditivo of the applied change, with the acceptance evidence."""
        return await self._final(
            request, printouts.amendment_printout, lambda p, doc: p.amendment_pdf(doc)
        )

    async def _final(
        self,
        request: web.Request,
        load: Callable[[Any, int], Awaitable[Any]],
        render: Callable[[PdfPrinter, Any], Awaitable[bytes]],
    ) -> web.Response:
        concluded = await self._concluded(request)
        if not isinstance(concluded, Concluded):
            return concluded
        assert self.printer is not None
        try:
            doc = await load(self.site.ctx, concluded.action_id)
            data = await render(self.printer, doc)
        except Exception:
            log.exception("web acceptance: rendering a final document failed")
            return self.site.document_failed()
        return _pdf(data, self.printer.filename(doc))

    async def _concluded(self, request: web.Request) -> Concluded | web.Response:
        site = self.site
        token = request.match_info["token"]
        if not TOKEN_RE.match(token):
            return site.unknown_token(site.ip(request))
        try:
            concluded = await concluded_by_token(site.ctx, token)
        except AcceptanceUnavailable as err:
            if err.key == "acceptance.token_invalid":
                return site.unknown_token(site.ip(request))
            return site.unavailable(err.key)
        if concluded is None or not concluded.applied or self.printer is None:
            return site.unavailable("acceptance.not_concluded")
        return concluded


def _pdf(data: bytes, filename: str) -> web.Response:
    return web.Response(
        body=bytes(data),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


__all__ = ["AMENDMENT_PDF", "FINAL_CONTRACT_PDF", "KEPT_PDF", "AnsweredPages"]
