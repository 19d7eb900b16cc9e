"""The events notification consumes: every dossier event, so that a rule stored for any of them takes effect.

Each event keeps the contact it carries (the applicant, the channels they chose); the rule stored for its
type, if any, turns it into a message (catalog.py).
"""

from __future__ import annotations

from motcua.kafka import Handler
from motcua.topics import DOSSIER, EVENT_TYPES

from notification.service import NotificationService


def handlers(service: NotificationService) -> dict[str, Handler]:
    return {name: service.on_event for name, kind in EVENT_TYPES.items() if kind.topic == DOSSIER}
