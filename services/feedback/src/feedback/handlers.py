"""The events feedback folds into its read models."""

from __future__ import annotations

from motcua.kafka import Handler
from motcua.topics import (
    DOCUMENT_SIGNED,
    DOSSIER_RECEIVED,
    FEEDBACK_SUBMITTED,
    NOTIFICATION_DELIVERED,
    NOTIFICATION_FAILED,
)

from feedback.service import FeedbackService


def handlers(service: FeedbackService) -> dict[str, Handler]:
    return {
        DOSSIER_RECEIVED.name: service.on_received,
        FEEDBACK_SUBMITTED.name: service.on_feedback,
        DOCUMENT_SIGNED.name: service.on_signed,
        NOTIFICATION_DELIVERED.name: service.on_notification,
        NOTIFICATION_FAILED.name: service.on_notification,
    }
