"""What the routing stack tests share: the dossiers they publish, the officials they act as, and how they
read back routing's events and metrics."""


from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
import requests
from kafka import KafkaConsumer, KafkaProducer
from motcua import calendar
from motcua import kafka as mkafka
from motcua.events import Event, timestamp
from motcua.rpc import error_details
from motcua.topics import DOSSIER_RECEIVED, qualified
from motcua.v1 import (
    common_pb2,
    events_pb2,
    routing_pb2,
)
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import eventually
from tests.factories import COMMUNE, bearer

PREFIX = f"wb{uuid.uuid4().hex[:6]}"
SECOND_REPLICA_OFFSET = 5
FAST = {"MOTCUA_ROUTING_SCHEDULER_SECONDS": "1", "MOTCUA_ROUTING_DUE_SOON_MINUTES": "60"}
SEQUENCE = itertools.count(1)
TWO_STEP_CLAIM = {"name": "Nhận việc tự chọn", "steps": [
    {"id": "tham-dinh", "name": "Thẩm định", "role": "officer", "share": 60, "assignment": "claim",
     "actions": ["forward", "supplement"]},
    {"id": "phe-duyet", "name": "Phê duyệt", "role": "leader", "share": 40, "actions": ["approve", "return"]},
]}


def official(role: str, sub: str, department: str = "tu-phap", agency: str = COMMUNE) -> list[tuple[str, str]]:
    return [("authorization", bearer("--role", role, "--sub", sub, "--agency", agency,
                                     "--department", department)["Authorization"])]


OFFICERS = [official("officer", f"cv-tu-phap-{COMMUNE}-{n}") for n in (1, 2)]
POLICE = [official("officer", f"cv-cong-an-{COMMUNE}-{n}", "cong-an") for n in (1, 2)]
LEADER = official("leader", f"ld-tu-phap-{COMMUNE}")
CLERK = official("clerk", "tn-hac-thanh-01", "")


def received(*, procedure: str = "1.001193", version: int = 1, workflow: str = "standard",
             received_at: datetime | None = None, days: int = 3) -> Event:
    code = f"{COMMUNE}-{uuid.uuid4().hex[:6]}-{next(SEQUENCE):04d}"
    at = received_at or datetime.now(UTC)
    payload = events_pb2.DossierReceived(
        dossier_code=code, procedure_code=procedure, procedure_version=version, procedure_name="Đăng ký khai sinh",
        agency_id=COMMUNE, department="tu-phap", channel=common_pb2.CHANNEL_COUNTER, workflow=workflow,
        applicant=common_pb2.Applicant(full_name="Nguyễn Thị Lan", citizen_id="001190012345", phone="0912345678"),
        received_at=timestamp(at), appointment_at=timestamp(calendar.add_working_days(at, days)), legal_days=days,
        received_by="tn-hac-thanh-01")
    return Event.new(DOSSIER_RECEIVED, payload, subject=code, source="intake")


def publish(producer: KafkaProducer, *events: Event) -> None:
    for event in events:
        mkafka.publish(producer, event, PREFIX).get(timeout=30)


def opened(workbench, producer, event: Event, who=None):  # type: ignore[no-untyped-def]
    """Publish a received dossier and wait until routing shows it; returns the dossier view."""
    publish(producer, event)
    return eventually(lambda: dossier_view(workbench, event.subject, who or LEADER), 60, what=f"{event.subject} in routing")


def dossier_view(workbench, code: str, who) -> Any:  # type: ignore[no-untyped-def]
    try:
        return workbench.GetDossier(routing_pb2.WorkbenchDossierRequest(dossier_code=code), metadata=who, timeout=10)
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return None
        raise


def refused(call, *args, **kwargs) -> tuple[grpc.StatusCode, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as error:
        call(*args, timeout=30, **kwargs)
    return error.value.code(), error_details(error.value)["reason"]


def emitted(stack, code: str, until) -> list[Event]:  # type: ignore[no-untyped-def]
    """Routing's events about one dossier on the dossier topic, read until until(events) holds.

    Each event once, as a consumer sees them: delivery is at least once, and a second publication of an
    event carries the same id.
    """
    consumer = KafkaConsumer(qualified("motcua.dossier.v1", PREFIX), bootstrap_servers=stack.kafka_bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False, group_id=None)
    found: list[Event] = []
    seen: set[str] = set()

    def read() -> bool:
        for records in consumer.poll(500).values():
            for record in records:
                event = Event.from_record(record.headers, record.value)
                if event.subject == code and event.source == "routing" and event.id not in seen:
                    seen.add(event.id)
                    found.append(event)
        return until(found)

    try:
        eventually(read, 60, what=f"routing's events about {code}")
        return found
    finally:
        consumer.close()


def kinds(events: list[Event]) -> list[str]:
    return [e.type.name.split(".")[-2] for e in events]


def replica_ports(stack) -> list[int]:  # type: ignore[no-untyped-def]
    return [stack.ports.http["routing"], stack.ports.http["routing"] + SECOND_REPLICA_OFFSET]


def sample(stack, port: int, name: str, **labels: str) -> float:  # type: ignore[no-untyped-def]
    """The sum of one replica's samples of a metric that carry these labels."""
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == name and labels.items() <= s.labels.items())


def scheduler_ticks(stack, port: int) -> float:  # type: ignore[no-untyped-def]
    return sample(stack, port, "motcua_scheduler_ticks_total")
