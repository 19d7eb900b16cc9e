"""The events feedback folds into its read models, and the one it acts on (a received dossier gets its link)."""

from __future__ import annotations

from motcua.events import Event
from motcua.kafka import Handler
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

from feedback.service import FeedbackService
from feedback.statistics import Statistics

FOLDED = (FEEDBACK_SUBMITTED, DOSSIER_COMPLETED, DOCUMENT_SIGNED, NOTIFICATION_DELIVERED, NOTIFICATION_FAILED,
          COMPLAINT_FILED, COMPLAINT_ANSWERED, COMPLAINT_ANSWER_RATED, DOSSIER_RECEIVED)


def handlers(service: FeedbackService, statistics: Statistics) -> dict[str, Handler]:
    def received(event: Event) -> None:
        service.issue_link(event)
        statistics.fold(event)

    return {**{t.name: statistics.fold for t in FOLDED}, DOSSIER_RECEIVED.name: received}
