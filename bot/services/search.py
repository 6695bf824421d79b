"""Client search by name, CPF/CNPJ (any punctuation), contract number or phone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.domain.documents import only_digits
from bot.domain.errors import InvalidInput
from bot.domain.models import Client
from bot.services.context import ServiceContext

PAGE_SIZE = 8
MIN_QUERY = 2
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


async def search_clients(
    ctx: ServiceContext, query: str, page: int = 0, page_size: int = PAGE_SIZE
) -> Page[Client]:
    """Digits search documents, phones and contract numbers; anything else searches names.

    A query with letters is a name search (every word must appear, accents ignored). A query of
    digits and punctuation matches a CPF/CNPJ prefix, a phone suffix or a contract number.
    """
    text = " ".join((query or "").split())
    if len(text) < MIN_QUERY:
        raise InvalidInput("search.too_short", min=MIN_QUERY)
    page = max(page, 0)
    has_letters = any(c.isalpha() for c in text)
    digits = only_digits(text)
    async with ctx.uow() as uow:
        if has_letters:
            items, total = await uow.clients.search(
                name=text,
                document_digits=None,
                phone_digits=None,
                contract_number=None,
                offset=page * page_size,
                limit=page_size,
            )
        else:
            if len(digits) < MIN_QUERY:
                raise InvalidInput("search.too_short", min=MIN_QUERY)
            items, total = await uow.clients.search(
                name=None,
                document_digits=digits,
                phone_digits=digits if len(digits) >= 8 else None,
                contract_number=digits,
                offset=page * page_size,
                limit=page_size,
            )
    return Page(items, total, page, page_size)
