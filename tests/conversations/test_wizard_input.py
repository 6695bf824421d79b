"""Typed input the wizard must refuse kindly: a friendly Portuguese message, the same step asked
again on a fresh message, and the draft as it was."""

from __future__ import annotations

from tests.conversations.conftest import BotEnv
from tests.conversations.wizard_helpers import (
    Path,
    Wizard,
    assert_cancelled,
    pending_action,
    ticket_of,
)


async def refused(w: Wizard, typed: str, message: str, step: str) -> None:
    """``typed`` gets ``message`` above the same question, on a new message; nothing changes."""
    draft, before = w.draft, w.msg
    await w.type(typed)
    where = f"typing {typed[:20]!r} at {step}"
    assert w.msg.message_id != before.message_id, where
    assert w.text.splitlines()[2:5] == ["", f"⚠️ {message}", ""], f"{where}:\n{w.text}"
    w.assert_at(step)
    assert w.step == step, where
    assert w.draft == draft, where
    assert w.op.chat.message(before.message_id).buttons == [], f"{where}: old keyboard kept"
    assert "⬅️ Voltar" in w.buttons and "✖️ Cancelar" in w.buttons, where


async def test_bad_values_are_refused_and_asked_again(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="value")
    await w.press("w:val:type")
    draft = w.draft
    for typed, message in [
        ("abc", 'Não entendi "abc" como valor. Use por exemplo 99,90, 1.234,56 ou R$\u00a099,90.'),
        ("-10", "O valor não pode ser negativo."),
        ("1,234", '"1,234" tem mais de duas casas decimais. Use por exemplo 99,90.'),
        ("   ", "Digite um valor, por exemplo 99,90."),
        ("0", "O valor do contrato precisa ser maior que zero."),
        (
            "12,3,4",
            'Não entendi "12,3,4" como valor. Use por exemplo 99,90, 1.234,56 ou R$\u00a099,90.',
        ),
        ("999999999", '"999999999" é alto demais para um contrato. Confira o valor.'),
    ]:
        await refused(w, typed, message, "typing_value")
    assert w.draft == draft and draft["value_cents"] == 11990  # still the plan's price
    # Telegram never delivers an empty text; if one arrived, nothing would happen
    message_id = w.msg.message_id
    assert await w.op.send(env.app, "") == []
    assert w.msg.message_id == message_id and w.draft == draft
    await w.type("R$\u00a0129,90")
    w.assert_at("services")
    assert w.draft["value_cents"] == 12990
    await w.tap("✖️ Cancelar")  # Cancelar on the services screen
    await assert_cancelled(w, where="services")


async def test_manual_split_that_does_not_add_up(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="split")
    await w.press("w:sp:manual")
    assert "A soma precisa ser R$\u00a0119,90." in w.text
    for typed, message in [
        (
            "100\n10",
            "A soma dos serviços (R$\u00a0110,00) é menor que o valor do contrato"
            " (R$\u00a0119,90): faltam R$\u00a09,90.",
        ),
        (
            "100;30",
            "A soma dos serviços (R$\u00a0130,00) passa do valor do contrato (R$\u00a0119,90) em"
            " R$\u00a010,10.",
        ),
        ("119,90", "Informe um valor para cada um dos 2 serviços (recebi 1)."),
        ("100\n10\n9,90", "Informe um valor para cada um dos 2 serviços (recebi 3)."),
        (
            "cem\n19,90",
            'Não entendi "cem" como valor. Use por exemplo 99,90, 1.234,56 ou R$\u00a099,90.',
        ),
        ("129,90\n-10", "O valor não pode ser negativo."),
    ]:
        await refused(w, typed, message, "typing_split")
        assert "A soma precisa ser R$\u00a0119,90." in w.text  # the instructions come again
    await w.type("100\n19,90")
    w.assert_at("effective")
    assert w.draft["manual_cents"] == [10000, 1990]


async def test_description_too_long_empty_or_with_html(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(ticket=True), until="ticket_form")
    await w.press("w:tf:desc")
    await refused(
        w, "x" * 1001, "A descrição pode ter no máximo 1000 caracteres.", "typing_description"
    )
    await refused(w, "  \n ", "Escreva uma nota (não pode ficar vazia).", "typing_description")
    typed = "Trocar <ONU> & cabo <b>já</b> "
    typed += "y" * (1000 - len(typed))  # exactly the limit is fine
    await w.type(typed)
    w.assert_at("ticket_form")  # back on the ticket screen, with the description on it
    assert "Descrição: Trocar <ONU> & cabo <b>já</b> yyy" in w.text
    assert "Trocar &lt;ONU&gt; &amp; cabo &lt;b&gt;já&lt;/b&gt; yyy" in (w.msg.html or "")
    await w.press("w:tf:ok")
    w.assert_at("gates")
    await w.press("w:gok")
    assert "“Trocar <ONU> & cabo <b>já</b> yyy" in w.text  # what the user reads
    assert "“Trocar &lt;ONU&gt; &amp; cabo &lt;b&gt;já&lt;/b&gt; yyy" in (w.msg.html or "")
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None
    ticket = await ticket_of(env, action.id)
    assert ticket is not None and ticket.description == typed and len(typed) == 1000


async def test_text_on_a_button_step_gets_a_hint_and_the_same_screen(env: BotEnv) -> None:
    path = Path(channel="web")
    w = Wizard(env)
    await w.start()
    for screen in ["channel", "loyalty", "services", "gates", "review"]:
        await w.walk(path, until=screen, start=str(w.step))
        before, draft, buttons = w.msg, w.draft, w.buttons

        await w.type("10000")  # looks like a search, but a wizard is running

        assert w.msg.message_id != before.message_id, screen
        assert "👆 Use os botões desta mensagem para continuar (ou /cancelar)." in w.text, screen
        assert "Resultados para" not in w.text, screen
        w.assert_at(screen)
        assert w.buttons == buttons, screen  # the same screen again, buttons and all
        assert w.op.chat.message(before.message_id).buttons == [], screen
        assert w.draft == draft and w.step == screen
    await w.finish()  # and the buttons of the repeated screens work
    assert await pending_action(env, w.contract_id) is not None


async def test_forged_choice_from_another_group_changes_nothing(env: BotEnv) -> None:
    """Callback data is never trusted: a plan of another group can't be slipped in."""
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="plan")
    async with env.ctx.uow() as uow:
        business = next(p for p in await uow.catalog.plans() if p.name == "Empresarial 300 Mega")
    draft, screen, buttons = w.draft, w.text, w.msg.buttons
    await w.tap_data(w.msg.message_id, f"w:pl:{business.id}")
    assert w.alert == "Esta opção não está mais disponível. Escolha outra."
    assert w.draft == draft and w.draft["plan_id"] is None
    assert (w.text, w.msg.buttons) == (screen, buttons) and w.step == "plan"


async def test_text_after_a_refused_choice_still_belongs_to_the_wizard(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(channel="no"), until="loyalty")
    await w.tap("Fidelidade 12 meses")
    assert w.alert is not None  # refused, the screen stays

    await w.type("ok")

    assert "👆 Use os botões desta mensagem para continuar (ou /cancelar)." in w.text
    w.assert_at("loyalty")
    await w.press("w:loy:0")  # the wizard is alive
    w.assert_at("group")
