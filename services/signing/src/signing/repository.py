"""Every MongoDB access of signing: signed documents (records and their bytes in GridFS); the audit chain's
writes and checks are in audit.py, on the collection this opens."""

from __future__ import annotations

from typing import Any

import gridfs
from pymongo.database import Database

from signing.audit import COLLECTION as AUDIT

INDEXES: dict[str, list[Any]] = {"documents": []}
OUTBOX_COLLECTIONS = ("documents",)


class Repository:
    def __init__(self, db: Database) -> None:
        self.documents = db["documents"]
        self.files = gridfs.GridFS(db, collection="document_files")
        self.audit = db[AUDIT]

    def save_document(self, record: dict[str, Any], content: bytes) -> None:
        file_id = self.files.put(content, filename=f"{record['_id']}.pdf", sha256=record["sha256"],
                                 content_type="application/pdf")
        self.documents.insert_one({**record, "file_id": file_id})

    def get_document(self, document_id: str) -> dict[str, Any] | None:
        return self.documents.find_one({"_id": document_id}, {"outbox": 0})

    def get_content(self, record: dict[str, Any]) -> bytes:
        return self.files.get(record["file_id"]).read()
