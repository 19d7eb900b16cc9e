"""The event pipeline seen from Kafka: consumer lag of the services' groups and dead-lettered messages."""

from __future__ import annotations

import threading
import time

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from motcua.topics import CONSUMES, TOPICS, group_id, qualified


class Pipeline:
    def __init__(self, bootstrap: str, prefix: str) -> None:
        self.prefix = prefix
        self.admin = KafkaAdminClient(bootstrap_servers=bootstrap.split(","), client_id="bench-pipeline")
        self.offsets = KafkaConsumer(bootstrap_servers=bootstrap.split(","), client_id="bench-offsets",
                                     enable_auto_commit=False)

    def close(self) -> None:
        self.offsets.close()
        self.admin.close()

    def _partitions(self, topics: list[str]) -> list[TopicPartition]:
        found = []
        for topic in topics:
            for partition in self.offsets.partitions_for_topic(topic) or ():
                found.append(TopicPartition(topic, partition))
        return found

    def ends(self) -> dict[TopicPartition, int]:
        """The end offset of every partition of the platform's topics."""
        names = [qualified(t.name, self.prefix) for t in TOPICS]
        return dict(self.offsets.end_offsets(self._partitions(names)))

    def lag(self, ends: dict[TopicPartition, int]) -> dict[str, int]:
        """Messages each service's consumer group has not yet committed, given the end offsets."""
        groups = {service: qualified(group_id(service), self.prefix) for service in CONSUMES}
        offsets = self.admin.list_group_offsets(list(groups.values()))
        lags = {}
        for service, topics in CONSUMES.items():
            committed = offsets.get(groups[service], {})
            names = {qualified(t.name, self.prefix) for t in topics}
            lags[service] = sum(max(end - (max(committed[tp].offset, 0) if tp in committed else 0), 0)
                                for tp, end in ends.items() if tp.topic in names)
        return lags

    def dead_lettered(self) -> int:
        """Messages on the dead-letter topics."""
        names = [qualified(t.dlq, self.prefix) for t in TOPICS]
        return sum(self.offsets.end_offsets(self._partitions(names)).values())

    def settle(self, timeout: float, stop: threading.Event) -> tuple[bool, float, dict[str, int]]:
        """Wait until no group lags and no new event was published for a second; (settled, seconds, lag)."""
        started = time.monotonic()
        deadline = started + timeout
        previous: dict[TopicPartition, int] | None = None
        lag: dict[str, int] = {}
        while time.monotonic() < deadline and not stop.is_set():
            ends = self.ends()
            lag = self.lag(ends)
            if previous == ends and not any(lag.values()):
                return True, time.monotonic() - started, lag
            previous = ends
            stop.wait(1.0)
        return False, time.monotonic() - started, lag
