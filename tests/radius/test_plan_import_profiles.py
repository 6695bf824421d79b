"""``contractbot import plans`` with the network profile columns: written once, unchanged on a
second run, refused (whole file) on a bad attribute or a group another plan has."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import main

HEADER = "id_externo;nome;grupo;download_mbps;upload_mbps;preco;grupo_radius;atributos_radius\n"
LINE = (
    "PL-300;Fibra 300 Mega;Residencial Fibra;300;150;99,90;fibra300;"
    '"Mikrotik-Rate-Limit := ""300M/150M""; Session-Timeout = 86400"\n'
)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert main(["demo-data"]) == 0
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["import", "plans", str(path)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def profiles(tmp: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(tmp / "cli.db") as con:
        return con.execute(
            "SELECT p.name, n.radius_group, n.attributes FROM plan_network_profiles n"
            " JOIN plans p ON p.id = n.plan_id ORDER BY p.name"
        ).fetchall()


def test_profile_columns_are_imported_once(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = db / "planos.csv"
    path.write_text(HEADER + LINE, encoding="utf-8")
    code, out = run(capsys, path)
    assert code == 0, out
    assert profiles(db) == [
        (
            "Fibra 300 Mega",
            "fibra300",
            '[["Mikrotik-Rate-Limit", ":=", "300M/150M"], ["Session-Timeout", "=", "86400"]]',
        )
    ]
    code, out = run(capsys, path)
    assert "Nada mudou" in out


def test_bad_attribute_and_taken_group_refuse_the_file(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = db / "planos.csv"
    bad = "PL-500;Fibra 500 Mega;Residencial Fibra;500;250;119,90;fibra500;Rate-Limit 500M\n"
    path.write_text(HEADER + bad, encoding="utf-8")
    code, out = run(capsys, path)
    assert code == 1
    assert 'Linha 2, coluna atributos_radius: Atributo RADIUS inválido: "Rate-Limit 500M"' in out

    taken = LINE + LINE.replace("PL-300;Fibra 300 Mega", "PL-500;Fibra 500 Mega")
    path.write_text(HEADER + taken, encoding="utf-8")
    code, out = run(capsys, path)
    assert code == 1
    assert 'Linha 3, coluna grupo_radius: O grupo "fibra300" já é de outro plano.' in out
    assert profiles(db) == []
