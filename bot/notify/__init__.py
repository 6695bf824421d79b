"""Telegram delivery adapters and who owns rate limiting and retries.

* :mod:`bot.notify.dispatcher` — the notification outbox. It owns the global ~30 messages/s
  budget, per-chat spacing of notifications and every retry of a notification (a 429 is a
  pause, not an attempt).
* :mod:`bot.notify.interactive` — the Application's rate limiter for interactive replies:
  Telegram's per-chat limits only (groups 20 a minute), outbox sends pass straight through.
* :mod:`bot.notify.outcomes` — what the dispatcher records of each notification (claims,
  retries with back-off, the final state) and their metrics and logs.
* :mod:`bot.notify.limits` — the outbox's limiter and back-off; :mod:`bot.notify.sending` — one
  send and its verdict.
"""

from bot.notify.dispatcher import Compose, Dispatcher
from bot.notify.interactive import InteractiveRateLimiter
from bot.notify.limits import OutboxLimiter, backoff_delay
from bot.notify.sending import OUTBOX_SEND, OutgoingMessage

__all__ = [
    "OUTBOX_SEND",
    "Compose",
    "Dispatcher",
    "InteractiveRateLimiter",
    "OutboxLimiter",
    "OutgoingMessage",
    "backoff_delay",
]
