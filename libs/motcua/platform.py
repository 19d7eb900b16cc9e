"""What every service process holds (database, producer, readiness) and how its roles are started.

Roles: `serve` runs HTTP, gRPC and the outbox relay; `worker` runs the Kafka consumer, the service's
background loops (a sender of queued messages), the relay and HTTP for health and metrics; a service's
own loops (refreshing gauges) run in both; `all` runs everything in one process (the local default).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import grpc
from flask import Flask
from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError
from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.database import Database

from motcua import health, kafka, logs, store
from motcua.auth import TokenVerifier
from motcua.inbox import INDEX as INBOX_INDEX
from motcua.inbox import Inbox, prune
from motcua.outbox import INDEX as OUTBOX_INDEX
from motcua.outbox import OutboxRelay
from motcua.rpc import build_server
from motcua.runtime import Loop, Runtime, every
from motcua.settings import CommonSettings, SettingsError
from motcua.topics import CONSUMES, group_id, qualified

log = logging.getLogger(__name__)

ROLES = ("all", "serve", "worker")
INBOX_PRUNE_SECONDS = 3600.0  # the inbox keeps days of ids; an hourly turn keeps it near its retention


@dataclass(frozen=True)
class GrpcService:
    """A servicer to mount: the generated `add_..._to_server` function and its full service name."""

    register: Callable[[grpc.Server], None]
    name: str


class Platform:
    """The shared clients of one service process, built once at start-up and passed down."""

    def __init__(self, settings: CommonSettings, *, producer_wait: float = 120.0) -> None:
        self.settings = settings
        self.mongo: MongoClient = store.connect(
            settings.mongo_url, f"motcua-{settings.service}", slow_ms=settings.mongo_slow_ms
        )
        self.db: Database = store.database(self.mongo, settings.service, settings.database_prefix)
        self.kafka: KafkaProducer = _producer(settings, producer_wait)
        self.readiness = health.Readiness({
            "mongodb": health.mongo_check(self.mongo),
            "kafka": health.kafka_check(settings.kafka.bootstrap_servers),
        })
        self.inbox = Inbox(self.db["inbox"])

    def tokens(self) -> TokenVerifier:
        """The JWT verifier; the public key is required for services that authenticate callers."""
        if self.settings.jwt_public_key is None:
            raise SettingsError("MOTCUA_JWT_PUBLIC_KEY is required but not set")
        return TokenVerifier.from_file(self.settings.jwt_public_key)

    def ensure_indexes(self, specs: dict[str, Iterable[store.IndexSpec]], outbox_collections: Iterable[str] = ()) -> None:
        all_specs = {name: list(indexes) for name, indexes in specs.items()}
        for name in outbox_collections:
            all_specs.setdefault(name, []).append(OUTBOX_INDEX)
        if CONSUMES.get(self.settings.service):
            all_specs.setdefault("inbox", []).append(INBOX_INDEX)
        store.ensure_indexes(self.db, all_specs)

    def relay(self, collections: Iterable[Collection]) -> OutboxRelay:
        return OutboxRelay(collections=collections, kafka=self.kafka, topic_prefix=self.settings.topic_prefix)

    def close(self) -> None:
        self.kafka.close(timeout=10)
        self.mongo.close()


@dataclass
class Process:
    """The parts of one service, ready to be run in a role."""

    platform: Platform
    app: Flask
    grpc_services: list[GrpcService] = field(default_factory=list)
    relay: OutboxRelay | None = None
    handlers: dict[str, kafka.Handler] = field(default_factory=dict)
    # Handlers consumed in a group of their own, motcua-<service>-<lane>, so that slow work (rendering and
    # signing a form) never holds up the rest of the service's events.
    lanes: dict[str, dict[str, kafka.Handler]] = field(default_factory=dict)
    # Whether the handlers need only each key's (dossier's) events in order, not a whole partition's: then a
    # consumer handles MOTCUA_CONSUMER_THREADS dossiers of a batch at once.
    parallel_keys: bool = False
    # Loops that run in every role, e.g. refreshing gauges.
    loops: dict[str, Loop] = field(default_factory=dict)
    # Loops that run beside the consumer (roles all and worker), e.g. a sender of queued messages.
    background: dict[str, Loop] = field(default_factory=dict)
    # Options of the HTTP server (waitress), e.g. the proxies whose X-Forwarded-For is trusted.
    http_options: dict[str, Any] = field(default_factory=dict)
    # Collections kept like the inbox (one document per event, `at` indexed with inbox.INDEX) that matter only
    # while an event can come again: pruned with the inbox, after the same retention.
    retained: list[Collection] = field(default_factory=list)

    def run(self, role: str) -> None:
        if role not in ROLES:
            raise SettingsError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
        settings = self.platform.settings
        runtime = Runtime(settings.service)
        runtime.http(self.app, settings.http_port, self.http_options)
        if self.relay is not None:
            runtime.loop("relay", self.relay.run)
        for name, loop in self.loops.items():
            runtime.loop(name, loop)
        if role in ("all", "serve") and self.grpc_services:
            server, servicer = build_server(
                service=settings.service, port=settings.grpc_port,
                register=[s.register for s in self.grpc_services], service_names=[s.name for s in self.grpc_services],
            )
            runtime.grpc(server)
            names = [s.name for s in self.grpc_services]
            runtime.loop("grpc-health", lambda stop: health.keep_grpc_health(self.platform.readiness, servicer, names, stop))
        if role in ("all", "worker"):
            groups = {"": self.handlers, **self.lanes} if self.handlers else dict(self.lanes)
            for lane, handlers in groups.items():
                for member in range(settings.consumers):
                    name = "-".join(part for part in ("consumer", lane, str(member) if member else "") if part)
                    runtime.loop(name, self.consumer(handlers, lane, member).run)
        if role in ("all", "worker"):
            for name, loop in self.background.items():
                runtime.loop(name, loop)
            if self.handlers or self.lanes:
                retention = timedelta(days=settings.inbox_retention_days)
                runtime.loop("inbox-retention", every(INBOX_PRUNE_SECONDS, lambda: self._prune_inbox(retention),
                                                      "pruning the inbox", max_share=0.05))
        runtime.on_close(self.platform.close)
        runtime.run()

    def _prune_inbox(self, retention: timedelta) -> None:
        if pruned := self.platform.inbox.prune(retention):
            log.info("forgot %d handled event ids older than %d days", pruned, retention.days)
        for collection in self.retained:
            if pruned := prune(collection, retention, date_untimed=True):
                log.info("forgot %d documents of %s older than %d days", pruned, collection.name, retention.days)

    def consumer(self, handlers: dict[str, kafka.Handler], lane: str = "", member: int = 0) -> kafka.ConsumerLoop:
        settings = self.platform.settings
        topics = [qualified(t.name, settings.topic_prefix) for t in CONSUMES[settings.service]]
        group = qualified(group_id(settings.service, lane), settings.topic_prefix)
        return kafka.ConsumerLoop(
            kafka=settings.kafka, group=group, topics=topics,
            handlers=handlers, inbox=self.platform.inbox, dlq_producer=self.platform.kafka, member=member,
            threads=settings.consumer_threads if self.parallel_keys else 1,
        )


def _producer(settings: CommonSettings, wait: float) -> KafkaProducer:
    """The producer, waiting for the brokers at start-up rather than failing on the first refusal."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return kafka.producer(settings.kafka, f"motcua-{settings.service}")
        except KafkaTimeoutError:
            if time.monotonic() > deadline:
                raise
            log.warning("Kafka at %s not reachable yet; retrying", settings.kafka.bootstrap_servers)


def run_service(service: str, load_settings: Callable[[], Any], build: Callable[[Any, Platform], Process],
         argv: list[str]) -> None:
    """The entry point of every service: settings (failing fast and clearly), logging, build, run the role."""
    try:
        settings = load_settings()
        role = argv[0] if argv else "all"
        if role not in ROLES:
            raise SettingsError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    except SettingsError as error:
        print(f"{service}: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    logs.configure(service, settings.common.log_level)
    build(settings, Platform(settings.common)).run(role)
