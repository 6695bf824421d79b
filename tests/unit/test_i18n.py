"""Message catalogs: both locales have the same keys and the same placeholders."""

from __future__ import annotations

import string

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.gates import Blocker
from bot.i18n import (
    DEFAULT_LOCALE,
    LOCALES,
    catalog,
    error_text,
    has_key,
    normalize_locale,
    t,
)
from bot.services.plan_update import FinalizeBlocked

PT = catalog("pt_BR")
EN = catalog("en")


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def test_catalogs_are_not_empty() -> None:
    assert len(PT) > 20
    assert set(LOCALES) == {"pt_BR", "en"}
    assert DEFAULT_LOCALE == "pt_BR"


def test_every_portuguese_key_exists_in_english() -> None:
    assert sorted(set(PT) - set(EN)) == []


def test_every_english_key_exists_in_portuguese() -> None:
    assert sorted(set(EN) - set(PT)) == []


@pytest.mark.parametrize("key", sorted(PT))
def test_placeholders_match_between_locales(key: str) -> None:
    assert key in EN
    assert placeholders(PT[key]) == placeholders(EN[key]), key


@pytest.mark.parametrize("key", sorted(PT))
def test_templates_fill_in_with_their_own_placeholders(key: str) -> None:
    for locale in LOCALES:
        params = {name: f"<{name}>" for name in placeholders(catalog(locale)[key])}
        text = t(key, locale, **params)
        assert text.strip()
        for value in params.values():
            assert value in text


def test_placeholders_are_simple_names() -> None:
    # "{0}" or "{x.y}" would need positional/attribute params that t() never passes.
    for cat in (PT, EN):
        for key, template in cat.items():
            for name in placeholders(template):
                assert name.isidentifier(), (key, name)


def test_t_translates_and_formats() -> None:
    assert t("money.empty") == PT["money.empty"]
    assert t("money.empty", "en") == EN["money.empty"]
    assert t("money.empty", "en") != t("money.empty", "pt_BR")
    assert "R$\u00a09,90" in t(
        "split.missing", "pt_BR", got="R$\u00a09,90", total="R$\u00a010,00", diff="x"
    )


def test_t_unknown_key_raises() -> None:
    with pytest.raises(KeyError):
        t("no.such.key")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, "pt_BR"),
        ("", "pt_BR"),
        ("pt_BR", "pt_BR"),
        ("pt-br", "pt_BR"),
        ("pt", "pt_BR"),
        ("en", "en"),
        ("en-US", "en"),
        ("EN_gb", "en"),
        ("es", "pt_BR"),
    ],
)
def test_normalize_locale(raw: str | None, expected: str) -> None:
    assert normalize_locale(raw) == expected


def test_has_key() -> None:
    assert has_key("money.empty", "pt_BR")
    assert has_key("money.empty", "en")
    assert has_key("money.empty")
    assert not has_key("money.nope", "pt_BR")
    assert not has_key("money", "pt_BR")  # sections are not messages


def test_error_text_translates_a_domain_error_at_the_edge() -> None:
    err = InvalidInput("errors.description_too_long", max=500)
    assert str(err) == "errors.description_too_long (max=500)"  # logs: untranslated
    assert "500" in error_text(err) and error_text(err) != error_text(err, "en")
    assert error_text(err, "en") == t("errors.description_too_long", "en", max=500)


def test_error_text_lists_every_reason_of_a_listed_error() -> None:
    one = FinalizeBlocked([Blocker.TICKET_NOT_CLOSED], base=1, current=1)
    assert error_text(one, "en") == "• " + t("blocker.ticket_not_closed", "en")
    two = FinalizeBlocked([Blocker.ACCEPTANCE_PENDING, Blocker.TICKET_NOT_CLOSED], 1, 1)
    assert error_text(two).count("\n") == 1 and error_text(two).startswith("• ")
