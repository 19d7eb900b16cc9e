"""The events intake consumes: routing's status changes keep the public lookup current."""

from __future__ import annotations

from motcua.kafka import Handler
from motcua.topics import DOSSIER_STATUS_CHANGED

from intake.service import IntakeService


def handlers(service: IntakeService) -> dict[str, Handler]:
    return {DOSSIER_STATUS_CHANGED.name: service.apply_status}
