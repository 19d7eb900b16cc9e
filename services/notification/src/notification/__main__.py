"""`python -m notification [all|serve|worker]`: builds notification from its settings and runs it."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

from motcua.platform import GrpcService, Platform, Process, run_service
from motcua.v1 import notification_pb2, notification_pb2_grpc

from notification import handlers
from notification.admin import Admin
from notification.agency import AgencySends
from notification.app import create_app
from notification.catalog import SEED_RULES, seed_templates
from notification.channels import Channel
from notification.channels.smpp import SmppChannel
from notification.channels.sms import SmsChannel
from notification.channels.smtp import SmtpChannel
from notification.channels.zns import ZnsChannel
from notification.delivery import Delivery
from notification.pacing import RateLimits
from notification.repository import INDEXES, OUTBOX_COLLECTIONS, Repository
from notification.service import NotificationService
from notification.servicer import NotifierServicer
from notification.settings import Settings, SmppSettings
from notification.templates import Renderer

log = logging.getLogger(__name__)


def build_channels(settings: Settings) -> dict[str, Channel]:
    """The configured channels by name (settings.channels lists them, in fallback order)."""
    built: dict[str, Channel] = {}
    if settings.zns is not None:
        built["zns"] = ZnsChannel(settings.zns)
    if isinstance(settings.sms, SmppSettings):
        built["sms"] = SmppChannel(settings.sms)
    elif settings.sms is not None:
        built["sms"] = SmsChannel(settings.sms)
    if settings.smtp is not None:
        built["email"] = SmtpChannel(settings.smtp)
    return built


def build(settings: Settings, platform: Platform) -> Process:
    platform.ensure_indexes(INDEXES, OUTBOX_COLLECTIONS)
    repo = Repository(platform.db)
    if held := repo.hold_unheld(datetime.now(UTC)):
        log.info("gave pending entries to %d unfinished messages stored without one", held)
    repo.seed(SEED_RULES, seed_templates(settings.zns.template_ids if settings.zns else {}, datetime.now(UTC)))
    relay = platform.relay([repo.messages])
    channels = build_channels(settings)
    renderer = Renderer()
    delivery = Delivery(repo=repo, channels=channels, retry=settings.retry, kick=relay.kick, renderer=renderer,
                        quiet=settings.quiet_hours, limits=RateLimits(settings.rate_limits), senders=settings.senders)
    service = NotificationService(repo=repo, channels=channels, order=settings.channels, sender=delivery,
                                  rating_url=settings.rating_url, quiet=settings.quiet_hours)
    tokens = platform.tokens()
    notifier = NotifierServicer(service, AgencySends(service=service, renderer=renderer), tokens)
    return Process(
        platform=platform,
        app=create_app(service=service, admin=Admin(repo=repo, renderer=renderer), delivery=delivery,
                       callback_secrets=settings.callback_secrets, callback_window=settings.callback_window,
                       tokens=tokens, readiness=platform.readiness),
        grpc_services=[GrpcService(lambda s: notification_pb2_grpc.add_NotifierServicer_to_server(notifier, s),
                                   notification_pb2.DESCRIPTOR.services_by_name["Notifier"].full_name)],
        relay=relay,
        handlers=handlers.handlers(service),
        parallel_keys=True,
        background={"sender": delivery.run},
    )


def main() -> None:
    run_service("notification", Settings.from_env, build, sys.argv[1:])


if __name__ == "__main__":
    main()
