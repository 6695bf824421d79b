"""One outbox message to Telegram, and what its outcome means for the notification.

Every Telegram error is sorted here into a verdict (delivered, rejected for good, retry later,
flood wait), so the dispatcher decides on verdicts and never on exception types.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import Enum
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger("bot.notify")

RateLimitArgs = dict[str, bool]

# ``rate_limit_args`` of every outbox send: the Application's limiter
# (:mod:`bot.notify.interactive`) lets these straight through; the outbox paced them already.
OUTBOX_SEND: RateLimitArgs = {"outbox": True}


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One Telegram message a notification turns into: HTML text and an optional keyboard;
    with ``document``, a file sent with the text as its caption."""

    chat_id: int
    text: str
    reply_markup: InlineKeyboardMarkup | None = None
    document: bytes | None = None
    filename: str = ""


class Verdict(Enum):
    DELIVERED = "delivered"
    REJECTED = "rejected"  # permanent: blocked, chat not found, bad HTML
    RETRY = "retry"  # transient: network, timeout, 5xx; counts as an attempt
    FLOOD = "flood"  # 429 (or our own flood pause): come back later, not an attempt


@dataclass(frozen=True, slots=True)
class SendResult:
    verdict: Verdict
    error: str = ""
    retry_after: float = 0.0


async def send(bot: ExtBot[Any], n_id: int, msg: OutgoingMessage, *, hop: int = 0) -> SendResult:
    """``sendMessage`` (or ``sendDocument``) once (the caller has already waited for the rate
    limits)."""
    # PTB refuses rate_limit_args on a bot without a rate limiter.
    args = OUTBOX_SEND if bot.rate_limiter is not None else None
    try:
        if msg.document is not None:
            await bot.send_document(
                chat_id=msg.chat_id,
                document=InputFile(msg.document, filename=msg.filename),
                filename=msg.filename,
                caption=msg.text,
                parse_mode=ParseMode.HTML,
                reply_markup=msg.reply_markup,
                rate_limit_args=args,
            )
        else:
            await bot.send_message(
                chat_id=msg.chat_id,
                text=msg.text,
                parse_mode=ParseMode.HTML,
                reply_markup=msg.reply_markup,
                rate_limit_args=args,
            )
    except RetryAfter as err:
        seconds = retry_after_seconds(err)
        log.warning(
            "Telegram flood control: pausing sends for %.0fs (notification %s, chat %s)",
            seconds,
            n_id,
            msg.chat_id,
        )
        return SendResult(Verdict.FLOOD, describe(err), seconds)
    except ChatMigrated as err:
        if hop:
            return SendResult(Verdict.REJECTED, describe(err))
        log.warning(
            "notification %s: chat %s is now supergroup %s; update the configured chat id",
            n_id,
            msg.chat_id,
            err.new_chat_id,
        )
        return await send(bot, n_id, replace(msg, chat_id=err.new_chat_id), hop=1)
    except Forbidden as err:
        log.warning(
            "notification %s: chat %s cannot receive messages (%s); marked failed",
            n_id,
            msg.chat_id,
            err.message,
        )
        return SendResult(Verdict.REJECTED, describe(err))
    except BadRequest as err:
        log.warning(
            "notification %s: Telegram rejected the message to chat %s (%s); marked failed",
            n_id,
            msg.chat_id,
            err.message,
        )
        return SendResult(Verdict.REJECTED, describe(err))
    except (TimedOut, NetworkError) as err:  # 5xx arrive as NetworkError too
        log.info("notification %s: chat %s: %s; will retry", n_id, msg.chat_id, err.message)
        return SendResult(Verdict.RETRY, describe(err))
    except TelegramError as err:  # InvalidToken, Conflict…: configuration, not the message
        log.warning("notification %s: chat %s: %s; will retry", n_id, msg.chat_id, err)
        return SendResult(Verdict.RETRY, describe(err))
    except Exception as err:
        log.exception("notification %s: unexpected error sending to %s", n_id, msg.chat_id)
        return SendResult(Verdict.RETRY, f"{type(err).__name__}: {err}")
    return SendResult(Verdict.DELIVERED)


def retry_after_seconds(err: RetryAfter) -> float:
    """``retry_after`` as seconds; PTB 22 warns that the int form will become a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def describe(err: TelegramError) -> str:
    return f"{type(err).__name__}: {err.message}"
