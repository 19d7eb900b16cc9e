"""The deadline scheduler: due-soon and overdue alarms that fire once, whatever the number of replicas.

Every due time (the current step's and the dossier's appointment) puts two alarms, due soon and overdue,
into a bucket per minute, a document whose `_id` is the minute (`2026-11-21T09:42`), so a tick reads the
minutes that passed since the last one by `_id` and never scans the open dossiers. An alarm fires by a
conditional update of its dossier: only while the dossier is in progress with that same due time, and only
if its key is not yet among the dossier's `fired` keys; the event goes out through the same update's outbox.
Two replicas reading the same bucket race on that update, and exactly one wins.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from motcua import outbox
from motcua.events import Event
from motcua.events import timestamp as ts
from motcua.topics import DOSSIER_DUE_SOON, DOSSIER_OVERDUE
from motcua.v1 import common_pb2, events_pb2

from routing import metrics
from routing.repository import Repository

log = logging.getLogger(__name__)
MINUTE = "%Y-%m-%dT%H:%M"
MAX_MINUTES_PER_TICK = 240
KEEP_BUCKETS = timedelta(minutes=5)
FIRST_LOOK_BACK = timedelta(minutes=10)
KINDS = {"due_soon": DOSSIER_DUE_SOON, "overdue": DOSSIER_OVERDUE}
Kick = Callable[[str, Any], None]


def minute_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(MINUTE)


def parse_minute(text: str) -> datetime:
    return datetime.strptime(text, MINUTE).replace(tzinfo=UTC)


def alarm_key(item: dict[str, Any]) -> str:
    return f"{item['kind']}:{item['scope']}:{item['task_id']}:{item['due_at'].isoformat()}"


class Alarms:
    def __init__(self, *, repo: Repository, kick: Kick, warning: timedelta,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.kick = kick
        self.warning = warning
        self.clock = clock

    def schedule(self, dossier: dict[str, Any], now: datetime) -> None:
        """Put the alarms of the dossier's current step and appointment into their minutes (past ones: now)."""
        task = dossier["task"]
        by_minute: dict[str, list[dict[str, Any]]] = {}
        for scope, due in (("step", task["due_at"]), ("dossier", dossier["appointment_at"])):
            for kind, fire_at in (("due_soon", due - self.warning), ("overdue", due)):
                item = {"code": dossier["_id"], "task_id": task["task_id"], "scope": scope, "kind": kind,
                        "due_at": due, "fire_at": max(fire_at, now)}
                by_minute.setdefault(minute_of(item["fire_at"]), []).append(item)
        for minute, items in by_minute.items():
            self.repo.add_alarms(minute, items)

    def tick(self) -> int:
        """Fire what came due since the last tick (of any replica); returns how many alarms fired here."""
        now = self.clock()
        current = minute_of(now)
        cursor = self.repo.get_cursor()
        start = parse_minute(cursor) + timedelta(minutes=1) if cursor else parse_minute(current) - FIRST_LOOK_BACK
        fired, minute = 0, start
        last_whole = parse_minute(current) - timedelta(minutes=1)
        while minute <= parse_minute(current) and minute - start < timedelta(minutes=MAX_MINUTES_PER_TICK):
            for item in self.repo.get_alarms(minute_of(minute)):
                if item["fire_at"] <= now:
                    fired += self.fire(item, now)
            minute += timedelta(minutes=1)
        done = min(minute - timedelta(minutes=1), last_whole)
        if done >= start and self.repo.advance_cursor(cursor, minute_of(done)):
            self._forget(start, done - KEEP_BUCKETS)
        metrics.scheduler_ticks.inc()
        return fired

    def fire(self, item: dict[str, Any], now: datetime) -> int:
        """Emit the alarm's event if its dossier still has that due time and no replica fired it yet."""
        key = alarm_key(item)
        condition: dict[str, Any] = {"status": common_pb2.DOSSIER_STATUS_IN_PROGRESS, "fired": {"$ne": key}}
        if item["scope"] == "step":
            condition.update({"task.task_id": item["task_id"], "task.due_at": item["due_at"]})
        else:
            condition["appointment_at"] = item["due_at"]
        dossier = self.repo.get_dossier(item["code"])
        if dossier is None:
            return 0
        task = dossier["task"]
        event = Event.new(KINDS[item["kind"]], events_pb2.DossierDeadline(
            dossier_code=item["code"], agency_id=dossier["agency_id"], department=task["department"],
            step=task["step"] if item["scope"] == "step" else "", assignee=task["assignee"],
            due_at=ts(item["due_at"]), detected_at=ts(now)), subject=item["code"], source="routing")
        if self.repo.update_dossier(item["code"], condition, {"$push": {**outbox.append(event), "fired": key}}) is None:
            return 0
        metrics.deadline_alarms.labels(item["kind"], item["scope"]).inc()
        self.kick("dossiers", item["code"])
        return 1

    def _forget(self, start: datetime, until: datetime) -> None:
        minute = start - KEEP_BUCKETS
        while minute <= until:
            self.repo.drop_alarms(minute_of(minute))
            minute += timedelta(minutes=1)

    def run_tick(self) -> None:
        fired = self.tick()
        if fired:
            log.info("fired %d deadline alarms", fired)
