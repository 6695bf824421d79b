"""``contractbot radius sync`` and ``check``: compare what the bot says (its plans' groups, its
active contracts' memberships) with FreeRADIUS's tables, report the differences, write them.

Only groups that are some plan's profile are compared or written; membership rows of other
groups (the provider's own) are never removed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.network import NetworkProfile
from bot.radius.directory import chunks, transaction, write_group
from bot.radius.tables import radcheck, radgroupreply, radreply, radusergroup

Triple = tuple[str, str, str]


@dataclass(frozen=True)
class SyncReport:
    groups: list[str] = field(default_factory=list)  # groups whose reply attributes differ
    added: list[tuple[str, str]] = field(default_factory=list)  # (login, group) to add
    removed: list[tuple[str, str]] = field(default_factory=list)  # (login, group) to remove

    @property
    def clean(self) -> bool:
        return not (self.groups or self.added or self.removed)


def _wanted(profile: NetworkProfile) -> list[Triple]:
    return sorted((a.name, a.op, a.value) for a in profile.attributes)


async def compare(
    engine: AsyncEngine, profiles: list[NetworkProfile], memberships: list[tuple[str, str]]
) -> SyncReport:
    owned = sorted({p.group for p in profiles})
    current_groups: dict[str, list[Triple]] = defaultdict(list)
    current: set[tuple[str, str]] = set()
    async with transaction(engine) as conn:
        for chunk in chunks(owned):
            rows = await conn.execute(
                select(
                    radgroupreply.c.groupname,
                    radgroupreply.c.attribute,
                    radgroupreply.c.op,
                    radgroupreply.c.value,
                ).where(radgroupreply.c.groupname.in_(chunk))
            )
            for group, attribute, op, value in rows:
                current_groups[group].append((attribute, op, value))
            members = await conn.execute(
                select(radusergroup.c.username, radusergroup.c.groupname).where(
                    radusergroup.c.groupname.in_(chunk)
                )
            )
            current.update((u, g) for u, g in members)
    groups = [p.group for p in profiles if sorted(current_groups[p.group]) != _wanted(p)]
    wanted = set(memberships)
    return SyncReport(sorted(groups), sorted(wanted - current), sorted(current - wanted))


async def apply(
    engine: AsyncEngine,
    profiles: list[NetworkProfile],
    memberships: list[tuple[str, str]],
    report: SyncReport,
) -> None:
    """Write what :func:`compare` found different, in one transaction."""
    owned = frozenset(p.group for p in profiles)
    by_group = {p.group: p for p in profiles}
    touched = sorted({u for u, _ in report.added} | {u for u, _ in report.removed})
    touched_set = set(touched)
    async with transaction(engine) as conn:
        for group in report.groups:
            await write_group(conn, group, by_group[group].attributes)
        for chunk in chunks(touched):
            await conn.execute(
                delete(radusergroup).where(
                    radusergroup.c.username.in_(chunk), radusergroup.c.groupname.in_(owned)
                )
            )
        rows = [
            {"username": u, "groupname": g, "priority": 1}
            for u, g in memberships
            if u in touched_set
        ]
        if rows:
            await conn.execute(insert(radusergroup), rows)


@dataclass(frozen=True)
class LoginState:
    """What FreeRADIUS's tables hold for one login (check attributes by name only: they
    include the password)."""

    groups: list[str]
    group_replies: dict[str, list[str]]
    check_attributes: list[str]
    replies: list[str]


async def inspect_login(engine: AsyncEngine, login: str) -> LoginState:
    async with transaction(engine) as conn:
        groups = [
            g
            for (g,) in await conn.execute(
                select(radusergroup.c.groupname)
                .where(radusergroup.c.username == login)
                .order_by(radusergroup.c.priority, radusergroup.c.groupname)
            )
        ]
        replies: dict[str, list[str]] = {g: [] for g in groups}
        if groups:
            for g, a, o, v in await conn.execute(
                select(
                    radgroupreply.c.groupname,
                    radgroupreply.c.attribute,
                    radgroupreply.c.op,
                    radgroupreply.c.value,
                )
                .where(radgroupreply.c.groupname.in_(groups))
                .order_by(radgroupreply.c.id)
            ):
                replies[g].append(f'{a} {o} "{v}"')
        checks = [
            a
            for (a,) in await conn.execute(
                select(radcheck.c.attribute).where(radcheck.c.username == login)
            )
        ]
        own = [
            f'{a} {o} "{v}"'
            for a, o, v in await conn.execute(
                select(radreply.c.attribute, radreply.c.op, radreply.c.value).where(
                    radreply.c.username == login
                )
            )
        ]
    return LoginState(groups, replies, checks, own)
