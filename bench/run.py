"""`python -m bench.run` (`make bench`): the platform's benchmarks on a stack of its own.

Starts Kafka, FerretDB, the SMTP sink and the five services on the bench's ports with fresh data,
runs every scenario, prints a table and writes .run/bench/results.json, and stops everything at the
end, on error or on Ctrl-C. BENCH_N, BENCH_CONCURRENCY, BENCH_LOOKUPS, BENCH_E2E_TIMEOUT, BENCH_STRICT.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench import baselines, metrics, report
from bench.config import (
    DATA,
    KEYS,
    PORTS,
    PREFIX,
    RUN,
    SERVICES,
    Settings,
    Stack,
    settings_from_env,
)
from bench.mail import MailWatcher
from bench.pipeline import LagWatch, Pipeline
from bench.processes import CpuWindow, RssSampler, cpu_seconds
from bench.report import Result
from bench.scenarios import Intake, Submitted, e2e

RESULTS = RUN / "results.json"
# The scenarios measure submission to the first e-mail in the SMTP sink, so messages go by e-mail only.
BENCH_ENV = {"notification": {"MOTCUA_NOTIFICATION_CHANNELS": "email"}}
# The order of the table and the JSON (the run itself measures the baselines first).
ORDER = ("intake.submit", "e2e", "intake.submit_with_attachments", "intake.lookup", "baseline.flask_pymongo",
         "baseline.kafka_roundtrip")
log = logging.getLogger("bench")


class Bench:
    """One run: the stack, the samplers and the results, in the order the scenarios ran."""

    def __init__(self, settings: Settings, stack: Stack, stop: threading.Event) -> None:
        self.settings = settings
        self.stack = stack
        self.stop = stop
        self.extra_pids: dict[str, int] = {}
        self.sampler = RssSampler(self.pids)
        self.results: list[Result] = []
        self.crashed: list[str] = []
        self.settled: list[dict[str, Any]] = []
        self.pipeline: Pipeline | None = None
        self.intake: Intake | None = None

    def pids(self) -> dict[str, int]:
        return {**{name: proc.pid for name, proc in list(self.stack.procs)}, **self.extra_pids}

    def start(self) -> None:
        began = time.monotonic()
        print("Starting Kafka, FerretDB and the SMTP, ZNS and SMS sinks ...", flush=True)
        self.stack.start_infra()
        for name in SERVICES:
            print(f"Starting {name} ...", flush=True)
            self.stack.start_service(name, env=BENCH_ENV.get(name))
        print(f"Stack up in {time.monotonic() - began:.0f}s (logs: {self.stack.logs})\n", flush=True)
        self.sampler.start()
        self.pipeline = Pipeline(self.stack.kafka_bootstrap, PREFIX)

    def scenario(self, name: str, body: Callable[[], Result]) -> Result | None:
        """Run one scenario, print its line; a crash is reported and the run goes on."""
        print(f"{name} ...", flush=True)
        window = CpuWindow(self.pids)
        served = metrics.scrape(PORTS.http)
        try:
            if self.pipeline is None:
                result = body()
            else:
                with LagWatch(self.pipeline) as lag:
                    result = body()
                result.notes["consumer_lag"] = lag.summary()
        except Exception:
            self.crashed.append(name)
            log.exception("%s crashed; going on with the next scenario", name)
            return None
        result.notes["cpu_percent"] = {**window.percent(), **result.notes.get("cpu_percent", {})}
        result.notes["service_side"] = metrics.delta(served, metrics.scrape(PORTS.http))
        self.results.append(result)
        for line in _lines(result):
            print(f"  {line}", flush=True)
        return result

    def settle(self, after: str) -> None:
        """Let the pipeline drain before the next scenario, so one scenario's tail does not load another."""
        if self.pipeline is None or self.stop.is_set():
            return
        settled, seconds, lag = self.pipeline.settle(self.settings.e2e_timeout, self.stop)
        self.settled.append({"after": after, "settled": settled, "seconds": round(seconds, 1), "lag": lag})
        state = "drained" if settled else f"still lagging {lag}"
        print(f"  pipeline {state} after {seconds:.1f}s", flush=True)

    def run(self) -> None:
        s = self.settings
        intake = Intake(port=PORTS.http["intake"], concurrency=s.concurrency, run_id=uuid.uuid4().hex[:8], keys=KEYS,
                        stop=self.stop)
        self.intake = intake
        print(f"procedure {intake.form.procedure} at {intake.form.agency}, documents "
              f"{', '.join(intake.form.document_types)}\n", flush=True)
        watcher = MailWatcher(self.stack.mail_dir)
        submitted: list[Submitted] = []
        with_files: list[Submitted] = []

        def submit() -> Result:
            result, submitted[:] = intake.submit(s.n)
            return result

        def submit_with_attachments() -> Result:
            result, with_files[:] = intake.submit_with_attachments(s.n, first=s.n)
            return result

        # The limits first, while the stack is idle: later, the services' backlog would load the same CPUs.
        self.scenario("baseline.flask_pymongo", lambda: self.flask_baseline(intake.dossier_body))
        self.scenario("baseline.kafka_roundtrip", lambda: baselines.kafka_roundtrip(
            kafka=self.stack.kafka, prefix=PREFIX, n=s.n, stop=self.stop))
        self.scenario("intake.submit", submit)
        self.scenario("e2e", lambda: e2e(submitted, watcher, timeout=s.e2e_timeout, stop=self.stop))
        self.settle("e2e")
        self.scenario("intake.submit_with_attachments", submit_with_attachments)
        self.settle("intake.submit_with_attachments")
        self.scenario("intake.lookup", lambda: intake.lookup(s.lookups, submitted + with_files))

    def flask_baseline(self, body: Callable[[int], bytes]) -> Result:
        port = baselines.free_port()
        with baselines.flask_app(port=port, mongo_url=self.stack.mongo_url, database=f"{PREFIX}_baseline",
                                 logs=self.stack.logs) as proc:
            self.extra_pids["baseline"] = proc.pid
            try:
                before = cpu_seconds(proc.pid)
                result = baselines.flask_pymongo(port=port, n=self.settings.n, body=body,
                                                 concurrency=self.settings.concurrency, stop=self.stop)
                app_cpu = cpu_seconds(proc.pid) - before  # read now: the process is gone once the block ends
                result.notes["cpu_percent"] = {"baseline": round(100 * app_cpu / result.notes["seconds"])}
                return result
            finally:
                self.extra_pids.pop("baseline", None)

    def finish(self) -> dict[str, Any]:
        """Print the tables and ratios; returns the JSON document."""
        self.sampler.stop()
        self.sampler.sample()
        peaks = {name: round(rss / 2**20, 1) for name, rss in self.sampler.peak.items()}
        results = sorted(self.results, key=lambda r: ORDER.index(r.scenario))
        by_name = {r.scenario: r for r in results}
        ratios = {
            "intake.submit / baseline.flask_pymongo": report.ratio(by_name.get("intake.submit"),
                                                                  by_name.get("baseline.flask_pymongo")),
            "e2e / baseline.kafka_roundtrip": report.ratio(by_name.get("e2e"), by_name.get("baseline.kafka_roundtrip")),
        }
        dead = self.pipeline.dead_lettered() if self.pipeline else None
        missed = [r.scenario for r in results if r.met() is False]
        missed += [f"memory.{name}" for name in SERVICES if peaks.get(name, 0) > report.MEMORY_TARGET_MB]
        print("\n" + report.table(results))
        print("\n" + report.memory_table(peaks, SERVICES))
        print("\nratios (throughput; 1.0 = as fast as the bare limit):")
        for name, value in ratios.items():
            print(f"  {name:<42} {'-' if value is None else f'{value:.2f}'}")
        print(f"\ndead-lettered events: {dead}   crashed scenarios: {', '.join(self.crashed) or 'none'}")
        print(f"targets missed: {', '.join(missed) or 'none'}")
        return {
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"), "settings": self.settings.as_dict(),
            "cpus": os.cpu_count(), "dossiers": self.intake.describe() if self.intake else None,
            "scenarios": [r.as_dict() for r in results],
            "memory_peak_mb": peaks, "memory_samples": self.sampler.samples,
            "memory_target_mb": report.MEMORY_TARGET_MB,
            "ratios": {k: None if v is None else round(v, 3) for k, v in ratios.items()},
            "pipeline_settled": self.settled, "dead_lettered": dead, "crashed": self.crashed,
            "targets_missed": missed,
        }


def _lines(result: Result) -> list[str]:
    """The scenario's figures, where the CPU went, what the services measured, and the errors."""
    notes = result.notes
    cpu = ", ".join(f"{name} {percent}%" for name, percent in
                    sorted(notes.get("cpu_percent", {}).items(), key=lambda item: -item[1]) if percent >= 5)
    figures = (f"{result.ok} ok, {result.failed} failed in {notes.get('seconds', 0):.1f}s: {result.per_second:.1f}/s, "
               f"p50 {result.p(50):.1f} ms, p95 {result.p(95):.1f} ms, p99 {result.p(99):.1f} ms")
    lines = [figures, f"cpu (% of one core): {cpu}"]
    for service, operations in notes.get("service_side", {}).items():
        means = ", ".join(f"{op} {m['mean_ms']} ms x{m['count']}" for op, m in operations.items())
        lines.append(f"{service} measured: {means}")
    if any(lag["peak"] for lag in notes.get("consumer_lag", {}).values()):
        lines.append("consumer lag, peak / at the end: " + ", ".join(
            f"{service} {lag['peak']} / {lag['at_end']}" for service, lag in notes["consumer_lag"].items()))
    if "never_arrived" in notes:
        lines.append(f"never arrived: {notes['never_arrived']} (waited {notes['waited_seconds']}s)")
    if notes.get("error_kinds"):
        lines.append("errors: " + ", ".join(f"{kind} x{count}" for kind, count in notes["error_kinds"].items()))
        lines += [f"  {error}" for error in notes.get("errors", [])]
    return lines


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    if (settings := settings_from_env()) is None:
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # kafka-python reports a topic created a moment ago as an ERROR until its metadata arrives.
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    if busy := PORTS.in_use():
        print(f"the bench's ports {busy} are in use: is another bench running? (`ss -ltnp` shows by whom)",
              file=sys.stderr)
        return 2
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt)
    shutil.rmtree(DATA, ignore_errors=True)
    shutil.rmtree(RUN / "logs", ignore_errors=True)
    print(f"motcua bench: N={settings.n} concurrency={settings.concurrency} lookups={settings.lookups} "
          f"on {os.cpu_count()} CPUs\n", flush=True)
    stop = threading.Event()
    stack = Stack(data=DATA, run=RUN, ports=PORTS, prefix=PREFIX)
    bench = Bench(settings, stack, stop)
    try:
        bench.start()
        bench.run()
        document = bench.finish()
        report.write_json(RESULTS, document)
        print(f"results: {RESULTS.relative_to(RESULTS.parents[2])}")
        if bench.crashed:
            return 1
        return 1 if settings.strict and document["targets_missed"] else 0
    except KeyboardInterrupt:
        print("\nInterrupted.", flush=True)
        return 130
    finally:
        stop.set()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        bench.sampler.stop()
        if bench.pipeline is not None:
            bench.pipeline.close()
        print("Stopping the bench stack ...", flush=True)
        stack.stop()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
