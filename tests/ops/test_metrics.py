"""``/metrics``: Prometheus' format (parsed with prometheus_client's own parser), the
database figures, and where it is exposed (nowhere by default)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.domain.documents import PersonKind
from bot.domain.models import Evidence
from bot.domain.signer import Signer
from bot.domain.tokens import sha256_hex
from bot.metrics import Metrics
from bot.services.acceptance import decide_by_token
from bot.services.context import ServiceContext
from bot.services.plan_update import create_plan_update
from bot.telemetry import database_refresh, expose_metrics
from bot.web import build_web_app
from tests.support.builders import plan_change, world
from tests.support.clock import FakeClock

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@asynccontextmanager
async def client_for(app: web.Application) -> AsyncIterator[TestClient]:
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def test_metrics_report_the_database_figures(
    ctx: ServiceContext, engine: AsyncEngine, clock: FakeClock
) -> None:
    pf, pj = await world(ctx), await world(ctx, PersonKind.PJ)
    waiting = await create_plan_update(
        ctx, pf.operator.id, pf.contract.id, await plan_change(ctx, pf.contract)
    )
    answered = await create_plan_update(
        ctx, pj.operator.id, pj.contract.id, await plan_change(ctx, pj.contract)
    )
    assert waiting.token and answered.token
    await decide_by_token(
        ctx,
        answered.token,
        accept=True,
        evidence=Evidence(ip="200.150.10.20", user_agent="Phone"),
        document_sha256=sha256_hex(b"contrato"),
        signer=Signer("Maria Clara Souza", "52998224725", "representante legal"),  # a company
    )  # the owner is told: one notification waits in the outbox
    clock.advance(minutes=10)
    metrics = Metrics()
    separate = expose_metrics(
        web.Application(),
        Settings(metrics_port=9464),
        metrics,
        database_refresh(engine, ctx, metrics),
    )
    assert separate is not None

    async with client_for(separate) as client:
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        samples = parse(await response.text())

    assert samples[("contractbot_pending_actions", (("blocker", "acceptance_pending"),))] == 1
    assert samples[("contractbot_pending_actions", (("blocker", "ticket_not_closed"),))] == 2
    assert ("contractbot_pending_actions", (("blocker", "ready"),)) not in samples
    web_labels = (("channel", "web"), ("outcome", "accepted"))
    assert samples[("contractbot_acceptances", web_labels)] == 1
    pending_labels = (("channel", "web"), ("outcome", "pending"))
    assert samples[("contractbot_acceptances", pending_labels)] == 1
    assert samples[("contractbot_outbox_pending", ())] == 1
    assert samples[("contractbot_outbox_oldest_age_seconds", ())] == 600
    assert samples[("contractbot_metrics_database_errors_total", ())] == 0


async def test_no_metrics_anywhere_by_default(ctx: ServiceContext, engine: AsyncEngine) -> None:
    web_app = build_web_app(ctx, Settings())
    metrics = Metrics()
    assert (
        expose_metrics(web_app, Settings(), metrics, database_refresh(engine, ctx, metrics)) is None
    )
    async with client_for(web_app) as client:
        assert (await client.get("/metrics")).status == 404


async def test_metrics_on_the_public_app_need_the_token(
    ctx: ServiceContext, engine: AsyncEngine
) -> None:
    settings = Settings(metrics_token="m3tr1cs-t0ken")
    web_app = build_web_app(ctx, settings)
    metrics = Metrics()
    assert (
        expose_metrics(web_app, settings, metrics, database_refresh(engine, ctx, metrics)) is None
    )
    async with client_for(web_app) as client:
        assert (await client.get("/metrics")).status == 401
        wrong = {"Authorization": "Bearer nope"}
        assert (await client.get("/metrics", headers=wrong)).status == 401
        right = {"Authorization": "Bearer m3tr1cs-t0ken"}
        response = await client.get("/metrics", headers=right)
        assert response.status == 200
        names = {f.name for f in text_string_to_metric_families(await response.text())}
    assert {
        "contractbot_updates_handled",
        "contractbot_handler_seconds",
        "contractbot_notifications_delivered",
        "contractbot_notifications_failed",
        "contractbot_pdf_render_seconds",
        "contractbot_outbox_pending",
        "contractbot_outbox_oldest_age_seconds",
        "contractbot_acceptances",
        "contractbot_pending_actions",
    } <= names


async def test_a_database_that_fails_still_gives_the_process_figures() -> None:
    metrics = Metrics()
    metrics.updates.labels("menu", "ok").inc()

    async def broken() -> None:
        raise OSError("database is down")

    app = expose_metrics(web.Application(), Settings(metrics_port=9464), metrics, broken)
    assert app is not None
    async with client_for(app) as client:
        response = await client.get("/metrics")
        assert response.status == 200
        samples = parse(await response.text())
    assert (
        samples[("contractbot_updates_handled_total", (("flow", "menu"), ("outcome", "ok")))] == 1
    )
    assert samples[("contractbot_metrics_database_errors_total", ())] == 1
