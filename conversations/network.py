"""**Tentar de novo** on a change that did not reach the network: the job goes back to the
queue (the network loop sends it within seconds) and the card is shown again."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.domain.network import JobStatus
from bot.services.network import retry_job
from conversations.base import OFFICE, BotContext, ack, arg_int, staff_only
from conversations.screens import render_action_card, render_contract_card


@staff_only(*OFFICE)
async def retry(update: Update, context: BotContext) -> None:
    job = await retry_job(context.services, context.me.id, arg_int(context))
    if job.status is not JobStatus.PENDING:
        await ack(context, update, context.tr("network.retry_not_failed"), alert=True)
    else:
        await ack(context, update, context.tr("network.retry_queued"))
    if job.action_id is not None:
        await render_action_card(update, context, job.action_id)
    else:
        await render_contract_card(update, context, job.contract_id)


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(retry, pattern=r"^nw:r:(\d{1,10})$")]
