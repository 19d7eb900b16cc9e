"""`python -m routing [all|serve|worker]`: builds routing from its settings and runs it."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from importlib import resources
from typing import Any

from motcua.platform import GrpcService, Platform, Process, run_service
from motcua.rpc import channel
from motcua.runtime import every
from motcua.v1 import routing_pb2, routing_pb2_grpc

from routing import handlers
from routing.app import create_app
from routing.forms import Forms
from routing.queues import Queues
from routing.repository import INDEXES, OUTBOX_COLLECTIONS, Repository
from routing.results import Results
from routing.scheduler import Alarms
from routing.service import RoutingService
from routing.servicer import WorkbenchServicer
from routing.settings import Settings
from routing.signer import GrpcResultSigner

OPEN_DOSSIERS_REFRESH_SECONDS = 30.0


def shipped(name: str) -> Any:
    return json.loads(resources.files("routing").joinpath(name).read_text(encoding="utf-8"))


def build(settings: Settings, platform: Platform) -> Process:
    platform.ensure_indexes(INDEXES, OUTBOX_COLLECTIONS)
    repo = Repository(platform.db)
    relay = platform.relay([repo.dossiers])
    signing_channel = channel(settings.signing_addr, token_file=settings.signing_token_file)
    signer = GrpcResultSigner(signing_channel, agency_name=settings.agency_name, timeout=settings.signing_timeout)
    alarms = Alarms(repo=repo, kick=relay.kick, warning=timedelta(minutes=settings.due_soon_minutes))
    service = RoutingService(repo=repo, queues=Queues(repo.queues), kick=relay.kick, alarms=alarms)
    service.load_officers(shipped("officers.json")["officers"])
    service.seed_workflows(shipped("workflows.json")["workflows"])
    tokens = platform.tokens()
    workbench = WorkbenchServicer(service, Results(service, signer), Forms(service, signer), tokens)
    return Process(
        platform=platform,
        app=create_app(readiness=platform.readiness, service=service, tokens=tokens),
        grpc_services=[GrpcService(lambda s: routing_pb2_grpc.add_WorkbenchServicer_to_server(workbench, s),
                                   routing_pb2.DESCRIPTOR.services_by_name["Workbench"].full_name)],
        relay=relay,
        handlers=handlers.handlers(service),
        parallel_keys=True,
        # Beside the consumers, away from the pods that answer the workbench: the counts scan the dossiers on
        # FerretDB (on MongoDB the status index serves them), at most 5% of the time, and a tick fires alarms.
        background={"open-dossiers": every(OPEN_DOSSIERS_REFRESH_SECONDS, service.report_open_dossiers,
                                           "counting open dossiers", max_share=0.05),
                    "deadlines": every(float(settings.scheduler_seconds), alarms.run_tick, "firing deadline alarms")},
    )


def main() -> None:
    run_service("routing", Settings.from_env, build, sys.argv[1:])


if __name__ == "__main__":
    main()
