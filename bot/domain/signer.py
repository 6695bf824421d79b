"""Who signs for a company (PJ) client: name, CPF and role.

A CNPJ cannot type or sign; a person does, on the company's behalf. Before a PJ client's
acceptance request is answered, that person's name, CPF (check digits validated) and role are
asked and recorded with the evidence, and printed in the amendment and the contract's signature
block. Only the masked CPF is ever shown or logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.documents import is_valid_cpf, mask_document, only_digits
from bot.domain.errors import InvalidInput

NAME_MAX = 120
ROLE_MAX = 60
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Signer:
    """The person who answered for the company; ``cpf`` is digits only."""

    name: str
    cpf: str
    role: str

    @property
    def cpf_masked(self) -> str:
        return mask_document(self.cpf)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text or "").strip()


def parse_signer_name(text: str) -> str:
    """A person's full name: at least two words, letters in it, not too long."""
    name = _clean(text)
    if len(name) > NAME_MAX or len(name.split(" ")) < 2 or not any(c.isalpha() for c in name):
        raise InvalidInput("acceptance.signer.name_invalid", max=NAME_MAX)
    return name


def parse_signer_cpf(text: str) -> str:
    """The signer's CPF as digits; a wrong length or check digit is refused."""
    if not is_valid_cpf(text or ""):
        raise InvalidInput("acceptance.signer.cpf_invalid")
    return only_digits(text)


def parse_signer_role(text: str) -> str:
    role = _clean(text)
    if not role or len(role) > ROLE_MAX:
        raise InvalidInput("acceptance.signer.role_invalid", max=ROLE_MAX)
    return role


def signer_from_input(name: str, cpf: str, role: str) -> Signer:
    """All three answers checked at once (the web form sends them together)."""
    return Signer(parse_signer_name(name), parse_signer_cpf(cpf), parse_signer_role(role))


__all__ = [
    "Signer",
    "parse_signer_cpf",
    "parse_signer_name",
    "parse_signer_role",
    "signer_from_input",
]
