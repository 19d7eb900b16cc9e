"""`python -m feedback [all|serve|worker]`: builds feedback from its settings and runs it."""

from __future__ import annotations

import sys

from motcua.platform import GrpcService, Platform, Process, run_service
from motcua.v1 import feedback_pb2, feedback_pb2_grpc

from feedback import handlers
from feedback.app import create_app
from feedback.repository import INDEXES, OUTBOX_COLLECTIONS, Repository
from feedback.service import FeedbackService
from feedback.servicer import FeedbackServicer
from feedback.settings import Settings


def build(settings: Settings, platform: Platform) -> Process:
    platform.ensure_indexes(INDEXES, OUTBOX_COLLECTIONS)
    repo = Repository(platform.db)
    relay = platform.relay([repo.ratings])
    service = FeedbackService(repo=repo, kick=relay.kick)
    servicer = FeedbackServicer(service)
    return Process(
        platform=platform,
        app=create_app(service=service, readiness=platform.readiness),
        grpc_services=[GrpcService(lambda s: feedback_pb2_grpc.add_FeedbackServicer_to_server(servicer, s),
                                   feedback_pb2.DESCRIPTOR.services_by_name["Feedback"].full_name)],
        relay=relay,
        handlers=handlers.handlers(service),
    )


def main() -> None:
    run_service("feedback", Settings.from_env, build, sys.argv[1:])


if __name__ == "__main__":
    main()
