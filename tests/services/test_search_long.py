"""A pasted paragraph as a client search: only the first distinct words are searched (SQLite
refuses a condition per word past about a thousand) and the result says which."""

from __future__ import annotations

from bot.domain.models import Client
from bot.services.context import ServiceContext
from bot.services.search import MAX_TERMS, search_clients


async def _client(ctx: ServiceContext) -> Client:
    async with ctx.uow() as uow:
        client = await uow.clients.get(1)
    assert client is not None
    return client


def _distinct_pieces(name: str) -> list[str]:
    """Words and parts of words of ``name``: every one of them is found in the name."""
    pieces: dict[str, str] = {}
    for word in name.split():
        for piece in (word, word[1:], word[:-1]):
            if len(piece) >= 2:
                pieces.setdefault(piece.casefold(), piece)
    return list(pieces.values())


async def test_a_thousand_words_search_the_first_few(ctx: ServiceContext) -> None:
    client = await _client(ctx)
    pieces = _distinct_pieces(client.name)
    assert len(pieces) >= MAX_TERMS
    query = " ".join(pieces + [p.upper() for p in pieces] + [f"zq{i}" for i in range(1200)])

    page = await search_clients(ctx, query)

    assert page.limited_to == tuple(pieces[:MAX_TERMS])
    assert client in page.items


async def test_a_short_search_is_not_flagged(ctx: ServiceContext) -> None:
    client = await _client(ctx)
    query = " ".join([client.name] * 300)  # the same words over and over: nothing left out

    page = await search_clients(ctx, query)

    assert page.limited_to == ()
    assert client in page.items
