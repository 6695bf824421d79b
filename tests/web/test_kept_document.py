"""What the client keeps: after answering, the link offers the exact PDF they answered (same
bytes, same SHA-256 as recorded) for the retention period; then it says the copy is gone."""

from __future__ import annotations

from itertools import count

from bot.domain.models import AcceptanceStatus
from bot.services.context import ServiceContext
from tests.support.clock import FakeClock
from tests.web.support import (
    csrf_of,
    latest_request,
    pending_web_action,
    sha256,
    text_of,
    web_client,
)


def changing_document():  # type: ignore[no-untyped-def]
    """A renderer that never gives the same bytes twice: only what was served can match."""
    renders = count(1)

    async def render(action_id: int) -> bytes:
        return b"%PDF-1.7\n% proposta " + f"{action_id}-{next(renders)}".encode() + b"\n%%EOF\n"

    return render


async def test_the_answered_pdf_stays_downloadable_for_the_retention_period(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    assert ctx.document_retention.days == 90  # the default
    p = await pending_web_action(ctx)
    async with web_client(ctx, clock, document=changing_document()) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
        shown = await (await client.get(f"/aceite/{p.token}/contrato.pdf")).read()
        done = await (
            await client.post(
                f"/aceite/{p.token}",
                data={
                    "csrf": csrf_of(page),
                    "decision": "accept",
                    "documento": p.document,
                    "agree": "sim",
                },
            )
        ).text()
        assert f'href="{p.token}/aceito.pdf"' in done
        seen = text_of(done)
        assert "Baixar o contrato que você aceitou (PDF)" in seen
        assert "disponível neste link por 90 dias" in seen
        assert "avisar você" not in seen  # no promise the page cannot keep

        resp = await client.get(f"/aceite/{p.token}/aceito.pdf")
        kept = await resp.read()
        assert resp.status == 200 and resp.content_type == "application/pdf"
        request = await latest_request(ctx, p.action_id)
        assert request.status is AcceptanceStatus.ACCEPTED
        assert kept == shown
        assert sha256(kept) == request.document_sha256

        # The link opened again shows the answer and the download, not "link já utilizado".
        again = await client.get(f"/aceite/{p.token}")
        assert again.status == 200
        assert "Aceite registrado" in text_of(await again.text())
        assert f'href="{p.token}/aceito.pdf"' in await again.text()

        clock.advance(days=90)
        gone = await client.get(f"/aceite/{p.token}/aceito.pdf")
        assert gone.status == 410
        assert "O prazo para baixar este documento terminou." in text_of(await gone.text())
        assert (await client.get(f"/aceite/{p.token}")).status == 410


async def test_a_pending_or_unknown_link_has_no_answered_pdf(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    p = await pending_web_action(ctx)
    async with web_client(ctx, clock) as client:
        assert (await client.get(f"/aceite/{p.token}/aceito.pdf")).status == 404
        assert (await client.get(f"/aceite/{'x' * 32}/aceito.pdf")).status == 404
