"""`python -m intake [all|serve|worker]`: builds intake from its settings and runs it."""

from __future__ import annotations

import json
import sys
from importlib import resources

from motcua.platform import GrpcService, Platform, Process, run_service
from motcua.v1 import intake_pb2, intake_pb2_grpc

from intake import handlers
from intake.app import create_app
from intake.repository import INDEXES, OUTBOX_COLLECTIONS, Repository
from intake.service import IntakeService
from intake.servicer import IntakeServicer
from intake.settings import Settings


def build(settings: Settings, platform: Platform) -> Process:
    platform.ensure_indexes(INDEXES, OUTBOX_COLLECTIONS)
    repo = Repository(platform.db)
    relay = platform.relay([repo.dossiers])
    service = IntakeService(repo=repo, kick=relay.kick, agency_id=settings.agency_id)
    catalog = json.loads(resources.files("intake").joinpath("catalog.json").read_text(encoding="utf-8"))
    service.load_catalog(catalog["procedures"])
    return Process(
        platform=platform,
        app=create_app(settings, service=service, readiness=platform.readiness),
        grpc_services=[GrpcService(lambda s: intake_pb2_grpc.add_IntakeServiceServicer_to_server(IntakeServicer(service), s),
                                   intake_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name)],
        relay=relay,
        handlers=handlers.handlers(service),
    )


def main() -> None:
    run_service("intake", Settings.from_env, build, sys.argv[1:])


if __name__ == "__main__":
    main()
