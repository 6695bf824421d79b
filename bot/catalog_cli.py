"""``contractbot catalog``: the catalog a provider sets up before importing its data.

Wired into ``bot/__main__.py`` through :func:`add_parsers` and :data:`COMMANDS`. Refusals are
domain errors: ``main`` prints them as one ``Erro: …`` line and exits with 1.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.domain.catalog_base import offered_to
from bot.domain.documents import PersonKind
from bot.domain.loyalty import PF_MAX_MONTHS, LoyaltyTerm
from bot.i18n import t
from bot.services import catalog as catalog_service

if TYPE_CHECKING:
    from bot.app import Core


def add_parsers(subparsers: Any) -> None:
    cat = subparsers.add_parser(
        "catalog", help="catálogo base: grupos de planos, modelos, fidelidades"
    )
    sub = cat.add_subparsers(dest="catalog_command", required=True)
    sub.add_parser(
        "init",
        help='cria os modelos de contrato, "Sem fidelidade", tipos de atendimento e '
        "departamentos (idempotente)",
    )
    sub.add_parser("list", help="mostra grupos, modelos, fidelidades, tipos e departamentos")
    group = sub.add_parser("group", help="grupos de planos")
    group_sub = group.add_subparsers(dest="group_command", required=True)
    group_add = group_sub.add_parser("add", help="cria um grupo de planos")
    group_add.add_argument("name", help='nome, por exemplo "Residencial Fibra"')
    loyalty = sub.add_parser("loyalty", help="fidelidades")
    loyalty_sub = loyalty.add_subparsers(dest="loyalty_command", required=True)
    loyalty_add = loyalty_sub.add_parser("add", help="cria uma fidelidade")
    loyalty_add.add_argument("name", help='nome, por exemplo "Fidelidade 12 meses"')
    loyalty_add.add_argument("months", help="meses de fidelidade (0 = sem fidelidade)")
    loyalty_add.add_argument("benefit", help="benefício mensal em R$, por exemplo 20,00")


def _kinds(term: LoyaltyTerm) -> str:
    kinds = offered_to(term)
    return t("catalog.kinds_all") if PersonKind.PF in kinds else t("catalog.kinds_pj")


def _term_line(term: LoyaltyTerm) -> str:
    if term.is_none:
        return t("catalog.no_term_line", None, kinds=_kinds(term))
    return t(
        "catalog.term_line",
        None,
        months=term.months,
        benefit=term.monthly_benefit.format(),
        kinds=_kinds(term),
    )


async def _init(core: Core) -> None:
    result = await catalog_service.init_base_catalog(core.ctx)
    if not result.total:
        print(t("catalog.init_nothing"))
        return
    counts = {
        "templates": result.templates,
        "loyalty_terms": result.loyalty_terms,
        "ticket_types": result.ticket_types,
        "departments": result.departments,
    }
    parts = [
        t(f"catalog.count_{key}_{'one' if n == 1 else 'other'}", None, count=n)
        for key, n in counts.items()
        if n
    ]
    print(t("catalog.init_created", None, parts=", ".join(parts)))


async def _add_loyalty(core: Core, args: argparse.Namespace) -> None:
    term = await catalog_service.add_loyalty_term(core.ctx, args.name, args.months, args.benefit)
    if term.is_none:
        print(t("catalog.no_loyalty_added", None, name=term.name, kinds=_kinds(term)))
        return
    print(
        t(
            "catalog.loyalty_added",
            None,
            name=term.name,
            months=term.months,
            benefit=term.monthly_benefit.format(),
            kinds=_kinds(term),
        )
    )
    if PersonKind.PF not in offered_to(term):
        print(t("catalog.pj_only", None, max=PF_MAX_MONTHS))


def _section(key: str, lines: list[str]) -> None:
    print(f"{t(f'catalog.section_{key}')} ({len(lines)}):")
    for line in lines or [t("catalog.empty")]:
        print(f"  {line}")


async def _list(core: Core) -> None:
    o = await catalog_service.overview(core.ctx)
    inactive = f" ({t('catalog.inactive')})"
    _section("groups", [g.name for g in o.groups])
    _section(
        "templates",
        [
            f"{tp.code:<8} {tp.kind.value}  {tp.name}{'' if tp.active else inactive}"
            for tp in o.templates
        ],
    )
    _section(
        "loyalty_terms",
        [
            f"{term.name} — {_term_line(term)}{'' if term.active else inactive}"
            for term in o.loyalty_terms
        ],
    )
    _section("ticket_types", [i.name for i in o.ticket_types])
    _section("departments", [i.name for i in o.departments])


async def _catalog(core: Core, args: argparse.Namespace) -> int:
    cmd = args.catalog_command
    if cmd == "init":
        await _init(core)
    elif cmd == "list":
        await _list(core)
    elif cmd == "group":
        group = await catalog_service.add_plan_group(core.ctx, args.name)
        print(t("catalog.group_added", None, name=group.name))
    else:
        await _add_loyalty(core, args)
    return 0


COMMANDS: dict[str, Callable[[Core, argparse.Namespace], Awaitable[int]]] = {
    "catalog": _catalog,
}
