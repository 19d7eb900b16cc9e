"""The consumer lag gauge follows the partitions a consumer holds, through rebalances."""

from __future__ import annotations

from kafka.structs import TopicPartition
from motcua.kafka import ConsumerLoop
from motcua.settings import KafkaSettings
from prometheus_client import REGISTRY

GROUP = "motcua-lag-test"


class FakeConsumer:
    """The three questions the loop asks a KafkaConsumer about its partitions."""

    def __init__(self, ends: dict[TopicPartition, int], positions: dict[TopicPartition, int]) -> None:
        self.ends = ends
        self.positions = positions

    def assignment(self) -> set[TopicPartition]:
        return set(self.positions)

    def highwater(self, partition: TopicPartition) -> int | None:
        return self.ends.get(partition)

    def position(self, partition: TopicPartition) -> int:
        return self.positions[partition]


def lag(topic: str) -> float | None:
    return REGISTRY.get_sample_value("motcua_kafka_consumer_lag", {"topic": topic, "group": GROUP})


def loop() -> ConsumerLoop:
    return ConsumerLoop(kafka=KafkaSettings("127.0.0.1:1"), group=GROUP, topics=["a", "b"], handlers={},
                        inbox=None, dlq_producer=None)  # type: ignore[arg-type]


def test_lag_is_summed_per_topic_over_the_assigned_partitions():
    a0, a1, b0 = TopicPartition("a", 0), TopicPartition("a", 1), TopicPartition("b", 0)
    loop()._report_lag(FakeConsumer({a0: 10, a1: 7, b0: 3}, {a0: 4, a1: 7, b0: 3}))
    assert (lag("a"), lag("b")) == (6.0, 0.0)


def test_a_topic_taken_away_by_a_rebalance_stops_being_reported():
    consumer_loop = loop()
    a0, b0, b1 = TopicPartition("a", 0), TopicPartition("b", 0), TopicPartition("b", 1)
    consumer_loop._report_lag(FakeConsumer({a0: 5, b0: 9}, {a0: 1, b0: 2}))
    assert (lag("a"), lag("b")) == (4.0, 7.0)

    consumer_loop._report_lag(FakeConsumer({a0: 5, b1: 3}, {a0: 5, b1: 1}))  # b0 revoked, b1 assigned
    assert (lag("a"), lag("b")) == (0.0, 2.0)

    consumer_loop._report_lag(FakeConsumer({a0: 8}, {a0: 5}))  # every partition of b revoked
    assert (lag("a"), lag("b")) == (3.0, None)


def test_a_topic_whose_end_is_not_known_yet_keeps_its_last_value():
    consumer_loop = loop()
    a0 = TopicPartition("a", 0)
    consumer_loop._report_lag(FakeConsumer({a0: 5}, {a0: 1}))
    consumer_loop._report_lag(FakeConsumer({}, {a0: 1}))
    assert lag("a") == 4.0


def test_a_rebuilt_consumer_starts_with_no_lag_reported():
    consumer_loop = loop()
    a0 = TopicPartition("a", 0)
    consumer_loop._report_lag(FakeConsumer({a0: 5}, {a0: 1}))
    consumer_loop._forget_lag(consumer_loop._lag_topics)
    assert lag("a") is None and consumer_loop._lag_topics == set()
