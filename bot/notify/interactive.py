"""The Application's rate limiter: Telegram's per-chat limits for interactive replies only.

Who owns what:

* **Interactive replies** (answering a tap, editing the user's own wizard message, replying in
  the chat the update came from) pass through :class:`InteractiveRateLimiter`. They respect
  only Telegram's per-chat limits: a group chat gets at most 20 messages a minute; private
  chats and calls without a chat (``answerCallbackQuery``) are not throttled at all, so a tap
  never waits behind other users' taps or behind notifications. A 429 is retried once when
  Telegram asks for a short wait, and otherwise raised to the handler.
* **Notifications** (the outbox, :mod:`bot.notify.dispatcher`) own the global ~30 messages/s
  budget and every retry of a notification. Their sends carry :data:`OUTBOX_SEND` as
  ``rate_limit_args`` and go straight through here: no wait, no retry, a 429 reaches the
  dispatcher at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.notify.sending import OUTBOX_SEND, RateLimitArgs, retry_after_seconds

log = logging.getLogger(__name__)

Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


class InteractiveRateLimiter(BaseRateLimiter[RateLimitArgs]):
    """Per-group-chat limiting (``group_rate`` per ``group_period``) built on ``aiolimiter``."""

    def __init__(
        self,
        *,
        group_rate: int = 20,
        group_period: float = 60.0,
        max_retry_after: float = 5.0,
        max_groups: int = 1000,
    ) -> None:
        self._group_rate = group_rate
        self._group_period = group_period
        self._max_retry_after = max_retry_after
        self._max_groups = max_groups
        self._groups: dict[int | str, AsyncLimiter] = {}

    async def initialize(self) -> None:
        """Nothing to set up: limiters are made per group chat on first use."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if rate_limit_args == OUTBOX_SEND:
            return await callback(*args, **kwargs)
        limiter = self._limiter_for(data.get("chat_id"))
        try:
            return await self._call(limiter, callback, args, kwargs)
        except RetryAfter as err:
            seconds = retry_after_seconds(err)
            if seconds > self._max_retry_after:
                raise
            log.info("%s: Telegram asked to wait %.1fs; retrying once", endpoint, seconds)
            await asyncio.sleep(seconds)
            return await self._call(limiter, callback, args, kwargs)

    async def _call(
        self, limiter: AsyncLimiter | None, callback: Callback, args: Any, kwargs: dict[str, Any]
    ) -> bool | JSONDict | list[JSONDict]:
        if limiter is None:
            return await callback(*args, **kwargs)
        async with limiter:
            return await callback(*args, **kwargs)

    def _limiter_for(self, chat_id: object) -> AsyncLimiter | None:
        """A group chat's limiter (negative ids, ``@channel`` names); None for anything else."""
        if isinstance(chat_id, str) and not chat_id.lstrip("-").isdigit():
            key: int | str = chat_id
        elif isinstance(chat_id, int | str) and int(chat_id) < 0:
            key = int(chat_id)
        else:
            return None
        limiter = self._groups.get(key)
        if limiter is None:
            if len(self._groups) >= self._max_groups:
                self._groups.clear()  # a bot talks in a handful of groups; never grow unbounded
            limiter = self._groups[key] = AsyncLimiter(self._group_rate, self._group_period)
        return limiter
