"""Routing's repository on the session's MongoDB-wire server (FerretDB unless MONGO_URL): counts, alarms, workflows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import json_util
from motcua import store
from pymongo import MongoClient, monitoring
from routing.queues import PARTS, Queues, part_for
from routing.repository import ENTRIES_PER_BUCKET, Repository
from routing.scheduler import Alarms, alarm_items, minute_of, pack_chain, unpack_chain
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
        appended = [f"D-{i}" for i in range(150)]
        for i in range(0, len(appended), 3):
            writers[i % 2].add_alarms(minute, appended[i:i + 3])

        buckets = list(db["alarms"].find({}, {"count": 1, "items": 1}))
        assert all(len(b["items"]) == b["count"] <= ENTRIES_PER_BUCKET for b in buckets)
        assert sorted(b["_id"] for b in buckets) == sorted(f"{minute}#{n}" for n in range(len(buckets)))
        assert len(buckets) <= len(appended) // (ENTRIES_PER_BUCKET - 3) + 1
        assert sorted(writers[1].get_alarms(minute)) == sorted(appended)
        assert writers[0].get_alarms("2026-03-02T03:01") == []

        writers[0].drop_alarms(minute)
        assert writers[1].get_alarms(minute) == [] and db["alarms"].count_documents({}) == 0
    finally:
        mongo.close()


def test_a_chain_keeps_its_dates_and_buckets_written_before_chains_are_read_as_chains_of_one(stack, prefix):  # type: ignore[no-untyped-def]
    mongo = store.connect(stack.mongo_url, "motcua-tests")
    try:
        db = mongo[f"{prefix}_motcua_routing"]
        repo = Repository(db)
        chain = alarm_items(watched(), NOW, timedelta(hours=1))
        repo.add_alarms("2026-03-02T03:00", [pack_chain(chain)])
        alarm = {"code": "D-1", "kind": "overdue", "due_at": NOW, "fire_at": NOW - timedelta(hours=4), "step": ""}
        db["alarms"].insert_many([{"_id": "2026-03-02T03:01#0", "items": [alarm], "count": 1},  # one alarm a document
                                  {"_id": "2026-03-02T03:02#0", "items": [json_util.dumps(alarm)], "count": 1}])
        (stored,) = repo.get_alarms("2026-03-02T03:00")
        assert isinstance(stored, str) and unpack_chain(stored) == chain
        assert all(item["due_at"].tzinfo is not None for item in unpack_chain(stored))
        for minute in ("2026-03-02T03:01", "2026-03-02T03:02"):
            (found,) = repo.get_alarms(minute)
            assert unpack_chain(found) == [alarm]
    finally:
        mongo.close()


def watched() -> dict[str, object]:
    """A dossier in progress: its step due in 2 hours, its appointment in 4."""
    return {"_id": "D-1", "status": IN_PROGRESS, "agency_id": "A", "appointment_at": NOW + timedelta(hours=4),
            "fired": [], "task": {"task_id": "t1", "due_at": NOW + timedelta(hours=2), "department": "tu-phap",
                                  "step": "tham-dinh", "assignee": "cv-1"}}


def test_a_dossiers_alarms_fire_in_order_from_one_chain_that_drops_what_no_longer_watches_the_dossier(stack, prefix):  # type: ignore[no-untyped-def]
    with MongoClient(stack.mongo_url, tz_aware=True) as mongo:
        db = mongo[f"{prefix}_motcua_routing"]
        repo, clock = Repository(db), [NOW]
        alarms = Alarms(repo=repo, kick=lambda *_: None, warning=timedelta(hours=1), clock=lambda: clock[0])

        def tick_at(hours: int) -> int:
            clock[0] = NOW + timedelta(hours=hours, seconds=5)
            return alarms.tick()

        def waiting() -> list[tuple[str, str, str]]:
            """The alarms in the buckets of the minutes to come."""
            return sorted((item["scope"], item["kind"], item["task_id"])
                          for bucket in db["alarms"].find() if bucket["_id"].split("#")[0] > minute_of(clock[0])
                          for stored in bucket["items"] for item in unpack_chain(stored))

        dossier = watched()
        repo.insert_dossier(dossier)
        alarms.schedule(dossier, NOW)
        # One append: the four alarms together, under the minute of the first (the step's due soon, in 1 hour).
        assert [b["_id"] for b in db["alarms"].find()] == [f"{minute_of(NOW + timedelta(hours=1))}#0"]

        assert tick_at(1) == 1
        assert waiting() == [("dossier", "due_soon", "t1"), ("dossier", "overdue", "t1"), ("step", "overdue", "t1")]
        # The task moves on: a new chain watches the new step and the same appointment.
        moved = {**dossier, "task": {**dossier["task"], "task_id": "t2", "due_at": NOW + timedelta(hours=5)}}
        db["dossiers"].update_one({"_id": "D-1"}, {"$set": {"task": moved["task"]}})
        alarms.schedule(moved, NOW + timedelta(hours=1))

        assert tick_at(2) == 0  # the first step's overdue no longer watches; the appointment's go on
        assert waiting() == [("dossier", "due_soon", "t1"), ("dossier", "due_soon", "t2"), ("dossier", "overdue", "t1"),
                             ("dossier", "overdue", "t2"), ("step", "due_soon", "t2"), ("step", "overdue", "t2")]
        assert tick_at(3) == 1  # the appointment's due soon, from either chain, once
        db["dossiers"].update_one({"_id": "D-1"}, {"$set": {"status": DECIDED}})
        assert tick_at(4) == 0
        assert waiting() == []  # the dossier is decided: what was left of both chains is dropped
        fired = db["dossiers"].find_one({"_id": "D-1"})["fired"]
        assert [key.split(":")[:3] for key in fired] == [["due_soon", "step", "t1"], ["due_soon", "dossier", "dossier"]]
        assert waiting() == []


def test_a_dossier_takes_its_procedure_versions_workflow_before_the_named_one_in_one_read(stack, prefix):  # type: ignore[no-untyped-def]
    mongo = store.connect(stack.mongo_url, "motcua-tests")
    try:
        repo = Repository(mongo[f"{prefix}_motcua_routing"])
        for workflow_id in ("standard", "1.001193@2"):
            repo.seed_workflow({"_id": workflow_id, "name": workflow_id, "steps": []}, NOW)
        assert repo.first_workflow(["1.001193@2", "standard"])["_id"] == "1.001193@2"
        assert repo.first_workflow(["1.001193@3", "standard"])["_id"] == "standard"
        assert repo.first_workflow(["1.001193@3", "missing"]) is None
    finally:
        mongo.close()


class Writes(monitoring.CommandListener):
    """The update commands a client sends, by collection."""

    def __init__(self) -> None:
        self.updates: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "update":
            self.updates.append(event.command["update"])

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def queued(code: str, task: dict[str, object]) -> dict[str, object]:
    return {"_id": code, "status": IN_PROGRESS, "procedure_code": "1.001193", "procedure_name": "",
            "applicant_name": "", "appointment_at": NOW + timedelta(days=3),
            "task": {"step": "tham-dinh", "step_name": "", "role": "officer", "agency": "A", "department": "tu-phap",
                     "assigned_at": NOW, "actions": [], **task}}


def test_a_queue_lists_each_day_once_and_pages_every_task_of_it(stack, prefix):  # type: ignore[no-untyped-def]
    writes = Writes()
    mongo = MongoClient(stack.mongo_url, event_listeners=[writes])
    try:
        queues = Queues(mongo[f"{prefix}_motcua_routing"]["queues"])
        for n in range(3):
            queues.put(queued(f"D-{n}", {"task_id": f"t{n}", "due_at": NOW + timedelta(hours=n), "assignee": "cv-1"}))
        # Three bucket writes, and the day put on the owner's list once.
        assert writes.updates == ["queues"] * 4
        page = queues.page(["cv-1"], lambda _: True, None, 10)
        assert [e["code"] for e in page] == ["D-0", "D-1", "D-2"]
    finally:
        mongo.close()


def test_a_day_is_kept_in_parts_that_a_page_reads_in_due_order_and_a_task_without_a_part_stays_in_the_first(
        stack, prefix):  # type: ignore[no-untyped-def]
    with MongoClient(stack.mongo_url) as mongo:
        collection = mongo[f"{prefix}_motcua_routing"]["queues"]
        queues = Queues(collection)
        tasks = [{"task_id": f"t{n}", "due_at": NOW + timedelta(minutes=n), "assignee": "cv-2",
                  "queue_part": part_for(f"t{n}")} for n in range(40)]
        # As a task was stored before days had parts: it is shown from, and dropped from, the day's first document.
        tasks.append({"task_id": "old", "due_at": NOW + timedelta(minutes=99), "assignee": "cv-2"})
        for n, task in enumerate(tasks):
            queues.put(queued(f"D-{n:02d}", task))

        parts = {doc["_id"]: len(doc["tasks"]) for doc in collection.find({"_id": {"$regex": "^cv-2\\|2026"}})}
        assert sorted(parts) == [f"cv-2|{NOW.date()}"] + [f"cv-2|{NOW.date()}#{k}" for k in range(1, PARTS)]
        assert sum(parts.values()) == len(tasks) and max(parts.values()) < len(tasks) // 2
        assert "old" in collection.find_one({"_id": f"cv-2|{NOW.date()}"})["tasks"]

        first = queues.page(["cv-2"], lambda _: True, None, 25)
        rest = queues.page(["cv-2"], lambda _: True, (first[-1]["due_at"], first[-1]["code"]), 25)
        assert [e["task_id"] for e in first + rest] == [t["task_id"] for t in tasks]

        for task in (tasks[0], tasks[-1]):
            queues.drop(task)
        assert [e["task_id"] for e in queues.page(["cv-2"], lambda _: True, None, 50)] == [
            t["task_id"] for t in tasks[1:-1]]
