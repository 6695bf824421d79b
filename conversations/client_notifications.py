"""The outbox's message to a client: the final contract and the amendment, once applied.

Composed at delivery (see :mod:`conversations.notifications`), in the provider's language: the
final contract (at the version the change produced) with a short message as its caption, then
the amendment. Both are rendered from what is recorded, so a retry sends the same documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import Notification
from bot.i18n import t
from bot.services import printouts
from conversations.base import AppServices, esc


@dataclass(frozen=True)
class ClientDocument:
    caption: str  # HTML
    content: bytes
    filename: str


async def client_documents(services: AppServices, n: Notification) -> list[ClientDocument]:
    action_id = int(n.payload["action_id"])
    locale = services.settings.locale
    contract = await printouts.final_contract_printout(services.ctx, action_id)
    amendment = await printouts.amendment_printout(services.ctx, action_id)
    pdf = services.pdf
    done = t(
        "client_documents.done",
        locale,
        provider=services.settings.provider.name,
        number=contract.number,
    )
    return [
        ClientDocument(esc(done), bytes(await pdf.contract_pdf(contract)), pdf.filename(contract)),
        ClientDocument(
            esc(t("client_documents.amendment", locale, number=contract.number)),
            bytes(await pdf.amendment_pdf(amendment)),
            pdf.filename(amendment),
        ),
    ]


__all__ = ["ClientDocument", "client_documents"]
