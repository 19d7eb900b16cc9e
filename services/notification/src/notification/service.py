"""The rules of notification: which event tells the citizen what, once, and what became of it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from jinja2 import Environment, PackageLoader, StrictUndefined
from motcua import outbox
from motcua.calendar import TZ
from motcua.events import Event, timestamp
from motcua.logs import mask
from motcua.topics import NOTIFICATION_DELIVERED, NOTIFICATION_FAILED
from motcua.v1 import events_pb2

from notification import metrics
from notification.channels import DeliveryError

Kick = Callable[[str, Any], None]


class Channel(Protocol):
    name: str

    def send(self, *, message_id: str, to: str, subject: str, body: str) -> str: ...


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def local_time(value: datetime) -> str:
    return value.astimezone(TZ).strftime("%H:%M ngày %d/%m/%Y")


class NotificationService:
    def __init__(self, *, repo: Any, kick: Kick, email: Channel,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.kick = kick
        self.email = email
        self.clock = clock
        self.templates = Environment(loader=PackageLoader("notification", "templates"), undefined=StrictUndefined,
                                     autoescape=False, keep_trailing_newline=True)

    def render(self, template: str, values: dict[str, Any]) -> Rendered:
        subject, _, body = self.templates.get_template(f"{template}.txt").render(values).partition("\n")
        return Rendered(subject.strip(), body.lstrip("\n"))

    def on_received(self, event: Event) -> None:
        p: events_pb2.DossierReceived = event.payload  # type: ignore[assignment]
        contact = {"name": p.applicant.full_name, "email": p.applicant.email, "phone": p.applicant.phone}
        self.repo.save_recipient(p.dossier_code, contact)
        self._notify(event, "received", {
            "code": p.dossier_code, "name": p.applicant.full_name, "procedure": p.procedure_name,
            "received_at": local_time(p.received_at.ToDatetime(UTC)),
            "appointment_at": local_time(p.appointment_at.ToDatetime(UTC)),
        })

    def on_assigned(self, event: Event) -> None:
        p: events_pb2.TaskAssigned = event.payload  # type: ignore[assignment]
        self._notify(event, "assigned", {"code": p.dossier_code, "department": p.department,
                                         "due_at": local_time(p.due_at.ToDatetime(UTC))})

    def on_result_ready(self, event: Event) -> None:
        p: events_pb2.ResultReady = event.payload  # type: ignore[assignment]
        self._notify(event, "result_ready", {"code": p.dossier_code, "document_id": p.document_id})

    def messages(self, code: str) -> list[dict[str, Any]]:
        return self.repo.list_messages(code)

    def _notify(self, event: Event, template: str, values: dict[str, Any]) -> None:
        recipient = self.repo.get_recipient(event.subject)
        if recipient is None or not recipient.get("email"):
            return
        values = {"name": recipient["name"], **values}
        rendered = self.render(template, values)
        message_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{event.id}/{template}/email"))
        message = self.repo.create_message({
            "_id": message_id, "dossier_code": event.subject, "channel": "email", "template": template,
            "recipient": recipient["email"], "recipient_masked": mask(recipient["email"]), "state": "queued",
            "attempts": 0, "created_at": self.clock(), "cause_event_id": event.id,
        })
        if message["state"] != "queued":
            return
        self._deliver(message, rendered, event)

    def _deliver(self, message: dict[str, Any], rendered: Rendered, event: Event) -> None:
        try:
            self.email.send(message_id=message["_id"], to=message["recipient"], subject=rendered.subject,
                            body=rendered.body)
        except DeliveryError as error:
            if not error.permanent:
                self.repo.update_message(message["_id"], {"$inc": {"attempts": 1}, "$set": {"error": str(error)}})
                metrics.notifications_sent.labels("email", "retried").inc()
                raise
            self._finish(message, event, "failed", str(error))
            return
        self._finish(message, event, "sent", "")
        metrics.delivery_latency.labels("email").observe((self.clock() - event.time).total_seconds())

    def _finish(self, message: dict[str, Any], event: Event, state: str, error: str) -> None:
        now = self.clock()
        kind = NOTIFICATION_DELIVERED if state == "sent" else NOTIFICATION_FAILED
        outcome = Event.new(kind, events_pb2.NotificationOutcome(
            message_id=message["_id"], dossier_code=message["dossier_code"], channel="email",
            template=message["template"], cause_event_id=event.id, at=timestamp(now), reason=error),
            subject=message["dossier_code"], source="notification")
        fields: dict[str, Any] = {"state": state, "error": error, "sent_at" if state == "sent" else "failed_at": now}
        self.repo.update_message(message["_id"], {"$set": fields, "$inc": {"attempts": 1},
                                                  "$push": outbox.append(outcome)})
        metrics.notifications_sent.labels("email", state).inc()
        self.kick("messages", message["_id"])
