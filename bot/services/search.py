"""Client search by name, CPF/CNPJ (any punctuation), contract number or phone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.domain.documents import document_chars, looks_like_alphanumeric_cnpj
from bot.domain.errors import InvalidInput
from bot.domain.models import Client
from bot.services.context import ServiceContext

PAGE_SIZE = 8
MIN_QUERY = 2
#: A name search uses at most this many distinct words: each word is one condition, and SQLite
#: refuses a query of about a thousand ("Expression tree is too large").
MAX_TERMS = 5
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_prev(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return (self.page + 1) * self.page_size < self.total


@dataclass(frozen=True)
class ClientPage(Page[Client]):
    """A page of search results; ``limited_to`` holds the words actually searched when the
    query had more distinct words than :data:`MAX_TERMS` (empty otherwise)."""

    limited_to: tuple[str, ...] = ()


def name_terms(text: str) -> tuple[list[str], bool]:
    """The first :data:`MAX_TERMS` distinct words (case ignored) and whether any were left out."""
    seen: dict[str, str] = {}
    for word in text.split():
        seen.setdefault(word.casefold(), word)
    words = list(seen.values())
    return words[:MAX_TERMS], len(words) > MAX_TERMS


Fetch = Callable[[int, int], Awaitable[tuple[list[T], int]]]


async def fetch_page(fetch: Fetch[T], page: int, page_size: int) -> Page[T]:
    """One page of a list; a page past the end (an old button after rows went away) gives the
    last page instead of an empty one."""
    page = max(page, 0)
    items, total = await fetch(page * page_size, page_size)
    last = max(0, (total - 1) // page_size)
    if page > last:
        page = last
        items, total = await fetch(page * page_size, page_size)
    return Page(items, total, page, page_size)


async def search_clients(
    ctx: ServiceContext, query: str, page: int = 0, page_size: int = PAGE_SIZE
) -> ClientPage:
    """Digits search documents, phones and contract numbers; anything else searches names.

    A query with letters is a name search (every word must appear, accents ignored; only the
    first :data:`MAX_TERMS` distinct words, reported in ``limited_to``). A query of digits and
    punctuation matches a CPF/CNPJ prefix, a phone suffix or a contract number.
    """
    text = " ".join((query or "").split())
    if len(text) < MIN_QUERY:
        raise InvalidInput("search.too_short", min=MIN_QUERY)
    has_letters = any(c.isalpha() for c in text) and not looks_like_alphanumeric_cnpj(text)
    digits = document_chars(text)  # digits, or an alphanumeric CNPJ's letters and digits
    if not has_letters and len(digits) < MIN_QUERY:
        raise InvalidInput("search.too_short", min=MIN_QUERY)
    terms, cut = name_terms(text)
    criteria: dict[str, str | None] = (
        {
            "name": " ".join(terms),
            "document_digits": None,
            "phone_digits": None,
            "contract_number": None,
        }
        if has_letters
        else {
            "name": None,
            "document_digits": digits,
            "phone_digits": digits if len(digits) >= 8 else None,
            "contract_number": digits,
        }
    )
    async with ctx.uow() as uow:

        async def fetch(offset: int, limit: int) -> tuple[list[Client], int]:
            return await uow.clients.search(**criteria, offset=offset, limit=limit)

        found = await fetch_page(fetch, page, page_size)
    limited_to = tuple(terms) if has_letters and cut else ()
    return ClientPage(found.items, found.total, found.page, found.page_size, limited_to)
