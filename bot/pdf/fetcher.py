"""The URL fetcher WeasyPrint is handed: files inside the templates folder, nothing else.

A contract render never touches the network. Templates may load files that live inside the
templates folder (the stylesheet, a logo); any other URL (http, https, data, a file elsewhere)
is refused before any I/O, and rendering carries on without it.
"""

from __future__ import annotations

import functools
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname


class AssetRefused(ValueError):
    """A template asked for a resource outside the templates folder (e.g. a remote URL)."""


def _local_asset(root: Path, url: str) -> Path:
    """The file ``url`` names if it is a regular file inside ``root``, else raise."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise AssetRefused(f"only local template assets may be loaded, refused {url[:200]!r}")
    path = Path(url2pathname(parts.path)).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise AssetRefused(f"asset outside the templates folder refused: {url[:200]!r}")
    return path


@functools.cache
def _fetcher_class() -> type:
    """A WeasyPrint ``URLFetcher`` that serves files under one folder and refuses the rest.

    Built lazily so importing this module does not load WeasyPrint (the CLI's other commands
    start faster).
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        def __init__(self, root: Path, on_refused: Callable[[str], None]) -> None:
            super().__init__(timeout=1, allowed_protocols=("file",), allow_redirects=False)
            self._root = root
            self._on_refused = on_refused

        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                path = _local_asset(self._root, url)
            except AssetRefused:
                self._on_refused(url)
                raise
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime}
            )

    return LocalOnlyFetcher


def make_url_fetcher(root: Path, on_refused: Callable[[str], None] | None = None) -> Any:
    """The fetcher handed to WeasyPrint: only files inside ``root``, nothing else."""
    root = root.resolve()
    refused = on_refused or (lambda _url: None)
    try:
        cls = _fetcher_class()
    except ImportError:  # pragma: no cover - WeasyPrint < 68 takes a plain function

        def fetch(url: str) -> dict[str, Any]:
            try:
                path = _local_asset(root, url)
            except AssetRefused:
                refused(url)
                raise
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return {"string": path.read_bytes(), "mime_type": mime, "redirected_url": url}

        return fetch
    return cls(root, refused)


__all__ = ["AssetRefused", "make_url_fetcher"]
