"""The web app: built, started and stopped here, with ``/health`` and the error page.

Routes: ``/health`` (a database round trip), ``/static/aceite.css``, ``/aceite/{token}`` (GET the
page, POST the decision), ``/aceite/{token}/contrato.pdf``, the answered link's downloads
(``aceito.pdf``, ``contrato-final.pdf``, ``aditivo.pdf``, see :mod:`bot.web.answered`) and the
staff's preview ``/aceite/equipe.<signed token>`` (:mod:`bot.web.preview`); in webhook mode
:func:`bot.web.webhook.add_webhook_route` adds Telegram's door to the same app.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from html import escape
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config import Settings
from bot.i18n import t
from bot.preview_links import PREVIEW_PREFIX
from bot.services.context import ServiceContext
from bot.services.printout_data import PdfPrinter
from bot.web.answered import AMENDMENT_PDF, FINAL_CONTRACT_PDF, KEPT_PDF
from bot.web.routes import WEB_TEMPLATES_DIR, AcceptanceWeb, Clock, ProposalPdf
from bot.web.security import RedactingAccessLogger, form_secret, redact, security_headers

log = logging.getLogger(__name__)

WEB_HANDLERS = web.AppKey("acceptance_web", AcceptanceWeb)


def health(ctx: ServiceContext) -> Callable[[web.Request], Awaitable[web.Response]]:
    """``GET /health``: 200 when the database answers, 503 when it does not."""

    async def handler(request: web.Request) -> web.Response:
        try:
            async with ctx.uow() as uow:
                await uow.catalog.plan_groups()
        except Exception:
            log.exception("health check: database round trip failed")
            return web.json_response({"status": "error", "database": "error"}, status=503)
        return web.json_response({"status": "ok", "database": "ok"})

    return handler


@web.middleware
async def _errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """An unexpected failure shows a polite page, never a traceback."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("web: unhandled error on %s %s", request.method, redact(request.path))
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


def build_web_app(
    ctx: ServiceContext,
    settings: Settings,
    proposal_pdf: ProposalPdf | None = None,
    clock: Clock | None = None,
    *,
    secret: bytes | None = None,
    templates_dir: Path | None = None,
    printer: PdfPrinter | None = None,
) -> web.Application:
    """The web app: ``/health``, ``/aceite/{token}`` (GET page, POST decision), the PDF.

    ``ctx`` is the :class:`~bot.services.context.ServiceContext`; ``proposal_pdf(action_id)``
    gives the proposed contract PDF (None: no PDF link, the decision is recorded with an empty
    hash); ``clock`` drives the wrong-token throttle (default ``ctx.now``); ``printer`` renders
    the final contract and amendment an answered link offers once the change is applied (None:
    the link shows the answer only).
    """
    handlers = AcceptanceWeb(
        ctx,
        settings,
        proposal_pdf,
        clock or ctx.now,
        secret or form_secret(settings),
        templates_dir or WEB_TEMPLATES_DIR,
        printer,
    )
    app = web.Application(middlewares=[_errors])  # default 1 MiB body: the webhook shares it
    app[WEB_HANDLERS] = handlers
    app.router.add_get("/health", health(ctx))
    app.router.add_get("/static/aceite.css", handlers.stylesheet)
    # Before /aceite/{token}: a staff preview is /aceite/equipe.<signed token> ("." is never
    # in a client's token), under the same path prefix as the client's page behind a proxy.
    preview = handlers.preview
    app.router.add_get(f"/aceite/{PREVIEW_PREFIX}{{preview}}", preview.show)
    app.router.add_post(f"/aceite/{PREVIEW_PREFIX}{{preview}}", preview.refuse)
    app.router.add_get("/aceite/{token}", handlers.show)
    app.router.add_post("/aceite/{token}", handlers.decide)
    app.router.add_get("/aceite/{token}/contrato.pdf", handlers.contract_pdf)
    app.router.add_get(f"/aceite/{{token}}/{KEPT_PDF}", handlers.answered.kept_pdf)
    app.router.add_get(
        f"/aceite/{{token}}/{FINAL_CONTRACT_PDF}", handlers.answered.final_contract_pdf
    )
    app.router.add_get(f"/aceite/{{token}}/{AMENDMENT_PDF}", handlers.answered.amendment_pdf)

    app.on_response_prepare.append(security_headers)
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


__all__ = ["WEB_HANDLERS", "bound_port", "build_web_app", "health", "start_web", "stop_web"]
