"""The consumer lag gauge, computed from a real consumer's partitions on the broker, follows reassignments."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import TopicPartition
from motcua.kafka import ConsumerLoop
from prometheus_client import REGISTRY

from tests.conftest import eventually

pytestmark = pytest.mark.stack
GROUP = "motcua-lag-test"


@pytest.fixture
def topics(stack, prefix) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Two topics with known ends: dossier partitions 0 and 1 hold 5 and 3 messages, document partition 0 holds 4."""
    dossier, document = f"{prefix}.motcua.dossier.v1", f"{prefix}.motcua.document.v1"
    producer = KafkaProducer(**stack.kafka.client_options())
    for topic, partition, count in ((dossier, 0, 5), (dossier, 1, 3), (document, 0, 4)):
        for i in range(count):
            producer.send(topic, value=f"m{i}".encode(), partition=partition)
    producer.flush(timeout=30)
    producer.close()
    return dossier, document


@pytest.fixture
def holding(stack) -> Iterator[Callable[[dict[TopicPartition, int]], KafkaConsumer]]:  # type: ignore[no-untyped-def]
    """Consumers that each hold exactly the given partitions, standing at the given offsets, as a rebalance
    would leave a group member."""
    consumers: list[KafkaConsumer] = []

    def hold(positions: dict[TopicPartition, int]) -> KafkaConsumer:
        consumer = KafkaConsumer(**stack.kafka.client_options(), group_id=None, enable_auto_commit=False)
        consumers.append(consumer)
        at(consumer, positions)
        return consumer

    yield hold
    for consumer in consumers:
        consumer.close()


def at(consumer: KafkaConsumer, positions: dict[TopicPartition, int]) -> None:
    """Assign the partitions, learn their ends from the broker, then stand at the given offsets."""
    consumer.assign(list(positions))

    def ends_known() -> bool:
        consumer.poll(timeout_ms=200)
        return all(consumer.highwater(p) is not None for p in positions)

    eventually(ends_known, 30, interval=0.05, what="the partitions' ends")
    for partition, offset in positions.items():
        consumer.seek(partition, offset)


def lag(topic: str) -> float | None:
    return REGISTRY.get_sample_value("motcua_kafka_consumer_lag", {"topic": topic, "group": GROUP})


def loop(stack, topics: tuple[str, str]) -> ConsumerLoop:  # type: ignore[no-untyped-def]
    return ConsumerLoop(kafka=stack.kafka, group=GROUP, topics=list(topics), handlers={},
                        inbox=None, dlq_producer=None)  # type: ignore[arg-type]


def test_lag_is_summed_per_topic_and_a_topic_taken_away_stops_being_reported(stack, topics, holding):  # type: ignore[no-untyped-def]
    dossier, document = topics
    d0, d1, p0 = TopicPartition(dossier, 0), TopicPartition(dossier, 1), TopicPartition(document, 0)
    consumer_loop = loop(stack, topics)

    consumer_loop._report_lag(holding({d0: 1, d1: 3, p0: 0}))
    assert (lag(dossier), lag(document)) == (4.0, 4.0)

    consumer_loop._report_lag(holding({d1: 0, p0: 2}))  # dossier partition 0 moved to another member
    assert (lag(dossier), lag(document)) == (3.0, 2.0)

    consumer_loop._report_lag(holding({d0: 5}))  # every partition of the document topic moved away
    assert (lag(dossier), lag(document)) == (0.0, None)


def test_a_rebuilt_consumer_starts_with_no_lag_reported(stack, topics, holding):  # type: ignore[no-untyped-def]
    dossier, _ = topics
    consumer_loop = loop(stack, topics)
    consumer_loop._report_lag(holding({TopicPartition(dossier, 0): 2}))
    assert lag(dossier) == 3.0
    consumer_loop._forget_lag(consumer_loop._lag_topics)
    assert lag(dossier) is None and consumer_loop._lag_topics == set()


def test_a_topic_whose_end_is_not_known_yet_keeps_its_last_value(stack, topics, holding):  # type: ignore[no-untyped-def]
    dossier, _ = topics
    d0 = TopicPartition(dossier, 0)
    consumer_loop = loop(stack, topics)
    consumer_loop._report_lag(holding({d0: 1}))
    assert lag(dossier) == 4.0
    fresh = KafkaConsumer(**stack.kafka.client_options(), group_id=None, enable_auto_commit=False)
    try:
        fresh.assign([d0])
        fresh.seek(d0, 1)  # assigned but not fetched yet: the broker has not told it the partition's end
        assert fresh.highwater(d0) is None
        consumer_loop._report_lag(fresh)
    finally:
        fresh.close()
    assert lag(dossier) == 4.0


def test_loops_of_one_process_in_one_group_add_up_and_the_gauge_stays_until_the_last_lets_go(stack, topics, holding):  # type: ignore[no-untyped-def]
    dossier, _ = topics
    d0, d1 = TopicPartition(dossier, 0), TopicPartition(dossier, 1)
    first, second = loop(stack, topics), loop(stack, topics)  # MOTCUA_CONSUMERS=2: the partitions split between them

    first._report_lag(holding({d0: 1}))
    second._report_lag(holding({d1: 1}))
    assert lag(dossier) == 4.0 + 2.0

    first._forget_lag(first._lag_topics)  # rebuilt after losing the broker
    assert lag(dossier) == 2.0
    second._report_lag(holding({d1: 3}))
    assert lag(dossier) == 0.0
    second._forget_lag(second._lag_topics)
    assert lag(dossier) is None
