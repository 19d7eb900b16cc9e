"""The rules of notification: which event tells the citizen what, queued once per event, kind and recipient.

What an event says and on which channels is data (catalog.py): the rule stored for its type. The handlers
only queue messages; the sender (delivery.py) sends them, so a slow or failing provider never holds up the
Kafka consumer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from motcua.errors import Conflict, NotFound
from motcua.events import Event
from motcua.logs import mask

from notification.catalog import event_values
from notification.channels import Channel
from notification.delivery import plan_route
from notification.lookups import CatalogCache
from notification.pacing import NO_QUIET_HOURS, QuietHours
from notification.repository import FINISHED

# Messages of the platform go to the dossier's applicant; the key keeps room for other recipients.
APPLICANT = "applicant"


def message_key(event_id: str, kind: str, recipient: str) -> str:
    """The message's id: the same event, kind and recipient always give the same one (the dedup key)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"motcua:notification/{event_id}/{kind}/{recipient}"))


class Sender(Protocol):
    """The sender of this process (delivery.Delivery), as the service hands messages to it."""

    def hand_over_due(self, now: datetime) -> datetime: ...

    def ready(self, message_id: str, claim: str, dossier: str) -> None: ...


class NotificationService:
    def __init__(self, *, repo: Any, channels: Mapping[str, Channel], order: tuple[str, ...],
                 sender: Sender, rating_url: str = "", quiet: QuietHours = NO_QUIET_HOURS,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.catalog = CatalogCache(repo)
        self.channels = channels
        self.order = order
        self.sender = sender  # this process's: takes a message due now, with its claim token and dossier
        self.rating_url = rating_url
        self.quiet = quiet
        self.clock = clock

    def on_event(self, event: Event) -> None:
        """Keep the contact an event carries, then queue the message its rule asks for, if any."""
        payload = event.payload
        names = {f.name for f in payload.DESCRIPTOR.fields}
        recipient = None
        if "applicant" in names and payload.HasField("applicant"):  # type: ignore[attr-defined]
            applicant = payload.applicant  # type: ignore[attr-defined]
            # An event that names the applicant without a contact (a supplement request) keeps the one stored.
            contact: dict[str, Any] = {key: value for key, value in (
                ("name", applicant.full_name), ("email", applicant.email), ("phone", applicant.phone)) if value}
            if "notify_channels" in names:
                contact["channels"] = list(payload.notify_channels)  # type: ignore[attr-defined]
            recipient = self.repo.save_recipient(event.subject, contact)
        catalog = self.catalog.current()
        rule = catalog.rules.get(event.type.name)
        if rule is None or not rule.get("enabled", True):
            return
        values = event_values(payload)
        if recipient is None:
            recipient = self.repo.get_recipient(event.subject)
        if recipient and recipient.get("rating_url"):
            values["rating_url"] = recipient["rating_url"]
        elif self.rating_url:
            values["rating_url"] = self.rating_url.replace("{code}", event.subject)
        message = self.plan(message_key(event.id, rule["kind"], APPLICANT), event.subject, rule,
                            {"rating_url": "", **values}, recipient, event.time, catalog.versions.get(rule["kind"], {}))
        if message is not None:
            self.create({**message, "cause_event_id": event.id})

    def on_rating_link(self, event: Event) -> None:
        """Keep the dossier's rating link (feedback signs it) for the messages that invite a rating."""
        self.repo.save_recipient(event.subject, {"rating_url": event.payload.url})  # type: ignore[attr-defined]

    def order_for(self, recipient: Mapping[str, Any], rule: Mapping[str, Any]) -> tuple[str, ...]:
        """The citizen's channels in their order (the configured order without any), those the rule allows."""
        preferred = tuple(name for name in recipient.get("channels", ()) if name in self.channels)
        allowed = rule.get("channels") or self.channels
        return tuple(name for name in preferred or self.order if name in allowed)

    def messages(self, code: str) -> list[dict[str, Any]]:
        return self.repo.list_messages(code)

    def plan(self, message_id: str, code: str, rule: Mapping[str, Any], values: dict[str, str],
             recipient: Mapping[str, Any] | None, event_at: datetime,
             versions: Mapping[str, int] | None = None) -> dict[str, Any] | None:
        """A new message record with its route and due time; None when no channel can reach the recipient.

        `versions`: the latest template version of the kind per channel, when the caller has them already.
        """
        kind = rule["kind"]
        if versions is None:
            versions = self.catalog.current().versions.get(kind, {})
        route = [{**step, "template_version": versions[step["channel"]]}
                 for step in plan_route(recipient or {}, self.order_for(recipient or {}, rule), self.channels)
                 if step["channel"] in versions]
        if recipient is None or not route:
            return None
        now, first, urgent = self.clock(), route[0], bool(rule.get("urgent"))
        due = now if urgent else self.quiet.release(now)
        return {
            "_id": message_id, "dossier_code": code, "template": kind,
            "values": {"name": recipient.get("name", ""), **values}, "cause_event_id": "", "event_at": event_at,
            "urgent": urgent, "route": route, "route_index": 0, "channel": first["channel"],
            "recipient": first["to"], "recipient_masked": mask(first["to"]), "state": "queued",
            "next_attempt_at": due, "deferred_until": due if due > now else None, "claim": "", "attempts": 0,
            "channel_attempts": 0, "resends": 0, "history": [], "created_at": now,
        }

    def create(self, message: dict[str, Any]) -> bool:
        """Store a planned message and hand it to the sender if it is due; False if one with its id exists.

        Its pending entry is written first, so that a crash between the two writes leaves an entry (deleted
        later as garbage), never a message no poll finds.
        """
        handed = message["next_attempt_at"] <= message["created_at"]
        due = self.sender.hand_over_due(message["created_at"]) if handed else message["next_attempt_at"]
        generation = self.repo.hold(message["_id"], due, message["created_at"])
        created = self.repo.create_message({**message, "pending": generation})
        if not created:
            if generation == 1:  # this call wrote the entry, for a message stored (and finished) before
                self.repo.release(message["_id"], generation)
            return False
        if handed:
            self.sender.ready(message["_id"], message["claim"], message["dossier_code"])
        return True

    def resend(self, message_id: str, actor: str) -> dict[str, Any]:
        """Send a finished message again from the first channel of its route, as a new attempt on its record."""
        message = self.repo.get_message(message_id)
        if message is None:
            raise NotFound(detail=f"no message {message_id}", detail_vi="Không tìm thấy tin nhắn")
        if message["state"] not in FINISHED:
            raise self._not_finished(message)
        first, now = message["route"][0], self.clock()
        fields = {"state": "queued", "next_attempt_at": now, "route_index": 0, "channel": first["channel"],
                  "recipient": first["to"], "recipient_masked": mask(first["to"]), "channel_attempts": 0,
                  "error": "", "claim": uuid.uuid4().hex}
        entry = {"at": now, "channel": message["channel"], "provider": message.get("provider", ""),
                 "outcome": "resend", "error": "", "provider_message_id": "", "template_version": 0, "by": actor}
        # Before it is queued again, as at its creation.
        fields["pending"] = self.repo.hold(message_id, self.sender.hand_over_due(now), now)
        resent = self.repo.resend(message_id, message["claim"], fields, entry)
        if resent is None:
            raise self._not_finished(message)
        self.sender.ready(message_id, fields["claim"], message["dossier_code"])
        return resent

    @staticmethod
    def _not_finished(message: Mapping[str, Any]) -> Conflict:
        return Conflict(detail=f"message {message['_id']} is still being sent ({message['state']}); resend it once it "
                        "is done", detail_vi="Tin nhắn đang được gửi; chỉ gửi lại khi đã gửi xong hoặc thất bại",
                        reason="MESSAGE_NOT_FINISHED")
