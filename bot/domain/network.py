"""The network side of a plan change: RADIUS profiles, access logins, NAS and provisioning jobs.

A plan's *network profile* is the FreeRADIUS group its clients belong to and the reply
attributes of that group (the speed). A contract's *access* is the PPPoE/hotspot login and,
where known, the NAS it connects through. A *network job* is the durable record that a
finalized change must reach the network; it is written in the finalize transaction and
worked on afterwards, with retries, so a RADIUS or NAS outage never undoes a finalize.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.errors import InvalidInput

MAX_ATTRIBUTES = 20
MAX_NAME = 64  # FreeRADIUS's schema: groupname/username are varchar(64)
MAX_VALUE = 253  # a RADIUS attribute's value never exceeds 253 octets

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]*$")
_ATTRIBUTE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)\s*(:=|\+=|==|=)\s*(.*)$")
_BARE_VALUE = re.compile(r"^[A-Za-z0-9_.:/+-]+$")
_QUOTED_VALUE = re.compile(r'^"([^"\\\r\n]*)"$')
REPLY_OPERATORS = (":=", "=", "+=", "==")


class JobStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    APPLIED = "applied"  # the RADIUS tables and (where a session exists) the NAS have it
    FAILED = "failed"  # gave up; staff may retry
    SKIPPED = "skipped"  # nothing could be done (no profile, no login); the reason says why


class JobReason(StrEnum):
    """Why a job is not (yet) applied, or how it was applied: locale keys ``network.reason.*``."""

    NO_PROFILE = "no_profile"
    NO_LOGIN = "no_login"
    DATABASE_DOWN = "database_down"
    NAS_UNKNOWN = "nas_unknown"
    COA_NAK = "coa_nak"
    NO_ANSWER = "no_answer"


class JobOutcome(StrEnum):
    """How an applied job reached the client: locale keys ``network.outcome.*``."""

    COA = "coa"  # the NAS changed the live session (CoA-ACK)
    DISCONNECTED = "disconnected"  # the NAS dropped the session; it reconnects with the new group
    NO_SESSION = "no_session"  # offline now: the next connection gets the new group
    ON_RECONNECT = "on_reconnect"  # the NAS refused the CoA; configured to wait for a reconnect


class NakPolicy(StrEnum):
    """What to do when the NAS refuses (or never answers) the CoA."""

    DISCONNECT = "disconnect"
    LEAVE = "leave"


@dataclass(frozen=True)
class ReplyAttribute:
    name: str
    op: str
    value: str  # without surrounding quotes

    def text(self) -> str:
        return f'{self.name} {self.op} "{self.value}"'


@dataclass(frozen=True)
class NetworkProfile:
    plan_id: int
    group: str
    attributes: tuple[ReplyAttribute, ...]

    @property
    def attributes_text(self) -> str:
        return "; ".join(a.text() for a in self.attributes)


@dataclass(frozen=True)
class ContractAccess:
    contract_id: int
    login: str
    nas_id: int | None = None


@dataclass(frozen=True)
class Nas:
    id: int
    name: str
    address: str
    secret: str = field(repr=False)  # never logged, never shown
    coa_port: int = 3799
    vendor: str = "other"


@dataclass(frozen=True)
class NetworkJob:
    id: int
    action_id: int | None
    contract_id: int
    login: str
    group: str
    attributes: tuple[ReplyAttribute, ...]
    status: JobStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    applied_at: datetime | None = None
    reason: JobReason | None = None
    outcome: JobOutcome | None = None
    nas_id: int | None = None


@dataclass(frozen=True)
class Session:
    """An open accounting session (``radacct`` with no stop time)."""

    nas_address: str
    session_id: str | None
    framed_ip: str | None


def check_name(value: str, what: str = "group") -> str:
    """A RADIUS group name or login: printable, no spaces or quotes, at most 64 characters."""
    value = (value or "").strip()
    if not value or len(value) > MAX_NAME or not _NAME.match(value):
        raise InvalidInput(f"errors.radius_{what}_invalid", value=value[:80], max=MAX_NAME)
    return value


def parse_attribute(line: str) -> ReplyAttribute:
    """``Mikrotik-Rate-Limit := "300M/150M"`` → :class:`ReplyAttribute`; refuse anything else
    so a typo is caught when the profile is saved, not when a client connects."""
    match = _ATTRIBUTE.match(line.strip())
    if not match:
        raise InvalidInput("errors.radius_attribute_syntax", line=line.strip()[:120])
    name, op, raw = match.groups()
    raw = raw.strip()
    quoted = _QUOTED_VALUE.match(raw)
    if quoted:
        value = quoted.group(1)
    elif _BARE_VALUE.match(raw):
        value = raw
    else:
        raise InvalidInput("errors.radius_attribute_syntax", line=line.strip()[:120])
    if not value or len(value.encode()) > MAX_VALUE or len(name) > MAX_NAME:
        raise InvalidInput("errors.radius_attribute_syntax", line=line.strip()[:120])
    return ReplyAttribute(name, op, value)


def parse_attributes(text: str) -> tuple[ReplyAttribute, ...]:
    """One attribute per line (or separated by ``;``); at least one, at most 20."""
    lines = [part for chunk in text.splitlines() for part in chunk.split(";") if part.strip()]
    if not lines:
        raise InvalidInput("errors.radius_attributes_empty")
    if len(lines) > MAX_ATTRIBUTES:
        raise InvalidInput("errors.radius_attributes_too_many", max=MAX_ATTRIBUTES)
    return tuple(parse_attribute(line) for line in lines)


def make_profile(plan_id: int, group: str, attributes: str) -> NetworkProfile:
    return NetworkProfile(plan_id, check_name(group), parse_attributes(attributes))


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 10 s, 20 s, 40 s … capped at 15 minutes."""
    return timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 900))


def check_nas(name: str, address: str, secret: str, coa_port: int) -> tuple[str, str]:
    """A NAS's name and address, validated; the secret must not be empty."""
    name = check_name(name, "nas")
    try:
        address = str(ipaddress.ip_address(address.strip()))
    except ValueError:
        raise InvalidInput("errors.radius_nas_address", value=address[:60]) from None
    if not secret:
        raise InvalidInput("errors.radius_nas_secret")
    if not 1 <= coa_port <= 65535:
        raise InvalidInput("errors.radius_nas_port", value=str(coa_port))
    return name, address
