"""``contractbot radius …`` as staff run it: profiles and logins set, bad input refused,
``sync --dry-run`` reports without writing, ``sync`` writes once, ``check`` compares."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.radius.freeradius import create_sqlite_schema, require_freeradius


@pytest.fixture
def dbs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    require_freeradius()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    radius = tmp_path / "radius.db"
    create_sqlite_schema(radius)
    monkeypatch.setenv("RADIUS_DATABASE_URL", f"sqlite:///{radius}")
    assert main(["demo-data"]) == 0
    return radius


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["radius", *argv])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def members(radius: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(radius) as db:
        return db.execute("SELECT username, groupname FROM radusergroup ORDER BY 1").fetchall()


def first_contract(tmp: Path) -> tuple[str, str]:
    with sqlite3.connect(tmp / "cli.db") as db:
        number, plan = db.execute(
            "SELECT c.number, p.name FROM contracts c JOIN plans p ON p.id = c.plan_id "
            "WHERE c.status = 'ativo' ORDER BY c.id LIMIT 1"
        ).fetchone()
    return number, plan


def test_profile_login_sync_and_check(dbs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    number, plan = first_contract(dbs.parent)
    code, out = run(capsys, "profile", plan, "plano-a", 'Mikrotik-Rate-Limit := "300M/150M"')
    assert (code, out.strip()) == (0, "Perfil salvo: grupo plano-a, 1 atributo(s).")
    code, out = run(capsys, "login", number, "joao.pppoe")
    assert (code, out.strip()) == (0, f"Contrato {number}: login joao.pppoe.")

    code, out = run(capsys, "sync", "--dry-run")
    assert code == 0
    assert "grupo plano-a: atributos diferentes" in out
    assert "+ joao.pppoe → plano-a" in out
    assert "Simulação: 1 grupos, 1 inclusões e 0 remoções seriam gravadas." in out
    assert members(dbs) == []

    code, out = run(capsys, "check", "joao.pppoe")
    assert code == 1 and "✘ RADIUS e contrato não conferem" in out

    code, out = run(capsys, "sync")
    assert "Gravado: 1 grupos, 1 inclusões, 0 remoções." in out
    assert members(dbs) == [("joao.pppoe", "plano-a")]
    code, out = run(capsys, "sync")
    assert "Tudo em dia: 1 logins, 1 grupos." in out

    code, out = run(capsys, "check", "joao.pppoe")
    assert code == 0
    assert "RADIUS · joao.pppoe: grupos plano-a" in out
    assert 'plano-a: Mikrotik-Rate-Limit := "300M/150M"' in out
    assert f"Contrato {number} · {plan} · grupo esperado plano-a" in out
    assert "✔ RADIUS e contrato conferem." in out


def test_bad_input_is_refused_with_the_reason(
    dbs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number, plan = first_contract(dbs.parent)
    code, out = run(capsys, "profile", plan, "plano-a", "Mikrotik-Rate-Limit 300M")
    assert code == 1
    assert 'Atributo RADIUS inválido: "Mikrotik-Rate-Limit 300M"' in out
    code, out = run(capsys, "login", number, "joão silva")
    assert code == 1 and "Login de acesso inválido" in out
    code, out = run(capsys, "login", number, "joao", "--nas", "nao-existe")
    assert code == 1 and "NAS não cadastrado." in out
    monkeypatch.setenv("RADIUS_NAS_SECRET", "segredo-do-nas")
    code, out = run(capsys, "nas", "add", "bng-1", "10.0.0.300")
    assert code == 1 and 'Endereço de NAS inválido: "10.0.0.300"' in out
    code, out = run(capsys, "nas", "add", "bng-1", "10.0.0.1")
    assert code == 0
    code, out = run(capsys, "nas", "list")
    assert out.strip() == "bng-1 · 10.0.0.1:3799 · mikrotik"
    assert "segredo-do-nas" not in out
    code, out = run(capsys, "check", "ninguem")
    assert code == 1 and "Nenhum contrato tem esse login." in out


def test_radius_off_says_how_to_turn_it_on(
    dbs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RADIUS_DATABASE_URL")
    code, out = run(capsys, "sync")
    assert code == 2 and "RADIUS desligado: defina RADIUS_DATABASE_URL" in out
