"""Signing's audit chain on the real database server: two replicas appending at once keep one unforked
chain, and the verify command names the first entry that was edited or removed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator

import pytest
from motcua import store
from pymongo import MongoClient
from pymongo.database import Database
from signing.audit import COLLECTION, AuditLog, verify_chain

pytestmark = pytest.mark.stack
PER_REPLICA = 40


@pytest.fixture
def database(stack) -> Iterator[tuple[str, Database]]:  # type: ignore[no-untyped-def]
    prefix = f"t{uuid.uuid4().hex[:10]}"
    client: MongoClient = store.connect(stack.mongo_url, "motcua-tests")
    db = store.database(client, "signing", prefix)
    yield prefix, db
    client.drop_database(db.name)
    client.close()


def record(n: int, replica: str) -> dict[str, str]:
    return {"at": f"2026-11-21T09:{n // 60:02d}:{n % 60:02d}.000+00:00", "actor": "001080012345", "roles": "leader",
            "origin": f"ipv4:10.0.0.{replica}:5000", "signer": "official", "certificate_serial": "2ce099a8",
            "document_id": uuid.uuid4().hex, "document_sha256": f"{n:064x}"}


def chain(db: Database) -> list[dict]:
    return list(db[COLLECTION].find(sort=[("_id", 1)]))


def test_two_replicas_appending_at_once_keep_one_chain(stack, database) -> None:  # type: ignore[no-untyped-def]
    prefix, db = database
    clients = [store.connect(stack.mongo_url, f"motcua-replica-{n}") for n in (1, 2)]
    replicas = [AuditLog(store.database(client, "signing", prefix)[COLLECTION]) for client in clients]
    replicas[0].append(record(0, "1"))  # both start from a head they read before the other appends
    replicas[1].append(record(1, "2"))
    start = threading.Barrier(2)

    def run(replica: AuditLog, name: str) -> None:
        start.wait()
        for n in range(PER_REPLICA):
            replica.append(record(n, name))

    threads = [threading.Thread(target=run, args=(replica, str(i + 1))) for i, replica in enumerate(replicas)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    entries = chain(db)
    assert [entry["_id"] for entry in entries] == list(range(1, 2 * PER_REPLICA + 3))
    assert {entry["origin"] for entry in entries} == {"ipv4:10.0.0.1:5000", "ipv4:10.0.0.2:5000"}
    assert verify_chain(iter(entries)) == (2 * PER_REPLICA + 2, None)


def verify_command(prefix: str, stack) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "MONGO_URL": stack.mongo_url, "MOTCUA_DATABASE_PREFIX": prefix}
    return subprocess.run([sys.executable, "-m", "signing.audit", "verify"], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def test_the_verify_command_names_the_first_edited_entry(stack, database) -> None:  # type: ignore[no-untyped-def]
    prefix, db = database
    log = AuditLog(db[COLLECTION])
    for n in range(6):
        log.append(record(n, "1"))
    intact = verify_command(prefix, stack)
    assert intact.returncode == 0 and "intact: 6 entries" in intact.stdout
    db[COLLECTION].update_one({"_id": 4}, {"$set": {"actor": "001085099999"}})
    db[COLLECTION].update_one({"_id": 5}, {"$set": {"signer": "seal"}})
    broken = verify_command(prefix, stack)
    assert broken.returncode == 1
    assert "after 3 good entries: entry 4 was changed after it was written" in broken.stderr


def test_a_removed_or_relinked_entry_is_found(stack, database) -> None:  # type: ignore[no-untyped-def]
    _, db = database
    log = AuditLog(db[COLLECTION])
    for n in range(5):
        log.append(record(n, "1"))
    db[COLLECTION].delete_one({"_id": 3})
    count, finding = verify_chain(iter(chain(db)))
    assert count == 2 and finding is not None and finding.problem == "entry 3 is missing (next is 4)"
    forged = {**chain(db)[2], "_id": 3}
    db[COLLECTION].insert_one(forged)
    count, finding = verify_chain(iter(chain(db)))
    assert count == 2 and finding is not None and "entry 3 does not link to entry 2" in finding.problem
