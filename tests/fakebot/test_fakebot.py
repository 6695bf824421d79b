"""Tests proving FakeBotApi works with a real python-telegram-bot Application.

Why: the fake is only useful if PTB's real HTTP layer (HTTPXRequest) accepts
its responses and sees the same errors Telegram would send.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import pytest_asyncio
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from . import FakeBotApi, FakeUser, HandlerError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = pytest.mark.asyncio

AnyApp = Application[Any, Any, Any, Any, Any, Any]


# ---------------------------------------------------------------- demo bot


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets with an inline keyboard (and echoes a deep-link payload)."""
    assert update.effective_user
    assert update.effective_message
    payload = " ".join(context.args or []) or "-"
    await update.effective_message.reply_text(
        f"Hello <b>{update.effective_user.first_name}</b> &amp; welcome! Payload: {payload}",
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("✍️ Sign", callback_data="sign"),
                    InlineKeyboardButton("Cancel", callback_data="cancel"),
                ],
                [InlineKeyboardButton("Terms", url="https://example.com/terms")],
            ]
        ),
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers the query and replaces the keyboard message text."""
    query = update.callback_query
    assert query is not None
    await query.answer(f"Got {query.data}")
    await query.edit_message_text(f"You chose {query.data}")


async def send_doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Sends a generated document."""
    assert update.effective_chat
    await context.bot.send_chat_action(update.effective_chat.id, "upload_document")
    await context.bot.send_document(
        update.effective_chat.id,
        document=b"contract body \x00\x01",
        filename="contract.pdf",
        caption="Your <i>contract</i>",
        parse_mode=ParseMode.HTML,
    )


async def ask_phone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows a reply keyboard requesting the contact."""
    assert update.effective_message
    await update.effective_message.reply_text(
        "Share your phone",
        reply_markup=ReplyKeyboardMarkup(
            [[KeyboardButton("Share", request_contact=True)]], one_time_keyboard=True
        ),
    )


async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Thanks for the contact and removes the reply keyboard."""
    assert update.effective_message
    assert update.effective_message.contact
    await update.effective_message.reply_text(
        f"Thanks {update.effective_message.contact.phone_number}",
        reply_markup=ReplyKeyboardRemove(),
    )


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Downloads a user document through getFile + the file route."""
    assert update.effective_message
    assert update.effective_message.document
    tg_file = await update.effective_message.document.get_file()
    data = await tg_file.download_as_bytearray()
    await update.effective_message.reply_text(f"Received {len(data)} bytes: {bytes(data)!r}")


async def crash(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Always fails, to prove handler errors surface in direct mode."""
    raise RuntimeError("boom")


def add_demo_handlers(app: AnyApp) -> None:
    """Register the demo conversation."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("doc", send_doc))
    app.add_handler(CommandHandler("phone", ask_phone))
    app.add_handler(CommandHandler("crash", crash))
    app.add_handler(MessageHandler(filters.CONTACT, on_contact))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(CallbackQueryHandler(on_button))


# ---------------------------------------------------------------- fixtures


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A running fake server per test."""
    async with FakeBotApi() as server:
        yield server


@pytest_asyncio.fixture
async def app(api: FakeBotApi) -> AsyncIterator[AnyApp]:
    """Initialized PTB Application pointed at the fake server (not polling)."""
    application = (
        Application.builder()
        .token("123456:TEST")
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    add_demo_handlers(application)
    async with application:
        yield application


@pytest.fixture
def ana(api: FakeBotApi) -> FakeUser:
    """A Portuguese-speaking user."""
    return api.user(111, "Ana", last_name="Silva", username="ana", language_code="pt-br")


# ---------------------------------------------------------------- basics


async def test_urls_and_get_me(api: FakeBotApi, app: AnyApp) -> None:
    assert api.base_url == f"http://127.0.0.1:{api.port}/bot"
    assert api.base_file_url == f"http://127.0.0.1:{api.port}/file/bot"
    assert api.root_url == f"http://127.0.0.1:{api.port}"
    assert app.bot.username == "contractbot_test_bot"
    assert app.bot.id == 123456
    assert app.bot.first_name == "ContractBot"
    assert api.calls_for("getMe")


async def test_direct_driver_start_and_tap(api: FakeBotApi, app: AnyApp, ana: FakeUser) -> None:
    replies = await ana.send(app, "/start promo42")

    assert len(replies) == 1
    greeting = replies[0]
    assert greeting.text == "Hello Ana & welcome! Payload: promo42"
    assert greeting.html is not None
    assert "<b>Ana</b>" in greeting.html
    assert greeting.entities == [{"type": "bold", "offset": 6, "length": 3}]
    assert greeting.buttons == [
        [("✍️ Sign", "sign"), ("Cancel", "cancel")],
        [("Terms", "https://example.com/terms")],
    ]
    chat = api.chat(111)
    assert chat.last is greeting
    assert chat.button_texts() == ["✍️ Sign", "Cancel", "Terms"]

    assert await ana.tap(app, "Sign") == []  # substring match; reply is an edit

    assert chat.last_text == "You chose sign"
    assert chat.last is not None
    assert chat.last.message_id == greeting.message_id
    assert chat.last.buttons == []  # editMessageText without reply_markup drops it
    assert chat.last.was_edited
    answer = api.last_callback_answer(111)
    assert answer is not None
    assert answer["text"] == "Got sign"
    assert answer["show_alert"] is False
    assert [m.text for m in chat.all_messages] == ["/start promo42", "You chose sign"]


async def test_tap_unknown_button_lists_available(app: AnyApp, ana: FakeUser) -> None:
    await ana.send(app, "/start")
    with pytest.raises(AssertionError, match=r"available buttons: \['✍️ Sign', 'Cancel', 'Terms'\]"):
        ana.tap_button_update("Delete everything")
    with pytest.raises(AssertionError, match="not a callback button"):
        ana.tap_button_update("Terms")


async def test_tap_data_and_predicate(api: FakeBotApi, app: AnyApp, ana: FakeUser) -> None:
    (greeting,) = await ana.send(app, "/start")
    await ana.tap(app, lambda text: text == "Cancel")
    assert api.chat(111).last_text == "You chose cancel"

    (greeting2,) = await ana.send(app, "/start")
    await ana.tap_data(app, greeting2.message_id, "forged")
    assert api.chat(111).last_text == "You chose forged"
    assert greeting.message_id < greeting2.message_id


async def test_handler_errors_surface(app: AnyApp, ana: FakeUser) -> None:
    with pytest.raises(HandlerError, match="RuntimeError: boom"):
        await ana.send(app, "/crash")
    assert await ana.send(app, "/crash", raise_errors=False) == []


async def test_real_polling(api: FakeBotApi, ana: FakeUser) -> None:
    application = api.app_builder().build()
    add_demo_handlers(application)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            ana.enqueue_text("/start")
            chat = api.chat(111)
            greeting = await api.wait_for(lambda: chat.last, timeout=5)
            assert "Payload: -" in greeting.text

            ana.enqueue_tap("Cancel")
            await api.wait_for(lambda a: a.chat(111).last_text == "You chose cancel", timeout=5)
            assert api.last_callback_answer(111)["text"] == "Got cancel"  # type: ignore[index]
        finally:
            await application.updater.stop()
            await application.stop()
    assert api.pending_updates == []  # all confirmed via offset
    assert not [e for e in api.errors if e.status != 409]


async def test_wait_for_timeout_dumps_state(api: FakeBotApi, app: AnyApp, ana: FakeUser) -> None:
    await ana.send(app, "/start")
    with pytest.raises(AssertionError, match=r"(?s)timed out.*sendMessage.*#2 bot: Hello Ana"):
        await api.wait_for(lambda: api.chat(111).last_text == "never", timeout=0.1)


# ---------------------------------------------------------------- Telegram errors


async def test_not_modified_is_bad_request(api: FakeBotApi, app: AnyApp, ana: FakeUser) -> None:
    msg = await app.bot.send_message(111, "same")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await app.bot.edit_message_text("same", chat_id=111, message_id=msg.message_id)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    await app.bot.edit_message_text(
        "same", chat_id=111, message_id=msg.message_id, reply_markup=markup
    )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await app.bot.edit_message_reply_markup(
            chat_id=111, message_id=msg.message_id, reply_markup=markup
        )
    assert api.errors[-1].description.startswith("Bad Request: message is not modified: specified")


async def test_edit_and_delete_unknown_message(app: AnyApp, ana: FakeUser) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await app.bot.edit_message_text("x", chat_id=111, message_id=999)
    msg = await app.bot.send_message(111, "bye")
    assert await app.bot.delete_message(111, msg.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await app.bot.delete_message(111, msg.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await app.bot.edit_message_text("x", chat_id=111, message_id=msg.message_id)


async def test_answer_callback_query_twice_or_unknown(
    api: FakeBotApi, app: AnyApp, ana: FakeUser
) -> None:
    msg = await app.bot.send_message(
        111,
        "pick",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    update = ana.tap_update(msg.message_id, "a")
    qid = update["callback_query"]["id"]
    assert await app.bot.answer_callback_query(qid, "ok", show_alert=True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await app.bot.answer_callback_query(qid)
    with pytest.raises(BadRequest, match="Query is too old"):
        await app.bot.answer_callback_query("nope")
    late = ana.tap_update(msg.message_id, "a")["callback_query"]["id"]
    api.expire_callback_queries()
    with pytest.raises(BadRequest, match="Query is too old"):
        await app.bot.answer_callback_query(late)
    assert api.callback_answers[0]["show_alert"] is True


async def test_blocked_chat_forbidden(api: FakeBotApi, app: AnyApp, ana: FakeUser) -> None:
    api.block_chat(111)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(111, "hi")
    with pytest.raises(Forbidden):
        await app.bot.send_chat_action(111, "typing")
    ana.unblock_bot()
    await app.bot.send_message(111, "hi")
    with pytest.raises(BadRequest, match="Chat not found"):
        await app.bot.send_message(999, "nobody")


async def test_length_html_and_button_data_limits(app: AnyApp, ana: FakeUser) -> None:
    await app.bot.send_message(111, "x" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await app.bot.send_message(111, "x" * 4097)
    # Tags don't count towards the limit; only the visible text does.
    await app.bot.send_message(111, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")

    long_data = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await app.bot.send_message(111, "hi", reply_markup=long_data)
    ok_data = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="é" * 32)]])
    await app.bot.send_message(111, "hi", reply_markup=ok_data)  # 64 bytes exactly

    for bad_html in ("a < b", "Tom & Jerry", "<b>open", "<b>x</i>", "<div>x</div>"):
        with pytest.raises(BadRequest, match="Can't parse entities"):
            await app.bot.send_message(111, bad_html, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"Can't parse entities.*reserved"):
        await app.bot.send_message(111, "Price: 1.50", parse_mode="MarkdownV2")
    sent = await app.bot.send_message(111, "1 &lt; 2 &amp;&amp; &quot;ok&quot;", parse_mode="HTML")
    assert sent.text == '1 < 2 && "ok"'


async def test_reply_keyboard_and_contact(api: FakeBotApi, app: AnyApp, ana: FakeUser) -> None:
    await ana.send(app, "/phone")
    chat = api.chat(111)
    assert chat.reply_keyboard == [["Share"]]
    (reply,) = await ana.send_contact(app, "+5511988887777")
    assert reply.text == "Thanks +5511988887777"
    assert chat.reply_keyboard is None


# ---------------------------------------------------------------- files


async def test_send_document_bytes_stored(api: FakeBotApi, app: AnyApp, ana: FakeUser) -> None:
    (doc_msg,) = await ana.send(app, "/doc")
    assert doc_msg.document_bytes == b"contract body \x00\x01"
    assert doc_msg.document_name == "contract.pdf"
    assert doc_msg.text == "Your contract"  # plain caption
    assert doc_msg.caption == "Your contract"
    assert api.chat(111).actions == ["upload_document"]
    (call,) = api.calls_for("sendDocument")
    assert call.params["chat_id"] == 111

    # The bot can fetch its own upload back via getFile + the file route.
    assert doc_msg.document is not None
    tg_file = await app.bot.get_file(doc_msg.document.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == b"contract body \x00\x01"
    # Re-sending by file_id reuses the stored file.
    resent = await app.bot.send_document(111, doc_msg.document.file_id)
    assert resent.document is not None
    assert resent.document.file_size == len(b"contract body \x00\x01")


async def test_user_document_and_photo_download(
    api: FakeBotApi, app: AnyApp, ana: FakeUser
) -> None:
    (reply,) = await ana.send_document(app, data=b"%PDF-1.7 hi", file_name="c.pdf")
    assert reply.text == "Received 11 bytes: b'%PDF-1.7 hi'"

    photo_update = ana.photo_update(data=b"\xff\xd8jpeg", caption="scan")
    update = Update.de_json(photo_update, app.bot)
    assert update.message is not None
    assert update.message.caption == "scan"
    biggest = update.message.photo[-1]
    data = await (await app.bot.get_file(biggest.file_id)).download_as_bytearray()
    assert bytes(data) == b"\xff\xd8jpeg"

    photo_msg = await app.bot.send_photo(111, photo=b"\x89PNG fake", caption="chart")
    assert photo_msg.photo
    assert photo_msg.caption == "chart"
    last = api.chat(111).last
    assert last is not None
    assert last.photo is not None


async def test_update_builders_parse_in_ptb(api: FakeBotApi, app: AnyApp, ana: FakeUser) -> None:
    bob = api.user(222, "Bob", username="bob")
    fwd = Update.de_json(ana.forwarded_text_update("contract text", bob), app.bot)
    assert fwd.message is not None
    assert fwd.message.forward_origin is not None
    assert fwd.message.forward_origin.sender_user.id == 222  # type: ignore[attr-defined]
    hidden = Update.de_json(ana.forwarded_text_update("x", "Hidden Person"), app.bot)
    assert hidden.message.forward_origin.sender_user_name == "Hidden Person"  # type: ignore[union-attr]
    contact = Update.de_json(ana.contact_update("+1555"), app.bot)
    assert contact.message.contact.user_id == 111  # type: ignore[union-attr]
    cmd = Update.de_json(ana.command_update("start", "abc"), app.bot)
    assert cmd.message.text == "/start abc"  # type: ignore[union-attr]
    assert cmd.message.from_user.language_code == "pt-br"  # type: ignore[union-attr]
    assert cmd.message.chat.id == 111  # type: ignore[union-attr]


# ---------------------------------------------------------------- fault injection


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fault_injection(api: FakeBotApi, app: AnyApp, ana: FakeUser) -> None:
    api.inject_fault("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as info:
        await app.bot.send_message(111, "hi")
    assert info.value.retry_after in (3, dtm.timedelta(seconds=3))

    api.inject_fault("sendMessage", status=403, description="Forbidden: user is deactivated")
    with pytest.raises(Forbidden, match="user is deactivated"):
        await app.bot.send_message(111, "hi")

    api.inject_fault("sendMessage", status=502, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await app.bot.send_message(111, "hi")

    bob = api.user(222, "Bob")
    api.inject_fault("*", status=500, chat_id=bob.id)
    await app.bot.send_message(111, "ana is fine")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await app.bot.send_message(222, "bob fails")
    await app.bot.send_message(222, "bob ok now")

    assert api.chat(111).texts == ["ana is fine"]  # faulted requests had no effect
    assert len(api.calls_for("sendMessage")) == 7


async def test_inject_delay_times_out(api: FakeBotApi, app: AnyApp, ana: FakeUser) -> None:
    api.inject_delay("sendMessage", 0.5)
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await app.bot.send_message(111, "slow", read_timeout=0.1)
    assert time.monotonic() - started < 0.45
    # Like real Telegram, the request still lands after the delay.
    await api.wait_for(lambda: api.chat(111).last_text == "slow", timeout=2)


# ---------------------------------------------------------------- raw protocol


async def test_get_updates_offset_and_timeout(api: FakeBotApi, ana: FakeUser) -> None:
    async with httpx.AsyncClient(base_url=api.base_url + "123456:TEST/") as client:
        started = time.monotonic()
        resp = await client.post("getUpdates", json={"timeout": 0.3})
        assert resp.json() == {"ok": True, "result": []}
        assert 0.25 < time.monotonic() - started < 2

        first = ana.enqueue_text("one")
        second = ana.enqueue_text("two")
        ids = [u["update_id"] for u in (await client.post("getUpdates", data={})).json()["result"]]
        assert ids == [first["update_id"], second["update_id"]]

        resp = await client.post("getUpdates", data={"offset": str(second["update_id"])})
        assert [u["message"]["text"] for u in resp.json()["result"]] == ["two"]
        assert [u["update_id"] for u in api.pending_updates] == [second["update_id"]]

        waiter = asyncio.create_task(
            client.post("getUpdates", data={"offset": str(second["update_id"] + 1), "timeout": "5"})
        )
        await asyncio.sleep(0.05)
        third = ana.enqueue_text("three")
        resp = await asyncio.wait_for(waiter, 2)
        assert [u["update_id"] for u in resp.json()["result"]] == [third["update_id"]]

        resp = await client.post("getUpdates", json={"offset": -1, "timeout": 0})
        assert [u["update_id"] for u in resp.json()["result"]] == [third["update_id"]]


async def test_json_body_commands_and_unknown_method(api: FakeBotApi, app: AnyApp) -> None:
    await app.bot.set_my_commands([("start", "Begin"), ("help", "Help me")])
    assert [c.command for c in await app.bot.get_my_commands()] == ["start", "help"]
    assert api.get_commands()[1] == {"command": "help", "description": "Help me"}
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await app.bot.set_my_commands([("Bad-Cmd", "x")])
    assert await app.bot.delete_my_commands()
    assert await app.bot.get_my_commands() == ()

    api.user(333, "Json")
    async with httpx.AsyncClient() as client:
        resp = await client.post(
            f"{api.root_url}/bot123456:TEST/sendMessage",
            json={
                "chat_id": "333",
                "text": "<b>hi</b>",
                "parse_mode": "HTML",
                "reply_markup": '{"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}',
            },
        )
        body = resp.json()
        assert body["ok"] is True
        assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Go"
        resp = await client.post(f"{api.root_url}/bot123456:TEST/sendSticker", json={})
        assert resp.status_code == 404
        assert "not implemented" in resp.json()["description"]

    chat_info = await app.bot.get_chat(333)
    assert chat_info.first_name == "Json"
    last = api.chat(333).last
    assert last is not None
    assert last.buttons == [[("Go", "go")]]
    assert await app.bot.delete_webhook(drop_pending_updates=True)
    assert (await app.bot.get_webhook_info()).url == ""


async def test_groups_forward_copy_pin(api: FakeBotApi, app: AnyApp, ana: FakeUser) -> None:
    admins = api.group(-100500, "Admins")
    user_msg = ana.text_update("please review")["message"]
    fwd = await app.bot.forward_message(
        -100500, from_chat_id=111, message_id=user_msg["message_id"]
    )
    assert fwd.forward_origin is not None
    assert admins.last_text == "please review"
    assert admins.last is not None
    assert admins.last.extra["forward_origin"]["sender_user"]["id"] == 111

    (doc_msg,) = await ana.send(app, "/doc")
    copied = await app.bot.copy_message(-100500, 111, doc_msg.message_id, caption="copy")
    copy_view = admins.message(copied.message_id)
    assert copy_view.document_bytes == doc_msg.document_bytes
    assert copy_view.text == "copy"
    with pytest.raises(BadRequest, match="Message to copy not found"):
        await app.bot.copy_message(-100500, 111, 999)

    await app.bot.pin_chat_message(111, doc_msg.message_id)
    assert api.chat(111).pinned is doc_msg
    await app.bot.unpin_chat_message(111)
    assert api.chat(111).pinned is None
    assert (await app.bot.get_chat(-100500)).title == "Admins"


async def test_wait_for_message_and_reply_keyboard_edit(
    api: FakeBotApi, app: AnyApp, ana: FakeUser
) -> None:
    await ana.send(app, "/phone")
    ask = await api.wait_for_message(111, "Share your phone", timeout=1)
    # Editing text of a message that carried a reply keyboard keeps the keyboard shown.
    await app.bot.edit_message_text("Share it please", chat_id=111, message_id=ask.message_id)
    assert ask.text == "Share it please"
    assert ask.history[0].text == "Share your phone"
    assert api.chat(111).reply_keyboard == [["Share"]]
    found = await api.wait_for_message(111, lambda m: m.was_edited, timeout=1)
    assert found is ask
    with pytest.raises(AssertionError, match="bot message matching 'nope'"):
        await api.wait_for_message(111, "nope", timeout=0.05)
