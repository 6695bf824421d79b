"""Outbox dispatcher: turns pending ``notifications`` rows into Telegram messages.

Why an outbox: services write the row in the same transaction as the change (see
``bot.services.outbox``), so a rolled-back change tells no one and a committed one is never
forgotten. This module delivers those rows later, outside any transaction, with retries and
Telegram's rate limits.

Guarantees and their limits:

* State lives only in the database. A row stays ``pending`` until it is marked ``sent`` or
  ``failed``, so a restarted bot (a new :class:`Dispatcher`) continues with whatever is pending.
* Each row is marked sent in its own short transaction right after Telegram accepted it, so a
  later failure in the batch cannot undo that. Two edges stay *at-least-once*, because the Bot
  API has no idempotency key:

  - the process dies between a successful ``sendMessage`` and ``mark_sent``: the row is still
    pending and is sent again after the restart;
  - a read timeout (``TimedOut``): Telegram may have delivered the message before the answer
    got lost. We retry, as the issue asks, which sends a second copy in that case. The other
    choice (treating a timeout as sent) would lose messages that never arrived.

  Inside one process, a notification whose send succeeded but whose ``mark_sent`` failed (the
  database was briefly unreachable) is remembered and not sent again.
* Runs of one dispatcher never overlap (a lock; a run that finds it taken returns at once).
  Across processes, each row is claimed just before it is sent with the repository's
  ``claim`` (a conditional UPDATE that moves ``next_attempt_at`` past a lease), so two
  dispatchers never send the same row.
* Telegram's limits are enforced here, independently of PTB's ``AIORateLimiter``: one message
  a second per chat (one every 3 s per group), at most 30 in any one-second window overall,
  and a pause for everyone after a 429 ``retry_after``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import Enum
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import CallbackContext, Job, JobQueue
from telegram.warnings import PTBDeprecationWarning

from bot.domain.models import Notification
from bot.services.context import ServiceContext

log = logging.getLogger(__name__)

# Waits shorter than this count as "now": clocks are not infinitely precise, and a sleep may
# wake a hair early.
_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One Telegram message a notification turns into: HTML text and an optional keyboard."""

    chat_id: int
    text: str
    reply_markup: InlineKeyboardMarkup | None = None


Compose = Callable[[Notification], Awaitable[list[OutgoingMessage]]]
Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait before retrying after failed attempt number ``attempt`` (1-based).

    Exponential and capped, with "equal jitter" (half fixed, half random): after Telegram was
    down for a minute the retries do not all come back in the same second, yet each still waits
    at least half the nominal delay.
    """
    nominal = min(cap, base * 2.0 ** min(max(attempt - 1, 0), 60))
    return nominal / 2 + rng.uniform(0, nominal / 2)


class RateLimiter:
    """Telegram's sending limits, checked before every message.

    A sliding log of recent sends, not a token bucket, for the global limit: a bucket holding
    ``global_rate`` tokens lets up to twice that many through across a window boundary; the log
    guarantees at most ``global_rate`` sends in *any* ``window``.
    """

    def __init__(
        self,
        *,
        per_chat_interval: float = 1.0,
        group_interval: float = 3.0,
        global_rate: int = 30,
        window: float = 1.0,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        if global_rate < 1:
            raise ValueError("global_rate must be at least 1")
        self._per_chat = per_chat_interval
        self._per_group = group_interval
        self._rate = global_rate
        self._window = window
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
        interval = self._per_group if chat_id < 0 else self._per_chat
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


class _Verdict(Enum):
    DELIVERED = "delivered"
    REJECTED = "rejected"  # permanent: blocked, chat not found, bad HTML
    RETRY = "retry"  # transient: network, timeout, 5xx
    FLOOD = "flood"  # 429: come back after retry_after


@dataclass(frozen=True, slots=True)
class _SendResult:
    verdict: _Verdict
    error: str = ""
    retry_after: float = 0.0


@dataclass
class _Progress:
    """How far one notification got in this process; survives a failed DB write, not a restart.

    ``next_index`` is the next message of compose's list to send, so a retry does not repeat the
    messages that already went out (e.g. the owner got it, the staff group hit a 500).
    """

    next_index: int = 0
    delivered: int = 0
    errors: list[str] = field(default_factory=list)


class Dispatcher:
    """Delivers due outbox rows: compose → rate limit → send → record the outcome."""

    def __init__(
        self,
        ctx: ServiceContext,
        bot: Bot,
        compose: Compose,
        *,
        batch_size: int = 50,
        max_attempts: int = 8,
        backoff_base: float = 5.0,
        backoff_cap: float = 900.0,
        per_chat_interval: float = 1.0,
        group_interval: float = 3.0,
        global_rate: int = 30,
        max_wait: float = 5.0,
        lease: float = 120.0,
        rng: random.Random | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        """``max_wait``: a run sleeps through rate-limit waits up to this long, then stops and
        leaves the rest pending for the next run (a long flood wait must not pin the job).
        ``lease``: how long a claimed row is hidden from other dispatchers (repository
        ``claim`` only); longer than one send with its timeouts."""
        self._ctx = ctx
        self._bot = bot
        self._compose = compose
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._max_wait = max_wait
        self._lease = timedelta(seconds=lease)
        self._rng = rng or random.Random()
        self._sleep = sleep
        self.limiter = RateLimiter(
            per_chat_interval=per_chat_interval,
            group_interval=group_interval,
            global_rate=global_rate,
            monotonic=monotonic,
        )
        self._lock = asyncio.Lock()
        self._progress: dict[int, _Progress] = {}
        self._unrecorded: dict[int, Notification] = {}  # sent, but the outcome write failed
        self._stop: asyncio.Event | None = None
        self._backlog = False

    # ------------------------------------------------------------------ entry points

    async def run_once(self) -> int:
        """Deliver what is due now; return how many notifications were marked sent.

        Returns 0 at once when another run of this dispatcher is still going. Database errors
        propagate (the caller logs them and tries again later); Telegram errors do not.
        """
        if self._lock.locked():
            return 0
        async with self._lock:
            return await self._run_batch()

    async def run_forever(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        """Deliver until ``stop`` is set: again at once while a full batch was due, else after
        ``interval``. A failing run (database down) is logged and retried, never fatal."""
        self._stop = stop
        try:
            while not stop.is_set():
                backlog = False
                try:
                    await self.run_once()
                    backlog = self._backlog
                except Exception:
                    log.exception("notification dispatcher: run failed; retry in %.1fs", interval)
                if backlog:
                    await asyncio.sleep(0)
                else:
                    await self._idle(stop, interval)
        finally:
            self._stop = None

    def schedule(self, job_queue: JobQueue[Any], interval: float = 2.0) -> Job[Any]:
        """Run :meth:`run_once` every ``interval`` seconds on PTB's JobQueue, first run now.

        ``max_instances=2``: a tick that fires while a long run is still going finds the lock
        taken and returns at once, instead of APScheduler warning about a skipped run.
        """

        async def tick(_: CallbackContext[Any, Any, Any, Any]) -> None:
            try:
                await self.run_once()
            except Exception:
                log.exception("notification dispatcher: scheduled run failed")

        return job_queue.run_repeating(
            tick,
            interval=interval,
            first=0.0,
            name="notification-outbox",
            job_kwargs={"max_instances": 2, "coalesce": True},
        )

    # ------------------------------------------------------------------ one run

    async def _run_batch(self) -> int:
        sent = await self._record_leftovers()
        async with self._ctx.uow() as uow:
            queue = await uow.notifications.due(self._ctx.now(), self._batch_size)
        self._backlog = len(queue) >= self._batch_size
        while queue:
            if self._stop is not None and self._stop.is_set():
                break
            index, wait = self._soonest(queue)
            if wait > self._max_wait:
                self._backlog = False  # flood wait: let the caller idle, rows stay pending
                break
            if await self._process(queue.pop(index)):
                sent += 1
        return sent

    async def _record_leftovers(self) -> int:
        """Record outcomes whose database write failed last run, before sending anything new:
        the row is still claimed by us, so it would not come back as due until the lease ends."""
        recorded = 0
        for n in list(self._unrecorded.values()):
            if await self._finish(n, self._progress[n.id]):
                recorded += 1
        return recorded

    def _soonest(self, queue: list[Notification]) -> tuple[int, float]:
        """The first row (in due order) whose chat may be written to now, else the least wait.

        Why: five rows for one chat must not hold up the sixth for another chat by five seconds.
        Rows of the same chat keep their order.
        """
        best, best_wait = 0, float("inf")
        waits: dict[int, float] = {}  # one reading per chat: a later reading is a bit smaller
        for index, notification in enumerate(queue):
            chat_id = notification.chat_id
            if chat_id not in waits:
                waits[chat_id] = self.limiter.wait_time(chat_id)
            wait = waits[chat_id]
            if wait <= _EPSILON:
                return index, 0.0
            if wait < best_wait:
                best, best_wait = index, wait
        return best, best_wait

    async def _process(self, n: Notification) -> bool:
        """Claim, compose, send each message, record the outcome; True when marked sent."""
        if not await self._claim(n):
            return False
        progress = self._progress.setdefault(n.id, _Progress())
        try:
            messages = await self._compose(n)
        except Exception as exc:
            # One row that cannot be rendered must not block the rest of the outbox.
            log.exception("notification %s (%s): compose failed", n.id, n.kind)
            return await self._retry_or_give_up(n, progress, f"compose failed: {exc!r}")
        if not messages and progress.delivered == 0:
            log.info("notification %s (%s): nothing to send, dropped", n.id, n.kind)
            progress.errors.append("dropped: nothing to send")
        while progress.next_index < len(messages):
            result = await self._send(n, messages[progress.next_index])
            if result.verdict is _Verdict.DELIVERED:
                progress.delivered += 1
                progress.next_index += 1
            elif result.verdict is _Verdict.REJECTED:
                progress.errors.append(result.error)
                progress.next_index += 1
            elif result.verdict is _Verdict.FLOOD:
                # Not the notification's fault: no give-up, just come back when Telegram says.
                await self._mark_retry(n, result.retry_after, result.error)
                return False
            else:
                return await self._retry_or_give_up(n, progress, result.error)
        return await self._finish(n, progress)

    async def _claim(self, n: Notification) -> bool:
        """Make sure no other dispatcher is sending ``n`` (see the module docstring)."""
        now = self._ctx.now()
        async with self._ctx.uow() as uow:
            won = await uow.notifications.claim(n.id, now=now, lease_until=now + self._lease)
            await uow.commit()
        return won

    async def _send(self, n: Notification, msg: OutgoingMessage, *, hop: int = 0) -> _SendResult:
        """One ``sendMessage`` within the rate limits, its error sorted into a verdict."""
        while (wait := self.limiter.wait_time(msg.chat_id)) > _EPSILON:
            await self._sleep(wait)
        self.limiter.record(msg.chat_id)
        try:
            await self._bot.send_message(
                chat_id=msg.chat_id,
                text=msg.text,
                parse_mode=ParseMode.HTML,
                reply_markup=msg.reply_markup,
            )
        except RetryAfter as err:
            seconds = _retry_after_seconds(err)
            self.limiter.pause(seconds, msg.chat_id)
            log.warning(
                "Telegram flood control: pausing sends for %.0fs (notification %s, chat %s)",
                seconds,
                n.id,
                msg.chat_id,
            )
            return _SendResult(_Verdict.FLOOD, _describe(err), seconds)
        except ChatMigrated as err:
            if hop:
                return _SendResult(_Verdict.REJECTED, _describe(err))
            log.warning(
                "notification %s: chat %s is now supergroup %s; update the configured chat id",
                n.id,
                msg.chat_id,
                err.new_chat_id,
            )
            return await self._send(n, replace(msg, chat_id=err.new_chat_id), hop=1)
        except Forbidden as err:
            log.warning(
                "notification %s: chat %s cannot receive messages (%s); marked failed",
                n.id,
                msg.chat_id,
                err.message,
            )
            return _SendResult(_Verdict.REJECTED, _describe(err))
        except BadRequest as err:
            log.warning(
                "notification %s: Telegram rejected the message to chat %s (%s); marked failed",
                n.id,
                msg.chat_id,
                err.message,
            )
            return _SendResult(_Verdict.REJECTED, _describe(err))
        except (TimedOut, NetworkError) as err:  # 5xx arrive as NetworkError too
            log.info("notification %s: chat %s: %s; will retry", n.id, msg.chat_id, err.message)
            return _SendResult(_Verdict.RETRY, _describe(err))
        except TelegramError as err:  # InvalidToken, Conflict…: configuration, not the message
            log.warning("notification %s: chat %s: %s; will retry", n.id, msg.chat_id, err)
            return _SendResult(_Verdict.RETRY, _describe(err))
        except Exception as err:
            log.exception("notification %s: unexpected error sending to %s", n.id, msg.chat_id)
            return _SendResult(_Verdict.RETRY, f"{type(err).__name__}: {err}")
        return _SendResult(_Verdict.DELIVERED)

    # ------------------------------------------------------------------ outcomes

    async def _retry_or_give_up(self, n: Notification, progress: _Progress, error: str) -> bool:
        attempt = n.attempts + 1
        if attempt >= self._max_attempts:
            log.warning("notification %s: giving up after %d attempts: %s", n.id, attempt, error)
            progress.errors.append(f"gave up after {attempt} attempts: {error}")
            return await self._finish(n, progress)
        delay = backoff_delay(
            attempt, base=self._backoff_base, cap=self._backoff_cap, rng=self._rng
        )
        await self._mark_retry(n, delay, error)
        return False

    async def _mark_retry(self, n: Notification, delay: float, error: str) -> None:
        now = self._ctx.now()
        async with self._ctx.uow() as uow:
            await uow.notifications.mark_retry(
                n.id, next_attempt_at=now + timedelta(seconds=delay), error=error
            )
            await uow.commit()

    async def _finish(self, n: Notification, progress: _Progress) -> bool:
        """Sent if anyone got it (a failure for the other recipients is logged), else failed."""
        error = "; ".join(progress.errors)
        self._unrecorded[n.id] = n
        async with self._ctx.uow() as uow:
            if progress.delivered:
                await uow.notifications.mark_sent(n.id, self._ctx.now())
            else:
                await uow.notifications.mark_failed(n.id, error=error)
            await uow.commit()
        # only now: a failed write keeps "already sent" in memory for the next run
        self._progress.pop(n.id, None)
        self._unrecorded.pop(n.id, None)
        if progress.delivered and progress.errors:
            log.warning("notification %s: sent, but not to every recipient: %s", n.id, error)
        return bool(progress.delivered)

    async def _idle(self, stop: asyncio.Event, interval: float) -> None:
        """Sleep ``interval`` (the injectable sleep) or until ``stop`` is set, whichever first."""
        sleeper = asyncio.ensure_future(self._sleep(interval))
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            stopper.cancel()


def _retry_after_seconds(err: RetryAfter) -> float:
    """``retry_after`` as seconds; PTB 22 warns that the int form will become a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _describe(err: TelegramError) -> str:
    return f"{type(err).__name__}: {err.message}"


__all__ = ["Compose", "Dispatcher", "OutgoingMessage", "RateLimiter", "backoff_delay"]
