"""Logging for ``contractbot run``: one line per meaningful event, text or JSON, no secrets.

Modules log events with the standard library and an ``event`` in ``extra``::

    log.info("action created", extra={"event": "action.created", "action_id": 7})

The text format appends the extra fields as ``key=value``; ``LOG_FORMAT=json`` writes one JSON
object per line with them as keys. Every line, exception text included, goes through
:class:`Redactor` first: the bot token, the webhook and metrics secrets, acceptance tokens in
paths and any valid CPF/CNPJ are masked before anything reaches the output.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.domain.documents import is_valid_cnpj, is_valid_cpf, mask_document

# Libraries whose INFO lines are noise for an operator: fontTools logs every glyph table it
# subsets for each PDF; APScheduler (PTB's JobQueue) two lines per run of a repeating job;
# httpx one line per Bot API call (with the token in the URL).
QUIET_LOGGERS = ("fontTools", "apscheduler", "httpx", "httpcore", "weasyprint.progress")

_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
_BOT_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}")
_ACCEPTANCE_PATH = re.compile(r"/aceite/[^/\s?\"']+")
_DOCUMENT = re.compile(
    r"(?<![\w.])(\d{3}\.?\d{3}\.?\d{3}-?\d{2}|[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}/?[0-9A-Z]{4}-?\d{2})(?![\w])"
)


class Redactor:
    """Masks secrets and personal documents in a piece of log text."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        text = _BOT_TOKEN.sub("<bot-token>", text)
        text = _ACCEPTANCE_PATH.sub("/aceite/<token>", text)
        return _DOCUMENT.sub(_mask_if_document, text)


def _mask_if_document(match: re.Match[str]) -> str:
    found = match.group(0)
    chars = "".join(c for c in found if c.isalnum())
    if (len(chars) == 11 and is_valid_cpf(chars)) or (len(chars) == 14 and is_valid_cnpj(chars)):
        return mask_document(chars)
    return found


def event_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The ``extra`` a record was logged with (``event``, ids, …)."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}


class RedactingFilter(logging.Filter):
    """Handler filter: renders the message (and the traceback) and masks it, so no formatter
    and no test capture ever sees the raw text."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        for key, value in event_fields(record).items():
            if isinstance(value, str):
                setattr(record, key, self.redactor(value))
        return True


class TextFormatter(logging.Formatter):
    """``2026-11-29 20:00:00,000 INFO bot.x: action created event=action.created action_id=7``"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        fields = event_fields(record)
        if fields:
            line += " " + " ".join(f"{k}={v}" for k, v in fields.items())
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the extra fields
    and the traceback, if any."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **event_fields(record),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exception"] = record.exc_text
        return json.dumps(data, ensure_ascii=False, default=str)


def configure_logging(
    log_format: str,
    secrets: Iterable[str | None] = (),
    *,
    stream: TextIO | None = None,
    level: int = logging.INFO,
) -> logging.Handler:
    """Replace the root logger's handlers with one redacting handler in ``log_format``
    (``text`` or ``json``) and quiet the chatty libraries. Returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactingFilter(Redactor(secrets)))
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
