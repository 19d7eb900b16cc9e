"""The inbox: which events a service has already handled, so a redelivery has no second effect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from motcua.events import Event
from motcua.store import IndexSpec

# Serves the retention's delete on MongoDB (FerretDB 1.x scans, paced by the loop that prunes), in the inbox and
# in the collections kept like it.
INDEX = IndexSpec([("at", 1)], name="handled_at")


class Inbox:
    """Handled event ids, keyed by `_id` (unique by construction, and the fastest lookup on every backend).

    The handler's own writes are keyed by the event too (deterministic ids, upserts), so a crash between
    the effect and the mark leaves a redelivery that changes nothing: effects are exactly once.
    """

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    def seen(self, event_id: str) -> bool:
        return self.collection.find_one({"_id": event_id}, {"_id": 1}) is not None

    def prune(self, retention: timedelta) -> int:
        """Drop the ids of events handled longer ago than the retention; returns how many.

        The retention outlasts the topics' (7 days), so the broker no longer holds any of those events and
        none can be delivered again, except by replaying a dead-letter topic older than the retention.
        """
        return prune(self.collection, retention)

    def mark(self, event: Event) -> None:
        try:
            self.collection.insert_one(
                {"_id": event.id, "type": event.type.name, "subject": event.subject, "at": datetime.now(UTC)}
            )
        except DuplicateKeyError:
            pass


def prune(collection: Collection, retention: timedelta, *, date_untimed: bool = False) -> int:
    """Drop the documents of a collection kept like the inbox (one per event, the time it was written in `at`)
    written longer ago than the retention; returns how many.

    With `date_untimed`, documents without a time (written before the collection kept one, or by a replica of the
    version before during an upgrade) are first given the time now, so they go one retention later.
    """
    now = datetime.now(UTC)
    if date_untimed:
        collection.update_many({"at": {"$exists": False}}, {"$set": {"at": now}})
    return collection.delete_many({"at": {"$lt": now - retention}}).deleted_count
