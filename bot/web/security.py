"""Web hygiene for the acceptance page: who the client is, slowing down guesses, headers, forms.

- the real client IP, read from X-Forwarded-For only behind trusted proxies;
- :class:`WrongTokenThrottle`: a sliding window that slows down the guessing of tokens per IP
  (valid tokens are never slowed, so clients behind one CGNAT address are not punished for a
  neighbour);
- a form field bound to the token (:func:`form_token`), so a form cannot be posted cross-site;
- strict security headers, and ``no-store`` on every page that carries a token;
- access logs with the token redacted (it is a bearer secret).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.config import Settings

Clock = Callable[[], datetime]

# Tokens are ``secrets.token_urlsafe`` text; anything else is refused without a database trip.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
_TOKEN_IN_PATH = re.compile(r"/aceite/[^/?#]+")

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


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


def request_ip(request: web.Request, settings: Settings) -> str:
    return client_ip(request.remote, request.headers.getall("X-Forwarded-For", []), settings)


# --------------------------------------------------------------------------- wrong tokens


class WrongTokenThrottle:
    """At most ``limit`` wrong tokens per IP in a sliding ``window`` (in memory, one process).

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


# --------------------------------------------------------------------------- forms


def form_secret(settings: Settings) -> bytes:
    """Key for the form field: stable across restarts when the bot token is configured."""
    if settings.bot_token:
        key = settings.bot_token.encode()
        return hmac.new(key, b"contractbot-web-form", hashlib.sha256).digest()
    return secrets.token_bytes(32)


def form_token(secret: bytes, token: str) -> str:
    """The hidden form field that binds a posted decision to the page of this token."""
    return hmac.new(secret, b"aceite-form:" + token.encode(), hashlib.sha256).hexdigest()


def same_form_token(given: object, expected: str) -> bool:
    return hmac.compare_digest(str(given or ""), expected)


def signer_fields(form: Any) -> dict[str, str]:
    """A company signer's fields as posted, trimmed and bounded (checked by the domain)."""
    return {
        key: str(form.get(f"signer_{key}", "")).strip()[:limit]
        for key, limit in (("name", 200), ("cpf", 40), ("role", 100))
    }


# --------------------------------------------------------------------------- headers and logs


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: the headers every response carries."""
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


def redact(path: str) -> str:
    """A path fit for a log line: the acceptance token replaced by ``<token>``."""
    return _TOKEN_IN_PATH.sub("/aceite/<token>", path)


# Polled by machines (a container's HEALTHCHECK every 30 s, Prometheus every 15 s): their
# successful answers would be most of the log; a failure is still logged.
QUIET_PATHS = frozenset({"/health", "/metrics"})


class RedactingAccessLogger(AbstractAccessLogger):
    """Access log lines without the acceptance token (it is a bearer secret), and without the
    successful polls of ``/health`` and ``/metrics``."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if request.path in QUIET_PATHS and response.status < 400:
            return
        self.logger.info(
            '%s "%s %s" %s %.3fs',
            request.remote,
            request.method,
            redact(request.path),
            response.status,
            time,
        )


__all__ = [
    "CSP",
    "TOKEN_RE",
    "RedactingAccessLogger",
    "WrongTokenThrottle",
    "client_ip",
    "form_secret",
    "form_token",
    "redact",
    "request_ip",
    "same_form_token",
    "security_headers",
]
