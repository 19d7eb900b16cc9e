"""`python -m bench.feedback`: feedback's benchmarks on a stack of its own (Kafka, FerretDB, feedback).

1. `feedback.rate`: N ratings `POST /api/v1/ratings`, each with the link feedback issued for its dossier
   (target >= 1,000/s accepted);
2. `feedback.fold`: a year of events (received, completed, signed, rated) for BENCH_FEEDBACK_AGENCIES agencies,
   BENCH_FEEDBACK_DOSSIERS dossiers each, published to Kafka and folded by the worker (events per second);
3. `feedback.index_page`: `GET /chi-so?period=<year>` over that data (target p99 <= 300 ms);
4. `feedback.rebuild`: with feedback stopped, a further year of BENCH_FEEDBACK_REBUILD_DOSSIERS dossiers per
   agency published, then `python -m feedback.rebuild` over every topic (events per second, and the time 2
   million dossiers would take at that rate; target <= 5 minutes).

BENCH_N (ratings), BENCH_CONCURRENCY, BENCH_PORT_OFFSET (moves every port, to run beside another stack).
Results in .run/bench-feedback/results.json.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

from kafka import KafkaConsumer
from motcua import kafka as mkafka
from motcua.events import Event, timestamp
from motcua.topics import (
    DOCUMENT_SIGNED,
    DOSSIER_COMPLETED,
    DOSSIER_RECEIVED,
    FEEDBACK_SUBMITTED,
    RATING_LINK_ISSUED,
    qualified,
)
from motcua.v1 import common_pb2, events_pb2

from bench import report
from bench.config import PORTS, ROOT, Settings, SettingsError, Stack, _positive_int
from bench.load import HttpClient, Outcome, expect, run_load
from bench.pipeline import Pipeline
from bench.report import Result, Target

DATA = ROOT / ".data" / "bench-feedback"
RUN = ROOT / ".run" / "bench-feedback"
PREFIX = "benchfb"
YEAR = 2026
TWO_MILLION = 2_000_000
# year_of_events gives every dossier three events and a rating to one in three.
EVENTS_PER_DOSSIER = 3 + 1 / 3
TARGETS = {"feedback.rate": Target(1000), "feedback.index_page": Target(1, 300)}
log = logging.getLogger("bench.feedback")


def agency(n: int) -> str:
    return f"000.00.{n:02d}.H56"


def received(code: str, agency_id: str, at: datetime, channel: int) -> Event:
    return Event.new(DOSSIER_RECEIVED, events_pb2.DossierReceived(
        dossier_code=code, procedure_code="1.001193", agency_id=agency_id, department="tu-phap", channel=channel,
        received_at=timestamp(at), appointment_at=timestamp(at + timedelta(days=3))), subject=code, source="intake")


def year_of_events(agencies: int, per_agency: int, rng: random.Random) -> list[Event]:
    """Each dossier: received, completed (mostly on time), its result signed, and rated by one in three."""
    events = []
    start = datetime(YEAR, 1, 1, 2, 0, tzinfo=UTC)
    for a, n in itertools.product(range(1, agencies + 1), range(per_agency)):
        code, at = f"{agency(a)}-{YEAR % 100}0101-{n:04d}", start + timedelta(days=rng.randrange(360))
        channel = common_pb2.CHANNEL_ONLINE if rng.random() < 0.6 else common_pb2.CHANNEL_COUNTER
        done = at + timedelta(days=3)
        events.append(received(code, agency(a), at, channel))
        timeliness = events_pb2.TIMELINESS_ON_TIME if rng.random() < 0.9 else events_pb2.TIMELINESS_LATE
        events.append(Event.new(DOSSIER_COMPLETED, events_pb2.DossierCompleted(
            dossier_code=code, agency_id=agency(a), procedure_code="1.001193", channel=channel,
            timeliness=timeliness, completed_at=timestamp(done)), subject=code, source="routing"))
        events.append(Event.new(DOCUMENT_SIGNED, events_pb2.DocumentSigned(
            document_id=f"kq-{code}", dossier_code=code, signed_at=timestamp(done)), subject=code, source="signing"))
        if n % 3 == 0:
            events.append(Event.new(FEEDBACK_SUBMITTED, events_pb2.FeedbackSubmitted(
                rating_id=f"r-{code}", dossier_code=code, level=rng.choice((3, 4, 5, 5)), scale=5,
                agency_id=agency(a), channel=channel, submitted_at=timestamp(done)), subject=code, source="feedback"))
    return events


def publish_all(stack: Stack, events: list[Event]) -> None:
    producer = mkafka.producer(stack.kafka, "bench-feedback")
    try:
        for future in [mkafka.publish(producer, e, PREFIX) for e in events]:
            future.get(60)
    finally:
        producer.close()


def links(stack: Stack, count: int, timeout: float) -> dict[str, str]:
    """The tokens of the first `count` rating links feedback issued, by dossier code."""
    consumer = KafkaConsumer(qualified(RATING_LINK_ISSUED.topic.name, PREFIX), **stack.kafka.client_options(),
                             auto_offset_reset="earliest", enable_auto_commit=False, group_id=None)
    found: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    try:
        while len(found) < count and time.monotonic() < deadline:
            for records in consumer.poll(500).values():
                for record in records:
                    event = Event.from_record(record.headers, record.value)
                    if event.type == RATING_LINK_ISSUED:
                        found[event.subject] = event.payload.url.split("?t=", 1)[1]  # type: ignore[attr-defined]
    finally:
        consumer.close()
    return found


def settle(pipeline: Pipeline, timeout: float) -> float:
    """Seconds until feedback's consumer group has folded everything on its topics."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if pipeline.lag(pipeline.ends())["feedback"] == 0:
            return time.monotonic() - started
        time.sleep(0.5)
    raise TimeoutError(f"feedback still lags after {timeout}s")


def rate(stack: Stack, settings: Settings, tokens: dict[str, str], stop: threading.Event) -> Result:
    codes = list(tokens)

    def job(client: HttpClient, i: int) -> Outcome:
        body = json.dumps({"dossier_code": codes[i], "token": tokens[codes[i]], "level": 5}).encode()
        status, answer = client.request("POST", "/api/v1/ratings", body, {"Content-Type": "application/json"})
        return expect(status, answer, 201) or Outcome(True)

    load = run_load(job, n=len(codes), concurrency=settings.concurrency, host="127.0.0.1",
                    port=stack.ports.http["feedback"], stop=stop)
    return Result.from_load("feedback.rate", load, TARGETS["feedback.rate"])


def index_page(stack: Stack, requests: int, stop: threading.Event) -> Result:
    def job(client: HttpClient, _: int) -> Outcome:
        status, body = client.request("GET", f"/chi-so?period={YEAR}")
        return expect(status, body, 200) or Outcome(True)

    load = run_load(job, n=requests, concurrency=4, host="127.0.0.1", port=stack.ports.http["feedback"], stop=stop)
    return Result.from_load("feedback.index_page", load, TARGETS["feedback.index_page"])


def rebuild(stack: Stack, events: int) -> Result:
    env = {**stack.service_env("feedback"), "MOTCUA_TOPIC_PREFIX": PREFIX, "MOTCUA_DATABASE_PREFIX": PREFIX}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "feedback.rebuild"], env={**os.environ, **env}, check=True,
                          capture_output=True, text=True)
    seconds = time.monotonic() - started
    per_second = events / seconds
    return Result("feedback.rebuild", events, events, 0, per_second, [seconds * 1000], None,
                  {"seconds": round(seconds, 2), "output": done.stdout.strip(),
                   "minutes_for_2m_dossiers_at_this_rate": round(TWO_MILLION * EVENTS_PER_DOSSIER / per_second / 60, 1)})


def main() -> int:
    try:
        settings = Settings.from_env()
        offset = int(os.environ.get("BENCH_PORT_OFFSET", "0") or 0)
        agencies = _positive_int("BENCH_FEEDBACK_AGENCIES", 50)
        dossiers = _positive_int("BENCH_FEEDBACK_DOSSIERS", 40)
        rebuild_dossiers = _positive_int("BENCH_FEEDBACK_REBUILD_DOSSIERS", 600)
    except (SettingsError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    ports = PORTS.shifted(offset)
    if busy := ports.in_use():
        print(f"ports {busy} are in use: set BENCH_PORT_OFFSET", file=sys.stderr)
        return 2
    shutil.rmtree(DATA, ignore_errors=True)
    shutil.rmtree(RUN / "logs", ignore_errors=True)
    stack, stop, results = Stack(data=DATA, run=RUN, ports=ports, prefix=PREFIX), threading.Event(), []
    try:
        stack.start_infra()
        stack.start_service("feedback", env={"MOTCUA_FEEDBACK_RATE_LIMIT": "10000000"})
        pipeline = Pipeline(stack.kafka_bootstrap, PREFIX)
        now = datetime.now(UTC)
        publish_all(stack, [received(f"000.00.99.H56-260101-{n:05d}", "000.00.99.H56", now, common_pb2.CHANNEL_ONLINE)
                            for n in range(settings.n)])
        tokens = links(stack, settings.n, timeout=300)
        print(f"{len(tokens)} rating links issued", flush=True)
        results.append(rate(stack, settings, tokens, stop))
        events = year_of_events(agencies, dossiers, random.Random(7))
        started = time.monotonic()
        publish_all(stack, events)
        settle(pipeline, timeout=3600)
        seconds = time.monotonic() - started
        results.append(Result("feedback.fold", len(events), len(events), 0, len(events) / seconds, [], None,
                              {"seconds": round(seconds, 2), "agencies": agencies, "dossiers_per_agency": dossiers}))
        results.append(index_page(stack, 200, stop))
        stack.stop("feedback")
        publish_all(stack, year_of_events(agencies, rebuild_dossiers, random.Random(8)))
        total = sum(pipeline.ends().values())
        results.append(rebuild(stack, total))
        pipeline.close()
        print(report.table(results))
        for result in results:
            print(result.scenario, json.dumps(result.notes, ensure_ascii=False))
        report.write_json(RUN / "results.json", {"results": [r.as_dict() for r in results],
                                                 "settings": {**settings.as_dict(), "agencies": agencies,
                                                              "dossiers_per_agency": dossiers,
                                                              "rebuild_dossiers_per_agency": rebuild_dossiers}})
        return 0
    finally:
        stop.set()
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
