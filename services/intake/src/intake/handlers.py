"""The events intake consumes: routing's status changes keep the lookup current (group motcua-intake); its
own reception events get their forms issued in the lane `forms` (group motcua-intake-forms), so that
rendering and signing a form, hundreds of milliseconds each, never hold up the lookup."""

from __future__ import annotations

from motcua.kafka import Handler
from motcua.topics import DOSSIER_STATUS_CHANGED

from intake.forms import FormIssuer
from intake.service import IntakeService


def handlers(service: IntakeService) -> dict[str, Handler]:
    return {DOSSIER_STATUS_CHANGED.name: service.apply_status}


def lanes(forms: FormIssuer) -> dict[str, dict[str, Handler]]:
    return {"forms": forms.handlers()}
