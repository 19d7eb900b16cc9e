from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from motcua.calendar import TZ, add_working_days, is_working_day

VN_2026 = holidays.country_holidays("VN", years=2026)


def at(day: int, month: int, year: int = 2026, hour: int = 9, minute: int = 30) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def test_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 3, 7))   # Saturday
    assert not is_working_day(date(2026, 3, 8))   # Sunday
    assert is_working_day(date(2026, 3, 9))       # Monday


def test_national_day_is_not_a_working_day():
    assert date(2026, 9, 2) in VN_2026
    assert not is_working_day(date(2026, 9, 2))
    assert not is_working_day(date(2026, 9, 1))   # the adjacent day off


def test_hung_kings_on_a_sunday_gives_the_monday_off():
    assert not is_working_day(date(2026, 4, 27))


def test_friday_plus_one_working_day_is_monday_at_the_same_clock_time():
    friday = at(6, 3, hour=14, minute=15)
    assert add_working_days(friday, 1) == at(9, 3, hour=14, minute=15)


def test_zero_days_keeps_the_start():
    start = at(4, 3)
    assert add_working_days(start, 0) == start


def test_the_result_is_in_vietnam_time_whatever_the_input_zone():
    start = datetime(2026, 3, 6, 7, 15, tzinfo=UTC)  # Friday 14:15 in Hanoi
    result = add_working_days(start, 1)
    assert result == at(9, 3, hour=14, minute=15)
    assert result.utcoffset() == timedelta(hours=7)


def test_tet_2026_follows_the_holidays_calendar():
    tet_days = [d for d in VN_2026 if date(2026, 2, 14) <= d <= date(2026, 2, 22)]
    assert tet_days, "the holidays package lists no Tết days in 2026"
    for offset in range(9):
        day = date(2026, 2, 14) + timedelta(days=offset)
        assert is_working_day(day) == (day.weekday() < 5 and day not in VN_2026), day
    for day in tet_days:
        assert not is_working_day(day)


def test_the_working_day_after_the_friday_before_tet_is_monday_23_february():
    assert add_working_days(at(13, 2), 1) == at(23, 2)


def test_counting_across_tet_skips_every_day_off():
    start = at(13, 2)  # Friday before Tết
    expected = date(2026, 2, 13)
    for _ in range(3):
        expected += timedelta(days=1)
        while expected.weekday() >= 5 or expected in VN_2026:
            expected += timedelta(days=1)
    result = add_working_days(start, 3)
    assert result.date() == expected
    assert result.date() > date(2026, 2, 20)
    assert (result.hour, result.minute) == (9, 30)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError):
        add_working_days(datetime(2026, 3, 6, 9, 0), 1)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(at(6, 3), -1)
