"""Named domain errors that carry a message safe to show to the user.

Each error has a catalog key and parameters, so the chat and the web page can show it in the
user's language; ``str(error)`` gives the Portuguese text for logs and the CLI.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import t


class DomainError(Exception):
    """Base for every rule violation the user can be told about."""

    key: str = "errors.generic"

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or type(self).key
        self.params = params
        super().__init__(self.key)

    def message(self, locale: str | None = None) -> str:
        return t(self.key, locale, **self.params)

    def __str__(self) -> str:
        return self.message()


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
