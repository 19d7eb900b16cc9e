"""Every MongoDB access of routing: officials and dossiers in process with their task."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua.store import IndexSpec
from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

INDEXES = {
    "officers": [IndexSpec([("agency", 1), ("department", 1)])],
    "dossiers": [IndexSpec([("task.assignee", 1), ("status", 1), ("task.due_at", 1)])],
}
OUTBOX_COLLECTIONS = ("dossiers",)


class Repository:
    def __init__(self, db: Database) -> None:
        self.officers = db["officers"]
        self.dossiers = db["dossiers"]

    def save_officer(self, officer: dict[str, Any]) -> None:
        self.officers.update_one({"_id": officer["sub"]},
                                 {"$set": {k: v for k, v in officer.items() if k != "sub"}, "$setOnInsert": {"open": 0}},
                                 upsert=True)

    def list_officers(self, agency: str, department: str) -> list[dict[str, Any]]:
        return list(self.officers.find({"agency": agency, "department": department, "roles": "officer"}))

    def list_agencies(self) -> list[str]:
        """The agencies that have officials on the roster."""
        return sorted(self.officers.distinct("agency"))

    def change_open_tasks(self, sub: str, delta: int) -> None:
        self.officers.update_one({"_id": sub}, {"$inc": {"open": delta}})

    def insert_dossier(self, dossier: dict[str, Any]) -> bool:
        """Insert once; False when the dossier was already opened (a redelivered event)."""
        try:
            self.dossiers.insert_one(dossier)
            return True
        except DuplicateKeyError:
            return False

    def get_dossier(self, code: str) -> dict[str, Any] | None:
        return self.dossiers.find_one({"_id": code}, {"outbox": 0})

    def list_queue(self, assignee: str, skip: int, limit: int) -> list[dict[str, Any]]:
        return list(self.dossiers.find({"task.assignee": assignee, "status": 4}, {"outbox": 0})
                    .sort([("task.due_at", ASCENDING), ("_id", ASCENDING)]).skip(skip).limit(limit))

    def decide(self, code: str, expected_status: int, update: dict[str, Any]) -> bool:
        """Apply a decision only if the dossier is still where the caller saw it."""
        return self.dossiers.update_one({"_id": code, "status": expected_status}, update).modified_count == 1

    def count_by_agency(self, status: int, due_before: datetime) -> dict[str, tuple[int, int]]:
        """Agency -> (dossiers in this status, those of them whose task was due before the given time)."""
        every = self._count_by_agency({"status": status})
        late = self._count_by_agency({"status": status, "task.due_at": {"$lt": due_before}})
        return {agency: (count, late.get(agency, 0)) for agency, count in every.items()}

    def _count_by_agency(self, match: dict[str, Any]) -> dict[str, int]:
        rows = self.dossiers.aggregate([{"$match": match}, {"$group": {"_id": "$agency_id", "count": {"$sum": 1}}}])
        return {row["_id"]: row["count"] for row in rows}
