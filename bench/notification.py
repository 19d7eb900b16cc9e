"""`python -m bench.notification`: notification alone, its messages a second to the local sinks with 2 senders.

Starts Kafka, FerretDB, the sinks and two notification processes (one `all`, one `worker`, both sending)
on the bench's ports with fresh data; publishes BENCH_N `DossierReceived` events for citizens who chose
e-mail, waits for the e-mails in the SMTP sink, then the same for SMS (the HTTP gateway); prints a table
and writes .run/bench/notification.json. Latency is the event's publication to the sink's receipt.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from motcua import kafka as mkafka
from motcua.events import Event, timestamp
from motcua.topics import DOSSIER_RECEIVED
from motcua.v1 import common_pb2, events_pb2

from bench import report
from bench.config import DATA, PORTS, PREFIX, RUN, Stack, settings_from_env
from bench.mail import MailWatcher
from bench.report import Result, Target

RESULTS = RUN / "notification.json"
TARGETS = {"email": Target(500, 1000.0), "sms": Target(1000, 1000.0)}  # issue 6: with 2 workers, p99 <= 1 s
SECOND_SENDER_OFFSET = 5  # the second replica's HTTP port, above the first
APPOINTMENT = timestamp(datetime(2026, 3, 5, 2, 0, tzinfo=UTC))


def events(channel: str, n: int) -> list[Event]:
    """N dossiers received, each applicant asking to be told on `channel`."""
    day = {"email": "260302", "sms": "260303"}[channel]
    found = []
    for number in range(1, n + 1):
        code = f"000.00.12.H56-{day}-{number:04d}"
        payload = events_pb2.DossierReceived(
            dossier_code=code, procedure_code="1.001193", procedure_name="Đăng ký khai sinh", agency_id="000.00.12.H56",
            applicant=common_pb2.Applicant(full_name="Nguyễn Văn An", citizen_id="001190012345",
                                           phone=f"09{number:08d}", email=f"cd{number}@example.vn"),
            received_at=timestamp(datetime.now(UTC)), appointment_at=APPOINTMENT, notify_channels=[channel])
        found.append(Event.new(DOSSIER_RECEIVED, payload, subject=code, source="intake"))
    return found


def sms_arrivals(directory: Path) -> Callable[[], dict[str, float]]:
    """The SMS gateway sink's accepted requests: dossier code -> arrival time (s), read incrementally."""
    log, offset, found = directory / "requests.jsonl", 0, {}

    def read() -> dict[str, float]:
        nonlocal offset
        if log.exists():
            with log.open("rb") as handle:
                handle.seek(offset)
                chunk = handle.read()
            complete = chunk[:chunk.rfind(b"\n") + 1]
            offset += len(complete)
            for line in complete.decode("utf-8").splitlines():
                entry = json.loads(line)
                code = entry["body"]["text"].split(" ")[2] if entry["outcome"] == "accepted" else ""
                found.setdefault(code, entry["at"])
        return found

    return read


def mail_arrivals(directory: Path) -> Callable[[], dict[str, float]]:
    watcher = MailWatcher(directory)

    def read() -> dict[str, float]:
        watcher.scan()
        return {code: ns / 1e9 for code, ns in watcher.first_ns.items()}

    return read


def measure(stack: Stack, channel: str, n: int, arrivals: Callable[[], dict[str, float]], timeout: float,
            stop: threading.Event) -> Result:
    batch = events(channel, n)
    producer = mkafka.producer(stack.kafka, "motcua-bench")
    published: dict[str, float] = {}
    try:
        for event in batch:
            published[event.subject] = time.time()
            mkafka.publish(producer, event, PREFIX)
        producer.flush(timeout=60)
    finally:
        producer.close()
    deadline = time.monotonic() + timeout
    arrived = arrivals()
    while len(arrived.keys() & published.keys()) < n and time.monotonic() < deadline and not stop.is_set():
        time.sleep(0.2)
        arrived = arrivals()
    codes = arrived.keys() & published.keys()
    latencies = sorted((arrived[code] - published[code]) * 1000 for code in codes)
    span = (max(arrived[c] for c in codes) - min(published.values())) if codes else float("inf")
    return Result(f"notification.{channel}", n, len(codes), n - len(codes), len(codes) / span, latencies,
                  TARGETS[channel], {"seconds": round(span, 3), "senders": 2})


def main() -> int:
    if (settings := settings_from_env()) is None:
        return 2
    if busy := PORTS.in_use():
        print(f"the bench's ports {busy} are in use: is another bench running?", file=sys.stderr)
        return 2
    shutil.rmtree(DATA, ignore_errors=True)
    shutil.rmtree(RUN / "logs", ignore_errors=True)
    stack = Stack(data=DATA, run=RUN, ports=PORTS, prefix=PREFIX)
    stop = threading.Event()
    second = str(PORTS.http["notification"] + SECOND_SENDER_OFFSET)
    try:
        print(f"notification bench: N={settings.n} per channel, 2 senders", flush=True)
        stack.start_infra()
        stack.start_service("notification")
        stack.start_service("notification", label="notification-2", role="worker",
                            env={"MOTCUA_NOTIFICATION_HTTP_PORT": second})
        results = [measure(stack, "email", settings.n, mail_arrivals(stack.mail_dir), settings.e2e_timeout, stop),
                   measure(stack, "sms", settings.n, sms_arrivals(stack.sms_dir), settings.e2e_timeout, stop)]
        print("\n" + report.table(results))
        report.write_json(RESULTS, {"finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
                                    "settings": settings.as_dict(), "scenarios": [r.as_dict() for r in results]})
        missed = [r.scenario for r in results if not r.met()]
        print(f"targets missed: {', '.join(missed) or 'none'}")
        return 1 if settings.strict and missed else 0
    except KeyboardInterrupt:
        return 130
    finally:
        stop.set()
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
