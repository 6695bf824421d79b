"""Named domain errors: a catalog key and its parameters, nothing translated here.

The domain knows no language. Each error says *what* went wrong (``key``) and with which values
(``params``); the edges (chat, web page, CLI) turn it into text in the reader's language with
:func:`bot.i18n.error_text`. ``str(error)`` is the key and parameters, for logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Term:
    """A parameter that is itself a word of the catalog (a status, a role): translated along
    with the message it fills, so the domain never holds a word in one language."""

    key: str


@dataclass(frozen=True)
class Reason:
    """One thing the user is told: a catalog key and the values it is filled with."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


class DomainError(Exception):
    """Base for every rule violation the user can be told about."""

    key: str = "errors.generic"

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or type(self).key
        self.params = params
        super().__init__(self.key)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """What to tell the user. One reason is told as it is; several are listed, one a line
        (an error that knows several things are wrong overrides this)."""
        return (Reason(self.key, self.params),)

    @property
    def listed(self) -> bool:
        """Whether the reasons are shown as a list (bullets) even when there is only one."""
        return False

    def __str__(self) -> str:
        if not self.params:
            return self.key
        values = ", ".join(f"{name}={value!r}" for name, value in self.params.items())
        return f"{self.key} ({values})"


class InvalidMoney(DomainError):
    key = "money.invalid"


class InvalidDocument(DomainError):
    key = "document.invalid"


class InvalidSplit(DomainError):
    key = "split.invalid"


class LoyaltyNotAllowed(DomainError):
    key = "loyalty.not_allowed"


class NotFound(DomainError):
    key = "errors.not_found"


class PermissionDenied(DomainError):
    key = "errors.permission"


class Conflict(DomainError):
    """The world changed under the user (stale version, second pending action, ...)."""

    key = "errors.conflict"


class InvalidInput(DomainError):
    key = "errors.invalid_input"
