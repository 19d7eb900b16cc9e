from datetime import UTC, datetime
from typing import Any

import jinja2
import pytest
from motcua import topics
from motcua.events import Event, timestamp
from motcua.v1 import common_pb2, events_pb2
from notification.channels import DeliveryError
from notification.service import NotificationService

CODE = "000.00.12.H56-260302-0001"
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


class FakeRepository:
    def __init__(self) -> None:
        self.recipients: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, dict[str, Any]] = {}

    def save_recipient(self, code: str, contact: dict[str, str]) -> None:
        self.recipients[code] = {"_id": code, **contact}

    def get_recipient(self, code: str) -> dict[str, Any] | None:
        return self.recipients.get(code)

    def create_message(self, message: dict[str, Any]) -> dict[str, Any]:
        if message["_id"] in self.messages:
            return self.messages[message["_id"]]
        self.messages[message["_id"]] = dict(message)
        return message

    def update_message(self, message_id: str, update: dict[str, Any]) -> None:
        stored = self.messages[message_id]
        stored.update(update.get("$set", {}))
        for name, amount in update.get("$inc", {}).items():
            stored[name] = stored.get(name, 0) + amount
        for name, push in update.get("$push", {}).items():
            stored.setdefault(name, []).extend(push["$each"])

    def list_messages(self, code: str) -> list[dict[str, Any]]:
        return [m for m in self.messages.values() if m["dossier_code"] == code]


class FakeEmail:
    name = "email"

    def __init__(self, failure: DeliveryError | None = None) -> None:
        self.sent: list[dict[str, str]] = []
        self.failure = failure

    def send(self, *, message_id: str, to: str, subject: str, body: str) -> str:
        if self.failure is not None:
            raise self.failure
        self.sent.append({"message_id": message_id, "to": to, "subject": subject, "body": body})
        return f"<{message_id}@motcua.local>"


def make_service(email: FakeEmail | None = None) -> tuple[NotificationService, FakeRepository, FakeEmail, list]:
    repo, kicks = FakeRepository(), []
    email = email or FakeEmail()
    service = NotificationService(repo=repo, kick=lambda collection, key: kicks.append((collection, key)),
                                  email=email, clock=lambda: NOW)
    return service, repo, email, kicks


def received_event(email: str = "an@example.vn") -> Event:
    payload = events_pb2.DossierReceived(
        dossier_code=CODE, procedure_code="1.001193", procedure_name="Đăng ký khai sinh", agency_id="000.00.12.H56",
        applicant=common_pb2.Applicant(full_name="Nguyễn Văn An", citizen_id="001190012345", phone="0912345678",
                                       email=email),
        received_at=timestamp(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)),
        appointment_at=timestamp(datetime(2026, 3, 5, 2, 0, tzinfo=UTC)), legal_days=3)
    return Event.new(topics.DOSSIER_RECEIVED, payload, subject=CODE, source="intake")


RECEIVED_VALUES = {"code": CODE, "name": "Nguyễn Văn An", "procedure": "Đăng ký khai sinh",
                   "received_at": "09:00 ngày 02/03/2026", "appointment_at": "09:00 ngày 05/03/2026"}


def test_received_renders_a_vietnamese_subject_and_the_appointment():
    service, *_ = make_service()
    rendered = service.render("received", RECEIVED_VALUES)
    assert rendered.subject == f"Hồ sơ {CODE} đã được tiếp nhận"
    assert "Kính gửi Nguyễn Văn An" in rendered.body
    assert "Ngày hẹn trả kết quả: 09:00 ngày 05/03/2026" in rendered.body
    assert "Đăng ký khai sinh" in rendered.body
    assert not rendered.body.startswith("\n")


def test_a_missing_variable_is_an_error_not_a_blank():
    service, *_ = make_service()
    values = {k: v for k, v in RECEIVED_VALUES.items() if k != "appointment_at"}
    with pytest.raises(jinja2.UndefinedError):
        service.render("received", values)


def test_on_received_sends_one_email_to_the_applicant_in_vietnam_time():
    service, repo, email, kicks = make_service()
    service.on_received(received_event())
    [sent] = email.sent
    assert sent["to"] == "an@example.vn"
    assert sent["subject"] == f"Hồ sơ {CODE} đã được tiếp nhận"
    assert "09:00 ngày 05/03/2026" in sent["body"]
    assert "09:00 ngày 02/03/2026" in sent["body"]
    [message] = repo.list_messages(CODE)
    assert message["state"] == "sent"
    assert message["recipient_masked"] == "a***@example.vn"
    [outcome] = message["outbox"]
    assert outcome["type"] == topics.NOTIFICATION_DELIVERED.name
    assert kicks == [("messages", message["_id"])]


def test_the_same_event_twice_sends_nothing_more():
    service, repo, email, kicks = make_service()
    event = received_event()
    service.on_received(event)
    service.on_received(event)
    assert len(email.sent) == 1
    assert len(repo.messages) == 1
    assert len(kicks) == 1


def test_an_applicant_without_email_gets_no_message():
    service, repo, email, _ = make_service()
    service.on_received(received_event(email=""))
    assert email.sent == []
    assert repo.messages == {}


def test_a_permanent_failure_records_a_failed_message():
    service, repo, _, _ = make_service(FakeEmail(DeliveryError("recipient refused", permanent=True)))
    service.on_received(received_event())
    [message] = repo.list_messages(CODE)
    assert message["state"] == "failed"
    assert message["outbox"][0]["type"] == topics.NOTIFICATION_FAILED.name


def test_a_transient_failure_is_raised_for_retry_and_leaves_the_message_queued():
    service, repo, _, kicks = make_service(FakeEmail(DeliveryError("connection refused", permanent=False)))
    with pytest.raises(DeliveryError):
        service.on_received(received_event())
    [message] = repo.list_messages(CODE)
    assert message["state"] == "queued"
    assert message["attempts"] == 1
    assert kicks == []
