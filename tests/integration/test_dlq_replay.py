"""`python -m motcua.dlq` against the real broker: a dead letter replayed once its cause is fixed takes
effect once, and replaying it again changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from kafka import KafkaConsumer, TopicPartition
from motcua import kafka as mkafka
from motcua import store
from motcua.errors import NotFound
from motcua.events import Event
from motcua.inbox import Inbox
from motcua.topics import FEEDBACK_SUBMITTED, qualified
from prometheus_client import REGISTRY
from pymongo.collection import Collection

from tests.conftest import eventually
from tests.integration.test_kernel import rating

pytestmark = pytest.mark.stack


def dlq(stack, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """Run the command as an operator would, with the services' Kafka variables."""
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap}
    return subprocess.run([sys.executable, "-m", "motcua.dlq", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def end_offset(stack, topic: str) -> int:  # type: ignore[no-untyped-def]
    consumer = KafkaConsumer(**stack.kafka.client_options(), group_id=None)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


@dataclass
class Ratings:
    """A handler that refuses ratings of unknown dossiers until the dossier is known: a bug, then its fix."""

    effects: Collection
    known: set[str] = field(default_factory=set)

    def handle(self, event: Event) -> None:
        if event.subject not in self.known:
            raise NotFound(detail=f"no dossier {event.subject}", reason="DOSSIER_NOT_FOUND")
        self.effects.update_one({"_id": event.subject}, {"$inc": {"ratings": 1}}, upsert=True)


@pytest.fixture
def consumer(stack, prefix) -> Iterator[tuple[Ratings, str]]:  # type: ignore[no-untyped-def]
    mongo = store.connect(stack.mongo_url, "motcua-tests")
    db = mongo[f"{prefix}_dlq"]
    ratings = Ratings(db["effects"])
    group = f"{prefix}-group"
    producer = mkafka.producer(stack.kafka, "motcua-tests-dlq")
    loop = mkafka.ConsumerLoop(kafka=stack.kafka, group=group, topics=[qualified("motcua.feedback.v1", prefix)],
                               handlers={FEEDBACK_SUBMITTED.name: ratings.handle}, inbox=Inbox(db["inbox"]),
                               dlq_producer=producer)
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield ratings, group
    finally:
        stop.set()
        thread.join(15)
        producer.close()
        mongo.close()


def consumed(topic: str, group: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("motcua_kafka_messages_consumed_total",
                                     {"topic": topic, "group": group, "outcome": outcome}) or 0.0


def test_a_dead_letter_replayed_after_the_fix_takes_effect_once(stack, prefix, consumer):  # type: ignore[no-untyped-def]
    ratings, group = consumer
    topic = qualified("motcua.feedback.v1", prefix)
    event = rating("000.00.12.H56-260302-0001")
    with mkafka.producer(stack.kafka, "motcua-tests") as producer:
        mkafka.publish(producer, event, prefix).get(timeout=10)
    eventually(lambda: end_offset(stack, f"{topic}.dlq") == 1, 60, what="the rating to be dead-lettered")

    listed = dlq(stack, "list", "--topic", f"{topic}.dlq")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0] == f"{topic}.dlq: offsets 0 to 0 (1 dead letters)"
    assert listed.stdout.splitlines()[2].startswith(
        f"0\t{topic}\tvn.motcua.feedback.submitted.v1\t{event.id}\t1\tNotFound: no dossier 000.00.12.H56-260302-0001")

    dry = dlq(stack, "replay", "--topic", f"{topic}.dlq", "--from", "0", "--to", "0", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would replay 1 of 1 dead letters of {topic}.dlq (offsets 0 to 0): 1 to {topic}; skipped 0" in dry.stdout
    assert end_offset(stack, topic) == 1

    ratings.known.add(event.subject)  # the fix is deployed
    replayed = dlq(stack, "replay", "--topic", f"{topic}.dlq", "--from", "0", "--to", "0")
    assert replayed.returncode == 0, replayed.stderr
    assert f"replayed 1 of 1 dead letters of {topic}.dlq (offsets 0 to 0): 1 to {topic}; skipped 0" in replayed.stdout
    eventually(lambda: ratings.effects.find_one({"_id": event.subject}), 60, what="the replayed rating to be handled")
    assert consumed(topic, group, "handled") == 1

    again = dlq(stack, "replay", "--topic", f"{topic}.dlq", "--from", "0", "--to", "0")
    assert again.returncode == 0, again.stderr
    eventually(lambda: consumed(topic, group, "duplicate") == 1, 60, what="the second replay to be seen as a duplicate")
    assert ratings.effects.find_one({"_id": event.subject})["ratings"] == 1
    assert consumed(topic, group, "handled") == 1 and end_offset(stack, f"{topic}.dlq") == 1


def test_unknown_topics_and_bad_ranges_are_refused_clearly(stack, prefix):  # type: ignore[no-untyped-def]
    dead = qualified("motcua.feedback.v1.dlq", prefix)
    missing = dlq(stack, "list", "--topic", f"{prefix}.nothing.v1.dlq")
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"motcua.dlq: no topic {prefix}.nothing.v1.dlq on the brokers at {stack.kafka_bootstrap}"
    empty = dlq(stack, "replay", "--topic", dead, "--from", "0", "--to", "0")
    assert empty.returncode == 2 and empty.stderr.strip() == f"motcua.dlq: {dead} holds no dead letters (next offset 0)"

    with mkafka.producer(stack.kafka, "motcua-tests") as producer:
        for _ in range(2):
            producer.send(dead, key=b"k", value=b"not a dead letter of motcua").get(timeout=10)
    reversed_range = dlq(stack, "replay", "--topic", dead, "--from", "1", "--to", "0")
    assert reversed_range.returncode == 2 and "--from 1 is after --to 0" in reversed_range.stderr
    past = dlq(stack, "replay", "--topic", dead, "--from", "0", "--to", "5")
    assert past.returncode == 2
    assert past.stderr.strip() == f"motcua.dlq: --to 5 is past the last dead letter: {dead} holds offsets 0 to 1"
    foreign = dlq(stack, "replay", "--topic", dead, "--from", "0", "--to", "1")
    assert foreign.returncode == 1
    assert "offset 0: no motcua_dlq_topic header, not a motcua dead letter: skipped" in foreign.stdout
    assert "replayed 0 of 2 dead letters" in foreign.stdout and "skipped 2" in foreign.stdout
