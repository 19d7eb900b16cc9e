"""Every MongoDB access of notification: contacts per dossier, rules, template versions and the messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua import outbox
from motcua.events import Event
from motcua.store import IndexSpec, insert_once
from pymongo import ReturnDocument
from pymongo.database import Database

INDEXES = {
    "messages": [IndexSpec([("dossier_code", 1), ("created_at", 1)]),
                 IndexSpec([("state", 1), ("next_attempt_at", 1)]),
                 IndexSpec([("provider", 1), ("provider_message_id", 1)])],
    "recipients": [],
    "rules": [],
    "templates": [IndexSpec([("kind", 1), ("channel", 1), ("version", -1)])],
}
OUTBOX_COLLECTIONS = ("messages",)
UNFINISHED = ("queued", "sending")
FINISHED = ("sent", "delivered", "failed")


class Repository:
    def __init__(self, db: Database) -> None:
        self.recipients = db["recipients"]
        self.messages = db["messages"]
        self.rules = db["rules"]
        self.templates = db["templates"]

    def save_recipient(self, code: str, contact: dict[str, Any]) -> None:
        """Store or update the dossier's contact; fields not given (the channels, say) are kept."""
        self.recipients.update_one({"_id": code}, {"$set": contact}, upsert=True)

    def seed(self, rules: list[dict[str, Any]], templates: list[dict[str, Any]]) -> None:
        """Insert the rules and templates that are missing; those stored (perhaps edited) are kept."""
        for collection, documents in ((self.rules, rules), (self.templates, templates)):
            for document in documents:
                insert_once(collection, dict(document))  # False: seeded before, or by another replica just now

    def get_rule(self, event_type: str) -> dict[str, Any] | None:
        return self.rules.find_one({"_id": event_type})

    def list_rules(self) -> list[dict[str, Any]]:
        return list(self.rules.find().sort("_id", 1))

    def save_rule(self, rule: dict[str, Any]) -> None:
        self.rules.replace_one({"_id": rule["_id"]}, rule, upsert=True)

    def get_template(self, kind: str, channel: str, version: int | None = None) -> dict[str, Any] | None:
        """One version of a kind's template on a channel; the latest without a version."""
        if version is not None:
            return self.templates.find_one({"_id": f"{kind}/{channel}/{version}"})
        found = list(self.templates.find({"kind": kind, "channel": channel}).sort("version", -1).limit(1))
        return found[0] if found else None

    def latest_versions(self, kind: str) -> dict[str, int]:
        """The latest template version of a kind on each channel that has one, in one query."""
        found: dict[str, int] = {}
        for t in self.templates.find({"kind": kind}, {"channel": 1, "version": 1}):
            found[t["channel"]] = max(found.get(t["channel"], 0), t["version"])
        return found

    def list_templates(self, kind: str | None = None) -> list[dict[str, Any]]:
        query = {"kind": kind} if kind else {}
        return list(self.templates.find(query).sort([("kind", 1), ("channel", 1), ("version", 1)]))

    def create_template(self, template: dict[str, Any]) -> bool:
        """Store a new version; False when that version number was taken meanwhile."""
        return insert_once(self.templates, template)

    def get_recipient(self, code: str) -> dict[str, Any] | None:
        return self.recipients.find_one({"_id": code})

    def create_message(self, message: dict[str, Any]) -> bool:
        """Store a new message; False when one with its id (event, kind, recipient) exists already."""
        return insert_once(self.messages, message)

    def list_due(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """Queued messages due by now, oldest first, then those whose sender's lease ran out."""
        queued = self.messages.find({"state": "queued", "next_attempt_at": {"$lte": now}}, {"claim": 1})
        stale = self.messages.find({"state": "sending", "lease_until": {"$lte": now}}, {"claim": 1})
        return [*queued.sort("next_attempt_at", 1).limit(limit), *stale.limit(limit)]

    def claim(self, message_id: str, seen: str, claim: str, lease_until: datetime) -> dict[str, Any] | None:
        """Take a message for sending if its claim token is still the one seen; None if another sender took it."""
        return self.messages.find_one_and_update(
            {"_id": message_id, "claim": seen, "state": {"$in": list(UNFINISHED)}},
            {"$set": {"state": "sending", "claim": claim, "lease_until": lease_until},
             "$inc": {"attempts": 1, "channel_attempts": 1}},
            return_document=ReturnDocument.AFTER)  # the whole document: FerretDB v1 has no findAndModify projection

    def get_message(self, message_id: str) -> dict[str, Any] | None:
        return self.messages.find_one({"_id": message_id}, {outbox.FIELD: 0})

    def resend(self, message_id: str, seen: str, fields: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any] | None:
        """Queue a finished message again (its claim still the one seen); None if it is not finished or changed."""
        return self.messages.find_one_and_update(
            {"_id": message_id, "claim": seen, "state": {"$in": list(FINISHED)}},
            {"$set": fields, "$inc": {"resends": 1}, "$push": {"history": entry}},
            return_document=ReturnDocument.AFTER)

    def get_by_provider_id(self, provider: str, provider_message_id: str) -> dict[str, Any] | None:
        return self.messages.find_one({"provider": provider, "provider_message_id": provider_message_id},
                                      {"claim": 1, "state": 1})

    def claim_sent(self, message_id: str, seen: str, claim: str) -> dict[str, Any] | None:
        """Take a sent message to record its receipt if its claim is still the one seen; None otherwise."""
        return self.messages.find_one_and_update(
            {"_id": message_id, "claim": seen, "state": "sent"}, {"$set": {"claim": claim}},
            return_document=ReturnDocument.AFTER)

    def record_attempt(self, message_id: str, claim: str, fields: dict[str, Any], entry: dict[str, Any],
                       event: Event | None) -> bool:
        """Store an attempt's outcome (and its event) if the claim still holds; False if it was lost."""
        push: dict[str, Any] = {"history": entry}
        if event is not None:
            push.update(outbox.append(event))
        result = self.messages.update_one({"_id": message_id, "claim": claim}, {"$set": fields, "$push": push})
        return result.matched_count == 1

    def count_unfinished(self) -> dict[str, int]:
        return {state: self.messages.count_documents({"state": state}) for state in UNFINISHED}

    def list_messages(self, code: str) -> list[dict[str, Any]]:
        return list(self.messages.find({"dossier_code": code}, {outbox.FIELD: 0}).sort("created_at", 1))
