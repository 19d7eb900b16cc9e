"""`python -m bench.routing`: routing's two hot paths on a stack of their own, runnable alone.

* `routing.list_queue`: Workbench `ListQueue` (first page of 50, over gRPC, with a JWT) for one official
  holding BENCH_ROUTING_TASKS open tasks (5,000), BENCH_ROUTING_CALLS calls in a row to a server (role
  `serve`). Target p99 <= 50 ms. `routing.list_queue_beside_a_starting_worker`: the same calls again right
  after a worker (role `worker`) started beside the server, on the same cores and database.
* `routing.keeps_up`: a routing worker alone (role `worker`, on the two cores with Kafka and FerretDB only)
  is sent `DossierReceived` events at BENCH_ROUTING_RATE a second (60, above the rate `make bench` measures
  for intake on this machine) for BENCH_ROUTING_SECONDS (30); routing's consumer lag is sampled every second.
  It keeps up when the lag stays bounded while the events come and is gone within a few seconds after.
* `routing.scheduler_tick`: one deadline scheduler tick with BENCH_ROUTING_OPEN open dossiers (200,000),
  each with its chain of four alarms in the minute buckets of the next 30 days, of which BENCH_ROUTING_DUE fire in
  this tick. Target <= 200 ms per tick.

One dossier is opened by routing's own service code from a `DossierReceived`; the others are copies of it
with their own codes, task ids and due times, written in bulk (opening 200,000 one by one would take an
hour on FerretDB). Ports are the bench's (bench/config.py) moved by BENCH_ROUTING_SHIFT (default 100), so
it runs beside `make bench` and the test stacks; data in .data/bench-routing, results in
.run/bench/routing.json.
"""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
from motcua import store
from motcua.events import Event, timestamp
from motcua.kafka import ensure_topics, producer, publish
from motcua.topics import DOSSIER_RECEIVED
from motcua.v1 import common_pb2, events_pb2, routing_pb2, routing_pb2_grpc

from bench.config import KEYS, PORTS, ROOT, RUN, Stack
from bench.load import percentile
from bench.pipeline import Pipeline

PREFIX = "benchr"
DATA = ROOT / ".data" / "bench-routing"
RESULTS = RUN / "routing.json"
AGENCY, DEPARTMENT, OFFICIAL = "000.01.31.H56", "tu-phap", "cv-tu-phap-000.01.31.H56-1"
BATCH = 1000
WORKER_PORT_OFFSET = 1000


def setting(name: str, default: int) -> int:
    value = int(os.environ.get(name, default))
    if value < 1:
        raise SystemExit(f"{name} must be a positive integer")
    return value


def template(db: Any, now: datetime) -> dict[str, Any]:
    """A dossier as routing's service opens it, read back without its outbox."""
    from routing.__main__ import shipped
    from routing.queues import Queues
    from routing.repository import Repository
    from routing.scheduler import Alarms
    from routing.service import RoutingService

    repo = Repository(db)
    service = RoutingService(repo=repo, queues=Queues(repo.queues), kick=lambda *_: None,
                             alarms=Alarms(repo=repo, kick=lambda *_: None, warning=timedelta(hours=4)))
    service.load_officers(shipped("officers.json")["officers"])
    service.seed_workflows(shipped("workflows.json")["workflows"])
    code = f"{AGENCY}-bench-{uuid.uuid4().hex[:6]}"
    service.open_dossier(Event.new(DOSSIER_RECEIVED, events_pb2.DossierReceived(
        dossier_code=code, procedure_code="1.001193", procedure_version=1, procedure_name="Đăng ký khai sinh",
        agency_id=AGENCY, department=DEPARTMENT, channel=common_pb2.CHANNEL_COUNTER, workflow="standard",
        applicant=common_pb2.Applicant(full_name="Nguyễn Thị Lan"), received_at=timestamp(now),
        appointment_at=timestamp(now + timedelta(days=5)), received_by="tn-01"), subject=code, source="intake"))
    found = db["dossiers"].find_one({"_id": code}, {"outbox": 0})
    for name in ("dossiers", "alarms", "queues"):
        db[name].delete_many({})
    return found


def copies(model: dict[str, Any], n: int, now: datetime, assignee: str, tag: str) -> Iterator[dict[str, Any]]:
    from routing.queues import part_for

    rng = random.Random(n)
    for i in range(n):
        due = now + timedelta(minutes=rng.randrange(60, 30 * 24 * 60))
        doc = copy.deepcopy(model)
        doc["_id"] = f"{AGENCY}-{tag}-{i:06d}"
        doc["task"].update(task_id=f"{tag}-{i}", queue_part=part_for(f"{tag}-{i}"), assignee=assignee, due_at=due)
        doc["appointment_at"] = due + timedelta(days=2)
        yield doc


def insert(collection: Any, docs: Iterator[dict[str, Any]]) -> int:
    batch: list[dict[str, Any]] = []
    count = 0
    for doc in docs:
        batch.append(doc)
        if len(batch) == BATCH:
            collection.insert_many(batch, ordered=False)
            count += len(batch)
            batch = []
    if batch:
        collection.insert_many(batch, ordered=False)
        count += len(batch)
    return count


def seed_queue(db: Any, docs: list[dict[str, Any]]) -> None:
    """The queue documents routing keeps for these dossiers' tasks (routing.queues), written in bulk."""
    from routing.queues import bucket_of, day_of, dump, entry, owner_of

    buckets: dict[str, dict[str, Any]] = {}
    days: dict[str, set[str]] = {}
    for doc in docs:
        owner, day = owner_of(doc["task"]), day_of(doc["task"]["due_at"])
        buckets.setdefault(bucket_of(doc["task"]), {})[doc["task"]["task_id"]] = dump(entry(doc))
        days.setdefault(owner, set()).add(day)
    insert(db["queues"], iter([{"_id": key, "tasks": tasks} for key, tasks in buckets.items()]
                              + [{"_id": f"{owner}|days", "days": sorted(d)} for owner, d in days.items()]))


def list_queue(stack: Stack, calls: int) -> dict[str, Any]:
    token = subprocess.run([sys.executable, "-m", "motcua.devtoken", "--keys", str(KEYS), "--role", "officer",
                            "--sub", OFFICIAL, "--agency", AGENCY, "--department", DEPARTMENT],
                           check=True, capture_output=True, text=True).stdout.strip()
    stub = routing_pb2_grpc.WorkbenchStub(grpc.insecure_channel(f"127.0.0.1:{stack.ports.grpc['routing']}"))
    metadata = [("authorization", f"Bearer {token}")]
    for _ in range(5):
        stub.ListQueue(routing_pb2.ListQueueRequest(), metadata=metadata, timeout=30)
    latencies = []
    for _ in range(calls):
        started = time.perf_counter()
        page = stub.ListQueue(routing_pb2.ListQueueRequest(page_size=50), metadata=metadata, timeout=30)
        latencies.append((time.perf_counter() - started) * 1000)
        assert len(page.tasks) == 50 and page.next_page_token
    latencies.sort()
    return {"calls": calls, "p50_ms": round(percentile(latencies, 50), 2), "p99_ms": round(percentile(latencies, 99), 2),
            "target_p99_ms": 50}


def received(n: int, now: datetime) -> Event:
    code = f"{AGENCY}-keep-{n:06d}"
    return Event.new(DOSSIER_RECEIVED, events_pb2.DossierReceived(
        dossier_code=code, procedure_code="1.001193", procedure_version=1, procedure_name="Đăng ký khai sinh",
        agency_id=AGENCY, department=DEPARTMENT, channel=common_pb2.CHANNEL_ONLINE, workflow="standard",
        applicant=common_pb2.Applicant(full_name=f"Công dân {n}"), received_at=timestamp(now),
        appointment_at=timestamp(now + timedelta(days=5)), received_by="tn-01"), subject=code, source="intake")


def keeps_up(stack: Stack, rate: int, seconds: int) -> dict[str, Any]:
    """Publish DossierReceived at a steady rate to a running routing worker; its lag, sampled every second."""
    pipeline = Pipeline(stack.kafka_bootstrap, PREFIX)
    kafka = producer(stack.kafka, "bench-routing")
    samples: list[int] = []
    try:
        started = time.monotonic()
        sent, next_sample = 0, started + 1
        while (elapsed := time.monotonic() - started) < seconds:
            due = int(elapsed * rate) + 1
            while sent < due:
                publish(kafka, received(sent, datetime.now(UTC)), PREFIX)
                sent += 1
            if time.monotonic() >= next_sample:
                kafka.flush()
                samples.append(pipeline.lag(pipeline.ends())["routing"])
                next_sample += 1
            time.sleep(min(1 / rate, max(next_sample - time.monotonic(), 0)))
        kafka.flush()
        at_end, sent_for = pipeline.lag(pipeline.ends())["routing"], time.monotonic() - started
        while (lag := pipeline.lag(pipeline.ends())["routing"]) and time.monotonic() - started < seconds + 300:
            time.sleep(0.2)
        drained_after = time.monotonic() - started - sent_for
    finally:
        kafka.close()
        pipeline.close()
    return {"rate": rate, "seconds": seconds, "sent": sent, "sent_per_s": round(sent / sent_for, 1),
            "lag_peak": max(samples + [at_end]), "lag_at_end": at_end, "lag_left": lag,
            "drained_seconds_after": round(drained_after, 1),
            "handled_per_s": round(sent / (sent_for + drained_after), 1), "lag_samples": samples}


def scheduler_tick(db: Any, model: dict[str, Any], open_count: int, due: int, now: datetime) -> dict[str, Any]:
    from routing.repository import ENTRIES_PER_BUCKET, Repository
    from routing.scheduler import Alarms, alarm_items, minute_of, pack_chain

    repo = Repository(db)
    warning = timedelta(hours=4)
    moments = iter([now, now + timedelta(seconds=10)])
    alarms = Alarms(repo=repo, kick=lambda *_: None, warning=warning, clock=lambda: next(moments))
    began = time.monotonic()
    inserted = insert(db["dossiers"], copies(model, open_count, now, "cv-other", "open"))
    buckets: dict[str, list[str]] = {}
    for doc in copies(model, open_count, now, "cv-other", "open"):
        chain = alarm_items(doc, now + timedelta(minutes=1), warning)
        buckets.setdefault(minute_of(chain[0]["fire_at"]), []).append(pack_chain(chain))
    due_now = list(copies(model, due, now - timedelta(days=40), "cv-other", "due"))
    insert(db["dossiers"], iter(due_now))
    due_chains = [alarm_items(doc, now, warning) for doc in due_now]
    buckets[minute_of(now)] = [pack_chain(chain) for chain in due_chains]
    insert(db["alarms"], ({"_id": f"{minute}#{start // ENTRIES_PER_BUCKET}",
                           "items": entries[start:start + ENTRIES_PER_BUCKET],
                           "count": len(entries[start:start + ENTRIES_PER_BUCKET])}
                          for minute, entries in buckets.items()
                          for start in range(0, len(entries), ENTRIES_PER_BUCKET)))
    seeded = time.monotonic() - began
    repo.advance_cursor(None, now - timedelta(seconds=10))
    started = time.perf_counter()
    fired = alarms.tick()
    tick_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    again = alarms.tick()
    idle_ms = (time.perf_counter() - started) * 1000
    return {"open_dossiers": inserted + due, "alarm_buckets": len(buckets), "due_dossiers": due,
            "alarms_due": sum(map(len, due_chains)), "fired": fired, "tick_ms": round(tick_ms, 1),
            "second_tick_fired": again, "second_tick_ms": round(idle_ms, 1), "target_ms": 200,
            "seeding_seconds": round(seeded, 1)}


def main() -> int:
    tasks, calls = setting("BENCH_ROUTING_TASKS", 5000), setting("BENCH_ROUTING_CALLS", 300)
    open_count, due = setting("BENCH_ROUTING_OPEN", 200_000), setting("BENCH_ROUTING_DUE", 50)
    shutil.rmtree(DATA, ignore_errors=True)
    stack = Stack(data=DATA, run=RUN / "routing", ports=PORTS.shifted(setting("BENCH_ROUTING_SHIFT", 100)),
                  prefix=PREFIX)
    results: dict[str, Any] = {}
    try:
        print("Starting Kafka and FerretDB ...", flush=True)
        stack.start_infra()
        ensure_topics(stack.kafka, PREFIX)
        mongo = store.connect(stack.mongo_url, "motcua-bench")
        db = store.database(mongo, "routing", PREFIX)
        now = datetime.now(UTC)
        model = template(db, now)
        rate, seconds = setting("BENCH_ROUTING_RATE", 60), setting("BENCH_ROUTING_SECONDS", 30)
        print(f"Sending {rate} DossierReceived a second for {seconds}s to a routing worker ...", flush=True)
        stack.start_service("routing", label="routing-worker", role="worker")
        results["routing.keeps_up"] = keeps_up(stack, rate, seconds)
        print(json.dumps({k: v for k, v in results["routing.keeps_up"].items() if k != "lag_samples"}), flush=True)
        stack.stop("routing-worker")
        for name in ("dossiers", "alarms", "queues", "inbox"):
            db[name].delete_many({})
        print(f"Seeding {tasks} open tasks for {OFFICIAL} ...", flush=True)
        mine = list(copies(model, tasks, now, OFFICIAL, "mine"))
        insert(db["dossiers"], iter(mine))
        seed_queue(db, mine)
        stack.start_service("routing", role="serve")
        results["routing.list_queue"] = {"open_tasks": tasks, **list_queue(stack, calls)}
        print(json.dumps(results["routing.list_queue"]), flush=True)
        # A worker started beside it: its consumers, and its first scans of the dossiers on the same two cores
        # and database (the relay's sweeps at start, the open-dossier counts, a scheduler tick).
        stack.start_service("routing", label="routing-worker", role="worker",
                            env={"MOTCUA_ROUTING_HTTP_PORT": str(stack.ports.http["routing"] + WORKER_PORT_OFFSET)})
        results["routing.list_queue_beside_a_starting_worker"] = {"open_tasks": tasks, **list_queue(stack, calls)}
        print(json.dumps(results["routing.list_queue_beside_a_starting_worker"]), flush=True)
        stack.stop("routing-worker")
        stack.stop("routing")
        for name in ("dossiers", "counters", "alarms"):
            db[name].delete_many({})
        print(f"Seeding {open_count} open dossiers and their alarms ...", flush=True)
        results["routing.scheduler_tick"] = scheduler_tick(db, model, open_count, due, datetime.now(UTC))
        print(json.dumps(results["routing.scheduler_tick"]), flush=True)
        mongo.close()
    finally:
        stack.stop()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
