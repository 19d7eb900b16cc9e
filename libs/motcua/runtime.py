"""Runs a service's parts (HTTP, gRPC, consumer, relay) as threads of one process, and stops them cleanly."""

from __future__ import annotations

import gc
import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import grpc
from flask import Flask
from waitress.server import create_server

log = logging.getLogger(__name__)

Loop = Callable[[threading.Event], None]


def every(seconds: float, action: Callable[[], None], what: str, *, max_share: float = 1.0) -> Loop:
    """A loop that runs action at once, then every `seconds` until stopped; a failure waits for the next turn.

    With `max_share` below 1 the loop waits longer after a slow turn, so that the action takes at most that
    share of the time: a count that scans a growing collection (as FerretDB answers it) slows its own pace
    instead of keeping the database busy.
    """

    def loop(stop: threading.Event) -> None:
        while True:
            started = time.monotonic()
            try:
                action()
            except Exception as error:  # noqa: BLE001 - a failed turn must not stop the process; the next one retries
                log.warning("%s failed (%r); trying again in %.0fs", what, error, seconds)
            if stop.wait(pause(seconds, time.monotonic() - started, max_share)):
                return

    return loop


def pause(seconds: float, took: float, max_share: float) -> float:
    """How long to wait after a turn that took `took`: `seconds`, or longer so that turns take `max_share`."""
    return max(seconds, took / max_share - took)


class Runtime:
    """Collects the parts of a process; `run()` starts them and blocks until SIGINT or SIGTERM."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.stop = threading.Event()
        self._loops: list[tuple[str, Loop]] = []
        self._http: list[tuple[Flask, int, dict[str, Any]]] = []
        self._grpc: list[grpc.Server] = []
        self._closers: list[Callable[[], None]] = []

    def http(self, app: Flask, port: int, options: dict[str, Any] | None = None) -> None:
        """Serve app on port; options are waitress's (e.g. which proxies' X-Forwarded-For to trust)."""
        self._http.append((app, port, options or {}))

    def grpc(self, server: grpc.Server) -> None:
        self._grpc.append(server)

    def loop(self, name: str, target: Loop) -> None:
        self._loops.append((name, target))

    def on_close(self, closer: Callable[[], None]) -> None:
        self._closers.append(closer)

    def run(self, install_signals: bool = True) -> None:
        if install_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: self.stop.set())
        threads = [self._thread(name, target) for name, target in self._loops]
        servers = []
        for app, port, options in self._http:
            server = create_server(app, host="0.0.0.0", port=port, threads=16, channel_timeout=30,
                                   ident=f"motcua-{self.service}", **options)
            servers.append(server)
            threads.append(self._thread("http", lambda _stop, s=server: s.run()))
        # What start-up built lives as long as the process: out of the collector's way, a full collection
        # no longer walks it while a request waits. Start-up's garbage (a warm-up's cycles) is collected
        # first: frozen, it would never be freed.
        gc.collect()
        gc.freeze()
        for server in self._grpc:
            server.start()
        log.info("%s started: %s", self.service, ", ".join(t.name for t in threads) or "nothing")
        self.stop.wait()
        log.info("%s stopping", self.service)
        for server in self._grpc:
            server.stop(grace=5).wait(6)
        for server in servers:
            server.close()
        for thread in threads:
            thread.join(timeout=10)
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception:
                log.exception("error while closing")
        log.info("%s stopped", self.service)

    def _thread(self, name: str, target: Loop) -> threading.Thread:
        def body() -> None:
            try:
                target(self.stop)
            except Exception:
                log.exception("%s loop crashed; stopping the process", name)
                self.stop.set()

        thread = threading.Thread(target=body, name=f"{self.service}-{name}", daemon=True)
        thread.start()
        return thread
