"""A cheap closed-loop load generator: N jobs over C threads, each thread with one keep-alive connection."""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ERROR_SAMPLES = 5
RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
# What a job may fail with: the network, HTTP framing, or an answer that is not the JSON expected.
JOB_ERRORS = (OSError, http.client.HTTPException, ValueError, KeyError)


class HttpClient:
    """One HTTP/1.1 keep-alive connection; reconnects once when the server closed an idle connection."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response.status, response.read()
            except RETRYABLE:
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()


@dataclass(frozen=True)
class Outcome:
    """What one job achieved: ok, a value to keep (a dossier code, a hash), or why it failed."""

    ok: bool
    value: Any = None
    error: str = ""
    kind: str = ""


def expect(status: int, body: bytes, *accepted: int) -> Outcome | None:
    """None when the status is one of accepted, else the failed Outcome with the body's start."""
    if status in accepted:
        return None
    text = body[:400].decode(errors="replace")
    try:
        problem = json.loads(body)
        reason = problem.get("reason") or problem.get("detail") or problem.get("title") or ""
    except (ValueError, AttributeError):
        reason = text[:60]
    return Outcome(False, error=f"HTTP {status}: {text}", kind=f"HTTP {status} {reason}".strip())


@dataclass
class Sample:
    index: int
    started: float
    latency: float
    outcome: Outcome


@dataclass
class LoadResult:
    samples: list[Sample] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    client_cpu: float = 0.0

    @property
    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.outcome.ok]

    @property
    def failed(self) -> list[Sample]:
        return [s for s in self.samples if not s.outcome.ok]

    @property
    def seconds(self) -> float:
        return max(self.finished - self.started, 1e-9)

    def error_samples(self) -> list[str]:
        return [f"#{s.index}: {s.outcome.error}" for s in self.failed[:ERROR_SAMPLES]]

    def error_kinds(self) -> dict[str, int]:
        return dict(Counter(s.outcome.kind for s in self.failed).most_common())


Job = Callable[[HttpClient, int], Outcome]


def run_load(job: Job, *, n: int, concurrency: int, host: str, port: int, stop: threading.Event) -> LoadResult:
    """Run job(client, i) for i in range(n) on `concurrency` threads; latency is the whole job's."""
    indexes = itertools.count()
    lock = threading.Lock()
    per_thread: list[list[Sample]] = [[] for _ in range(min(concurrency, n))]

    def worker(samples: list[Sample]) -> None:
        client = HttpClient(host, port)
        try:
            while not stop.is_set():
                with lock:
                    i = next(indexes)
                if i >= n:
                    return
                started = time.perf_counter()
                try:
                    outcome = job(client, i)
                except JOB_ERRORS as error:
                    outcome = Outcome(False, error=f"{type(error).__name__}: {error}", kind=type(error).__name__)
                    client.close()
                samples.append(Sample(i, started, time.perf_counter() - started, outcome))
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(s,), daemon=True, name=f"load-{k}")
               for k, s in enumerate(per_thread)]
    cpu = time.process_time()
    result = LoadResult(started=time.perf_counter())
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():  # join in slices so Ctrl-C reaches the main thread
            thread.join(timeout=0.5)
    result.finished = time.perf_counter()
    result.client_cpu = time.process_time() - cpu
    result.samples = sorted(itertools.chain.from_iterable(per_thread), key=lambda s: s.index)
    return result


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0..100) of already sorted values, interpolated linearly."""
    if not sorted_values:
        return float("nan")
    rank = (len(sorted_values) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)
