"""Configuration checked at start: every invalid value stops the bot with its own line in the
configured language; risky values only warn; the default database has a fixed home."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main, startup_warnings
from bot.config import ConfigError, config_warnings, load_settings

GOOD = {
    "PUBLIC_URL": "https://aceite.provedor.com.br",
    "PROVIDER_NAME": "Fibra Sul Telecom Ltda.",
    "PROVIDER_CNPJ": "04.252.011/0001-10",
    "PROVIDER_EMAIL": "contato@fibrasul.com.br",
    "XDG_DATA_HOME": "/srv/data",
}


def test_every_invalid_value_gets_one_line_in_portuguese(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "WEB_PORT": "80a",
        "CONTRACTBOT_ADMINS": "123, abc",
        "CONTRACTBOT_TIMEZONE": "America/Atlantida",
        "ACCEPTANCE_TTL_DAYS": "0",
        "TRUSTED_PROXIES": "10.0.0.0/8,proxy",
        "LOG_FORMAT": "xml",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CONTRACTBOT_LOCALE", raising=False)

    assert main(["db", "current"]) == 2

    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        "Configuração inválida: CONTRACTBOT_TIMEZONE: fuso horário desconhecido "
        "'America/Atlantida' (ex.: America/Sao_Paulo).",
        "Configuração inválida: TRUSTED_PROXIES: 'proxy' não é um IP nem uma rede.",
        "Configuração inválida: WEB_PORT: precisa ser um número inteiro, veio '80a'.",
        "Configuração inválida: LOG_FORMAT: precisa ser um de text, json, veio 'xml'.",
        "Configuração inválida: CONTRACTBOT_ADMINS: precisa ser uma lista de ids de usuário "
        "do Telegram separados por vírgula, veio '123, abc'.",
        "Configuração inválida: ACCEPTANCE_TTL_DAYS: precisa ser um número de dias maior que "
        "zero, veio '0'.",
    ]


def test_errors_follow_the_configured_language(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTRACTBOT_LOCALE", "en")
    monkeypatch.setenv("WEB_PORT", "70000")
    assert main(["db", "current"]) == 2
    assert capsys.readouterr().err.strip() == (
        "Invalid configuration: WEB_PORT: must be between 1 and 65535, got 70000."
    )


def test_a_good_configuration_has_no_warnings() -> None:
    assert config_warnings(load_settings(GOOD)) == []


@pytest.mark.parametrize(
    ("changes", "keys"),
    [
        ({"PUBLIC_URL": ""}, ["public_url_loopback"]),
        ({"PUBLIC_URL": "http://localhost:8080"}, ["public_url_loopback"]),
        ({"PUBLIC_URL": "http://aceite.provedor.com.br"}, ["public_url_http"]),
        ({"PROVIDER_NAME": ""}, ["provider_demo"]),
        ({"PROVIDER_CNPJ": "04.252.011/0001-11"}, ["provider_cnpj_invalid"]),
    ],
)
def test_risky_values_warn(changes: dict[str, str], keys: list[str]) -> None:
    settings = load_settings({**GOOD, **changes})
    assert [w.key for w in config_warnings(settings)] == keys


def test_the_default_configuration_warns_about_links_and_demo_data() -> None:
    warnings = config_warnings(load_settings({}))
    assert [w.key for w in warnings] == [
        "public_url_loopback",
        "provider_demo",
        "provider_demo",
        "provider_demo",
    ]
    assert [w.params["name"] for w in warnings[1:]] == [
        "PROVIDER_NAME",
        "PROVIDER_CNPJ",
        "PROVIDER_EMAIL",
    ]


def test_the_default_database_lives_in_a_fixed_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    here = load_settings({"XDG_DATA_HOME": "/srv/data"})
    monkeypatch.chdir("/")
    there = load_settings({"XDG_DATA_HOME": "/srv/data"})
    assert here.database_url == there.database_url
    assert here.database_url == "sqlite+aiosqlite:////srv/data/contractbot/contractbot.db"
    assert here.data_dir == Path("/srv/data/contractbot")
    own = load_settings({"CONTRACTBOT_DATA_DIR": "/var/lib/contractbot"})
    assert own.database_url == "sqlite+aiosqlite:////var/lib/contractbot/contractbot.db"


def test_a_database_left_in_the_old_place_is_pointed_out(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "contractbot.db").write_bytes(b"")
    settings = load_settings({**GOOD, "CONTRACTBOT_DATA_DIR": str(tmp_path / "data")})
    [warning] = startup_warnings(settings, cwd=tmp_path)
    assert warning.key == "legacy_database"
    assert warning.params["old"] == str(tmp_path / "var" / "contractbot.db")
    explicit = load_settings({**GOOD, "DATABASE_URL": "sqlite:///x.db"})
    assert startup_warnings(explicit, cwd=tmp_path) == []


def test_config_error_lists_every_problem() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"WEB_PORT": "x", "METRICS_PORT": "y", "STAFF_GROUP_CHAT_ID": "grupo"})
    assert [(p.key, p.params["name"]) for p in caught.value.problems] == [
        ("bad_int", "WEB_PORT"),
        ("bad_int", "METRICS_PORT"),
        ("bad_int", "STAFF_GROUP_CHAT_ID"),
    ]
