"""Feedback run alone against the test stack, and what its tests share: publishing the upstream events,
reading feedback's own topic, officials' tokens. Fixtures are bound into each test module by name."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer, KafkaProducer
from motcua import kafka as mkafka
from motcua.events import Event, timestamp
from motcua.topics import DOSSIER_RECEIVED, qualified
from motcua.v1 import common_pb2, events_pb2

from tests.conftest import eventually
from tests.factories import bearer

PREFIX = "fdb"
AGENCY = "000.00.12.H56"
RATE_LIMIT = 15
SEQUENCE = itertools.count(1)


@pytest.fixture(scope="module")
def feedback(stack) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with_env = {"MOTCUA_FEEDBACK_RATE_LIMIT": str(RATE_LIMIT), "MOTCUA_FEEDBACK_TRUSTED_PROXIES": "1",
                "MOTCUA_FEEDBACK_AGENCY_POLICIES": f"{AGENCY}=3:attitude", "MOTCUA_FEEDBACK_INDEX_CACHE_SECONDS": "0"}
    stack.prefix = PREFIX
    mkafka.ensure_topics(stack.kafka, PREFIX)
    try:
        stack.start_service("feedback", label=f"feedback-{PREFIX}", env=with_env)
        yield f"http://127.0.0.1:{stack.ports.http['feedback']}"
    finally:
        stack.stop(f"feedback-{PREFIX}")
        stack.prefix = ""


class Topic:
    """Everything feedback published on its topic, read from the beginning as it arrives."""

    def __init__(self, consumer: KafkaConsumer) -> None:
        self.consumer = consumer
        self.events: list[Event] = []

    def find(self, match: Callable[[Event], bool], what: str) -> Event:
        def look() -> Event | None:
            for records in self.consumer.poll(300).values():
                self.events += [Event.from_record(r.headers, r.value) for r in records]
            return next((e for e in self.events if match(e)), None)

        return eventually(look, 30, what=what)


@pytest.fixture(scope="module")
def topic(stack, feedback) -> Iterator[Topic]:  # type: ignore[no-untyped-def]
    consumer = KafkaConsumer(qualified("motcua.feedback.v1", PREFIX), **stack.kafka.client_options(),
                             auto_offset_reset="earliest", enable_auto_commit=False, group_id=None)
    yield Topic(consumer)
    consumer.close()


@pytest.fixture(scope="module")
def producer(stack) -> Iterator[KafkaProducer]:  # type: ignore[no-untyped-def]
    p = mkafka.producer(stack.kafka, "motcua-tests")
    yield p
    p.close()


def new_code(agency: str = AGENCY) -> str:
    return f"{agency}-260302-{next(SEQUENCE):04d}"


def receive(producer: KafkaProducer, *, agency: str = AGENCY, appointment: datetime | None = None,
            channel: int = common_pb2.CHANNEL_COUNTER, code: str | None = None) -> str:
    code = code or new_code(agency)
    received_at = datetime.now(UTC)
    payload = events_pb2.DossierReceived(
        dossier_code=code, procedure_code="1.001193", agency_id=agency, department="tu-phap", channel=channel,
        received_at=timestamp(received_at), appointment_at=timestamp(appointment or datetime.now(UTC)),
        received_by="tn-mot-cua-01", legal_days=3)
    mkafka.publish(producer, Event.new(DOSSIER_RECEIVED, payload, subject=code, source="intake"), PREFIX).get(10)
    return code


def link_of(topic: Topic, code: str) -> events_pb2.RatingLinkIssued:
    event = topic.find(lambda e: e.type.name.endswith("rating_link_issued.v1") and e.subject == code,
                       f"the rating link of {code}")
    return event.payload  # type: ignore[return-value]


def token_of(link: events_pb2.RatingLinkIssued) -> str:
    return link.url.split("?t=", 1)[1]

def official(sub: str, agency: str = AGENCY, role: str = "clerk") -> dict[str, str]:
    return bearer("--role", role, "--sub", sub, "--agency", agency, "--department", "tu-phap")
