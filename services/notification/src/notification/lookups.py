"""The rules and the latest template versions, held in memory and read again when the catalog changes.

Every event needs its rule and the latest version of its kind's templates. Reading them from the database
each time costs two round trips, one of them a scan of the templates (FerretDB pushes only `_id` equality
down to SQLite). Instead each process keeps them all, and checks per event one document by `_id`, the
catalog's revision, which every rule or template write raises (repository.py): a new rule or version is used
by the very next event, on every replica. A revision missed (a writer that died between its write and the
raise, an edit made in the database by hand) is picked up by the reload that happens at least every
MAX_AGE_SECONDS anyway.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_AGE_SECONDS = 60.0


@dataclass(frozen=True)
class Catalog:
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> channel -> latest version


class CatalogCache:
    def __init__(self, repo: Any, max_age: float = MAX_AGE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.repo = repo
        self.max_age = max_age
        self.clock = clock
        self._lock = threading.Lock()
        self._catalog = Catalog()
        self._revision: int | None = None
        self._loaded_at = 0.0

    def current(self) -> Catalog:
        """The catalog as of now: one `_id` read, and a reload when its revision moved or it is too old."""
        revision = self.repo.revision()
        with self._lock:
            if revision == self._revision and self.clock() - self._loaded_at < self.max_age:
                return self._catalog
        rules, versions = self.repo.load_catalog()  # read after the revision: at least as new as it
        with self._lock:
            self._catalog, self._revision, self._loaded_at = Catalog(rules, versions), revision, self.clock()
            return self._catalog
