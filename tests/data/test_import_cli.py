"""``contractbot import`` as staff run it: what the terminal says, what files it leaves."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.__main__ import main

GOOD = "id_externo;cpf_cnpj;nome;telefone\nC1;123.456.789-09;Ana Conceição;(19) 98765-4321\n"
BAD_LINE = "C2;111.111.111-11;Bia Sem CPF;19 3232-1010\n"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert main(["demo-data"]) == 0
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["import", *argv])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_windows_1252_file_is_named_imported_and_a_second_run_changes_nothing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = db / "clientes.csv"
    path.write_bytes(GOOD.encode("cp1252"))
    code, out = run(capsys, "clients", str(path))
    assert code == 0
    assert 'codificação cp1252, separador ";"' in out
    assert "│ clientes │       1 │           0 │             0 │          0 │" in out
    assert "Importação gravada." in out
    code, out = run(capsys, "clients", str(path))
    assert code == 0
    assert "│ clientes │       0 │           0 │             1 │          0 │" in out
    assert "Nada mudou: o banco já tem exatamente estes dados." in out


def test_a_bad_line_is_named_and_nothing_is_written(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = db / "clientes.csv"
    path.write_text(GOOD + BAD_LINE, encoding="utf-8")
    code, out = run(capsys, "clients", str(path))
    assert code == 1
    assert "Linha 3, coluna cpf_cnpj: CPF inválido: os dígitos verificadores não conferem." in out
    assert "Nenhuma linha foi gravada" in out
    code, out = run(capsys, "clients", str(path), "--dry-run", "--skip-invalid")
    assert "│ clientes │       1 │" in out  # Ana was not written by the refused run


def test_skip_invalid_writes_the_rejected_lines_ready_to_fix_and_import(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = db / "clientes.csv"
    path.write_text(GOOD + BAD_LINE, encoding="utf-8")
    code, out = run(capsys, "clients", str(path), "--skip-invalid")
    assert code == 0
    rejected = db / "clientes.rejeitadas.csv"
    assert f"Linhas rejeitadas gravadas em {rejected}." in out
    raw = rejected.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["linha", "coluna", "motivo", "id_externo", "cpf_cnpj", "nome", "telefone"]
    assert rows[1][:3] == [
        "3",
        "cpf_cnpj",
        "CPF inválido: os dígitos verificadores não conferem.",
    ]
    assert rows[1][3:] == ["C2", "111.111.111-11", "Bia Sem CPF", "19 3232-1010"]

    rows[1][4] = "529.982.247-25"  # the fix
    with rejected.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    code, out = run(capsys, "clients", str(rejected))
    assert code == 0
    assert "│ clientes │       1 │           0 │             0 │          0 │" in out


def test_missing_columns_and_wrong_file_type_are_refused_by_name(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = db / "clientes.csv"
    path.write_text("id_externo;telefone\nC1;19987654321\n", encoding="utf-8")
    code, out = run(capsys, "clients", str(path))
    assert code == 1
    assert "Faltam colunas obrigatórias no cabeçalho: cpf_cnpj, nome." in out
    other = db / "clientes.ods"
    other.write_bytes(b"x")
    code, out = run(capsys, "clients", str(other))
    assert code == 1
    assert "Tipo de arquivo não aceito (.ods): use .csv ou .xlsx." in out


def test_map_file_maps_an_erp_export(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = db / "erp.csv"
    path.write_text("Código,Documento,Razão Social\nE9,123.456.789-09,Ana\n", encoding="utf-8")
    mapping = db / "mapa.toml"
    mapping.write_text(
        '[columns]\n"Código" = "id_externo"\n"Documento" = "cpf_cnpj"\n"Razão Social" = "nome"\n'
        '[values]\nuf = "SP"\n',
        encoding="utf-8",
    )
    code, out = run(capsys, "clients", str(path), "--map", str(mapping))
    assert code == 0, out
    assert 'separador ","' in out
    assert "│ clientes │       1 │" in out
    bad_map = db / "ruim.toml"
    bad_map.write_text('[columns]\n"Código" = "codigo_do_cliente"\n', encoding="utf-8")
    code, out = run(capsys, "clients", str(path), "--map", str(bad_map))
    assert code == 1
    assert "colunas que não existem no layout: codigo_do_cliente" in out


def test_the_example_files_import_cleanly(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = Path(__file__).resolve().parents[2] / "templates" / "import"
    for kind, name in [
        ("services", "servicos"),
        ("plans", "planos"),
        ("clients", "clientes"),
        ("contracts", "contratos"),
    ]:
        code, out = run(capsys, kind, str(folder / f"{name}.csv"))
        assert code == 0, out
        assert "Rejeitados" in out and "Linha" not in out


def test_export_writes_the_file_and_says_how_many_rows(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["export", "clients", "-o", str(db / "clientes.xlsx")]) == 0
    assert f"60 linhas gravadas em {db / 'clientes.xlsx'}." in capsys.readouterr().out
    assert main(["export", "changes", "--from", "31/02/2026", "-o", str(db / "a.xlsx")]) == 1
    assert 'Data "31/02/2026" inválida em --from: use dd/mm/aaaa.' in capsys.readouterr().err
    assert main(["export", "changes", "-o", str(db / "a.ods")]) == 1
    assert "Extensão não aceita (.ods): use .xlsx ou .csv." in capsys.readouterr().err
