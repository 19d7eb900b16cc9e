"""The signature audit log (nhật ký ký số): append-only, each entry carrying the hash of the one before.

Entry n has `_id` n. Appending inserts n + 1 with `prev` = hash of entry n; `_id` is unique, so when two
replicas race for the same place only one insert succeeds and the other moves on to the entry after the
winner's, linking to it: the chain cannot fork, without transactions or locks across replicas. An entry is
never updated. `python -m signing.audit verify` recomputes the chain and names the first entry that does
not hold.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from motcua import store
from motcua.settings import CommonSettings, SettingsError
from pymongo import DESCENDING
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

COLLECTION = "audit"
GENESIS = "0" * 64
FIELDS = ("at", "actor", "roles", "origin", "signer", "certificate_serial", "document_id", "document_sha256")


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 over the entry's number, its recorded fields and the previous hash, as canonical JSON."""
    body = {"seq": entry["_id"], "prev": entry["prev"], **{name: entry[name] for name in FIELDS}}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class AuditLog:
    """Appends signature records to the chain in one collection; safe with several replicas appending."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self._lock = threading.Lock()
        self._head: tuple[int, str] | None = None

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Add a record (the FIELDS, as strings) at the end of the chain and return the stored entry."""
        with self._lock:
            seq, prev = self._head or self._last()
            while True:
                entry = {"_id": seq + 1, "prev": prev, **{name: record[name] for name in FIELDS}}
                entry["hash"] = entry_hash(entry)
                try:
                    self.collection.insert_one(entry)
                except DuplicateKeyError:
                    # Another replica took this place: continue after its entry.
                    taken = self.collection.find_one({"_id": seq + 1})
                    if taken is None:
                        raise
                    seq, prev = seq + 1, taken["hash"]
                    continue
                self._head = (seq + 1, entry["hash"])
                return entry

    def _last(self) -> tuple[int, str]:
        last = self.collection.find_one(sort=[("_id", DESCENDING)])
        return (0, GENESIS) if last is None else (int(last["_id"]), str(last["hash"]))


@dataclass(frozen=True)
class Finding:
    """The first entry that breaks the chain, and how."""

    seq: int
    problem: str


def verify_chain(entries: Iterator[Mapping[str, Any]]) -> tuple[int, Finding | None]:
    """Check entries in order: numbered 1, 2, …, each linked to the previous hash and matching its own."""
    expected_seq, prev, count = 1, GENESIS, 0
    for entry in entries:
        seq = entry.get("_id")
        if seq != expected_seq:
            return count, Finding(expected_seq, f"entry {expected_seq} is missing (next is {seq})")
        if entry.get("prev") != prev:
            return count, Finding(seq, f"entry {seq} does not link to entry {seq - 1} (prev hash differs)")
        try:
            recomputed = entry_hash(entry)
        except KeyError as error:
            return count, Finding(seq, f"entry {seq} lacks the field {error}")
        if recomputed != entry.get("hash"):
            return count, Finding(seq, f"entry {seq} was changed after it was written (hash differs)")
        expected_seq, prev, count = seq + 1, entry["hash"], count + 1
    return count, None


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: `verify` checks the audit chain in signing's database (MONGO_URL, MOTCUA_DATABASE_PREFIX)."""
    parser = argparse.ArgumentParser(prog="python -m signing.audit", description=main.__doc__)
    parser.add_argument("command", choices=["verify"])
    parser.parse_args(argv)
    try:
        settings = CommonSettings.from_env("signing", http_port=8083, grpc_port=50053)
    except SettingsError as error:
        print(f"signing.audit: {error}", file=sys.stderr)
        return 2
    db = store.database(store.connect(settings.mongo_url, "motcua-signing-audit"), "signing", settings.database_prefix)
    count, finding = verify_chain(db[COLLECTION].find(sort=[("_id", 1)]))
    if finding is not None:
        print(f"audit chain broken after {count} good entries: {finding.problem}", file=sys.stderr)
        return 1
    print(f"audit chain intact: {count} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
