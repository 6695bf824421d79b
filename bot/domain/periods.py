"""Report periods staff pick in the chat, as whole local days (both ends included)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class ReportPeriod(StrEnum):
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    LAST_30_DAYS = "last_30_days"


def period_days(period: ReportPeriod, today: date) -> tuple[date, date]:
    """First and last day of the period; "this month" runs up to today."""
    if period is ReportPeriod.THIS_MONTH:
        return today.replace(day=1), today
    if period is ReportPeriod.LAST_MONTH:
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    return today - timedelta(days=29), today
