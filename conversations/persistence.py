"""python-telegram-bot persistence in our own database (not a pickle file).

Conversation states and per-user data (the wizard draft) survive a restart of the bot, so an
operator in the middle of a plan update continues where they were. Only JSON-able data is kept:
drafts are plain dicts of ids and cents by design.

python-telegram-bot writes persistence every ``update_interval`` seconds, calling
``update_user_data`` and ``update_conversation`` for everything that changed since, all at
once. Those calls are gathered here into one transaction (``StateStore.save_many``), so a
wizard tap costs at most one database round trip, however many users tap in the interval.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from copy import deepcopy
from datetime import datetime
from typing import Any, Protocol

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

StateKey = tuple[str, str]  # (namespace, key)


class StateStore(Protocol):
    """JSON rows by (namespace, key); implemented by ``storage.bot_state.BotStateStore``."""

    async def load(self, namespace: str) -> dict[str, dict[str, Any]]: ...

    async def save_many(
        self, changes: Mapping[StateKey, dict[str, Any] | None], now: datetime
    ) -> None: ...


USER_NS = "user"
CONV_PREFIX = "conv:"


class DbPersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Stores user_data and conversation states as JSON rows in ``bot_state``."""

    def __init__(
        self, store: StateStore, clock: Callable[[], datetime], update_interval: float = 1.0
    ):
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._store = store
        self._clock = clock
        self._written_users: dict[int, str] = {}
        self._pending: dict[StateKey, dict[str, Any] | None] = {}
        self._batch: asyncio.Future[None] | None = None

    async def _save(self, namespace: str, key: str, data: dict[str, Any] | None) -> None:
        """Queue one row and wait for the batch it joins to be written."""
        self._pending[(namespace, key)] = data
        if self._batch is None:
            loop = asyncio.get_running_loop()
            self._batch = loop.create_future()
            # Runs after the other writes python-telegram-bot started in the same gather.
            loop.call_soon(self._write_batch)
        await asyncio.shield(self._batch)

    def _write_batch(self) -> None:
        batch, changes = self._batch, self._pending
        self._batch, self._pending = None, {}
        assert batch is not None
        task = asyncio.ensure_future(self._store.save_many(changes, self._clock()))

        def settle(done: asyncio.Future[None]) -> None:
            if done.cancelled():
                batch.cancel()
            elif (error := done.exception()) is not None:
                batch.set_exception(error)
            else:
                batch.set_result(None)

        task.add_done_callback(settle)

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        rows = await self._store.load(USER_NS)
        data = {int(k): v for k, v in rows.items()}
        self._written_users = {k: json.dumps(v, sort_keys=True) for k, v in data.items()}
        return deepcopy(data)

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        encoded = json.dumps(data, sort_keys=True, default=str)
        if self._written_users.get(user_id) == encoded:
            return
        await self._save(USER_NS, str(user_id), json.loads(encoded) or None)
        self._written_users[user_id] = encoded

    async def drop_user_data(self, user_id: int) -> None:
        await self._save(USER_NS, str(user_id), None)
        self._written_users.pop(user_id, None)

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = await self._store.load(CONV_PREFIX + name)
        return {tuple(json.loads(k)): v["state"] for k, v in rows.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        row = None if new_state is None else {"state": new_state}
        await self._save(CONV_PREFIX + name, json.dumps(list(key)), row)

    # Chat data, bot data and callback data are not used by contractbot.
    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        return None

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        return None

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def flush(self) -> None:
        return None
