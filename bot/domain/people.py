"""Who the bot deals with: staff members (with their role) and clients (with their address)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.documents import PersonKind, format_document, mask_document


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    TECHNICIAN = "technician"


@dataclass(frozen=True, slots=True)
class Staff:
    id: int
    telegram_id: int
    name: str
    role: Role
    active: bool = True
    locale: str = "pt_BR"

    @property
    def can_run_wizard(self) -> bool:
        return self.active and self.role in (Role.ADMIN, Role.OPERATOR)

    @property
    def is_admin(self) -> bool:
        return self.active and self.role is Role.ADMIN


def join_present(sep: str, *parts: str | None) -> str:
    """The parts that have something in them, stripped and joined: addresses reach us from
    spreadsheets and typing with parts missing, which must not print as ", ," or "None"."""
    return sep.join(p.strip() for p in parts if p and p.strip())


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    number: str
    district: str
    city: str
    state: str
    zip_code: str
    complement: str = ""

    def street_line(self) -> str:
        """The door to knock on, complement included: "Rua das Palmeiras, 123, Apto 31"."""
        return join_present(", ", self.street, self.number, self.complement)

    def city_state(self) -> str:
        """City and state as far as known: "Campinas/SP", "Campinas" or "SP"."""
        return join_present("/", self.city, self.state)

    def one_line(self) -> str:
        """The address on one line ("Rua X, 12, Apto 3 - Centro, Campinas/SP, CEP 13000-000"),
        leaving out the parts an imported or typed address lacks (never ", ," or a bare "CEP")."""
        zip_code = f"CEP {self.zip_code.strip()}" if self.zip_code.strip() else ""
        place = join_present(", ", self.district, self.city_state(), zip_code)
        return join_present(" - ", self.street_line(), place)


@dataclass(frozen=True, slots=True)
class Client:
    id: int
    kind: PersonKind
    name: str
    document: str  # digits only
    phone: str
    email: str
    address: Address

    @property
    def document_masked(self) -> str:
        return mask_document(self.document)

    @property
    def document_formatted(self) -> str:
        return format_document(self.document)
