"""The last line of defence for Telegram's limits (``conversations.limits``)."""

from __future__ import annotations

from conversations.limits import MAX_MESSAGE_CHARS, excerpt, fit


def test_a_message_within_the_limit_is_untouched() -> None:
    text = "<b>Título</b>\n" + "x" * (MAX_MESSAGE_CHARS - 20)
    assert fit(text) == text


def test_an_overlong_message_is_cut_at_a_line_break_and_marked() -> None:
    lines = [f"• nota {i}: <i>{'texto ' * 20}</i>" for i in range(100)]
    text = fit("\n".join(lines))
    assert len(text) <= MAX_MESSAGE_CHARS
    assert text.endswith("\n…")
    assert all(line in lines for line in text.splitlines()[:-1])  # whole lines, tags closed


def test_one_huge_line_loses_its_markup_and_any_half_entity() -> None:
    text = fit("<b>" + "a &amp; b " * 1000 + "</b>")
    assert len(text) <= MAX_MESSAGE_CHARS
    assert "<" not in text and ">" not in text
    assert text.endswith("…")
    assert not text[:-1].rstrip().endswith(("&", "&amp", "&am"))


def test_an_excerpt_quotes_the_beginning_on_one_line() -> None:
    assert excerpt("  Maria   Souza ") == "Maria Souza"
    quoted = excerpt("palavra\n" * 900)
    assert quoted.startswith("palavra palavra") and quoted.endswith("…")
    assert len(quoted) <= 40


def test_emoji_count_twice_as_telegram_counts_them() -> None:
    text = fit("🔴" * 3000)  # 3,000 characters, 6,000 UTF-16 units
    assert len(text.encode("utf-16-le")) // 2 <= MAX_MESSAGE_CHARS
    assert text.endswith("…") and len(text) > 1900
