"""Kafka stops while dossiers are being submitted: every dossier still arrives, and is acted on once.

Intake keeps accepting dossiers during the outage (their events wait in the outbox); once the broker is
back, the relay publishes them and routing, whose consumer lost the broker too, assigns each dossier
exactly once. Both are observed through the topic, a public interface of the platform.
"""

from __future__ import annotations

import threading
from collections import defaultdict

import pytest
import requests
from kafka import KafkaConsumer
from motcua.kafka import ensure_topics

from tests.conftest import eventually
from tests.factories import clerk, dossier_body, pdf, upload

pytestmark = pytest.mark.stack
PREFIX = "outage"
RECEIVED = "vn.motcua.dossier.received.v1"
ASSIGNED = "vn.motcua.dossier.task_assigned.v1"


class Submitter(threading.Thread):
    """Submits dossiers one after another until told to stop, keeping the codes intake accepted."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.url = f"http://127.0.0.1:{port}/api/v1/dossiers"
        self.codes: list[str] = []
        self.failures: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        body = dossier_body(upload(self.url.removesuffix("/api/v1/dossiers"), pdf("outage"), clerk()), "2.000635")
        while not self.halt.is_set():
            try:
                response = requests.post(self.url, json=body, headers=clerk(), timeout=20)
            except requests.RequestException as error:
                self.failures.append(repr(error))
                continue
            if response.status_code == 201:
                self.codes.append(response.json()["code"])
            else:
                self.failures.append(response.text)
            self.halt.wait(0.05)

    def accepted_at_least(self, n: int) -> bool:
        return len(self.codes) >= n


@pytest.fixture
def services(stack):  # type: ignore[no-untyped-def]
    stack.prefix = PREFIX
    ensure_topics(stack.kafka, PREFIX)
    stack.start_service("intake", label="intake-outage")
    stack.start_service("routing", label="routing-outage")
    yield stack
    stack.stop("routing-outage")
    stack.stop("intake-outage")
    stack.prefix = ""


def test_dossiers_submitted_while_kafka_is_down_arrive_and_are_assigned_once(services):  # type: ignore[no-untyped-def]
    stack = services
    submitter = Submitter(stack.ports.http["intake"])
    submitter.start()
    try:
        eventually(lambda: submitter.accepted_at_least(5), 60, what="dossiers accepted before the outage")
        stack.stop("kafka")
        during = len(submitter.codes)
        eventually(lambda: submitter.accepted_at_least(during + 5), 60, what="dossiers accepted during the outage")
        stack.start_kafka()
        after = len(submitter.codes)
        eventually(lambda: submitter.accepted_at_least(after + 5), 60, what="dossiers accepted after it")
    finally:
        submitter.halt.set()
        submitter.join(30)
    assert submitter.failures == []
    codes = set(submitter.codes)
    assert len(codes) == len(submitter.codes) >= 15

    event_ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    consumer = KafkaConsumer(f"{PREFIX}.motcua.dossier.v1", bootstrap_servers=stack.kafka_bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False, group_id=None)

    def every_dossier_received_and_assigned() -> bool:
        for batch in consumer.poll(500).values():
            for record in batch:
                headers = dict(record.headers)
                event_ids[(headers["ce_type"].decode(), record.key.decode())].add(headers["ce_id"].decode())
        return all((kind, code) in event_ids for code in codes for kind in (RECEIVED, ASSIGNED))

    try:
        eventually(every_dossier_received_and_assigned, 180, interval=0.2, what="every dossier received and assigned")
    finally:
        consumer.close()
    for code in codes:
        assert len(event_ids[(RECEIVED, code)]) == 1, code
        assert len(event_ids[(ASSIGNED, code)]) == 1, code
