"""Every MongoDB access of feedback: known dossiers, ratings, and the facts the statistics fold."""

from __future__ import annotations

from typing import Any

from motcua.store import IndexSpec
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

INDEXES = {"ratings": [], "dossiers": [], "facts": [IndexSpec([("kind", 1), ("value", 1)])]}
OUTBOX_COLLECTIONS = ("ratings",)


class Repository:
    def __init__(self, db: Database) -> None:
        self.dossiers = db["dossiers"]
        self.ratings = db["ratings"]
        self.facts = db["facts"]

    def save_dossier(self, code: str, fields: dict[str, Any]) -> None:
        self.dossiers.update_one({"_id": code}, {"$set": fields}, upsert=True)

    def get_dossier(self, code: str) -> dict[str, Any] | None:
        return self.dossiers.find_one({"_id": code})

    def insert_rating(self, rating: dict[str, Any]) -> bool:
        try:
            self.ratings.insert_one(rating)
            return True
        except DuplicateKeyError:
            return False

    def add_fact(self, fact_id: str, kind: str, value: str) -> None:
        """Record one folded event (keyed by the event id, so folding twice counts once)."""
        try:
            self.facts.insert_one({"_id": fact_id, "kind": kind, "value": value})
        except DuplicateKeyError:
            pass

    def count_facts(self, kind: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for fact in self.facts.find({"kind": kind}, {"value": 1}):
            counts[fact["value"]] = counts.get(fact["value"], 0) + 1
        return counts
