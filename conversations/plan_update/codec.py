"""The wizard's callback data: ``w:<verb>`` or ``w:<verb>:<arg>``, one codec for all of it.

Each verb belongs to exactly one step (the navigation verbs to every step), and each declares
what its argument may be. The codec encodes (checking Telegram's 64-byte limit when the
keyboard is built), parses (refusing anything malformed), and gives each step the pattern of
the data it accepts, so a button from another step never reaches that step's handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

PREFIX = "w"
MAX_CALLBACK_BYTES = 64
INT_ARG = r"\d{1,10}"


class Nav(StrEnum):
    """Verbs every step accepts."""

    BACK = "back"
    CANCEL = "x"


@dataclass(frozen=True)
class Verb:
    """One kind of tap: its name in the data and the arguments it may carry."""

    name: str
    args: tuple[str, ...] | None = None  # allowed values; None: an integer id (or no argument)
    takes_arg: bool = True

    @property
    def arg_pattern(self) -> str:
        if not self.takes_arg:
            return ""
        if self.args is None:
            return f":({INT_ARG})"
        return ":(" + "|".join(re.escape(a) for a in self.args) + ")"


class CallbackTooLong(ValueError):
    """A button's data would not fit Telegram's limit: a programming error, caught early."""


class WizardCodec:
    """Encodes and parses the data of one step's buttons."""

    def __init__(self, verbs_by_step: dict[str, tuple[Verb, ...]]) -> None:
        owners: dict[str, str] = {}
        for step, verbs in verbs_by_step.items():
            for verb in verbs:
                if verb.name in owners or verb.name in set(Nav):
                    raise ValueError(f"verb {verb.name!r} of {step} is already used")
                owners[verb.name] = step
                _check_length(verb)
        self._verbs = verbs_by_step
        self._owner = owners

    def encode(self, step: str, verb: str, arg: object = None) -> str:
        """Data for a button of ``step``; a verb of another step is refused here."""
        if verb not in set(Nav) and self._owner.get(verb) != step:
            raise ValueError(f"{verb!r} is not a choice of {step}")
        data = f"{PREFIX}:{verb}" if arg is None else f"{PREFIX}:{verb}:{arg}"
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise CallbackTooLong(data)
        if not re.fullmatch(self.pattern(step), data):
            raise ValueError(f"{data!r} does not match what {step} accepts")
        return data

    def pattern(self, step: str) -> str:
        """A regex matching exactly the data ``step`` accepts (its verbs and navigation)."""
        options = [f"{re.escape(v.name)}{v.arg_pattern}" for v in self._verbs[step]]
        options += [re.escape(n.value) for n in Nav]
        return rf"^{PREFIX}:(?:{'|'.join(options)})$"

    @staticmethod
    def parse(data: str) -> tuple[str, str]:
        """``(verb, arg)`` of data that already matched a step's pattern."""
        _, verb, *rest = data.split(":", 2)
        return verb, rest[0] if rest else ""

    def any_pattern(self) -> str:
        """Every wizard button, of any step (for the handler of buttons outside a wizard)."""
        return rf"^{PREFIX}:"


def _check_length(verb: Verb) -> None:
    longest = max((len(a.encode()) for a in verb.args), default=0) if verb.args else 10
    size = len(f"{PREFIX}:{verb.name}:".encode()) + (longest if verb.takes_arg else 0)
    if size > MAX_CALLBACK_BYTES:
        raise CallbackTooLong(f"{verb.name}: {size} bytes")
