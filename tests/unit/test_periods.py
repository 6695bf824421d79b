"""Report periods as whole local days."""

from __future__ import annotations

from datetime import date

from bot.domain.periods import ReportPeriod, period_days


def test_this_month_runs_to_today_and_last_month_is_whole() -> None:
    today = date(2026, 3, 15)
    assert period_days(ReportPeriod.THIS_MONTH, today) == (date(2026, 3, 1), today)
    assert period_days(ReportPeriod.LAST_MONTH, today) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_days(ReportPeriod.LAST_MONTH, date(2026, 1, 5)) == (
        date(2025, 12, 1),
        date(2025, 12, 31),
    )


def test_last_30_days_includes_today() -> None:
    assert period_days(ReportPeriod.LAST_30_DAYS, date(2026, 3, 15)) == (
        date(2026, 2, 14),
        date(2026, 3, 15),
    )
