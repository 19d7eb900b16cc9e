"""The stack's own limits: a bare Flask + pymongo insert, and a bare Kafka produce and consume."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError
from motcua.kafka import producer
from motcua.settings import KafkaSettings
from motcua.topics import DOSSIER

from bench.config import ROOT, http_ok, wait_for
from bench.load import HttpClient, Outcome, expect, run_load
from bench.report import Result

MESSAGE_BYTES = 300
WARM_UP_MESSAGES = 12
WARM_UP, TIMED = b"w", b"t"


def free_port() -> int:
    """A port nothing listens on now. Chosen late rather than fixed: by the time the baseline runs, the
    stack has opened thousands of connections whose local ports come from the same range (32768-60999)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def flask_app(*, port: int, mongo_url: str, database: str, logs: Path) -> Iterator[subprocess.Popen]:
    """The baseline app in its own process, stopped on the way out whatever happens."""
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / "baseline.log"
    with log.open("ab") as handle:
        proc = subprocess.Popen([sys.executable, "-m", "bench.baseline_app", "--port", str(port), "--mongo-url",
                                 mongo_url, "--database", database], stdout=handle, stderr=subprocess.STDOUT,
                                cwd=ROOT, start_new_session=True)
    try:
        wait_for(lambda: http_ok(f"http://127.0.0.1:{port}/healthz"), "the baseline app", 30, proc, log)
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def flask_pymongo(*, port: int, n: int, concurrency: int, body: Callable[[int], bytes],
                  stop: threading.Event) -> Result:
    """The same dossier bodies, posted at the same concurrency, each stored by one insert_one."""
    headers = {"Content-Type": "application/json"}

    def job(client: HttpClient, i: int) -> Outcome:
        status, answer = client.request("POST", "/items", body(i), headers)
        return expect(status, answer, 201) or Outcome(True)

    load = run_load(job, n=n, concurrency=concurrency, host="127.0.0.1", port=port, stop=stop)
    return Result.from_load("baseline.flask_pymongo", load)


def _create_topic(kafka: KafkaSettings, name: str, partitions: int) -> None:
    admin = KafkaAdminClient(**kafka.client_options(), client_id="bench-topics")
    try:
        admin.create_topics([NewTopic(name, partitions, 1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


def kafka_roundtrip(*, kafka: KafkaSettings, prefix: str, n: int, stop: threading.Event, timeout: float = 120) -> Result:
    """N messages of ~300 bytes through the platform's producer settings and a plain consumer.

    The topic has the dossier topic's partition count; each message carries its send time, so the
    latency is produce -> consume within this process. A few messages go first, untimed, so that the
    producer's and the consumer's start-up (metadata, producer id, first fetch) is not counted, as it
    is not for the services' long-running clients.
    """
    topic = f"{prefix}.bench.roundtrip"
    _create_topic(kafka, topic, DOSSIER.partitions)
    consumer = KafkaConsumer(**kafka.client_options(), client_id="bench-roundtrip", enable_auto_commit=False)
    partitions = [TopicPartition(topic, p) for p in range(DOSSIER.partitions)]
    consumer.assign(partitions)
    consumer.seek_to_end()
    for partition in partitions:
        consumer.position(partition)  # resolve the end offsets now, before anything is produced
    warmed = threading.Event()
    latencies: list[float] = []
    received_at: list[float] = []

    def consume() -> None:
        deadline = time.monotonic() + timeout
        warm = 0
        while len(latencies) < n and time.monotonic() < deadline and not stop.is_set():
            for records in consumer.poll(timeout_ms=200).values():
                now = time.perf_counter()
                for record in records:
                    if record.value[:1] == WARM_UP:
                        warm += 1
                        if warm == WARM_UP_MESSAGES:
                            warmed.set()
                        continue
                    latencies.append(now - struct.unpack_from("!d", record.value, 1)[0])
                    received_at.append(now)

    reader = threading.Thread(target=consume, name="roundtrip-consumer", daemon=True)
    reader.start()
    sender = producer(kafka, "bench-roundtrip")
    filler = b"x" * (MESSAGE_BYTES - 9)
    try:
        for i in range(WARM_UP_MESSAGES):
            sender.send(topic, key=f"warm-up-{i}".encode(), value=WARM_UP + filler)
        sender.flush(timeout=60)
        warmed.wait(timeout=30)
        cpu = time.process_time()
        first_send = time.perf_counter()
        for i in range(n):
            if stop.is_set():
                break
            sender.send(topic, key=f"bench-{i:08d}".encode(),
                       value=TIMED + struct.pack("!d", time.perf_counter()) + filler)
        sender.flush(timeout=60)
        while reader.is_alive():
            reader.join(timeout=0.5)
    finally:
        sender.close(timeout=10)
        consumer.close()
    seconds = max((max(received_at) if received_at else time.perf_counter()) - first_send, 1e-9)
    return Result("baseline.kafka_roundtrip", n, len(latencies), n - len(latencies), len(latencies) / seconds,
                  [latency * 1000 for latency in latencies], None,
                  {"seconds": round(seconds, 3), "client_cpu_percent": round(100 * (time.process_time() - cpu) / seconds),
                   "message_bytes": MESSAGE_BYTES})
