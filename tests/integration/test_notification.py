"""Notification as two replicas against the real Kafka, FerretDB and the local ZNS, SMS and SMTP servers.

Dossier events are published to Kafka as intake and routing would; what the citizen receives is read back
from the sinks, and the message records from the REST admin API.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import grpc
import pytest
import requests
from google.protobuf.timestamp_pb2 import Timestamp
from kafka import KafkaConsumer, KafkaProducer
from motcua import kafka as mkafka
from motcua.events import Event, timestamp
from motcua.rpc import error_details
from motcua.topics import (
    APOLOGY_ISSUED,
    DOSSIER_COMPLETED,
    DOSSIER_DUE_SOON,
    DOSSIER_RECEIVED,
    NOTIFICATION_DELIVERED,
    NOTIFICATION_FAILED,
    RESULT_READY,
    SUPPLEMENT_REQUESTED,
    TASK_ASSIGNED,
    qualified,
)
from motcua.v1 import common_pb2, events_pb2, notification_pb2, notification_pb2_grpc
from notification.receipts import SIGNATURE, TIMESTAMP, sign
from prometheus_client.parser import text_string_to_metric_families
from stack import CALLBACK_SECRETS

from tests.conftest import eventually
from tests.factories import admin, bearer
from tests.sinks import mails_about, requests_about

pytestmark = pytest.mark.stack
PREFIX = "ntf"
# The second replica's HTTP port: 5 above the first, in the gap every numbered test stack leaves free.
SECOND_REPLICA_OFFSET = 5
RATING = "https://dichvucong.example.vn/danh-gia/{code}"
FAST_RETRIES = {"MOTCUA_NOTIFICATION_RETRY_ATTEMPTS": "3", "MOTCUA_NOTIFICATION_RETRY_FIRST_MS": "200",
                "MOTCUA_NOTIFICATION_RETRY_MAX_MS": "1000", "MOTCUA_NOTIFICATION_RATING_URL": RATING}
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


def at(day: int, hour: int, minute: int = 0) -> Timestamp:
    """A time in March 2026, given in UTC."""
    return timestamp(datetime(2026, 3, day, hour, minute, tzinfo=UTC))


APPLICANT = {"full_name": "Nguyễn Văn An", "citizen_id": "001190012345"}


def received(code: str, phone: str, email: str = "an@example.vn", channels: tuple[str, ...] = ()) -> Event:
    payload = events_pb2.DossierReceived(
        dossier_code=code, procedure_code="1.001193", procedure_name="Đăng ký khai sinh", agency_id="000.00.12.H56",
        applicant=common_pb2.Applicant(**APPLICANT, phone=phone, email=email), notify_channels=channels,
        received_at=at(2, 2), appointment_at=at(5, 2), legal_days=3)
    return Event.new(DOSSIER_RECEIVED, payload, subject=code, source="intake")


def assigned(code: str) -> Event:
    payload = events_pb2.TaskAssigned(dossier_code=code, task_id=f"{code}/1", step="tham-dinh", department="tu-phap",
                                      assignee="cv-1", due_at=at(4, 9, 30))
    return Event.new(TASK_ASSIGNED, payload, subject=code, source="routing")


def later_events(code: str) -> list[Event]:
    """Every other citizen-facing event about a dossier, as intake and routing emit them, in the dossier's order."""
    found = [
        (SUPPLEMENT_REQUESTED, events_pb2.SupplementRequested(
            dossier_code=code, procedure_name="Đăng ký khai sinh", applicant=common_pb2.Applicant(**APPLICANT),
            note="Thiếu bản sao giấy chứng sinh"), "intake"),
        (DOSSIER_DUE_SOON, events_pb2.DossierDeadline(dossier_code=code, due_at=at(4, 1)), "routing"),
        (APOLOGY_ISSUED, events_pb2.ApologyIssued(dossier_code=code, reason="Cần xác minh thêm",
                                                  previous_appointment_at=at(5, 2), new_appointment_at=at(10, 2)),
         "routing"),
        (RESULT_READY, events_pb2.ResultReady(dossier_code=code, document_id="d-77"), "routing"),
        (DOSSIER_COMPLETED, events_pb2.DossierCompleted(dossier_code=code, completed_at=at(11, 3)), "routing"),
    ]
    return [assigned(code), *(Event.new(kind, payload, subject=code, source=source) for kind, payload, source in found)]


def fail_next(port: int, phone: str, mode: str, times: int | None = None) -> None:
    """Set a failure rule on the ZNS or SMS sink listening on port (docs/notification.md, "The local servers")."""
    rule = {"phone": phone, "mode": mode, **({"times": times} if times else {})}
    assert requests.post(f"http://127.0.0.1:{port}/_sink/failures", json=rule, timeout=5).status_code == 200


def publish(producer: KafkaProducer, *events: Event) -> None:
    for event in events:
        mkafka.publish(producer, event, PREFIX).get(timeout=30)


def messages(port: int, code: str) -> list[dict]:
    response = requests.get(f"http://127.0.0.1:{port}/api/v1/messages", params={"dossier_code": code},
                            headers=admin(), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def finished(port: int, code: str, count: int = 1):  # type: ignore[no-untyped-def]
    """The dossier's messages once `count` of them are done (for eventually)."""
    found = messages(port, code)
    return len(found) == count and all(final(m) for m in found) and found


def final(message: dict) -> bool:
    """Whether a message is done: failed, or delivered (the ZNS and SMS sinks send receipts; e-mail has none)."""
    return message["state"] in ("failed", "delivered") or (message["state"], message["channel"]) == ("sent", "email")


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
    assert (message["state"], message["channel"], message["provider"]) == ("delivered", "zns", "zalo")
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
    fail_next(stack.ports.zns, phone, "permanent")
    try:
        publish(producer, received(code, phone))
        [message] = eventually(lambda: finished(ports[0], code), 30, what="the message finished")
    finally:
        requests.delete(f"http://127.0.0.1:{stack.ports.zns}/_sink/failures", timeout=5)
    [sms] = requests_about(stack.sms_dir, code)
    assert sms["outcome"] == "accepted" and sms["status"] == 202
    assert (message["state"], message["channel"], message["attempts"]) == ("delivered", "sms", 2)
    assert message["provider_message_id"] == sms["answer"]["message_id"]
    assert mails_about(stack.mail_dir, code) == []


def test_a_transient_failure_is_retried_with_backoff_and_then_sent(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    code, phone = new_code(), "0912000003"
    fail_next(stack.ports.zns, phone, "transient", times=2)
    publish(producer, received(code, phone))
    [message] = eventually(lambda: finished(ports[0], code), 30, what="the message sent after retries")
    tries = requests_about(stack.zns_dir, code)
    assert [r["outcome"] for r in tries] == ["transient", "transient", "accepted"]
    assert len({r["body"]["tracking_id"] for r in tries}) == 1  # the same reference on every retry
    gaps = [later["at"] - earlier["at"] for earlier, later in itertools.pairwise(tries)]
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2  # half of 200 ms, then half of 400 ms at least
    assert (message["state"], message["channel"], message["attempts"]) == ("delivered", "zns", 3)
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


def test_every_kind_of_message_reaches_zalo_with_its_template_and_parameters(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    code = new_code()
    publish(producer, received(code, "0912000011", channels=("zns",)), *later_events(code))
    eventually(lambda: finished(ports[0], code, count=7), 60, what="seven messages sent")
    link = RATING.replace("{code}", code)
    data = {r["body"]["template_id"]: r["body"]["template_data"] for r in requests_about(stack.zns_dir, code)}
    assert data == {
        "100001": {"code": code, "name": "Nguyễn Văn An", "procedure": "Đăng ký khai sinh",
                   "received_at": "09:00 02/03/2026", "appointment_at": "09:00 05/03/2026"},
        "100002": {"code": code, "name": "Nguyễn Văn An", "department": "tu-phap", "due_at": "16:30 04/03/2026"},
        "100004": {"code": code, "name": "Nguyễn Văn An", "procedure": "Đăng ký khai sinh"},
        "100005": {"code": code, "name": "Nguyễn Văn An", "due_at": "08:00 04/03/2026"},
        "100006": {"code": code, "name": "Nguyễn Văn An", "reason": "Cần xác minh thêm",
                   "new_appointment_at": "09:00 10/03/2026"},
        "100003": {"code": code, "name": "Nguyễn Văn An", "document_id": "d-77", "rating_url": link},
        "100007": {"code": code, "name": "Nguyễn Văn An", "completed_at": "10:00 11/03/2026", "rating_url": link},
    }
    assert requests_about(stack.sms_dir, code) == [] and mails_about(stack.mail_dir, code) == []


def test_every_kind_of_message_reaches_the_sms_gateway_without_diacritics(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    code = new_code()
    publish(producer, received(code, "0912000012", channels=("sms", "email")), *later_events(code))
    found = eventually(lambda: finished(ports[0], code, count=7), 60, what="seven messages sent")
    assert {m["channel"] for m in found} == {"sms"} and all(m["route"] == ["sms", "email"] for m in found)
    link = RATING.replace("{code}", code)
    # Two replicas send them, so they may arrive in any order.
    assert sorted(r["body"]["text"] for r in requests_about(stack.sms_dir, code)) == sorted([
        (f"Ho so {code} da duoc tiep nhan luc 09:00 02/03/2026. Hen tra ket qua: 09:00 05/03/2026. "
        "Tra cuu bang ma ho so va so dien thoai."),
        f"Ho so {code} dang duoc xu ly tai bo phan chuyen mon. Han xu ly: 16:30 04/03/2026.",
        (f"Ho so {code} can bo sung, hoan thien giay to. Xem phieu yeu cau bo sung khi tra cuu ho so. "
        "Thieu ban sao giay chung sinh"),
        (f"Ho so {code}: han 08:00 04/03/2026 sap den. Moi Ong/Ba hoan thanh phan viec cua minh (bo sung giay to, "
        "nop phi) truoc han."),
        f"Xin loi Ong/Ba: ho so {code} chua co ket qua dung hen. Hen lai: 09:00 10/03/2026.",
        f"Ho so {code} da co ket qua (ma tai lieu d-77). Moi Ong/Ba danh gia: {link}",
        f"Ho so {code} da tra ket qua. Cam on Ong/Ba. Moi danh gia: {link}",
    ])
    assert requests_about(stack.zns_dir, code) == []


def test_every_kind_of_message_reaches_the_mailbox_in_vietnamese(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    code = new_code()
    publish(producer, received(code, "0912000013", channels=("email",)), *later_events(code))
    eventually(lambda: finished(ports[0], code, count=7), 60, what="seven messages sent")
    mails = {str(m["Subject"]): m.get_content() for m in mails_about(stack.mail_dir, code)}
    assert set(mails) == {
        f"Hồ sơ {code} đã được tiếp nhận", f"Hồ sơ {code} đang được xử lý", f"Hồ sơ {code} cần bổ sung, hoàn thiện",
        f"Hồ sơ {code}: sắp đến hạn", f"Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}",
        f"Hồ sơ {code} đã có kết quả", f"Hồ sơ {code} đã trả kết quả"}
    apology = mails[f"Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}"]
    assert "Lý do: Cần xác minh thêm." in apology and "hẹn lại ngày trả kết quả: 09:00 ngày 10/03/2026" in apology
    assert "Ghi chú: Thiếu bản sao giấy chứng sinh" in mails[f"Hồ sơ {code} cần bổ sung, hoàn thiện"]
    assert f"mức độ hài lòng: {RATING.replace('{code}', code)}" in mails[f"Hồ sơ {code} đã trả kết quả"]
    assert requests_about(stack.zns_dir, code) == [] and requests_about(stack.sms_dir, code) == []


def admin_call(method: str, port: int, path: str, body: dict | None = None) -> requests.Response:
    return requests.request(method, f"http://127.0.0.1:{port}/api/v1{path}", json=body, headers=admin(), timeout=10)


def test_a_new_template_version_is_used_for_new_messages_and_recorded_on_them(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    [seed] = admin_call("GET", ports[0], "/templates?kind=due_soon").json()["templates"][1:2]  # email, sms, zns
    assert (seed["channel"], seed["version"], seed["ascii"]) == ("sms", 1, True)
    created = admin_call("POST", ports[0], "/templates/due_soon/sms",
                         {"body": "Hồ sơ {{ code }} sắp đến hạn {{ due_at | vn_short }}.", "ascii": False})
    assert created.status_code == 201, created.text
    assert (created.json()["version"], created.json()["created_by"]) == (2, "quan-tri-01")
    try:
        code = new_code()
        publish(producer, received(code, "0912000021", channels=("sms",)), *later_events(code)[2:3])
        found = eventually(lambda: finished(ports[1], code, count=2), 30, what="two messages sent")
        assert [m["template_version"] for m in found] == [1, 2]
        texts = [r["body"]["text"] for r in requests_about(stack.sms_dir, code)]
        assert f"Hồ sơ {code} sắp đến hạn 08:00 04/03/2026." in texts  # with diacritics: this version keeps them
    finally:
        restored = admin_call("POST", ports[0], "/templates/due_soon/sms", {"body": seed["body"], "ascii": True})
        assert restored.json()["version"] == 3


def test_the_preview_counts_sms_segments_and_a_bad_template_is_refused_with_a_pointer(replicas):  # type: ignore[no-untyped-def]
    _, ports = replicas
    shown = admin_call("POST", ports[0], "/templates/received/sms/preview", {"data": {"code": "X-1"}})
    assert shown.status_code == 200, shown.text
    assert (shown.json()["encoding"], shown.json()["segments"]) == ("GSM-7", 1)
    assert shown.json()["text"].startswith("Ho so X-1 da duoc tiep nhan")
    draft = admin_call("POST", ports[0], "/templates/received/sms/preview",
                       {"template": {"body": "Hồ sơ {{ code }} đã được tiếp nhận, hẹn {{ appointment_at | vn_short }}."}})
    assert (draft.json()["encoding"], draft.json()["units"], draft.json()["segments"]) == ("UCS-2", 72, 2)
    refused = admin_call("POST", ports[0], "/templates/received/email", {"subject": "{{ code", "body": ""})
    assert refused.status_code == 422 and refused.headers["Content-Type"] == "application/problem+json"
    assert {e["pointer"] for e in refused.json()["errors"]} == {"/subject", "/body"}
    assert admin_call("GET", ports[0], "/templates/received/email").json()["version"] == 1
    rules = {r["event_type"]: r for r in admin_call("GET", ports[0], "/rules").json()["rules"]}
    assert rules[DOSSIER_DUE_SOON.name] == {"event_type": DOSSIER_DUE_SOON.name, "kind": "due_soon", "channels": [],
                                            "urgent": False, "enabled": True}
    assert requests.get(f"http://127.0.0.1:{ports[0]}/api/v1/rules", timeout=5).status_code == 401


def signed(provider: str, body: dict, *, at: float | None = None, key: str | None = None) -> tuple[bytes, dict]:
    """A receipt body and its headers, signed as the providers sign them."""
    raw = json.dumps(body).encode()
    stamp = str(int(time.time() if at is None else at))
    return raw, {"Content-Type": "application/json", TIMESTAMP: stamp,
                 SIGNATURE: sign(key or CALLBACK_SECRETS[provider], stamp, raw)}


def test_a_delivery_receipt_marks_the_message_delivered_once(replicas, producer):  # type: ignore[no-untyped-def]
    _, ports = replicas
    code = new_code()
    publish(producer, received(code, "0912000041"))
    [message] = eventually(lambda: finished(ports[0], code), 30, what="the message delivered")
    assert [(h["channel"], h["outcome"]) for h in message["history"]] == [("zns", "sent"), ("zns", "delivered")]
    assert message["delivered_at"] and message["provider_message_id"]
    assert counted(ports, "motcua_notifications_sent_total", channel="zns", provider="zalo", status="delivered") >= 1
    # The same receipt again (a provider's retry, or a replay inside the window) is acknowledged and changes nothing.
    url = f"http://127.0.0.1:{ports[1]}/api/v1/callbacks/zalo"
    receipt = {"message_id": message["provider_message_id"], "status": "delivered", "at": "2026-03-02T02:00:05+00:00"}
    raw, headers = signed("zalo", receipt)
    assert requests.post(url, data=raw, headers=headers, timeout=5).status_code == 204
    assert len(messages(ports[0], code)[0]["history"]) == 2
    # A forged signature, a stale timestamp and an unknown provider are refused.
    forged = requests.post(url, data=raw, headers=signed("zalo", receipt, key="not-the-provider-key")[1], timeout=5)
    assert forged.status_code == 401 and forged.headers["Content-Type"] == "application/problem+json"
    stale_raw, stale = signed("zalo", {**receipt, "status": "failed"}, at=time.time() - 3600)
    assert requests.post(url, data=stale_raw, headers=stale, timeout=5).status_code == 401
    unknown = requests.post(url.replace("/zalo", "/viettel"), data=raw, headers=headers, timeout=5)
    assert unknown.status_code == 404
    assert messages(ports[0], code)[0]["state"] == "delivered"


def test_an_sms_reported_undelivered_falls_back_to_email(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    code, phone = new_code(), "0912000042"
    fail_next(stack.ports.sms, phone, "undelivered", times=1)
    publish(producer, received(code, phone, channels=("sms", "email")))
    [message] = eventually(lambda: finished(ports[0], code), 30, what="the message sent by e-mail")
    assert [(h["channel"], h["outcome"]) for h in message["history"]] == [
        ("sms", "sent"), ("sms", "fallback"), ("email", "sent")]
    assert "subscriber unreachable" in message["history"][1]["error"]
    [mail] = mails_about(stack.mail_dir, code)
    assert str(mail["Subject"]) == f"Hồ sơ {code} đã được tiếp nhận"


def test_an_agency_system_sends_once_per_idempotency_key(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    code = new_code()
    publish(producer, received(code, "0912000051", channels=("email",)))
    eventually(lambda: finished(ports[0], code), 30, what="the reception message")
    notifier = notification_pb2_grpc.NotifierStub(grpc.insecure_channel(f"127.0.0.1:{stack.ports.grpc['notification']}"))
    staff = [("authorization", bearer("--role", "clerk", "--sub", "he-thong-mot-cua")["Authorization"])]
    request = notification_pb2.SendRequest(idempotency_key="nhac-han-1", dossier_code=code, kind="due_soon",
                                           values={"due_at": "2026-03-04T01:00:00+00:00"}, channels=["sms"],
                                           phone="0912000052")
    first = notifier.Send(request, metadata=staff, timeout=10)
    again = notifier.Send(request, metadata=staff, timeout=10)
    assert first.created and not again.created and again.message.message_id == first.message.message_id
    with pytest.raises(grpc.RpcError) as reused:
        notifier.Send(notification_pb2.SendRequest(idempotency_key="nhac-han-1", dossier_code=code, kind="completed",
                                                   values={"completed_at": "2026-03-06T03:00:00+00:00"}),
                      metadata=staff, timeout=10)
    assert reused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_details(reused.value)["reason"] == "IDEMPOTENCY_KEY_REUSED"
    with pytest.raises(grpc.RpcError) as anonymous:
        notifier.Send(request, timeout=10)
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
    eventually(lambda: len(finished(ports[0], code, count=2) or []) == 2, 30, what="the agency's message sent")
    [sms] = requests_about(stack.sms_dir, code)
    assert sms["body"]["phone"] == "84912000052" and sms["body"]["client_ref"] == first.message.message_id
    assert sms["body"]["text"] == (f"Ho so {code}: han 08:00 04/03/2026 sap den. Moi Ong/Ba hoan thanh phan viec "
                                   "cua minh (bo sung giay to, nop phi) truoc han.")
    listed = notifier.ListMessages(notification_pb2.ListMessagesRequest(dossier_code=code), metadata=staff, timeout=10)
    assert {m.template for m in listed.messages} == {"received", "due_soon"}


def test_an_admin_resends_a_message_as_a_new_recorded_attempt(replicas, producer):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    code = new_code()
    publish(producer, received(code, "0912000053", channels=("sms",)))
    [message] = eventually(lambda: finished(ports[0], code), 30, what="the message delivered")
    resent = admin_call("POST", ports[1], f"/messages/{message['message_id']}/resend")
    assert resent.status_code == 200, resent.text
    assert resent.json()["state"] == "queued" and resent.json()["history"][-1]["by"] == "quan-tri-01"
    eventually(lambda: len(requests_about(stack.sms_dir, code)) == 2 and finished(ports[0], code), 30,
               what="the second SMS delivered")
    refs = [r["body"]["client_ref"] for r in requests_about(stack.sms_dir, code)]
    assert refs == [message["message_id"], f"{message['message_id']}-r1"]  # not taken for a duplicate by the gateway
    history = [h["outcome"] for h in messages(ports[0], code)[0]["history"]]
    assert history == ["sent", "delivered", "resend", "sent", "delivered"]
    missing = admin_call("POST", ports[0], "/messages/no-such-message/resend")
    assert missing.status_code == 404 and missing.headers["Content-Type"] == "application/problem+json"
