"""Notification as two replicas against the real Kafka, FerretDB and the local ZNS, SMS and SMTP servers.

Dossier events are published to Kafka as intake and routing would; what the citizen receives is read back
from the sinks, and the message records from the REST admin API.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
from kafka import KafkaConsumer, KafkaProducer
from motcua import kafka as mkafka
from motcua.events import Event, timestamp
from motcua.topics import (
    DOSSIER_RECEIVED,
    NOTIFICATION_DELIVERED,
    NOTIFICATION_FAILED,
    TASK_ASSIGNED,
    qualified,
)
from motcua.v1 import common_pb2, events_pb2
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import eventually
from tests.factories import admin
from tests.sinks import mails_about, requests_about

pytestmark = pytest.mark.stack
PREFIX = "ntf"
# The second replica's HTTP port: 5 above the first, in the gap every numbered test stack leaves free.
SECOND_REPLICA_OFFSET = 5
FAST_RETRIES = {"MOTCUA_NOTIFICATION_RETRY_ATTEMPTS": "3", "MOTCUA_NOTIFICATION_RETRY_FIRST_MS": "200",
                "MOTCUA_NOTIFICATION_RETRY_MAX_MS": "1000"}
SEQUENCE = itertools.count(1)


@pytest.fixture(scope="module")
def replicas(stack) -> Iterator:  # type: ignore[no-untyped-def]
    stack.prefix = PREFIX
    mkafka.ensure_topics(stack.kafka, PREFIX)
    second = stack.ports.http["notification"] + SECOND_REPLICA_OFFSET
    try:
        stack.start_service("notification", label="notification-a", env=FAST_RETRIES)
        stack.start_service("notification", label="notification-b", role="worker",
                            env={**FAST_RETRIES, "MOTCUA_NOTIFICATION_HTTP_PORT": str(second)})
        yield stack, [stack.ports.http["notification"], second]
    finally:
        stack.stop("notification-b")
        stack.stop("notification-a")
        stack.prefix = ""


def new_code() -> str:
    return f"000.00.12.H56-260302-{next(SEQUENCE):04d}"


def received(code: str, phone: str, email: str = "an@example.vn") -> Event:
    payload = events_pb2.DossierReceived(
        dossier_code=code, procedure_code="1.001193", procedure_name="Đăng ký khai sinh", agency_id="000.00.12.H56",
        applicant=common_pb2.Applicant(full_name="Nguyễn Văn An", citizen_id="001190012345", phone=phone, email=email),
        received_at=timestamp(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)),
        appointment_at=timestamp(datetime(2026, 3, 5, 2, 0, tzinfo=UTC)), legal_days=3)
    return Event.new(DOSSIER_RECEIVED, payload, subject=code, source="intake")


def assigned(code: str) -> Event:
    payload = events_pb2.TaskAssigned(dossier_code=code, task_id=f"{code}/1", step="tham-dinh", department="tu-phap",
                                      assignee="cv-1", due_at=timestamp(datetime(2026, 3, 4, 9, 30, tzinfo=UTC)))
    return Event.new(TASK_ASSIGNED, payload, subject=code, source="routing")


def publish(producer: KafkaProducer, *events: Event) -> None:
    for event in events:
        mkafka.publish(producer, event, PREFIX).get(timeout=30)


def messages(port: int, code: str) -> list[dict]:
    response = requests.get(f"http://127.0.0.1:{port}/api/v1/messages", params={"dossier_code": code},
                            headers=admin(), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def finished(port: int, code: str, count: int = 1):  # type: ignore[no-untyped-def]
    """The dossier's messages once `count` of them are sent or failed (for eventually)."""
    found = messages(port, code)
    return len(found) == count and all(m["state"] in ("sent", "failed") for m in found) and found


def counted(ports: list[int], name: str, **labels: str) -> float:
    """The sum over both replicas of a counter's samples with these labels."""
    total = 0.0
    for port in ports:
        for family in text_string_to_metric_families(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text):
            total += sum(s.value for s in family.samples if s.name == name and labels.items() <= s.labels.items())
    return total


def outcomes(stack, message_id: str) -> list[Event]:  # type: ignore[no-untyped-def]
    """The NotificationDelivered / NotificationFailed events about one message on the notification topic."""
    consumer = KafkaConsumer(qualified("motcua.notification.v1", PREFIX), bootstrap_servers=stack.kafka_bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False, group_id=None)
    found: list = []

    def read() -> bool:
        for records in consumer.poll(500).values():
            for record in records:
                event = Event.from_record(record.headers, record.value)
                if event.payload.message_id == message_id:  # type: ignore[attr-defined]
                    found.append(event)
        return bool(found)

    try:
        eventually(read, 30, what=f"an outcome event of message {message_id}")
    finally:
        consumer.close()
    return found


def test_a_received_dossier_goes_to_zalo_zns_with_the_template_and_its_data(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    code = new_code()
    publish(producer, received(code, "0912000001"))
    [message] = eventually(lambda: finished(ports[0], code), 30, what="the message sent")
    [request] = requests_about(stack.zns_dir, code)
    body = request["body"]
    assert (body["phone"], body["template_id"], body["tracking_id"]) == ("84912000001", "100001", message["message_id"])
    assert body["template_data"] == {"code": code, "name": "Nguyễn Văn An", "procedure": "Đăng ký khai sinh",
                                     "received_at": "09:00 02/03/2026", "appointment_at": "09:00 05/03/2026"}
    assert (message["state"], message["channel"], message["provider"]) == ("sent", "zns", "zalo")
    assert message["provider_message_id"] == request["answer"]["data"]["msg_id"]
    assert message["route"] == ["zns", "sms", "email"] and message["recipient"] == "*******001"
    assert requests_about(stack.sms_dir, code) == [] and mails_about(stack.mail_dir, code) == []
    event = outcomes(stack, message["message_id"])[0]
    assert event.type == NOTIFICATION_DELIVERED and event.payload.provider_message_id == message["provider_message_id"]
    assert counted(ports, "motcua_notifications_sent_total", channel="zns", provider="zalo", status="sent") >= 1


def test_a_number_every_phone_channel_refuses_falls_back_to_email(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    code = new_code()
    publish(producer, received(code, "0912340000"))  # the sinks refuse numbers ending in 0000 for good
    [message] = eventually(lambda: finished(ports[0], code), 30, what="the message finished")
    assert [r["outcome"] for r in requests_about(stack.zns_dir, code)] == ["permanent"]  # not retried on ZNS
    [sms] = requests_about(stack.sms_dir, code)
    assert sms["body"]["client_ref"] == message["message_id"] and sms["body"]["phone"] == "84912340000"
    assert sms["body"]["brandname"] == "MOTCUA" and sms["body"]["text"].isascii()
    assert f"Ho so {code} da duoc tiep nhan" in sms["body"]["text"]
    assert sms["outcome"] == "permanent"  # the SMS sink refuses that number too ...
    assert [(h["channel"], h["outcome"]) for h in message["history"]] == [
        ("zns", "fallback"), ("sms", "fallback"), ("email", "sent")]
    # ... so the citizen gets the e-mail, the last channel of the route.
    [mail] = mails_about(stack.mail_dir, code)
    assert str(mail["Subject"]) == f"Hồ sơ {code} đã được tiếp nhận" and mail["To"] == "an@example.vn"
    assert "Ngày hẹn trả kết quả: 09:00 ngày 05/03/2026" in mail.get_content()
    assert mail["X-Motcua-Message-Id"] == message["message_id"]


def test_zns_failing_for_good_is_followed_by_an_sms(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    code, phone = new_code(), "0912000004"
    failing = requests.post(f"http://127.0.0.1:{stack.ports.zns}/_sink/failures",
                            json={"phone": phone, "mode": "permanent"}, timeout=5)
    assert failing.status_code == 200
    try:
        publish(producer, received(code, phone))
        [message] = eventually(lambda: finished(ports[0], code), 30, what="the message finished")
    finally:
        requests.delete(f"http://127.0.0.1:{stack.ports.zns}/_sink/failures", timeout=5)
    [sms] = requests_about(stack.sms_dir, code)
    assert sms["outcome"] == "accepted" and sms["status"] == 202
    assert (message["state"], message["channel"], message["attempts"]) == ("sent", "sms", 2)
    assert message["provider_message_id"] == sms["answer"]["message_id"]
    assert mails_about(stack.mail_dir, code) == []


def test_a_transient_failure_is_retried_with_backoff_and_then_sent(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    code, phone = new_code(), "0912000003"
    failing = requests.post(f"http://127.0.0.1:{stack.ports.zns}/_sink/failures",
                            json={"phone": phone, "mode": "transient", "times": 2}, timeout=5)
    assert failing.status_code == 200
    publish(producer, received(code, phone))
    [message] = eventually(lambda: finished(ports[0], code), 30, what="the message sent after retries")
    tries = requests_about(stack.zns_dir, code)
    assert [r["outcome"] for r in tries] == ["transient", "transient", "accepted"]
    assert len({r["body"]["tracking_id"] for r in tries}) == 1  # the same reference on every retry
    gaps = [later["at"] - earlier["at"] for earlier, later in itertools.pairwise(tries)]
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2  # half of 200 ms, then half of 400 ms at least
    assert (message["state"], message["channel"], message["attempts"]) == ("sent", "zns", 3)
    assert requests_about(stack.sms_dir, code) == []
    assert counted(ports, "motcua_notification_attempts_total", channel="zns", provider="zalo",
                   outcome="transient") >= 2


def test_redelivered_events_send_nothing_twice_with_two_replicas(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    codes = [new_code() for _ in range(8)]
    events = [event for code in codes for event in (received(code, "0912000005"), assigned(code))]
    publish(producer, *events, *events)  # every event twice, as after a consumer's crash before its commit
    for code in codes:
        eventually(lambda code=code: finished(ports[1], code, count=2), 60, what=f"both messages about {code}")
    for code in codes:
        tries = requests_about(stack.zns_dir, code)
        assert sorted(r["body"]["template_id"] for r in tries) == ["100001", "100002"], code
        assert all(r["outcome"] == "accepted" for r in tries)


def test_a_message_no_channel_can_carry_fails_with_an_event(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    code = new_code()
    publish(producer, received(code, "0912350000", email=""))  # no e-mail, and a number every sink refuses
    [message] = eventually(lambda: finished(ports[0], code), 30, what="the message failed")
    assert (message["state"], message["channel"]) == ("failed", "sms")
    assert "invalid_subscriber" in message["error"]
    event = outcomes(stack, message["message_id"])[0]
    assert event.type == NOTIFICATION_FAILED and "invalid_subscriber" in event.payload.reason
    assert event.payload.attempts == 2 and event.payload.cause_event_id
