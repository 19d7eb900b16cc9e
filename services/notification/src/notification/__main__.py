"""`python -m notification [all|serve|worker]`: builds notification from its settings and runs it."""

from __future__ import annotations

import sys

from motcua.platform import GrpcService, Platform, Process, run_service
from motcua.v1 import notification_pb2, notification_pb2_grpc

from notification import handlers
from notification.app import create_app
from notification.channels import SmtpChannel
from notification.repository import INDEXES, OUTBOX_COLLECTIONS, Repository
from notification.service import NotificationService
from notification.servicer import NotifierServicer
from notification.settings import Settings


def build(settings: Settings, platform: Platform) -> Process:
    platform.ensure_indexes(INDEXES, OUTBOX_COLLECTIONS)
    repo = Repository(platform.db)
    relay = platform.relay([repo.messages])
    service = NotificationService(repo=repo, kick=relay.kick, email=SmtpChannel(settings.smtp))
    notifier = NotifierServicer(service)
    return Process(
        platform=platform,
        app=create_app(service=service, tokens=platform.tokens(), readiness=platform.readiness),
        grpc_services=[GrpcService(lambda s: notification_pb2_grpc.add_NotifierServicer_to_server(notifier, s),
                                   notification_pb2.DESCRIPTOR.services_by_name["Notifier"].full_name)],
        relay=relay,
        handlers=handlers.handlers(service),
    )


def main() -> None:
    run_service("notification", Settings.from_env, build, sys.argv[1:])


if __name__ == "__main__":
    main()
