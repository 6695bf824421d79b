"""Telegram-like parsing of formatted message text (HTML, MarkdownV2, legacy Markdown).

Why: the real Bot API rejects badly formatted text with
``400 Bad Request: can't parse entities: ...``. Bots that forget to escape user
input only fail in production unless the fake server enforces the same rules,
so this module converts formatted text into ``(plain_text, entities)`` exactly
like Telegram would, or raises :class:`EntityParseError`.

Entity offsets/lengths are in UTF-16 code units, like the real API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EntityParseError",
    "ParsedText",
    "parse_formatted",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]

HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

_NAMED_ENTITIES: dict[str, str] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_TAG_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTR_RE = re.compile(
    r"\s*([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?"
)

MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")


class EntityParseError(ValueError):
    """Formatted text that Telegram would refuse; ``description`` is the API error text."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"Bad Request: can't parse entities: {detail}")

    @property
    def description(self) -> str:
        """Full Bot API ``description`` string for the 400 response."""
        return str(self)


@dataclass
class ParsedText:
    """Plain text as the user sees it plus Telegram ``MessageEntity`` dicts."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (the unit Telegram uses for entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _sorted(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def parse_formatted(text: str, parse_mode: str | None) -> ParsedText:
    """Dispatch on ``parse_mode`` (case-insensitive, like Telegram); ``None`` means plain."""
    mode = (parse_mode or "").strip().lower()
    if not mode:
        return ParsedText(text)
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise EntityParseError(f'Unsupported parse_mode "{parse_mode}"')


# --------------------------------------------------------------------------- HTML


@dataclass
class _HtmlFrame:
    tag: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the plain text
    byte_offset: int
    language: str | None = None


def parse_html(source: str) -> ParsedText:
    """Parse Telegram-flavoured HTML; raise :class:`EntityParseError` like the real API."""
    out: list[str] = []
    out_len = 0  # UTF-16 length of "".join(out)
    stack: list[_HtmlFrame] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(source)

    def emit(chunk: str) -> None:
        nonlocal out_len
        out.append(chunk)
        out_len += utf16_len(chunk)

    while i < n:
        ch = source[i]
        if ch == "&":
            m = _ENTITY_RE.match(source, i)
            if not m:
                raise EntityParseError(
                    f"Character '&' at byte offset {_byte_offset(source, i)} does not start "
                    "a valid HTML entity; escape it as &amp;"
                )
            named, dec, hexa = m.groups()
            if named:
                emit(_NAMED_ENTITIES[named])
            else:
                code = int(dec) if dec else int(hexa, 16)
                if code == 0 or code > 0x10FFFF:
                    raise EntityParseError(
                        f"Invalid HTML entity at byte offset {_byte_offset(source, i)}"
                    )
                emit(chr(code))
            i = m.end()
            continue
        if ch != "<":
            j = i
            while j < n and source[j] not in "<&":
                j += 1
            emit(source[i:j])
            i = j
            continue

        byte_off = _byte_offset(source, i)
        if source.startswith("</", i):
            end = source.find(">", i)
            if end == -1:
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_off}")
            name = source[i + 2 : end].strip().lower()
            if not stack:
                raise EntityParseError(f'Unexpected end tag at byte offset {byte_off}: "</{name}>"')
            frame = stack[-1]
            if name != frame.tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {byte_off}, expected "</{frame.tag}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
            _close_html_frame(frame, out_len, stack, entities)
            i = end + 1
            continue

        m = _TAG_NAME_RE.match(source, i + 1)
        if not m:
            raise EntityParseError(f'Unsupported start tag "" at byte offset {byte_off}')
        name = m.group(0).lower()
        if name not in HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {byte_off}')
        j = m.end()
        attrs: dict[str, str] = {}
        while True:
            while j < n and source[j].isspace():
                j += 1
            if j >= n:
                raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {byte_off}')
            if source[j] == ">":
                j += 1
                break
            if source.startswith("/>", j):
                raise EntityParseError(
                    f'Self-closing tag "{name}" is not supported at byte offset {byte_off}'
                )
            am = _ATTR_RE.match(source, j)
            if not am or am.end() == j:
                raise EntityParseError(
                    f'Invalid attribute in tag "{name}" at byte offset {byte_off}'
                )
            value = next((g for g in am.groups()[1:] if g is not None), "")
            attrs[am.group(1).lower()] = _unescape_attr(value)
            j = am.end()
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_off}'
            )
        if name == "a" and not attrs.get("href"):
            # Telegram silently drops links without href; keep the text only.
            attrs["href"] = ""
        stack.append(_HtmlFrame(name, attrs, out_len, byte_off))
        i = j

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return ParsedText("".join(out), _sorted(entities))


def _unescape_attr(value: str) -> str:
    def repl(m: re.Match[str]) -> str:
        named, dec, hexa = m.groups()
        if named:
            return _NAMED_ENTITIES[named]
        return chr(int(dec) if dec else int(hexa, 16))

    return _ENTITY_RE.sub(repl, value)


def _close_html_frame(
    frame: _HtmlFrame, end: int, stack: list[_HtmlFrame], entities: list[dict[str, Any]]
) -> None:
    length = end - frame.start
    etype = HTML_TAGS[frame.tag]
    if frame.tag == "code" and stack and stack[-1].tag == "pre":
        cls = frame.attrs.get("class", "")
        if cls.startswith("language-"):
            stack[-1].language = cls.removeprefix("language-")
            return
    if length <= 0:
        return
    entity: dict[str, Any] = {"type": etype, "offset": frame.start, "length": length}
    if etype == "text_link":
        href = frame.attrs.get("href", "")
        if not href:
            return
        entity["url"] = href
    elif etype == "pre" and frame.language:
        entity["language"] = frame.language
    elif etype == "blockquote" and "expandable" in frame.attrs:
        entity["type"] = "expandable_blockquote"
    elif etype == "custom_emoji":
        entity["custom_emoji_id"] = frame.attrs.get("emoji-id", "")
    entities.append(entity)


# --------------------------------------------------------------------------- MarkdownV2

_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


@dataclass
class _MdFrame:
    etype: str
    start: int
    byte_offset: int


def parse_markdown_v2(source: str) -> ParsedText:
    """Parse MarkdownV2 with Telegram's strict escaping rules for reserved characters."""
    out: list[str] = []
    out_len = 0
    stack: list[_MdFrame] = []
    entities: list[dict[str, Any]] = []
    quote: _MdFrame | None = None
    quote_expandable = False
    i = 0
    n = len(source)

    def emit(chunk: str) -> None:
        nonlocal out_len
        out.append(chunk)
        out_len += utf16_len(chunk)

    def add(etype: str, start: int, **extra: Any) -> None:
        if out_len > start:
            entities.append({"type": etype, "offset": start, "length": out_len - start, **extra})

    def toggle(etype: str, pos: int) -> None:
        if stack and stack[-1].etype == etype:
            frame = stack.pop()
            add(etype, frame.start)
        elif any(f.etype == etype for f in stack):
            frame = next(f for f in stack if f.etype == etype)
            raise EntityParseError(
                f"Can't find end of {_MDV2_NAMES[etype]} entity at byte offset {frame.byte_offset}"
            )
        else:
            stack.append(_MdFrame(etype, out_len, _byte_offset(source, pos)))

    def close_quote() -> None:
        nonlocal quote, quote_expandable
        if quote is not None:
            add("expandable_blockquote" if quote_expandable else "blockquote", quote.start)
        quote = None
        quote_expandable = False

    def read_until(pos: int, terminator: str, etype: str) -> tuple[str, int]:
        """Read content up to ``terminator``; only backslash escapes are processed."""
        buf: list[str] = []
        j = pos
        while j < n:
            if source[j] == "\\" and j + 1 < n:
                buf.append(source[j + 1])
                j += 2
                continue
            if source.startswith(terminator, j):
                return "".join(buf), j + len(terminator)
            buf.append(source[j])
            j += 1
        raise EntityParseError(
            f"Can't find end of {etype} entity at byte offset {_byte_offset(source, pos)}"
        )

    at_line_start = True
    while i < n:
        ch = source[i]
        if at_line_start:
            at_line_start = False
            if source.startswith("**>", i) and quote is None:
                quote = _MdFrame("blockquote", out_len, _byte_offset(source, i))
                quote_expandable = True
                i += 3
                continue
            if ch == ">":
                if quote is None:
                    quote = _MdFrame("blockquote", out_len, _byte_offset(source, i))
                i += 1
                continue
            if quote is not None:
                close_quote()
        if ch == "\n":
            # The quote (if any) ends before this newline unless the next line continues it.
            nxt = i + 1
            continues = nxt < n and (source[nxt] == ">")
            if quote is not None and not continues:
                close_quote()
            emit("\n")
            i += 1
            at_line_start = True
            continue
        if ch == "\\":
            if i + 1 >= n:
                raise EntityParseError(
                    "Character '\\' is reserved and must be escaped with the preceding '\\'"
                )
            emit(source[i + 1])
            i += 2
            continue
        if source.startswith("```", i):
            start = out_len
            content, i = read_until(i + 3, "```", "Pre")
            language = None
            if "\n" in content:
                first, rest = content.split("\n", 1)
                if first and not any(c.isspace() for c in first):
                    language, content = first, rest
            emit(content)
            add("pre", start, **({"language": language} if language else {}))
            continue
        if ch == "`":
            start = out_len
            content, i = read_until(i + 1, "`", "Code")
            emit(content)
            add("code", start)
            continue
        if ch == "*":
            toggle("bold", i)
            i += 1
            continue
        if source.startswith("__", i):
            toggle("underline", i)
            i += 2
            continue
        if ch == "_":
            toggle("italic", i)
            i += 1
            continue
        if ch == "~":
            toggle("strikethrough", i)
            i += 1
            continue
        if source.startswith("||", i):
            at_end_of_line = i + 2 >= n or source[i + 2] == "\n"
            if quote_expandable and at_end_of_line and not any(f.etype == "spoiler" for f in stack):
                i += 2
                close_quote()
                continue
            toggle("spoiler", i)
            i += 2
            continue
        if source.startswith("![", i):
            stack.append(_MdFrame("custom_emoji", out_len, _byte_offset(source, i)))
            i += 2
            continue
        if ch == "[":
            stack.append(_MdFrame("text_link", out_len, _byte_offset(source, i)))
            i += 1
            continue
        if ch == "]" and stack and stack[-1].etype in ("text_link", "custom_emoji"):
            frame = stack.pop()
            if not source.startswith("(", i + 1):
                raise EntityParseError(
                    f"Can't find end of {_MDV2_NAMES[frame.etype]} entity at byte offset "
                    f"{frame.byte_offset}"
                )
            url, i = read_until(i + 2, ")", _MDV2_NAMES[frame.etype])
            if frame.etype == "custom_emoji":
                add("custom_emoji", frame.start, custom_emoji_id=url.rpartition("id=")[2])
            else:
                add("text_link", frame.start, url=url)
            continue
        if ch in MDV2_RESERVED:
            raise EntityParseError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        emit(ch)
        i += 1

    if stack:
        frame = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MDV2_NAMES[frame.etype]} entity at byte offset "
            f"{frame.byte_offset}"
        )
    close_quote()
    return ParsedText("".join(out), _sorted(entities))


# --------------------------------------------------------------------------- legacy Markdown

_MD_LEGACY = {"*": "bold", "_": "italic"}


def parse_markdown(source: str) -> ParsedText:
    """Parse legacy ``Markdown`` (no nesting; only ``_ * ` [`` are special)."""
    out: list[str] = []
    out_len = 0
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(source)

    def emit(chunk: str) -> None:
        nonlocal out_len
        out.append(chunk)
        out_len += utf16_len(chunk)

    def not_closed(pos: int) -> EntityParseError:
        return EntityParseError(
            f"Can't find end of the entity starting at byte offset {_byte_offset(source, pos)}"
        )

    while i < n:
        ch = source[i]
        if ch == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            emit(source[i + 1])
            i += 2
            continue
        start = out_len
        if source.startswith("```", i):
            end = source.find("```", i + 3)
            if end == -1:
                raise not_closed(i)
            content = source[i + 3 : end]
            language = None
            if "\n" in content:
                first, rest = content.split("\n", 1)
                if first and not any(c.isspace() for c in first):
                    language, content = first, rest
            emit(content)
            if out_len > start:
                entity: dict[str, Any] = {"type": "pre", "offset": start, "length": out_len - start}
                if language:
                    entity["language"] = language
                entities.append(entity)
            i = end + 3
            continue
        if ch in "*_`":
            end = source.find(ch, i + 1)
            if end == -1:
                raise not_closed(i)
            emit(source[i + 1 : end])
            if out_len > start:
                etype = _MD_LEGACY.get(ch, "code")
                entities.append({"type": etype, "offset": start, "length": out_len - start})
            i = end + 1
            continue
        if ch == "[":
            close = source.find("]", i + 1)
            if close == -1 or not source.startswith("(", close + 1):
                raise not_closed(i)
            url_end = source.find(")", close + 2)
            if url_end == -1:
                raise not_closed(i)
            emit(source[i + 1 : close])
            if out_len > start:
                entities.append(
                    {
                        "type": "text_link",
                        "offset": start,
                        "length": out_len - start,
                        "url": source[close + 2 : url_end],
                    }
                )
            i = url_end + 1
            continue
        emit(ch)
        i += 1
    return ParsedText("".join(out), _sorted(entities))
