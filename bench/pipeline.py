"""The event pipeline seen from Kafka: consumer lag of the services' groups and dead-lettered messages."""

from __future__ import annotations

import threading
import time
from typing import Self

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


class LagWatch:
    """Each service's consumer lag, sampled every second while a scenario runs: its peak and its last value."""

    def __init__(self, pipeline: Pipeline, interval: float = 1.0) -> None:
        self.pipeline = pipeline
        self.interval = interval
        self.peak: dict[str, int] = {}
        self.last: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-lag", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def summary(self) -> dict[str, dict[str, int]]:
        return {service: {"peak": self.peak[service], "at_end": self.last[service]} for service in self.last}

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        self.last = self.pipeline.lag(self.pipeline.ends())
        for service, lag in self.last.items():
            self.peak[service] = max(lag, self.peak.get(service, 0))
