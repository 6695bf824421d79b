"""DIGEST_TIME and PENDING_STALE_DAYS: checked at start with one clear line each."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import load_settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", time(8, 0)), ("07:30", time(7, 30)), ("7:05", time(7, 5)), ("off", None), ("OFF", None)],
)
def test_digest_time_values(raw: str, expected: time | None) -> None:
    assert load_settings({"DIGEST_TIME": raw}).digest_time == expected


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.digest_time == time(8, 0)
    assert settings.stale_days == 3


@pytest.mark.parametrize("raw", ["8h", "24:00", "08:60", "8", "08:5", "manhã"])
def test_an_invalid_digest_time_stops_with_one_line(
    raw: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONTRACTBOT_LOCALE", raising=False)
    monkeypatch.setenv("DIGEST_TIME", raw)
    monkeypatch.setenv("PENDING_STALE_DAYS", "0")
    assert main(["db", "current"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"Configuração inválida: DIGEST_TIME: precisa ser um horário HH:MM (ex.: 08:00) ou off, "
        f"veio {raw!r}.",
        "Configuração inválida: PENDING_STALE_DAYS: precisa estar entre 1 e 365, veio 0.",
    ]
