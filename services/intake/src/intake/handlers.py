"""The events intake consumes: routing's status changes keep the lookup current; its own reception events
get their forms issued."""

from __future__ import annotations

from motcua.kafka import Handler
from motcua.topics import DOSSIER_STATUS_CHANGED

from intake.forms import FormIssuer
from intake.service import IntakeService


def handlers(service: IntakeService, forms: FormIssuer) -> dict[str, Handler]:
    return {DOSSIER_STATUS_CHANGED.name: service.apply_status, **forms.handlers()}
