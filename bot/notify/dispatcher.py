"""Outbox dispatcher: turns pending ``notifications`` rows into Telegram messages.

Why an outbox: services write the row in the same transaction as the change (see
``bot.services.outbox``), so a rolled-back change tells no one and a committed one is never
forgotten. This module delivers those rows later, outside any transaction, with retries and
Telegram's rate limits. It is the one owner of both for notifications: the Application's
rate limiter lets its sends straight through (:mod:`bot.notify.interactive`).

How it runs: :meth:`Dispatcher.run_forever` is a continuous sender. It reads the due rows
(again every ``interval``), and whenever a chat may be written to, sends the oldest row of that
chat, up to ``concurrency`` rows at once and at most one per chat. A chat that must wait (one
message a second per private chat, one every 3 s per group: 20 a minute) never holds up the
others, and the ~30 messages/s budget is used as soon as it frees.

Guarantees and their limits:

* State lives only in the database. A row stays ``pending`` until it is marked ``sent`` or
  ``failed``, so a restarted bot (a new :class:`Dispatcher`) continues with whatever is pending.
* Each row is marked sent in its own short transaction right after Telegram accepted it. Two
  edges stay *at-least-once*, because the Bot API has no idempotency key:

  - the process dies between a successful ``sendMessage`` and ``mark_sent``: the row is still
    pending and is sent again after the restart (or by the standby that takes over);
  - a read timeout (``TimedOut``): Telegram may have delivered the message before the answer
    got lost. We retry, which sends a second copy in that case. The other choice (treating a
    timeout as sent) would lose messages that never arrived.

  Inside one process, a notification whose send succeeded but whose ``mark_sent`` failed (the
  database was briefly unreachable) is remembered and not sent again.
* Each row is claimed just before it is sent with the repository's ``claim`` (a conditional
  UPDATE that moves ``next_attempt_at`` past a ``lease``), so two dispatchers never send the
  same row; a row claimed by a process that died comes back when the lease ends.
* A 429 is not the notification's fault: it pauses every send for ``retry_after`` and puts the
  row back without counting an attempt. Only real failures (network, 5xx, compose errors)
  count towards ``max_attempts``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram.ext import ExtBot

from bot.domain.models import Notification
from bot.notify.limits import Monotonic, OutboxLimiter
from bot.notify.outcomes import Outcomes, Progress
from bot.notify.sending import OutgoingMessage, SendResult, Verdict, send
from bot.services.context import ServiceContext

log = logging.getLogger("bot.notify")

# Waits shorter than this count as "now": clocks are not infinitely precise, and a sleep may
# wake a hair early.
_EPSILON = 1e-6

Compose = Callable[[Notification], Awaitable[list[OutgoingMessage]]]
Sleep = Callable[[float], Awaitable[None]]


class Dispatcher:
    """Delivers due outbox rows: pick a free chat → claim → compose → send → record."""

    def __init__(
        self,
        ctx: ServiceContext,
        bot: ExtBot[Any],
        compose: Compose,
        *,
        batch_size: int = 1000,
        concurrency: int = 1,
        max_attempts: int = 8,
        backoff_base: float = 5.0,
        backoff_cap: float = 900.0,
        per_chat_interval: float = 1.0,
        group_interval: float = 3.0,
        global_rate: int = 30,
        slack: float = 0.0,
        max_wait: float = 5.0,
        lease: float = 60.0,
        rng: random.Random | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        """``batch_size``: due rows read per pass (in due order). ``concurrency``: sends in
        flight at once (never two for one chat). ``max_wait``: a row whose chat must wait longer
        than this (a flood wait) is left pending for a later pass. ``lease``: how long a
        claimed row is hidden from other dispatchers; longer than one send with its timeouts.
        ``slack``: see :class:`~bot.notify.limits.OutboxLimiter`."""
        self._ctx = ctx
        self._bot = bot
        self._compose = compose
        self._batch_size = batch_size
        self._concurrency = max(1, concurrency)
        self._outcomes = Outcomes(
            ctx,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            lease=timedelta(seconds=lease),
            rng=rng or random.Random(),
        )
        self._max_wait = max_wait
        self._sleep = sleep
        self._monotonic = monotonic
        self.limiter = OutboxLimiter(
            per_chat_interval=per_chat_interval,
            group_interval=group_interval,
            global_rate=global_rate,
            slack=slack,
            monotonic=monotonic,
        )
        self._lock = asyncio.Lock()
        self._in_flight: dict[int, asyncio.Task[bool]] = {}  # chat id → its one send
        self._in_flight_ids: set[int] = set()
        self._stop: asyncio.Event | None = None

    # ------------------------------------------------------------------ entry points

    async def run_once(self) -> int:
        """Deliver what is due now; return how many notifications were marked sent.

        Returns 0 at once when another run of this dispatcher is still going. Database errors
        propagate (the caller logs them and tries again later); Telegram errors do not.
        """
        if self._lock.locked():
            return 0
        async with self._lock:
            try:
                sent = await self._record_leftovers()
                sent += await self._pump(await self._due(), deadline=None)
                if self._in_flight:
                    await asyncio.wait(set(self._in_flight.values()))
                return sent + self._reap()
            finally:
                await self._settle()  # only after a failure is anything still here

    async def run_forever(self, stop: asyncio.Event, interval: float = 0.5) -> None:
        """Deliver until ``stop`` is set, reading the due rows again every ``interval``
        seconds (new rows, retries that came due). A failing pass (database down) is logged
        and retried after ``interval``, never fatal."""
        self._stop = stop
        try:
            async with self._lock:
                while not stop.is_set():
                    try:
                        await self._record_leftovers()
                        queue = await self._due()
                        await self._pump(queue, deadline=self._monotonic() + interval)
                    except Exception:
                        log.exception(
                            "notification dispatcher: run failed; retry in %.1fs", interval
                        )
                        await self._settle()
                        await self._idle(stop, interval)
                await self._settle()
        finally:
            self._stop = None

    # ------------------------------------------------------------------ one pass

    async def _due(self) -> list[Notification]:
        async with self._ctx.uow() as uow:
            rows = await uow.notifications.due(self._ctx.now(), self._batch_size)
        return [n for n in rows if n.id not in self._in_flight_ids]

    async def _pump(self, queue: list[Notification], deadline: float | None) -> int:
        """Start sends while chats are free; return at ``deadline`` (continuous mode) or, with
        no deadline, when the queue is empty or every remaining chat waits past ``max_wait``."""
        sent = 0
        while True:
            sent += self._reap()
            if self._stop is not None and self._stop.is_set():
                return sent
            index, wait = self._ready(queue)
            full = len(self._in_flight) >= self._concurrency
            if index is not None and not full:
                self._start(queue.pop(index))
                continue
            # Nothing to start now: wait for a send in flight to end or for the soonest chat.
            if full or index is not None:
                wait = float("inf")  # only a send ending can free a slot
            if deadline is None:
                if not queue and not self._in_flight:
                    return sent
                if wait > self._max_wait and not self._in_flight:
                    return sent  # flood wait: leave the rest pending
                timeout = None if wait == float("inf") else wait
            else:
                left = deadline - self._monotonic()
                if left <= _EPSILON:
                    return sent
                timeout = min(wait, left)
            await self._wait(timeout)

    def _ready(self, queue: list[Notification]) -> tuple[int | None, float]:
        """The first row (in due order) whose chat may be written to now; else None and the
        least wait. Why: rows for one busy chat must not hold up the rows of other chats.
        Rows of one chat keep their order: only a chat's first queued row is considered."""
        best_wait = float("inf")
        seen: set[int] = set()
        for index, notification in enumerate(queue):
            chat_id = notification.chat_id
            if chat_id in seen:
                continue
            seen.add(chat_id)
            if chat_id in self._in_flight:
                continue
            wait = self.limiter.wait_time(chat_id)
            if wait <= _EPSILON:
                return index, 0.0
            best_wait = min(best_wait, wait)
        return None, best_wait

    def _start(self, n: Notification) -> None:
        self._in_flight[n.chat_id] = asyncio.ensure_future(self._process(n))
        self._in_flight_ids.add(n.id)

    def _reap(self) -> int:
        """Forget finished sends and count those marked sent. A send that raised (the database
        is down) raises here, so the run fails as a whole and is retried by its caller."""
        sent = 0
        failure: BaseException | None = None
        for chat_id, task in list(self._in_flight.items()):
            if not task.done():
                continue
            del self._in_flight[chat_id]
            if task.cancelled():
                continue
            if (exc := task.exception()) is not None:
                failure = failure or exc
            elif task.result():
                sent += 1
        if failure is not None:
            raise failure
        return sent

    async def _wait(self, timeout: float | None) -> None:
        """Until a send in flight ends or ``timeout`` passes (the injectable sleep)."""
        waiters: set[asyncio.Future[Any]] = set(self._in_flight.values())
        sleeper = None if timeout is None else asyncio.ensure_future(self._sleep(timeout))
        if sleeper is not None:
            waiters.add(sleeper)
        if not waiters:
            return
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if sleeper is not None:
                sleeper.cancel()

    async def _settle(self) -> None:
        """Wait for the sends still in flight to record their outcome (stop, end of a run,
        after a failure); a failure among them is logged, the first one was already raised."""
        if self._in_flight:
            await asyncio.wait(set(self._in_flight.values()))
        for task in self._in_flight.values():
            if not task.cancelled() and (exc := task.exception()) is not None:
                log.error("notification dispatcher: send failed", exc_info=exc)
        self._in_flight.clear()

    async def _record_leftovers(self) -> int:
        """Record outcomes whose database write failed last run, before sending anything new:
        the row is still claimed by us, so it would not come back as due until the lease ends."""
        recorded = 0
        for n in list(self._outcomes.unrecorded.values()):
            if n.id in self._in_flight_ids:
                continue  # its own send is recording it right now
            if await self._outcomes.finish(n, self._outcomes.progress[n.id]):
                recorded += 1
        return recorded

    # ------------------------------------------------------------------ one notification

    async def _process(self, n: Notification) -> bool:
        """Claim, compose, send each message, record the outcome; True when marked sent."""
        try:
            if not await self._outcomes.claim(n):
                return False
            progress = self._outcomes.progress.setdefault(n.id, Progress())
            try:
                messages = await self._compose(n)
            except Exception as exc:
                # One row that cannot be rendered must not block the rest of the outbox.
                log.exception("notification %s (%s): compose failed", n.id, n.kind)
                return await self._outcomes.retry_or_give_up(
                    n, progress, f"compose failed: {exc!r}"
                )
            if not messages and progress.delivered == 0:
                log.info("notification %s (%s): nothing to send, dropped", n.id, n.kind)
                progress.errors.append("dropped: nothing to send")
            while progress.next_index < len(messages):
                result = await self._send(n, messages[progress.next_index])
                if result.verdict is Verdict.DELIVERED:
                    progress.delivered += 1
                    progress.next_index += 1
                elif result.verdict is Verdict.REJECTED:
                    progress.errors.append(result.error)
                    progress.next_index += 1
                elif result.verdict is Verdict.FLOOD:
                    # Not the notification's fault: no attempt counted, back when Telegram says.
                    await self._outcomes.mark_retry(
                        n, result.retry_after, result.error, attempt=False
                    )
                    return False
                else:
                    return await self._outcomes.retry_or_give_up(n, progress, result.error)
            return await self._outcomes.finish(n, progress)
        finally:
            self._in_flight_ids.discard(n.id)

    async def _send(self, n: Notification, msg: OutgoingMessage) -> SendResult:
        """One message within the rate limits. Checking and recording happen with no await in
        between, so concurrent sends never exceed a limit; a wait past ``max_wait`` (a flood
        pause) puts the notification back instead of pinning its lease."""
        while (wait := self.limiter.wait_time(msg.chat_id)) > _EPSILON:
            if wait > self._max_wait:
                return SendResult(Verdict.FLOOD, "waiting for Telegram's flood control", wait)
            await self._sleep(wait)
        self.limiter.record(msg.chat_id)
        result = await send(self._bot, n.id, msg)
        if result.verdict is Verdict.FLOOD:
            self.limiter.pause(result.retry_after, msg.chat_id)
        return result

    async def _idle(self, stop: asyncio.Event, interval: float) -> None:
        """Sleep ``interval`` (the injectable sleep) or until ``stop`` is set, whichever first."""
        sleeper = asyncio.ensure_future(self._sleep(interval))
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            stopper.cancel()
