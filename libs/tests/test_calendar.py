from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st
from motcua.calendar import (
    NATIONAL,
    TZ,
    Calendar,
    DayKind,
    Override,
    WorkingHours,
    add_working_days,
    add_working_time,
    is_working_day,
    next_working_start,
    working_days_between,
    working_time_between,
)

HOUR = timedelta(hours=1)


def at(day: int, month: int, year: int = 2026, clock: str = "09:30") -> datetime:
    return datetime.combine(date(year, month, day), time.fromisoformat(clock), tzinfo=TZ)


# --- which days are off -------------------------------------------------------------------------

DAYS_OFF = [
    # Tết 2025: the weekend before, Mon 27/1 to Sat 1/2 from the package, the Sunday after.
    *[(date(2025, 1, d), "Tết 2025") for d in range(25, 32)], (date(2025, 2, 1), "Tết 2025"),
    (date(2025, 2, 2), "Tết 2025"),
    # Tết 2026: Sat 14/2 to Sun 22/2.
    *[(date(2026, 2, d), "Tết 2026") for d in range(14, 23)],
    (date(2025, 4, 7), "Hùng Kings 2025, a Monday"),
    (date(2026, 4, 26), "Hùng Kings 2026, a Sunday"),
    (date(2026, 4, 27), "the Monday off for Hùng Kings 2026"),
    (date(2025, 4, 30), "30/4/2025"), (date(2025, 5, 1), "1/5/2025"),
    (date(2025, 5, 2), "2/5/2025, swapped for Sat 26/4"),
    (date(2026, 4, 30), "30/4/2026"), (date(2026, 5, 1), "1/5/2026"),
    (date(2025, 9, 1), "the day next to National Day 2025"), (date(2025, 9, 2), "National Day 2025"),
    (date(2026, 8, 31), "31/8/2026, swapped for Sat 22/8"),
    (date(2026, 9, 1), "the day next to National Day 2026"), (date(2026, 9, 2), "National Day 2026"),
    (date(2026, 1, 1), "New Year 2026"),
    (date(2026, 11, 24), "Vietnam Culture Day, from 2026"),
    (date(2026, 3, 7), "a Saturday"), (date(2026, 3, 8), "a Sunday"),
    (date(2018, 12, 31), "Monday 31/12/2018, swapped for Saturday 5/1/2019"),
]

WORKING_DAYS = [
    (date(2025, 1, 24), "the Friday before Tết 2025"), (date(2025, 2, 3), "the Monday after Tết 2025"),
    (date(2026, 2, 13), "the Friday before Tết 2026"), (date(2026, 2, 23), "the Monday after Tết 2026"),
    (date(2025, 4, 26), "Saturday 26/4/2025, worked for 2/5"),
    (date(2026, 8, 22), "Saturday 22/8/2026, worked for 31/8"),
    (date(2026, 4, 24), "the Friday before Hùng Kings 2026"), (date(2026, 4, 28), "the Tuesday after"),
    (date(2026, 4, 29), "between Hùng Kings and 30/4"),
    (date(2025, 8, 29), "the Friday before 1/9/2025"), (date(2025, 9, 3), "the day after National Day 2025"),
    (date(2026, 9, 3), "the day after National Day 2026"),
    (date(2026, 1, 2), "the day after New Year 2026"),
    (date(2026, 3, 9), "a Monday"),
    (date(2019, 1, 5), "Saturday 5/1/2019, worked for Monday 31/12/2018 (a swap across New Year)"),
]


@pytest.mark.parametrize(("day", "why"), DAYS_OFF)
def test_days_off_on_the_national_calendar(day: date, why: str) -> None:
    assert not is_working_day(day), why


@pytest.mark.parametrize(("day", "why"), WORKING_DAYS)
def test_working_days_on_the_national_calendar(day: date, why: str) -> None:
    assert is_working_day(day), why


def test_years_the_package_has_no_lunar_calendar_for_are_refused() -> None:
    with pytest.raises(ValueError, match="2101"):
        is_working_day(date(2101, 1, 3))


def test_is_working_day_takes_a_date_not_a_moment() -> None:
    with pytest.raises(TypeError):
        is_working_day(at(9, 3))


# --- add_working_days ---------------------------------------------------------------------------

ADDED_DAYS = [
    (at(6, 3, clock="14:15"), 1, at(9, 3, clock="14:15"), "Friday to Monday"),
    (at(4, 3), 0, at(4, 3), "zero days inside working hours keeps the start"),
    (at(13, 2), 1, at(23, 2), "over Tết 2026"),
    (at(24, 1, 2025), 1, at(3, 2, 2025), "over Tết 2025"),
    (at(24, 4, clock="10:00"), 1, at(28, 4, clock="10:00"), "over Hùng Kings 2026"),
    (at(24, 4, clock="10:00"), 3, at(4, 5, clock="10:00"), "over Hùng Kings, 30/4 and 1/5 2026"),
    (at(3, 4, 2025), 1, at(4, 4, 2025), "Thursday to Friday before Hùng Kings 2025"),
    (at(4, 4, 2025), 1, at(8, 4, 2025), "over Hùng Kings 2025"),
    (at(25, 4, 2025), 1, at(26, 4, 2025), "onto the swapped Saturday 26/4/2025"),
    (at(25, 4, 2025), 4, at(5, 5, 2025), "over 30/4, 1/5 and 2/5/2025"),
    (at(29, 8, 2025), 1, at(3, 9, 2025), "over National Day 2025"),
    (at(21, 8), 1, at(22, 8), "onto the swapped Saturday 22/8/2026"),
    (at(28, 8), 1, at(3, 9), "over 31/8 to 2/9/2026"),
    (at(31, 12, 2025), 1, at(2, 1), "over New Year"),
    (at(5, 3, clock="17:30"), 1, at(9, 3, clock="07:30"), "after closing: counts from 07:30 next day"),
    (at(5, 3, clock="17:30"), 0, at(6, 3, clock="07:30"), "after closing, zero days"),
    (at(5, 3, clock="17:00"), 1, at(9, 3, clock="07:30"), "exactly at closing is after closing"),
    (at(5, 3, clock="16:59"), 1, at(6, 3, clock="16:59"), "a minute before closing"),
    (at(4, 3, clock="12:00"), 1, at(5, 3, clock="13:30"), "at lunch: counts from 13:30"),
    (at(4, 3, clock="11:30"), 1, at(5, 3, clock="13:30"), "exactly at the end of the morning"),
    (at(4, 3, clock="13:30"), 1, at(5, 3, clock="13:30"), "exactly at the start of the afternoon"),
    (at(4, 3, clock="06:00"), 1, at(5, 3, clock="07:30"), "before opening"),
    (at(7, 3, clock="10:00"), 1, at(10, 3, clock="07:30"), "on a Saturday: counts from Monday 07:30"),
    (at(7, 3, clock="10:00"), 0, at(9, 3, clock="07:30"), "on a Saturday, zero days"),
    (at(17, 2, clock="10:00"), 2, at(25, 2, clock="07:30"), "on Tết: counts from Monday 23/2 07:30"),
    (at(2, 3), 30, at(13, 4), "thirty working days"),
]


@pytest.mark.parametrize(("start", "days", "expected", "why"), ADDED_DAYS)
def test_add_working_days(start: datetime, days: int, expected: datetime, why: str) -> None:
    assert add_working_days(start, days) == expected, why


def test_the_result_is_in_vietnam_time_whatever_the_input_zone() -> None:
    start = datetime(2026, 3, 6, 7, 15, tzinfo=UTC)  # Friday 14:15 in Hanoi
    result = add_working_days(start, 1)
    assert result == at(9, 3, clock="14:15")
    assert result.utcoffset() == timedelta(hours=7)
    assert (result.hour, result.minute) == (14, 15)


@pytest.mark.parametrize("call", [
    lambda moment: add_working_days(moment, 1),
    lambda moment: add_working_time(moment, HOUR),
    next_working_start,
    lambda moment: working_time_between(moment, moment),
])
def test_a_naive_moment_is_refused(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="timezone-aware"):
        call(datetime(2026, 3, 6, 9, 0))


def test_negative_days_and_durations_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(at(6, 3), -1)
    with pytest.raises(ValueError):
        add_working_time(at(6, 3), -HOUR)


# --- overrides ----------------------------------------------------------------------------------

def test_a_working_saturday_override_is_counted() -> None:
    calendar = Calendar(overrides=[Override(date(2026, 3, 7), DayKind.WORKING_DAY, "làm bù")])
    assert calendar.is_working_day(date(2026, 3, 7))
    assert calendar.add_working_days(at(6, 3), 1) == at(7, 3)
    assert calendar.add_working_days(at(6, 3), 2) == at(9, 3)
    assert calendar.next_working_start(at(7, 3, clock="10:00")) == at(7, 3, clock="10:00")
    assert not is_working_day(date(2026, 3, 7))  # the national calendar is untouched


def test_a_day_off_override_is_skipped() -> None:
    calendar = Calendar(overrides=[Override(date(2026, 3, 9), DayKind.DAY_OFF, "bầu cử")])
    assert calendar.add_working_days(at(6, 3), 1) == at(10, 3)
    assert calendar.working_days_between(date(2026, 3, 6), date(2026, 3, 10)) == 1


def test_an_override_wins_over_a_national_holiday() -> None:
    calendar = Calendar(overrides=[Override(date(2026, 4, 27), "working_day", "trực")])  # type: ignore[arg-type]
    assert calendar.is_working_day(date(2026, 4, 27))
    assert calendar.add_working_days(at(24, 4), 1) == at(27, 4)


def test_an_override_across_new_year_counts_in_its_own_year() -> None:
    calendar = Calendar(overrides=[Override(date(2026, 1, 2), DayKind.DAY_OFF, "")])
    assert calendar.add_working_days(at(31, 12, 2025), 1) == at(5, 1)


def test_two_overrides_of_one_day_are_refused() -> None:
    with pytest.raises(ValueError, match="2026-03-07"):
        Calendar(overrides=[Override(date(2026, 3, 7), DayKind.WORKING_DAY),
                            Override(date(2026, 3, 7), DayKind.DAY_OFF)])


def test_an_unknown_override_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        Override(date(2026, 3, 7), "holiday")  # type: ignore[arg-type]


def test_calendars_with_the_same_overrides_are_equal_and_hashable() -> None:
    one = Calendar(overrides=[Override(date(2026, 3, 7), DayKind.WORKING_DAY, "a")])
    two = Calendar(overrides=(Override(date(2026, 3, 7), DayKind.WORKING_DAY, "a"),))
    assert one == two and hash(one) == hash(two)
    assert Calendar() == NATIONAL


# --- working hours and working time -------------------------------------------------------------

def test_default_working_hours() -> None:
    hours = WorkingHours()
    assert hours.periods == ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
    assert hours.per_day == timedelta(hours=7, minutes=30)
    assert WorkingHours.parse("07:30-11:30, 13:30-17:00") == hours


@pytest.mark.parametrize("periods", [
    [], [(time(9), time(8))], [(time(8), time(12)), (time(11), time(17))],
    [(time(13), time(17)), (time(8), time(12))],
])
def test_bad_working_hours_are_refused(periods) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        WorkingHours(periods)


@pytest.mark.parametrize("text", ["", "07:30", "7h30-11h30", "07:30-11:30-12:00"])
def test_unreadable_working_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="07:30-11:30"):
        WorkingHours.parse(text)


def test_other_working_hours_move_the_lunch_break() -> None:
    calendar = Calendar(hours=WorkingHours.parse("08:00-12:00,13:00-17:00"))
    assert calendar.add_working_days(at(4, 3, clock="12:30"), 1) == at(5, 3, clock="13:00")
    assert calendar.add_working_days(at(4, 3, clock="07:45"), 0) == at(4, 3, clock="08:00")
    assert calendar.add_working_time(at(4, 3, clock="08:00"), 8 * HOUR) == at(4, 3, clock="17:00")


ADDED_TIME = [
    (at(4, 3, clock="07:30"), 4 * HOUR, at(4, 3, clock="11:30"), "ends at the end of the morning"),
    (at(4, 3, clock="07:30"), 4 * HOUR + timedelta(microseconds=1),
     at(4, 3, clock="13:30") + timedelta(microseconds=1), "one microsecond more is after lunch"),
    (at(4, 3, clock="11:00"), HOUR, at(4, 3, clock="14:00"), "over lunch"),
    (at(4, 3, clock="12:00"), HOUR, at(4, 3, clock="14:30"), "from lunch"),
    (at(4, 3, clock="16:00"), 2 * HOUR, at(5, 3, clock="08:30"), "over the night"),
    (at(4, 3, clock="16:00"), HOUR, at(4, 3, clock="17:00"), "ends exactly at closing"),
    (at(5, 3, clock="17:00"), timedelta(), at(6, 3, clock="07:30"), "zero from closing is the next opening"),
    (at(13, 2, clock="16:00"), timedelta(hours=7, minutes=30), at(23, 2, clock="16:00"), "one working day over Tết"),
    (at(6, 3, clock="07:30"), timedelta(hours=7, minutes=30), at(6, 3, clock="17:00"), "a whole Friday"),
]


@pytest.mark.parametrize(("start", "duration", "expected", "why"), ADDED_TIME)
def test_add_working_time(start: datetime, duration: timedelta, expected: datetime, why: str) -> None:
    assert add_working_time(start, duration) == expected, why


TIME_BETWEEN = [
    (at(9, 3, clock="09:00"), at(9, 3, clock="10:00"), HOUR, "inside the morning"),
    (at(9, 3, clock="11:00"), at(9, 3, clock="14:00"), HOUR, "over lunch"),
    (at(6, 3, clock="16:00"), at(9, 3, clock="08:00"), timedelta(hours=1, minutes=30), "over a weekend"),
    (at(7, 3, clock="09:00"), at(8, 3, clock="09:00"), timedelta(), "inside a weekend"),
    (at(9, 3, clock="10:00"), at(9, 3, clock="09:00"), -HOUR, "backwards"),
    (at(13, 2, clock="09:30"), at(23, 2, clock="09:30"), timedelta(hours=7, minutes=30), "over Tết"),
    (at(9, 3, clock="18:00"), at(10, 3, clock="07:00"), timedelta(), "between closing and opening"),
]


@pytest.mark.parametrize(("start", "end", "expected", "why"), TIME_BETWEEN)
def test_working_time_between(start: datetime, end: datetime, expected: timedelta, why: str) -> None:
    assert working_time_between(start, end) == expected, why


DAYS_BETWEEN = [
    (date(2026, 2, 13), date(2026, 2, 23), 1, "over Tết 2026"),
    (date(2026, 3, 9), date(2026, 3, 9), 0, "the same day"),
    (date(2026, 3, 9), date(2026, 3, 6), -1, "backwards"),
    (date(2025, 12, 31), date(2026, 1, 2), 1, "over New Year"),
    (date(2026, 3, 7), date(2026, 3, 9), 1, "from a Saturday"),
    (date(2024, 12, 31), date(2027, 1, 1), 250 + 249, "two whole years"),
]


@pytest.mark.parametrize(("start", "end", "expected", "why"), DAYS_BETWEEN)
def test_working_days_between(start: date, end: date, expected: int, why: str) -> None:
    assert working_days_between(start, end) == expected, why


def test_non_working_days_of_a_year_include_weekends_and_holidays() -> None:
    off = NATIONAL.non_working_days(2026)
    assert date(2026, 2, 17) in off and date(2026, 3, 7) in off
    assert len(off) == 365 - 249


def test_every_day_agrees_with_the_package_including_swapped_saturdays() -> None:
    package = holidays.country_holidays("VN", years=range(2009, 2032))
    day = date(2010, 1, 1)
    while day.year < 2031:
        assert is_working_day(day) == package.is_working_day(day), day
        day += timedelta(days=1)


# --- properties ---------------------------------------------------------------------------------

FIRST, LAST = date(2024, 1, 1), date(2027, 12, 31)
ZONES = st.sampled_from([TZ, UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")])
days = st.dates(FIRST, LAST)
moments = st.datetimes(datetime(2024, 1, 1), datetime(2027, 12, 31), timezones=ZONES, allow_imaginary=False)
counts = st.integers(0, 60)
durations = st.timedeltas(timedelta(), timedelta(days=20))
overrides = st.lists(st.builds(Override, st.dates(date(2025, 12, 1), date(2026, 12, 31)), st.sampled_from(DayKind)),
                     max_size=30, unique_by=lambda o: o.day)
calendars = st.one_of(st.just(NATIONAL), overrides.map(lambda found: Calendar(overrides=found)))


def periods_on(calendar: Calendar, day: date) -> list[tuple[datetime, datetime]]:
    return [(datetime.combine(day, a, tzinfo=TZ), datetime.combine(day, b, tzinfo=TZ))
            for a, b in calendar.hours.periods]


@st.composite
def working_moments(draw: st.DrawFn, calendar: Calendar = NATIONAL) -> datetime:
    """A moment inside working hours on a working day, drawn evenly over the working time."""
    day = draw(days)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    offset = timedelta(microseconds=draw(st.integers(0, calendar.hours.per_day // timedelta(microseconds=1) - 1)))
    for start, end in periods_on(calendar, day):
        if offset < end - start:
            return start + offset
        offset -= end - start
    raise AssertionError("offset beyond the working day")


def in_working_hours(calendar: Calendar, moment: datetime) -> bool:
    local = moment.astimezone(TZ)
    return calendar.is_working_day(local.date()) and any(a <= local < b for a, b in periods_on(calendar, local.date()))


def reference_clock_start(calendar: Calendar, moment: datetime) -> datetime:
    local, day = moment.astimezone(TZ), moment.astimezone(TZ).date()
    while True:
        if calendar.is_working_day(day):
            for start, end in periods_on(calendar, day):
                if local < end:
                    return max(local, start)
        day += timedelta(days=1)


def reference_add_working_days(calendar: Calendar, start: datetime, n: int) -> datetime:
    begin = reference_clock_start(calendar, start)
    day = begin.date()
    for _ in range(n):
        day += timedelta(days=1)
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
    return datetime.combine(day, begin.timetz())


def reference_working_time(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    total, day = timedelta(), start.astimezone(TZ).date()
    while day <= end.astimezone(TZ).date():
        if calendar.is_working_day(day):
            for a, b in periods_on(calendar, day):
                total += max(timedelta(), min(b, end) - max(a, start))
        day += timedelta(days=1)
    return total


@given(calendars, moments, counts)
def test_add_working_days_matches_counting_day_by_day(calendar: Calendar, start: datetime, n: int) -> None:
    assert calendar.add_working_days(start, n) == reference_add_working_days(calendar, start, n)


@given(calendars, moments, counts)
def test_add_working_days_lands_inside_working_hours_never_before_start(
        calendar: Calendar, start: datetime, n: int) -> None:
    result = calendar.add_working_days(start, n)
    assert in_working_hours(calendar, result)
    assert result >= start
    assert result.utcoffset() == timedelta(hours=7)


@given(st.data(), calendars, counts)
def test_inside_working_hours_the_clock_time_is_kept(data: st.DataObject, calendar: Calendar, n: int) -> None:
    start = data.draw(working_moments(calendar))
    result = calendar.add_working_days(start, n)
    assert result.timetz() == start.timetz()
    assert calendar.next_working_start(start) == start


@given(moments, counts, counts)
def test_add_working_days_grows_with_the_days(start: datetime, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert add_working_days(start, low) <= add_working_days(start, high)
    if low < high:
        assert add_working_days(start, low) < add_working_days(start, high)


@given(moments, moments, counts)
def test_add_working_days_grows_with_the_start(one: datetime, two: datetime, n: int) -> None:
    early, late = sorted((one, two))
    assert add_working_days(early, n) <= add_working_days(late, n)


@given(st.data(), calendars, counts, counts)
def test_adding_days_in_two_steps_is_adding_them_at_once(
        data: st.DataObject, calendar: Calendar, a: int, b: int) -> None:
    start = data.draw(working_moments(calendar))
    assert calendar.add_working_days(calendar.add_working_days(start, a), b) == calendar.add_working_days(start, a + b)


@given(calendars, moments, counts)
def test_working_days_between_inverts_add_working_days(calendar: Calendar, start: datetime, n: int) -> None:
    begin = calendar.next_working_start(start)
    assert calendar.working_days_between(begin.date(), calendar.add_working_days(start, n).date()) == n


@given(calendars, days, days)
def test_working_days_between_counts_the_working_days_after_start(calendar: Calendar, a: date, b: date) -> None:
    low, high = sorted((a, b))
    count = sum(calendar.is_working_day(low + timedelta(days=i)) for i in range(1, (high - low).days + 1))
    assert calendar.working_days_between(low, high) == count
    assert calendar.working_days_between(high, low) == -count


@given(calendars, moments, durations)
def test_working_time_between_inverts_add_working_time(calendar: Calendar, start: datetime, span: timedelta) -> None:
    end = calendar.add_working_time(start, span)
    assert calendar.working_time_between(start, end) == span
    assert end >= start


@given(moments, durations, durations)
def test_add_working_time_grows_with_the_duration(start: datetime, a: timedelta, b: timedelta) -> None:
    low, high = sorted((a, b))
    assert add_working_time(start, low) <= add_working_time(start, high)


@given(moments, durations)
def test_add_working_time_ends_on_a_working_day_inside_or_at_the_end_of_a_period(
        start: datetime, span: timedelta) -> None:
    end = add_working_time(start, span)
    periods = periods_on(NATIONAL, end.date())
    assert is_working_day(end.date())
    assert any(a <= end <= b for a, b in periods)


@given(calendars, moments, st.timedeltas(timedelta(), timedelta(days=45)))
def test_working_time_between_matches_summing_the_periods(calendar: Calendar, start: datetime,
                                                          length: timedelta) -> None:
    end = start + length
    assert calendar.working_time_between(start, end) == reference_working_time(calendar, start, end)


@given(moments, moments, moments)
def test_working_time_between_adds_up_and_changes_sign(a: datetime, b: datetime, c: datetime) -> None:
    assert working_time_between(a, c) == working_time_between(a, b) + working_time_between(b, c)
    assert working_time_between(a, b) == -working_time_between(b, a)


@given(calendars, moments, counts)
def test_a_working_day_holds_one_day_of_working_time(calendar: Calendar, start: datetime, n: int) -> None:
    end = calendar.add_working_days(start, n)
    assert calendar.working_time_between(start, end) == n * calendar.hours.per_day


@given(overrides, days)
def test_overrides_decide_their_days_and_leave_the_others_national(found: list[Override], day: date) -> None:
    calendar = Calendar(overrides=found)
    for override in found:
        assert calendar.is_working_day(override.day) == (override.kind is DayKind.WORKING_DAY)
    if day not in {o.day for o in found}:
        assert calendar.is_working_day(day) == is_working_day(day)


@given(overrides, moments, counts)
def test_no_deadline_falls_on_a_day_off_override(found: list[Override], start: datetime, n: int) -> None:
    result = Calendar(overrides=found).add_working_days(start, n)
    assert result.date() not in {o.day for o in found if o.kind is DayKind.DAY_OFF}
