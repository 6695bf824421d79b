"""The client's web acceptance: what the client sees on the phone and what lands in the DB."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import update

from bot.config import ProviderInfo
from bot.domain.models import AcceptanceChannel, AcceptanceStatus
from bot.domain.money import format_brl
from bot.render import MessageRenderer
from bot.services.acceptance import resend_acceptance
from bot.services.cards import action_card
from bot.services.context import ServiceContext
from bot.services.plan_update import cancel_action, create_plan_update, finalize_action
from storage import orm
from storage.uow import SqlUnitOfWork
from tests.support.builders import plan_change, world
from tests.support.clock import FakeClock
from tests.web.support import (
    PHONE_UA,
    csrf_of,
    fake_pdf,
    latest_request,
    pending_web_action,
    sha256,
    text_of,
    web_client,
)


async def test_page_shows_the_proposed_change(ctx: ServiceContext, clock: FakeClock) -> None:
    p = await pending_web_action(ctx)
    card = await action_card(ctx, p.action_id)
    async with web_client(ctx, clock) as client:
        resp = await client.get(f"/aceite/{p.token}")
        page = await resp.text()
    assert resp.status == 200
    assert resp.content_type == "text/html"
    seen = text_of(page)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "Provedor Exemplo Telecom Ltda." in seen
    assert f"Olá, {card.client.name}" in seen
    assert card.client.document_masked in seen
    assert f"contrato nº {card.contract.number}" in seen
    # Current plan versus new plan, with speeds and values.
    assert f"Plano atual {card.current_plan.name}" in seen
    assert (
        "Novo plano Fibra 1 Giga Download\u00a01.000\u00a0Mbps · Upload\u00a0500\u00a0Mbps"
        " R$\u00a0199,90/mês" in seen
    )
    assert f"{format_brl(card.contract.value.cents)}/mês" in seen
    assert "Nova mensalidade: R$\u00a0199,90" in seen
    # Services with their share of the value, adding up to the total.
    for share in card.action.change.services:
        assert f"{share.name} {share.amount.format()}" in seen
    assert "Total R$\u00a0199,90" in seen
    # The new loyalty term and its benefit.
    assert "Fidelidade 12 meses: permanência mínima de 12 meses" in seen
    assert "Benefício mensal: R$\u00a020,00" in seen
    assert "Benefício total no período: R$\u00a0240,00" in seen
    # The contract, the checkbox, the two answers and the deadline.
    assert f'href="{p.token}/contrato.pdf"' in page
    assert "Ver o contrato proposto (PDF)" in seen
    assert 'type="checkbox" name="agree"' in page and "Li e concordo com os termos" in seen
    assert "Aceitar" in seen and "Recusar" in seen
    expires = (clock.now + ctx.acceptance_ttl).astimezone(ctx.timezone)
    assert f"responda até {expires:%d/%m/%Y} às {expires:%H:%M}" in seen
    # No external assets: nothing loaded from another origin, no script at all.
    assert "<script" not in page
    assert "http://" not in page and "https://" not in page and 'src="//' not in page


async def test_loyalty_none_and_kept_are_spelled_out(ctx: ServiceContext, clock: FakeClock) -> None:
    none = await pending_web_action(ctx, loyalty_months=0)
    async with web_client(ctx, clock) as client:
        page = await (await client.get(f"/aceite/{none.token}")).text()
        assert "Sem fidelidade. Você pode cancelar quando quiser, sem multa." in text_of(page)
        await cancel_action(ctx, none.world.operator.id, none.action_id, "teste")
        kept = await pending_web_action(ctx, loyalty_months=None)
        page = await (await client.get(f"/aceite/{kept.token}")).text()
    card = await action_card(ctx, kept.action_id)
    seen = text_of(page)
    today = clock.now.astimezone(ctx.timezone).date()
    if card.contract.loyalty.in_force(today):
        assert f"Fidelidade atual mantida: {card.contract.loyalty.months} meses" in seen
    elif card.contract.loyalty.active:
        assert "Sem fidelidade vigente. Sua fidelidade anterior terminou em" in seen
    else:
        assert "Sem fidelidade vigente. Esta alteração não cria fidelidade." in seen


async def test_pdf_is_the_proposed_contract(ctx: ServiceContext, clock: FakeClock) -> None:
    p = await pending_web_action(ctx)
    card = await action_card(ctx, p.action_id)
    async with web_client(ctx, clock) as client:
        resp = await client.get(f"/aceite/{p.token}/contrato.pdf")
        body = await resp.read()
    assert resp.status == 200
    assert resp.content_type == "application/pdf"
    assert resp.headers["Content-Disposition"] == (
        f'inline; filename="contrato-{card.contract.number}-proposta.pdf"'
    )
    assert resp.headers["Cache-Control"] == "no-store"
    assert body == fake_pdf(p.action_id)


async def test_accept_records_the_decision_and_the_evidence(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    p = await pending_web_action(ctx)
    async with web_client(ctx, clock) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
        pdf = await (await client.get(f"/aceite/{p.token}/contrato.pdf")).read()
        clock.advance(minutes=3)
        resp = await client.post(
            f"/aceite/{p.token}",
            data={
                "csrf": csrf_of(page),
                "decision": "accept",
                "documento": p.document,
                "agree": "sim",
            },
        )
        done = await resp.text()
    assert resp.status == 200
    seen = text_of(done)
    assert "Aceite registrado" in seen
    assert "Registramos o seu aceite em 20/11/2026 às 10:03" in seen  # 13:03 UTC in São Paulo
    assert sha256(pdf) in seen
    request = await latest_request(ctx, p.action_id)
    assert request.status is AcceptanceStatus.ACCEPTED
    assert request.channel is AcceptanceChannel.WEB
    assert request.decided_at == clock.now
    assert request.document_sha256 == sha256(pdf) == sha256(fake_pdf(p.action_id))
    assert request.evidence.ip == "127.0.0.1"
    assert request.evidence.user_agent == PHONE_UA
    card = await action_card(ctx, p.action_id)
    assert "acceptance_pending" not in [b.value for b in card.blockers]


async def test_accept_without_ticking_the_box_asks_again(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    p = await pending_web_action(ctx)
    async with web_client(ctx, clock) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
        resp = await client.post(
            f"/aceite/{p.token}", data={"csrf": csrf_of(page), "decision": "accept"}
        )
        again = await resp.text()
    assert resp.status == 400
    seen = text_of(again)
    assert "Para aceitar, marque a opção “Li e concordo com os termos”." in seen
    assert "Nova mensalidade: R$\u00a0199,90" in seen and "Aceitar" in seen
    assert (await latest_request(ctx, p.action_id)).status is AcceptanceStatus.PENDING


async def test_decline_asks_for_confirmation_first(ctx: ServiceContext, clock: FakeClock) -> None:
    p = await pending_web_action(ctx)
    async with web_client(ctx, clock) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
        resp = await client.post(
            f"/aceite/{p.token}", data={"csrf": csrf_of(page), "decision": "decline"}
        )
        confirm = await resp.text()
        assert resp.status == 200
        assert "Tem certeza de que deseja recusar a alteração" in text_of(confirm)
        assert f'href="{p.token}"' in confirm  # Voltar
        assert (await latest_request(ctx, p.action_id)).status is AcceptanceStatus.PENDING

        resp = await client.post(
            f"/aceite/{p.token}",
            data={
                "csrf": csrf_of(confirm),
                "decision": "decline",
                "confirm": "sim",
                "documento": p.document,
                "reason": "Achei caro",
            },
        )
        done = await resp.text()
    assert resp.status == 200
    seen = text_of(done)
    assert "Recusa registrada" in seen and "Seu plano atual continua como está." in seen
    request = await latest_request(ctx, p.action_id)
    assert request.status is AcceptanceStatus.DECLINED
    assert request.evidence.note == "Achei caro"
    assert request.evidence.user_agent == PHONE_UA
    assert request.document_sha256 == sha256(fake_pdf(p.action_id))
    card = await action_card(ctx, p.action_id)
    assert "acceptance_declined" in [b.value for b in card.blockers]


async def test_a_used_link_is_dead_and_reveals_nothing(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    p = await pending_web_action(ctx)
    card = await action_card(ctx, p.action_id)
    async with web_client(ctx, clock) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
        form = {
            "csrf": csrf_of(page),
            "decision": "accept",
            "documento": p.document,
            "agree": "sim",
        }
        assert (await client.post(f"/aceite/{p.token}", data=form)).status == 200
        # Reloading the thank-you page (same browser) shows the same answer, records nothing new.
        repeat = await client.post(f"/aceite/{p.token}", data=form)
        assert repeat.status == 200 and "Aceite registrado" in text_of(await repeat.text())
        first = await latest_request(ctx, p.action_id)

        # Opened again, the link shows the answer and the answered PDF to download (what the
        # client keeps), never the form again.
        resp = await client.get(f"/aceite/{p.token}")
        gone = await resp.text()
        assert resp.status == 200 and "Aceite registrado" in text_of(gone)
        assert 'name="decision"' not in gone
        late = await client.post(
            f"/aceite/{p.token}",
            data={"csrf": form["csrf"], "decision": "decline", "confirm": "sim"},
        )
        assert late.status == 410
        other_phone = await client.post(
            f"/aceite/{p.token}", data=form, headers={"User-Agent": "Outro/2.0"}
        )
        assert other_phone.status == 410
        assert (await client.get(f"/aceite/{p.token}/contrato.pdf")).status == 410
    seen = text_of(gone)
    assert "Baixar o contrato que você aceitou (PDF)" in seen
    assert card.client.name not in seen and card.contract.number not in seen
    assert "R$" not in seen
    assert await latest_request(ctx, p.action_id) == first
    assert first.status is AcceptanceStatus.ACCEPTED


async def test_an_expired_link(ctx: ServiceContext, clock: FakeClock) -> None:
    p = await pending_web_action(ctx)
    card = await action_card(ctx, p.action_id)
    async with web_client(ctx, clock) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
        clock.advance(seconds=ctx.acceptance_ttl.total_seconds() + 60)
        posted = await client.post(
            f"/aceite/{p.token}",
            data={
                "csrf": csrf_of(page),
                "decision": "accept",
                "documento": p.document,
                "agree": "1",
            },
        )
        posted_text = await posted.text()
        resp = await client.get(f"/aceite/{p.token}")
        gone = await resp.text()
    assert posted.status == 410
    assert "Link expirado" in text_of(posted_text)
    assert resp.status == 410
    seen = text_of(gone)
    assert "Este link de aceite expirou. Peça um novo link ao seu provedor." in seen
    assert card.client.name not in seen and card.contract.number not in seen
    assert (await latest_request(ctx, p.action_id)).status is AcceptanceStatus.EXPIRED


async def test_a_cancelled_action_kills_its_link(ctx: ServiceContext, clock: FakeClock) -> None:
    p = await pending_web_action(ctx)
    card = await action_card(ctx, p.action_id)
    await cancel_action(ctx, p.world.operator.id, p.action_id, "Cliente desistiu por telefone")
    async with web_client(ctx, clock) as client:
        resp = await client.get(f"/aceite/{p.token}")
        gone = await resp.text()
        pdf = await client.get(f"/aceite/{p.token}/contrato.pdf")
    assert resp.status == 410 and pdf.status == 410
    seen = text_of(gone)
    assert "Solicitação cancelada" in seen
    assert card.client.name not in seen and card.contract.number not in seen
    assert (await latest_request(ctx, p.action_id)).status is AcceptanceStatus.CANCELLED


async def test_an_unknown_link(ctx: ServiceContext, clock: FakeClock) -> None:
    await pending_web_action(ctx)
    async with web_client(ctx, clock) as client:
        resp = await client.get("/aceite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        page = await resp.text()
        short = await client.get("/aceite/x")
        pdf = await client.get("/aceite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/contrato.pdf")
        post = await client.post(
            "/aceite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", data={"decision": "accept", "agree": "1"}
        )
    assert resp.status == 404 and short.status == 404 and pdf.status == 404 and post.status == 404
    seen = text_of(page)
    assert "Link inválido" in seen and "Este link de aceite não é válido." in seen
    assert "R$" not in seen and "contrato nº" not in seen


async def test_a_resent_link_replaces_the_old_one(ctx: ServiceContext, clock: FakeClock) -> None:
    p = await pending_web_action(ctx)
    new_request, new_token = await resend_acceptance(ctx, p.world.operator.id, p.action_id)
    assert new_token and new_token != p.token
    async with web_client(ctx, clock) as client:
        old = await client.get(f"/aceite/{p.token}")
        assert old.status == 410
        assert "Solicitação cancelada" in text_of(await old.text())
        resp = await client.get(f"/aceite/{new_token}")
        page = await resp.text()
        assert resp.status == 200 and "Nova mensalidade: R$\u00a0199,90" in text_of(page)
        done = await client.post(
            f"/aceite/{new_token}",
            data={
                "csrf": csrf_of(page),
                "decision": "accept",
                "documento": p.document,
                "agree": "1",
            },
        )
        assert done.status == 200 and "Aceite registrado" in text_of(await done.text())
    request = await latest_request(ctx, p.action_id)
    assert request.id == new_request.id
    assert request.status is AcceptanceStatus.ACCEPTED


async def test_a_forged_or_stale_form_field_is_refused(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    p = await pending_web_action(ctx)
    async with web_client(ctx, clock) as client:
        resp = await client.post(
            f"/aceite/{p.token}",
            data={"csrf": "0" * 64, "decision": "accept", "documento": p.document, "agree": "sim"},
        )
        again = await resp.text()
        cross = await client.post(
            f"/aceite/{p.token}",
            data={
                "csrf": csrf_of(again),
                "decision": "accept",
                "documento": p.document,
                "agree": "sim",
            },
            headers={"Sec-Fetch-Site": "cross-site"},
        )
    assert resp.status == 400
    assert "O formulário expirou. Confira os dados e tente novamente." in text_of(again)
    assert cross.status == 403
    assert (await latest_request(ctx, p.action_id)).status is AcceptanceStatus.PENDING


async def test_when_the_contract_cannot_be_rendered_nothing_is_recorded(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    async def broken(action_id: int) -> bytes:
        raise RuntimeError("renderer down")

    p = await pending_web_action(ctx)
    async with web_client(ctx, clock, document=broken) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
        pdf = await client.get(f"/aceite/{p.token}/contrato.pdf")
        resp = await client.post(
            f"/aceite/{p.token}",
            data={
                "csrf": csrf_of(page),
                "decision": "accept",
                "documento": p.document,
                "agree": "1",
            },
        )
        seen = text_of(await resp.text())
    assert pdf.status == 503
    assert resp.status == 503 and "Nada foi registrado" in seen
    assert (await latest_request(ctx, p.action_id)).status is AcceptanceStatus.PENDING


async def test_client_name_is_escaped(ctx: ServiceContext, clock: FakeClock) -> None:
    p = await pending_web_action(ctx)
    evil = "<script>alert('x')</script> Silva & Filhos"
    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        await uow.session.execute(
            update(orm.ClientRow)
            .where(orm.ClientRow.id == p.world.contract.client_id)
            .values(name=evil)
        )
        await uow.commit()
    async with web_client(ctx, clock) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Silva &amp; Filhos" in page
    assert f"Olá, {evil}" in text_of(page)


async def test_the_page_expires_with_the_clock_not_before(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    p = await pending_web_action(ctx)
    async with web_client(ctx, clock) as client:
        clock.advance(seconds=ctx.acceptance_ttl.total_seconds() - 60)
        assert (await client.get(f"/aceite/{p.token}")).status == 200
        clock.advance(seconds=61)
        assert (await client.get(f"/aceite/{p.token}")).status == 410


async def test_a_link_to_an_action_finalized_without_it_is_closed(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    # Acceptance asked for but not required: staff may finalize before the client answers.
    p = await pending_web_action(
        ctx, require_acceptance=False, loyalty_months=None, with_ticket=False
    )
    async with web_client(ctx, clock) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
        await finalize_action(ctx, p.world.operator.id, p.action_id)
        resp = await client.get(f"/aceite/{p.token}")
        seen = text_of(await resp.text())
        posted = await client.post(
            f"/aceite/{p.token}",
            data={
                "decision": "accept",
                "documento": p.document,
                "agree": "1",
                "csrf": csrf_of(page),
            },
        )
    assert resp.status == 410 and posted.status == 410
    # Finalizing cancelled the request the client never answered: its link is dead.
    assert "Esta solicitação de aceite foi cancelada." in seen
    assert (await latest_request(ctx, p.action_id)).status is AcceptanceStatus.CANCELLED


async def test_page_and_offer_show_when_the_change_starts_and_the_next_invoice(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    w = await world(ctx)
    change = replace(await plan_change(ctx, w.contract), effective_on=date(2026, 12, 1))
    created = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
    assert created.token is not None
    card = await action_card(ctx, created.action.id)
    p = card.pro_rata
    assert p is not None and p.effective_on == date(2026, 12, 1)
    async with web_client(ctx, clock) as client:
        seen = text_of(await (await client.get(f"/aceite/{created.token}")).text())
    assert "Vale: a partir de 01/12/2026" in seen
    assert f"Próxima fatura (ciclo {p.cycle_start:%d/%m/%Y} a {p.cycle_end:%d/%m/%Y})" in seen
    assert f"{p.days_new} dias no novo valor: {p.new_part.format()}" in seen
    assert f"Total: {p.total.format()}" in seen

    offer = MessageRenderer(ctx.timezone, clock=clock).render(
        "acceptance_offer",
        "pt_BR",
        card=card,
        provider=ProviderInfo(),
        expires_at=clock.now,
        start=None,
        end=None,
        staff_view=False,
    )
    assert "📅 Vale: a partir de 01/12/2026" in offer
    assert f"Total: {p.total.format()}" in offer
