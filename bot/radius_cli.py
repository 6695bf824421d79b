"""``contractbot radius …``: plan profiles, contract logins, the NAS list, ``sync`` and ``check``.

Wired into ``bot/__main__.py`` through :func:`add_parsers` and :data:`COMMANDS`. A NAS's shared
secret is read from ``RADIUS_NAS_SECRET`` or typed at a hidden prompt, never taken as an
argument (it would stay in the shell history) and never printed.
"""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.i18n import t
from bot.radius import sync
from bot.radius.directory import radius_engine
from bot.services import network

if TYPE_CHECKING:
    from bot.app import Core


def add_parsers(subparsers: Any) -> None:
    rad = subparsers.add_parser("radius", help="velocidade na rede: FreeRADIUS e CoA")
    sub = rad.add_subparsers(dest="radius_command", required=True)
    sy = sub.add_parser("sync", help="grava os grupos dos planos e os logins dos contratos ativos")
    sy.add_argument("--dry-run", action="store_true", help="só mostra as diferenças")
    ck = sub.add_parser("check", help="compara as tabelas do RADIUS com o contrato do login")
    ck.add_argument("login")
    pr = sub.add_parser("profile", help="define o grupo RADIUS e os atributos de um plano")
    pr.add_argument("plan", help="id ou nome exato do plano")
    pr.add_argument("group", help="nome do grupo no FreeRADIUS")
    pr.add_argument("attributes", nargs="+", help="ex.: 'Mikrotik-Rate-Limit := \"300M/150M\"'")
    lg = sub.add_parser("login", help="define o login de acesso (PPPoE) de um contrato")
    lg.add_argument("contract", help="número do contrato")
    lg.add_argument("login")
    lg.add_argument("--nas", help="nome do concentrador (NAS) por onde conecta")
    nas = sub.add_parser("nas", help="concentradores (NAS) que recebem CoA")
    nas_sub = nas.add_subparsers(dest="nas_command", required=True)
    add = nas_sub.add_parser("add", help="cadastra ou altera um NAS (segredo em RADIUS_NAS_SECRET)")
    add.add_argument("name")
    add.add_argument("address", help="endereço IP do NAS")
    add.add_argument("--coa-port", type=int, default=3799)
    add.add_argument("--vendor", default="mikrotik")
    nas_sub.add_parser("list", help="lista os NAS (sem o segredo)")


def _say(core: Core, key: str, **params: Any) -> None:
    print(t(key, core.settings.locale, **params))


def _engine(core: Core) -> Any:
    url = core.settings.radius.database_url
    if url is None:
        _say(core, "radius_cli.off")
        return None
    return radius_engine(url)


async def _sync(core: Core, args: argparse.Namespace) -> int:
    engine = _engine(core)
    if engine is None:
        return 2
    try:
        profiles, members = await network.desired_state(core.ctx)
        report = await sync.compare(engine, profiles, members)
        for group in report.groups:
            _say(core, "radius_cli.group_differs", group=group)
        for login, group in report.added:
            _say(core, "radius_cli.member_added", login=login, group=group)
        for login, group in report.removed:
            _say(core, "radius_cli.member_removed", login=login, group=group)
        summary = dict(groups=len(report.groups), added=len(report.added))
        if report.clean:
            _say(core, "radius_cli.in_sync", logins=len(members), groups=len(profiles))
        elif args.dry_run:
            _say(core, "radius_cli.dry_run", removed=len(report.removed), **summary)
        else:
            await sync.apply(engine, profiles, members, report)
            _say(core, "radius_cli.synced", removed=len(report.removed), **summary)
    except network.RadiusUnavailable:
        _say(core, "radius_cli.unavailable")
        return 1
    finally:
        await engine.dispose()
    return 0


async def _check(core: Core, args: argparse.Namespace) -> int:
    engine = _engine(core)
    if engine is None:
        return 2
    try:
        state = await sync.inspect_login(engine, args.login)
    except network.RadiusUnavailable:
        _say(core, "radius_cli.unavailable")
        return 1
    finally:
        await engine.dispose()
    expected = await network.expected_for_login(core.ctx, args.login)
    _say(core, "radius_cli.check_radius", login=args.login, groups=", ".join(state.groups) or "—")
    for group, replies in state.group_replies.items():
        for reply in replies:
            _say(core, "radius_cli.check_reply", group=group, reply=reply)
    for reply in state.replies:
        _say(core, "radius_cli.check_user_reply", reply=reply)
    _say(core, "radius_cli.check_checks", names=", ".join(state.check_attributes) or "—")
    if expected is None:
        _say(core, "radius_cli.check_no_contract")
        return 1
    wanted_group = expected.profile.group if expected.profile else None
    _say(
        core,
        "radius_cli.check_contract",
        number=expected.contract_number,
        plan=expected.plan_name,
        group=wanted_group or "—",
    )
    if wanted_group is None:
        _say(core, "radius_cli.check_no_profile")
        return 1
    wanted = sorted(a.text() for a in expected.profile.attributes) if expected.profile else []
    if wanted_group in state.groups and sorted(state.group_replies[wanted_group]) == wanted:
        _say(core, "radius_cli.check_ok")
        return 0
    _say(core, "radius_cli.check_differs")
    return 1


async def _profile(core: Core, args: argparse.Namespace) -> int:
    plan_id = await network.find_plan_id(core.ctx, args.plan)
    profile = await network.save_profile(core.ctx, plan_id, args.group, "\n".join(args.attributes))
    _say(core, "radius_cli.profile_saved", group=profile.group, count=len(profile.attributes))
    return 0


async def _login(core: Core, args: argparse.Namespace) -> int:
    access = await network.save_access(core.ctx, args.contract, args.login, args.nas)
    _say(core, "radius_cli.login_saved", number=args.contract, login=access.login)
    return 0


async def _nas(core: Core, args: argparse.Namespace) -> int:
    if args.nas_command == "list":
        async with core.ctx.uow() as uow:
            for nas in await uow.network.nas_list():
                _say(
                    core,
                    "radius_cli.nas_line",
                    name=nas.name,
                    address=nas.address,
                    port=nas.coa_port,
                    vendor=nas.vendor,
                )
        return 0
    secret = os.environ.get("RADIUS_NAS_SECRET") or getpass.getpass(
        t("radius_cli.secret_prompt", core.settings.locale)
    )
    nas = await network.save_nas(
        core.ctx, args.name, args.address, secret, args.coa_port, args.vendor
    )
    _say(core, "radius_cli.nas_saved", name=nas.name, address=nas.address, port=nas.coa_port)
    return 0


async def _radius(core: Core, args: argparse.Namespace) -> int:
    handlers: dict[str, Callable[[Core, argparse.Namespace], Awaitable[int]]] = {
        "sync": _sync,
        "check": _check,
        "profile": _profile,
        "login": _login,
        "nas": _nas,
    }
    return await handlers[args.radius_command](core, args)


COMMANDS: dict[str, Callable[[Core, argparse.Namespace], Awaitable[int]]] = {"radius": _radius}
