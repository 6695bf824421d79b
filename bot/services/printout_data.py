"""The data of a printout (one PDF): plain dataclasses the renderer formats, and its port.

A *printout* is what one PDF prints ("document" is kept for the client's CPF/CNPJ, see
:mod:`bot.domain.documents`). :mod:`bot.services.printouts` gathers them from the database;
``bot.pdf`` turns them into PDF bytes through :class:`PdfPrinter`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.domain.change import ChangeType
from bot.domain.effective import ProRata
from bot.domain.loyalty import Loyalty
from bot.domain.models import (
    AcceptanceChannel,
    AcceptanceStatus,
    Client,
    ContractStatus,
    ContractTemplate,
    Plan,
    TicketStatus,
)
from bot.domain.money import Money
from bot.domain.signer import Signer
from bot.domain.split import Share


@dataclass(frozen=True)
class ContractTerms:
    """The commercial terms of one contract version: what a revision changes."""

    plan: Plan
    plan_group: str | None
    value: Money
    services: tuple[Share, ...]
    template: ContractTemplate
    loyalty: Loyalty
    loyalty_term_name: str | None = None

    @property
    def services_total(self) -> Money:
        return sum((s.amount for s in self.services), Money.zero())

    @property
    def loyalty_total_benefit(self) -> Money:
        return self.loyalty.monthly_benefit.times(self.loyalty.months)


@dataclass(frozen=True)
class ContractPrintout:
    """A contract at one version (current, or proposed by a pending action)."""

    contract_id: int
    number: str
    version: int
    status: ContractStatus
    client: Client
    terms: ContractTerms
    due_day: int
    start_date: date
    issued_on: date  # the date of this version (last revision, or the contract's start)
    proposal: bool = False
    action_id: int | None = None  # set for a proposal: the action that proposes it
    loyalty_kept: bool = False  # a proposal that keeps the current loyalty (no new adherence)
    signer: Signer | None = None  # who accepted this version for a company client

    @property
    def loyalty_in_force(self) -> bool:
        """Whether a loyalty period binds the client at this version's date (an ended one,
        though recorded, binds nobody and is printed as "sem fidelidade vigente")."""
        return self.terms.loyalty.in_force(self.issued_on)

    @property
    def template_file(self) -> str:
        return self.terms.template.file


@dataclass(frozen=True)
class AcceptanceEvidence:
    """How the client accepted (or not) the change: what the termo aditivo records."""

    request_id: int
    channel: AcceptanceChannel
    status: AcceptanceStatus
    requested_at: datetime
    decided_at: datetime | None
    document_sha256: str | None
    ip: str | None = None
    user_agent: str | None = None
    telegram_user_id: int | None = None
    telegram_name: str | None = None
    staff_id: int | None = None
    staff_name: str | None = None
    note: str | None = None
    photo_file_id: str | None = None
    document_checked: bool = False
    signer: Signer | None = None  # who answered for a company client


@dataclass(frozen=True)
class AmendmentPrintout:
    """A finalized plan update, printed as a termo aditivo to the contract."""

    action_id: int
    contract_id: int
    contract_number: str
    client: Client
    change_type: ChangeType
    before: ContractTerms
    after: ContractTerms
    version_before: int
    version_after: int
    due_day: int
    created_at: datetime
    created_by: str | None
    finalized_at: datetime
    finalized_by: str | None
    effective_on: date  # the local date the change took effect (finalized_at's day)
    acceptance_required: bool
    acceptance: AcceptanceEvidence | None
    ticket_number: int | None = None
    ticket_status: TicketStatus | None = None
    first_invoice: ProRata | None = None  # the billing cycle the change starts in

    @property
    def template_file(self) -> str:
        return "contracts/amendment.html.j2"

    @property
    def service_rows(self) -> list[tuple[str, Money | None, Money | None]]:
        """Every service in either version: (name, share before, share after); None = absent."""
        before = {s.service_id: s for s in self.before.services}
        after = {s.service_id: s for s in self.after.services}
        order = [s.service_id for s in self.after.services] + [
            s.service_id for s in self.before.services if s.service_id not in after
        ]
        rows = []
        for sid in order:
            b, a = before.get(sid), after.get(sid)
            name = (a or b).name  # type: ignore[union-attr]
            rows.append((name, b.amount if b else None, a.amount if a else None))
        return rows

    @property
    def changed(self) -> dict[str, bool]:
        """Which parts changed, so the template can highlight them."""
        b, a = self.before, self.after
        return {
            "plan": b.plan.id != a.plan.id,
            "speed": (b.plan.download_mbps, b.plan.upload_mbps)
            != (a.plan.download_mbps, a.plan.upload_mbps),
            "value": b.value != a.value,
            "services": [(s.service_id, s.amount) for s in b.services]
            != [(s.service_id, s.amount) for s in a.services],
            "template": b.template.id != a.template.id,
            "loyalty": (b.loyalty.months, b.loyalty.monthly_benefit, b.loyalty.start)
            != (a.loyalty.months, a.loyalty.monthly_benefit, a.loyalty.start),
        }


class PdfPrinter(Protocol):
    """Turns printouts into PDF bytes (and names the file)."""

    async def contract_pdf(self, printout: ContractPrintout, /) -> bytes: ...
    async def amendment_pdf(self, printout: AmendmentPrintout, /) -> bytes: ...
    def filename(self, printout: ContractPrintout | AmendmentPrintout, /) -> str: ...


__all__ = [
    "AcceptanceEvidence",
    "AmendmentPrintout",
    "ContractPrintout",
    "ContractTerms",
    "PdfPrinter",
]
