"""Kafka producer, topic set-up and the consumer loop: manual commit, bounded retry, dead-letter topic."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import takewhile

import grpc
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata, TopicPartition
from pymongo.errors import ConnectionFailure

from motcua import logs, metrics
from motcua.errors import DomainError
from motcua.events import Event, Position, UndecodableEvent
from motcua.inbox import Inbox
from motcua.settings import KafkaSettings
from motcua.topics import DLQ_PARTITIONS, TOPICS, qualified

log = logging.getLogger(__name__)
TRANSIENT_GRPC = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                            grpc.StatusCode.RESOURCE_EXHAUSTED})

Handler = Callable[[Event], None]
# Headers a dead letter carries besides the original ones: the error, where it came from, who gave up.
DLQ_HEADER_PREFIX = "motcua_dlq_"
DLQ_TOPIC_HEADER = f"{DLQ_HEADER_PREFIX}topic"


def producer(settings: KafkaSettings, client_id: str) -> KafkaProducer:
    """An idempotent producer that waits for all in-sync replicas."""
    return KafkaProducer(
        **settings.client_options(),
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        retries=2**31 - 1,
        max_in_flight_requests_per_connection=5,
        linger_ms=2,
        request_timeout_ms=15000,
        delivery_timeout_ms=60000,
    )


def ensure_topics(settings: KafkaSettings, prefix: str = "", replication_factor: int = 1) -> list[str]:
    """Create every topic and its DLQ if missing; returns the names created."""
    wanted = []
    for topic in TOPICS:
        wanted.append(NewTopic(qualified(topic.name, prefix), topic.partitions, replication_factor))
        wanted.append(NewTopic(qualified(topic.dlq, prefix), DLQ_PARTITIONS, replication_factor))
    admin = KafkaAdminClient(**settings.client_options(), client_id="motcua-topics")
    try:
        existing = set(admin.list_topics())
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
        return [t.name for t in missing]
    finally:
        admin.close()


def is_transient(error: Exception) -> bool:
    """An outage of a dependency (database, peer service): retried until it is back, never dead-lettered."""
    if isinstance(error, (ConnectionFailure, KafkaError)):
        return True
    return isinstance(error, grpc.RpcError) and error.code() in TRANSIENT_GRPC  # type: ignore[attr-defined]


def publish(kafka: KafkaProducer, event: Event, prefix: str = "", topic: str | None = None,
            extra_headers: Iterable[tuple[str, bytes]] = ()):
    """Send one event keyed by its subject; returns the send future."""
    return kafka.send(
        topic or qualified(event.type.topic.name, prefix),
        key=event.subject.encode(),
        value=event.payload.SerializeToString(deterministic=True),
        headers=[*event.headers(), *extra_headers],
    )


@dataclass
class RetryPolicy:
    """How often and how patiently a failing message is retried before it goes to the DLQ."""

    attempts: int = 5
    first_delay: float = 0.2
    max_delay: float = 5.0

    def delay(self, attempt: int) -> float:
        return min(self.first_delay * 2 ** (attempt - 1), self.max_delay)


@dataclass
class ConsumerLoop:
    """Reads a service's topics, exactly once in effect through the inbox.

    With threads > 1 the records of a polled batch are handled in lanes, one per partition and key, at most
    `threads` lanes at once: the events of one key (a dossier) keep their order, and a handler waiting for
    the database no longer holds up the other dossiers of its partition. A handler that needs the order of
    a whole partition (a fold that remembers offsets) runs with threads = 1. Offsets are committed once the
    batch is done, up to the first record a stop left unhandled in each partition.
    """

    kafka: KafkaSettings
    group: str
    topics: list[str]
    handlers: dict[str, Handler]
    inbox: Inbox
    dlq_producer: KafkaProducer
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    poll_timeout_ms: int = 500
    max_poll_records: int = 200
    member: int = 0  # which of the process's loops in this group (MOTCUA_CONSUMERS); names the Kafka client
    threads: int = 1  # lanes handled at once (MOTCUA_CONSUMER_THREADS where the handlers allow it)
    ready: threading.Event = field(default_factory=threading.Event)
    _lag_topics: set[str] = field(default_factory=set, init=False, repr=False)

    def run(self, stop: threading.Event) -> None:
        """Poll, handle and commit until stop is set; a broker outage rebuilds the consumer after a backoff."""
        lanes = ThreadPoolExecutor(self.threads, thread_name_prefix=f"{self.group}-{self.member}-lane") \
            if self.threads > 1 else None
        failures = 0
        try:
            while not stop.is_set():
                failures = self._session(stop, lanes, failures)
                if failures:
                    stop.wait(self.retry.delay(failures))
        finally:
            if lanes is not None:
                lanes.shutdown(wait=True, cancel_futures=True)

    def _session(self, stop: threading.Event, lanes: Executor | None, failures: int) -> int:
        """One consumer, from its creation until stop or a lost broker; returns the broker failures in a row."""
        consumer = None
        try:
            consumer = self._consumer()
            for _ in self._batches(consumer, stop, lanes):
                failures = 0
        except KafkaError as error:
            failures += 1
            metrics.consumer_errors.labels(self.group).inc()
            log.warning("consumer %s lost the broker (%r); reconnecting, attempt %d", self.group, error, failures)
        finally:
            if consumer is not None:
                self._close(consumer)
            self._forget_lag(self._lag_topics)
        return failures

    def _consumer(self) -> KafkaConsumer:
        return KafkaConsumer(
            *self.topics,
            **self.kafka.client_options(),
            group_id=self.group,
            client_id=f"{self.group}-{self.member}" if self.member else self.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.max_poll_records,
        )

    def _batches(self, consumer: KafkaConsumer, stop: threading.Event, lanes: Executor | None) -> Iterator[int]:
        """Handle and commit one polled batch at a time, yielding the number of partitions committed."""
        while not stop.is_set():
            batch = consumer.poll(timeout_ms=self.poll_timeout_ms)
            if consumer.assignment():
                self.ready.set()
            offsets = self._handle_batch(batch, stop, lanes)
            if offsets:
                consumer.commit(offsets)
            self._report_lag(consumer)
            yield len(offsets)

    def _handle_batch(self, batch: dict[TopicPartition, list[ConsumerRecord]], stop: threading.Event,
                      lanes: Executor | None) -> dict[TopicPartition, OffsetAndMetadata]:
        """Handle a polled batch; returns, per partition, the offset after its records handled without a gap."""
        by_lane: dict[Hashable, list[ConsumerRecord]] = {}
        for partition, records in batch.items():
            for record in records:
                by_lane.setdefault(partition if lanes is None else (partition, record.key), []).append(record)
        if lanes is None:
            counts = [self._handle_lane(records, stop) for records in by_lane.values()]
        else:
            futures = [lanes.submit(self._handle_lane, records, stop) for records in by_lane.values()]
            counts = [future.result() for future in futures]
        handled = {(r.topic, r.partition, r.offset)
                   for records, count in zip(by_lane.values(), counts, strict=True) for r in records[:count]}
        offsets = {}
        for partition, records in batch.items():
            done = list(takewhile(lambda r: (r.topic, r.partition, r.offset) in handled, records))
            if done:
                offsets[partition] = OffsetAndMetadata(done[-1].offset + 1, None, -1)
        return offsets

    def _handle_lane(self, records: list[ConsumerRecord], stop: threading.Event) -> int:
        """Handle records in order until stop is set; returns how many were handled."""
        for count, record in enumerate(records):
            if stop.is_set():
                return count
            self._handle(record, stop)
        return len(records)

    @staticmethod
    def _close(consumer: KafkaConsumer) -> None:
        try:
            consumer.close(autocommit=False)
        except KafkaError as error:
            log.info("consumer closed uncleanly: %r", error)

    def _handle(self, record: ConsumerRecord, stop: threading.Event) -> None:
        started = time.perf_counter()
        outcome = self._outcome(record, stop)
        metrics.consumed.labels(record.topic, self.group, outcome).inc()
        metrics.consume_latency.labels(record.topic, self.group).observe(time.perf_counter() - started)

    def _outcome(self, record: ConsumerRecord, stop: threading.Event) -> str:
        try:
            event = Event.from_record(record.headers, record.value,
                                      Position(record.topic, record.partition, record.offset))
        except UndecodableEvent as error:
            self._dead_letter(record, error, attempts=1)
            return "dead_lettered"
        handler = self.handlers.get(event.type.name)
        if handler is None:
            return "ignored"
        with logs.bound(event_id=event.id, dossier=event.subject):
            if self.inbox.seen(event.id):
                return "duplicate"
            attempt = 0
            while True:
                attempt += 1
                try:
                    handler(event)
                    self.inbox.mark(event)
                    return "handled"
                except DomainError as error:
                    log.warning("event refused by its handler: %s", error)
                    self._dead_letter(record, error, attempts=attempt)
                    return "dead_lettered"
                except Exception as error:
                    transient = is_transient(error)
                    log.warning("handling failed (attempt %d%s): %r", attempt,
                                "" if transient else f" of {self.retry.attempts}", error)
                    if stop.wait(self.retry.delay(min(attempt, 30))):
                        raise
                    if not transient and attempt >= self.retry.attempts:
                        self._dead_letter(record, error, attempts=attempt)
                        return "dead_lettered"

    def _dead_letter(self, record: ConsumerRecord, error: Exception, attempts: int) -> None:
        headers = [
            *[(k, v) for k, v in record.headers or () if not k.startswith(DLQ_HEADER_PREFIX)],
            ("motcua_dlq_error", f"{type(error).__name__}: {error}".encode()[:4000]),
            (DLQ_TOPIC_HEADER, record.topic.encode()),
            ("motcua_dlq_partition", str(record.partition).encode()),
            ("motcua_dlq_offset", str(record.offset).encode()),
            ("motcua_dlq_attempts", str(attempts).encode()),
            ("motcua_dlq_group", self.group.encode()),
        ]
        self.dlq_producer.send(f"{record.topic}.dlq", key=record.key, value=record.value, headers=headers).get(
            timeout=30
        )
        metrics.dead_lettered.labels(record.topic, self.group).inc()
        log.error("message sent to %s.dlq after %d attempt(s): %s", record.topic, attempts, error)

    def _report_lag(self, consumer: KafkaConsumer) -> None:
        """Report the lag of each topic this consumer is assigned; forget the topics a rebalance took away."""
        assignment = consumer.assignment()
        lag_by_topic: dict[str, int] = {}
        for partition in assignment:
            end = consumer.highwater(partition)
            if end is None:
                continue
            position = consumer.position(partition)
            lag_by_topic[partition.topic] = lag_by_topic.get(partition.topic, 0) + max(end - position, 0)
        for topic, lag in lag_by_topic.items():
            LAG.report(topic, self.group, id(self), lag)
        self._forget_lag(self._lag_topics - {partition.topic for partition in assignment})
        self._lag_topics |= lag_by_topic.keys()

    def _forget_lag(self, topics: set[str]) -> None:
        for topic in list(topics):
            LAG.forget(topic, self.group, id(self))
            self._lag_topics.discard(topic)


class LagBoard:
    """The lag reported by each consumer loop of this process, summed per topic and group into the gauge.

    A process may run several loops in one group (`MOTCUA_CONSUMERS`), each assigned some partitions: the
    gauge must say what the process as a whole is behind, and lose a topic only when no loop reads it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lags: dict[tuple[str, str], dict[int, int]] = {}

    def report(self, topic: str, group: str, loop: int, lag: int) -> None:
        with self._lock:
            members = self._lags.setdefault((topic, group), {})
            members[loop] = lag
            metrics.consumer_lag.labels(topic, group).set(sum(members.values()))

    def forget(self, topic: str, group: str, loop: int) -> None:
        with self._lock:
            members = self._lags.get((topic, group))
            if members is None or members.pop(loop, None) is None:
                return
            if members:
                metrics.consumer_lag.labels(topic, group).set(sum(members.values()))
                return
            del self._lags[(topic, group)]
            metrics.consumer_lag.remove(topic, group)


LAG = LagBoard()
