"""The client's side in Telegram, for a company and after the change is applied: a PJ client's
signer (name, CPF, role) is asked before the answer and recorded; the exact PDF answered can
be downloaded from the chat; the final contract and the amendment reach the chat once, after
finalize and after a scheduled change is applied on its date."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain.models import AcceptanceChannel, PersonKind
from bot.services.acceptance import record_in_person
from bot.services.plan_update import create_plan_update, finalize_action
from bot.services.scheduled import apply_due
from tests.conversations.actions_helpers import acceptances, contract_row, db, rows, staff_id
from tests.conversations.notif_helpers import (
    CLIENT_ID,
    OPERATOR_ID,
    active_contracts,
    answer,
    client,
    client_document,
    deliver,
    make_action,
    open_action,
    open_link,
    outbox,
    sha256,
    stub_pdf,
    telegram_action,
)
from tests.rendering.samples import pdf_text
from tests.support.builders import plan_change

ASK_NAME = "é uma empresa: quem responde por ela? Digite o seu nome completo:"
ASK_CPF = "Maria Clara Souza, digite o seu CPF (o de quem assina pela empresa):"
ASK_ROLE = "Qual é o seu cargo na empresa? Toque em “Representante legal” ou digite outro:"
ASK_DOCUMENT = "Para confirmar que é você, digite o seu CPF/CNPJ:"
ASK_CNPJ = "Agora, para confirmar, digite o CNPJ da empresa:"
BAD_NAME = "Digite o nome completo (nome e sobrenome), com até 120 caracteres."
BAD_CPF = "Este CPF não é válido. Confira os 11 dígitos e digite de novo."
SIGNER_CPF = "529.982.247-25"
DONE_CAPTION = (
    "A atualização do seu contrato {number} com Provedor Exemplo Telecom Ltda. foi concluída"
)


async def pj_telegram_action(env, **change):  # type: ignore[no-untyped-def]
    contract = (await active_contracts(env, PersonKind.PJ, limit=1))[0]
    change.setdefault("channel", AcceptanceChannel.TELEGRAM)
    return await make_action(env, contract, **change)


def signer_row(env, action_id: int):  # type: ignore[no-untyped-def]
    return rows(
        env,
        "SELECT signer_name, signer_cpf, signer_role, status FROM acceptance_requests"
        " WHERE action_id = ?",
        action_id,
    )[0]


async def test_a_company_names_its_signer_bad_answers_are_asked_again(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await pj_telegram_action(env, with_ticket=False)
    joana = client(env)
    _offer, _pdf, question = await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    await joana.tap(env.app, "✅ Sim, aceito")
    assert ASK_NAME in (joana.chat.message(question.message_id).text or "")

    (refused, again) = await joana.send(env.app, "Maria")
    assert refused.text == BAD_NAME and ASK_NAME in (again.text or "")
    (cpf_prompt,) = await joana.send(env.app, "  Maria   Clara Souza ")
    assert cpf_prompt.text == ASK_CPF
    (refused, again) = await joana.send(env.app, "529.982.247-24")  # wrong check digit
    assert refused.text == BAD_CPF and again.text == ASK_CPF
    (role_prompt,) = await joana.send(env.app, SIGNER_CPF)
    assert role_prompt.text == ASK_ROLE
    req = acceptances(env, created.action.id)[0]["id"]
    assert role_prompt.buttons == [
        [("Representante legal", f"ac:r:{req}")],
        [("⬅️ Voltar", f"ac:b:{req}")],
    ]
    assert signer_row(env, created.action.id)["status"] == "pending"  # nothing recorded yet

    await joana.tap(env.app, "Representante legal")
    assert joana.chat.message(role_prompt.message_id).text == ASK_CNPJ
    (done,) = await joana.send(env.app, client_document(env, created.action.id))
    assert (done.text or "").startswith("Obrigado! Seu aceite foi registrado")
    assert signer_row(env, created.action.id) == {
        "signer_name": "Maria Clara Souza",
        "signer_cpf": "52998224725",
        "signer_role": "representante legal",
        "status": "accepted",
    }


async def test_a_person_is_not_asked_for_a_signer(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env, with_ticket=False)
    joana = client(env)
    await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    await joana.tap(env.app, "✅ Sim, aceito")
    assert joana.chat.messages[-1].text == ASK_DOCUMENT
    await joana.send(env.app, client_document(env, created.action.id))
    assert signer_row(env, created.action.id)["signer_cpf"] is None


async def test_the_company_gets_the_final_contract_and_amendment_once_after_finalize(env) -> None:  # type: ignore[no-untyped-def]
    created, contract = await pj_telegram_action(env, with_ticket=False)  # real PDFs
    joana = client(env)
    _offer, offered, question = await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    await joana.tap(env.app, "✅ Sim, aceito")
    await joana.send(env.app, "Maria Clara Souza")
    await joana.send(env.app, SIGNER_CPF)
    await joana.send(env.app, "Sócia administradora")
    (done,) = await joana.send(env.app, client_document(env, created.action.id))
    req = acceptances(env, created.action.id)[0]["id"]

    # The exact PDF answered, from the chat: same bytes, same SHA-256 as the evidence.
    await joana.tap_data(env.app, done.message_id, f"ac:pdf:{req}")
    kept = joana.chat.documents[-1]
    assert kept.document_bytes == offered.document_bytes
    assert sha256(kept.document_bytes) == acceptances(env, created.action.id)[0]["document_sha256"]
    assert kept.document_name == f"contrato-respondido-{req}.pdf"

    # Nothing is sent before the change is applied.
    assert outbox(env, "client_documents") == []
    before = len(joana.chat.documents)
    operator = await staff_id(env, OPERATOR_ID)
    await finalize_action(env.ctx, operator, created.action.id)
    assert [n["chat_id"] for n in outbox(env, "client_documents")] == [CLIENT_ID]
    await deliver(env)
    await deliver(env)  # a second run sends nothing again

    final, amendment = joana.chat.documents[before:]
    number = contract_row(env, contract.id)["number"]
    assert final.document_name == f"contrato-{number}-v2.pdf"
    assert (final.caption or "").startswith("✅ " + DONE_CAPTION.format(number=number))
    assert amendment.document_name == f"aditivo-{number}-acao{created.action.id}.pdf"
    assert amendment.caption == f"Termo aditivo ao contrato {number}"
    signed = "Aceito por Maria Clara Souza, CPF ***.982.247-**, Sócia administradora, em nome de"
    assert signed in pdf_text(amendment.document_bytes or b"")
    assert signed in pdf_text(final.document_bytes or b"")
    assert "52998224725" not in pdf_text(amendment.document_bytes or b"")
    assert [n["status"] for n in outbox(env, "client_documents")] == ["sent"]
    assert joana.chat.message(question.message_id).buttons == []
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, created.action.id)
    assert "📨 O cliente recebe o contrato final e o termo aditivo no Telegram." in (
        op.chat.message(mid).text or ""
    )


async def test_a_scheduled_change_sends_the_documents_on_its_date(env) -> None:  # type: ignore[no-untyped-def]
    stub = stub_pdf(env)
    contract = (await active_contracts(env, limit=1))[0]
    operator = await staff_id(env, OPERATOR_ID)
    change = await plan_change(
        env.ctx, contract, channel=AcceptanceChannel.TELEGRAM, with_ticket=False
    )
    change = replace(change, effective_on=env.clock().date() + timedelta(days=5))
    created = await create_plan_update(env.ctx, operator, contract.id, change)
    joana = client(env)
    await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    await answer(env, joana, created.action.id, "✅ Sim, aceito")

    assert (await finalize_action(env.ctx, operator, created.action.id)).scheduled
    assert outbox(env, "client_documents") == []  # scheduled, not applied yet
    env.clock.advance(days=6)
    await apply_due(env.ctx)
    (queued,) = outbox(env, "client_documents")
    assert queued["chat_id"] == CLIENT_ID
    before = len(joana.chat.documents)
    await deliver(env)
    names = [d.document_name for d in joana.chat.documents[before:]]
    number = contract_row(env, contract.id)["number"]
    assert names == [f"contrato-{number}-v2.pdf", f"aditivo-{number}-acao{created.action.id}.pdf"]
    assert len(stub.amendments) == 1


async def test_nothing_is_sent_for_an_in_person_acceptance(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env, with_ticket=False)
    operator = await staff_id(env, OPERATOR_ID)
    await record_in_person(env.ctx, operator, created.action.id, "assinou na loja")
    await finalize_action(env.ctx, operator, created.action.id)
    assert outbox(env, "client_documents") == []
    # The staff's card says so.
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, created.action.id)
    assert "📨 Aceite presencial: nada é enviado ao cliente; entregue as vias impressas." in (
        op.chat.message(mid).text or ""
    )


async def test_names_with_markup_characters_are_shown_as_typed(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, contract = await pj_telegram_action(env, with_ticket=False)
    con = db(env)
    with con:
        con.execute(
            "UPDATE clients SET name = ? WHERE id = ?", ("Pães <&> Cia Ltda.", contract.client_id)
        )
    con.close()
    joana = client(env)
    _offer, _pdf, question = await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    await joana.tap(env.app, "✅ Sim, aceito")
    assert (joana.chat.message(question.message_id).text or "").startswith("Pães <&> Cia Ltda.")
    (cpf_prompt,) = await joana.send(env.app, "Ana <Beatriz> Souza")
    assert (
        cpf_prompt.text == "Ana <Beatriz> Souza, digite o seu CPF (o de quem assina pela empresa):"
    )


async def test_a_client_who_blocked_the_bot_is_reported_to_the_owner(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, _contract = await telegram_action(env, with_ticket=False)
    joana = client(env)
    await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    await answer(env, joana, created.action.id, "✅ Sim, aceito")
    op = env.user(OPERATOR_ID, "Patrícia")
    await deliver(env)  # the "client accepted" news
    before = len(op.chat.messages)

    env.api.block_chat(CLIENT_ID)
    await finalize_action(env.ctx, await staff_id(env, OPERATOR_ID), created.action.id)
    await deliver(env)
    assert [n["status"] for n in outbox(env, "client_documents")] == ["failed"]
    assert [n["chat_id"] for n in outbox(env, "client_documents_failed")] == [OPERATOR_ID]
    await deliver(env)
    news = [m.text or "" for m in op.chat.messages[before:]]
    assert any(
        f"Não foi possível enviar ao cliente, no Telegram, o contrato atualizado e o termo aditivo"
        f" da ação #{created.action.id}" in text
        for text in news
    ), news
