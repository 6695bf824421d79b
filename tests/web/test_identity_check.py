"""Before answering on the web page the client types their CPF/CNPJ (or its configured first
characters): 5 wrong tries lock the request and tell the owner; the evidence records only that
the document was checked, never what was typed."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from bot.domain.models import AcceptanceStatus
from bot.services.context import ServiceContext
from storage import orm
from storage.uow import SqlUnitOfWork
from tests.support.clock import FakeClock
from tests.web.support import csrf_of, latest_request, pending_web_action, text_of, web_client


async def raw_evidence_and_outbox(ctx: ServiceContext, request_id: int) -> tuple[str, list[str]]:
    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        row = await uow.session.get(orm.AcceptanceRequestRow, request_id)
        assert row is not None
        kinds = list(await uow.session.scalars(select(orm.NotificationRow.kind)))
        return repr(row.evidence), kinds


async def test_five_wrong_documents_lock_the_request_and_tell_the_owner(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    p = await pending_web_action(ctx)
    wrong = "111.111.111-11"
    async with web_client(ctx, clock) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
        assert 'name="documento"' in page
        assert "Para confirmar que é você, digite o seu CPF/CNPJ" in text_of(page)
        form = {"csrf": csrf_of(page), "decision": "accept", "agree": "sim"}

        empty = await client.post(f"/aceite/{p.token}", data=form)  # not a try: nothing typed
        assert empty.status == 400
        assert "Para responder, digite o seu CPF/CNPJ" in text_of(await empty.text())
        for remaining in (4, 3, 2, 1):
            resp = await client.post(f"/aceite/{p.token}", data={**form, "documento": wrong})
            assert resp.status == 400
            seen = text_of(await resp.text())
            assert f"O documento digitado não confere. Restam {remaining} tentativas." in seen
            assert (await latest_request(ctx, p.action_id)).status is AcceptanceStatus.PENDING
        locked = await client.post(f"/aceite/{p.token}", data={**form, "documento": wrong})
        assert locked.status == 403
        assert "Documento não conferido após 5 tentativas" in text_of(await locked.text())
        # The right document no longer helps: the link is dead.
        late = await client.post(f"/aceite/{p.token}", data={**form, "documento": p.document})
        assert late.status == 410
    request = await latest_request(ctx, p.action_id)
    assert request.status is AcceptanceStatus.CANCELLED
    _evidence, kinds = await raw_evidence_and_outbox(ctx, request.id)
    assert kinds.count("acceptance_locked") == 1
    assert "acceptance_accepted" not in kinds


async def test_the_right_document_then_accept_records_document_checked_only(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    p = await pending_web_action(ctx)
    typed = f" {p.document[:3]}.{p.document[3:6]}.{p.document[6:9]}-{p.document[9:]} "
    async with web_client(ctx, clock) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
        form = {"csrf": csrf_of(page), "decision": "accept", "agree": "sim"}
        await client.post(f"/aceite/{p.token}", data={**form, "documento": "99999999999"})
        resp = await client.post(f"/aceite/{p.token}", data={**form, "documento": typed})
        assert resp.status == 200 and "Aceite registrado" in text_of(await resp.text())
    request = await latest_request(ctx, p.action_id)
    assert request.status is AcceptanceStatus.ACCEPTED
    assert request.evidence.document_checked is True
    raw, _kinds = await raw_evidence_and_outbox(ctx, request.id)
    assert "'document_checked': True" in raw
    assert p.document not in raw and "99999999999" not in raw


async def test_declining_needs_the_document_too(ctx: ServiceContext, clock: FakeClock) -> None:
    p = await pending_web_action(ctx)
    async with web_client(ctx, clock) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
        confirm = await (
            await client.post(
                f"/aceite/{p.token}", data={"csrf": csrf_of(page), "decision": "decline"}
            )
        ).text()
        assert 'name="documento"' in confirm
        form = {"csrf": csrf_of(confirm), "decision": "decline", "confirm": "sim"}
        wrong = await client.post(f"/aceite/{p.token}", data={**form, "documento": "123"})
        assert wrong.status == 400
        assert "Confirmar recusa" in text_of(await wrong.text())
        assert "Restam 4 tentativas" in text_of(await wrong.text())
        ok = await client.post(f"/aceite/{p.token}", data={**form, "documento": p.document})
        assert ok.status == 200
    request = await latest_request(ctx, p.action_id)
    assert request.status is AcceptanceStatus.DECLINED
    assert request.evidence.document_checked is True


async def test_the_provider_may_ask_only_the_first_characters(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    ctx5 = replace(ctx, identity_prefix=5)
    p = await pending_web_action(ctx5)
    async with web_client(ctx5, clock) as client:
        page = await (await client.get(f"/aceite/{p.token}")).text()
        assert "digite os 5 primeiros dígitos do seu CPF/CNPJ" in text_of(page)
        form = {"csrf": csrf_of(page), "decision": "accept", "agree": "sim"}
        whole = await client.post(f"/aceite/{p.token}", data={**form, "documento": p.document})
        assert whole.status == 400  # exactly the part asked for
        resp = await client.post(f"/aceite/{p.token}", data={**form, "documento": p.document[:5]})
        assert resp.status == 200
    assert (await latest_request(ctx5, p.action_id)).evidence.document_checked is True
