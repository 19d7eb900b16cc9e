"""Liveness and readiness: HTTP /healthz and /readyz, and the gRPC health service kept in step."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

from flask import Blueprint, jsonify
from grpc_health.v1 import health, health_pb2
from pymongo import MongoClient

log = logging.getLogger(__name__)

Check = Callable[[], None]


class Readiness:
    """Named dependency checks; ready when all pass. Results are cached briefly so probes stay cheap."""

    def __init__(self, checks: dict[str, Check], cache_seconds: float = 2.0) -> None:
        self.checks = checks
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._last: tuple[float, bool, dict[str, str]] | None = None

    def status(self) -> tuple[bool, dict[str, str]]:
        with self._lock:
            now = time.monotonic()
            if self._last and now - self._last[0] < self.cache_seconds:
                return self._last[1], self._last[2]
            details: dict[str, str] = {}
            for name, check in self.checks.items():
                try:
                    check()
                    details[name] = "ok"
                except Exception as error:  # noqa: BLE001 - any failure of a dependency check means "not ready"
                    details[name] = f"{type(error).__name__}: {error}"[:300]
            ready = all(v == "ok" for v in details.values())
            self._last = (now, ready, details)
            return ready, details


def mongo_check(client: MongoClient) -> Check:
    """The database answers a ping."""
    return lambda: client.admin.command("ping") and None


def kafka_check(bootstrap_servers: str, timeout: float = 1.0) -> Check:
    """At least one bootstrap broker accepts a TCP connection."""

    def check() -> None:
        errors = []
        for address in bootstrap_servers.split(","):
            host, _, port = address.strip().rpartition(":")
            try:
                with socket.create_connection((host, int(port)), timeout=timeout):
                    return
            except OSError as error:
                errors.append(f"{address}: {error}")
        raise ConnectionError("; ".join(errors))

    return check


def blueprint(readiness: Readiness) -> Blueprint:
    """/healthz answers while the process runs; /readyz only when its dependencies do."""
    bp = Blueprint("health", __name__)

    @bp.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        return jsonify(status="ok")

    @bp.get("/readyz")
    def readyz():  # type: ignore[no-untyped-def]
        ready, details = readiness.status()
        return jsonify(status="ready" if ready else "not ready", checks=details), 200 if ready else 503

    return bp


def keep_grpc_health(readiness: Readiness, servicer: health.HealthServicer, names: list[str],
                     stop: threading.Event, interval: float = 3.0) -> None:
    """Mirror readiness into the gRPC health service until stop is set, then report NOT_SERVING."""
    serving = health_pb2.HealthCheckResponse.SERVING
    not_serving = health_pb2.HealthCheckResponse.NOT_SERVING
    while True:
        ready, _ = readiness.status()
        for name in ["", *names]:
            servicer.set(name, serving if ready and not stop.is_set() else not_serving)
        if stop.wait(interval):
            for name in ["", *names]:
                servicer.set(name, not_serving)
            return
