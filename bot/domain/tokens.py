"""Acceptance link tokens: random, shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 24  # 192 random bits; urlsafe text of 32 chars fits a /start payload (64 max)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
