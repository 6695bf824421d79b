"""Jinja2 rendering of chat messages (Telegram HTML) in the user's language.

Templates under ``templates/messages`` hold the layout; words come from the catalogs through
``t``. The environment is the shared one (:mod:`bot.templating`): autoescape is on, so every
value from the database is escaped for Telegram's HTML mode, and money goes through ``brl``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.documents import format_document, mask_document
from bot.i18n import normalize_locale, t
from bot.templating import TEMPLATES_DIR, template_environment


class MessageRenderer:
    def __init__(
        self,
        timezone: ZoneInfo,
        templates_dir: Path = TEMPLATES_DIR,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.timezone = timezone
        self.clock = clock
        self.env = template_environment(
            templates_dir / "messages",
            filters={
                "date": self.fmt_date,
                "datetime": self.fmt_datetime,
                "time": self.fmt_time,
                "masked": masked_unbreakable,
                "document": format_document,
                "percent": format_tenths,
            },
        )

    def fmt_date(self, value: date | datetime | None) -> str:
        if value is None:
            return "-"
        if isinstance(value, datetime):
            value = value.astimezone(self.timezone).date()
        return value.strftime("%d/%m/%Y")

    def fmt_datetime(self, value: datetime | None) -> str:
        if value is None:
            return "-"
        return value.astimezone(self.timezone).strftime("%d/%m/%Y %H:%M")

    def fmt_time(self, value: datetime | None) -> str:
        """hh:mm where the provider is (the network state's "aplicado na rede (14:32)")."""
        if value is None:
            return "-"
        return value.astimezone(self.timezone).strftime("%H:%M")

    def render(self, name: str, locale: str | None, **data: Any) -> str:
        loc = normalize_locale(locale)
        template = self.env.get_template(f"{name}.html.j2")
        data.setdefault("today", self.clock().astimezone(self.timezone).date())
        return template.render(t=partial(t_kw, loc), locale=loc, **data).strip()


def format_tenths(tenths: int, locale: str | None = None) -> str:
    """A percentage given in tenths (``355`` → "35,5"; ``200`` → "20"), with the locale's
    decimal separator."""
    text = f"{tenths // 10}.{tenths % 10}".removesuffix(".0")
    return text.replace(".", ",") if normalize_locale(locale).startswith("pt") else text


NON_BREAKING_HYPHEN = "\u2011"


def masked_unbreakable(document: str) -> str:
    """The masked CPF/CNPJ for chat text, whose hyphen does not break ("***.456.789‑**" stays
    on one line); only this display changes, the stored and searched document does not."""
    return mask_document(document).replace("-", NON_BREAKING_HYPHEN)


def t_kw(locale: str, key: str, **params: Any) -> str:
    return t(key, locale, **params)
