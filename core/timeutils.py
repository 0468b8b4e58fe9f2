"""Local time: the shop and the center count days in ``settings.TIME_ZONE`` (Asia/Seoul)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_today() -> date:
    return timezone.localdate(timezone.now(), local_tz())


def local_midnight(day: date) -> datetime:
    """The aware instant at which ``day`` starts in the local zone."""
    return datetime.combine(day, time.min, tzinfo=local_tz())
