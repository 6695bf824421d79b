"""The web page's client side, part 2: a company's signer asked with the answer; "concluído"
with the final contract and the amendment once the change is applied (then gone after the
retention period); the staff's preview, which shows the proposal and can decide nothing."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.config import Settings
from bot.domain.documents import PersonKind
from bot.domain.models import AcceptanceStatus
from bot.i18n import days_text as days
from bot.preview_links import PREVIEW_TTL, STAFF_COOKIE, preview_secret, preview_token
from bot.services.client_documents import forget_expired_copies
from bot.services.plan_update import cancel_action, create_plan_update, finalize_action
from bot.services.scheduled import apply_due
from bot.services.tickets import close_ticket
from tests.support.builders import plan_change, world
from tests.support.clock import FakeClock
from tests.web.support import (
    Pending,
    csrf_of,
    fake_pdf,
    latest_request,
    pending_web_action,
    text_of,
    web_client,
)

SIGNER = {
    "signer_name": "Maria Clara Souza",
    "signer_cpf": "529.982.247-25",
    "signer_role": "sócia administradora",
}


class StubPrinter:
    """Stands in for the PDF renderer: says which document it printed."""

    async def contract_pdf(self, doc: Any) -> bytes:
        return f"%PDF-1.7 contrato {doc.number} v{doc.version}".encode()

    async def amendment_pdf(self, doc: Any) -> bytes:
        return f"%PDF-1.7 aditivo acao {doc.action_id}".encode()

    def filename(self, doc: Any) -> str:
        return f"aditivo-{doc.action_id}.pdf" if hasattr(doc, "change_type") else "contrato.pdf"


async def post_accept(client, p: Pending, **fields: str):  # type: ignore[no-untyped-def]
    page = await (await client.get(f"/aceite/{p.token}")).text()
    data = {"csrf": csrf_of(page), "decision": "accept", "documento": p.document, "agree": "sim"}
    return await client.post(f"/aceite/{p.token}", data={**data, **fields})


async def test_a_company_answers_through_its_signer(ctx, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    p = await pending_web_action(ctx, PersonKind.PJ)
    async with web_client(ctx, clock) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
        assert 'name="signer_cpf"' in page
        assert "Para confirmar, digite o CNPJ da empresa" in text_of(page)
        assert 'name="signer_role"' in page and 'value="representante legal"' in page

        bad = await post_accept(client, p, **{**SIGNER, "signer_cpf": "529.982.247-24"})
        assert bad.status == 400
        body = await bad.text()
        assert "Este CPF não é válido. Confira os 11 dígitos e digite de novo." in text_of(body)
        assert 'value="Maria Clara Souza"' in body  # what was typed stays
        missing = await post_accept(client, p)
        assert missing.status == 400
        assert "Digite o nome completo" in text_of(await missing.text())
        assert (await latest_request(ctx, p.action_id)).status is AcceptanceStatus.PENDING

        done = await post_accept(client, p, **SIGNER)
        assert done.status == 200 and "Aceite registrado" in text_of(await done.text())
    request = await latest_request(ctx, p.action_id)
    assert request.status is AcceptanceStatus.ACCEPTED
    assert request.signer is not None
    assert (request.signer.name, request.signer.cpf, request.signer.role) == (
        "Maria Clara Souza",
        "52998224725",
        "sócia administradora",
    )


async def test_a_person_is_not_asked_for_a_signer(ctx, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    p = await pending_web_action(ctx)
    async with web_client(ctx, clock) as client:
        assert "signer_cpf" not in await (await client.get(f"/aceite/{p.token}")).text()
        assert (await post_accept(client, p)).status == 200
    assert (await latest_request(ctx, p.action_id)).signer is None


async def test_concluded_link_offers_the_final_contract_and_amendment(
    ctx, clock: FakeClock
) -> None:  # type: ignore[no-untyped-def]
    p = await pending_web_action(ctx)
    async with web_client(ctx, clock, printer=StubPrinter()) as client:
        await post_accept(client, p)
        final = f"/aceite/{p.token}/contrato-final.pdf"
        not_yet = await client.get(final)
        assert not_yet.status == 404
        assert "A alteração ainda não foi concluída" in text_of(await not_yet.text())
        waiting = text_of(await (await client.get(f"/aceite/{p.token}")).text())
        assert "Aceite registrado" in waiting and "Alteração concluída" not in waiting

        assert p.created.ticket is not None
        await close_ticket(ctx, p.world.technician.id, p.created.ticket.id, "feito")
        await finalize_action(ctx, p.world.operator.id, p.action_id)

        page = await (await client.get(f"/aceite/{p.token}")).text()
        seen = text_of(page)
        assert "Alteração concluída" in seen
        assert "Baixar o contrato atualizado (PDF)" in seen
        assert "Baixar o termo aditivo (PDF)" in seen
        assert f'href="{p.token}/contrato-final.pdf"' in page
        assert f'href="{p.token}/aditivo.pdf"' in page
        contract = await client.get(final)
        assert contract.status == 200 and contract.content_type == "application/pdf"
        assert (await contract.read()).endswith(b" v2")  # the version the change produced
        amendment = await client.get(f"/aceite/{p.token}/aditivo.pdf")
        assert await amendment.read() == f"%PDF-1.7 aditivo acao {p.action_id}".encode()
        assert 'filename="aditivo-' in amendment.headers["Content-Disposition"]

        clock.advance(days=90)  # the retention period is over
        for path in (f"/aceite/{p.token}", final, f"/aceite/{p.token}/aditivo.pdf"):
            gone = await client.get(path)
            assert gone.status == 410
            assert "O prazo para baixar este documento terminou." in text_of(await gone.text())


def preview_path(settings: Settings, action_id: int, clock: FakeClock) -> str:
    return f"/aceite/equipe.{preview_token(preview_secret(settings), action_id, clock())}"


async def test_staff_preview_shows_the_proposal_and_decides_nothing(ctx, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(bot_token="123:preview")
    p = await pending_web_action(ctx, PersonKind.PJ)
    async with web_client(ctx, clock, settings) as client:
        path = preview_path(settings, p.action_id, clock)
        resp = await client.get(path)
        page = await resp.text()
        assert resp.status == 200
        seen = text_of(page)
        assert "Visualização da equipe." in seen
        assert "Alteração do seu plano" in seen and "Serviços incluídos" in seen
        assert "<form" not in page and 'name="documento"' not in page
        assert "Aceitar" not in seen and "Recusar" not in seen

        refused = await client.post(
            path, data={"decision": "accept", "documento": p.document, "agree": "sim", **SIGNER}
        )
        assert refused.status == 403
        assert "nada pode ser aceito ou recusado" in text_of(await refused.text())
        assert (await latest_request(ctx, p.action_id)).status is AcceptanceStatus.PENDING

        # This browser opened a preview: it is a staff member's, and the client's link opened
        # here shows the staff's view and decides nothing either.
        staff_view = await (await client.get(f"/aceite/{p.token}")).text()
        assert "Visualização da equipe." in text_of(staff_view)
        assert "<form" not in staff_view and 'name="documento"' not in staff_view
        posted = await client.post(
            f"/aceite/{p.token}",
            data={"decision": "accept", "documento": p.document, "agree": "sim", **SIGNER},
        )
        assert posted.status == 403
        assert (await latest_request(ctx, p.action_id)).status is AcceptanceStatus.PENDING

    # Any other browser (the client's) gets the client's link as it was.
    async with web_client(ctx, clock, settings) as client:
        assert 'name="documento"' in await (await client.get(f"/aceite/{p.token}")).text()
        client.session.cookie_jar.update_cookies({STAFF_COOKIE: "9999999999." + "0" * 32})
        forged_mark = await (await client.get(f"/aceite/{p.token}")).text()
        assert 'name="documento"' in forged_mark  # a cookie the bot did not sign is ignored

        forged = re.sub(r"\.[0-9a-f]{32}$", "." + "0" * 32, path)
        assert (await client.get(forged)).status == 410
        other = preview_path(Settings(bot_token="456:other"), p.action_id, clock)
        assert (await client.get(other)).status == 410  # signed with another key
        clock.advance(seconds=PREVIEW_TTL.total_seconds())
        expired = await client.get(path)
        assert expired.status == 410
        assert "Visualização expirada" in text_of(await expired.text())


def test_the_page_counts_days_in_the_singular_and_the_plural() -> None:
    assert [days(n, "pt_BR") for n in (1, 15)] == ["1 dia", "15 dias"]
    assert [days(n, "en") for n in (1, 15)] == ["1 day", "15 days"]


async def scheduled_web_action(ctx, days_ahead: int) -> Pending:  # type: ignore[no-untyped-def]
    """A web acceptance for a change that takes effect ``days_ahead`` days from today."""
    w = await world(ctx, PersonKind.PF)
    change = await plan_change(ctx, w.contract, with_ticket=False)
    change = replace(change, effective_on=ctx.today() + timedelta(days=days_ahead))
    created = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
    async with ctx.uow() as uow:
        client = await uow.clients.get(w.contract.client_id)
    assert created.token and client is not None
    return Pending(w, created, client.document)


async def test_a_scheduled_change_says_when_and_keeps_the_copies_from_the_day_it_applies(
    ctx, clock: FakeClock
) -> None:  # type: ignore[no-untyped-def]
    p = await scheduled_web_action(ctx, days_ahead=85)
    async with web_client(ctx, clock, printer=StubPrinter()) as client:
        await post_accept(client, p)
        result = await finalize_action(ctx, p.world.operator.id, p.action_id)
        assert result.scheduled
        waiting = text_of(await (await client.get(f"/aceite/{p.token}")).text())
        day = (ctx.today() + timedelta(days=85)).strftime("%d/%m/%Y")
        assert f"A alteração está agendada e vale a partir de {day}." in waiting
        assert "Quando estiver concluída" not in waiting

        clock.advance(days=85)
        [outcome] = await apply_due(ctx)
        assert outcome.applied
        clock.advance(days=10)  # 95 days after the answer, 10 after the change applied
        page = text_of(await (await client.get(f"/aceite/{p.token}")).text())
        assert "Alteração concluída" in page
        assert (await client.get(f"/aceite/{p.token}/aditivo.pdf")).status == 200
        clock.advance(days=80)  # 90 days after it applied: gone
        assert (await client.get(f"/aceite/{p.token}/aditivo.pdf")).status == 410


async def test_an_accepted_change_the_office_cancelled_says_so(ctx, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    p = await pending_web_action(ctx)
    async with web_client(ctx, clock, printer=StubPrinter()) as client:
        await post_accept(client, p)
        await cancel_action(ctx, p.world.operator.id, p.action_id, "cliente desistiu por telefone")
        page = text_of(await (await client.get(f"/aceite/{p.token}")).text())
        assert "A alteração foi cancelada pela nossa equipe" in page
        assert "Quando estiver concluída" not in page
        final = await client.get(f"/aceite/{p.token}/contrato-final.pdf")
        assert final.status != 200


class BrokenPrinter(StubPrinter):
    async def amendment_pdf(self, doc: Any) -> bytes:
        raise RuntimeError("the renderer fell over")


async def test_final_downloads_of_an_unknown_link_or_a_failed_render_say_so(
    ctx, clock: FakeClock
) -> None:  # type: ignore[no-untyped-def]
    p = await pending_web_action(ctx, with_ticket=False)
    async with web_client(ctx, clock, printer=BrokenPrinter()) as client:
        await post_accept(client, p)
        await finalize_action(ctx, p.world.operator.id, p.action_id)
        failed = await client.get(f"/aceite/{p.token}/aditivo.pdf")
        assert failed.status == 503 and failed.headers["Retry-After"] == "60"
        assert (await client.get(f"/aceite/{p.token}/contrato-final.pdf")).status == 200

        unknown = await client.get("/aceite/" + "A" * 32 + "/aditivo.pdf")
        assert unknown.status == 404
        assert "Este link de aceite não é válido." in text_of(await unknown.text())


async def test_copies_past_their_retention_are_deleted_and_the_others_kept(
    ctx, clock: FakeClock
) -> None:  # type: ignore[no-untyped-def]
    old = await pending_web_action(ctx)
    async with web_client(ctx, clock) as client:
        await post_accept(client, old)
        clock.advance(days=60)
        recent = await pending_web_action(ctx, PersonKind.PJ)  # another contract
        await post_accept(client, recent, **SIGNER)
        assert await forget_expired_copies(ctx) == 0  # nothing is past its time yet

        clock.advance(days=31)  # the first copy's 90 days are over, the second's are not
        assert await forget_expired_copies(ctx) == 1
        assert await forget_expired_copies(ctx) == 0
        assert (await client.get(f"/aceite/{old.token}/aceito.pdf")).status == 410
        kept = await client.get(f"/aceite/{recent.token}/aceito.pdf")
        assert kept.status == 200 and await kept.read() == fake_pdf(recent.action_id)
