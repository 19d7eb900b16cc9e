"""The scorecard read model: counters per dimension and period, folded from the event stream.

Each event adds to a few counters, each keyed `<dimension>|<value>|<period>` (periods: the year `2026`
and the month `2026-03`, in Vietnam's time zone, taken from the event's own business time so that a
rebuild from the topics lands every event where the live fold did). Statistics and the service index
read these counters by `_id`. A counter also remembers, per partition, the offset of the last event it
folded (`folded.<mark>`), which is what makes a fold exactly once (docs/feedback.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from google.protobuf.timestamp_pb2 import Timestamp
from motcua.events import Event
from motcua.topics import (
    COMPLAINT_ANSWER_RATED,
    COMPLAINT_ANSWERED,
    COMPLAINT_FILED,
    DOCUMENT_SIGNED,
    DOSSIER_COMPLETED,
    DOSSIER_RECEIVED,
    FEEDBACK_SUBMITTED,
    NOTIFICATION_DELIVERED,
    NOTIFICATION_FAILED,
)
from motcua.v1 import common_pb2, events_pb2

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
DIMENSIONS = ("all", "agency", "department", "official", "procedure", "channel")
CHANNELS = {common_pb2.CHANNEL_COUNTER: "counter", common_pb2.CHANNEL_ONLINE: "online",
            common_pb2.CHANNEL_POST: "post"}
ON_TIME = (events_pb2.TIMELINESS_EARLY, events_pb2.TIMELINESS_ON_TIME)


@dataclass(frozen=True)
class Addition:
    """What one event adds: to which dimension values, in which periods, which amounts."""

    dimensions: dict[str, str]
    at: datetime
    amounts: dict[str, int]

    def periods(self) -> tuple[str, str]:
        """The event's year and month in Vietnam's time zone: `2026`, `2026-03`."""
        local = self.at.astimezone(LOCAL)
        return f"{local.year:04d}", f"{local.year:04d}-{local.month:02d}"

    def counters(self) -> Iterator[tuple[str, dict[str, str]]]:
        periods = self.periods()
        for dimension, value in self.dimensions.items():
            if not value:
                continue
            for period in periods:
                yield f"{dimension}|{value}|{period}", {"dimension": dimension, "value": value, "period": period}

    def same(self) -> tuple[Any, ...]:
        """What another addition must share to add exactly as this one: the counters and the amounts."""
        return tuple(self.dimensions.items()), self.periods()[1], tuple(self.amounts.items())


def folded_at(event: Event) -> tuple[str, int]:
    """The consumed event's partition, as a counter remembers it (`<aggregate>_<partition>`), and its offset.

    Topics are `[<prefix>.]motcua.<aggregate>.v1`, so the aggregate names the topic without the dots a
    field name may not hold: `dossier_3`.
    """
    if event.position is None:
        raise ValueError(f"event {event.id} has no position: only consumed events are folded")
    position = event.position
    return f"{position.topic.rsplit('.', 2)[-2]}_{position.partition}", position.offset


def agency_of(dossier_code: str) -> str:
    """The receiving agency, the first part of a dossier code (`<agency>-<yyMMdd>-<NNNN>`)."""
    return dossier_code.rsplit("-", 2)[0] if dossier_code.count("-") >= 2 else ""


def _when(value: Timestamp, event: Event) -> datetime:
    return value.ToDatetime(tzinfo=LOCAL) if value.seconds else event.time


def addition(event: Event) -> Addition | None:
    """What an event adds to the scorecard, or None for events it does not count."""
    p = event.payload
    name = event.type.name
    if name == FEEDBACK_SUBMITTED.name:
        assert isinstance(p, events_pb2.FeedbackSubmitted)
        agency = p.agency_id or agency_of(p.dossier_code)
        satisfied = int(p.level >= p.scale - 1)
        return Addition(
            {"all": "all", "agency": agency, "department": f"{agency}/{p.department}" if p.department else "",
             "official": p.official, "procedure": p.procedure_code, "channel": CHANNELS.get(p.channel, "")},
            _when(p.submitted_at, event),
            {"ratings": 1, "satisfied": satisfied, f"levels.s{p.scale}l{p.level}": 1})
    if name == DOSSIER_RECEIVED.name:
        assert isinstance(p, events_pb2.DossierReceived)
        return Addition({"all": "all", "agency": p.agency_id, "procedure": p.procedure_code,
                         "channel": CHANNELS.get(p.channel, "")}, _when(p.received_at, event),
                        {"received": 1, "received_online": int(p.channel == common_pb2.CHANNEL_ONLINE)})
    if name == DOSSIER_COMPLETED.name:
        assert isinstance(p, events_pb2.DossierCompleted)
        return Addition(
            {"all": "all", "agency": p.agency_id, "department": f"{p.agency_id}/{p.department}" if p.department else "",
             "procedure": p.procedure_code, "channel": CHANNELS.get(p.channel, "")}, _when(p.completed_at, event),
            {"completed": 1, "on_time": int(p.timeliness in ON_TIME),
             "late": int(p.timeliness == events_pb2.TIMELINESS_LATE)})
    if name == DOCUMENT_SIGNED.name:
        assert isinstance(p, events_pb2.DocumentSigned)
        return Addition({"all": "all", "agency": agency_of(p.dossier_code)}, _when(p.signed_at, event),
                        {"results_signed": 1})
    if name == COMPLAINT_FILED.name:
        assert isinstance(p, events_pb2.ComplaintFiled)
        return Addition({"all": "all", "agency": p.agency_id}, _when(p.filed_at, event), {"complaints": 1})
    if name == COMPLAINT_ANSWERED.name:
        assert isinstance(p, events_pb2.ComplaintAnswered)
        return Addition({"all": "all", "agency": p.agency_id}, _when(p.answered_at, event),
                        {"complaints_answered": 1, "complaints_on_time": int(p.on_time)})
    if name == COMPLAINT_ANSWER_RATED.name:
        assert isinstance(p, events_pb2.ComplaintAnswerRated)
        return Addition({"all": "all", "agency": p.agency_id}, _when(p.rated_at, event),
                        {"answer_ratings": 1, "answer_satisfied": int(p.level >= p.scale - 1)})
    if name in (NOTIFICATION_DELIVERED.name, NOTIFICATION_FAILED.name):
        assert isinstance(p, events_pb2.NotificationOutcome)
        outcome = "delivered" if name == NOTIFICATION_DELIVERED.name else "failed"
        return Addition({"all": "all", "agency": agency_of(p.dossier_code)}, _when(p.at, event),
                        {f"notifications_{outcome}": 1})
    return None
