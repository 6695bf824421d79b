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


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    number: str
    district: str
    city: str
    state: str
    zip_code: str
    complement: str = ""

    def one_line(self) -> str:
        """The address on one line ("Rua X, 12, Apto 3 - Centro, Campinas/SP, CEP 13000-000"),
        leaving out the parts an imported or typed address lacks (never ", ," or a bare "CEP")."""

        def join(sep: str, *parts: str | None) -> str:
            return sep.join(p.strip() for p in parts if p and p.strip())

        door = join(", ", self.street, self.number, self.complement)
        zip_code = f"CEP {self.zip_code.strip()}" if self.zip_code and self.zip_code.strip() else ""
        place = join(", ", self.district, join("/", self.city, self.state), zip_code)
        return join(" - ", door, place)


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
