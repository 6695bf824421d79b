"""The bot's own log handler (``bot.logs.configure_logging``) writing into a string, with the
root logger put back as it was afterwards."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.logs import QUIET_LOGGERS, configure_logging


class CapturedLog:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict[str, Any]]:
        """The JSON lines (``LOG_FORMAT=json``) as dicts."""
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def events(self) -> list[dict[str, Any]]:
        return [r for r in self.records() if "event" in r]


@contextmanager
def bot_logging(log_format: str, secrets: list[str | None] | None = None) -> Iterator[CapturedLog]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    stream = io.StringIO()
    configure_logging(log_format, secrets or [], stream=stream)
    try:
        yield CapturedLog(stream)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
