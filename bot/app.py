"""The one place that knows every concrete class: settings → engine → units of work → services
→ the Telegram application and the web app."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import signal
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import BotCommand, Update
from telegram.ext import Application, BaseHandler, ContextTypes
from telegram.request import BaseRequest

from bot.config import Settings
from bot.i18n import t
from bot.jobs import schedule_background
from bot.metrics import METRICS
from bot.notify import InteractiveRateLimiter
from bot.pdf import PdfRenderer
from bot.services import printouts
from bot.services.context import ServiceContext
from bot.standby import (
    CHECK_SECONDS,
    InstanceLock,
    Standing,
    instance_lock,
    report_role,
    wait_for_turn,
    watch,
)
from bot.telemetry import database_refresh, expose_metrics, instrument_handlers
from bot.web import ProposalPdf
from bot.web.webhook import WEBHOOK_PATH
from storage.db import create_engine, session_factory
from storage.uow import uow_factory

log = logging.getLogger(__name__)

COMMANDS = ["start", "clientes", "pendentes", "atendimentos", "ajuda", "cancelar", "idioma"]


@dataclass
class Core:
    """What the CLI, the bot and the web app share: the engine and the service context."""

    settings: Settings
    engine: AsyncEngine
    ctx: ServiceContext
    background: set[asyncio.Task[None]] = field(default_factory=set)  # kept alive while running

    async def close(self) -> None:
        await self.engine.dispose()


def build_core(settings: Settings) -> Core:
    engine = create_engine(settings.database_url)
    ctx = ServiceContext(
        uow=uow_factory(session_factory(engine)),
        timezone=settings.timezone,
        acceptance_ttl=settings.acceptance_ttl,
        document_retention=settings.document_retention,
        identity_prefix=settings.identity_prefix,
        network_enabled=settings.radius.enabled,
        effective_defaults=settings.effective_defaults,
        discount=settings.discount,
    )
    return Core(settings, engine, ctx)


def build_pdf_renderer(settings: Settings) -> PdfRenderer:
    """The PDF renderer the chat and the web page share (one worker thread, one cache)."""
    return PdfRenderer.for_settings(settings)


def build_application(
    core: Core,
    *,
    rate_limit: bool = True,
    request: BaseRequest | None = None,
    pdf: PdfRenderer | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Telegram application: gate, flows, persistence in our database, rate limiting.

    Rate limiting here is for interactive replies only (Telegram's per-chat limits, see
    :mod:`bot.notify.interactive`); notifications are paced and retried by the outbox.
    ``request`` replaces the HTTP client (the benchmark's in-process Bot API); ``pdf`` is the
    renderer to share with the web page (default: a new one)."""
    from bot.render import MessageRenderer
    from conversations import (
        acceptance,
        actions,
        approval,
        base,
        clients,
        documents,
        gate,
        menu,
        network,
        pending_list,
        plan_update,
        reports,
        staff_admin,
        tickets,
    )
    from conversations.persistence import DbPersistence
    from storage.bot_state import BotStateStore
    from storage.exports import export_reader_factory

    settings = core.settings
    assert settings.bot_token, "TELEGRAM_BOT_TOKEN is required"
    builder = (
        Application.builder()
        .token(settings.bot_token)
        .base_url(settings.bot_base_url)
        .base_file_url(settings.bot_file_url)
        .persistence(DbPersistence(BotStateStore(session_factory(core.engine)), core.ctx.clock))
        .context_types(ContextTypes(context=base.BotContext))
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if rate_limit:
        # The builder's stub is typed for limiters without rate_limit_args.
        builder = builder.rate_limiter(InteractiveRateLimiter())  # type: ignore[arg-type]
    app = builder.build()
    app.bot_data["app"] = base.AppServices(
        settings=settings,
        ctx=core.ctx,
        renderer=MessageRenderer(settings.timezone, clock=core.ctx.clock),
        pdf=pdf if pdf is not None else build_pdf_renderer(settings),
    )
    for group, gate_handler in enumerate(gate.build(), start=-2):
        app.add_handler(gate_handler, group=group)
    for handler in [
        clients.build(),
        actions.build(),
        plan_update.build(),
        *acceptance.handlers(),
        staff_admin.build(),
        tickets.build(),
        *tickets.handlers(),
        *staff_admin.handlers(),
        *menu.handlers(),
        *clients.handlers(),
        *actions.handlers(),
        *approval.handlers(),
        *pending_list.handlers(),
        *documents.handlers(),
        *plan_update.handlers(),
        *network.handlers(),
        *reports.handlers(export_reader_factory(core.engine)),
        *menu.fallback_handlers(),
        clients.free_text_handler(),
    ]:
        app.add_handler(handler)
    app.add_handler(_stale_button_handler())
    app.add_error_handler(base.on_error)
    instrument_handlers(app, METRICS)
    return app


def _stale_button_handler() -> BaseHandler[Update, Any, Any]:
    from telegram.ext import CallbackQueryHandler

    from conversations.base import expired

    return CallbackQueryHandler(expired)  # anything no other handler understood


async def prepare(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Learn our username (for deep links) and register the command menu in both languages."""
    services = app.bot_data["app"]
    services.bot_username = app.bot.username or ""
    for locale, language in (("pt_BR", None), ("en", "en")):
        commands = [BotCommand(c, t(f"commands.{c}", locale)) for c in COMMANDS]
        await app.bot.set_my_commands(commands, language_code=language)


async def run(settings: Settings, *, webhook: bool = False) -> int:
    """``contractbot run``: serve the web app at once; become the active instance when no
    other one is (see :mod:`bot.standby`), then migrate and start the bot (polling or
    webhook) and its background work; stop cleanly on Ctrl-C or SIGTERM. Returns 1 when the
    active-instance lock was lost, so a supervisor restarts the process as a standby."""
    from bot.web import add_webhook_route, build_web_app, start_web, stop_web

    if webhook and not settings.webhook_secret:
        # Without a secret anyone could post forged updates as any staff member.
        settings = replace(settings, webhook_secret=secrets.token_urlsafe(32))
    core = build_core(settings)
    stop = asyncio.Event()
    _on_signals(stop)
    lock = instance_lock(settings.database_url)
    standing = Standing()
    pdf = build_pdf_renderer(settings)
    web_app = build_web_app(core.ctx, settings, _proposed_pdf(core, pdf), printer=pdf)
    web_app.middlewares.append(report_role(standing))
    # Built now (no I/O), initialized only when active: its persistence is loaded then.
    app = build_application(core, pdf=pdf)
    if webhook:
        add_webhook_route(web_app, app, settings, accepting=lambda: app.running)
    refresh = database_refresh(core.engine, core.ctx, METRICS)
    metrics_app = expose_metrics(web_app, settings, METRICS, refresh)
    runner = metrics_runner = None
    try:
        runner = await start_web(web_app, settings.web_host, settings.web_port)
        if metrics_app is not None and settings.metrics_port:
            metrics_runner = await start_web(
                metrics_app, settings.metrics_host, settings.metrics_port
            )
        standby = functools.partial(print, t("run.standby", settings.locale), flush=True)
        if not await wait_for_turn(lock, stop, standby):
            return 0
        print(t("run.active", settings.locale), flush=True)
        standing.active = True
        return await _run_active(core, app, webhook, stop, lock)
    finally:
        standing.active = False
        if metrics_runner is not None:
            await stop_web(metrics_runner)
        if runner is not None:
            await stop_web(runner)
        pdf.close()
        await lock.release()
        await core.close()


async def _run_active(
    core: Core,
    app: Application[Any, Any, Any, Any, Any, Any],
    webhook: bool,
    stop: asyncio.Event,
    lock: InstanceLock,
) -> int:
    """The active instance: migrations, admins, the Telegram application and everything that
    runs by time. Only one process in the deployment ever gets here at a time."""
    from bot.services import staff as staff_service
    from storage.db import migrate

    await migrate(core.engine, "upgrade", "head")
    await staff_service.ensure_admins(core.ctx, core.settings.admins)
    lost = asyncio.Event()

    async def lose() -> None:
        print(t("run.lost_lock", core.settings.locale), flush=True)
        lost.set()
        stop.set()

    watcher = asyncio.create_task(watch(lock, lose, CHECK_SECONDS), name="active-lock-watch")
    try:
        async with app:
            await prepare(app)
            await _announce_claim(core, app.bot.username or "")
            await _serve(app, core, webhook, stop)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    return 1 if lost.is_set() else 0


async def _serve(
    app: Application[Any, Any, Any, Any, Any, Any],
    core: Core,
    webhook: bool,
    stop: asyncio.Event,
) -> None:
    """Start the bot and its background work, wait for the stop signal, and stop in the
    reverse order: first the doors updates come in by (webhook, polling), then the outbox
    and the application."""
    settings = core.settings
    await app.start()
    outbox_stop = asyncio.Event()
    outbox: asyncio.Task[None] | None = None
    try:
        outbox = schedule_background(app, core, outbox_stop)
        if webhook:
            await app.bot.set_webhook(
                f"{settings.public_url}{WEBHOOK_PATH}",
                secret_token=settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            assert app.updater is not None
            await app.updater.start_polling(
                allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=10
            )
        mode = "webhook" if webhook else "polling"
        print(
            t(
                "run.started",
                settings.locale,
                username=app.bot.username,
                mode=mode,
                port=settings.web_port,
            ),
            flush=True,
        )
        await stop.wait()
        print(t("run.stopping", settings.locale), flush=True)
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        outbox_stop.set()
        if outbox is not None:
            await outbox  # lets the sends in flight finish and record their outcome
        await asyncio.gather(*core.background)  # the network job in flight records its outcome
        await app.stop()


def _proposed_pdf(core: Core, pdf: PdfRenderer) -> ProposalPdf:
    """What the web page serves as ``contrato.pdf``: the contract the action proposes."""

    async def proposal_pdf(action_id: int) -> bytes:
        printout = await printouts.proposed_contract_printout(core.ctx, action_id)
        return bytes(await pdf.contract_pdf(printout))

    return proposal_pdf


def _on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)


async def _announce_claim(core: Core, username: str) -> None:
    """With no admin yet, print a one-time link; the first user to open it becomes admin."""
    from bot.services import staff as staff_service

    code = await staff_service.open_admin_claim(core.ctx)
    if code is not None:
        link = f"https://t.me/{username}?start=claim_{code}"
        print(t("run.claim", core.settings.locale, link=link), flush=True)
