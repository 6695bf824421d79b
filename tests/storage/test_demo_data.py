"""``contractbot db upgrade`` and ``contractbot demo-data``: a realistic demo ISP, loaded twice
without duplicating anything."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.domain.documents import is_valid_cnpj, is_valid_cpf

TABLES = [
    "plan_groups",
    "plans",
    "services",
    "plan_services",
    "contract_templates",
    "loyalty_terms",
    "ticket_types",
    "departments",
    "staff",
    "clients",
    "contracts",
    "contract_services",
]


def counts(db: Path) -> dict[str, int]:
    with closing(sqlite3.connect(db)) as con:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_demo_data_is_realistic_and_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "x.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    assert main(["db", "upgrade"]) == 0
    assert main(["demo-data"]) == 0
    first = counts(db)
    assert main(["demo-data"]) == 0
    assert counts(db) == first
    assert "já existem" in capsys.readouterr().out

    assert first["plan_groups"] >= 3 and first["plans"] >= 10 and first["services"] >= 5
    assert first["clients"] == 60 and first["contract_templates"] == 2
    with closing(sqlite3.connect(db)) as con:
        kinds = dict(con.execute("SELECT kind, COUNT(*) FROM clients GROUP BY kind").fetchall())
        assert kinds["PF"] > 0 and kinds["PJ"] > 0
        for kind, document in con.execute("SELECT kind, document FROM clients"):
            assert (is_valid_cpf if kind == "PF" else is_valid_cnpj)(document), document
        statuses = {s for (s,) in con.execute("SELECT DISTINCT status FROM contracts")}
        assert {"ativo", "bloqueado", "suspenso", "cancelado"} <= statuses
        multi = con.execute(
            "SELECT COUNT(*) FROM (SELECT contract_id FROM contract_services "
            "GROUP BY contract_id HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        assert multi > 0
        roles = dict(con.execute("SELECT role, COUNT(*) FROM staff GROUP BY role").fetchall())
        assert roles == {"technician": 3, "operator": 2}
        terms = [m for (m,) in con.execute("SELECT months FROM loyalty_terms")]
        assert 0 in terms and 12 in terms
        # every contract's services add up to its value
        bad = con.execute("""SELECT c.number FROM contracts c JOIN contract_services s
                             ON s.contract_id = c.id GROUP BY c.id
                             HAVING SUM(s.share_cents) != c.value_cents""").fetchall()
        assert bad == []
