"""Dates and times as Vietnamese administrative documents write them, always in Vietnam's time."""

from __future__ import annotations

import datetime as dt

from signing.forms.catalog import COMMON

# Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset needs no tz database.
VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7), "ICT")


def in_vietnam(moment: dt.datetime) -> dt.datetime:
    """Express an aware time in Vietnam's time; a naive one is taken to be Vietnam's time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=VIETNAM_TIME)
    return moment.astimezone(VIETNAM_TIME)


def vietnamese_date(day: dt.date) -> str:
    """Format a date as administrative documents do: days below 10 and months below 3 take a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return COMMON["date"].format(day=f"{day.day:02d}", month=month, year=day.year)


def vietnamese_datetime(moment: dt.datetime) -> str:
    """Format a time of day and date in Vietnamese, e.g. '14 giờ 30 phút, ngày 17 tháng 02 năm 2026'."""
    local = in_vietnam(moment)
    return COMMON["time"].format(hour=local.hour, minute=local.minute, date=vietnamese_date(local.date()))


def short_datetime(moment: dt.datetime) -> str:
    """Format a time for a narrow table cell, e.g. '14:30 17/02/2026'."""
    local = in_vietnam(moment)
    return COMMON["short_time"].format(hour=local.hour, minute=local.minute, day=local.day, month=local.month,
                                       year=local.year)


def place_and_date(place: str, moment: dt.datetime) -> str:
    """The line under the motto, e.g. 'Ninh Bình, ngày 17 tháng 02 năm 2026'; without a place it starts with 'Ngày'."""
    date = vietnamese_date(in_vietnam(moment).date())
    if not place:
        return date[:1].upper() + date[1:]
    return COMMON["place_date"].format(place=place, date=date)
