"""Acceptance link tokens: unguessable, URL/deep-link safe, stored only as a hash."""

from __future__ import annotations

import hashlib
import math
import re

from bot.domain.tokens import hash_token, new_token, sha256_hex

URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")
START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # Telegram's /start parameter rules


def test_token_has_at_least_128_bits() -> None:
    token = new_token()
    assert URLSAFE.match(token)
    # base64url carries 6 bits per character
    assert len(token) * math.log2(64) >= 128


def test_tokens_are_unique() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000


def test_token_fits_a_start_payload_with_prefix() -> None:
    for _ in range(200):
        payload = "ac_" + new_token()
        assert START_PAYLOAD.match(payload), payload
        assert len(payload.encode()) <= 64


def test_tokens_use_the_whole_alphabet_over_many_draws() -> None:
    # A weak generator (hex, digits only) would show far fewer distinct characters.
    seen = set("".join(new_token() for _ in range(300)))
    assert len(seen) > 60


def test_hash_token_is_sha256_hex() -> None:
    token = new_token()
    digest = hash_token(token)
    assert digest == hashlib.sha256(token.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest != token
    assert token not in digest
    assert hash_token(token) == digest  # stable, so a lookup by hash works
    assert hash_token(token + "x") != digest


def test_hash_token_known_vector() -> None:
    assert hash_token("abc") == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_sha256_hex() -> None:
    assert sha256_hex(b"") == ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert sha256_hex(b"abc") == hash_token("abc")
