"""Web hygiene: client IP behind proxies, slowing down guessed tokens, headers, health, serving."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import make_mocked_request
from aiohttp.web import Response

from bot.config import Settings
from bot.services.context import ServiceContext
from bot.web import (
    RedactingAccessLogger,
    WrongTokenThrottle,
    bound_port,
    build_web_app,
    client_ip,
    start_web,
    stop_web,
)
from tests.support.clock import FakeClock
from tests.web.support import csrf_of, latest_request, pending_web_action, web_client

UNKNOWN = "/aceite/{}"


def wrong(i: int) -> str:
    return UNKNOWN.format(f"wrongtoken{i:04d}xxxxxxxxxxxxxxxxxxx")


# ------------------------------------------------------------------ client IP


@pytest.mark.parametrize(
    ("peer", "xff", "trusted", "expected"),
    [
        ("203.0.113.9", ["198.51.100.1"], (), "203.0.113.9"),  # untrusted peer: header ignored
        ("10.0.0.1", ["198.51.100.1"], ("10.0.0.0/8",), "198.51.100.1"),
        ("10.0.0.1", ["6.6.6.6, 198.51.100.1, 10.0.0.2"], ("10.0.0.0/8",), "198.51.100.1"),
        ("10.0.0.1", ["6.6.6.6", "198.51.100.1"], ("10.0.0.0/8",), "198.51.100.1"),
        ("10.0.0.1", ["10.0.0.3, 10.0.0.2"], ("10.0.0.0/8",), "10.0.0.3"),
        ("10.0.0.1", ["garbage, 10.0.0.2"], ("10.0.0.0/8",), "10.0.0.2"),
        ("10.0.0.1", [], ("10.0.0.0/8",), "10.0.0.1"),
        ("10.0.0.1", ["198.51.100.1:5123"], ("10.0.0.1",), "198.51.100.1"),
        ("10.0.0.1", ["[2001:db8::1]:443"], ("10.0.0.1",), "2001:db8::1"),
        ("::ffff:10.0.0.1", ["2001:db8::7"], ("10.0.0.1",), "2001:db8::7"),
    ],
)
def test_client_ip(peer: str, xff: list[str], trusted: tuple[str, ...], expected: str) -> None:
    assert client_ip(peer, xff, Settings(trusted_proxies=trusted)) == expected


async def _accept_with_headers(
    ctx: ServiceContext, clock: FakeClock, settings: Settings, headers: dict[str, str]
) -> str | None:
    p = await pending_web_action(ctx)
    async with web_client(ctx, clock, settings) as client:
        page = await (await client.get(f"/aceite/{p.token}", headers=headers)).text()
        resp = await client.post(
            f"/aceite/{p.token}",
            data={
                "csrf": csrf_of(page),
                "decision": "accept",
                "documento": p.document,
                "agree": "sim",
            },
            headers=headers,
        )
        assert resp.status == 200
    return (await latest_request(ctx, p.action_id)).evidence.ip


async def test_forwarded_for_from_a_trusted_proxy_is_used(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    settings = Settings(trusted_proxies=("127.0.0.1", "10.0.0.0/8"))
    headers = {"X-Forwarded-For": "6.6.6.6, 189.40.12.7, 10.1.2.3"}
    assert await _accept_with_headers(ctx, clock, settings, headers) == "189.40.12.7"


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    settings = Settings(trusted_proxies=("10.0.0.0/8",))
    headers = {"X-Forwarded-For": "189.40.12.7"}
    assert await _accept_with_headers(ctx, clock, settings, headers) == "127.0.0.1"


# ------------------------------------------------------------------ rate limit


async def test_repeated_wrong_tokens_are_slowed_down(ctx: ServiceContext, clock: FakeClock) -> None:
    p = await pending_web_action(ctx)
    settings = Settings(trusted_proxies=("127.0.0.1",))
    attacker = {"X-Forwarded-For": "198.51.100.66"}
    async with web_client(ctx, clock, settings) as client:
        for i in range(5):
            assert (await client.get(wrong(i), headers=attacker)).status == 404
            clock.advance(seconds=30)
        resp = await client.get(wrong(99), headers=attacker)
        assert resp.status == 429
        # The first miss leaves the 10-minute window 600 - 150 seconds from now.
        assert resp.headers["Retry-After"] == "450"
        assert "Muitas tentativas" in await resp.text()
        assert resp.headers["Cache-Control"] == "no-store"
        # POSTs and the PDF route count the same way.
        assert (await client.post(wrong(98), headers=attacker, data={})).status == 429
        # A correct token from the same address (CGNAT neighbour, or the typo's owner) works.
        ok = await client.get(f"/aceite/{p.token}", headers=attacker)
        assert ok.status == 200
        # Other addresses are not affected.
        other = {"X-Forwarded-For": "198.51.100.67"}
        assert (await client.get(wrong(1), headers=other)).status == 404
        # After the window slides past the first miss, one more try is answered normally.
        clock.advance(seconds=450)
        assert (await client.get(wrong(7), headers=attacker)).status == 404
        assert (await client.get(wrong(8), headers=attacker)).status == 429


async def test_used_and_expired_links_do_not_count_as_guesses(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    p = await pending_web_action(ctx)
    clock.advance(seconds=ctx.acceptance_ttl.total_seconds() + 1)
    async with web_client(ctx, clock) as client:
        for _ in range(8):
            assert (await client.get(f"/aceite/{p.token}")).status == 410


def test_wrong_token_throttle_window() -> None:
    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    limiter = WrongTokenThrottle(clock, limit=2, window=timedelta(minutes=1), max_keys=2)
    assert limiter.retry_after("a") is None
    limiter.hit("a")
    clock.advance(seconds=20)
    limiter.hit("a")
    assert limiter.retry_after("a") == 40
    clock.advance(seconds=40)
    assert limiter.retry_after("a") is None
    limiter.hit("b")
    limiter.hit("c")
    limiter.hit("d")  # the table stays bounded: the oldest key is forgotten
    assert len(limiter._hits) <= 2


# ------------------------------------------------------------------ headers, health, serving


async def test_security_headers(ctx: ServiceContext, clock: FakeClock) -> None:
    p = await pending_web_action(ctx)
    async with web_client(ctx, clock) as client:
        page = await client.get(f"/aceite/{p.token}")
        missing = await client.get("/aceite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        css = await client.get("/static/aceite.css")
        css_text = await css.text()
        page_text = await page.text()
    for resp in (page, missing):
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "no-referrer"
        assert resp.headers["X-Frame-Options"] == "DENY"
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src" not in csp and "unsafe-inline" not in csp
        assert resp.headers["Cache-Control"] == "no-store"
    assert css.status == 200 and css.content_type == "text/css"
    assert ".botao" in css_text and "@import" not in css_text and "url(" not in css_text
    assert "no-store" not in css.headers["Cache-Control"]
    assert 'href="../static/aceite.css"' in page_text


async def test_health(ctx: ServiceContext, clock: FakeClock) -> None:
    async with web_client(ctx, clock) as client:
        resp = await client.get("/health")
        assert resp.status == 200
        assert await resp.json() == {"status": "ok", "database": "ok"}


class _BrokenUow:
    async def __aenter__(self) -> Any:
        raise ConnectionRefusedError("database is down")

    async def __aexit__(self, *exc: object) -> None:
        return None


async def test_health_reports_a_broken_database(clock: FakeClock) -> None:
    ctx = ServiceContext(uow=_BrokenUow, clock=clock)  # type: ignore[arg-type]
    async with web_client(ctx, clock) as client:
        resp = await client.get("/health")
        assert resp.status == 503
        assert await resp.json() == {"status": "error", "database": "error"}


@asynccontextmanager
async def _served(ctx: ServiceContext, clock: FakeClock) -> AsyncIterator[str]:
    runner = await start_web(build_web_app(ctx, Settings(), None, clock), "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{bound_port(runner)}"
    finally:
        await stop_web(runner)


async def test_start_and_stop_a_real_server(ctx: ServiceContext, clock: FakeClock) -> None:
    p = await pending_web_action(ctx)
    async with _served(ctx, clock) as base, httpx.AsyncClient(base_url=base) as http:
        health = await http.get("/health")
        assert health.status_code == 200 and health.json()["database"] == "ok"
        page = await http.get(f"/aceite/{p.token}")
        assert page.status_code == 200
        assert "contrato.pdf" not in page.text  # no renderer configured: no PDF link
        assert (await http.get(f"/aceite/{p.token}/contrato.pdf")).status_code == 404


def test_access_log_never_contains_the_token(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.access")
    access = RedactingAccessLogger(logger, "")
    request = make_mocked_request("GET", "/aceite/SeCrEtToKeN1234567890abcdef/contrato.pdf")
    with caplog.at_level(logging.INFO, logger="test.access"):
        access.log(request, Response(status=200), 0.01)
    assert "SeCrEtToKeN" not in caplog.text
    assert "/aceite/<token>/contrato.pdf" in caplog.text


def test_access_log_skips_successful_polls_only(caplog: pytest.LogCaptureFixture) -> None:
    access = RedactingAccessLogger(logging.getLogger("test.access"), "")
    with caplog.at_level(logging.INFO, logger="test.access"):
        access.log(make_mocked_request("GET", "/health"), Response(status=200), 0.01)
        access.log(make_mocked_request("GET", "/metrics"), Response(status=200), 0.01)
        access.log(make_mocked_request("GET", "/health"), Response(status=503), 0.01)
        access.log(make_mocked_request("GET", "/metrics"), Response(status=401), 0.01)
    assert [r.getMessage().split('"')[1] for r in caplog.records] == [
        "GET /health",
        "GET /metrics",
    ]
    assert [r.getMessage().split()[-2] for r in caplog.records] == ["503", "401"]
