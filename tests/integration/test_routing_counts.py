"""Routing's counts of open dossiers, on the session's MongoDB-wire server (FerretDB unless MONGO_URL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from motcua import store
from routing.repository import ALARMS_PER_BUCKET, Repository
from routing.service import DECIDED, IN_PROGRESS

pytestmark = pytest.mark.stack
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def test_open_dossiers_are_counted_per_agency_with_those_past_their_deadline(stack, prefix):  # type: ignore[no-untyped-def]
    mongo = store.connect(stack.mongo_url, "motcua-tests")
    try:
        repo = Repository(mongo[f"{prefix}_motcua_routing"])
        for sub, agency in (("cv-1", "000.00.12.H56"), ("cv-2", "000.00.12.H56"), ("cv-3", "000.01.31.H56")):
            repo.save_officer({"sub": sub, "agency": agency, "department": "tu-phap", "roles": ["officer"]})
        dossiers = [("A-1", "000.00.12.H56", IN_PROGRESS, -timedelta(days=2)),
                    ("A-2", "000.00.12.H56", IN_PROGRESS, timedelta(hours=1)),
                    ("A-3", "000.00.12.H56", DECIDED, -timedelta(days=5)),
                    ("B-1", "000.02.07.H56", IN_PROGRESS, -timedelta(seconds=1))]
        for code, agency, status, due_in in dossiers:
            repo.insert_dossier({"_id": code, "agency_id": agency, "status": status, "appointment_at": NOW + due_in})

        assert repo.list_agencies() == ["000.00.12.H56", "000.01.31.H56"]
        assert repo.count_by_agency(IN_PROGRESS, NOW) == {"000.00.12.H56": (2, 1), "000.02.07.H56": (1, 1)}
        assert repo.count_by_agency(IN_PROGRESS, NOW - timedelta(days=3)) == {"000.00.12.H56": (2, 0),
                                                                            "000.02.07.H56": (1, 0)}
    finally:
        mongo.close()


def test_a_busy_minute_is_a_chain_of_small_alarm_buckets_that_two_writers_fill_without_losing_one(stack, prefix):  # type: ignore[no-untyped-def]
    mongo = store.connect(stack.mongo_url, "motcua-tests")
    try:
        db = mongo[f"{prefix}_motcua_routing"]
        writers = [Repository(db), Repository(db)]  # two pods, each with its own idea of the open bucket
        minute = "2026-03-02T03:00"
        appended = [{"code": f"D-{i}", "kind": "overdue"} for i in range(300)]
        for i in range(0, len(appended), 3):
            writers[i % 2].add_alarms(minute, appended[i:i + 3])

        buckets = list(db["alarms"].find({}, {"count": 1, "items": 1}))
        assert all(len(b["items"]) == b["count"] <= ALARMS_PER_BUCKET for b in buckets)
        assert sorted(b["_id"] for b in buckets) == sorted(f"{minute}#{n}" for n in range(len(buckets)))
        assert len(buckets) <= len(appended) // (ALARMS_PER_BUCKET - 3) + 1
        assert sorted(a["code"] for a in writers[1].get_alarms(minute)) == sorted(a["code"] for a in appended)
        assert writers[0].get_alarms("2026-03-02T03:01") == []

        writers[0].drop_alarms(minute)
        assert writers[1].get_alarms(minute) == [] and db["alarms"].count_documents({}) == 0
    finally:
        mongo.close()
