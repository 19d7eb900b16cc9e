"""Feedback's fold against the real FerretDB: every event counted once in the scorecard, also when its fold
stopped half way and when two replicas fold the same partition at once.

Each replica is a `Statistics` with a client of its own, as two worker processes have. The events carry the
positions a consumer gives them; what the scorecard should hold is what the rebuild sums in memory from the
distinct events (`feedback.rebuild.Tally`), offset marks included.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from feedback.rebuild import Tally
from feedback.repository import Repository
from feedback.scorecard import addition, folded_at
from feedback.statistics import Statistics
from motcua import store
from motcua.events import Event, Position, timestamp
from motcua.inbox import prune
from motcua.topics import FEEDBACK_SUBMITTED
from motcua.v1 import common_pb2, events_pb2
from pymongo import MongoClient
from pymongo.database import Database

from tests.conftest import together

pytestmark = pytest.mark.stack
AGENCY = "000.00.61.H56"
TOPIC = "fold.motcua.feedback.v1"


@pytest.fixture
def replicas(stack) -> Iterator[tuple[Statistics, Statistics]]:  # type: ignore[no-untyped-def]
    """Two replicas of the worker on one fresh database."""
    prefix = f"fold{uuid.uuid4().hex[:8]}"
    clients: list[MongoClient] = [store.connect(stack.mongo_url, f"motcua-tests-{n}") for n in range(2)]
    yield tuple(Statistics(repo=Repository(store.database(c, "feedback", prefix))) for c in clients)  # type: ignore[misc]
    clients[0].drop_database(store.database(clients[0], "feedback", prefix).name)
    for client in clients:
        client.close()


def rating(n: int, partition: int, offset: int) -> Event:
    """The n-th dossier's rating, as consumed from the given partition and offset."""
    code = f"{AGENCY}-260302-{n:04d}"
    payload = events_pb2.FeedbackSubmitted(
        rating_id=f"r-{n}", dossier_code=code, level=5 - n % 3, scale=5, agency_id=AGENCY, department="tu-phap",
        procedure_code="1.001193", channel=common_pb2.CHANNEL_ONLINE, official=f"cb-{n % 2}",
        submitted_at=timestamp(datetime(2026, 3, 2, 3, 0, tzinfo=UTC)))
    event = Event.new(FEEDBACK_SUBMITTED, payload, subject=code, source="feedback")
    return dataclasses.replace(event, position=Position(TOPIC, partition, offset))


def assert_counted_once(db: Database, events: list[Event]) -> None:
    """The live scorecard equals the distinct events summed in memory, counter by counter."""
    tally = Tally()
    for event in events:
        tally.fold(event)
    tally.write(Repository(db, "expected"))
    live = {d["_id"]: d for d in db["counters"].find()}
    assert live == {d["_id"]: d for d in db["expected"].find()}
    assert live[f"agency|{AGENCY}|2026-03"]["ratings"] == len(events)
    members = {d["_id"]: sorted(d["values"]) for d in db["counters_members"].find()}
    assert members == {d["_id"]: sorted(d["values"]) for d in db["expected_members"].find()}


def test_a_fold_stopped_half_way_is_completed_exactly_once_when_redelivered(replicas) -> None:  # type: ignore[no-untyped-def]
    worker, other = replicas
    partition = [rating(n, 0, offset=n) for n in range(8)]
    for event in partition[:5]:
        worker.fold(event)
    # The worker dies in the middle of the sixth event's fold: half of its counters have it, half do not.
    stopped = partition[5]
    added = addition(stopped)
    assert added is not None
    mark, offset = worker.repo.fold_position(stopped.id, *folded_at(stopped))
    counters = list(added.counters())
    worker.repo.count(mark, offset, counters[:len(counters) // 2], added.amounts)
    # Meanwhile another replica folds another partition's events into the very same counters.
    elsewhere = [rating(100 + n, 1, offset=n) for n in range(12)]
    for event in elsewhere:
        other.fold(event)
    # The partition goes to the other replica, which reads it again from the last committed offset.
    for event in partition[3:]:
        other.fold(event)
    assert_counted_once(worker.repo.counters.database, partition + elsewhere)


def test_two_replicas_folding_one_partition_at_once_count_each_event_once(replicas) -> None:  # type: ignore[no-untyped-def]
    first, second = replicas
    partition = [rating(n, 0, offset=n) for n in range(24)]
    # The relay published one rating twice: the copy comes later on the same partition.
    partition.append(dataclasses.replace(partition[14], position=Position(TOPIC, 0, 24)))
    for event in partition[:8]:
        first.fold(event)  # handled and committed
    # A rebalance hands the partition to the second replica, which starts at the committed offset while the
    # first one is still handling the rest of the batch it polled.
    together(lambda: [first.fold(e) for e in partition[8:]], lambda: [second.fold(e) for e in partition[8:]])
    assert_counted_once(first.repo.counters.database, partition[:24])
    copies = first.repo.folds.find_one({"_id": partition[14].id})
    assert copies is not None and (copies["mark"], copies["offset"]) == ("feedback_0", 14)


def test_fold_positions_are_forgotten_after_the_inbox_s_retention_those_without_a_time_one_later(replicas) -> None:  # type: ignore[no-untyped-def]
    worker, _ = replicas
    folds = worker.repo.folds
    old, recent, legacy = (rating(n, 0, offset=n) for n in range(3))
    for event in (old, recent):
        worker.fold(event)
    assert folds.count_documents({"at": {"$exists": True}}) == 2  # each position with the time it was folded
    folds.update_one({"_id": old.id}, {"$set": {"at": datetime.now(UTC) - timedelta(days=31)}})
    # A position folded by the version before, which kept no time.
    folds.insert_one({"_id": legacy.id, "mark": "feedback_0", "offset": 2})
    before = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    assert prune(folds, timedelta(days=30), date_untimed=True) == 1
    assert {d["_id"] for d in folds.find()} == {recent.id, legacy.id}
    # The legacy position got the time of the turn that found it: it goes one retention after that turn.
    dated = folds.find_one({"_id": legacy.id})
    assert dated is not None and dated["at"].replace(tzinfo=None) >= before
    assert prune(folds, timedelta(days=30), date_untimed=True) == 0
    assert prune(folds, timedelta(0)) == 2
    # A copy of a forgotten event (a dead letter replayed after the retention) is folded where it now is.
    assert worker.repo.fold_position(old.id, "feedback_0", 9) == ("feedback_0", 9)
