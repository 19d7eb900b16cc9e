"""The events routing consumes: a received dossier opens its workflow; a supplement restarts its clock."""

from __future__ import annotations

from motcua.kafka import Handler
from motcua.topics import DOSSIER_RECEIVED, SUPPLEMENT_PROVIDED

from routing.service import RoutingService


def handlers(service: RoutingService) -> dict[str, Handler]:
    return {DOSSIER_RECEIVED.name: service.open_dossier, SUPPLEMENT_PROVIDED.name: service.resume}
