"""What the outbox remembers about each notification it sends, and the database writes that
record it: the claim before a send, a retry with back-off, and the final sent or failed.

Split from :mod:`bot.notify.dispatcher` (the sending loop) so the loop reads as scheduling
only; the guarantees these writes give are described there.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta

from bot.domain.models import Notification
from bot.metrics import METRICS
from bot.notify.limits import backoff_delay
from bot.services.client_documents import follow_up_failure
from bot.services.context import ServiceContext

log = logging.getLogger("bot.notify")


@dataclass
class Progress:
    """How far one notification got in this process; survives a failed DB write, not a restart.

    ``next_index`` is the next message of compose's list to send, so a retry does not repeat the
    messages that already went out (e.g. the owner got it, the staff group hit a 500).
    """

    next_index: int = 0
    delivered: int = 0
    errors: list[str] = field(default_factory=list)


class Outcomes:
    """Each notification's progress in this process and the writes that record its outcome."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        max_attempts: int,
        backoff_base: float,
        backoff_cap: float,
        lease: timedelta,
        rng: random.Random,
    ) -> None:
        self._ctx = ctx
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._lease = lease
        self._rng = rng
        self.progress: dict[int, Progress] = {}
        self.unrecorded: dict[int, Notification] = {}  # sent, but the outcome write failed

    async def claim(self, n: Notification) -> bool:
        """Make sure no other dispatcher is sending ``n`` (see ``bot.notify.dispatcher``)."""
        now = self._ctx.now()
        async with self._ctx.uow() as uow:
            won = await uow.notifications.claim(n.id, now=now, lease_until=now + self._lease)
            await uow.commit()
        return won

    async def retry_or_give_up(self, n: Notification, progress: Progress, error: str) -> bool:
        """A real failure: try again after a back-off, or record it failed at the last attempt."""
        attempt = n.attempts + 1
        if attempt >= self._max_attempts:
            progress.errors.append(f"gave up after {attempt} attempts: {error}")
            return await self.finish(n, progress)
        delay = backoff_delay(
            attempt, base=self._backoff_base, cap=self._backoff_cap, rng=self._rng
        )
        await self.mark_retry(n, delay, error)
        return False

    async def mark_retry(
        self, n: Notification, delay: float, error: str, *, attempt: bool = True
    ) -> None:
        """Put the row back for ``delay`` s; ``attempt=False`` (a 429) counts no attempt."""
        now = self._ctx.now()
        async with self._ctx.uow() as uow:
            await uow.notifications.mark_retry(
                n.id, next_attempt_at=now + timedelta(seconds=delay), error=error, attempt=attempt
            )
            await uow.commit()

    async def finish(self, n: Notification, progress: Progress) -> bool:
        """Sent if anyone got it (a failure for the other recipients is logged), else failed."""
        error = "; ".join(progress.errors)
        self.unrecorded[n.id] = n
        async with self._ctx.uow() as uow:
            if progress.delivered:
                await uow.notifications.mark_sent(n.id, self._ctx.now())
            else:
                await uow.notifications.mark_failed(n.id, error=error)
                await follow_up_failure(uow, n, self._ctx.now())
            await uow.commit()
        # only now: a failed write keeps "already sent" in memory for the next run
        self.progress.pop(n.id, None)
        self.unrecorded.pop(n.id, None)
        if progress.delivered:
            METRICS.deliveries.labels(n.kind).inc()
        else:
            METRICS.delivery_failures.labels(n.kind).inc()
        if progress.delivered and progress.errors:
            log.warning("notification %s: sent, but not to every recipient: %s", n.id, error)
        elif not progress.delivered:
            log.warning(
                "notification %s failed: %s",
                n.id,
                error,
                extra={
                    "event": "notification.failed",
                    "notification_id": n.id,
                    "kind": n.kind,
                    "chat_id": n.chat_id,
                },
            )
        return bool(progress.delivered)
