"""Every MongoDB access of intake: procedures, dossiers, daily counters, idempotency keys, attachments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import gridfs
from motcua.store import IndexSpec
from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

INDEXES = {
    "procedures": [IndexSpec([("department", 1)])],
    "dossiers": [IndexSpec([("applicant.phone", 1)])],
    "idempotency": [],
    "attachments": [],
    "counters": [],
}
OUTBOX_COLLECTIONS = ("dossiers",)


class Repository:
    """Intake's collections. Documents are keyed by their natural id (code, key, hash) in `_id`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.procedures = db["procedures"]
        self.dossiers = db["dossiers"]
        self.counters = db["counters"]
        self.idempotency = db["idempotency"]
        self.attachments = db["attachments"]
        self.files = gridfs.GridFS(db, collection="attachment_files")

    # procedures
    def save_procedure(self, procedure: dict[str, Any]) -> None:
        self.procedures.replace_one({"_id": procedure["code"]}, {"_id": procedure["code"], **procedure}, upsert=True)

    def get_procedure(self, code: str) -> dict[str, Any] | None:
        return self.procedures.find_one({"_id": code})

    def list_procedures(self) -> list[dict[str, Any]]:
        return list(self.procedures.find({}).sort("_id", 1))

    # dossiers
    def next_sequence(self, unit: str, day: str) -> int:
        """The next number in a receiving unit's daily sequence (atomic)."""
        doc = self.counters.find_one_and_update(
            {"_id": f"{unit}-{day}"}, {"$inc": {"seq": 1}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        return int(doc["seq"])

    def insert_dossier(self, dossier: dict[str, Any]) -> None:
        self.dossiers.insert_one(dossier)

    def get_dossier(self, code: str) -> dict[str, Any] | None:
        return self.dossiers.find_one({"_id": code}, {"outbox": 0})

    def update_dossier(self, code: str, update: dict[str, Any]) -> bool:
        return self.dossiers.update_one({"_id": code}, update).matched_count == 1

    # idempotency keys
    def claim_key(self, key: str, request_hash: str) -> dict[str, Any] | None:
        """Claim a key for this request; returns the earlier claim if the key was taken."""
        try:
            self.idempotency.insert_one({"_id": key, "hash": request_hash, "code": None, "at": datetime.now(UTC)})
            return None
        except DuplicateKeyError:
            return self.idempotency.find_one({"_id": key})

    def take_over_key(self, key: str, stale_at: datetime) -> bool:
        """Take a claim whose request died before allocating a code."""
        result = self.idempotency.update_one({"_id": key, "code": None, "at": stale_at}, {"$set": {"at": datetime.now(UTC)}})
        return result.modified_count == 1

    def bind_key(self, key: str, code: str) -> None:
        self.idempotency.update_one({"_id": key}, {"$set": {"code": code}})

    # attachments
    def get_attachment(self, sha256: str) -> dict[str, Any] | None:
        return self.attachments.find_one({"_id": sha256})

    def existing_attachments(self, ids: list[str]) -> set[str]:
        return {d["_id"] for d in self.attachments.find({"_id": {"$in": ids}}, {"_id": 1})}

    def save_attachment(self, sha256: str, content: bytes, *, content_type: str, filename: str) -> bool:
        """Store the content once by hash; returns False when it was already there."""
        if self.get_attachment(sha256):
            return False
        file_id = self.files.put(content, filename=filename, content_type=content_type, sha256=sha256)
        try:
            self.attachments.insert_one({
                "_id": sha256, "size": len(content), "content_type": content_type, "filename": filename,
                "file_id": file_id, "created_at": datetime.now(UTC),
            })
        except DuplicateKeyError:
            self.files.delete(file_id)
            return False
        return True
