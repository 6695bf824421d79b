"""Import speed: 50,000 clients and 60,000 contracts into an empty database.

``python -m tests.bench_import`` writes the two CSV files (Windows-1252, ``;``, Brazilian money
and dates, as an ERP exports them), then runs ``contractbot import clients`` and ``import
contracts`` as separate processes against a fresh SQLite database (and PostgreSQL when
``BENCH_POSTGRES_URL`` is set), and prints the wall time and the peak RSS of each import.
Target: ≤ 60 s for both together and ≤ 300 MB peak RSS, on SQLite.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.domain.documents import cnpj_check_digits, cpf_check_digits

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50000"))
CONTRACTS = int(os.environ.get("BENCH_CONTRACTS", "60000"))
PLANS = [("Fibra 300 Mega", "99,90"), ("Fibra 500 Mega", "119,90"), ("Fibra 1 Giga", "199,90")]


def _document(i: int) -> str:
    if i % 10 == 9:
        base = f"{70000000 + i:08d}0001"
        return base + cnpj_check_digits(base)
    base = f"{200000000 + i:09d}"
    return base + cpf_check_digits(base)


def write_files(folder: Path) -> tuple[Path, Path]:
    rng = random.Random(7)
    clients, contracts = folder / "clientes.csv", folder / "contratos.csv"
    with clients.open("w", encoding="cp1252", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(
            [
                "Código",
                "CPF/CNPJ",
                "Nome",
                "Telefone",
                "E-mail",
                "Logradouro",
                "Número",
                "Bairro",
                "Cidade",
                "UF",
                "CEP",
            ]
        )
        for i in range(CLIENTS):
            out.writerow(
                [
                    f"C{i}",
                    _document(i),
                    f"Cliente Número {i} da Conceição",
                    f"(19) 9{8000 + i % 2000}-{i % 10000:04d}",
                    f"cliente{i}@exemplo.com.br",
                    "Rua São João",
                    str(i % 3000),
                    "Centro",
                    "Campinas",
                    "SP",
                    f"13{i % 1000:03d}-000",
                ]
            )
    with contracts.open("w", encoding="cp1252", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(
            [
                "id_externo",
                "numero",
                "cliente",
                "plano",
                "valor",
                "vencimento",
                "data_inicio",
                "situacao",
            ]
        )
        for i in range(CONTRACTS):
            plan, price = rng.choice(PLANS)
            out.writerow(
                [
                    f"K{i}",
                    str(700000 + i),
                    f"C{i % CLIENTS}",
                    plan,
                    price,
                    rng.choice(["5", "10", "15"]),
                    f"{1 + i % 28:02d}/03/2025",
                    "ativo",
                ]
            )
    return clients, contracts


def _run(args: list[str], url: str) -> tuple[float, float]:
    """Wall seconds and the child's peak RSS in MB for one ``contractbot`` command."""
    env = {**os.environ, "DATABASE_URL": url}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, check=True, stdout=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def bench(label: str, url: str, clients: Path, contracts: Path) -> None:
    _run(["demo-data"], url)  # catalog (groups, plans, templates); its 60 clients are all there is
    mapping = clients.with_name("mapa.toml")
    mapping.write_text('[columns]\n"Código" = "id_externo"\n"E-mail" = "email"\n', "utf-8")
    c_time, c_rss = _run(["import", "clients", str(clients), "--map", str(mapping)], url)
    k_time, k_rss = _run(["import", "contracts", str(contracts)], url)
    again, _ = _run(["import", "contracts", str(contracts)], url)
    print(
        f"{label}: clients {CLIENTS} in {c_time:.1f} s (peak RSS {c_rss:.0f} MB), "
        f"contracts {CONTRACTS} in {k_time:.1f} s (peak RSS {k_rss:.0f} MB); "
        f"total {c_time + k_time:.1f} s; re-import of contracts (no change) {again:.1f} s"
    )


def _reset_postgres(url: str) -> None:
    import asyncio

    from sqlalchemy import text

    from storage.db import create_engine

    async def go() -> None:
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(go())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clients, contracts = write_files(folder)
        mb = (clients.stat().st_size + contracts.stat().st_size) / 1e6
        print(f"files: {CLIENTS} clients + {CONTRACTS} contracts, {mb:.1f} MB (Windows-1252)")
        bench("SQLite", f"sqlite:///{folder / 'bench.db'}", clients, contracts)
        pg = os.environ.get("BENCH_POSTGRES_URL", "").strip()
        if pg:
            _reset_postgres(pg)
            bench("PostgreSQL", pg, clients, contracts)
        else:
            print("PostgreSQL: set BENCH_POSTGRES_URL to measure it too")


if __name__ == "__main__":
    main()
