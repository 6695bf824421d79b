"""The retention of the answered document is the provider's choice (default 90 days), and it
reaches the services the web page asks."""

from __future__ import annotations

from datetime import timedelta

from bot.app import build_core
from bot.config import load_settings


def test_default_and_configured_retention() -> None:
    assert load_settings({}).document_retention == timedelta(days=90)
    settings = load_settings(
        {"ACCEPTED_DOCUMENT_RETENTION_DAYS": "30", "DATABASE_URL": "sqlite+aiosqlite://"}
    )
    assert settings.document_retention == timedelta(days=30)
    assert build_core(settings).ctx.document_retention == timedelta(days=30)
