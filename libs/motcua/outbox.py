"""The transactional outbox: events stored in the same document update as the state change, then relayed.

A service appends its events to the `outbox` array of the document it changes, in the same atomic
update. The relay publishes them and then removes exactly those entries with `$pullAll` (which MongoDB
and FerretDB both honour). The writer kicks the relay with the document's id, so an event leaves within
milliseconds. A relay that fails (the broker away) keeps the document's id and tries it again every
`retry_seconds`; a sweep at start and then every `sweep_seconds` finds what a crash left behind. The sweep
takes only documents with an entry older than `grace_seconds`, so it leaves a fresh write to the relay its
writer kicked, which may be another replica's. Two relays may still publish the same event (a relay slower
than the grace, a crash between publishing and removing): consumers deduplicate by event id, so delivery is
at least once and effects exactly once.

The sweep is the one query of the relay that is not by `_id`: MongoDB answers it from the sparse
`outbox_pending` index, but FerretDB 1.x reads every document of the collection, so it runs rarely (a
crash of a pod is followed by its restart, whose first sweep finds what it left).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka import KafkaProducer
from pymongo.collection import Collection
from pymongo.errors import PyMongoError

from motcua import metrics
from motcua.events import Event
from motcua.kafka import publish
from motcua.store import IndexSpec

log = logging.getLogger(__name__)

FIELD = "outbox"
INDEX = IndexSpec(keys=[(f"{FIELD}.id", 1)], sparse=True, name="outbox_pending")


def append(*events: Event) -> dict[str, Any]:
    """The `$push` clause that stores events with a state change: merge it into the update."""
    return {FIELD: {"$each": [e.to_document() for e in events]}}


def with_outbox(document: dict[str, Any], *events: Event) -> dict[str, Any]:
    """A new document carrying its first events."""
    return {**document, FIELD: [e.to_document() for e in events]}


class OutboxRelay:
    """Publishes the outbox entries of one or more collections, kicked by writers and sweeping on a timer.

    Kicks are spread over `lanes` threads by document, so one document's events are relayed by one lane in
    the order they were stored, while the lanes overlap their database round trips (two per document).
    """

    def __init__(
        self,
        *,
        collections: Iterable[Collection],
        kafka: KafkaProducer,
        topic_prefix: str = "",
        sweep_seconds: float = 60.0,
        retry_seconds: float = 2.0,
        grace_seconds: float = 10.0,
        batch: int = 200,
        lanes: int = 4,
    ) -> None:
        self.collections = {c.name: c for c in collections}
        self.kafka = kafka
        self.topic_prefix = topic_prefix
        self.sweep_seconds = sweep_seconds
        self.retry_seconds = retry_seconds
        self.grace = timedelta(seconds=grace_seconds)
        self.batch = batch
        self._kicks: list[queue.SimpleQueue[tuple[str, Any]]] = [queue.SimpleQueue() for _ in range(max(1, lanes))]
        # Relays to try again, in the order they failed, per lane.
        self._failed: list[dict[tuple[str, Any], None]] = [{} for _ in self._kicks]

    def kick(self, collection: str, document_id: Any) -> None:
        """Tell the relay a document has new outbox entries."""
        self._kicks[hash((collection, document_id)) % len(self._kicks)].put((collection, document_id))

    def run(self, stop: threading.Event) -> None:
        """Relay until stop is set: kicked documents at once, failed ones again every retry_seconds, and
        what waits past the grace at start, a grace later, then every sweep_seconds (by the first lane)."""
        others = [threading.Thread(target=self._lane, args=(lane, stop), name=f"outbox-{lane}", daemon=True)
                  for lane in range(1, len(self._kicks))]
        for thread in others:
            thread.start()
        self._lane(0, stop, sweeps=True)
        for thread in others:
            thread.join(timeout=10)

    def _lane(self, lane: int, stop: threading.Event, sweeps: bool = False) -> None:
        now = time.monotonic()
        sweep_at = now if sweeps else float("inf")
        # The sweep at start leaves what was stored within the grace (a pod that crashed and came back at
        # once): one more sweep a grace later takes it.
        next_sweep = self.grace.total_seconds()
        retry_at = now + self.retry_seconds
        while not stop.is_set():
            now = time.monotonic()
            if now >= sweep_at:
                # A full batch may leave more behind (a crash during a burst): sweep again once the lanes had
                # time for this one.
                full = self._sweep_safely() >= self.batch
                sweep_at = now + (self.retry_seconds if full else next_sweep)
                next_sweep = self.sweep_seconds
            if now >= retry_at:
                failed, self._failed[lane] = list(self._failed[lane]), {}
                for name, document_id in failed:
                    self._relay_safely(self.collections[name], document_id)
                retry_at = now + self.retry_seconds
            try:
                name, document_id = self._kicks[lane].get(timeout=max(0.0, min(sweep_at, retry_at) - time.monotonic()))
            except queue.Empty:
                continue
            self._relay_safely(self.collections[name], document_id)

    def _sweep_safely(self) -> int:
        """Find what waits and hand it to the lanes: a document is relayed by its own lane only, so a sweep
        never publishes its events a second time while that lane is at it."""
        try:
            return self._sweep(lambda collection, document_id: self.kick(collection.name, document_id))
        except PyMongoError as error:
            log.warning("outbox sweep failed (%r); retrying at the next sweep", error)
            return 0

    def sweep(self) -> int:
        """Publish, in this thread, the entries older than the grace of up to `batch` documents per collection;
        returns how many documents had some."""
        return self._sweep(self._relay_safely)

    def _sweep(self, handle: Callable[[Collection, Any], None]) -> int:
        found = 0
        stored_before = datetime.now(UTC) - self.grace
        waiting = {f"{FIELD}.id": {"$exists": True}, f"{FIELD}.time": {"$lt": stored_before}}
        for collection in self.collections.values():
            ids = [d["_id"] for d in collection.find(waiting, {"_id": 1}).limit(self.batch)]
            metrics.outbox_pending.labels(collection.name).set(len(ids))
            for document_id in ids:
                handle(collection, document_id)
            found += len(ids)
        return found

    def _relay_safely(self, collection: Collection, document_id: Any) -> None:
        try:
            self.relay(collection, document_id)
        except Exception:
            metrics.outbox_errors.labels(collection.name).inc()
            self._failed[hash((collection.name, document_id)) % len(self._failed)][(collection.name, document_id)] = None
            log.exception("outbox relay failed for %s/%s; retrying in %.0f s", collection.name, document_id,
                          self.retry_seconds)

    def relay(self, collection: Collection, document_id: Any) -> int:
        """Publish one document's pending events in order, then remove them; returns how many."""
        doc = collection.find_one({"_id": document_id}, {FIELD: 1})
        entries = (doc or {}).get(FIELD) or []
        if not entries:
            return 0
        futures = [publish(self.kafka, Event.from_document(entry), self.topic_prefix) for entry in entries]
        for future in futures:
            future.get(timeout=30)
        collection.update_one({"_id": document_id}, {"$pullAll": {FIELD: entries}})
        metrics.outbox_published.labels(collection.name).inc(len(entries))
        return len(entries)
