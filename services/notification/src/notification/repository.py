"""Every MongoDB access of notification: citizens' contacts per dossier and the messages sent."""

from __future__ import annotations

from typing import Any

from motcua.store import IndexSpec
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

INDEXES = {"messages": [IndexSpec([("dossier_code", 1), ("created_at", 1)])], "recipients": []}
OUTBOX_COLLECTIONS = ("messages",)


class Repository:
    def __init__(self, db: Database) -> None:
        self.recipients = db["recipients"]
        self.messages = db["messages"]

    def save_recipient(self, code: str, contact: dict[str, str]) -> None:
        self.recipients.replace_one({"_id": code}, {"_id": code, **contact}, upsert=True)

    def get_recipient(self, code: str) -> dict[str, Any] | None:
        return self.recipients.find_one({"_id": code})

    def create_message(self, message: dict[str, Any]) -> dict[str, Any]:
        """Create the record once (its id derives from the event); returns the stored one."""
        try:
            self.messages.insert_one(message)
            return message
        except DuplicateKeyError:
            return self.messages.find_one({"_id": message["_id"]}) or message

    def update_message(self, message_id: str, update: dict[str, Any]) -> None:
        self.messages.update_one({"_id": message_id}, update)

    def list_messages(self, code: str) -> list[dict[str, Any]]:
        return list(self.messages.find({"dossier_code": code}, {"outbox": 0}).sort("created_at", 1))
