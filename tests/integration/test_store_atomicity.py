"""The database server applies each update of one document atomically, as MongoDB does.

Everything that keeps state here relies on it: the outbox (a state change `$push`es its events while the
relay `$pullAll`s published ones), counters (`findAndModify` with `$inc`) and status transitions (a filter on the
current status).
Unpatched FerretDB 1.x on SQLite loses concurrent updates of one document; infra/ferretdb/atomic-writes.patch
makes it serialize them, and these tests keep it (or whatever MONGO_URL points at) honest.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from motcua import store
from pymongo import MongoClient, ReturnDocument
from pymongo.collection import Collection

from tests.conftest import together

pytestmark = pytest.mark.stack
ROUNDS = 150


@pytest.fixture
def collection(stack) -> Iterator[Collection]:  # type: ignore[no-untyped-def]
    client: MongoClient = store.connect(stack.mongo_url, "motcua-tests")
    docs = client["atomicity"][f"c{uuid.uuid4().hex[:8]}"]
    docs.insert_one({"_id": 1, "outbox": [], "n": 0, "version": 0})
    yield docs
    docs.drop()
    client.close()


def test_push_and_pull_all_on_one_document_lose_nothing(collection: Collection) -> None:
    removed: list[int] = []

    def append() -> None:
        for i in range(ROUNDS):
            collection.update_one({"_id": 1}, {"$push": {"outbox": {"id": i}}, "$inc": {"n": 1}})

    def drain() -> None:
        for _ in range(ROUNDS):
            entries = collection.find_one({"_id": 1})["outbox"]
            if entries:
                collection.update_one({"_id": 1}, {"$pullAll": {"outbox": entries}})
                removed.extend(entry["id"] for entry in entries)

    together(append, drain)
    doc = collection.find_one({"_id": 1})
    left = [entry["id"] for entry in doc["outbox"]]
    assert doc["n"] == ROUNDS
    assert sorted(removed + left) == list(range(ROUNDS))


def test_compare_and_set_lets_exactly_one_writer_win_each_round(collection: Collection) -> None:
    wins = [0, 0]

    def writer(me: int) -> Callable[[], None]:
        def run() -> None:
            for _ in range(ROUNDS):
                while True:
                    seen = collection.find_one({"_id": 1})["version"]
                    result = collection.update_one({"_id": 1, "version": seen}, {"$inc": {"version": 1, "n": 1}})
                    if result.modified_count == 1:
                        wins[me] += 1
                        break
        return run

    together(writer(0), writer(1))
    doc = collection.find_one({"_id": 1})
    assert sum(wins) == 2 * ROUNDS
    assert doc["version"] == doc["n"] == 2 * ROUNDS


def test_find_and_modify_increments_hand_out_each_number_once(collection: Collection) -> None:
    numbers: list[list[int]] = [[], [], []]

    def taker(me: int) -> Callable[[], None]:
        def run() -> None:
            for _ in range(ROUNDS):
                counter = collection.find_one_and_update({"_id": "seq"}, {"$inc": {"seq": 1}}, upsert=True,
                                                         return_document=ReturnDocument.AFTER)
                numbers[me].append(counter["seq"])
        return run

    together(taker(0), taker(1), taker(2))
    assert sorted(numbers[0] + numbers[1] + numbers[2]) == list(range(1, 3 * ROUNDS + 1))
