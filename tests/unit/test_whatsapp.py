"""wa.me links for every phone style the demo data and the import accept."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from bot.domain.whatsapp import whatsapp_link, whatsapp_number


@pytest.mark.parametrize(
    ("phone", "number"),
    [
        ("+55 19 98765-4321", "5519987654321"),  # as stored by the import and the demo data
        ("(19) 98765-4321", "5519987654321"),
        ("19987654321", "5519987654321"),
        ("019 98765-4321", "5519987654321"),
        ("5519987654321", "5519987654321"),
        ("+55 (11) 3456-7890", "551134567890"),  # landline: 8 digits after the DDD
        ("11 3456 7890", "551134567890"),
    ],
)
def test_every_phone_style_becomes_bare_digits_with_the_country_code(
    phone: str, number: str
) -> None:
    assert whatsapp_number(phone) == number
    link = whatsapp_link(phone, "Olá! Confira: https://aceite.provedor.test/aceite/abc")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", f"/{number}")
    assert parse_qs(parts.query) == {
        "text": ["Olá! Confira: https://aceite.provedor.test/aceite/abc"]
    }


@pytest.mark.parametrize("phone", ["", None, "123", "(00) 0000-0000", "19 8765-43210"])
def test_without_a_usable_phone_the_generic_share_link(phone: str | None) -> None:
    assert whatsapp_number(phone) is None
    link = whatsapp_link(phone, "Olá & até já")
    assert link == "https://wa.me/?text=Ol%C3%A1%20%26%20at%C3%A9%20j%C3%A1"
