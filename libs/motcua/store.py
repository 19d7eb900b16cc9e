"""MongoDB access shared by the services: the client, each service's database, declared indexes."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import MongoClient, monitoring
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from motcua import metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexSpec:
    """An index declared in code and created at start-up."""

    keys: Sequence[tuple[str, int]]
    unique: bool = False
    sparse: bool = False
    name: str | None = None
    options: dict[str, object] = field(default_factory=dict)


def connect(url: str, app_name: str, *, slow_ms: int = 0) -> MongoClient:
    """A client that returns timezone-aware UTC datetimes, fails fast when the server is away, and times
    every command (`motcua_mongo_command_duration_seconds`), logging those slower than `slow_ms` (0: none)."""
    return MongoClient(
        url,
        appname=app_name,
        tz_aware=True,
        serverSelectionTimeoutMS=5000,
        connectTimeoutMS=5000,
        event_listeners=[CommandTimer(slow_ms)],
    )


# Where each command names its collection and its filter.
_FILTERS: dict[str, tuple[str, ...]] = {
    "find": ("filter",),
    "count": ("query",),
    "distinct": ("query",),
    "findAndModify": ("query",),
    "update": ("updates", 0, "q"),
    "delete": ("deletes", 0, "q"),
    "aggregate": ("pipeline", 0, "$match"),
}


class CommandTimer(monitoring.CommandListener):
    """Times each command by name and collection; logs a slow one with the shape of its filter.

    The shape keeps field names and operators and replaces every value by its type, so a log line says
    which query was slow (and whether an index could serve it) without carrying anyone's personal data.
    """

    def __init__(self, slow_ms: int) -> None:
        self.slow_ms = slow_ms
        self._started: dict[tuple[Any, int], tuple[str, Any]] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        command = event.command
        collection = command.get(event.command_name)
        if event.command_name == "getMore":
            collection = command.get("collection")
        if not isinstance(collection, str):
            return
        self._started[(event.connection_id, event.request_id)] = (collection, _filter_of(event.command_name, command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._finish(event, "ok")

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._finish(event, "error")

    def _finish(self, event: monitoring.CommandSucceededEvent | monitoring.CommandFailedEvent, outcome: str) -> None:
        started = self._started.pop((event.connection_id, event.request_id), None)
        if started is None:
            return
        collection, query = started
        seconds = event.duration_micros / 1e6
        metrics.mongo_latency.labels(event.command_name, collection).observe(seconds)
        if self.slow_ms and seconds * 1000 >= self.slow_ms:
            log.warning(
                "slow MongoDB command",
                extra={"fields": {
                    "command": event.command_name,
                    "collection": collection,
                    "filter_shape": shape(query),
                    "duration_ms": round(seconds * 1000, 1),
                    "outcome": outcome,
                }},
            )


def _filter_of(command_name: str, command: Mapping[str, Any]) -> Any:
    value: Any = command
    for step in _FILTERS.get(command_name, ()):
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return None
    return value if value is not command else None


def shape(value: Any) -> Any:
    """A filter with its values replaced by their type names: `{"code": "str", "n": {"$gt": "int"}}`."""
    if isinstance(value, Mapping):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [shape(item) for item in value[:3]]
    return type(value).__name__


def database(client: MongoClient, service: str, prefix: str = "") -> Database:
    """The database a service owns: motcua_<service>, with the deployment's prefix if any."""
    return client[f"{prefix}_motcua_{service}" if prefix else f"motcua_{service}"]


def ensure_indexes(db: Database, specs: dict[str, Iterable[IndexSpec]]) -> None:
    """Create the declared indexes of each collection (idempotent)."""
    for collection, indexes in specs.items():
        for spec in indexes:
            options: dict[str, object] = {"unique": spec.unique, **spec.options}
            if spec.sparse:
                options["sparse"] = True
            if spec.name:
                options["name"] = spec.name
            db[collection].create_index(list(spec.keys), **options)


def exists(collection: Collection, document_id: object) -> bool:
    """Whether a document with this `_id` exists, read by `_id` equality alone.

    Callers check several ids with one call each rather than one `{"_id": {"$in": ids}}`: FerretDB 1.x
    pushes only a single `_id` equality down to SQLite and answers `$in` by scanning the collection, which
    made each submission slower as the attachments grew (4.4 ms at 300 documents and rising).
    """
    return collection.find_one({"_id": document_id}, {"_id": 1}) is not None


def insert_once(collection: Collection, document: dict[str, object]) -> bool:
    """Insert a document; False when one with its `_id` (or another unique key) is there already."""
    try:
        collection.insert_one(document)
        return True
    except DuplicateKeyError:
        return False


def ping(client: MongoClient) -> bool:
    """Whether the server answers."""
    client.admin.command("ping")
    return True
