"""What the acceptance page shows: the proposal, already formatted (templates only lay it out),
and the page that explains why a link cannot be used."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.config import Settings
from bot.domain.documents import PersonKind
from bot.domain.loyalty import new_term_period
from bot.domain.money import Money
from bot.i18n import days_text, t
from bot.services.cards import ActionCard
from bot.templating import brl

# Every page lives at /aceite/<token>, so links are relative to that depth; this keeps them
# right behind a reverse proxy that mounts the app under a path prefix.
CSS_HREF = "../static/aceite.css"

UNAVAILABLE = {
    # key: (HTTP status, catalog key of the page title, catalog key of the message)
    "acceptance.token_invalid": (404, "web.token_invalid_title", "web.token_invalid_message"),
    "acceptance.token_used": (410, "web.token_used_title", "web.token_used_message"),
    "acceptance.token_expired": (410, "web.token_expired_title", "web.token_expired_message"),
    "acceptance.token_cancelled": (
        410,
        "web.token_cancelled_title",
        "web.token_cancelled_message",
    ),
    "acceptance.not_pending": (410, "web.not_pending_title", "web.not_pending_message"),
    "acceptance.document_gone": (410, "web.document_gone_title", "web.document_gone_message"),
    "acceptance.not_concluded": (404, "web.final.not_ready_title", "web.final.not_ready_message"),
    "acceptance.preview_expired": (
        410,
        "web.preview.expired_title",
        "web.preview.expired_message",
    ),
}


def unavailable(key: str) -> tuple[int, str, str]:
    """(HTTP status, title key, message key) of the page for a link refused with ``key``."""
    return UNAVAILABLE.get(key, UNAVAILABLE["acceptance.token_invalid"])


def speeds(download: int, upload: int, locale: str) -> str:
    def fmt(mbps: int) -> str:
        return t("web.speed", locale, mbps=f"{mbps:,}".replace(",", "."))

    return t("web.speeds", locale, download=fmt(download), upload=fmt(upload))


def when(moment: datetime, locale: str) -> str:
    return t(
        "web.datetime", locale, date=moment.strftime("%d/%m/%Y"), time=moment.strftime("%H:%M")
    )


def _day(value: date | None) -> str | None:
    return value.strftime("%d/%m/%Y") if value else None


def loyalty_view(card: ActionCard, today: date, start: date) -> dict[str, Any]:
    """The loyalty as it truly stands after the change.

    ``new``: a new period (start = the effective date, as the proposed contract dates it);
    ``none``: the change ends any loyalty; ``kept``: the current period stays, with its real end;
    ``ended``: the kept period is already over, so there is no loyalty in force at all;
    ``free``: there was none and the change creates none.
    """
    term = card.new_loyalty_term
    kept = card.contract.loyalty
    if term is None:
        if kept.in_force(today):
            return {
                "kind": "kept",
                "months": kept.months,
                "monthly_benefit": brl(kept.monthly_benefit),
                "end": _day(kept.end),
            }
        if kept.active:
            return {"kind": "ended", "end": _day(kept.end)}
        return {"kind": "free"}
    period = new_term_period(term, start)
    if period is None:
        return {"kind": "none"}
    return {
        "kind": "new",
        "name": term.name,
        "months": term.months,
        "monthly_benefit": brl(term.monthly_benefit),
        "total_benefit": brl(term.total_benefit),
        "start": _day(period[0]),
        "end": _day(period[1]),
    }


def proposal_view(
    card: ActionCard, settings: Settings, expires_at: datetime, today: date
) -> dict[str, Any]:
    """Everything the proposal page shows, already formatted (the template only lays it out)."""
    tz = settings.timezone
    locale = settings.locale
    change = card.action.change
    current, new = card.current_plan, card.new_plan
    diff = change.value - card.contract.value
    if diff.cents > 0:
        difference = t("web.difference_up", locale, amount=brl(diff))
    elif diff.cents < 0:
        difference = t("web.difference_down", locale, amount=brl(Money(-diff.cents)))
    else:
        difference = t("web.difference_same", locale)
    start = card.action.change.effective_on or card.action.created_at.astimezone(tz).date()
    loyalty = loyalty_view(card, today, start)
    return {
        "client_name": card.client.name,
        "is_pj": card.client.kind is PersonKind.PJ,
        "client_document": card.client.document_masked,
        "contract_number": card.contract.number,
        "current": {
            "name": current.name,
            "speeds": speeds(current.download_mbps, current.upload_mbps, locale),
            "value": brl(card.contract.value),
        },
        "new": {
            "name": new.name,
            "speeds": speeds(new.download_mbps, new.upload_mbps, locale),
            "value": brl(change.value),
        },
        "difference": difference,
        "services": [{"name": s.name, "value": brl(s.amount)} for s in change.services],
        "removed_services": [s.name for s in card.removed_services],
        "services_total": brl(change.value),
        "loyalty": loyalty,
        "template_name": card.new_template.name,
        "expires": when(expires_at.astimezone(tz), locale),
        **effective_view(card, locale),
    }


def effective_view(card: ActionCard, locale: str) -> dict[str, Any]:
    """When the change starts and the next invoice split at that date (bot.domain.effective)."""
    effective_on = card.action.change.effective_on
    starts = (
        t("effective.when_date", locale, date=effective_on.strftime("%d/%m/%Y"))
        if effective_on
        else t("effective.when_finalize", locale)
    )
    p = card.pro_rata
    invoice = None
    if p is not None:
        title = "effective.pro_rata_title" if effective_on else "effective.pro_rata_estimate"
        invoice = {
            "title": t(
                title,
                locale,
                start=p.cycle_start.strftime("%d/%m/%Y"),
                end=p.cycle_end.strftime("%d/%m/%Y"),
            ),
            "lines": [
                t(
                    "effective.pro_rata_old",
                    locale,
                    days=days_text(p.days_old, locale),
                    amount=brl(p.old_part),
                )
                for _ in range(1 if p.days_old else 0)
            ]
            + [
                t(
                    "effective.pro_rata_new",
                    locale,
                    days=days_text(p.days_new, locale),
                    amount=brl(p.new_part),
                )
            ],
            "total": t("effective.pro_rata_total", locale, amount=brl(p.total)),
        }
    return {
        "effective": {"label": t("effective.label", locale), "starts": starts},
        "invoice": invoice,
    }


__all__ = ["CSS_HREF", "loyalty_view", "proposal_view", "speeds", "unavailable", "when"]
