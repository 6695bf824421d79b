"""Contract and amendment PDFs (an adapter): printouts in, PDF bytes out.

- :mod:`.renderer` - :class:`PdfRenderer`: templates → HTML → WeasyPrint in one worker thread,
  deterministic bytes, cached per contract version;
- :mod:`.fetcher` - the URL fetcher that lets a template load local files only;
- :mod:`.formatting` - amounts in words, speeds, shares and the labels a contract prints;
- :mod:`.cache` - the memory + folder cache of rendered PDFs;
- :mod:`.cli` - ``contractbot render-contract`` / ``render-amendment``.
"""

from __future__ import annotations

from bot.pdf.fetcher import AssetRefused, make_url_fetcher
from bot.pdf.formatting import money_words, number_words
from bot.pdf.renderer import DEFAULT_TEMPLATES_DIR, PdfRenderer

__all__ = [
    "DEFAULT_TEMPLATES_DIR",
    "AssetRefused",
    "PdfRenderer",
    "make_url_fetcher",
    "money_words",
    "number_words",
]
