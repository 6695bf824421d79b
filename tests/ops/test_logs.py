"""The log output: JSON or text, library noise quiet, secrets and documents masked."""

from __future__ import annotations

import logging

import pytest

from tests.support.logs import bot_logging

BOT_TOKEN = "7000000001:AAH4sEcReT-0123456789abcdefghijklmn"
WEBHOOK_SECRET = "webhook-s3cr3t-value"
CPF = "529.982.247-25"
CNPJ = "04252011000110"


def test_json_lines_carry_the_event_and_its_ids() -> None:
    with bot_logging("json") as captured:
        logging.getLogger("bot.services.plan_update").info(
            "action created", extra={"event": "action.created", "action_id": 7, "contract_id": 3}
        )
    [record] = captured.records()
    assert record["message"] == "action created"
    assert (record["event"], record["action_id"], record["contract_id"]) == ("action.created", 7, 3)
    assert record["level"] == "INFO" and record["logger"] == "bot.services.plan_update"
    assert record["time"].endswith("+00:00")


def test_text_lines_append_the_fields() -> None:
    with bot_logging("text") as captured:
        logging.getLogger("bot.x").info("action cancelled", extra={"event": "action.cancelled"})
    assert captured.text.rstrip().endswith("INFO bot.x: action cancelled event=action.cancelled")


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_secrets_tokens_and_documents_never_reach_the_output(log_format: str) -> None:
    with bot_logging(log_format, [BOT_TOKEN, WEBHOOK_SECRET]) as captured:
        log = logging.getLogger("bot.test")
        log.info("GET https://api.telegram.org/bot%s/getMe", BOT_TOKEN)
        log.info("secret header %s", WEBHOOK_SECRET)
        log.info("another bot's token 123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef012")
        log.info("GET /aceite/Zx9-abcDEF1234567890ghijk/contrato.pdf 200")
        log.info("client %s, company %s", CPF, CNPJ, extra={"document": CPF})
        try:
            raise RuntimeError(f"bad request to /bot{BOT_TOKEN}/sendMessage for {CPF}")
        except RuntimeError:
            log.exception("send failed")
    text = captured.text
    for secret in (BOT_TOKEN, WEBHOOK_SECRET, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef012"):
        assert secret not in text
    assert "Zx9-abcDEF1234567890ghijk" not in text and "/aceite/<token>" in text
    assert CPF not in text and "52998224725" not in text and CNPJ not in text
    assert "***.982.247-**" in text and "**.252.011/0001-**" in text
    assert "RuntimeError" in text  # the traceback is kept, masked


def test_numbers_that_are_not_documents_are_kept() -> None:
    with bot_logging("text") as captured:
        logging.getLogger("bot.test").info("chat 12345678901 action 10010 id 52998224726")
    assert "chat 12345678901 action 10010 id 52998224726" in captured.text


def test_library_noise_is_quiet() -> None:
    with bot_logging("text") as captured:
        logging.getLogger("fontTools.subset").info("Glyph names: ['a', 'b']")
        logging.getLogger("apscheduler.executors.default").info('Running job "expire"')
        logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/...")
        logging.getLogger("fontTools.subset").warning("a real problem")
    assert captured.text.count("\n") == 1 and "a real problem" in captured.text
