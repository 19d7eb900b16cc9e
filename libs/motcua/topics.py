"""Every Kafka topic, event type and consumer group of the platform, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.message import Message

from motcua.v1 import events_pb2


@dataclass(frozen=True)
class Topic:
    """A Kafka topic with the partition count it is created with."""

    name: str
    partitions: int

    @property
    def dlq(self) -> str:
        return f"{self.name}.dlq"


DOSSIER = Topic("motcua.dossier.v1", 6)
DOCUMENT = Topic("motcua.document.v1", 3)
NOTIFICATION = Topic("motcua.notification.v1", 3)
FEEDBACK = Topic("motcua.feedback.v1", 3)
TOPICS = (DOSSIER, DOCUMENT, NOTIFICATION, FEEDBACK)
DLQ_PARTITIONS = 1


@dataclass(frozen=True)
class EventType:
    """A CloudEvents type: its name, the topic it travels on, its payload message and who emits it."""

    name: str
    topic: Topic
    payload: type[Message]
    producer: str


DOSSIER_SUBMITTED = EventType("vn.motcua.dossier.submitted.v1", DOSSIER, events_pb2.DossierSubmitted, "intake")
DOSSIER_RECEIVED = EventType("vn.motcua.dossier.received.v1", DOSSIER, events_pb2.DossierReceived, "intake")
SUPPLEMENT_REQUESTED = EventType(
    "vn.motcua.dossier.supplement_requested.v1", DOSSIER, events_pb2.SupplementRequested, "intake"
)
SUPPLEMENT_PROVIDED = EventType(
    "vn.motcua.dossier.supplement_provided.v1", DOSSIER, events_pb2.SupplementProvided, "intake"
)
DOSSIER_REFUSED = EventType("vn.motcua.dossier.refused.v1", DOSSIER, events_pb2.DossierRefused, "intake")
DOSSIER_WITHDRAWN = EventType("vn.motcua.dossier.withdrawn.v1", DOSSIER, events_pb2.DossierWithdrawn, "intake")
FORM_ISSUED = EventType("vn.motcua.dossier.form_issued.v1", DOSSIER, events_pb2.FormIssued, "intake")
TASK_ASSIGNED = EventType("vn.motcua.dossier.task_assigned.v1", DOSSIER, events_pb2.TaskAssigned, "routing")
DOSSIER_STATUS_CHANGED = EventType(
    "vn.motcua.dossier.status_changed.v1", DOSSIER, events_pb2.DossierStatusChanged, "routing"
)
RESULT_READY = EventType("vn.motcua.dossier.result_ready.v1", DOSSIER, events_pb2.ResultReady, "routing")
DOSSIER_DUE_SOON = EventType("vn.motcua.dossier.due_soon.v1", DOSSIER, events_pb2.DossierDeadline, "routing")
DOSSIER_OVERDUE = EventType("vn.motcua.dossier.overdue.v1", DOSSIER, events_pb2.DossierDeadline, "routing")
APOLOGY_ISSUED = EventType("vn.motcua.dossier.apology_issued.v1", DOSSIER, events_pb2.ApologyIssued, "routing")
DOSSIER_COMPLETED = EventType("vn.motcua.dossier.completed.v1", DOSSIER, events_pb2.DossierCompleted, "routing")
DOCUMENT_SIGNED = EventType("vn.motcua.document.signed.v1", DOCUMENT, events_pb2.DocumentSigned, "signing")
NOTIFICATION_DELIVERED = EventType(
    "vn.motcua.notification.delivered.v1", NOTIFICATION, events_pb2.NotificationOutcome, "notification"
)
NOTIFICATION_FAILED = EventType(
    "vn.motcua.notification.failed.v1", NOTIFICATION, events_pb2.NotificationOutcome, "notification"
)
FEEDBACK_SUBMITTED = EventType(
    "vn.motcua.feedback.submitted.v1", FEEDBACK, events_pb2.FeedbackSubmitted, "feedback"
)
RATING_LINK_ISSUED = EventType(
    "vn.motcua.feedback.rating_link_issued.v1", FEEDBACK, events_pb2.RatingLinkIssued, "feedback"
)
COMPLAINT_FILED = EventType("vn.motcua.feedback.complaint_filed.v1", FEEDBACK, events_pb2.ComplaintFiled, "feedback")
COMPLAINT_ANSWERED = EventType(
    "vn.motcua.feedback.complaint_answered.v1", FEEDBACK, events_pb2.ComplaintAnswered, "feedback"
)
COMPLAINT_ANSWER_RATED = EventType(
    "vn.motcua.feedback.complaint_answer_rated.v1", FEEDBACK, events_pb2.ComplaintAnswerRated, "feedback"
)

EVENT_TYPES = {
    t.name: t
    for t in (
        DOSSIER_SUBMITTED,
        DOSSIER_RECEIVED,
        SUPPLEMENT_REQUESTED,
        SUPPLEMENT_PROVIDED,
        DOSSIER_REFUSED,
        DOSSIER_WITHDRAWN,
        FORM_ISSUED,
        TASK_ASSIGNED,
        DOSSIER_STATUS_CHANGED,
        RESULT_READY,
        DOSSIER_DUE_SOON,
        DOSSIER_OVERDUE,
        APOLOGY_ISSUED,
        DOSSIER_COMPLETED,
        DOCUMENT_SIGNED,
        NOTIFICATION_DELIVERED,
        NOTIFICATION_FAILED,
        FEEDBACK_SUBMITTED,
        RATING_LINK_ISSUED,
        COMPLAINT_FILED,
        COMPLAINT_ANSWERED,
        COMPLAINT_ANSWER_RATED,
    )
}

# Which topics each service's consumer group reads; the group id is motcua-<service>.
CONSUMES = {
    "intake": (DOSSIER,),
    "routing": (DOSSIER,),
    "notification": (DOSSIER, FEEDBACK),
    "feedback": (DOSSIER, DOCUMENT, NOTIFICATION, FEEDBACK),
}


def group_id(service: str, lane: str = "") -> str:
    """The consumer group of a service, or of one of its lanes (handlers kept apart from the rest)."""
    return f"motcua-{service}-{lane}" if lane else f"motcua-{service}"


def qualified(name: str, prefix: str) -> str:
    """A topic name with the deployment's prefix, if any (tests run each in its own prefix)."""
    return f"{prefix}.{name}" if prefix else name
