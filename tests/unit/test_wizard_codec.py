"""The wizard's callback codec: Telegram's 64-byte limit is caught when the codec or a keyboard
is built (not when Telegram refuses the message), each verb belongs to one step, and a step's
pattern accepts its own data only."""

from __future__ import annotations

import re

import pytest

from conversations.plan_update.codec import (
    MAX_CALLBACK_BYTES,
    CallbackTooLong,
    Nav,
    Verb,
    WizardCodec,
)
from conversations.plan_update.steps import CODEC, STEPS


def sample_data(verb: Verb) -> list[str]:
    """Data a button of this verb may carry (every allowed argument, or a large id)."""
    if not verb.takes_arg:
        return [f"w:{verb.name}"]
    if verb.args is None:
        return [f"w:{verb.name}:0", f"w:{verb.name}:{10**10 - 1}"]
    return [f"w:{verb.name}:{arg}" for arg in verb.args]


def test_a_verb_whose_data_cannot_fit_is_refused_when_the_codec_is_built() -> None:
    long_name = "v" * (MAX_CALLBACK_BYTES - len("w::") - 9)  # plus a 10-digit id: 65 bytes
    with pytest.raises(CallbackTooLong):
        WizardCodec({"plan": (Verb(long_name),)})
    WizardCodec({"plan": (Verb("v" * (len(long_name) - 1)),)})  # one byte less fits


def test_an_argument_that_cannot_fit_is_refused_when_the_codec_is_built() -> None:
    fits = "a" * (MAX_CALLBACK_BYTES - len("w:sp:"))
    WizardCodec({"split": (Verb("sp", ("main", fits)),)})
    with pytest.raises(CallbackTooLong):
        WizardCodec({"split": (Verb("sp", ("main", fits + "a")),)})
    with pytest.raises(CallbackTooLong):  # bytes, not characters: "é" takes two
        WizardCodec({"split": (Verb("sp", ("main", fits[:-1] + "é")),)})


def test_a_button_whose_data_would_not_fit_is_refused_when_the_keyboard_is_built() -> None:
    codec = WizardCodec({"plan": (Verb("pl"),)})
    assert codec.encode("plan", "pl", 12) == "w:pl:12"
    with pytest.raises(CallbackTooLong):
        codec.encode("plan", "pl", "9" * (MAX_CALLBACK_BYTES - len("w:pl:") + 1))


def test_a_verb_belongs_to_one_step() -> None:
    with pytest.raises(ValueError, match="already used"):
        WizardCodec({"plan": (Verb("pl"),), "value": (Verb("pl"),)})
    with pytest.raises(ValueError, match="already used"):  # navigation verbs are every step's
        WizardCodec({"plan": (Verb(Nav.BACK.value),)})
    codec = WizardCodec({"plan": (Verb("pl"),), "value": (Verb("val", ("keep", "type")),)})
    with pytest.raises(ValueError):  # a button of another step can't even be drawn
        codec.encode("value", "pl", 3)
    with pytest.raises(ValueError):  # nor an argument the verb does not take
        codec.encode("value", "val", "other")
    assert codec.encode("value", Nav.BACK.value) == "w:back"


def test_the_wizards_own_table_fits_and_each_step_accepts_only_its_data() -> None:
    """Every button the table can draw fits in 64 bytes, matches its own step's pattern and no
    other step's: a tap of another step's button never reaches the current step's handler."""
    owners = {
        data: step.state.value
        for step in STEPS
        for choice in step.choices
        for data in sample_data(choice.verb)
    }
    assert owners, "the table declares no choices"
    for data, owner in owners.items():
        assert len(data.encode()) <= MAX_CALLBACK_BYTES, data
        for step in STEPS:
            accepted = re.fullmatch(CODEC.pattern(step.state.value), data) is not None
            assert accepted == (step.state.value == owner), (data, step.state.value)
    for step in STEPS:  # Voltar and Cancelar work on every screen
        for nav in Nav:
            assert re.fullmatch(CODEC.pattern(step.state.value), f"w:{nav.value}"), step.state


@pytest.mark.parametrize(
    "data",
    ["w:pl:", "w:pl:abc", "w:pl:12345678901", "w:pl:1:2", "w:val:keepx", "w:svd:1", "x:pl:1"],
)
def test_malformed_data_matches_no_step(data: str) -> None:
    for step in STEPS:
        assert re.fullmatch(CODEC.pattern(step.state.value), data) is None, (data, step.state)


def test_parse_gives_the_verb_and_its_argument() -> None:
    assert CODEC.parse("w:pl:12") == ("pl", "12")
    assert CODEC.parse("w:svd") == ("svd", "")
    assert CODEC.parse("w:back") == ("back", "")
