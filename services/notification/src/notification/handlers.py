"""The events notification consumes: each citizen-facing dossier event becomes a message."""

from __future__ import annotations

from motcua.kafka import Handler
from motcua.topics import DOSSIER_RECEIVED, RESULT_READY, TASK_ASSIGNED

from notification.service import NotificationService


def handlers(service: NotificationService) -> dict[str, Handler]:
    return {
        DOSSIER_RECEIVED.name: service.on_received,
        TASK_ASSIGNED.name: service.on_assigned,
        RESULT_READY.name: service.on_result_ready,
    }
