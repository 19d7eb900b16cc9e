"""Working days and working hours in Vietnam (ngày làm việc, giờ hành chính), for legal deadlines.

Every moment is a timezone-aware datetime (a naive one is a ValueError); results are in Vietnam time,
Asia/Ho_Chi_Minh.

Where the days off come from
----------------------------
The national calendar is the `holidays` package, country VN (version pinned in constraints.txt; 0.108
when this was written). It knows:

* weekends (Saturday, Sunday) and New Year 1/1;
* Tết: lunar New Year's Eve and the first four days of the lunar year, with a Saturday among them moved
  to the weekday before and a Sunday to the weekday after, so five weekdays are off
  (2025: Mon 27/1 to Sat 1/2; 2026: Mon 16/2 to Fri 20/2, with the weekends Sat 14/2 to Sun 22/2);
* Hùng Kings (10/3 lunar), 30/4, 1/5, National Day 2/9 plus an adjacent day since 2021 (2025: Mon 1/9
  and Tue 2/9; 2026: Tue 1/9 and Wed 2/9) and, from 2026, Vietnam Culture Day 24/11;
* a compensatory weekday (nghỉ bù) after each of 1/1, Hùng Kings, 30/4, 1/5, 2/9 and 24/11 that falls on
  a weekend (Hùng Kings 2026: Sun 26/4, so Mon 27/4 is off);
* the swaps the government announced before the package's release, both halves: the weekday off and the
  Saturday worked instead (2024: Mon 29/4 off, Sat 4/5 worked; 2025: Fri 2/5 off, Sat 26/4 worked;
  2026: Mon 31/8 off, Sat 22/8 worked; earlier ones back to 2010).

An agency's overrides (`Override`, stored by `OverrideStore`) must supply the rest, and win over the
national calendar in both directions:

* swaps announced after the pinned release (for years ahead the package applies the rules above, not
  the plan the government later announces, e.g. for Tết);
* local days off (a provincial event, a day the office closes);
* Saturdays the agency works on its own; such a day has the same working hours as any other.

Years outside 1901-2100, the range of the package's lunar calendar, are refused.

How time is counted
-------------------
Working hours are half-open periods, by default [07:30, 11:30) and [13:30, 17:00), the same on every
working day. The clock starts at `next_working_start(start)`: start itself when it lies inside a period
on a working day, otherwise the start of the next period. So a dossier received at 12:00 (lunch) counts
from 13:30 the same day; at 17:00 exactly (closing) or 17:30, from 07:30 on the next working day; on a
Saturday, from 07:30 on the next working day.

* `add_working_days(start, n)`: the clock start's time of day on the n-th working day after the clock
  start's day; n = 0 gives the clock start itself.
* `add_working_time(start, d)`: the earliest moment by which d of working time has passed since the clock
  start, so a span ending exactly at the end of a period gives that end (07:30 + 4 h is 11:30, not 13:30).
* `working_time_between(start, end)`: the working time inside [start, end); negative if end < start.
* `working_days_between(start, end)`: the number of working days d with start < d <= end; negative if
  end < start. It inverts `add_working_days` for a start inside working hours.

Each `Calendar` caches, per year, its days off and its sorted working days; counting n working days is a
bisection, not a walk over days.
"""

from __future__ import annotations

import builtins
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

import holidays
from holidays.countries.vietnam import Vietnam

from motcua.store import IndexSpec

if TYPE_CHECKING:
    from pymongo.collection import Collection

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_YEAR: int = Vietnam.start_year
LAST_YEAR: int = Vietnam.end_year

Period = tuple[time, time]
DEFAULT_PERIODS: tuple[Period, ...] = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))


class DayKind(StrEnum):
    """What an override makes of a day."""

    DAY_OFF = "day_off"
    WORKING_DAY = "working_day"


@dataclass(frozen=True)
class Override:
    """An agency's exception to the national calendar on one day, with the reason shown to staff."""

    day: date
    kind: DayKind
    reason: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.day, datetime) or not isinstance(self.day, date):
            raise TypeError(f"an override's day must be a date, not {self.day!r}")
        object.__setattr__(self, "kind", DayKind(self.kind))


def _since_midnight(t: time | datetime) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


@dataclass(frozen=True)
class WorkingHours:
    """The periods of a working day (giờ làm việc), as (start, end) clock times, sorted and disjoint."""

    periods: Sequence[Period] = DEFAULT_PERIODS
    _bounds: tuple[tuple[timedelta, timedelta], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        periods = tuple((start, end) for start, end in self.periods)
        if not periods:
            raise ValueError("working hours need at least one period")
        previous_end: time | None = None
        for start, end in periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("working hours are local clock times, without a timezone")
            if not start < end:
                raise ValueError(f"a working period must end after it starts: {start}-{end}")
            if previous_end is not None and start < previous_end:
                raise ValueError(f"working periods must be sorted and must not overlap: {start} < {previous_end}")
            previous_end = end
        object.__setattr__(self, "periods", periods)
        object.__setattr__(self, "_bounds", tuple((_since_midnight(a), _since_midnight(b)) for a, b in periods))

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """Working hours from configuration text such as "07:30-11:30,13:30-17:00"."""
        try:
            periods = [tuple(time.fromisoformat(t.strip()) for t in part.split("-")) for part in text.split(",")]
            return cls([(start, end) for start, end in periods])
        except ValueError as err:
            raise ValueError(f"working hours must look like 07:30-11:30,13:30-17:00: {text!r} ({err})") from None

    @property
    def opening(self) -> timedelta:
        """The start of the first period, as time since midnight."""
        return self._bounds[0][0]

    @property
    def per_day(self) -> timedelta:
        """The working time in one working day."""
        return sum((end - start for start, end in self._bounds), timedelta())

    def start_at_or_after(self, tod: timedelta) -> timedelta | None:
        """tod if it lies inside a period, else the next period's start that day, else None."""
        for start, end in self._bounds:
            if tod < start:
                return start
            if tod < end:
                return tod
        return None

    def worked_before(self, tod: timedelta) -> timedelta:
        """The working time of a working day that lies before time of day tod."""
        total = timedelta()
        for start, end in self._bounds:
            if tod <= start:
                break
            total += min(tod, end) - start
        return total

    def clock_at(self, worked: timedelta) -> timedelta:
        """The earliest time of day by which `worked` (0 < worked <= per_day) has passed in a day."""
        for start, end in self._bounds:
            if worked <= end - start:
                return start + worked
            worked -= end - start
        raise ValueError("more working time than one working day holds")


class _Year(NamedTuple):
    off: frozenset[date]
    working: tuple[int, ...]


@lru_cache(maxsize=256)
def _national(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """The national holidays of a year that fall on weekdays, and its Saturdays worked by swap."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"the calendar covers {FIRST_YEAR}-{LAST_YEAR}, not {year}")
    # weekend_workdays also holds the Saturdays of swaps that sit across New Year (31/12/2018 off for
    # Sat 5/1/2019), whichever year is loaded; keep only this year's.
    vn = holidays.country_holidays("VN", years=year)
    return (frozenset(d for d in vn if d.year == year),
            frozenset(d for d in vn.weekend_workdays if d.year == year))


@lru_cache(maxsize=1024)
def _year_table(year: int, overrides: tuple[tuple[date, DayKind], ...]) -> _Year:
    off_national, saturdays_worked = _national(year)
    by_day = dict(overrides)
    off: set[date] = set()
    working: list[int] = []
    for ordinal in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1):
        day = date.fromordinal(ordinal)
        kind = by_day.get(day)
        if kind is not None:
            works = kind is DayKind.WORKING_DAY
        elif day.weekday() >= 5:
            works = day in saturdays_worked
        else:
            works = day not in off_national
        if works:
            working.append(ordinal)
        else:
            off.add(day)
    return _Year(frozenset(off), tuple(working))


def _local(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got naive {moment.isoformat()}")
    return moment.astimezone(TZ)


def _at(day: date, tod: timedelta) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=TZ) + tod


@dataclass(frozen=True)
class Calendar:
    """The national calendar with an agency's overrides on top, and its working hours."""

    hours: WorkingHours = field(default_factory=WorkingHours)
    overrides: Iterable[Override] = ()
    _by_year: dict[int, tuple[tuple[date, DayKind], ...]] = field(init=False, repr=False, compare=False)
    _years: dict[int, _Year] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        overrides = tuple(sorted(self.overrides, key=lambda o: o.day))
        by_year: dict[int, list[tuple[date, DayKind]]] = {}
        for before, after in pairwise(overrides):
            if before.day == after.day:
                raise ValueError(f"two overrides for {after.day.isoformat()}")
        for o in overrides:
            by_year.setdefault(o.day.year, []).append((o.day, o.kind))
        object.__setattr__(self, "overrides", overrides)
        object.__setattr__(self, "_by_year", {year: tuple(days) for year, days in by_year.items()})
        object.__setattr__(self, "_years", {})

    def _year(self, year: int) -> _Year:
        table = self._years.get(year)
        if table is None:
            table = self._years[year] = _year_table(year, self._by_year.get(year, ()))
        return table

    def is_working_day(self, day: date) -> bool:
        """Whether day is a working day."""
        if isinstance(day, datetime):
            raise TypeError("is_working_day takes a date; use next_working_start for a moment")
        return day not in self._year(day.year).off

    def non_working_days(self, year: int) -> frozenset[date]:
        """Every day of a year that is not a working day (weekends included)."""
        return self._year(year).off

    def _shift(self, day: date, n: int) -> date:
        """The n-th working day after day (n >= 1); day itself need not be a working day."""
        year = day.year
        working = self._year(year).working
        index = bisect_right(working, day.toordinal()) + n - 1
        while index >= len(working):
            index -= len(working)
            year += 1
            working = self._year(year).working
        return date.fromordinal(working[index])

    def next_working_start(self, moment: datetime) -> datetime:
        """moment if it lies inside working hours, else the start of the next working period."""
        local = _local(moment)
        day = local.date()
        if self.is_working_day(day):
            tod = _since_midnight(local)
            start = self.hours.start_at_or_after(tod)
            if start == tod:
                return local
            if start is not None:
                return _at(day, start)
        return _at(self._shift(day, 1), self.hours.opening)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same clock time on the days-th working day after the clock starts (see the module doc)."""
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        begin = self.next_working_start(start)
        if days == 0:
            return begin
        return datetime.combine(self._shift(begin.date(), days), begin.time(), tzinfo=TZ)

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days after start up to and including end; negative if end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        first, last = self._year(start.year).working, self._year(end.year).working
        before_start = bisect_right(first, start.toordinal())
        up_to_end = bisect_right(last, end.toordinal())
        if start.year == end.year:
            return up_to_end - before_start
        whole_years = sum(len(self._year(y).working) for y in range(start.year + 1, end.year))
        return len(first) - before_start + whole_years + up_to_end

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest moment by which duration of working time has passed since the clock starts."""
        if duration < timedelta():
            raise ValueError(f"duration must not be negative, got {duration}")
        begin = self.next_working_start(start)
        if not duration:
            return begin
        total = self.hours.worked_before(_since_midnight(begin)) + duration
        days, rest = divmod(total, self.hours.per_day)
        if not rest:
            days, rest = days - 1, self.hours.per_day
        day = self._shift(begin.date(), days) if days else begin.date()
        return _at(day, self.hours.clock_at(rest))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time inside [start, end); negative if end is before start."""
        first, last = _local(start), _local(end)
        if last < first:
            return -self.working_time_between(last, first)
        first_day, last_day = first.date(), last.date()
        days_in_between = (self.working_days_between(first_day, last_day)
                           + self.is_working_day(first_day) - self.is_working_day(last_day))
        return self.hours.per_day * days_in_between - self._worked_that_day(first) + self._worked_that_day(last)

    def _worked_that_day(self, local: datetime) -> timedelta:
        if not self.is_working_day(local.date()):
            return timedelta()
        return self.hours.worked_before(_since_midnight(local))


NATIONAL = Calendar()


def is_working_day(day: date) -> bool:
    """Whether day is a working day on the national calendar (no agency overrides)."""
    return NATIONAL.is_working_day(day)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same clock time on the days-th working day after the clock starts, national calendar."""
    return NATIONAL.add_working_days(start, days)


def next_working_start(moment: datetime) -> datetime:
    """moment if inside the default working hours on a national working day, else the next start."""
    return NATIONAL.next_working_start(moment)


def add_working_time(start: datetime, duration: timedelta) -> datetime:
    """start plus duration of working time, national calendar and default working hours."""
    return NATIONAL.add_working_time(start, duration)


def working_time_between(start: datetime, end: datetime) -> timedelta:
    """The working time inside [start, end), national calendar and default working hours."""
    return NATIONAL.working_time_between(start, end)


def working_days_between(start: date, end: date) -> int:
    """The national working days after start up to and including end; negative if end < start."""
    return NATIONAL.working_days_between(start, end)


COLLECTION = "calendar_overrides"
INDEXES = [IndexSpec([("agency", 1), ("date", 1)], unique=True, name="agency_date")]


class OverrideStore:
    """The agencies' overrides, one document per agency and day: {_id, agency, date, kind, reason}."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self.collection = collection

    @staticmethod
    def _id(agency: str, day: date) -> str:
        # FerretDB pushes down only filters on _id, so one day of one agency is found by its key.
        if not agency:
            raise ValueError("an override needs an agency")
        return f"{agency}:{day.isoformat()}"

    def set(self, agency: str, day: date, kind: DayKind | str, reason: str = "") -> Override:
        """Make day a day off or a working day for agency, replacing any earlier override of that day."""
        override = Override(day, DayKind(kind), reason)
        self.collection.replace_one(
            {"_id": self._id(agency, day)},
            {"agency": agency, "date": day.isoformat(), "kind": override.kind.value, "reason": reason},
            upsert=True,
        )
        return override

    def delete(self, agency: str, day: date) -> bool:
        """Drop agency's override of day; whether there was one."""
        return self.collection.delete_one({"_id": self._id(agency, day)}).deleted_count == 1

    def list(self, agency: str, year: int | None = None) -> builtins.list[Override]:
        """Agency's overrides, by date, of one year or of all."""
        query: dict[str, Any] = {"agency": agency}
        if year is not None:
            query["date"] = {"$gte": f"{year:04d}-01-01", "$lte": f"{year:04d}-12-31"}
        found = [Override(date.fromisoformat(doc["date"]), DayKind(doc["kind"]), doc.get("reason", ""))
                 for doc in self.collection.find(query)]
        return sorted(found, key=lambda o: o.day)

    def calendar(self, agency: str, hours: WorkingHours | None = None) -> Calendar:
        """The national calendar with agency's overrides, in the given working hours (default 07:30-17:00)."""
        return Calendar(hours=hours or WorkingHours(), overrides=self.list(agency))
