"""In-process fake Telegram Bot API server (aiohttp) for end-to-end bot tests.

Why: python-telegram-bot's real request layer (HTTPXRequest) should be
exercised in tests, but the network (and api.telegram.org) is not available.
``FakeBotApi`` listens on 127.0.0.1 with a random port, speaks the Bot API wire
format (JSON, form-urlencoded and multipart bodies), keeps per-chat state that
tests can assert on, reproduces the real API's common error responses and lets
tests inject faults/delays.

Typical use::

    async with FakeBotApi() as api:
        app = api.app_builder().build()   # token/base_url/base_file_url preset
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import inspect
import json
import re
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Self, TypeVar

from aiohttp import web
from telegram.ext import Application, ApplicationBuilder

from .formatting import EntityParseError, ParsedText, parse_formatted
from .models import (
    ApiCall,
    ApiErrorRecord,
    ChatView,
    MessageVersion,
    SentMessage,
    StoredFile,
    UploadedFile,
)
from .users import FakeUser

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from types import TracebackType


__all__ = ["DEFAULT_TOKEN", "FakeBotApi", "TelegramApiError"]

DEFAULT_TOKEN = "123456:TEST"

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a content and reply markup of the current message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Form fields whose value is a plain string even if it looks like JSON ("123", "true").
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "file_id",
        "action",
        "description",
        "short_description",
        "name",
        "title",
        "language_code",
        "emoji",
        "secret_token",
        "ip_address",
        "message_effect_id",
        "business_connection_id",
        "document",
        "photo",
        "video",
        "audio",
        "animation",
        "voice",
        "sticker",
        "thumbnail",
        "query",
    }
)
# Params that are JSON values even when a JSON-body client sent them as strings.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
        "commands",
        "scope",
        "allowed_updates",
        "message_ids",
        "menu_button",
    }
)
_INT_PARAMS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "user_id",
    }
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class TelegramApiError(Exception):
    """Raised inside method handlers to produce an ``ok: false`` response."""

    def __init__(
        self, status: int, description: str, *, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(detail: str) -> TelegramApiError:
    """400 with Telegram's ``Bad Request: `` prefix."""
    return TelegramApiError(400, f"Bad Request: {detail}")


@dataclass
class _ChatState:
    chat_id: int
    chat: dict[str, Any]
    next_message_id: int = 1
    messages: dict[int, SentMessage] = field(default_factory=dict)
    blocked: bool = False
    reply_keyboard: list[list[str]] | None = None
    actions: list[str] = field(default_factory=list)
    pinned: list[int] = field(default_factory=list)

    def allocate_message_id(self) -> int:
        mid = self.next_message_id
        self.next_message_id += 1
        return mid


@dataclass
class _CallbackQuery:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False


@dataclass
class _Fault:
    method: str
    status: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | str | None


@dataclass
class _Delay:
    method: str
    seconds: float
    remaining: int
    chat_id: int | str | None


_QueuedT = TypeVar("_QueuedT", _Fault, _Delay)


def _default_fault_description(status: int, retry_after: int | None) -> str:
    if status == 429:
        return f"Too Many Requests: retry after {retry_after or 1}"
    if status == 403:
        return BLOCKED
    if status == 400:
        return "Bad Request"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


def _maybe_int(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return value


def _decode_form_value(name: str, value: str) -> Any:
    """PTB JSON-encodes every non-string param inside form fields; undo that."""
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _normalize_params(params: dict[str, Any]) -> dict[str, Any]:
    for key in _JSON_PARAMS & params.keys():
        value = params[key]
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    for key in _INT_PARAMS & params.keys():
        params[key] = _maybe_int(params[key])
    return params


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


class FakeBotApi:
    """Fake Telegram Bot API server with inspectable state.

    Why: lets a real PTB ``Application`` (or a bot subprocess configured with
    :attr:`root_url`) talk HTTP to something that behaves like Telegram, while
    tests simulate users (:meth:`user`) and assert on chats (:meth:`chat`).

    ``strict_chats``: sending to a chat id no :class:`FakeUser` was created for
    fails with ``400 chat not found`` (as for a user who never started the bot);
    set False to auto-create private chats instead.
    """

    def __init__(
        self,
        *,
        bot_id: int = 123456,
        bot_username: str = "contractbot_test_bot",
        bot_first_name: str = "ContractBot",
        strict_chats: bool = True,
        callback_query_timeout: float = 15.0,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.strict_chats = strict_chats
        self.callback_query_timeout = callback_query_timeout
        self.host = host
        self._requested_port = port
        self._port = port
        self._clock = clock

        self.calls: list[ApiCall] = []
        self.errors: list[ApiErrorRecord] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.files: dict[str, StoredFile] = {}
        self.my_commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.bot_settings: dict[str, dict[str, Any]] = {}
        self.webhook_url = ""

        self._chats: dict[int, _ChatState] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._callbacks: dict[str, _CallbackQuery] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._last_enqueued_id = 0
        self._next_file_no = 1
        self._next_callback_no = 1
        self._faults: list[_Fault] = []
        self._delays: list[_Delay] = []
        self._poll_generation = 0
        self._closing = False
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None

        self._handlers: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
            "getme": self._get_me,
            "logout": self._return_true,
            "close": self._return_true,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setmydescription": functools.partial(self._store_setting, "setMyDescription"),
            "setmyshortdescription": functools.partial(
                self._store_setting, "setMyShortDescription"
            ),
            "setmyname": functools.partial(self._store_setting, "setMyName"),
            "setchatmenubutton": functools.partial(self._store_setting, "setChatMenuButton"),
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "deletemessages": self._delete_messages,
            "answercallbackquery": self._answer_callback_query,
            "sendchataction": self._send_chat_action,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "getfile": self._get_file,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "pinchatmessage": self._pin_chat_message,
            "unpinchatmessage": self._unpin_chat_message,
            "unpinallchatmessages": self._unpin_all_chat_messages,
            "forwardmessage": functools.partial(self._forward_or_copy, forward=True),
            "copymessage": functools.partial(self._forward_or_copy, forward=False),
            "setmessagereaction": self._set_message_reaction,
        }

    # ================================================================ lifecycle

    async def start(self) -> Self:
        """Bind 127.0.0.1 on a free port and start serving."""
        if self._runner is not None:
            return self
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        """Release pending long-polls and shut the server down."""
        if self._runner is None:
            return
        self._closing = True
        self._notify()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """Bound TCP port (valid after :meth:`start`)."""
        if self._runner is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._port

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` -- for bots that build ``<root>/bot<token>/<method>``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder.base_url`` (token is appended by PTB)."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder.base_file_url``."""
        return f"{self.root_url}/file/bot"

    def app_builder(
        self, token: str = DEFAULT_TOKEN
    ) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
        """PTB ``ApplicationBuilder`` pre-pointed at this server (no updater tweaks)."""
        return (
            Application.builder()
            .token(token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    # ================================================================ identities

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's ``User`` JSON (``from`` of every bot message)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def user(
        self,
        user_id: int = 111,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> FakeUser:
        """Create (or fetch/update) a human with a private chat whose id == ``user_id``."""
        profile = self._users.get(user_id)
        if profile is None:
            profile = {"id": user_id, "is_bot": False, "first_name": first_name or "User"}
            self._users[user_id] = profile
        elif first_name is not None:
            profile["first_name"] = first_name
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value is not None:
                profile[key] = value
        chat = {"id": user_id, "type": "private", "first_name": profile["first_name"]}
        for key in ("last_name", "username"):
            if key in profile:
                chat[key] = profile[key]
        state = self._chats.get(user_id)
        if state is None:
            self._chats[user_id] = _ChatState(user_id, chat)
        else:
            state.chat = chat
        return FakeUser(self, user_id)

    def group(
        self, chat_id: int = -1001234567890, title: str = "Group", chat_type: str = "supergroup"
    ) -> ChatView:
        """Register a group/supergroup/channel the bot can post to (e.g. an admin group)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = {"id": chat_id, "type": chat_type, "title": title}
        state = self._chats.get(chat_id)
        if state is None:
            self._chats[chat_id] = _ChatState(chat_id, chat)
        else:
            state.chat = chat
        return self.chat(chat_id)

    def user_json(self, user_id: int) -> dict[str, Any]:
        """``User`` JSON of a fake human."""
        return dict(self._users[user_id])

    def chat(self, chat_id: int) -> ChatView:
        """Live view of a chat for assertions (what the user sees)."""
        return ChatView(self, chat_id)

    def block_chat(self, chat_id: int) -> None:
        """Make send* methods to this chat fail with 403 "bot was blocked by the user"."""
        self._require_chat_state(chat_id).blocked = True

    def unblock_chat(self, chat_id: int) -> None:
        """Undo :meth:`block_chat`."""
        self._require_chat_state(chat_id).blocked = False

    # ================================================================ updates

    def next_update_id(self) -> int:
        """Allocate an update_id (used by update builders)."""
        uid = self._next_update_id
        self._next_update_id += 1
        return uid

    def enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        """Make an update available to getUpdates; assigns/renews ``update_id`` as needed.

        Ids are kept strictly increasing so a poller's ``offset`` never skips it.
        """
        uid = update.get("update_id")
        if not isinstance(uid, int) or uid <= self._last_enqueued_id:
            update["update_id"] = uid = self.next_update_id()
        self._last_enqueued_id = uid
        self._next_update_id = max(self._next_update_id, uid + 1)
        self._updates.append(update)
        self._notify()
        return update

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates ``offset``."""
        return list(self._updates)

    # ================================================================ fault injection

    def inject_fault(
        self,
        method: str,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (``"*"`` = any) fail.

        ``retry_after`` adds ``parameters.retry_after`` (PTB raises RetryAfter);
        ``chat_id`` limits the fault to requests for that chat. The request is
        recorded in :attr:`calls` but has no effect.
        """
        if retry_after is not None and status == 429 and description is None:
            description = f"Too Many Requests: retry after {retry_after}"
        self._faults.append(
            _Fault(
                method.lower(),
                status,
                description or _default_fault_description(status, retry_after),
                retry_after,
                times,
                _maybe_int(chat_id),
            )
        )

    def inject_delay(
        self, method: str, seconds: float, times: int = 1, *, chat_id: int | str | None = None
    ) -> None:
        """Delay the next ``times`` calls of ``method`` before handling them.

        Why: simulates slow Telegram so client read timeouts (PTB ``TimedOut``) can
        be tested. Note the request is still *executed* after the delay, like a
        real request that timed out client-side but reached Telegram.
        """
        self._delays.append(_Delay(method.lower(), seconds, times, _maybe_int(chat_id)))

    def clear_faults(self) -> None:
        """Drop all queued faults and delays."""
        self._faults.clear()
        self._delays.clear()

    @staticmethod
    def _take(queue: list[_QueuedT], method: str, params: dict[str, Any]) -> _QueuedT | None:
        """Consume the first queued fault/delay matching this request, if any."""
        for item in queue:
            if item.method not in (method, "*"):
                continue
            if item.chat_id is not None and params.get("chat_id") != item.chat_id:
                continue
            item.remaining -= 1
            if item.remaining <= 0:
                queue.remove(item)
            return item
        return None

    # ================================================================ observation

    def calls_for(self, method: str) -> list[ApiCall]:
        """Recorded calls of one method (case-insensitive)."""
        key = method.lower()
        return [c for c in self.calls if c.method.lower() == key]

    def clear_calls(self) -> None:
        """Forget recorded calls and errors (e.g. after test setup)."""
        self.calls.clear()
        self.errors.clear()

    def last_callback_answer(self, user_id: int | None = None) -> dict[str, Any] | None:
        """Newest answerCallbackQuery payload (optionally for queries from ``user_id``)."""
        matching = [a for a in self.callback_answers if user_id is None or a["user_id"] == user_id]
        return matching[-1] if matching else None

    def get_commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """Commands stored by setMyCommands for a scope (default scope if None)."""
        return list(self.my_commands.get((self._scope_key(scope), language_code), []))

    def stored_file(self, file_id: str) -> StoredFile:
        """File by id (uploaded by the bot or registered by a fake user)."""
        return self.files[file_id]

    def register_file(
        self,
        data: bytes,
        *,
        kind: str = "document",
        file_name: str | None = None,
        mime_type: str | None = None,
        file_id: str | None = None,
    ) -> StoredFile:
        """Store bytes as a Telegram file so getFile + download work for it."""
        no = self._next_file_no
        self._next_file_no += 1
        prefix = {"photo": "AgACAgIAAxk", "document": "BQACAgIAAxk"}.get(kind, "CQACAgIAAxk")
        fid = file_id or f"{prefix}{no:08d}"
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photo":
            ext = ".jpg"
        folder = "photos" if kind == "photo" else "documents"
        stored = StoredFile(
            file_id=fid,
            file_unique_id=f"AQAD{no:08d}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{folder}/file_{no}{ext}",
        )
        self.files[fid] = stored
        if kind == "photo":
            self.files[fid + "_s"] = stored
        return stored

    async def wait_for(
        self,
        predicate: Callable[[], Any] | Callable[[FakeBotApi], Any],
        timeout: float = 10.0,
        *,
        message: str = "",
    ) -> Any:
        """Poll until ``predicate()`` (or ``predicate(api)``) is truthy; return its value.

        Why: with a real polling bot, replies arrive asynchronously. Lookup errors
        inside the predicate (e.g. ``chat.last`` still None) count as "not yet".
        On timeout raises AssertionError with recent calls, errors and chats.
        """
        wants_api = _accepts_argument(predicate)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last_exc: BaseException | None = None
        while True:
            event = self._changed
            try:
                value = predicate(self) if wants_api else predicate()  # type: ignore[call-arg]
            except (AssertionError, AttributeError, LookupError, TypeError) as exc:
                value, last_exc = None, exc
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"wait_for timed out after {timeout}s{': ' + message if message else ''}"
                    + (f"\nlast predicate error: {last_exc!r}" if last_exc else "")
                    + "\n"
                    + self.describe()
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=min(0.05, remaining))

    async def wait_for_message(
        self,
        chat_id: int,
        match: str | Callable[[SentMessage], bool] = "",
        timeout: float = 10.0,
    ) -> SentMessage:
        """Wait until a current bot message in ``chat_id`` matches; return the newest match.

        ``match`` is a substring of the plain text (``""`` = any message) or a predicate.
        """

        def find() -> SentMessage | None:
            for msg in reversed(self.chat(chat_id).messages):
                if callable(match):
                    if match(msg):
                        return msg
                elif match in (msg.text or ""):
                    return msg
            return None

        result: SentMessage = await self.wait_for(
            find, timeout, message=f"bot message matching {match!r} in chat {chat_id}"
        )
        return result

    def describe(self, last_calls: int = 25) -> str:
        """Debug dump: recent non-getUpdates calls, errors and chat transcripts."""
        calls = [c for c in self.calls if c.method.lower() != "getupdates"][-last_calls:]
        lines = [f"recent calls ({len(calls)}):"]
        lines += [f"  {c.method} {_short(c.params)}" for c in calls]
        if self.errors:
            lines.append(f"error responses ({len(self.errors)}):")
            lines += [f"  {e.method} -> {e.status} {e.description}" for e in self.errors[-10:]]
        lines.append(f"pending updates: {len(self._updates)}")
        for chat_id in self._chats:
            lines.append(f"chat {chat_id}:")
            lines += ["  " + ln for ln in self.chat(chat_id).dump().splitlines()]
        return "\n".join(lines)

    # ================================================================ HTTP layer

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {k: _decode_form_value(k, v) for k, v in request.query.items()}
        if not request.can_read_body:
            return _normalize_params(params)
        ctype = request.content_type
        if ctype == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            uploads: dict[str, UploadedFile] = {}
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[name] = UploadedFile(
                        name, value.filename, value.content_type, value.file.read()
                    )
                elif isinstance(value, str):
                    params[name] = _decode_form_value(name, value)
                else:
                    params[name] = _decode_form_value(name, bytes(value).decode())
            for name, upload in uploads.items():
                params.setdefault(name, upload)
            for name, value in list(params.items()):
                if isinstance(value, str) and value.startswith("attach://"):
                    ref = value.removeprefix("attach://")
                    if ref in uploads:
                        params[name] = uploads[ref]
        return _normalize_params(params)

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        key = method.lower()
        try:
            params = await self._read_params(request)
        except (ValueError, UnicodeDecodeError) as exc:
            return self._error_response(method, {}, 400, f"Bad Request: can't parse request: {exc}")
        self.calls.append(ApiCall(method, params, time.monotonic()))
        self._notify()

        delay = self._take(self._delays, key, params)
        if delay is not None:
            await asyncio.sleep(delay.seconds)
        fault = self._take(self._faults, key, params)
        if fault is not None:
            parameters = {"retry_after": fault.retry_after} if fault.retry_after else None
            return self._error_response(
                method, params, fault.status, fault.description, parameters=parameters
            )
        try:
            if key == "getupdates":
                result = await self._get_updates(params, request)
            else:
                handler = self._handlers.get(key)
                if handler is None:
                    raise TelegramApiError(
                        404, f"Not Found: method {method!r} is not implemented by FakeBotApi"
                    )
                result = await handler(params)
        except TelegramApiError as err:
            if err.status == 409 and request.transport is None:
                # Superseded long-poll whose client is already gone: nobody sees it.
                return web.json_response({"ok": False}, status=409)
            return self._error_response(
                method, params, err.status, err.description, parameters=err.parameters
            )
        finally:
            self._notify()
        return web.json_response({"ok": True, "result": result})

    def _error_response(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        description: str,
        *,
        parameters: dict[str, Any] | None = None,
    ) -> web.Response:
        self.errors.append(ApiErrorRecord(method, params, status, description))
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        self.calls.append(ApiCall("downloadFile", {"file_path": path}, time.monotonic()))
        for stored in self.files.values():
            if stored.file_path == path:
                return web.Response(
                    body=stored.data, content_type=stored.mime_type or "application/octet-stream"
                )
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    # ================================================================ helpers

    def now(self) -> int:
        """Unix time used for message ``date`` fields."""
        return int(self._clock())

    def _require_chat_state(self, chat_id: int) -> _ChatState:
        state = self._chats.get(chat_id)
        if state is None:
            raise KeyError(f"unknown chat {chat_id}; create it with api.user({chat_id})")
        return state

    def _chat(self, params: dict[str, Any], *, for_send: bool = False) -> _ChatState:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if not isinstance(chat_id, int):
            raise bad_request("chat not found")
        state = self._chats.get(chat_id)
        if state is None:
            if self.strict_chats or chat_id < 0:
                raise bad_request("chat not found")
            self.user(chat_id)
            state = self._chats[chat_id]
        if for_send and state.blocked:
            raise TelegramApiError(403, BLOCKED)
        return state

    def _parse(self, text: str, parse_mode: Any) -> ParsedText:
        try:
            return parse_formatted(text, parse_mode if isinstance(parse_mode, str) else None)
        except EntityParseError as err:
            raise TelegramApiError(400, err.description) from err

    def _parse_message_text(self, params: dict[str, Any]) -> tuple[str, ParsedText]:
        text = params.get("text")
        if text is None or text == "":
            raise bad_request("message text is empty")
        text = str(text)
        parsed = self._parse(text, params.get("parse_mode"))
        if not parsed.text.strip():
            raise bad_request("message text is empty")
        if len(parsed.text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return text, parsed

    def _parse_caption(self, params: dict[str, Any]) -> tuple[str | None, ParsedText]:
        caption = params.get("caption")
        if caption is None or caption == "":
            return None, ParsedText("")
        caption = str(caption)
        parsed = self._parse(caption, params.get("parse_mode"))
        if len(parsed.text) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        return caption, parsed

    @staticmethod
    def _validate_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
        """Check reply_markup like Telegram does; empty inline keyboards become None."""
        if markup is None or markup == "":
            return None
        if isinstance(markup, str):
            try:
                markup = json.loads(markup)
            except ValueError as exc:
                raise bad_request("can't parse reply keyboard markup JSON object") from exc
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise bad_request(
                            "can't parse inline keyboard button: Text must be a String"
                        )
                    data = button.get("callback_data")
                    if data is not None:
                        if not isinstance(data, str):
                            raise bad_request("BUTTON_DATA_INVALID")
                        size = len(data.encode("utf-8"))
                        if size == 0 or size > MAX_CALLBACK_DATA_BYTES:
                            raise bad_request("BUTTON_DATA_INVALID")
                    url = button.get("url")
                    if url is not None and not re.match(r"^(https?|tg)://\S+$", str(url)):
                        raise bad_request(f"inline keyboard button URL '{url}' is invalid")
                    actions = set(button) - {"text"}
                    if not actions:
                        raise bad_request("text buttons are unallowed in the inline keyboard")
            if not any(rows):
                return None
            return markup
        if inline_only:
            raise bad_request("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise bad_request('can\'t find field "inline_keyboard"')

    def _apply_reply_keyboard(self, chat: _ChatState, markup: dict[str, Any] | None) -> None:
        if not markup:
            return
        if "keyboard" in markup:
            chat.reply_keyboard = [
                [b if isinstance(b, str) else str(b.get("text", "")) for b in row]
                for row in markup["keyboard"]
            ]
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None

    def _reply_to(self, chat: _ChatState, params: dict[str, Any]) -> int | None:
        reply = params.get("reply_parameters")
        mid: Any = None
        allow_missing = _truthy(params.get("allow_sending_without_reply", False))
        if isinstance(reply, dict):
            mid = _maybe_int(reply.get("message_id"))
            allow_missing = allow_missing or _truthy(reply.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            mid = params["reply_to_message_id"]
        if mid is None:
            return None
        target = chat.messages.get(mid) if isinstance(mid, int) else None
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return target.message_id

    def add_message(
        self,
        chat_id: int,
        *,
        from_bot: bool,
        text: str | None = None,
        raw: str | None = None,
        parse_mode: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        reply_markup: dict[str, Any] | None = None,
        document: StoredFile | None = None,
        photo: StoredFile | None = None,
        reply_to_message_id: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> SentMessage:
        """Append a message to a chat's history (used by send methods and fake users)."""
        chat = self._require_chat_state(chat_id)
        sender = self.bot_user if from_bot else self.user_json(chat_id)
        msg = SentMessage(
            chat_id=chat_id,
            message_id=chat.allocate_message_id(),
            date=self.now(),
            from_bot=from_bot,
            sender=sender,
            chat=dict(chat.chat),
            text=text,
            raw=raw if raw is not None else text,
            parse_mode=parse_mode,
            entities=list(entities or []),
            reply_markup=reply_markup,
            document=document,
            photo=photo,
            reply_to_message_id=reply_to_message_id,
            extra=dict(extra or {}),
        )
        chat.messages[msg.message_id] = msg
        self._notify()
        return msg

    def message_json(self, msg: SentMessage) -> dict[str, Any]:
        """Telegram ``Message`` JSON of a stored message (with reply_to_message)."""
        return msg.to_api(messages=self._chats[msg.chat_id].messages)

    def create_callback_query(self, user_id: int, message_id: int, data: str) -> str:
        """Register a callback query id the bot may answer (used by ``FakeUser``)."""
        qid = f"{user_id}{self._next_callback_no:08d}"
        self._next_callback_no += 1
        self._callbacks[qid] = _CallbackQuery(
            qid, user_id, user_id, message_id, data, time.monotonic()
        )
        return qid

    def expire_callback_queries(self) -> None:
        """Make all callback queries "too old" (simulate a slow bot)."""
        for query in self._callbacks.values():
            query.created = -1e9

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if not scope:
            scope = {"type": "default"}
        return json.dumps(scope, sort_keys=True)

    def _resolve_file(self, value: Any, kind: str) -> StoredFile:
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            return self.register_file(
                value.data,
                kind=kind,
                file_name=value.filename if kind == "document" else None,
                mime_type=value.content_type if kind == "document" else "image/jpeg",
            )
        if isinstance(value, str) and value:
            if value in self.files:
                return self.files[value]
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {kind} in the request")

    # ================================================================ methods

    async def _return_true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any], request: web.Request) -> list[Any]:
        if self.webhook_url:
            raise TelegramApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        offset = params.get("offset")
        limit = params.get("limit") or 100
        timeout = params.get("timeout") or 0
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            limit = 100
        if not isinstance(timeout, (int, float)):
            timeout = 0
        if isinstance(offset, int) and offset < 0:
            self._updates = self._updates[offset:]
        elif isinstance(offset, int) and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(timeout)
        while True:
            if generation != self._poll_generation:
                raise TelegramApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            if self._updates or self._closing:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=remaining)
        return copy.deepcopy(self._updates[:limit])

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if _truthy(params.get("drop_pending_updates", False)):
            self._updates.clear()
        return True

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        if url and not str(url).startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = str(url)
        if _truthy(params.get("drop_pending_updates", False)):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be an Array of at most 100 BotCommand")
        for cmd in commands:
            if not isinstance(cmd, dict) or not _COMMAND_RE.match(str(cmd.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            description = str(cmd.get("description", ""))
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self.my_commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return list(self.my_commands.get(key, []))

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self.my_commands.pop(key, None)
        return True

    async def _store_setting(self, method: str, params: dict[str, Any]) -> bool:
        self.bot_settings[method] = dict(params)
        return True

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params, for_send=True)
        raw, parsed = self._parse_message_text(params)
        markup = self._validate_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        self._apply_reply_keyboard(chat, markup)
        msg = self.add_message(
            chat.chat_id,
            from_bot=True,
            text=parsed.text,
            raw=raw,
            parse_mode=params.get("parse_mode"),
            entities=parsed.entities,
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )
        return self.message_json(msg)

    def _editable(self, params: dict[str, Any]) -> SentMessage:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(params)
        mid = params.get("message_id")
        msg = chat.messages.get(mid) if isinstance(mid, int) else None
        if msg is None or msg.deleted:
            raise bad_request("message to edit not found")
        if not msg.from_bot:
            raise bad_request("message can't be edited")
        return msg

    def _apply_edit(
        self,
        msg: SentMessage,
        *,
        text: str | None,
        raw: str | None,
        parse_mode: str | None,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        old_inline = msg.reply_markup if msg.inline_keyboard else None
        if text == msg.text and entities == msg.entities and markup == old_inline:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        msg.history.append(MessageVersion(msg.text, msg.raw, msg.reply_markup))
        msg.text, msg.raw, msg.parse_mode, msg.entities = text, raw, parse_mode, entities
        if markup is not None or old_inline is not None:
            # A reply keyboard sent with the message is not part of what edits replace.
            msg.reply_markup = markup
        msg.edit_date = self.now()
        return self.message_json(msg)

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._editable(params)
        if msg.is_media:
            raise bad_request("there is no text in the message to edit")
        raw, parsed = self._parse_message_text(params)
        markup = self._validate_markup(params.get("reply_markup"), inline_only=True)
        return self._apply_edit(
            msg,
            text=parsed.text,
            raw=raw,
            parse_mode=params.get("parse_mode"),
            entities=parsed.entities,
            markup=markup,
        )

    async def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._editable(params)
        if not msg.is_media:
            raise bad_request("there is no caption in the message to edit")
        raw, parsed = self._parse_caption(params)
        markup = self._validate_markup(params.get("reply_markup"), inline_only=True)
        return self._apply_edit(
            msg,
            text=parsed.text,
            raw=raw,
            parse_mode=params.get("parse_mode"),
            entities=parsed.entities,
            markup=markup,
        )

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._editable(params)
        markup = self._validate_markup(params.get("reply_markup"), inline_only=True)
        return self._apply_edit(
            msg,
            text=msg.text,
            raw=msg.raw,
            parse_mode=msg.parse_mode,
            entities=msg.entities,
            markup=markup,
        )

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        mid = params.get("message_id")
        msg = chat.messages.get(mid) if isinstance(mid, int) else None
        if msg is None or msg.deleted:
            raise bad_request("message to delete not found")
        msg.deleted = True
        return True

    async def _delete_messages(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must be an Array of 1-100 Integers")
        for mid in ids:
            msg = chat.messages.get(_maybe_int(mid))
            if msg is not None:
                msg.deleted = True
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        qid = str(params.get("callback_query_id") or "")
        query = self._callbacks.get(qid)
        if (
            query is None
            or query.answered
            or time.monotonic() - query.created > self.callback_query_timeout
        ):
            raise TelegramApiError(400, QUERY_TOO_OLD)
        query.answered = True
        self.callback_answers.append(
            {
                "callback_query_id": qid,
                "user_id": query.user_id,
                "message_id": query.message_id,
                "data": query.data,
                "text": params.get("text"),
                "show_alert": _truthy(params.get("show_alert", False)),
                "url": params.get("url"),
                "cache_time": params.get("cache_time"),
            }
        )
        return True

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params, for_send=True)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(str(action))
        return True

    async def _send_media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat = self._chat(params, for_send=True)
        stored = self._resolve_file(params.get(kind), kind)
        raw, parsed = self._parse_caption(params)
        markup = self._validate_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        self._apply_reply_keyboard(chat, markup)
        msg = self.add_message(
            chat.chat_id,
            from_bot=True,
            text=parsed.text if raw is not None else None,
            raw=raw,
            parse_mode=params.get("parse_mode"),
            entities=parsed.entities,
            reply_markup=markup,
            document=stored if kind == "document" else None,
            photo=stored if kind == "photo" else None,
            reply_to_message_id=reply_to,
        )
        return self.message_json(msg)

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "document")

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "photo")

    async def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        fid = str(params.get("file_id") or "")
        stored = self.files.get(fid)
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD_SIZE:
            raise bad_request("file is too big")
        return {
            "file_id": fid,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    async def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        return {
            **chat.chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    async def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        user_id = params.get("user_id")
        if user_id == self.bot_id:
            return {"status": "member", "user": self.bot_user}
        if not isinstance(user_id, int) or user_id not in self._users:
            raise bad_request("PARTICIPANT_ID_INVALID")
        if chat.chat["type"] == "private" and user_id != chat.chat_id:
            raise bad_request("user not found")
        return {"status": "member", "user": self.user_json(user_id)}

    def _existing(self, chat: _ChatState, params: dict[str, Any], action: str) -> SentMessage:
        mid = params.get("message_id")
        msg = chat.messages.get(mid) if isinstance(mid, int) else None
        if msg is None or msg.deleted:
            raise bad_request(f"message to {action} not found")
        return msg

    async def _pin_chat_message(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        msg = self._existing(chat, params, "pin")
        if msg.message_id in chat.pinned:
            chat.pinned.remove(msg.message_id)
        chat.pinned.append(msg.message_id)
        return True

    async def _unpin_chat_message(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        if params.get("message_id") is None:
            if chat.pinned:
                chat.pinned.pop()
            return True
        msg = self._existing(chat, params, "unpin")
        if msg.message_id in chat.pinned:
            chat.pinned.remove(msg.message_id)
        return True

    async def _unpin_all_chat_messages(self, params: dict[str, Any]) -> bool:
        self._chat(params).pinned.clear()
        return True

    async def _set_message_reaction(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        msg = self._existing(chat, params, "react")
        reaction = params.get("reaction") or []
        msg.bot_reaction = list(reaction) if isinstance(reaction, list) else []
        return True

    async def _forward_or_copy(self, params: dict[str, Any], *, forward: bool) -> dict[str, Any]:
        action = "forward" if forward else "copy"
        target = self._chat(params, for_send=True)
        source = self._chat({"chat_id": params.get("from_chat_id")})
        original = self._existing(source, params, action)
        text, raw, entities = original.text, original.raw, original.entities
        parse_mode = original.parse_mode
        markup: dict[str, Any] | None = None
        extra: dict[str, Any] = {k: v for k, v in original.extra.items() if k in ("contact",)}
        if forward:
            sender = original.sender
            origin: dict[str, Any] = {"date": original.date}
            if original.chat.get("type") == "private":
                origin.update(type="user", sender_user=dict(sender))
            else:
                origin.update(type="chat", sender_chat=dict(original.chat))
            extra["forward_origin"] = origin
        else:
            if params.get("caption") is not None and original.is_media:
                raw, parsed = self._parse_caption(params)
                text, entities, parse_mode = parsed.text, parsed.entities, params.get("parse_mode")
            markup = self._validate_markup(params.get("reply_markup"))
            self._apply_reply_keyboard(target, markup)
        msg = self.add_message(
            target.chat_id,
            from_bot=True,
            text=text,
            raw=raw,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,
            document=original.document,
            photo=original.photo,
            extra=extra,
        )
        if forward:
            return self.message_json(msg)
        return {"message_id": msg.message_id}


def _accepts_argument(func: Callable[..., Any]) -> bool:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return False
    positional = [
        p
        for p in sig.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
    ]
    return bool(positional)


def _short(params: dict[str, Any], limit: int = 160) -> str:
    shown = {
        k: (f"<file {v.filename!r} {len(v.data)}B>" if isinstance(v, UploadedFile) else v)
        for k, v in params.items()
    }
    text = json.dumps(shown, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."
