"""`python -m feedback [all|serve|worker]`: builds feedback from its settings and runs it."""

from __future__ import annotations

import sys
from typing import Any

from motcua.platform import GrpcService, Platform, Process, run_service
from motcua.v1 import feedback_pb2, feedback_pb2_grpc
from prometheus_client import REGISTRY

from feedback import handlers
from feedback.app import create_app
from feedback.complaints import ComplaintService
from feedback.links import RatingLinks
from feedback.metrics import SatisfactionCollector
from feedback.repository import INDEXES, OUTBOX_COLLECTIONS, Repository
from feedback.service import FeedbackService, LinkSettings
from feedback.servicer import FeedbackServicer
from feedback.settings import Settings
from feedback.statistics import Statistics


def build(settings: Settings, platform: Platform) -> Process:
    platform.ensure_indexes(INDEXES, OUTBOX_COLLECTIONS)
    repo = Repository(platform.db)
    relay = platform.relay([repo.ratings, repo.dossiers, repo.complaints])
    service = FeedbackService(
        repo=repo, kick=relay.kick, links=RatingLinks(settings.link_secret), policies=settings.policies,
        settings=LinkSettings(public_url=settings.public_url, days=settings.link_days,
                              kiosk_seconds=settings.kiosk_seconds, rate_limit=settings.rate_limit,
                              issuers=settings.link_issuers))
    complaints = ComplaintService(repo=repo, kick=relay.kick, policies=settings.policies,
                                  answer_days=settings.complaint_days, clock=service.clock)
    statistics = Statistics(repo=repo, rules=settings.index_rules, index_seconds=settings.index_cache_seconds)
    servicer = FeedbackServicer(statistics, service, platform.tokens())
    REGISTRY.register(SatisfactionCollector(statistics.this_month_groups))
    return Process(
        platform=platform,
        app=create_app(service=service, complaints=complaints, statistics=statistics, tokens=platform.tokens(),
                       readiness=platform.readiness),
        grpc_services=[GrpcService(lambda s: feedback_pb2_grpc.add_FeedbackServicer_to_server(servicer, s),
                                   feedback_pb2.DESCRIPTOR.services_by_name["Feedback"].full_name)],
        relay=relay,
        handlers=handlers.handlers(service, statistics),
        loops={"forget-hits": service.forget_hits},
        retained=[repo.folds],
        http_options=proxy_options(settings.trusted_proxies),
    )


def proxy_options(trusted_proxies: int) -> dict[str, Any]:
    """Rate limits count per citizen address: behind proxies, the address the first proxy saw."""
    if not trusted_proxies:
        return {}
    return {"trusted_proxy": "*", "trusted_proxy_count": trusted_proxies, "trusted_proxy_headers": "x-forwarded-for"}


def main() -> None:
    run_service("feedback", Settings.from_env, build, sys.argv[1:])


if __name__ == "__main__":
    main()
