from bot.domain.safe_text import BIDI_CONTROLS, has_bidi, strip_bidi, strip_bidi_json

EVERY = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_every_bidi_control_is_removed_and_nothing_else() -> None:
    assert set(EVERY) == BIDI_CONTROLS
    assert strip_bidi(f"João{EVERY} da Silva \u202eR$\u00a099,90") == "João da Silva R$\u00a099,90"
    assert strip_bidi("Ação nº 5 — ok ✅ שלום مرحبا") == "Ação nº 5 — ok ✅ שלום مرحبا"
    assert has_bidi("a\u2067b") and not has_bidi(strip_bidi("a\u2067b"))


def test_json_values_are_cleaned_keys_and_numbers_kept() -> None:
    value = {"note": "a\u202eb", "items": ["\u200fc", 3, None], "n": 1.5}
    assert strip_bidi_json(value) == {"note": "ab", "items": ["c", 3, None], "n": 1.5}
