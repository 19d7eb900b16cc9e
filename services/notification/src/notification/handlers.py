"""The events notification consumes: every dossier event, so that a rule stored for any of them takes effect,
and feedback's rating links.

Each dossier event keeps the contact it carries (the applicant, the channels they chose); the rule stored for
its type, if any, turns it into a message (catalog.py). A rating link is kept with the dossier's contact, for
the result and completion messages.
"""

from __future__ import annotations

from motcua.kafka import Handler
from motcua.topics import DOSSIER, EVENT_TYPES, RATING_LINK_ISSUED

from notification.service import NotificationService


def handlers(service: NotificationService) -> dict[str, Handler]:
    dossier = {name: service.on_event for name, kind in EVENT_TYPES.items() if kind.topic == DOSSIER}
    return {**dossier, RATING_LINK_ISSUED.name: service.on_rating_link}
