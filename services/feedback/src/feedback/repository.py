"""Every MongoDB access of feedback. Hot paths read and write by `_id` alone (FerretDB pushes only that down)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from motcua import outbox, store
from motcua.events import Event
from motcua.inbox import INDEX as INBOX_INDEX
from motcua.store import IndexSpec
from pymongo import ReturnDocument, UpdateOne
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

INDEXES: dict[str, list[IndexSpec]] = {
    "ratings": [], "dossiers": [], "kiosks": [], "hits": [], "complaints": [], "counters": [], "counters_members": [],
    "folds": [INBOX_INDEX],  # pruned with the inbox (motcua.platform.Process.retained)
}
OUTBOX_COLLECTIONS = ("ratings", "dossiers", "complaints")


SCORECARD = "counters"


class Repository:
    def __init__(self, db: Database, scorecard: str = SCORECARD) -> None:
        self.dossiers = db["dossiers"]
        self.ratings = db["ratings"]
        self.kiosks = db["kiosks"]
        self.hits = db["hits"]
        self.complaints = db["complaints"]
        # The scorecard: its counters and each dimension's members per period (a rebuild fills another pair).
        self.counters = db[scorecard]
        self.members = db[f"{scorecard}_members"]
        # The position each folded event was first folded from, by event id, and when: kept as long as the inbox.
        self.folds = db["folds"]

    def save_dossier(self, code: str, fields: dict[str, Any], *events: Event) -> None:
        update: dict[str, Any] = {"$set": fields}
        if events:
            update["$push"] = outbox.append(*events)
        self.dossiers.update_one({"_id": code}, update, upsert=True)

    def get_dossier(self, code: str) -> dict[str, Any] | None:
        return self.dossiers.find_one({"_id": code}, {"outbox": 0})

    def insert_rating(self, rating: dict[str, Any]) -> bool:
        try:
            self.ratings.insert_one(rating)
            return True
        except DuplicateKeyError:
            return False

    def get_rating(self, rating_key: str) -> dict[str, Any] | None:
        return self.ratings.find_one({"_id": rating_key}, {"outbox": 0})

    def save_problems(self, rating_key: str, follow_up: str, problems: list[str], complaint_id: str | None) -> bool:
        """Record what went wrong, once, for the holder of the rating's follow-up key."""
        result = self.ratings.update_one(
            {"_id": rating_key, "follow_up": follow_up, "problems": {"$exists": False}},
            {"$set": {"problems": problems, "complaint_id": complaint_id}})
        return result.modified_count == 1

    def get_kiosk(self, counter: str) -> dict[str, Any] | None:
        return self.kiosks.find_one({"_id": counter})

    def open_kiosk_session(self, counter: str, session: dict[str, Any]) -> None:
        self.kiosks.update_one({"_id": counter}, {"$set": {"session": session}}, upsert=True)

    def close_kiosk_session(self, counter: str, session_id: str) -> None:
        self.kiosks.update_one({"_id": counter, "session.id": session_id}, {"$unset": {"session": ""}})

    def hit(self, key: str, at: datetime) -> int:
        """Count one request in a rate-limit window; returns the window's count so far."""
        for _ in range(2):
            try:
                doc = self.hits.find_one_and_update({"_id": key}, {"$inc": {"n": 1}, "$setOnInsert": {"at": at}},
                                                    upsert=True, return_document=ReturnDocument.AFTER)
                return int(doc["n"])
            except DuplicateKeyError:
                continue  # two replicas inserted the window at once; the second try increments it
        raise RuntimeError(f"rate-limit window {key} could not be counted")

    def forget_hits(self, before: datetime) -> int:
        return self.hits.delete_many({"at": {"$lt": before}}).deleted_count

    def insert_complaint(self, complaint: dict[str, Any]) -> None:
        self.complaints.insert_one(complaint)

    def get_complaint(self, complaint_id: str) -> dict[str, Any] | None:
        return self.complaints.find_one({"_id": complaint_id}, {"outbox": 0})

    def update_complaint(self, complaint_id: str, condition: dict[str, Any], fields: dict[str, Any],
                         *events: Event) -> bool:
        """Change a complaint and queue its events in one update, if it is still in the expected state."""
        update: dict[str, Any] = {"$set": fields}
        if events:
            update["$push"] = outbox.append(*events)
        return self.complaints.update_one({"_id": complaint_id, **condition}, update).modified_count == 1

    def list_published_complaints(self, agency: str, limit: int) -> list[dict[str, Any]]:
        return list(self.complaints.find({"agency_id": agency, "published": True}, {"outbox": 0, "key": 0})
                    .sort("answered_at", -1).limit(limit))

    def fold_position(self, event_id: str, mark: str, offset: int) -> tuple[str, int]:
        """Where an event is folded from: its own position, or that of the first copy of it folded before.

        The relay may publish an event twice, and a dead letter comes back at a new offset: every copy
        is folded as the first one was, so the counters' offset marks recognise it. The position is kept
        MOTCUA_INBOX_RETENTION_DAYS, as long as the inbox keeps the event's id (docs/feedback.md).
        """
        if store.insert_once(self.folds, {"_id": event_id, "mark": mark, "offset": offset, "at": datetime.now(UTC)}):
            return mark, offset
        first = self.folds.find_one({"_id": event_id})
        if first is None:
            raise RuntimeError(f"fold of event {event_id} vanished")
        return first["mark"], int(first["offset"])

    def count(self, mark: str, offset: int, counters: list[tuple[str, dict[str, str]]],
              increments: dict[str, int]) -> None:
        """Add one event to each of its counters, unless a counter has folded it already.

        A partition's events are folded in offset order, so a counter that remembers the last offset it
        folded from each partition (`folded.<mark>`) knows every event it has counted. Most events find
        all their counters there, and are added in one round trip; otherwise (a counter's first event, or a
        redelivery) each counter is updated alone, and tells whether it is new.
        """
        field = f"folded.{mark}"
        update = {"$inc": increments, "$set": {field: offset}}
        queries = [{"_id": key, field: {"$not": {"$gte": offset}}} for key, _ in counters]
        if self.counters.bulk_write([UpdateOne(q, update) for q in queries]).matched_count == len(queries):
            return
        for (_, labels), query in zip(counters, queries, strict=True):
            self._count_one(query, {**update, "$setOnInsert": labels}, labels)

    def _count_one(self, query: dict[str, Any], update: dict[str, Any], labels: dict[str, str]) -> None:
        """Add an event to one counter, creating it if need be. The first event of a counter also enters its
        value in the period's member list, so that readers find a dimension's groups by `_id` rather than
        by scanning; a redelivery repeats that step, in case the first delivery stopped between the two."""
        try:
            first = self.counters.update_one(query, update, upsert=True).upserted_id is not None
        except DuplicateKeyError:
            # The counter exists: either it has folded this offset already, or another replica created it a
            # moment ago; the same update without upsert tells which.
            self.counters.update_one(query, update)
            first = True  # make sure the member list has it
        if first:
            self.members.update_one({"_id": f"{labels['dimension']}|{labels['period']}"},
                                    {"$addToSet": {"values": labels["value"]}}, upsert=True)

    def list_members(self, dimension: str, period: str) -> list[str]:
        doc = self.members.find_one({"_id": f"{dimension}|{period}"})
        return sorted((doc or {}).get("values", []))

    def get_counters(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """Counters by `_id`, read one by one (FerretDB answers `$in` on `_id` by scanning)."""
        found = {}
        for key in keys:
            doc = self.counters.find_one({"_id": key}, {"folded": 0})
            if doc is not None:
                found[key] = doc
        return found
