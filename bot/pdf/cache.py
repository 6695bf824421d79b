"""Rendered PDFs kept for reuse: an in-memory LRU in front of a folder of files.

A contract version never changes once written, so its PDF is rendered once and then served
from here; the renderer's key carries everything the bytes depend on.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

log = logging.getLogger(__name__)


class PdfCache:
    """In-memory LRU in front of a folder of files; thread-safe; keys are file-name safe."""

    def __init__(self, folder: Path | None, max_items: int) -> None:
        self._folder = folder
        self._max = max_items
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            data = self._memory.get(key)
            if data is not None:
                self._memory.move_to_end(key)
                return data
        if self._folder is None:
            return None
        try:
            data = (self._folder / f"{key}.pdf").read_bytes()
        except OSError:
            return None
        self._remember(key, data)
        return data

    def put(self, key: str, data: bytes) -> None:
        self._remember(key, data)
        if self._folder is None:
            return
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._folder, prefix=".tmp-", suffix=".pdf")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self._folder / f"{key}.pdf")
        except OSError as exc:  # a full disk must not break sending the PDF
            log.warning("could not write PDF cache file for %s: %s", key, exc)

    def _remember(self, key: str, data: bytes) -> None:
        with self._lock:
            self._memory[key] = data
            self._memory.move_to_end(key)
            while len(self._memory) > self._max:
                self._memory.popitem(last=False)


__all__ = ["PdfCache"]
