"""search_clients over the fake store: names without accents, documents, phones, contracts."""

from __future__ import annotations

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.models import PersonKind
from bot.i18n import error_text
from bot.services.context import ServiceContext
from bot.services.search import search_clients
from tests.services.fakes import FakeStore, Seed, add_client, cpf, store_of


async def names(ctx: ServiceContext, query: str) -> list[str]:
    return [c.name for c in (await search_clients(ctx, query)).items]


@pytest.mark.parametrize(
    "query", ["joão", "joao", "JOAO", "araujo silva", "Araújo", "  joão   da  ", "ara"]
)
async def test_name_words_ignore_accents_case_and_order(fctx: ServiceContext, query: str) -> None:
    assert await names(fctx, query) == ["João da Silva Araújo"]


async def test_every_name_word_must_match(fctx: ServiceContext) -> None:
    assert await names(fctx, "joão souza") == []
    assert await names(fctx, "pão mel") == ["Padaria Pão de Mel Ltda."]
    assert await names(fctx, "pao de mel ltda") == ["Padaria Pão de Mel Ltda."]


@pytest.mark.parametrize("query", ["529.982.247-25", "52998224725", "529982", "529.982"])
async def test_cpf_with_or_without_punctuation_and_prefix(fctx: ServiceContext, query: str) -> None:
    assert await names(fctx, query) == ["João da Silva Araújo"]


@pytest.mark.parametrize("query", ["11.222.333/0001-81", "11222333000181", "11.222"])
async def test_cnpj(fctx: ServiceContext, query: str) -> None:
    assert await names(fctx, query) == ["Padaria Pão de Mel Ltda."]


@pytest.mark.parametrize("query", ["(19) 99876-5432", "99876-5432", "998765432", "19998765432"])
async def test_phone_suffix(fctx: ServiceContext, query: str) -> None:
    assert await names(fctx, query) == ["João da Silva Araújo"]


async def test_short_digit_runs_are_not_phone_searches(fctx: ServiceContext) -> None:
    # "5432" ends the phone, but fewer than 8 digits only match documents and contract numbers.
    assert await names(fctx, "5432") == []
    assert await names(fctx, "3232-1010") == ["Padaria Pão de Mel Ltda."]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("20001", "João da Silva Araújo"),
        ("20002", "Padaria Pão de Mel Ltda."),
        ("19001", "João da Silva Araújo"),
    ],
)
async def test_contract_number(fctx: ServiceContext, query: str, expected: str) -> None:
    assert await names(fctx, query) == [expected]


async def test_contract_number_is_exact(fctx: ServiceContext) -> None:
    assert await names(fctx, "2000") == []


@pytest.mark.parametrize("query", ["", " ", "a", " j ", "1", "1-", "..", None])
async def test_too_short(fctx: ServiceContext, query: str | None) -> None:
    with pytest.raises(InvalidInput) as err:
        await search_clients(fctx, query)  # type: ignore[arg-type]
    assert err.value.key == "search.too_short"
    assert err.value.params == {"min": 2}
    assert "2 caracteres" in error_text(err.value)


async def test_pagination_orders_by_name_without_accents(fctx: ServiceContext) -> None:
    store = store_of(fctx)
    letters = ["Érica", "Bia", "Ana", "Zeca", "Íris", "Caio", "Davi", "Gil", "Hugo", "Félix"]
    for n, first in enumerate(letters):
        add_client(
            store,
            PersonKind.PF,
            f"{first} Teste Paginação",
            cpf(f"70000000{n}"),
            f"(11) 4000-00{n:02d}",
        )
    first_page = await search_clients(fctx, "teste paginacao")
    assert first_page.total == 10
    assert len(first_page.items) == 8
    assert first_page.has_next and not first_page.has_prev
    assert first_page.pages == 2
    second = await search_clients(fctx, "teste paginacao", page=1)
    everything = [c.name.split()[0] for c in first_page.items + second.items]
    assert everything == [
        "Ana",
        "Bia",
        "Caio",
        "Davi",
        "Érica",
        "Félix",
        "Gil",
        "Hugo",
        "Íris",
        "Zeca",
    ]
    assert not second.has_next and second.has_prev
    assert (await search_clients(fctx, "teste paginacao", page=-3)).page == 0
    small = await search_clients(fctx, "teste paginacao", page=2, page_size=3)
    assert [c.name.split()[0] for c in small.items] == ["Gil", "Hugo", "Íris"]
    beyond = await search_clients(fctx, "teste paginacao", page=5)  # an old button
    assert (beyond.page, [c.name for c in beyond.items]) == (1, [c.name for c in second.items])


async def test_results_are_domain_clients_with_masked_document(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    page = await search_clients(fctx, "joao")
    assert page.items == [seed.pf_client]
    assert page.items[0].document_masked == "***.982.247-**"
