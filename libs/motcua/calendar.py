"""Working days in Vietnam (ngày làm việc): weekends and public holidays, for legal deadlines.

The national calendar comes from the `holidays` package (country VN). Appointments fall at the same
clock time on the N-th following working day, in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


def is_working_day(day: date) -> bool:
    """Whether day is a working day on the national calendar."""
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same clock time on the days-th working day after start (timezone-aware, Vietnam time)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if days < 0:
        raise ValueError("days must not be negative")
    local = start.astimezone(TZ)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.combine(day, local.timetz())
