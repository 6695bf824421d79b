"""What the active instance runs beside the Telegram updates: the notification outbox, the
acceptance expiry and reminders, the scheduled plan changes, the deletion of clients' copies
past their retention, the daily digest and, with RADIUS configured, the network job loop.
Moved out of :mod:`bot.app`, which starts them from ``_serve``."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, ExtBot

from bot.notify import Compose, Dispatcher
from bot.services.context import ServiceContext

if TYPE_CHECKING:
    from bot.app import Core


def build_dispatcher(ctx: ServiceContext, bot: ExtBot[Any], compose: Compose) -> Dispatcher:
    """The outbox as ``contractbot run`` runs it: a few sends in flight (Telegram answers in
    ~0.1 s, so one at a time would stay far below 30 a second), 50 ms of slack on every
    limit for the network's jitter, and a 30 s lease (one send with PTB's default timeouts
    takes at most ~16 s): a row in flight when the active instance died goes out again
    from the standby that took over once its lease ends."""
    return Dispatcher(ctx, bot, compose, concurrency=8, slack=0.05, lease=30.0)


SCHEDULED_EVERY = 300  # seconds between runs of the scheduled plan changes


def schedule_background(
    app: Application[Any, Any, Any, Any, Any, Any], core: Core, stop: asyncio.Event
) -> asyncio.Task[None]:
    """Start the outbox sender (a task, until ``stop``) and put acceptance expiry, reminders,
    scheduled changes, the deletion of copies past their retention and the daily digest on
    PTB's JobQueue (they stop with the application)."""
    from bot.services import acceptance, client_documents, digest, scheduled
    from bot.services.digest import DigestPolicy
    from conversations.notifications import NotificationComposer

    assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
    composer = NotificationComposer(app.bot_data["app"])
    dispatcher = build_dispatcher(core.ctx, app.bot, composer)
    outbox = asyncio.create_task(dispatcher.run_forever(stop), name="notification-outbox")
    reminder_after = core.settings.acceptance_reminder_after

    async def expire(_: Any) -> None:
        await acceptance.expire_overdue(core.ctx)

    async def remind(_: Any) -> None:
        await acceptance.remind_pending(core.ctx, reminder_after)

    async def forget_copies(_: Any) -> None:
        await client_documents.forget_expired_copies(core.ctx)

    async def apply_scheduled(_: Any) -> None:
        await scheduled.apply_due(core.ctx)

    settings = core.settings
    policy = DigestPolicy(settings.digest_time, settings.stale_days, settings.staff_group_chat_id)

    async def queue_digest(_: Any) -> None:
        await digest.queue_digest(core.ctx, policy)

    app.job_queue.run_repeating(expire, interval=300, first=5, name="acceptance-expiry")
    app.job_queue.run_repeating(remind, interval=900, first=10, name="acceptance-reminders")
    app.job_queue.run_repeating(forget_copies, interval=3600, first=60, name="forget-copies")
    schedule_network(core, stop)
    # Scheduled plan changes: the first run catches up after downtime, then every 5 minutes.
    app.job_queue.run_repeating(
        apply_scheduled, interval=SCHEDULED_EVERY, first=3, name="scheduled-changes"
    )
    if policy.at is not None:  # looks at the clock each minute; queues once a day
        app.job_queue.run_repeating(queue_digest, interval=60, first=15, name="daily-digest")
    return outbox


def schedule_network(core: Core, stop: asyncio.Event) -> asyncio.Task[None] | None:
    """With RADIUS configured, the network job loop runs beside the outbox (active instance
    only) until ``stop``."""
    radius = core.settings.radius
    if radius.database_url is None:
        return None
    from bot.radius.worker import run_forever
    from bot.services.network import NetworkPolicy

    policy = NetworkPolicy(on_nak=radius.on_nak, max_attempts=radius.max_attempts)
    loop = run_forever(
        core.ctx,
        radius.database_url,
        policy,
        stop,
        coa_timeout=radius.coa_timeout,
        coa_retries=radius.coa_retries,
    )
    task = asyncio.create_task(loop, name="network-jobs")
    core.background.add(task)
    task.add_done_callback(core.background.discard)
    return task
