"""The deadline scheduler: due-soon and overdue alarms that fire once, whatever the number of replicas.

Every due time (the current step's and the dossier's appointment) puts two alarms, due soon and overdue,
into a bucket per minute, a document whose `_id` is the minute (`2026-11-21T09:42`), so a tick reads the
minutes that passed since the last one by `_id` and never scans the open dossiers; each alarm carries what
its event says, so firing it is one conditional update. An alarm fires by a
conditional update of its dossier: only while the dossier is in progress with that same due time, and only
if its key is not yet among the dossier's `fired` keys; the event goes out through the same update's outbox.
Two replicas reading the same bucket race on that update, and exactly one wins.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
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
OVERLAP = timedelta(seconds=30)
REMEMBERED = 50_000
KINDS = {"due_soon": DOSSIER_DUE_SOON, "overdue": DOSSIER_OVERDUE}
Kick = Callable[[str, Any], None]


def minute_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(MINUTE)


def alarm_key(item: dict[str, Any]) -> str:
    """What makes an alarm one: a step's due time belongs to its task, the appointment to the dossier."""
    owner = item["task_id"] if item["scope"] == "step" else "dossier"
    return f"{item['kind']}:{item['scope']}:{owner}:{item['due_at'].isoformat()}"


def floor_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def alarm_items(dossier: dict[str, Any], now: datetime, warning: timedelta) -> list[dict[str, Any]]:
    """Due soon and overdue, for the current step's due time and for the appointment; none before now."""
    task = dossier["task"]
    items = []
    for scope, due in (("step", task["due_at"]), ("dossier", dossier["appointment_at"])):
        for kind, fire_at in (("due_soon", due - warning), ("overdue", due)):
            items.append({"code": dossier["_id"], "task_id": task["task_id"], "scope": scope, "kind": kind,
                          "due_at": due, "fire_at": max(fire_at, now), "agency": dossier["agency_id"],
                          "department": task["department"], "step": task["step"] if scope == "step" else "",
                          "assignee": task["assignee"]})
    return items


class Alarms:
    def __init__(self, *, repo: Repository, kick: Kick, warning: timedelta,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.kick = kick
        self.warning = warning
        self.clock = clock
        # Alarms this pod already tried: a tick looks OVERLAP back, and a claim that failed once (fired
        # elsewhere, or the due time moved on) never succeeds later, so neither is tried twice here.
        self._tried: OrderedDict[str, None] = OrderedDict()

    def schedule(self, dossier: dict[str, Any], now: datetime) -> None:
        """Put the alarms of the dossier's current step and appointment into their minutes (past ones: now)."""
        by_minute: dict[str, list[dict[str, Any]]] = {}
        for item in alarm_items(dossier, now, self.warning):
            by_minute.setdefault(minute_of(item["fire_at"]), []).append(item)
        for minute, items in by_minute.items():
            self.repo.add_alarms(minute, items)

    def tick(self) -> int:
        """Fire the alarms that came due since the last tick of any replica; returns how many fired here.

        The shared cursor is the moment up to which a tick looked; the next one looks again from OVERLAP
        before it, so an alarm written by a pod whose clock is a little behind is still seen.
        """
        now = self.clock()
        cursor = self.repo.get_cursor()
        since = cursor - OVERLAP if cursor else now - FIRST_LOOK_BACK
        minute, last = floor_minute(since), floor_minute(now)
        fired, looked_to = 0, now
        while minute <= last:
            if minute - floor_minute(since) >= timedelta(minutes=MAX_MINUTES_PER_TICK):
                looked_to = minute
                break
            for item in self.repo.get_alarms(minute_of(minute)):
                if since < item["fire_at"] <= now:
                    fired += self.fire(item, now)
            minute += timedelta(minutes=1)
        if self.repo.advance_cursor(cursor, looked_to):
            self._forget(floor_minute(since) - KEEP_BUCKETS, floor_minute(looked_to - OVERLAP) - KEEP_BUCKETS)
        metrics.scheduler_ticks.inc()
        return fired

    def fire(self, item: dict[str, Any], now: datetime) -> int:
        """Emit the alarm's event if its dossier still has that due time and no replica fired it yet."""
        key = alarm_key(item)
        if key in self._tried:
            return 0
        self._tried[key] = None
        if len(self._tried) > REMEMBERED:
            self._tried.popitem(last=False)
        condition: dict[str, Any] = {"status": common_pb2.DOSSIER_STATUS_IN_PROGRESS, "fired": {"$ne": key}}
        if item["scope"] == "step":
            condition.update({"task.task_id": item["task_id"], "task.due_at": item["due_at"]})
        else:
            condition["appointment_at"] = item["due_at"]
        event = Event.new(KINDS[item["kind"]], events_pb2.DossierDeadline(
            dossier_code=item["code"], agency_id=item["agency"], department=item["department"], step=item["step"],
            assignee=item["assignee"], due_at=ts(item["due_at"]), detected_at=ts(now)),
            subject=item["code"], source="routing")
        if not self.repo.claim(item["code"], condition, {"$push": {**outbox.append(event), "fired": key}}):
            return 0
        metrics.deadline_alarms.labels(item["kind"], item["scope"]).inc()
        self.kick("dossiers", item["code"])
        return 1

    def _forget(self, start: datetime, before: datetime) -> None:
        """Drop the buckets no tick will read again."""
        minute = start
        while minute < before:
            self.repo.drop_alarms(minute_of(minute))
            minute += timedelta(minutes=1)

    def run_tick(self) -> None:
        fired = self.tick()
        if fired:
            log.info("fired %d deadline alarms", fired)
