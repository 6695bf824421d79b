"""What staff see when input is hostile or oversized: a long search says which words it used,
and names carrying bidirectional-control characters cannot reverse a line of the chat."""

from __future__ import annotations

from tests.conversations.actions_helpers import OPERATOR_ID, one
from tests.conversations.conftest import BotEnv


async def test_long_search_says_which_words_it_used(env: BotEnv) -> None:
    client = one(env, "SELECT id, name FROM clients ORDER BY id LIMIT 1")
    words = client["name"].split()
    extra = ["a", "b", "c", "d", "e", "f"]
    op = env.user(OPERATOR_ID, "Patrícia")
    await op.send(env.app, "/clientes")

    (result,) = await op.send(env.app, " ".join(words + extra))

    used = " ".join((words + extra)[:5])
    assert (result.text or "").endswith(
        f"\nℹ️ A busca usou só as primeiras 5 palavras diferentes: {used}"
    )
