"""Deadlines in working time across Tết 2026 (Sat 14/2 to Sun 22/2 off): exact due times, pauses, timeliness."""

from __future__ import annotations

from datetime import datetime, timedelta

from motcua.calendar import TZ
from routing import deadlines


def vn(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def test_a_step_gets_its_share_of_the_legal_time_counted_over_the_holiday() -> None:
    received, appointment = vn(12, 2, 8), vn(24, 2, 8)  # three working days: Fri 13/2, Mon 23/2, Tue 24/2
    legal = deadlines.legal_time(received, appointment)
    assert legal == timedelta(hours=22, minutes=30)
    # 70 % is 15 h 45 min: Thursday 7 h, Friday 7 h 30, then Monday 23/2 from 07:30
    assert deadlines.step_due(received, legal, 70) == vn(23, 2, 8, 45)


def test_a_supplement_pause_moves_the_appointment_by_the_time_the_citizen_took_not_more() -> None:
    appointment, paused = vn(13, 2, 10), vn(12, 2, 10)  # 7 h 30 of working time left when the clock stopped
    resumed = deadlines.resumed(appointment, paused, vn(13, 2, 16))
    # Friday 16:00-17:00 is one hour; the other 6 h 30 run on Monday 23/2, the first working day after Tết
    assert resumed == vn(23, 2, 16)
    assert deadlines.paused_working_time(paused, vn(13, 2, 16)) == timedelta(hours=11, minutes=30)  # Thu 5 h + Fri 6 h 30


def test_a_pause_after_the_due_time_leaves_it_where_it_was() -> None:
    assert deadlines.resumed(vn(12, 2, 9), vn(12, 2, 10), vn(23, 2, 8)) == vn(12, 2, 9)


def test_timeliness_by_the_national_rule() -> None:
    appointment = vn(24, 2, 8)
    assert deadlines.timeliness(vn(23, 2, 10), appointment) == deadlines.EARLY
    assert deadlines.timeliness(vn(24, 2, 7, 59), appointment) == deadlines.ON_TIME
    assert deadlines.timeliness(vn(24, 2, 8, 1), appointment) == deadlines.LATE
    assert deadlines.timeliness(vn(23, 2, 10), appointment, supplement_requests=2) == deadlines.LATE
