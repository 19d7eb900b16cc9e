"""Every MongoDB access of intake: the catalog, dossiers, daily counters, idempotency keys, attachments,
citizens' reusable documents and the calendar overrides."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import gridfs
from motcua import calendar
from motcua.store import IndexSpec, exists, insert_once
from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

INDEXES = {
    "agencies": [],
    "procedures": [IndexSpec([("department", 1)])],
    "procedure_versions": [IndexSpec([("code", 1), ("version", 1)], unique=True, name="code_version")],
    "dossiers": [IndexSpec([("owner", 1)])],
    "idempotency": [],
    "attachments": [],
    "citizen_documents": [],
    "counters": [],
    calendar.COLLECTION: calendar.INDEXES,
}
OUTBOX_COLLECTIONS = ("dossiers",)
DUPLICATE_KEY = 11000  # the server's error code for a taken unique key


class Repository:
    """Intake's collections. Documents are keyed by their natural id (code, key, hash) in `_id`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.agencies = db["agencies"]
        self.procedures = db["procedures"]
        self.procedure_versions = db["procedure_versions"]
        self.citizen_documents = db["citizen_documents"]
        self.calendar_overrides = db[calendar.COLLECTION]
        self.dossiers = db["dossiers"]
        self.counters = db["counters"]
        self.idempotency = db["idempotency"]
        self.attachments = db["attachments"]
        self.files = gridfs.GridFS(db, collection="attachment_files")

    # agencies
    def save_agency(self, agency: dict[str, Any]) -> None:
        self.agencies.replace_one({"_id": agency["id"]}, {"_id": agency["id"], **agency}, upsert=True)

    def get_agency(self, agency_id: str) -> dict[str, Any] | None:
        return self.agencies.find_one({"_id": agency_id})

    def list_agencies(self) -> list[dict[str, Any]]:
        return list(self.agencies.find({}).sort("_id", 1))

    # procedures: the current version by code, every version by code@version
    def save_procedure(self, procedure: dict[str, Any]) -> None:
        self.procedures.replace_one({"_id": procedure["code"]}, {"_id": procedure["code"], **procedure}, upsert=True)

    def add_procedure_version(self, procedure: dict[str, Any]) -> bool:
        """Store a new version; False when that version number is taken (a concurrent update)."""
        try:
            self.procedure_versions.insert_one({"_id": f"{procedure['code']}@{procedure['version']}", **procedure})
            return True
        except DuplicateKeyError:
            return False

    def get_procedure(self, code: str) -> dict[str, Any] | None:
        return self.procedures.find_one({"_id": code})

    def get_procedure_version(self, code: str, version: int) -> dict[str, Any] | None:
        return self.procedure_versions.find_one({"_id": f"{code}@{version}"})

    def list_procedures(self) -> list[dict[str, Any]]:
        return list(self.procedures.find({}).sort("_id", 1))

    def list_procedure_versions(self, code: str) -> list[dict[str, Any]]:
        return list(self.procedure_versions.find({"code": code}).sort("version", 1))

    # dossiers
    def next_sequence(self, unit: str, day: str) -> int:
        """The next number in a receiving unit's daily sequence: one atomic `$inc`, unique under concurrency."""
        counter = self.counters.find_one_and_update({"_id": f"{unit}-{day}"}, {"$inc": {"seq": 1}}, upsert=True,
                                                    return_document=ReturnDocument.AFTER)
        return int(counter["seq"])

    def insert_dossier(self, dossier: dict[str, Any]) -> bool:
        """Store a new dossier; False when one with its code exists already."""
        return insert_once(self.dossiers, dossier)

    def get_dossier(self, code: str) -> dict[str, Any] | None:
        return self.dossiers.find_one({"_id": code}, {"outbox": 0})

    def update_dossier(self, code: str, update: dict[str, Any], *, status: int | None = None) -> bool:
        """Apply an update; with status, only if the dossier is still in that status (False otherwise)."""
        query: dict[str, Any] = {"_id": code} if status is None else {"_id": code, "status": status}
        return self.dossiers.update_one(query, update).matched_count == 1

    def list_dossiers_of(self, owner: str, limit: int) -> list[dict[str, Any]]:
        return list(self.dossiers.find({"owner": owner}, {"outbox": 0}).sort("_id", -1).limit(limit))

    # citizens' accepted documents, reusable in later dossiers (the "only once" rule)
    def remember_documents(self, citizen_id: str, documents: list[dict[str, Any]], dossier_code: str) -> None:
        """Record the documents as accepted for the citizen; ones already recorded keep their first dossier."""
        now = datetime.now(UTC)
        records: dict[str, dict[str, Any]] = {}
        for d in documents:
            key = f"{citizen_id}:{d['sha256']}"
            records.setdefault(key, {"_id": key, "citizen_id": citizen_id, "sha256": d["sha256"], "type": d["type"],
                                     "name": d["name"], "dossier_code": dossier_code, "accepted_at": now})
        if not records:
            return
        try:
            self.citizen_documents.insert_many(list(records.values()), ordered=False)
        except BulkWriteError as error:
            if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
                raise

    def known_documents(self, citizen_id: str, hashes: list[str]) -> set[str]:
        return {h for h in set(hashes) if exists(self.citizen_documents, f"{citizen_id}:{h}")}

    # idempotency keys
    def get_key(self, key: str) -> dict[str, Any] | None:
        return self.idempotency.find_one({"_id": key})

    def claim_key(self, key: str, request_hash: str, code: str) -> dict[str, Any] | None:
        """Claim a key for this request and the code it will create; the earlier claim if the key was taken."""
        if insert_once(self.idempotency, {"_id": key, "hash": request_hash, "code": code, "at": datetime.now(UTC)}):
            return None
        return self.get_key(key)

    # attachments
    def get_attachment(self, sha256: str) -> dict[str, Any] | None:
        return self.attachments.find_one({"_id": sha256})

    def existing_attachments(self, ids: list[str]) -> set[str]:
        return {i for i in set(ids) if exists(self.attachments, i)}

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
