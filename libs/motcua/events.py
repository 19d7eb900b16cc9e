"""Events as CloudEvents (Kafka binding, binary mode) with protobuf payloads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from google.protobuf.message import DecodeError, Message
from google.protobuf.timestamp_pb2 import Timestamp

from motcua.topics import EVENT_TYPES, EventType

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/protobuf"


def timestamp(value: datetime) -> Timestamp:
    """A protobuf Timestamp for an aware datetime."""
    out = Timestamp()
    out.FromDatetime(value.astimezone(UTC))
    return out


class UndecodableEvent(ValueError):
    """A record that is not a motcua CloudEvent: it can never be handled and goes to the DLQ."""


@dataclass(frozen=True)
class Position:
    """Where a consumed record sits: its topic, partition and offset."""

    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class Event:
    """One event: its CloudEvents attributes and its protobuf payload (and, once consumed, its position)."""

    type: EventType
    id: str
    source: str
    subject: str
    time: datetime
    payload: Message
    position: Position | None = field(default=None, compare=False)

    @classmethod
    def new(cls, event_type: EventType, payload: Message, *, subject: str, source: str) -> Event:
        if not isinstance(payload, event_type.payload):
            raise TypeError(f"{event_type.name} carries {event_type.payload.__name__}, not {type(payload).__name__}")
        return cls(event_type, str(uuid.uuid4()), source, subject, datetime.now(UTC), payload)

    def headers(self) -> list[tuple[str, bytes]]:
        """The CloudEvents binary-mode headers."""
        return [
            ("ce_specversion", SPEC_VERSION.encode()),
            ("ce_id", self.id.encode()),
            ("ce_type", self.type.name.encode()),
            ("ce_source", self.source.encode()),
            ("ce_time", self.time.astimezone(UTC).isoformat(timespec="milliseconds").encode()),
            ("ce_subject", self.subject.encode()),
            ("content-type", CONTENT_TYPE.encode()),
        ]

    def to_document(self) -> dict[str, Any]:
        """The form an event takes inside a MongoDB outbox array."""
        return {
            "id": self.id,
            "type": self.type.name,
            "source": self.source,
            "subject": self.subject,
            "time": self.time,
            "payload": self.payload.SerializeToString(deterministic=True),
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Event:
        event_type = EVENT_TYPES[doc["type"]]
        payload = event_type.payload.FromString(bytes(doc["payload"]))
        when = doc["time"] if doc["time"].tzinfo else doc["time"].replace(tzinfo=UTC)
        return cls(event_type, doc["id"], doc["source"], doc["subject"], when, payload)

    @classmethod
    def from_record(cls, headers: Sequence[tuple[str, bytes]], value: bytes | None,
                    position: Position | None = None) -> Event:
        """Decode a Kafka record; raises UndecodableEvent for anything that is not ours."""
        attrs = {k: v.decode("utf-8", "replace") for k, v in headers or ()}
        missing = [h for h in ("ce_id", "ce_type", "ce_source", "ce_time") if not attrs.get(h)]
        if missing:
            raise UndecodableEvent(f"missing CloudEvents headers: {', '.join(missing)}")
        event_type = EVENT_TYPES.get(attrs["ce_type"])
        if event_type is None:
            raise UndecodableEvent(f"unknown event type {attrs['ce_type']!r}")
        try:
            payload = event_type.payload.FromString(value or b"")
            when = datetime.fromisoformat(attrs["ce_time"])
        except (DecodeError, ValueError) as error:
            raise UndecodableEvent(f"cannot decode {attrs['ce_type']}: {error}") from error
        return cls(event_type, attrs["ce_id"], attrs["ce_source"], attrs.get("ce_subject", ""), when, payload,
                   position)
