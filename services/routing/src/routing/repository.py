"""Every MongoDB access of routing: officials, workflows, dossiers in process with their task, due alarms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua.store import IndexSpec
from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from routing.gather import Gather

INDEXES = {
    "officers": [IndexSpec([("agency", 1), ("department", 1)])],
    "dossiers": [IndexSpec([("status", 1), ("appointment_at", 1)]), IndexSpec([("agency_id", 1), ("received_at", 1)])],
}
OUTBOX_COLLECTIONS = ("dossiers",)
ENTRIES_PER_BUCKET = 32
OPEN_BUCKETS_REMEMBERED = 10_000


class Repository:
    def __init__(self, db: Database) -> None:
        self.officers = db["officers"]
        self.dossiers = db["dossiers"]
        self.workflows = db["workflows"]
        self.counters = db["counters"]
        self.alarms = db["alarms"]
        self.queues = db["queues"]
        self._open_buckets: dict[str, int] = {}  # minute -> the bucket this process last appended to
        self._alarm_appends = Gather(self._append_alarms)

    # officials
    def save_officer(self, officer: dict[str, Any]) -> None:
        self.officers.update_one({"_id": officer["sub"]},
                                 {"$set": {k: v for k, v in officer.items() if k != "sub"}, "$setOnInsert": {"load": 0}},
                                 upsert=True)

    def get_officer(self, sub: str) -> dict[str, Any] | None:
        return self.officers.find_one({"_id": sub})

    def list_officers(self, agency: str, department: str, role: str = "officer") -> list[dict[str, Any]]:
        return list(self.officers.find({"agency": agency, "department": department, "roles": role}))

    def list_agencies(self) -> list[str]:
        """The agencies that have officials on the roster."""
        return sorted(self.officers.distinct("agency"))

    def set_leave(self, sub: str, leave: list[dict[str, str]]) -> dict[str, Any] | None:
        if self.officers.update_one({"_id": sub}, {"$set": {"leave": leave}}).matched_count != 1:
            return None
        return self.get_officer(sub)

    def change_load(self, sub: str, weight: float) -> None:
        if sub:
            self.officers.update_one({"_id": sub}, {"$inc": {"load": weight}})

    def next_turn(self, pool: str) -> int:
        """The next number of a round-robin pool, one per call across every replica."""
        found = self.counters.find_one_and_update({"_id": pool}, {"$inc": {"turn": 1}}, upsert=True,
                                                  return_document=ReturnDocument.AFTER)
        return int(found["turn"])

    # workflows
    def save_workflow(self, workflow: dict[str, Any], actor: str, at: datetime) -> dict[str, Any]:
        fields = {k: v for k, v in workflow.items() if k != "_id"}
        return self.workflows.find_one_and_update(
            {"_id": workflow["_id"]}, {"$set": {**fields, "updated_by": actor, "updated_at": at}, "$inc": {"version": 1}},
            upsert=True, return_document=ReturnDocument.AFTER)

    def seed_workflow(self, workflow: dict[str, Any], at: datetime) -> None:
        """Insert a shipped workflow unless an administrator already saved one under its id."""
        fields = {k: v for k, v in workflow.items() if k != "_id"}
        self.workflows.update_one({"_id": workflow["_id"]},
                                  {"$setOnInsert": {**fields, "version": 1, "updated_by": "seed", "updated_at": at}},
                                  upsert=True)

    def get_workflow(self, workflow_id: str) -> dict[str, Any] | None:
        return self.workflows.find_one({"_id": workflow_id})

    def first_workflow(self, ids: list[str]) -> dict[str, Any] | None:
        """The first of these workflows that exists, in one read (the collection holds a few dozen)."""
        found = {w["_id"]: w for w in self.workflows.find({"_id": {"$in": ids}})}
        return next((found[i] for i in ids if i in found), None)

    def list_workflows(self) -> list[dict[str, Any]]:
        return list(self.workflows.find().sort("_id", ASCENDING))

    # dossiers
    def insert_dossier(self, dossier: dict[str, Any]) -> bool:
        """Insert once; False when the dossier was already opened (a redelivered event)."""
        try:
            self.dossiers.insert_one(dossier)
            return True
        except DuplicateKeyError:
            return False

    def get_dossier(self, code: str) -> dict[str, Any] | None:
        return self.dossiers.find_one({"_id": code}, {"outbox": 0})

    def list_dossiers(self, query: dict[str, Any], fields: dict[str, int]) -> list[dict[str, Any]]:
        return list(self.dossiers.find(query, fields))

    def update_task(self, code: str, task_id: str, update: dict[str, Any],
                    condition: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """Apply an update only while the dossier's task is still task_id; the dossier after it, or None."""
        return self.update_dossier(code, {"task.task_id": task_id, **(condition or {})}, update)

    def update_dossier(self, code: str, condition: dict[str, Any], update: dict[str, Any]) -> dict[str, Any] | None:
        """Apply an update only if the dossier still matches condition; the dossier after it, or None.

        FerretDB's findAndModify takes no projection, and the outbox stays out of what callers read, so the
        dossier is read again after an update that applied.
        """
        if not self.claim(code, condition, update):
            return None
        return self.get_dossier(code)

    def count_by_agency(self, status: int, due_before: datetime) -> dict[str, tuple[int, int]]:
        """Agency -> (dossiers in this status, those of them whose appointment was before the given time)."""
        every = self._count_by_agency({"status": status})
        late = self._count_by_agency({"status": status, "appointment_at": {"$lt": due_before}})
        return {agency: (count, late.get(agency, 0)) for agency, count in every.items()}

    def _count_by_agency(self, match: dict[str, Any]) -> dict[str, int]:
        rows = self.dossiers.aggregate([{"$match": match}, {"$group": {"_id": "$agency_id", "count": {"$sum": 1}}}])
        return {row["_id"]: row["count"] for row in rows}

    # alarms: entries in buckets of one minute, each minute a chain of small documents read by _id
    def add_alarms(self, minute: str, entries: list[str]) -> None:
        """Append to the minute's open bucket, together with the entries other threads add to that minute."""
        self._alarm_appends.add(minute, entries)

    def _append_alarms(self, minute: str, entries: list[str]) -> None:
        for start in range(0, len(entries), ENTRIES_PER_BUCKET):
            self._append_to_bucket(minute, entries[start:start + ENTRIES_PER_BUCKET])

    def _append_to_bucket(self, minute: str, entries: list[str]) -> None:
        """Append to the minute's open bucket (`<minute>#<n>`), or start the next one when it is full.

        A bucket holds at most ENTRIES_PER_BUCKET entries, so an append rewrites a small document however many
        alarms fall in that minute (FerretDB 1.x rewrites a whole document on every update). Bucket n + 1 is
        created only after n was found full, so the chain has no gaps and a reader stops at the first missing.
        """
        n = self._open_buckets.get(minute, 0)
        while True:
            try:
                self.alarms.update_one({"_id": f"{minute}#{n}", "count": {"$lte": ENTRIES_PER_BUCKET - len(entries)}},
                                       {"$push": {"items": {"$each": entries}}, "$inc": {"count": len(entries)}},
                                       upsert=True)
                break
            except DuplicateKeyError:
                n += 1
        if len(self._open_buckets) >= OPEN_BUCKETS_REMEMBERED:
            self._open_buckets.clear()
        self._open_buckets[minute] = n

    def get_alarms(self, minute: str) -> list[Any]:
        """The minute's entries as stored, in the order they were appended."""
        entries: list[Any] = []
        n = 0
        while (found := self.alarms.find_one({"_id": f"{minute}#{n}"}, {"items": 1})) is not None:
            entries.extend(found["items"])
            n += 1
        return entries

    def drop_alarms(self, minute: str) -> None:
        n = 0
        while self.alarms.delete_one({"_id": f"{minute}#{n}"}).deleted_count:
            n += 1

    def get_cursor(self) -> datetime | None:
        found = self.counters.find_one({"_id": "scheduler-cursor"})
        return found["at"] if found else None

    def advance_cursor(self, seen: datetime | None, at: datetime) -> bool:
        """Move the scheduler's cursor from seen to at; False if another replica moved it first."""
        if seen is None:
            try:
                self.counters.insert_one({"_id": "scheduler-cursor", "at": at})
                return True
            except DuplicateKeyError:
                return False
        return self.counters.update_one({"_id": "scheduler-cursor", "at": seen},
                                        {"$set": {"at": max(at, seen)}}).modified_count == 1

    def deadline_state(self, code: str) -> dict[str, Any] | None:
        """What decides whether a dossier's alarms still watch it: its status, task, appointment and fired keys."""
        return self.dossiers.find_one({"_id": code}, {"status": 1, "task.task_id": 1, "task.due_at": 1,
                                                      "appointment_at": 1, "fired": 1})

    def claim(self, code: str, condition: dict[str, Any], update: dict[str, Any]) -> bool:
        """Apply an update only if the dossier still matches condition; whether it did."""
        return self.dossiers.update_one({"_id": code, **condition}, update).modified_count == 1
