"""Every MongoDB access of notification: contacts per dossier, rules, template versions and the messages.

Every write to the rules or the templates raises the catalog's revision (one document, read by `_id`), so
that a replica holding them in memory (lookups.py) knows when to read them again.

`pending` holds one small entry per unfinished message (`_id` the message's id, `due` the time its sender
should look at it next, `n` a generation raised by every write that holds it, `at` the last such write), so
that the sender's periodic work reads that small collection and messages by `_id` only: FerretDB answers
any other filter on `messages` by decoding every message ever stored (docs/notification.md, "Pending entries").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua import outbox
from motcua.events import Event
from motcua.store import IndexSpec, insert_once
from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

INDEXES = {
    "catalog": [],
    "messages": [IndexSpec([("dossier_code", 1), ("created_at", 1)]),
                 IndexSpec([("state", 1), ("next_attempt_at", 1)]),
                 IndexSpec([("provider", 1), ("provider_message_id", 1)])],
    "pending": [IndexSpec([("due", 1)])],
    "recipients": [],
    "rules": [],
    "templates": [IndexSpec([("kind", 1), ("channel", 1), ("version", -1)])],
}
OUTBOX_COLLECTIONS = ("messages",)
UNFINISHED = ("queued", "sending")
FINISHED = ("sent", "delivered", "failed")
# What the sender reads of a message to decide on its pending entry.
STATE_FIELDS = {"state": 1, "claim": 1, "next_attempt_at": 1, "lease_until": 1, "pending": 1}
REVISION = "revision"  # the catalog's one document: {"_id": "revision", "n": <count of rule and template writes>}


class Repository:
    def __init__(self, db: Database) -> None:
        self.recipients = db["recipients"]
        self.messages = db["messages"]
        self.rules = db["rules"]
        self.templates = db["templates"]
        self.catalog = db["catalog"]
        self.pending = db["pending"]

    def save_recipient(self, code: str, contact: dict[str, Any]) -> dict[str, Any]:
        """Store or update the dossier's contact and return it whole; fields not given (the channels, say) are kept."""
        return self.recipients.find_one_and_update({"_id": code}, {"$set": contact}, upsert=True,
                                                   return_document=ReturnDocument.AFTER)

    def seed(self, rules: list[dict[str, Any]], templates: list[dict[str, Any]]) -> None:
        """Insert the rules and templates that are missing; those stored (perhaps edited) are kept."""
        inserted = False
        for collection, documents in ((self.rules, rules), (self.templates, templates)):
            for document in documents:
                # False: seeded before, or by another replica just now
                inserted = insert_once(collection, dict(document)) or inserted
        if inserted:
            self._revise()

    def revision(self) -> int:
        """The catalog's revision: it changes whenever a rule or a template is written."""
        found = self.catalog.find_one({"_id": REVISION})
        return found["n"] if found else 0

    def load_catalog(self) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, int]]]:
        """Every rule by event type, and the latest template version of each kind on each channel, in two queries."""
        versions: dict[str, dict[str, int]] = {}
        for t in self.templates.find({}, {"kind": 1, "channel": 1, "version": 1}):
            of_kind = versions.setdefault(t["kind"], {})
            of_kind[t["channel"]] = max(of_kind.get(t["channel"], 0), t["version"])
        return {rule["_id"]: rule for rule in self.rules.find()}, versions

    def _revise(self) -> None:
        try:
            self.catalog.update_one({"_id": REVISION}, {"$inc": {"n": 1}}, upsert=True)
        except DuplicateKeyError:  # another replica's upsert made the document first: it exists now
            self.catalog.update_one({"_id": REVISION}, {"$inc": {"n": 1}})

    def list_rules(self) -> list[dict[str, Any]]:
        return list(self.rules.find().sort("_id", 1))

    def save_rule(self, rule: dict[str, Any]) -> None:
        self.rules.replace_one({"_id": rule["_id"]}, rule, upsert=True)
        self._revise()

    def get_template(self, kind: str, channel: str, version: int | None = None) -> dict[str, Any] | None:
        """One version of a kind's template on a channel; the latest without a version."""
        if version is not None:
            return self.templates.find_one({"_id": f"{kind}/{channel}/{version}"})
        found = list(self.templates.find({"kind": kind, "channel": channel}).sort("version", -1).limit(1))
        return found[0] if found else None

    def list_templates(self, kind: str | None = None) -> list[dict[str, Any]]:
        query = {"kind": kind} if kind else {}
        return list(self.templates.find(query).sort([("kind", 1), ("channel", 1), ("version", 1)]))

    def create_template(self, template: dict[str, Any]) -> bool:
        """Store a new version; False when that version number was taken meanwhile."""
        if not insert_once(self.templates, template):
            return False
        self._revise()
        return True

    def get_recipient(self, code: str) -> dict[str, Any] | None:
        return self.recipients.find_one({"_id": code})

    def create_message(self, message: dict[str, Any]) -> bool:
        """Store a new message; False when one with its id (event, kind, recipient) exists already."""
        return insert_once(self.messages, message)

    def hold(self, message_id: str, due: datetime, now: datetime) -> int:
        """Write the message's pending entry (due no later than `due`) before it is queued; returns its generation.

        The generation goes on the message: the entry is released only by a delete of that generation, so a
        release that comes after another writer held the message again misses.
        """
        for _ in range(2):
            try:
                entry = self.pending.find_one_and_update(
                    {"_id": message_id}, {"$min": {"due": due}, "$set": {"at": now}, "$inc": {"n": 1}},
                    upsert=True, return_document=ReturnDocument.AFTER)
                return int(entry["n"])
            except DuplicateKeyError:
                continue  # two writers inserted the entry at once; the second try raises its generation
        raise RuntimeError(f"the pending entry of message {message_id} could not be written")

    def release(self, message_id: str, generation: int | None) -> bool:
        """Delete the message's pending entry if it is still of that generation."""
        return self.pending.delete_one({"_id": message_id, "n": generation}).deleted_count == 1

    def postpone(self, message_id: str, generation: int, due: datetime) -> bool:
        """Move a pending entry's due time on, if no writer held its message since it was read."""
        return self.pending.update_one({"_id": message_id, "n": generation}, {"$set": {"due": due}}).matched_count == 1

    def list_pending(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """Pending entries due by now, the oldest first."""
        return list(self.pending.find({"due": {"$lte": now}}).sort("due", 1).limit(limit))

    def get_state(self, message_id: str) -> dict[str, Any] | None:
        """The fields of a message that say whether it is finished, due, or held by a sender."""
        return self.messages.find_one({"_id": message_id}, STATE_FIELDS)

    def count_pending(self, now: datetime) -> dict[str, int]:
        """Unfinished messages: `due` by now (being sent, or waiting for a sender), `scheduled` for later."""
        due = self.pending.count_documents({"due": {"$lte": now}})
        return {"due": due, "scheduled": self.pending.count_documents({}) - due}

    def hold_unheld(self, now: datetime) -> int:
        """Give a pending entry to every unfinished message that has none (stored before entries existed).

        One scan of `messages` at start-up; returns how many were held.
        """
        held = 0
        for message in self.messages.find({"state": {"$in": list(UNFINISHED)}, "pending": {"$exists": False}},
                                          {"next_attempt_at": 1}):
            generation = self.hold(message["_id"], message.get("next_attempt_at") or now, now)
            self.messages.update_one({"_id": message["_id"], "pending": {"$exists": False}},
                                     {"$set": {"pending": generation}})
            held += 1
        return held

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
                                      {outbox.FIELD: 0})

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

    def list_messages(self, code: str) -> list[dict[str, Any]]:
        return list(self.messages.find({"dossier_code": code}, {outbox.FIELD: 0}).sort("created_at", 1))
