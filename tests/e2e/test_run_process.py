"""The real ``contractbot run`` process against a fake Bot API server on 127.0.0.1.

Configured only through the environment (``TELEGRAM_API_URL`` points at the fake), driven by
long polling as Telegram would, and completing a plan update as a user would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakebot import FakeBotApi

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
OPERATOR = 900000011


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
async def running(
    tmp_path: Path,
) -> AsyncIterator[tuple[FakeBotApi, subprocess.Popen[str], dict[str, str]]]:
    async with FakeBotApi() as api:
        web_port = _free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))},
            "TELEGRAM_BOT_TOKEN": "123456:TEST",
            "TELEGRAM_API_URL": api.root_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}",
            "WEB_PORT": str(web_port),
            "PUBLIC_URL": f"http://127.0.0.1:{web_port}",
            "CONTRACTBOT_DATA_DIR": str(tmp_path / "var"),
            "CONTRACTBOT_ADMINS": "900000099",
            "PYTHONPATH": str(ROOT),  # the process runs in tmp_path, like an installed bot would
        }
        _cli(env, "db", "upgrade")
        _cli(env, "demo-data")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            await api.wait_for(
                lambda: len(api.calls_for("getUpdates")) > 0 or proc.poll() is not None,
                timeout=60,
                message="the bot never started polling",
            )
            assert proc.poll() is None, proc.communicate()[0]
            yield api, proc, env
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()


async def test_plan_update_end_to_end(
    running: tuple[FakeBotApi, subprocess.Popen[str], dict[str, str]],
) -> None:
    api, proc, env = running
    health = await asyncio.to_thread(
        urllib.request.urlopen, f"http://127.0.0.1:{env['WEB_PORT']}/health", timeout=10
    )
    assert health.status == 200 and b'"ok"' in health.read()  # the web app runs alongside
    commands = api.get_commands()
    assert [c["command"] for c in commands][:3] == ["start", "clientes", "pendentes"]
    op = api.user(user_id=OPERATOR, first_name="Patrícia", language_code="pt-br")

    async def step(send: object, expect: str) -> None:
        await api.wait_for(
            lambda: expect in (op.chat.last_text or ""),
            timeout=20,
            message=f"waiting for {expect!r}",
        )

    op.enqueue_text("/clientes")
    await step(None, "Digite o nome")
    op.enqueue_text("10000")
    await step(None, "Resultados para")
    for tap, expect in [
        ("·", "Contratos (1)"),
        ("10000", "Contrato 10000"),
        ("Ações", "Escolha a ação de contrato"),
        ("Atualização de plano", "Solicitar o aceite"),
        ("Não solicitar aceite", "Qual fidelidade"),  # one PF template: chosen already
        ("Manter a atual", "Escolha o novo grupo"),
        ("Residencial Fibra", "Escolha o novo plano"),
        ("Fibra 500 Mega", "Valor mensal do contrato"),
        ("Digitar outro valor", "Digite o valor mensal"),
    ]:
        op.enqueue_tap(tap)
        await step(None, expect)
    op.enqueue_text("129,90")
    await step(None, "Serviços do contrato")
    for tap, expect in [
        ("Continuar", "Como distribuir"),
        ("Tudo no principal", "Quando vale a mudança?"),
        ("Ao finalizar", "abrir um atendimento"),
        ("Não", "Conferência"),
        ("Finalizar", "Ação de contrato #1"),
        (
            "Finalizar ação",
            "Confirmar atualização do contrato 10000 de Fibra 300 Mega para Fibra 500 Mega",
        ),
        ("Confirmar", "Contrato 10000 atualizado"),
    ]:
        op.enqueue_tap(tap)
        await step(None, expect)
    card = op.chat.last_text or ""
    assert "Fibra 500 Mega" in card and "R$\u00a0129,90" in card and "Versão 2" in card
    await api.wait_for(
        lambda: any(d.document_name == "contrato-10000-v2.pdf" for d in op.chat.documents),
        timeout=60,
        message="the updated contract PDF",
    )
    pdf = next(d for d in op.chat.documents if d.document_name == "contrato-10000-v2.pdf")
    assert pdf.document_bytes is not None and pdf.document_bytes.startswith(b"%PDF")

    proc.send_signal(signal.SIGTERM)
    out, _ = await asyncio.to_thread(proc.communicate, timeout=30)
    assert proc.returncode == 0, out
    assert "Parando o contractbot" in out
