"""`python -m intake [all|serve|worker]`: builds intake from its settings and runs it."""

from __future__ import annotations

import sys

from motcua.calendar import OverrideStore
from motcua.platform import GrpcService, Platform, Process, run_service
from motcua.rpc import channel
from motcua.v1 import intake_pb2, intake_pb2_grpc

from intake import catalog, handlers
from intake.app import create_app
from intake.attachments import AttachmentStore
from intake.calendars import CalendarService
from intake.forms import FormIssuer, RatingLinkSource
from intake.repository import INDEXES, OUTBOX_COLLECTIONS, Repository
from intake.service import IntakeService
from intake.servicer import IntakeServicer
from intake.settings import Settings


def build(settings: Settings, platform: Platform) -> Process:
    platform.ensure_indexes(INDEXES, OUTBOX_COLLECTIONS)
    repo = Repository(platform.db)
    relay = platform.relay([repo.dossiers])
    catalog_service = catalog.CatalogService(repo=repo)
    if settings.load_seed:
        catalog_service.import_catalog(catalog.seed(), actor="seed")
    calendars = CalendarService(store=OverrideStore(repo.calendar_overrides), catalog=catalog_service)
    attachments = AttachmentStore(repo=repo, max_bytes=settings.max_attachment_bytes)
    service = IntakeService(repo=repo, catalog=catalog_service, attachments=attachments, kick=relay.kick,
                            calendar_for=calendars.for_agency)
    forms = FormIssuer(service=service, channel=channel(settings.signing_addr, token_file=settings.signing_token_file), public_url=settings.public_url,
                       timeout=settings.signing_timeout,
                       feedback=RatingLinkSource(channel(settings.feedback_addr, token_file=settings.signing_token_file),
                                                 timeout=settings.feedback_timeout))
    servicer = IntakeServicer(service=service, catalog=catalog_service, calendars=calendars)
    return Process(
        platform=platform,
        app=create_app(settings, service=service, catalog=catalog_service, calendars=calendars,
                       attachments=attachments, tokens=platform.tokens(), readiness=platform.readiness),
        grpc_services=[GrpcService(lambda s: intake_pb2_grpc.add_IntakeServiceServicer_to_server(servicer, s),
                                   intake_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name)],
        relay=relay,
        handlers=handlers.handlers(service),
        lanes=handlers.lanes(forms),
    )


def main() -> None:
    run_service("intake", Settings.from_env, build, sys.argv[1:])


if __name__ == "__main__":
    main()
