"""Plain data objects describing the fake server's state, used in test assertions.

Why: tests should assert on what a human would *see* in the chat (current text,
buttons, attached files) rather than on raw HTTP traffic, so every bot message
is kept as a :class:`SentMessage` with edits and deletions applied in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .server import FakeBotApi

__all__ = [
    "ApiCall",
    "ApiErrorRecord",
    "Button",
    "ChatView",
    "MessageVersion",
    "SentMessage",
    "StoredFile",
    "UploadedFile",
]

Button = tuple[str, str | None]
"""``(visible text, callback_data or url)`` of one inline keyboard button."""


class ApiCall(NamedTuple):
    """One HTTP request the bot made: ``(method, params, monotonic time)``."""

    method: str
    params: dict[str, Any]
    at: float


class ApiErrorRecord(NamedTuple):
    """An error response the fake server returned (``ok: false``)."""

    method: str
    params: dict[str, Any]
    status: int
    description: str


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (what PTB's ``InputFile`` became on the wire)."""

    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class StoredFile:
    """A file known to the server (uploaded by the bot or "sent" by a fake user)."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    file_path: str = ""

    @property
    def size(self) -> int:
        """Byte size, reported as ``file_size``."""
        return len(self.data)

    def document_json(self) -> dict[str, Any]:
        """Telegram ``Document`` object."""
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc

    def photo_json(self, width: int = 800, height: int = 600) -> list[dict[str, Any]]:
        """Telegram ``PhotoSize`` list (a thumbnail and the full size, as the API does)."""
        thumb_w, thumb_h = max(1, width // 10), max(1, height // 10)
        return [
            {
                "file_id": self.file_id + "_s",
                "file_unique_id": self.file_unique_id + "s",
                "width": thumb_w,
                "height": thumb_h,
                "file_size": min(self.size, 1024),
            },
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": width,
                "height": height,
                "file_size": self.size,
            },
        ]


@dataclass(frozen=True)
class MessageVersion:
    """A previous state of an edited message (for asserting on edit history)."""

    text: str | None
    raw: str | None
    reply_markup: dict[str, Any] | None


@dataclass
class SentMessage:
    """One message in a chat, as currently visible (edits applied).

    ``text`` is the plain text the user sees (tags stripped, HTML entities
    unescaped); for media messages it is the plain caption. ``raw`` is the text
    exactly as the bot sent it (``html`` is an alias). ``buttons`` lists inline
    keyboard rows as ``(text, callback_data or url)``.
    """

    chat_id: int
    message_id: int
    date: int
    from_bot: bool
    sender: dict[str, Any]
    chat: dict[str, Any]
    text: str | None = None
    raw: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    edit_date: int | None = None
    deleted: bool = False
    reply_to_message_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    history: list[MessageVersion] = field(default_factory=list)
    bot_reaction: list[dict[str, Any]] = field(default_factory=list)

    # ------------------------------------------------------------ convenience

    @property
    def html(self) -> str | None:
        """Alias of ``raw``: the text as sent (HTML source when parse_mode=HTML)."""
        return self.raw

    @property
    def is_media(self) -> bool:
        """True for document/photo messages (their text is a caption)."""
        return self.document is not None or self.photo is not None

    @property
    def caption(self) -> str | None:
        """Plain caption of a media message, else ``None``."""
        return self.text if self.is_media else None

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        """Raw inline keyboard rows (empty when there is none)."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard")
        return list(rows) if isinstance(rows, list) else []

    @property
    def buttons(self) -> list[list[Button]]:
        """Inline keyboard as rows of ``(text, callback_data or url)``."""
        return [
            [
                (
                    str(b.get("text", "")),
                    b.get("callback_data", b.get("url", b.get("switch_inline_query"))),
                )
                for b in row
            ]
            for row in self.inline_keyboard
        ]

    def button_texts(self) -> list[str]:
        """Visible texts of all inline buttons, row by row, flattened."""
        return [text for row in self.buttons for text, _ in row]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Texts of a ``ReplyKeyboardMarkup`` attached to this message, if any."""
        if not self.reply_markup or "keyboard" not in self.reply_markup:
            return None
        return [
            [b if isinstance(b, str) else str(b.get("text", "")) for b in row]
            for row in self.reply_markup["keyboard"]
        ]

    @property
    def document_bytes(self) -> bytes | None:
        """Content of the attached document, if any."""
        return self.document.data if self.document else None

    @property
    def document_name(self) -> str | None:
        """File name of the attached document, if any."""
        return self.document.file_name if self.document else None

    @property
    def was_edited(self) -> bool:
        """True when the message was edited at least once."""
        return bool(self.history)

    # ------------------------------------------------------------ wire format

    def to_api(
        self, *, include_reply: bool = True, messages: dict[int, SentMessage] | None = None
    ) -> dict[str, Any]:
        """Telegram ``Message`` JSON, as returned by send/edit methods and put in updates."""
        msg: dict[str, Any] = {
            "message_id": self.message_id,
            "from": dict(self.sender),
            "chat": dict(self.chat),
            "date": self.date,
        }
        if self.edit_date is not None:
            msg["edit_date"] = self.edit_date
        if (
            include_reply
            and self.reply_to_message_id is not None
            and messages is not None
            and self.reply_to_message_id in messages
        ):
            msg["reply_to_message"] = messages[self.reply_to_message_id].to_api(include_reply=False)
        text_key, entities_key = (
            ("caption", "caption_entities")
            if self.is_media
            else (
                "text",
                "entities",
            )
        )
        if self.document is not None:
            msg["document"] = self.document.document_json()
        if self.photo is not None:
            msg["photo"] = self.photo.photo_json()
        if self.text is not None and (self.text or not self.is_media):
            msg[text_key] = self.text
            if self.entities:
                msg[entities_key] = [dict(e) for e in self.entities]
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            # Telegram echoes only inline keyboards back in Message.reply_markup.
            msg["reply_markup"] = self.reply_markup
        msg.update(self.extra)
        return msg


class ChatView:
    """Live, read-only view of one chat as the human sees it.

    Why: assertions read nicer as ``api.chat(111).last_text`` than digging in
    request logs; the view always reflects the current server state.
    """

    def __init__(self, api: FakeBotApi, chat_id: int) -> None:
        self._api = api
        self.chat_id = chat_id

    def __repr__(self) -> str:
        return f"ChatView(chat_id={self.chat_id}, messages={len(self.messages)})"

    def _all(self) -> list[SentMessage]:
        state = self._api._chats.get(self.chat_id)
        if state is None:
            return []
        return [m for _, m in sorted(state.messages.items()) if not m.deleted]

    @property
    def messages(self) -> list[SentMessage]:
        """Current (not deleted) bot messages, oldest first."""
        return [m for m in self._all() if m.from_bot]

    @property
    def all_messages(self) -> list[SentMessage]:
        """Current messages from both sides (user and bot), oldest first."""
        return self._all()

    @property
    def deleted_messages(self) -> list[SentMessage]:
        """Bot messages that were deleted via deleteMessage(s)."""
        state = self._api._chats.get(self.chat_id)
        if state is None:
            return []
        return [m for _, m in sorted(state.messages.items()) if m.deleted and m.from_bot]

    def __iter__(self) -> Iterator[SentMessage]:
        return iter(self.messages)

    def __len__(self) -> int:
        return len(self.messages)

    @property
    def last(self) -> SentMessage | None:
        """Newest current bot message (``None`` if the bot said nothing)."""
        msgs = self.messages
        return msgs[-1] if msgs else None

    @property
    def last_text(self) -> str | None:
        """Plain text (or caption) of the newest bot message."""
        last = self.last
        return last.text if last else None

    @property
    def texts(self) -> list[str]:
        """Plain texts of all current bot messages, oldest first."""
        return [m.text or "" for m in self.messages]

    def message(self, message_id: int) -> SentMessage:
        """A message (either side, even deleted) by id; AssertionError if unknown."""
        state = self._api._chats.get(self.chat_id)
        if state is None or message_id not in state.messages:
            raise AssertionError(f"chat {self.chat_id} has no message {message_id}")
        return state.messages[message_id]

    @property
    def last_with_keyboard(self) -> SentMessage | None:
        """Newest current bot message that has an inline keyboard."""
        for msg in reversed(self.messages):
            if msg.inline_keyboard:
                return msg
        return None

    def button_texts(self, message_id: int | None = None) -> list[str]:
        """Inline button texts of ``message_id`` (default: newest message with a keyboard)."""
        msg = self.message(message_id) if message_id is not None else self.last_with_keyboard
        return msg.button_texts() if msg else []

    def find(self, needle: str) -> SentMessage | None:
        """Newest current bot message whose plain text contains ``needle``."""
        for msg in reversed(self.messages):
            if msg.text and needle in msg.text:
                return msg
        return None

    @property
    def documents(self) -> list[SentMessage]:
        """Current bot messages that carry a document."""
        return [m for m in self.messages if m.document is not None]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Reply keyboard currently shown to the user (set/removed by bot messages)."""
        state = self._api._chats.get(self.chat_id)
        return state.reply_keyboard if state else None

    @property
    def pinned(self) -> SentMessage | None:
        """Most recently pinned message that is still pinned (and not deleted)."""
        state = self._api._chats.get(self.chat_id)
        if state is None:
            return None
        for mid in reversed(state.pinned):
            msg = state.messages.get(mid)
            if msg is not None and not msg.deleted:
                return msg
        return None

    @property
    def actions(self) -> list[str]:
        """Chat actions sent via sendChatAction (e.g. ``"typing"``), in order."""
        state = self._api._chats.get(self.chat_id)
        return list(state.actions) if state else []

    def dump(self) -> str:
        """Human-readable transcript, handy in assertion messages."""
        lines = []
        for m in self._all():
            who = "bot" if m.from_bot else "user"
            body = m.text if m.text is not None else ""
            if m.document:
                body = f"[document {m.document.file_name!r}] {body}"
            if m.photo:
                body = f"[photo] {body}"
            lines.append(f"#{m.message_id} {who}: {body}")
            for row in m.buttons:
                lines.append("    " + " | ".join(f"[{t}]" for t, _ in row))
        return "\n".join(lines) or "(empty chat)"
