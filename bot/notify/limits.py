"""The outbox's share of Telegram's sending limits: the global budget and per-chat spacing.

Why here and not in PTB's rate limiter: the outbox is the only bulk sender, so it owns the
~30 messages/s budget; interactive replies go through the Application's own limiter
(:mod:`bot.notify.interactive`), which lets outbox sends straight through.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable

Monotonic = Callable[[], float]


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait before retrying after failed attempt number ``attempt`` (1-based).

    Exponential and capped, with "equal jitter" (half fixed, half random): after Telegram was
    down for a minute the retries do not all come back in the same second, yet each still waits
    at least half the nominal delay.
    """
    nominal = min(cap, base * 2.0 ** min(max(attempt - 1, 0), 60))
    return nominal / 2 + rng.uniform(0, nominal / 2)


def is_group(chat_id: int) -> bool:
    """Group and channel ids are negative in the Bot API; private chats are positive."""
    return chat_id < 0


class OutboxLimiter:
    """Telegram's sending limits, checked before every outbox message.

    A sliding log of recent sends, not a token bucket, for the global limit: a bucket holding
    ``global_rate`` tokens lets up to twice that many through across a window boundary; the log
    guarantees at most ``global_rate`` sends in *any* ``window``.

    ``slack`` is added to every interval: a request reaches Telegram a few milliseconds after we
    count it, not always with the same delay, so two sends exactly one window apart here may
    arrive slightly less than one window apart there.
    """

    def __init__(
        self,
        *,
        per_chat_interval: float = 1.0,
        group_interval: float = 3.0,
        global_rate: int = 30,
        window: float = 1.0,
        slack: float = 0.0,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        if global_rate < 1:
            raise ValueError("global_rate must be at least 1")
        self._per_chat = per_chat_interval + slack if per_chat_interval else 0.0
        self._per_group = group_interval + slack if group_interval else 0.0
        self._rate = global_rate
        self._window = window + slack
        self._monotonic = monotonic
        self._next_for_chat: dict[int, float] = {}
        self._recent: deque[float] = deque()
        self._paused_until = float("-inf")

    def wait_time(self, chat_id: int) -> float:
        """Seconds until a message to ``chat_id`` may go out (0 when it may go now)."""
        now = self._monotonic()
        self._forget_before(now - self._window)
        ready = max(self._paused_until, self._next_for_chat.get(chat_id, now))
        if len(self._recent) >= self._rate:
            ready = max(ready, self._recent[-self._rate] + self._window)
        return max(0.0, ready - now)

    def record(self, chat_id: int) -> None:
        """Count a send that is starting now (failed sends count too: Telegram saw them)."""
        now = self._monotonic()
        self._recent.append(now)
        self._forget_before(now - self._window)
        # Group chats: Telegram allows about 20 messages a minute.
        interval = self._per_group if is_group(chat_id) else self._per_chat
        self._next_for_chat[chat_id] = now + interval
        if len(self._next_for_chat) > 10_000:
            self._next_for_chat = {c: t for c, t in self._next_for_chat.items() if t > now}

    def pause(self, seconds: float, chat_id: int | None = None) -> None:
        """Hold every send (and ``chat_id``'s in particular) for ``seconds``: a flood wait."""
        until = self._monotonic() + seconds
        self._paused_until = max(self._paused_until, until)
        if chat_id is not None:
            self._next_for_chat[chat_id] = max(self._next_for_chat.get(chat_id, until), until)

    def _forget_before(self, cutoff: float) -> None:
        while self._recent and self._recent[0] <= cutoff:
            self._recent.popleft()
