"""Local-day ranges: the dashboard and the forecast count days in ``settings.TIME_ZONE``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.timeutils import local_midnight, local_today

PERIOD_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class DayRange:
    """Local days ``start``..``end`` inclusive, i.e. the instants [start 00:00, end+1 00:00)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> DayRange:
        """The period of the same length just before this one."""
        return DayRange(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def bounds(self) -> tuple[datetime, datetime]:
        return local_midnight(self.start), local_midnight(self.end + timedelta(days=1))

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


def resolve_range(*, period: str, start: date | None, end: date | None, today: date | None = None) -> DayRange:
    """Fill the missing ends from ``period`` (day 1, week 7, month 30, year 365 days, ending
    today by default). The caller validates order and span."""
    length = PERIOD_DAYS[period]
    if start is None and end is None:
        end = today or local_today()
    if end is None:
        end = start + timedelta(days=length - 1)  # type: ignore[operator]
    if start is None:
        start = end - timedelta(days=length - 1)
    return DayRange(start, end)
