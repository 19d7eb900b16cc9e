"""The kernel against the real broker and database: outbox relay, inbox, retry and DLQ."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from kafka import KafkaAdminClient, KafkaConsumer
from kafka.partitioner.default import murmur2
from motcua import kafka as mkafka
from motcua import outbox, store
from motcua.events import Event
from motcua.inbox import Inbox
from motcua.topics import FEEDBACK_SUBMITTED, qualified
from motcua.v1 import events_pb2
from prometheus_client import REGISTRY
from pymongo import MongoClient, monitoring

from tests.conftest import eventually

pytestmark = pytest.mark.stack


@pytest.fixture
def mongo(stack) -> Iterator[MongoClient]:  # type: ignore[no-untyped-def]
    client = store.connect(stack.mongo_url, "motcua-tests")
    yield client
    client.close()


def read_all(bootstrap: str, topic: str, want: int, timeout: float = 30.0) -> list:
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, group_id=None, consumer_timeout_ms=500)
    records: list = []
    try:
        eventually(lambda: records.extend(r for batch in consumer.poll(500).values() for r in batch) or len(records) >= want,
                   timeout, what=f"{want} records on {topic}")
    finally:
        consumer.close()
    return records


def rating(code: str, level: int = 3) -> Event:
    return Event.new(FEEDBACK_SUBMITTED, events_pb2.FeedbackSubmitted(rating_id=str(uuid.uuid4()), dossier_code=code,
                                                                       level=level, scale=3),
                     subject=code, source="tests")


def test_relay_publishes_what_a_crash_left_in_the_outbox(stack, mongo, producer, prefix):  # type: ignore[no-untyped-def]
    collection = mongo[f"{prefix}_kernel"]["things"]
    left = rating("000.00.12.H56-260101-0001")
    left = replace(left, time=left.time - timedelta(minutes=1))
    # The writer stored state and event together a minute ago, then died before any relay ran.
    collection.insert_one(outbox.with_outbox({"_id": "thing-1", "state": "done"}, left))
    # Another writer stored this one just now: its own relay, kicked, publishes it; a sweep leaves it alone.
    fresh = rating("000.00.12.H56-260101-0002")
    collection.insert_one(outbox.with_outbox({"_id": "thing-2", "state": "done"}, fresh))

    relay = outbox.OutboxRelay(collections=[collection], kafka=producer, topic_prefix=prefix, grace_seconds=30)
    assert relay.sweep() == 1

    records = read_all(stack.kafka_bootstrap, qualified(left.type.topic.name, prefix), want=1)
    ids = [dict(r.headers)["ce_id"].decode() for r in records]
    assert ids == [left.id]
    assert dict(records[0].headers)["ce_type"] == b"vn.motcua.feedback.submitted.v1"
    assert records[0].key == b"000.00.12.H56-260101-0001"
    assert collection.find_one({"_id": "thing-1"})["outbox"] == []
    assert [e["id"] for e in collection.find_one({"_id": "thing-2"})["outbox"]] == [fresh.id]
    assert relay.sweep() == 0


def test_relay_lanes_publish_each_documents_events_in_the_order_they_were_stored(stack, mongo, producer, prefix):  # type: ignore[no-untyped-def]
    collection = mongo[f"{prefix}_kernel"]["things"]
    relay = outbox.OutboxRelay(collections=[collection], kafka=producer, topic_prefix=prefix, lanes=3)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    stored: dict[str, list[str]] = {}
    try:
        for n in range(12):
            code = f"000.00.12.H56-260101-{n:04d}"
            first = rating(code)
            collection.insert_one(outbox.with_outbox({"_id": code}, first))
            relay.kick(collection.name, code)
            later = [rating(code, level) for level in (1, 2)]
            for event in later:  # appended while the relay may be publishing the first
                collection.update_one({"_id": code}, {"$push": outbox.append(event)})
                relay.kick(collection.name, code)
            stored[code] = [e.id for e in (first, *later)]
        records = read_all(stack.kafka_bootstrap, qualified(FEEDBACK_SUBMITTED.topic.name, prefix), want=36)
        eventually(lambda: collection.count_documents({"outbox.0": {"$exists": True}}) == 0, 30,
                   what="every outbox emptied")
    finally:
        stop.set()
        thread.join(timeout=15)
    published: dict[str, list[str]] = {}
    for record in records:
        ids = published.setdefault(record.key.decode(), [])
        event_id = dict(record.headers)["ce_id"].decode()
        if event_id not in ids:  # a second publication is allowed; its first must keep the order
            ids.append(event_id)
    assert published == stored


def run_consumer(stack, prefix, handlers, inbox, retry=None, threads=1):  # type: ignore[no-untyped-def]
    dlq = mkafka.producer(stack.kafka, "motcua-tests-dlq")
    loop = mkafka.ConsumerLoop(kafka=stack.kafka, group=f"{prefix}-group",
                               topics=[qualified(t, prefix) for t in ("motcua.feedback.v1",)], handlers=handlers,
                               inbox=inbox, dlq_producer=dlq, retry=retry or mkafka.RetryPolicy(), threads=threads)
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
    thread.start()
    return stop, thread, dlq


def test_a_redelivered_event_has_no_second_effect(stack, mongo, producer, prefix):  # type: ignore[no-untyped-def]
    db = mongo[f"{prefix}_kernel"]
    effects = db["effects"]

    def handle(event: Event) -> None:
        effects.update_one({"_id": event.subject}, {"$inc": {"count": 1}}, upsert=True)

    first, sentinel = rating("D-1"), rating("D-sentinel")
    for event in (first, first, sentinel):  # the broker hands the same event over twice
        mkafka.publish(producer, event, prefix).get(timeout=10)
    stop, thread, dlq = run_consumer(stack, prefix, {FEEDBACK_SUBMITTED.name: handle}, Inbox(db["inbox"]))
    try:
        eventually(lambda: effects.find_one({"_id": "D-sentinel"}), 60, what="the sentinel to be handled")
    finally:
        stop.set()
        thread.join(15)
        dlq.close()
    assert effects.find_one({"_id": "D-1"})["count"] == 1
    assert db["inbox"].find_one({"_id": first.id})["type"] == FEEDBACK_SUBMITTED.name


def same_partition(first: str, count: int) -> list[str]:
    """Dossier codes whose events the producer sends to the same feedback partition as first's."""
    partitions = FEEDBACK_SUBMITTED.topic.partitions

    def partition(code: str) -> int:
        return (murmur2(code.encode()) & 0x7FFFFFFF) % partitions

    return [code for code in (f"D-{n}" for n in range(1000)) if partition(code) == partition(first)][:count]


def committed(stack, prefix: str) -> dict[int, int]:  # type: ignore[no-untyped-def]
    """The consumer group's committed offset per feedback partition."""
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    try:
        offsets = admin.list_group_offsets(f"{prefix}-group")[f"{prefix}-group"]
    finally:
        admin.close()
    return {tp.partition: meta.offset for tp, meta in offsets.items()}


def test_with_threads_a_waiting_dossier_holds_up_neither_its_partition_nor_its_own_order(stack, mongo, producer, prefix):  # type: ignore[no-untyped-def]
    db = mongo[f"{prefix}_kernel"]
    slow, fast = same_partition("D-slow", 1)[0], same_partition("D-slow", 2)[1]
    events = [rating(code, level) for code in (slow, fast) for level in (1, 2, 3)]
    for event in events:  # all in one partition, the slow dossier's first
        mkafka.publish(producer, event, prefix).get(timeout=10)
    fast_done = threading.Event()
    handled: list[tuple[str, int]] = []

    def handle(event: Event) -> None:
        if event.subject == slow:  # with one thread this would wait for good: the fast dossier is behind it
            assert fast_done.wait(30), "the other dossier of the partition was not handled meanwhile"
        handled.append((event.subject, event.payload.level))
        if handled.count((fast, 3)):
            fast_done.set()

    stop, thread, dlq = run_consumer(stack, prefix, {FEEDBACK_SUBMITTED.name: handle}, Inbox(db["inbox"]), threads=4)
    try:
        eventually(lambda: len(handled) == 6, 60, what="the six events handled")
        eventually(lambda: sorted(committed(stack, prefix).values()) == [6], 30, what="the batch committed")
    finally:
        stop.set()
        thread.join(15)
        dlq.close()
    assert handled[:3] == [(fast, 1), (fast, 2), (fast, 3)]
    assert handled[3:] == [(slow, 1), (slow, 2), (slow, 3)]


def test_a_stop_commits_a_partition_only_up_to_its_first_unhandled_event(stack, mongo, producer, prefix):  # type: ignore[no-untyped-def]
    db = mongo[f"{prefix}_kernel"]
    slow, other = same_partition("D-slow", 2)
    events = [rating(slow, 1), rating(other, 1), rating(slow, 2)]  # offsets 0, 1 and 2 of one partition
    for event in events:
        mkafka.publish(producer, event, prefix).get(timeout=10)
    release = threading.Event()
    handled: list[str] = []

    def handle(event: Event) -> None:
        if event.id == events[0].id:
            assert release.wait(30)
        handled.append(event.id)

    stop, thread, dlq = run_consumer(stack, prefix, {FEEDBACK_SUBMITTED.name: handle}, Inbox(db["inbox"]), threads=4)
    try:
        eventually(lambda: handled == [events[1].id], 60, what="the other dossier's event handled")
        stop.set()  # the slow dossier's first event is being handled; its second will be left for later
        release.set()
        thread.join(15)
    finally:
        stop.set()
        release.set()
        dlq.close()
    assert handled == [events[1].id, events[0].id]
    assert sorted(committed(stack, prefix).values()) == [2]  # redelivered from the slow dossier's second

    stop, thread, dlq = run_consumer(stack, prefix, {FEEDBACK_SUBMITTED.name: handle}, Inbox(db["inbox"]), threads=4)
    try:
        eventually(lambda: len(handled) == 3, 60, what="the event left unhandled")
    finally:
        stop.set()
        thread.join(15)
        dlq.close()
    assert handled[2] == events[2].id


def test_the_inbox_forgets_ids_older_than_its_retention_and_keeps_the_rest(mongo, prefix):  # type: ignore[no-untyped-def]
    inbox = Inbox(mongo[f"{prefix}_kernel"]["inbox"])
    old, recent = rating("D-old"), rating("D-recent")
    for event in (old, recent):
        inbox.mark(event)
    inbox.collection.update_one({"_id": old.id}, {"$set": {"at": datetime.now(UTC) - timedelta(days=31)}})
    assert inbox.prune(timedelta(days=30)) == 1
    assert not inbox.seen(old.id) and inbox.seen(recent.id)
    assert inbox.prune(timedelta(days=30)) == 0


def test_poison_and_failing_messages_land_in_the_dlq(stack, mongo, producer, prefix):  # type: ignore[no-untyped-def]
    db = mongo[f"{prefix}_kernel"]
    topic = qualified("motcua.feedback.v1", prefix)
    producer.send(topic, key=b"x", value=b"\x00not a cloudevent").get(timeout=10)
    failing = rating("D-fails")
    mkafka.publish(producer, failing, prefix).get(timeout=10)
    calls: list[str] = []

    def always_fails(event: Event) -> None:
        calls.append(event.id)
        raise RuntimeError("the database said no")

    stop, thread, dlq = run_consumer(stack, prefix, {FEEDBACK_SUBMITTED.name: always_fails}, Inbox(db["inbox"]),
                                     retry=mkafka.RetryPolicy(attempts=3, first_delay=0.05))
    try:
        records = read_all(stack.kafka_bootstrap, f"{topic}.dlq", want=2, timeout=60)
    finally:
        stop.set()
        thread.join(15)
        dlq.close()
    by_key = {r.key: dict(r.headers) for r in records}  # the two came from different partitions: no order
    poison, failed = by_key[b"x"], by_key[b"D-fails"]
    assert b"UndecodableEvent" in poison["motcua_dlq_error"] and b"missing CloudEvents headers" in poison["motcua_dlq_error"]
    assert poison["motcua_dlq_attempts"] == b"1"
    assert failed["motcua_dlq_error"] == b"RuntimeError: the database said no"
    assert failed["motcua_dlq_attempts"] == b"3" and failed["ce_id"] == failing.id.encode()
    assert calls == [failing.id] * 3
    assert db["inbox"].find_one({"_id": failing.id}) is None


def test_every_command_is_timed_by_name_and_collection(mongo, prefix):  # type: ignore[no-untyped-def]
    collection = mongo[f"{prefix}_kernel"][f"timed_{uuid.uuid4().hex[:8]}"]

    def count(command: str) -> float:
        return REGISTRY.get_sample_value("motcua_mongo_command_duration_seconds_count",
                                         {"command": command, "collection": collection.name}) or 0.0

    collection.insert_one({"_id": "a", "phone": "0912345678"})
    collection.find_one({"phone": "0912345678"})
    collection.update_one({"_id": "a"}, {"$set": {"status": 2}})
    assert (count("insert"), count("find"), count("update")) == (1, 1, 1)


def test_a_slow_command_is_logged_with_the_shape_of_its_filter_and_none_of_its_values(caplog) -> None:  # type: ignore[no-untyped-def]
    timer = store.CommandTimer(slow_ms=500)
    command = {"find": "dossiers", "filter": {"applicant.phone": "0912345678", "status": {"$in": [1, 2]}}}
    for request_id, took in ((1, timedelta(milliseconds=700)), (2, timedelta(milliseconds=20))):
        timer.started(monitoring.CommandStartedEvent(command, "motcua_intake", request_id, ("127.0.0.1", 27017), None))
        timer.succeeded(monitoring.CommandSucceededEvent(took, {"ok": 1}, "find", request_id, ("127.0.0.1", 27017), None))

    slow = [r for r in caplog.records if r.getMessage() == "slow MongoDB command"]
    assert [r.fields for r in slow] == [{"command": "find", "collection": "dossiers", "duration_ms": 700.0,
                                         "outcome": "ok",
                                         "filter_shape": {"applicant.phone": "str", "status": {"$in": ["int", "int"]}}}]
    assert "0912345678" not in repr(slow[0].__dict__)
