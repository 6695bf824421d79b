"""In-memory stand-ins for the RADIUS ports: a directory (FreeRADIUS's tables) and a NAS."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.network import Nas, ReplyAttribute, Session
from bot.services.network import Answer, RadiusUnavailable


@dataclass
class FakeDirectory:
    groups: dict[str, tuple[ReplyAttribute, ...]] = field(default_factory=dict)
    members: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    down: bool = False

    async def apply(
        self,
        login: str,
        group: str,
        attributes: tuple[ReplyAttribute, ...],
        owned_groups: frozenset[str],
    ) -> None:
        if self.down:
            raise RadiusUnavailable("connection refused")
        self.groups[group] = attributes
        self.members[login] = group

    async def session(self, login: str) -> Session | None:
        if self.down:
            raise RadiusUnavailable("connection refused")
        return self.sessions.get(login)


@dataclass
class FakeCoa:
    """Answers CoA with ``coa`` and Disconnect with ``disconnect``; records what it got."""

    coa: Answer = Answer.ACK
    disconnect_answer: Answer = Answer.ACK
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, nas, login)

    async def change(
        self, nas: Nas, login: str, session: Session, attributes: tuple[ReplyAttribute, ...]
    ) -> Answer:
        self.sent.append(("coa", nas.name, login))
        return self.coa

    async def disconnect(self, nas: Nas, login: str, session: Session) -> Answer:
        self.sent.append(("disconnect", nas.name, login))
        return self.disconnect_answer
