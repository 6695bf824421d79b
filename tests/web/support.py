"""Helpers for the web acceptance tests: a running app, a pending action, page scraping."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.domain.documents import PersonKind
from bot.domain.models import AcceptanceRequest
from bot.services.context import ServiceContext
from bot.services.plan_update import Created, create_plan_update
from bot.web import build_web_app
from tests.support.builders import World, plan_change, world
from tests.support.clock import FakeClock

PHONE_UA = "Mozilla/5.0 (Linux; Android 14; Moto G) TestPhone/1.0"


def fake_pdf(action_id: int) -> bytes:
    return b"%PDF-1.7\n% contrato proposto para a acao " + str(action_id).encode() + b"\n%%EOF\n"


async def fake_document(action_id: int) -> bytes:
    return fake_pdf(action_id)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Pending:
    world: World
    created: Created
    document: str = ""  # the client's CPF/CNPJ, as they type it before answering

    @property
    def token(self) -> str:
        assert self.created.token is not None
        return self.created.token

    @property
    def action_id(self) -> int:
        return self.created.action.id


async def pending_web_action(
    ctx: ServiceContext, kind: PersonKind = PersonKind.PF, **change_options: object
) -> Pending:
    w = await world(ctx, kind)
    change = await plan_change(ctx, w.contract, **change_options)  # type: ignore[arg-type]
    created = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
    assert created.token
    async with ctx.uow() as uow:
        client = await uow.clients.get(w.contract.client_id)
    assert client is not None
    return Pending(w, created, client.document)


@asynccontextmanager
async def web_client(
    ctx: ServiceContext,
    clock: FakeClock,
    settings: Settings | None = None,
    document: object = fake_document,
    printer: object = None,
) -> AsyncIterator[TestClient]:
    app = build_web_app(
        ctx,
        settings or Settings(),
        document,  # type: ignore[arg-type]
        clock,
        printer=printer,  # type: ignore[arg-type]
    )
    client = TestClient(TestServer(app, host="127.0.0.1"), headers={"User-Agent": PHONE_UA})
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "the page has no form field"
    return match.group(1)


def text_of(page: str) -> str:
    """What a person reads: tags dropped, entities decoded, whitespace collapsed (a
    non-breaking space stays one: it is what keeps "R$" with its amount)."""
    inline = re.sub(r"</?(?:strong|em|span|a|code)\b[^>]*>", "", page)
    no_tags = re.sub(r"<[^>]+>", " ", inline)
    return re.sub(r"[ \t\r\n\f\v]+", " ", html.unescape(no_tags)).strip()


async def latest_request(ctx: ServiceContext, action_id: int) -> AcceptanceRequest:
    async with ctx.uow() as uow:
        request = await uow.acceptances.latest_for_action(action_id)
    assert request is not None
    return request
