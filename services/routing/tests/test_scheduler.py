"""The scheduler's alarms: which due times they watch, when they fire, and what makes two of them one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from routing.scheduler import alarm_items, alarm_key

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def dossier(task_id: str, step_due: datetime, appointment: datetime) -> dict:
    return {"_id": "000.01.31.H56-260302-0001", "agency_id": "000.01.31.H56", "appointment_at": appointment,
            "task": {"task_id": task_id, "due_at": step_due, "department": "tu-phap", "step": "tham-dinh",
                     "assignee": "cv-1"}}


def test_each_due_time_gets_a_warning_and_an_overdue_alarm_none_in_the_past() -> None:
    items = alarm_items(dossier("t1", NOW + timedelta(hours=6), NOW - timedelta(days=1)), NOW, timedelta(hours=4))
    fire = {(i["scope"], i["kind"]): i["fire_at"] for i in items}
    assert fire == {("step", "due_soon"): NOW + timedelta(hours=2), ("step", "overdue"): NOW + timedelta(hours=6),
                    ("dossier", "due_soon"): NOW, ("dossier", "overdue"): NOW}
    assert {i["step"] for i in items if i["scope"] == "dossier"} == {""}


def test_the_appointment_alarms_stay_one_when_the_task_moves_on_but_a_new_step_due_time_is_new() -> None:
    appointment = NOW + timedelta(days=3)
    first = alarm_items(dossier("t1", NOW + timedelta(hours=6), appointment), NOW, timedelta(hours=4))
    second = alarm_items(dossier("t2", NOW + timedelta(hours=9), appointment), NOW, timedelta(hours=4))
    keys = {scope: [{alarm_key(i) for i in items if i["scope"] == scope} for items in (first, second)]
            for scope in ("step", "dossier")}
    assert keys["dossier"][0] == keys["dossier"][1]
    assert not keys["step"][0] & keys["step"][1]
