"""The rules of notification: which event tells the citizen what, queued once per event, kind and recipient.

The handlers only queue messages; the sender (delivery.py) sends them, so a slow or failing provider
never holds up the Kafka consumer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from motcua.events import Event
from motcua.logs import mask
from motcua.v1 import events_pb2

from notification.channels import Channel
from notification.delivery import plan_route

# Messages of the platform go to the dossier's applicant; the key keeps room for other recipients.
APPLICANT = "applicant"


def message_key(event_id: str, kind: str, recipient: str) -> str:
    """The message's id: the same event, kind and recipient always give the same one (the dedup key)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"motcua:notification/{event_id}/{kind}/{recipient}"))


def iso(value: Any) -> str:
    """A protobuf Timestamp as ISO 8601 in UTC, as the templates take times."""
    return value.ToDatetime(UTC).isoformat()


class NotificationService:
    def __init__(self, *, repo: Any, channels: Mapping[str, Channel], order: tuple[str, ...],
                 wake: Callable[[], None], clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.channels = channels
        self.order = order
        self.wake = wake
        self.clock = clock

    def on_received(self, event: Event) -> None:
        p: events_pb2.DossierReceived = event.payload  # type: ignore[assignment]
        contact = {"name": p.applicant.full_name, "email": p.applicant.email, "phone": p.applicant.phone}
        self.repo.save_recipient(p.dossier_code, contact)
        self._queue(event, "received", {"code": p.dossier_code, "procedure": p.procedure_name,
                                        "received_at": iso(p.received_at), "appointment_at": iso(p.appointment_at)})

    def on_assigned(self, event: Event) -> None:
        p: events_pb2.TaskAssigned = event.payload  # type: ignore[assignment]
        self._queue(event, "assigned", {"code": p.dossier_code, "department": p.department, "due_at": iso(p.due_at)})

    def on_result_ready(self, event: Event) -> None:
        p: events_pb2.ResultReady = event.payload  # type: ignore[assignment]
        self._queue(event, "result_ready", {"code": p.dossier_code, "document_id": p.document_id})

    def messages(self, code: str) -> list[dict[str, Any]]:
        return self.repo.list_messages(code)

    def _queue(self, event: Event, kind: str, values: dict[str, str]) -> None:
        recipient = self.repo.get_recipient(event.subject)
        route = plan_route(recipient or {}, self.order, self.channels)
        if recipient is None or not route:
            return
        now, first = self.clock(), route[0]
        created = self.repo.create_message({
            "_id": message_key(event.id, kind, APPLICANT), "dossier_code": event.subject, "template": kind,
            "values": {"name": recipient["name"], **values}, "cause_event_id": event.id, "event_at": event.time,
            "route": route, "route_index": 0, "channel": first["channel"], "recipient": first["to"],
            "recipient_masked": mask(first["to"]), "state": "queued", "next_attempt_at": now, "claim": "",
            "attempts": 0, "channel_attempts": 0, "history": [], "created_at": now,
        })
        if created:
            self.wake()
