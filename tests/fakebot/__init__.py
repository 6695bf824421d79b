"""Fake Telegram Bot API for driving the bot like a user in tests.

Public API:

* :class:`FakeBotApi` -- aiohttp server on 127.0.0.1:<random>; ``async with FakeBotApi() as api``.
  URLs: ``api.base_url``, ``api.base_file_url``, ``api.root_url``; ``api.app_builder()``.
  Users: ``api.user(111, "Ana")`` -> :class:`FakeUser`. State: ``api.chat(id)`` ->
  :class:`ChatView`, ``api.calls``, ``api.calls_for(m)``, ``api.errors``,
  ``api.callback_answers``, ``api.last_callback_answer(uid)``, ``await api.wait_for(pred)``.
  Faults: ``api.inject_fault``, ``api.inject_delay``, ``api.block_chat``.
* :class:`FakeUser` -- builds real-shaped updates (``text_update``, ``tap_button_update``...),
  queues them for polling (``enqueue_text``, ``enqueue_tap``) or processes them directly
  in a PTB ``Application`` (``await user.send(app, "/start")``, ``await user.tap(app, "OK")``).
* :class:`ChatView` / :class:`SentMessage` -- what the human sees (edits/deletes applied).
"""

from .formatting import EntityParseError, ParsedText, parse_formatted
from .models import (
    ApiCall,
    ApiErrorRecord,
    Button,
    ChatView,
    MessageVersion,
    SentMessage,
    StoredFile,
    UploadedFile,
)
from .server import DEFAULT_TOKEN, FakeBotApi, TelegramApiError
from .users import FakeUser, HandlerError, process_update

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiErrorRecord",
    "Button",
    "ChatView",
    "EntityParseError",
    "FakeBotApi",
    "FakeUser",
    "HandlerError",
    "MessageVersion",
    "ParsedText",
    "SentMessage",
    "StoredFile",
    "TelegramApiError",
    "UploadedFile",
    "parse_formatted",
    "process_update",
]
