"""Simulated humans talking to the bot through :class:`~.server.FakeBotApi`.

Why: conversation tests should read like a user session ("send /start, tap
'Sign'") and produce updates shaped exactly like Telegram's, referencing the
bot's real stored messages (so ``query.message`` and its keyboard are right).

Two ways to deliver an update:

* polling mode: ``user.enqueue_text("hi")`` / ``api.enqueue(user.text_update("hi"))``
  -- a bot polling the fake server (``start_polling`` or a subprocess) picks it up;
* direct mode: ``await user.send(app, "hi")`` -- runs
  ``app.process_update(Update.de_json(...))`` right away, deterministic, while all
  outgoing bot calls still travel through PTB's real HTTP layer to the fake server.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from telegram import Update

from .formatting import utf16_len

if TYPE_CHECKING:
    from typing import TypeAlias

    from telegram.ext import Application

    from .models import ChatView, SentMessage
    from .server import FakeBotApi

    AnyApp: TypeAlias = Application[Any, Any, Any, Any, Any, Any]

__all__ = ["ButtonMatcher", "FakeUser", "HandlerError", "process_update"]

ButtonMatcher = str | Callable[[str], bool]
"""Visible button text (exact, then substring, then case-insensitive) or a predicate."""

_PLACEHOLDER_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


class HandlerError(AssertionError):
    """A PTB handler raised while processing an update in direct mode."""


async def process_update(
    app: AnyApp,
    update: dict[str, Any],
    *,
    raise_errors: bool = True,
) -> None:
    """Feed one update dict to ``app`` and wait until its (blocking) handlers finish.

    Why: PTB swallows handler exceptions into error handlers/logs, which would let
    broken conversations pass silently. With ``raise_errors`` (default) the first
    handler exception is re-raised as :class:`HandlerError` (the app's own error
    handlers still run). Pass ``raise_errors=False`` to test the bot's own
    error handling.
    """
    captured: list[BaseException] = []

    async def capture(_update: object, context: Any) -> None:
        if context.error is not None:
            captured.append(context.error)

    app.add_error_handler(capture)
    try:
        await app.process_update(Update.de_json(copy.deepcopy(update), app.bot))
    finally:
        app.remove_error_handler(capture)
    if raise_errors and captured:
        err = captured[0]
        raise HandlerError(f"handler raised {type(err).__name__}: {err}") from err


class FakeUser:
    """A human in a private chat with the bot (chat id == user id).

    Create via :meth:`FakeBotApi.user`. ``*_update`` methods build update dicts
    (and record the user's own message in the chat history); ``enqueue_*``
    queue them for getUpdates; the async ``send``/``tap``/... methods process
    them directly through a PTB ``Application`` and return the new bot messages.
    """

    def __init__(self, api: FakeBotApi, user_id: int) -> None:
        self.api = api
        self.id = user_id

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    # ------------------------------------------------------------ identity / view

    @property
    def chat_id(self) -> int:
        """Private chat id (same as the user id, like in Telegram)."""
        return self.id

    @property
    def json(self) -> dict[str, Any]:
        """Telegram ``User`` JSON."""
        return self.api.user_json(self.id)

    @property
    def first_name(self) -> str:
        """Profile first name."""
        return str(self.json["first_name"])

    @property
    def chat(self) -> ChatView:
        """What this user sees: ``user.chat.last_text``, ``user.chat.messages``..."""
        return self.api.chat(self.id)

    def block_bot(self) -> None:
        """The user blocks the bot: later sends fail with 403."""
        self.api.block_chat(self.id)

    def unblock_bot(self) -> None:
        """The user unblocks the bot."""
        self.api.unblock_chat(self.id)

    # ------------------------------------------------------------ update builders

    def _message_update(
        self,
        *,
        text: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
        document: Any = None,
        photo: Any = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        msg = self.api.add_message(
            self.id,
            from_bot=False,
            text=text,
            entities=entities,
            extra=extra,
            document=document,
            photo=photo,
            reply_to_message_id=reply_to_message_id,
        )
        return {"update_id": self.api.next_update_id(), "message": self.api.message_json(msg)}

    def text_update(self, text: str, *, reply_to_message_id: int | None = None) -> dict[str, Any]:
        """A text message update; ``/cmd args`` gets a ``bot_command`` entity."""
        entities: list[dict[str, Any]] = []
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        return self._message_update(
            text=text, entities=entities, reply_to_message_id=reply_to_message_id
        )

    def command_update(self, command: str, payload: str | None = None) -> dict[str, Any]:
        """``/command [payload]`` (e.g. deep link ``/start <payload>``)."""
        command = command if command.startswith("/") else "/" + command
        return self.text_update(f"{command} {payload}" if payload else command)

    def tap_update(self, message_id: int, callback_data: str) -> dict[str, Any]:
        """A callback_query for ``callback_data`` on bot message ``message_id``.

        The data is not checked against the keyboard, so stale/forged taps can be
        simulated; the message itself must exist (users can't tap deleted ones).
        """
        msg = self.chat.message(message_id)
        if msg.deleted:
            raise AssertionError(f"message {message_id} was deleted; it can't be tapped")
        qid = self.api.create_callback_query(self.id, message_id, callback_data)
        return {
            "update_id": self.api.next_update_id(),
            "callback_query": {
                "id": qid,
                "from": self.json,
                "message": self.api.message_json(msg),
                "chat_instance": str(-(abs(self.id) * 7919 % 10**18) - 1),
                "data": callback_data,
            },
        }

    def find_button(
        self, button: ButtonMatcher, message_id: int | None = None
    ) -> tuple[SentMessage, dict[str, Any]]:
        """Locate an inline button by visible text on a message; AssertionError if absent."""
        chat = self.chat
        msg = chat.message(message_id) if message_id is not None else chat.last_with_keyboard
        if msg is None or msg.deleted:
            raise AssertionError(
                f"no bot message with an inline keyboard in chat {self.id}:\n{chat.dump()}"
            )
        buttons = [b for row in msg.inline_keyboard for b in row]
        if callable(button):
            matches = [b for b in buttons if button(str(b.get("text", "")))]
            exact = True
        else:
            matches = [b for b in buttons if b.get("text") == button]
            exact = bool(matches)
            if not matches:
                matches = [b for b in buttons if button in str(b.get("text", ""))]
            if not matches:
                low = button.casefold()
                matches = [b for b in buttons if low in str(b.get("text", "")).casefold()]
        available = [str(b.get("text")) for b in buttons]
        if not matches:
            raise AssertionError(
                f"button {button!r} not found on message {msg.message_id} "
                f"({msg.text!r}); available buttons: {available}"
            )
        if len(matches) > 1 and not exact:
            raise AssertionError(
                f"button {button!r} is ambiguous on message {msg.message_id}: "
                f"{[b.get('text') for b in matches]}"
            )
        return msg, matches[0]

    def tap_button_update(
        self, button: ButtonMatcher, message_id: int | None = None
    ) -> dict[str, Any]:
        """Tap an inline button found by text (default: newest bot keyboard message)."""
        msg, found = self.find_button(button, message_id)
        if "callback_data" not in found:
            raise AssertionError(f"button {found.get('text')!r} is not a callback button: {found}")
        return self.tap_update(msg.message_id, str(found["callback_data"]))

    def contact_update(
        self,
        phone_number: str = "+5511999990000",
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        user_id: int | None = None,
        own_contact: bool = True,
        vcard: str | None = None,
    ) -> dict[str, Any]:
        """A shared contact; by default the user's own (``contact.user_id`` = own id).

        Pass ``own_contact=False`` (and optionally another ``user_id``) for a
        third party's contact.
        """
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.first_name,
        }
        if last_name:
            contact["last_name"] = last_name
        uid = user_id if user_id is not None else (self.id if own_contact else None)
        if uid is not None:
            contact["user_id"] = uid
        if vcard:
            contact["vcard"] = vcard
        return self._message_update(extra={"contact": contact})

    def forwarded_text_update(
        self, text: str, from_user: FakeUser | dict[str, Any] | str, *, date: int | None = None
    ) -> dict[str, Any]:
        """A forwarded text. ``from_user`` str -> hidden-user origin (privacy setting)."""
        origin: dict[str, Any] = {"date": date or self.api.now() - 60}
        if isinstance(from_user, str):
            origin.update(type="hidden_user", sender_user_name=from_user)
        else:
            sender = from_user.json if isinstance(from_user, FakeUser) else dict(from_user)
            origin.update(type="user", sender_user=sender)
        return self._message_update(text=text, extra={"forward_origin": origin})

    def photo_update(
        self,
        file_id: str | None = None,
        *,
        data: bytes = _PLACEHOLDER_JPEG,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """A photo message; the bytes are downloadable via getFile."""
        stored = (
            self.api.files[file_id]
            if file_id and file_id in self.api.files
            else self.api.register_file(data, kind="photo", mime_type="image/jpeg", file_id=file_id)
        )
        return self._message_update(text=caption, photo=stored)

    def document_update(
        self,
        data: bytes = b"%PDF-1.4\n%fake\n",
        *,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        file_id: str | None = None,
    ) -> dict[str, Any]:
        """A document upload from the user; the bytes are downloadable via getFile."""
        stored = self.api.register_file(
            data, kind="document", file_name=file_name, mime_type=mime_type, file_id=file_id
        )
        return self._message_update(text=caption, document=stored)

    # ------------------------------------------------------------ polling mode

    def enqueue_text(self, text: str) -> dict[str, Any]:
        """Queue a text message for getUpdates."""
        return self.api.enqueue(self.text_update(text))

    def enqueue_tap(self, button: ButtonMatcher, message_id: int | None = None) -> dict[str, Any]:
        """Queue a button tap (found by text) for getUpdates."""
        return self.api.enqueue(self.tap_button_update(button, message_id))

    # ------------------------------------------------------------ direct mode

    async def process(
        self,
        app: AnyApp,
        update: dict[str, Any],
        *,
        raise_errors: bool = True,
    ) -> list[SentMessage]:
        """Process ``update`` in ``app``; return bot messages *sent* meanwhile in this chat.

        Edits are not in the result -- inspect ``user.chat`` for those.
        """
        before = {m.message_id for m in self.chat.all_messages} | {
            m.message_id for m in self.chat.deleted_messages
        }
        await process_update(app, update, raise_errors=raise_errors)
        return [m for m in self.chat.messages if m.message_id not in before]

    async def send(self, app: AnyApp, text: str, *, raise_errors: bool = True) -> list[SentMessage]:
        """User types ``text`` (commands included); returns new bot messages."""
        return await self.process(app, self.text_update(text), raise_errors=raise_errors)

    async def tap(
        self,
        app: AnyApp,
        button: ButtonMatcher,
        message_id: int | None = None,
        *,
        raise_errors: bool = True,
    ) -> list[SentMessage]:
        """User taps the inline button with this text; returns new bot messages."""
        update = self.tap_button_update(button, message_id)
        return await self.process(app, update, raise_errors=raise_errors)

    async def tap_data(
        self,
        app: AnyApp,
        message_id: int,
        data: str,
        *,
        raise_errors: bool = True,
    ) -> list[SentMessage]:
        """User produces a callback query with raw ``data`` on ``message_id``."""
        return await self.process(app, self.tap_update(message_id, data), raise_errors=raise_errors)

    async def send_contact(
        self, app: AnyApp, phone_number: str = "+5511999990000", **kwargs: Any
    ) -> list[SentMessage]:
        """User shares a contact (see :meth:`contact_update` for kwargs)."""
        raise_errors = kwargs.pop("raise_errors", True)
        update = self.contact_update(phone_number, **kwargs)
        return await self.process(app, update, raise_errors=raise_errors)

    async def forward_text(
        self,
        app: AnyApp,
        text: str,
        from_user: FakeUser | dict[str, Any] | str,
        *,
        raise_errors: bool = True,
    ) -> list[SentMessage]:
        """User forwards a text message originally from ``from_user``."""
        update = self.forwarded_text_update(text, from_user)
        return await self.process(app, update, raise_errors=raise_errors)

    async def send_photo(self, app: AnyApp, **kwargs: Any) -> list[SentMessage]:
        """User sends a photo (see :meth:`photo_update` for kwargs)."""
        raise_errors = kwargs.pop("raise_errors", True)
        return await self.process(app, self.photo_update(**kwargs), raise_errors=raise_errors)

    async def send_document(self, app: AnyApp, **kwargs: Any) -> list[SentMessage]:
        """User uploads a document (see :meth:`document_update` for kwargs)."""
        raise_errors = kwargs.pop("raise_errors", True)
        return await self.process(app, self.document_update(**kwargs), raise_errors=raise_errors)
