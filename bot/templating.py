"""The one Jinja2 set-up shared by chat messages, contract PDFs and the web acceptance page.

Every template of the project is rendered by an environment from :func:`template_environment`:
autoescape on (every value from the database is escaped, for Telegram's HTML mode, for the PDF
and for the browser alike), no bidirectional-control character in any printed value, an
undefined name is an error instead of an empty string, block tags do not leave blank lines, and
money is written by one filter, :func:`brl` (``R$ 1.234,56``).
Each adapter adds the filters of its own medium (dates in the chat, amounts in words in the PDF).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from bot.domain.money import Money, format_brl
from bot.domain.safe_text import strip_bidi

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
"""``templates/``: ``messages/`` (chat), ``contracts/`` (PDF), ``web/`` (acceptance page)."""

MISSING = "—"
"""What a filter prints for a value that is not there."""


def brl(value: Money | int | None) -> str:
    """Money the Brazilian way, from :class:`Money` or integer cents; ``—`` when absent."""
    if value is None:
        return MISSING
    return format_brl(value.cents if isinstance(value, Money) else int(value))


def _without_bidi(value: Any) -> Any:
    """Every printed value loses bidirectional controls, stored or just typed (an echoed
    search, a name being confirmed): they would turn the rest of the line around."""
    if isinstance(value, Markup):
        return Markup(strip_bidi(value))
    return strip_bidi(value) if isinstance(value, str) else value


def template_environment(
    folder: Path, *, filters: dict[str, Callable[..., Any]] | None = None
) -> Environment:
    """An environment loading templates from ``folder``, with the shared rules and filters.

    Templates are re-read when their file changes, so an edited contract template is picked up
    without a restart (the PDF cache key covers the template sources too).
    """
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
        finalize=_without_bidi,
    )
    env.filters["brl"] = brl
    env.filters.update(filters or {})
    return env


__all__ = ["MISSING", "TEMPLATES_DIR", "brl", "template_environment"]
