"""How a technician in the street finds and reaches the client: the address as lines to read,
a map search for it, and the phone the way Brazilians write it.

Addresses and phones reach us in every style (imported spreadsheets, typed by staff, the demo's
``+55 19 9…``); empty parts are left out rather than printed as blanks or "None".
"""

from __future__ import annotations

import re
from urllib.parse import quote

from bot.domain.fields import InvalidField, normalize_phone
from bot.domain.people import Address, join_present

MAPS_SEARCH = "https://www.google.com/maps/search/?api=1&query="

# "nº 12", "Nº12", "n° 12", "n. 12", "no 12", "número 12": the number is what a map needs.
_NUMBER_PREFIX = re.compile(r"^\s*(?:n[º°o.]|n[úu]mero)\s*\.?\s*", re.IGNORECASE)
# "s/n", "S/N", "sn", "s/nº": no house number (the street alone is the best a map can do).
_NO_NUMBER = re.compile(r"^\s*s\s*/?\s*n[º°o]?\s*\.?\s*$", re.IGNORECASE)


def house_number(number: str | None) -> str:
    """The house number without "nº"-style prefixes; empty for "s/n" (sem número)."""
    text = (number or "").strip()
    if _NO_NUMBER.match(text):
        return ""
    return _NUMBER_PREFIX.sub("", text).strip()


def maps_query(address: Address) -> str:
    """What a map search understands: street and number, neighbourhood, city, state and CEP,
    without the complement (a map does not know "Apto 31") and without "nº"."""
    street = join_present(", ", address.street, house_number(address.number))
    return join_present(
        ", ", street, address.district, address.city, address.state, address.zip_code
    )


def maps_url(address: Address) -> str | None:
    """A Google Maps search link for the address (it opens the Maps app on a phone), or None
    when the address has nothing to search for."""
    query = maps_query(address)
    if not query:
        return None
    return MAPS_SEARCH + quote(query, safe="")


def display_phone(phone: str | None) -> str | None:
    """Any usual Brazilian phone as "(11) 98765-4321"; a phone in no known style as it was
    stored (better than nothing for a technician); None when there is none."""
    text = " ".join((phone or "").split())
    if not text:
        return None
    try:
        normalized = normalize_phone(text)  # "+55 DD NNNNN-NNNN"
    except InvalidField:
        return text
    _country, ddd, number = normalized.split(" ")
    return f"({ddd}) {number}"


__all__ = [
    "MAPS_SEARCH",
    "display_phone",
    "house_number",
    "maps_query",
    "maps_url",
]
