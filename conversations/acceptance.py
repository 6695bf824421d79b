"""The client's side: opening an acceptance deep link (``/start ac_<token>``) in Telegram.

The client is not staff and reaches nothing else. They see who the provider is, the current
and new plan, value, services and loyalty, and the proposed contract as a PDF; then Aceitar or
Recusar, each confirmed. Evidence: time, Telegram user id and name, and the SHA-256 of the exact
PDF bytes they were sent. Only the token's hash is kept in the chat state, never the token.
"""

from __future__ import annotations

import hashlib
from typing import Any

from telegram import InputFile, Message, Update
from telegram.constants import ChatAction
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain.errors import DomainError
from bot.domain.loyalty import new_term_period
from bot.domain.models import AcceptanceStatus, Evidence, PersonKind
from bot.domain.signer import Signer, parse_signer_cpf, parse_signer_name, parse_signer_role
from bot.domain.tokens import hash_token
from bot.services import acceptance as acceptance_service
from bot.services import client_documents, printouts
from bot.services.acceptance import IdentityMismatch
from conversations.base import BotContext, ack, button, drop_keyboard, esc, keyboard, show, tell


async def open_link(update: Update, context: BotContext) -> None:
    message = update.message
    assert message is not None and message.text is not None and context.user_data is not None
    token = message.text.split(maxsplit=1)[1].removeprefix("ac_")
    token_hash = hash_token(token)
    try:
        request, card = await acceptance_service.open_by_hash(context.services, token_hash)
    except DomainError as exc:
        await message.reply_text(context.explain(exc))
        return
    chat_id = message.chat_id
    # A new loyalty period is dated as the proposed contract dates it: from the effective date.
    created = card.action.created_at.astimezone(context.app.settings.timezone).date()
    start = card.action.change.effective_on or created
    term = card.new_loyalty_term
    period = new_term_period(term, start) if term is not None else None
    text = context.render(
        "acceptance_offer",
        card=card,
        provider=context.app.settings.provider,
        expires_at=request.expires_at,
        start=period[0] if period else None,
        end=period[1] if period else None,
        staff_view=context.staff is not None,
    )
    await show(update, context, text, None, new=True)
    if context.staff is not None:
        return  # staff see the proposal only: the answer is the client's (or in person)
    await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    doc = await printouts.proposed_contract_printout(context.services, card.action.id)
    pdf = await context.app.pdf.contract_pdf(doc)
    name = context.app.pdf.filename(doc)
    await context.bot.send_document(
        chat_id,
        InputFile(pdf, filename=name),
        filename=name,
        caption=context.tr("client_acceptance.pdf_caption"),
    )
    sha = hashlib.sha256(pdf).hexdigest()
    await client_documents.keep_offered(context.services, token_hash, sha, bytes(pdf))
    offers = context.user_data.setdefault("acceptance", {})
    offers[str(request.id)] = {"hash": token_hash, "doc": sha}
    if card.client.kind is PersonKind.PJ:
        offers[str(request.id)]["pj"] = card.client.name
    await _ask(update, context, request.id, new=True)


async def _ask(update: Update, context: BotContext, request_id: int, *, new: bool = False) -> None:
    rows = [
        [
            button(context.tr("client_acceptance.accept"), "ac", "y", request_id),
            button(context.tr("client_acceptance.decline"), "ac", "n", request_id),
        ]
    ]
    await show(update, context, context.tr("client_acceptance.question"), keyboard(rows), new=new)


def _offer(context: BotContext, request_id: int) -> dict[str, Any] | None:
    """The open offer these buttons belong to (a client may have opened several links)."""
    assert context.user_data is not None
    offers = context.user_data.get("acceptance")
    offer = offers.get(str(request_id)) if isinstance(offers, dict) else None
    return offer if isinstance(offer, dict) else None


async def on_button(update: Update, context: BotContext) -> None:
    assert context.matches is not None
    verb, request_id = context.matches[0].group(1), int(context.matches[0].group(2))
    if verb == "pdf":  # after answering: the offer is gone, the kept document stays
        await _send_kept(update, context, request_id)
        return
    offer = _offer(context, request_id)
    if offer is None:
        await _late_tap(update, context, request_id)
        return
    if verb == "b":
        await ack(context, update)
        user = update.effective_user
        if user is not None:
            _stop_awaiting(context, user.id)
        await _ask(update, context, request_id)
        return
    if verb in ("y", "n"):
        await ack(context, update)
        accept = verb == "y"
        key = "confirm_accept" if accept else "confirm_decline"
        rows = [
            [
                button(context.tr(f"client_acceptance.{key}_button"), "ac", verb * 2, request_id),
                button(context.tr("ui.back"), "ac", "b", request_id),
            ]
        ]
        await show(update, context, context.tr(f"client_acceptance.{key}"), keyboard(rows))
        return
    await ack(context, update)
    if verb == "r":  # the suggested role for a company's signer
        await _signer_answer(update, context, context.tr("acceptance.signer.default_role"))
    elif offer.get("pj"):
        await _ask_step(update, context, request_id, accept=verb == "yy", step="name")
    else:
        await _ask_step(update, context, request_id, accept=verb == "yy", step="document")


AWAITING_DOCUMENT = filters.User(allow_empty=False)
"""Clients asked to type their CPF/CNPJ: only their text reaches :func:`typed_document` (the
gate re-adds them from their chat state after a restart, see :func:`awaiting_document`)."""

IDENTITY = "acceptance_identity"


def awaiting_document(context: BotContext, user_id: int) -> bool:
    """Whether this (non-staff) user was asked to type their document; keeps the filter in step."""
    pending = context.user_data.get(IDENTITY) if context.user_data is not None else None
    if isinstance(pending, dict):
        AWAITING_DOCUMENT.add_user_ids(user_id)
        return True
    return False


def _stop_awaiting(context: BotContext, user_id: int) -> None:
    if context.user_data is not None:
        context.user_data.pop(IDENTITY, None)
    AWAITING_DOCUMENT.remove_user_ids(user_id)


async def _ask_step(
    update: Update, context: BotContext, request_id: int, *, accept: bool, step: str
) -> None:
    """Before the answer is recorded: for a company, its signer's name, CPF and role; then,
    for everyone, the client's CPF/CNPJ (or its first part). The typed text goes to
    :func:`typed_document`; the chat state remembers the step and the signer so far."""
    user = update.effective_user
    assert user is not None and context.user_data is not None
    pending = context.user_data.get(IDENTITY)
    signer: dict[str, str] = {}  # the signer's answers so far, for this request only
    if isinstance(pending, dict) and pending.get("request") == request_id and step != "name":
        signer = pending.get("signer") or {}
    rows = [[button(context.tr("ui.back"), "ac", "b", request_id)]]
    offer = _offer(context, request_id) or {}
    if step == "document":
        prefix = context.services.identity_prefix
        key = (
            "acceptance.signer.ask_company_document"
            if offer.get("pj")
            else "client_acceptance.ask_document"
        )
        text = context.tr(f"{key}_part", chars=prefix) if prefix else context.tr(key)
    else:
        text = context.tr(
            f"acceptance.signer.ask_{step}",
            company=esc(offer.get("pj", "")),
            name=esc(signer.get("name") or ""),
        )
        if step == "role":
            label = context.tr("acceptance.signer.default_role_button")
            rows.insert(0, [button(label, "ac", "r", request_id)])
    prompt = await show(update, context, text, keyboard(rows))
    context.user_data[IDENTITY] = {
        "request": request_id,
        "accept": accept,
        "step": step,
        "signer": signer,
        "prompt": [prompt.chat_id, prompt.message_id] if prompt is not None else None,
    }
    AWAITING_DOCUMENT.add_user_ids(user.id)


_NEXT_STEP = {"name": "cpf", "cpf": "role", "role": "document"}
_SIGNER_PARSERS = {"name": parse_signer_name, "cpf": parse_signer_cpf, "role": parse_signer_role}


async def _signer_answer(update: Update, context: BotContext, text: str) -> None:
    """One of the signer's answers: checked (a bad one is explained and asked again), kept in
    the chat state, and the next step asked."""
    assert context.user_data is not None
    pending = context.user_data.get(IDENTITY)
    if not isinstance(pending, dict) or pending.get("step") not in _SIGNER_PARSERS:
        return
    step, request_id, accept = pending["step"], int(pending["request"]), bool(pending["accept"])
    try:
        value = _SIGNER_PARSERS[step](text)
    except DomainError as exc:
        await tell(update, context, context.explain(exc))
        await _ask_step(update, context, request_id, accept=accept, step=step)
        return
    pending.setdefault("signer", {})[step] = value
    await _ask_step(update, context, request_id, accept=accept, step=_NEXT_STEP[step])


async def typed_document(update: Update, context: BotContext) -> None:
    """The document typed: the answer is recorded if it matches (only "checked" is kept)."""
    message, user = update.message, update.effective_user
    assert message is not None and user is not None and context.user_data is not None
    pending = context.user_data.get(IDENTITY)
    if not isinstance(pending, dict):
        _stop_awaiting(context, user.id)
        return
    request_id = int(pending["request"])
    offer = _offer(context, request_id)
    prompt = pending.get("prompt")
    if prompt:
        await drop_keyboard(context, prompt[0], prompt[1])
    if offer is None:
        _stop_awaiting(context, user.id)
        await message.reply_text(context.tr("client_acceptance.stale"))
        return
    if pending.get("step", "document") != "document":
        await _signer_answer(update, context, message.text or "")
        return
    signer = pending.get("signer") or {}
    await _decide(
        update,
        context,
        request_id,
        offer,
        accept=bool(pending["accept"]),
        typed=message.text or "",
        signer=Signer(**signer) if offer.get("pj") and len(signer) == 3 else None,
    )


async def _late_tap(update: Update, context: BotContext, request_id: int) -> None:
    """A repeated or late tap: the client is told what was recorded, in their words (clients
    have no menu to reopen a card from), and the old buttons go."""
    user = update.effective_user
    assert user is not None
    decided = await client_documents.decided_by_telegram_user(context.services, request_id, user.id)
    if decided is None or decided.decided_at is None:
        text = context.tr("client_acceptance.stale")
    else:
        moment = decided.decided_at.astimezone(context.app.settings.timezone)
        key = (
            "already_accepted"
            if decided.status is AcceptanceStatus.ACCEPTED
            else "already_declined"
        )
        text = context.tr(
            f"client_acceptance.{key}",
            date=moment.strftime("%d/%m"),
            time=moment.strftime("%H:%M"),
        )
    await ack(context, update, text, alert=True)
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        await drop_keyboard(context, query.message.chat_id, query.message.message_id)


async def _decide(
    update: Update,
    context: BotContext,
    request_id: int,
    offer: dict[str, Any],
    *,
    accept: bool,
    typed: str,
    signer: Signer | None,
) -> None:
    user = update.effective_user
    assert user is not None and context.user_data is not None
    evidence = Evidence(telegram_user_id=user.id, telegram_name=user.full_name)
    try:
        decision = await acceptance_service.decide_by_hash(
            context.services,
            offer["hash"],
            accept=accept,
            evidence=evidence,
            document_sha256=offer["doc"],
            typed_document=typed,
            signer=signer,
        )
    except IdentityMismatch as exc:
        await tell(update, context, context.explain(exc))
        await _ask_step(update, context, request_id, accept=accept, step="document")
        return
    except DomainError as exc:
        _stop_awaiting(context, user.id)
        context.user_data.get("acceptance", {}).pop(str(request_id), None)
        await show(update, context, context.explain(exc), None)
        return
    _stop_awaiting(context, user.id)
    context.user_data.get("acceptance", {}).pop(str(request_id), None)
    when = context.app.renderer.fmt_datetime(decision.request.decided_at)
    key = "accepted" if decision.accepted else "declined"
    rows = [[button(context.tr("client_documents.download_kept"), "ac", "pdf", request_id)]]
    await show(update, context, context.tr(f"client_acceptance.{key}", when=when), keyboard(rows))


async def _send_kept(update: Update, context: BotContext, request_id: int) -> None:
    """The exact PDF this client answered (same bytes and SHA-256 as the evidence), while kept."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    kept = await client_documents.kept_for_telegram_user(context.services, request_id, user.id)
    if kept is None:
        await ack(context, update, context.tr("client_documents.kept_gone"), alert=True)
        return
    await ack(context, update)
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    name = context.tr("web.kept_filename", request=request_id)
    caption = context.tr("client_documents.kept_caption", sha=kept.sha256)
    await context.bot.send_document(
        chat.id, InputFile(kept.content, filename=name), filename=name, caption=caption
    )


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(
            "start", open_link, filters=filters.Regex(r"^/start ac_[A-Za-z0-9_-]{16,64}$")
        ),
        CallbackQueryHandler(on_button, pattern=r"^ac:(y|n|yy|nn|b|r|pdf):(\d{1,10})$"),
        MessageHandler(filters.TEXT & ~filters.COMMAND & AWAITING_DOCUMENT, typed_document),
    ]
