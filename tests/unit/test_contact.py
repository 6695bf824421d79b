"""The technician's way to the client: address lines, the map search link, the phone."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from bot.domain.contact import (
    display_phone,
    house_number,
    maps_query,
    maps_url,
)
from bot.domain.models import Address


def address(**parts: str) -> Address:
    base = {
        "street": "Rua das Palmeiras",
        "number": "123",
        "district": "Cambuí",
        "city": "Campinas",
        "state": "SP",
        "zip_code": "13025-123",
        "complement": "",
    }
    return Address(**{**base, **parts})


def searched(url: str | None) -> str:
    """What the map will search for, read back from the link as Maps reads it."""
    assert url is not None
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.google.com", "/maps/search/")
    params = parse_qs(parts.query)
    assert params["api"] == ["1"]
    (query,) = params["query"]
    return query


def test_a_full_address_is_searched_with_every_part_but_the_complement() -> None:
    url = maps_url(address(complement="Apto 31"))
    assert searched(url) == "Rua das Palmeiras, 123, Cambuí, Campinas, SP, 13025-123"


def test_accents_and_commas_are_percent_encoded_in_utf8() -> None:
    url = maps_url(address(street="Avenida Getúlio Vargas, esquina", district="Barão Geraldo"))
    assert url is not None
    assert "Get%C3%BAlio" in url and "Bar%C3%A3o" in url
    assert "," not in url and " " not in url and "&" not in url.split("&query=")[1]
    assert searched(url) == (
        "Avenida Getúlio Vargas, esquina, 123, Barão Geraldo, Campinas, SP, 13025-123"
    )


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("nº 45", "45"),
        ("Nº45", "45"),
        ("n° 45", "45"),
        ("n. 45", "45"),
        ("número 45", "45"),
        ("45", "45"),
        ("45-A", "45-A"),
        ("s/n", ""),
        ("S/N", ""),
        ("s/nº", ""),
        ("  ", ""),
    ],
)
def test_house_number_drops_the_n_sign_and_sem_numero(typed: str, number: str) -> None:
    assert house_number(typed) == number


def test_the_map_never_sees_n_sign_or_s_n() -> None:
    assert searched(maps_url(address(number="nº 45"))).startswith("Rua das Palmeiras, 45, ")
    assert searched(maps_url(address(number="s/n"))).startswith("Rua das Palmeiras, Cambuí, ")


def test_empty_parts_leave_no_blank_between_commas() -> None:
    sparse = address(number="", district="", state="", zip_code=" ")
    assert maps_query(sparse) == "Rua das Palmeiras, Campinas"
    only_city = Address("", "", "", "Valinhos", "SP", "")
    assert searched(maps_url(only_city)) == "Valinhos, SP"


def test_an_address_with_nothing_in_it_has_no_map_link() -> None:
    assert maps_url(Address("", "", "", "", "", "")) is None
    assert maps_url(Address(" ", "s/n", "", "", "", "", "Casa 2")) is None


def test_street_line_and_city_state_skip_what_is_missing() -> None:
    assert address(complement="Apto 31").street_line() == "Rua das Palmeiras, 123, Apto 31"
    assert address(number="").street_line() == "Rua das Palmeiras"
    assert Address("", "", "", "", "", "").street_line() == ""
    assert address().city_state() == "Campinas/SP"
    assert address(state="").city_state() == "Campinas"
    assert address(city="").city_state() == "SP"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+55 19 98765-4321", "(19) 98765-4321"),  # as the import and the demo data store it
        ("(11) 98765-4321", "(11) 98765-4321"),
        ("11987654321", "(11) 98765-4321"),
        ("5511987654321", "(11) 98765-4321"),
        ("011 98765-4321", "(11) 98765-4321"),
        ("+55 (11) 3456-7890", "(11) 3456-7890"),  # landline
        ("ramal 23", "ramal 23"),  # no known style: shown as stored
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_display_phone(stored: str | None, shown: str | None) -> None:
    assert display_phone(stored) == shown
