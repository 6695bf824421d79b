"""The client's side of an acceptance request (tutorial step 7): a subscriber who is not
staff opens the Telegram deep link ``/start ac_<token>``, sees the proposal and the proposed
contract PDF, and accepts or declines (each confirmed). The evidence stored is their Telegram
id and name and the SHA-256 of the exact PDF they were sent. Dead links say why; nothing else
in the bot is reachable for them."""

from __future__ import annotations

import pytest

from bot.domain.models import AcceptanceChannel, Evidence
from bot.domain.tokens import hash_token
from bot.services.acceptance import (
    StaffCannotDecide,
    decide_by_hash,
    expire_overdue,
    resend_acceptance,
)
from bot.services.client_documents import decided_by_telegram_user
from bot.services.plan_update import cancel_action
from tests.conversations.actions_helpers import (
    acceptances,
    action_row,
    contract_row,
    db,
    last_alert,
    revisions,
    rows,
    staff_id,
)
from tests.conversations.notif_helpers import (
    CLIENT_FULL,
    CLIENT_ID,
    OPERATOR_ID,
    answer,
    client,
    client_document,
    open_action,
    open_link,
    outbox,
    plan_name,
    sha256,
    snapshot,
    stub_pdf,
    telegram_action,
)

OFFER_QUESTION = "Você aceita a atualização do contrato conforme o PDF acima?"
CONFIRM_ACCEPT = "Confirma que leu e aceita o novo contrato?"
CONFIRM_DECLINE = "Confirma que recusa a atualização do contrato?"
ACCEPTED = "Obrigado! Seu aceite foi registrado em 20/11/2026 10:00."
DECLINED = "Sua recusa foi registrada em 20/11/2026 10:00."
TOKEN_USED = "Este link de aceite já foi utilizado."
TOKEN_INVALID = "Este link de aceite não é válido."
TOKEN_EXPIRED = "Este link de aceite expirou. Peça um novo link ao seu provedor."
TOKEN_CANCELLED = "Esta solicitação de aceite foi cancelada."
NOT_STAFF = "Olá! Este bot é de uso exclusivo da equipe do provedor."
BUTTON_EXPIRED = "Este botão expirou."
ASK_DOCUMENT = "Para confirmar que é você, digite o seu CPF/CNPJ:"
ALREADY_ACCEPTED = "Seu aceite já foi registrado em 20/11 às 10:00."
STALE = (
    "Este pedido não está mais aberto. Se precisar, fale com o seu provedor para receber um novo"
    " link."
)


def client_name(env, contract) -> str:  # type: ignore[no-untyped-def]
    return str(rows(env, "SELECT name FROM clients WHERE id = ?", contract.client_id)[0]["name"])


def texts(user) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(m.text or "" for m in user.chat.messages)


# --------------------------------------------------------------------------- happy paths


async def test_client_opens_the_link_sees_the_proposal_and_the_pdf_and_accepts(env) -> None:  # type: ignore[no-untyped-def]
    created, contract = await telegram_action(env)  # real PDF renderer: the bytes matter here
    joana = client(env)

    offer, pdf, question = await open_link(env, joana, created.token)

    # What the client reads: provider, their name, current and new plan, value, services, loyalty.
    text = offer.text or ""
    assert text.startswith("🏢 Provedor Exemplo Telecom Ltda.\n")
    assert f"Olá, {client_name(env, contract)}!" in text
    assert f"📄 Contrato {contract.number}" in text
    assert f"📶 Atual: {plan_name(env, contract.plan_id)} (300/150 Mbps) · R$\u00a099,90" in text
    assert "📶 Novo: Fibra 1 Giga (1.000/500 Mbps)" in text
    assert "💰 Novo valor mensal: R$\u00a0199,90" in text
    for service in created.action.change.services:
        assert service.name in text
    assert "  • Internet (SCM): R$\u00a0137,91" in text
    assert (
        "🔒 Fidelidade de 12 meses com benefício de R$\u00a020,00/mês (total R$\u00a0240,00)."
        in text
    )
    assert "multa é proporcional aos meses restantes" in text
    assert "⏰ Este pedido de aceite vale até 27/11/2026 10:00." in text
    assert offer.buttons == []

    # The proposed contract, as a real PDF.
    assert pdf.document_name == f"contrato-{contract.number}-v2-proposta.pdf"
    assert pdf.caption == "Contrato proposto (leia antes de responder)"
    received = pdf.document_bytes
    assert received is not None and received.startswith(b"%PDF")
    assert joana.chat.documents == [pdf]
    assert "upload_document" in joana.chat.actions

    assert question.text == OFFER_QUESTION
    req = acceptances(env, created.action.id)[0]["id"]
    assert question.buttons == [[("✅ Aceitar", f"ac:y:{req}"), ("❌ Recusar", f"ac:n:{req}")]]

    # Only the token's hash is kept in the chat state, never the token itself.
    state = env.app.user_data[CLIENT_ID]["acceptance"][str(req)]
    assert created.token not in repr(env.app.user_data[CLIENT_ID])
    assert state["doc"] == sha256(received)
    assert acceptances(env, created.action.id)[0]["status"] == "pending"

    # Aceitar asks for confirmation; Voltar goes back to the question; nothing is recorded.
    assert await joana.tap(env.app, "✅ Aceitar") == []
    assert joana.chat.message(question.message_id).text == CONFIRM_ACCEPT
    assert joana.chat.message(question.message_id).buttons == [
        [("✅ Sim, aceito", f"ac:yy:{req}"), ("⬅️ Voltar", f"ac:b:{req}")]
    ]
    await joana.tap(env.app, "⬅️ Voltar")
    assert joana.chat.message(question.message_id).text == OFFER_QUESTION
    assert acceptances(env, created.action.id)[0]["status"] == "pending"
    await joana.tap(env.app, "✅ Aceitar")

    # Before anything is recorded the client proves who they are: their CPF/CNPJ.
    assert await joana.tap(env.app, "✅ Sim, aceito") == []
    assert joana.chat.message(question.message_id).text == ASK_DOCUMENT
    assert joana.chat.message(question.message_id).buttons == [[("⬅️ Voltar", f"ac:b:{req}")]]
    assert acceptances(env, created.action.id)[0]["status"] == "pending"
    (done,) = await joana.send(env.app, client_document(env, created.action.id))
    assert done.text == ACCEPTED
    # Nothing left to answer; only the download of the exact PDF answered.
    assert done.buttons == [[("📄 Baixar o contrato respondido", f"ac:pdf:{req}")]]
    assert joana.chat.message(question.message_id).buttons == []

    (request,) = acceptances(env, created.action.id)
    assert request["status"] == "accepted"
    assert request["channel"] == "telegram"
    assert request["decided_at"].startswith("2026-11-20 13:00:00")
    assert request["document_sha256"] == sha256(received)
    evidence = rows(
        env,
        "SELECT json_extract(evidence, '$.telegram_user_id') AS uid,"
        " json_extract(evidence, '$.telegram_name') AS name,"
        " json_extract(evidence, '$.ip') AS ip FROM acceptance_requests WHERE id = ?",
        request["id"],
    )[0]
    assert evidence == {"uid": CLIENT_ID, "name": CLIENT_FULL, "ip": None}
    # The action waits for the ticket (gate) and the staff; the owner is told.
    assert action_row(env, created.action.id)["status"] == "pending"
    assert contract_row(env, contract.id)["version"] == 1
    assert [n["kind"] for n in outbox(env, "acceptance_accepted")] == ["acceptance_accepted"]
    assert env.app.user_data[CLIENT_ID]["acceptance"] == {}  # the answered offer is gone


async def test_client_declines_and_declined_blocks_finalizing(env) -> None:  # type: ignore[no-untyped-def]
    stub = stub_pdf(env)
    created, contract = await telegram_action(env, with_ticket=False)
    joana = client(env)
    _offer, pdf, question = await open_link(env, joana, created.token)
    assert len(stub.contracts) == 1

    req = acceptances(env, created.action.id)[0]["id"]
    await joana.tap(env.app, "❌ Recusar")
    assert joana.chat.message(question.message_id).text == CONFIRM_DECLINE
    assert joana.chat.message(question.message_id).buttons == [
        [("❌ Sim, recuso", f"ac:nn:{req}"), ("⬅️ Voltar", f"ac:b:{req}")]
    ]
    (done,) = await answer(env, joana, created.action.id, "❌ Sim, recuso")
    assert (done.text or "").startswith(DECLINED)

    (request,) = acceptances(env, created.action.id)
    assert request["status"] == "declined"
    assert request["document_sha256"] == sha256(pdf.document_bytes)
    assert f'"telegram_user_id": {CLIENT_ID}' in request["evidence"]
    assert [n["kind"] for n in outbox(env)] == ["acceptance_declined"]

    # The owner's Finalizar says the client declined, and changes nothing.
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, created.action.id)
    before = snapshot(env)
    await op.tap_data(env.app, mid, f"pa:fin:{created.action.id}")
    alert = last_alert(env, OPERATOR_ID)
    assert alert.startswith("Ainda não é possível finalizar:")
    assert "O cliente recusou o aceite. Reenvie o aceite ou cancele a ação." in alert
    assert snapshot(env) == before
    assert revisions(env, contract.id) == []


# --------------------------------------------------------------------------- dead links


async def test_a_used_link_opened_again_says_so_and_shows_nothing(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env)
    joana = client(env)
    await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    await answer(env, joana, created.action.id, "✅ Sim, aceito")
    docs = len(joana.chat.documents)

    (reply,) = await open_link(env, joana, created.token)
    assert reply.text == TOKEN_USED
    assert reply.buttons == []
    assert len(joana.chat.documents) == docs
    assert acceptances(env, created.action.id)[0]["status"] == "accepted"

    # Someone else with the forwarded link gets the same answer, and no data.
    other = env.user(777000222, "Curioso")
    (reply,) = await open_link(env, other, created.token)
    assert reply.text == TOKEN_USED
    assert other.chat.documents == []


async def test_an_unknown_token_is_not_valid(env) -> None:  # type: ignore[no-untyped-def]
    stub = stub_pdf(env)
    await telegram_action(env)
    joana = client(env)
    before = snapshot(env)

    (reply,) = await open_link(env, joana, "A" * 32)
    assert reply.text == TOKEN_INVALID
    assert reply.buttons == []
    assert joana.chat.documents == []
    assert stub.contracts == []
    assert snapshot(env) == before
    assert "acceptance" not in env.app.user_data.get(CLIENT_ID, {})


async def test_a_mangled_link_gets_an_answer_not_silence(env) -> None:  # type: ignore[no-untyped-def]
    """A link cut short or mangled by a messenger (``/start ac_`` plus a few characters) must
    get an answer: "não é válido" or the polite refusal, never silence, never data."""
    created, _contract = await telegram_action(env)
    joana = client(env)
    for payload in ("ac_abc", f"ac_{created.token[:10]}", "ac_" + "!" * 20):
        replies = await joana.send(env.app, f"/start {payload}")
        assert len(replies) == 1, payload
        assert replies[0].text in (TOKEN_INVALID,) or (replies[0].text or "").startswith(
            NOT_STAFF
        ), payload
    assert joana.chat.documents == []


async def test_an_expired_link_says_so_and_marks_the_request_expired(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env)
    joana = client(env)
    env.clock.advance(seconds=env.ctx.acceptance_ttl.total_seconds() + 60)

    (reply,) = await open_link(env, joana, created.token)
    assert reply.text == TOKEN_EXPIRED
    assert joana.chat.documents == []
    (request,) = acceptances(env, created.action.id)
    assert request["status"] == "expired"
    assert request["evidence"] is None
    # The owner is told once; the periodic job finds nothing more to expire.
    assert len(outbox(env, "acceptance_expired")) == 1
    assert await expire_overdue(env.ctx) == 0
    (reply,) = await open_link(env, joana, created.token)
    assert reply.text == TOKEN_EXPIRED
    assert len(outbox(env, "acceptance_expired")) == 1


async def test_link_expiring_while_the_offer_is_open_cannot_be_accepted(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env)
    joana = client(env)
    await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    env.clock.advance(days=8)

    await answer(env, joana, created.action.id, "✅ Sim, aceito")
    assert TOKEN_EXPIRED in texts(joana)
    assert ACCEPTED not in texts(joana)
    assert acceptances(env, created.action.id)[0]["status"] == "expired"
    assert len(outbox(env, "acceptance_expired")) == 1
    assert outbox(env, "acceptance_accepted") == []


async def test_a_resent_link_kills_the_old_one_and_the_new_one_works(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env)
    joana = client(env)
    # The client had the first offer open when the operator resent the link.
    await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    old_question = joana.chat.last_with_keyboard
    assert old_question is not None

    request, new_token = await resend_acceptance(
        env.ctx, await staff_id(env, OPERATOR_ID), created.action.id
    )
    assert new_token and new_token != created.token
    assert request.channel is AcceptanceChannel.TELEGRAM

    # A tap on the old offer's confirmation records nothing.
    await joana.tap(env.app, "✅ Sim, aceito", old_question.message_id)
    await joana.send(env.app, client_document(env, created.action.id))
    assert TOKEN_CANCELLED in texts(joana)
    old, new = acceptances(env, created.action.id)
    assert (old["status"], new["status"]) == ("cancelled", "pending")
    assert old["evidence"] is None

    (reply,) = await open_link(env, joana, created.token)
    assert reply.text == TOKEN_CANCELLED

    *_offer, new_question = await open_link(env, joana, new_token)
    await joana.tap(env.app, "✅ Aceitar", new_question.message_id)
    await joana.tap(env.app, "✅ Sim, aceito", new_question.message_id)
    (done,) = await joana.send(env.app, client_document(env, created.action.id))
    assert done.text == ACCEPTED
    old, new = acceptances(env, created.action.id)
    assert (old["status"], new["status"]) == ("cancelled", "accepted")
    assert f'"telegram_user_id": {CLIENT_ID}' in new["evidence"]


async def test_a_cancelled_action_link_stops_working_even_with_the_offer_open(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env)
    joana = client(env)
    await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    await cancel_action(
        env.ctx, await staff_id(env, OPERATOR_ID), created.action.id, "Cliente desistiu"
    )

    await answer(env, joana, created.action.id, "✅ Sim, aceito")
    assert TOKEN_CANCELLED in texts(joana)
    assert ACCEPTED not in texts(joana)
    assert acceptances(env, created.action.id)[0]["status"] == "cancelled"
    (reply,) = await open_link(env, joana, created.token)
    assert reply.text == TOKEN_CANCELLED


async def test_the_offer_tells_an_ended_loyalty_and_the_services_removed(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    contract = None
    async with env.ctx.uow() as uow:
        for client_id in range(1, 300):
            for c in await uow.contracts.for_client(client_id):
                if c.status.value == "ativo" and any("TV" in s.name for s in c.services):
                    contract = c
                    break
            if contract:
                break
    assert contract is not None
    tv = next(s.name for s in contract.services if "TV" in s.name)
    con = db(env)
    con.execute(
        "UPDATE contracts SET loyalty_months = 12, loyalty_benefit_cents = 2000,"
        " loyalty_start = '2023-08-29', loyalty_end = '2024-08-29' WHERE id = ?",
        (contract.id,),
    )
    con.commit()
    con.close()
    created, _ = await telegram_action(env, contract=contract, loyalty_months=None)
    joana = client(env)
    offer, _pdf, _question = await open_link(env, joana, created.token)
    text = offer.text or ""
    assert (
        "🔒 Sem fidelidade vigente: a fidelidade anterior terminou em 29/08/2024 e esta alteração"
        " não cria uma nova." in text
    )
    assert "mantida" not in text
    assert f"  ✖️ {tv}: removido (deixa de ser prestado)" in text


async def test_the_offer_dates_a_new_loyalty_from_the_effective_date(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env)
    offer, _pdf, _question = await open_link(env, client(env), created.token)
    text = offer.text or ""
    assert "🔒 Fidelidade de 12 meses com benefício de R$\u00a020,00/mês" in text
    assert "🗓️ Início na data de efetivação (20/11/2026) e término em 20/11/2027." in text
    assert "✖️" not in text  # nothing removed


# --------------------------------------------------------------------------- once, and only theirs


async def test_double_tapped_sim_aceito_records_once(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env)
    joana = client(env)
    await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    question = joana.chat.last_with_keyboard
    assert question is not None

    req = acceptances(env, created.action.id)[0]["id"]
    await joana.tap_data(env.app, question.message_id, f"ac:yy:{req}")
    await joana.tap_data(env.app, question.message_id, f"ac:yy:{req}")  # asks again, no more
    assert joana.chat.message(question.message_id).text == ASK_DOCUMENT
    (done,) = await joana.send(env.app, client_document(env, created.action.id))
    first = acceptances(env, created.action.id)
    await joana.tap_data(env.app, question.message_id, f"ac:yy:{req}")

    assert acceptances(env, created.action.id) == first
    assert first[0]["status"] == "accepted"
    assert len(outbox(env, "acceptance_accepted")) == 1
    assert done.text == ACCEPTED
    # The second tap is answered (no endless spinner) in the client's words: what was recorded
    # and when, never the staff's "open the card again from the menu".
    assert last_alert(env, CLIENT_ID) == ALREADY_ACCEPTED
    assert joana.chat.message(question.message_id).buttons == []

    # Anyone else asking about the same request id learns nothing about it.
    assert await decided_by_telegram_user(env.ctx, req, CLIENT_ID) is not None
    assert await decided_by_telegram_user(env.ctx, req, CLIENT_ID + 1) is None


async def test_buttons_of_an_older_offer_do_not_answer_a_newer_one(env) -> None:  # type: ignore[no-untyped-def]
    """A client with two contracts gets two links (one per contract). The Aceitar under the
    first offer must not record the acceptance of the second proposal."""
    stub_pdf(env)
    async with env.ctx.uow() as uow:
        first_contract, second_contract = await uow.contracts.for_client(14)
    first, _ = await telegram_action(env, contract=first_contract)
    second, _ = await telegram_action(env, contract=second_contract)
    joana = client(env)
    first_question = (await open_link(env, joana, first.token))[-1]
    await open_link(env, joana, second.token)

    # She answers the first offer, on its own message.
    await joana.tap(env.app, "✅ Aceitar", first_question.message_id)
    await joana.tap(env.app, "✅ Sim, aceito", first_question.message_id)
    await joana.send(env.app, client_document(env, first.action.id))

    first_status = acceptances(env, first.action.id)[0]["status"]
    second_status = acceptances(env, second.action.id)[0]["status"]
    # Either the old buttons are stale, or they answer the offer they belong to; never the other.
    assert second_status == "pending"
    assert first_status in ("pending", "accepted")


async def test_the_client_reaches_nothing_else(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, contract = await telegram_action(env)
    joana = client(env)
    _offer, _pdf, question = await open_link(env, joana, created.token)
    before = snapshot(env)
    known = len(joana.chat.messages)

    for text in ("/start", "/clientes", "/pendentes", "/atendimentos", "/ajuda", "10000"):
        (reply,) = await joana.send(env.app, text)
        assert (reply.text or "").startswith(NOT_STAFF), text
        assert str(CLIENT_ID) in (reply.text or "")
        assert reply.buttons == []
    free = await joana.send(env.app, client_name(env, contract).split()[0])
    assert [m.text for m in free] and (free[0].text or "").startswith(NOT_STAFF)

    for data in (
        f"pa:fin:{created.action.id}",
        f"pa:ok:{created.action.id}",
        f"pa:c:{created.action.id}",
        "ct:c:1",
        f"tk:c:{created.ticket.id}",
        "m:home",
    ):
        new = await joana.tap_data(env.app, question.message_id, data)
        assert new == [], data
        assert last_alert(env, CLIENT_ID).startswith(NOT_STAFF), data
        # The offer's question message is untouched.
        assert joana.chat.message(question.message_id).text == OFFER_QUESTION, data

    # Every reply was the refusal: no client, contract or ticket data leaked.
    leaked = [
        m.text for m in joana.chat.messages[known:] if not (m.text or "").startswith(NOT_STAFF)
    ]
    assert leaked == []
    assert snapshot(env) == before
    assert action_row(env, created.action.id)["status"] == "pending"

    # Her own request still works afterwards.
    await joana.tap(env.app, "✅ Aceitar", question.message_id)
    await joana.tap(env.app, "✅ Sim, aceito", question.message_id)
    await joana.send(env.app, client_document(env, created.action.id))
    assert acceptances(env, created.action.id)[0]["status"] == "accepted"


async def test_acceptance_buttons_without_an_open_link_are_stale(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env)
    joana = client(env)
    (reply,) = await open_link(env, joana, "B" * 32)  # something to tap on
    req = acceptances(env, created.action.id)[0]["id"]
    for data in (f"ac:y:{req}", f"ac:yy:{req}", f"ac:nn:{req}", f"ac:b:{req}"):
        await joana.tap_data(env.app, reply.message_id, data)
        assert last_alert(env, CLIENT_ID) == STALE, data
    await joana.tap_data(env.app, reply.message_id, "ac:y")
    assert BUTTON_EXPIRED in last_alert(env, CLIENT_ID)
    assert acceptances(env, created.action.id)[0]["status"] == "pending"
    assert outbox(env, "acceptance_accepted") == []


async def test_staff_opening_the_clients_link_see_a_staff_view_and_cannot_decide(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env)
    op = env.user(OPERATOR_ID, "Patrícia")
    sent = await open_link(env, op, created.token)
    (offer,) = sent  # the proposal only: no PDF to answer on, no question, no buttons
    text = offer.text or ""
    assert text.startswith("👁️ Visualização da equipe\nEste link é do cliente: só ele pode aceitar")
    assert "“Aceite presencial”" in text
    assert offer.buttons == []
    assert all(not m.buttons for m in op.chat.messages)
    assert "acceptance" not in (env.app.user_data.get(OPERATOR_ID) or {})

    # Even a forged tap or a direct call cannot record the staff member as the client.
    req = acceptances(env, created.action.id)[0]["id"]
    await op.tap_data(env.app, offer.message_id, f"ac:yy:{req}")
    staff_user = await staff_id(env, OPERATOR_ID)
    assert staff_user
    with pytest.raises(StaffCannotDecide):
        await decide_by_hash(
            env.ctx,
            hash_token(created.token or ""),
            accept=True,
            evidence=Evidence(telegram_user_id=OPERATOR_ID, telegram_name="Patrícia"),
            document_sha256="0" * 64,
        )
    assert acceptances(env, created.action.id)[0]["status"] == "pending"
    assert outbox(env, "acceptance_accepted") == []

    # The client's own answer still works.
    joana = client(env)
    await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    await answer(env, joana, created.action.id, "✅ Sim, aceito")
    assert acceptances(env, created.action.id)[0]["status"] == "accepted"


async def test_five_wrong_documents_in_the_chat_lock_the_request(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env)
    joana = client(env)
    await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    await joana.tap(env.app, "✅ Sim, aceito")
    for remaining in (4, 3, 2, 1):
        error, prompt = await joana.send(env.app, "111.111.111-11")
        assert error.text == f"O documento digitado não confere. Restam {remaining} tentativas."
        assert prompt.text == ASK_DOCUMENT
        assert acceptances(env, created.action.id)[0]["status"] == "pending"
    (locked,) = await joana.send(env.app, "111.111.111-11")
    assert (locked.text or "").startswith("Documento não conferido após 5 tentativas")
    assert acceptances(env, created.action.id)[0]["status"] == "cancelled"
    assert len(outbox(env, "acceptance_locked")) == 1
    assert outbox(env, "acceptance_accepted") == []
    # Typing more is no longer awaited: the gate answers as to anyone who is not staff.
    (reply,) = await joana.send(env.app, client_document(env, created.action.id))
    assert (reply.text or "").startswith(NOT_STAFF)
    assert acceptances(env, created.action.id)[0]["status"] == "cancelled"


async def test_the_right_document_records_document_checked_never_the_value(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env)
    joana = client(env)
    document = client_document(env, created.action.id)
    await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    await joana.tap(env.app, "✅ Sim, aceito")
    await joana.send(env.app, "99999999999")
    (done,) = await joana.send(env.app, document)
    assert done.text == ACCEPTED
    (raw,) = rows(
        env,
        "SELECT evidence, identity_failures FROM acceptance_requests WHERE action_id = ?",
        created.action.id,
    )
    assert '"document_checked": true' in raw["evidence"]
    assert document not in raw["evidence"] and "99999999999" not in raw["evidence"]
    assert raw["identity_failures"] == 1
    assert env.app.user_data[CLIENT_ID].get("acceptance_identity") is None
