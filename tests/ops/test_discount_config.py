"""DISCOUNT_APPROVAL_PERCENT and VALUE_ABOVE_LIST_PERCENT: read at start, one clear line each
when unusable, ``0``/``off`` turning the approval gate off."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import ConfigError, load_settings
from bot.domain.approval import DiscountPolicy


@pytest.mark.parametrize(
    ("raw", "percent"), [("", 20), ("25", 25), ("15%", 15), ("0", 0), ("off", 0), ("OFF", 0)]
)
def test_the_approval_limit_is_read(raw: str, percent: int) -> None:
    settings = load_settings({"DISCOUNT_APPROVAL_PERCENT": raw, "XDG_DATA_HOME": "/srv"})
    assert settings.discount == DiscountPolicy(percent, 20)
    assert settings.discount.gate_on is (percent > 0)


@pytest.mark.parametrize("raw", ["abc", "100", "-5", "12,5"])
def test_an_unusable_limit_is_one_problem(raw: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({"DISCOUNT_APPROVAL_PERCENT": raw, "XDG_DATA_HOME": "/srv"})
    assert [(p.key, p.params["name"]) for p in err.value.problems] == [
        ("approval.bad_percent", "DISCOUNT_APPROVAL_PERCENT")
    ]


def test_the_cli_says_it_in_one_portuguese_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONTRACTBOT_LOCALE", raising=False)
    monkeypatch.setenv("DISCOUNT_APPROVAL_PERCENT", "muito")
    monkeypatch.setenv("VALUE_ABOVE_LIST_PERCENT", "0")

    assert main(["db", "current"]) == 2

    assert capsys.readouterr().err.strip().splitlines() == [
        "Configuração inválida: DISCOUNT_APPROVAL_PERCENT: precisa ser um número inteiro de 0 "
        "a 99 (0 ou off desliga a aprovação de descontos), veio 'muito'.",
        "Configuração inválida: VALUE_ABOVE_LIST_PERCENT: precisa estar entre 1 e 1000, veio 0.",
    ]
