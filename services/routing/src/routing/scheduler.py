"""The deadline scheduler: due-soon and overdue alarms that fire once, whatever the number of replicas.

Every due time (the current step's and the dossier's appointment) has two alarms, due soon and overdue. A
dossier's four alarms travel together as one chain, in order of firing, stored as one entry in the bucket of
the minute its first alarm fires: a document whose `_id` is the minute (`2026-11-21T09:42#0`), so a tick
reads the minutes that passed since the last one by `_id` and never scans the open dossiers. A tick fires the
chain's alarms that are due and puts the rest back, as a shorter chain, under the minute of the next one,
keeping only those that still watch the dossier (it is in progress, with that task and due time, that
appointment, and the alarm not fired yet). So scheduling a dossier's alarms is one append rather than four,
and a dossier that moved on or ended costs one look at its first alarm, not one at each.

An alarm fires by a conditional update of its dossier: only while the dossier is in progress with that same
due time, and only if its key is not yet among the dossier's `fired` keys; the event goes out through the
same update's outbox. Two replicas reading the same bucket race on that update, and exactly one wins; both
put the rest of the chain back, and the copies fire once for the same reason. A tick that stops half way
leaves the cursor where it was, so the next one reads the same chains again: what fired is skipped by its
key, and the rest is put back again.

Each alarm is one JSON string (dates as `{"$date": ...}`), not a document: FerretDB 1.x decodes every field
of a document it updates, and a bucket's entries are most of what an append makes it decode. Buckets written
before chains hold single alarms, as strings or documents; they are read as chains of one.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import json_util
from bson.json_util import JSONMode, JSONOptions
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
ALARM_JSON = JSONOptions(json_mode=JSONMode.RELAXED, tz_aware=True, tzinfo=UTC)
SHARED = ("code", "task_id", "agency", "department", "step", "assignee")  # what a chain's alarms have in common
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
    """Due soon and overdue, for the current step's due time and for the appointment, in the order they fire;
    none before now."""
    task = dossier["task"]
    items = []
    for scope, due in (("step", task["due_at"]), ("dossier", dossier["appointment_at"])):
        for kind, fire_at in (("due_soon", due - warning), ("overdue", due)):
            items.append({"code": dossier["_id"], "task_id": task["task_id"], "scope": scope, "kind": kind,
                          "due_at": due, "fire_at": max(fire_at, now), "agency": dossier["agency_id"],
                          "department": task["department"], "step": task["step"] if scope == "step" else "",
                          "assignee": task["assignee"]})
    return sorted(items, key=lambda item: item["fire_at"])


def pack_chain(items: list[dict[str, Any]]) -> str:
    """A dossier's alarms as one string: what they share once, then each one's scope, kind and times."""
    first = items[0]
    return json_util.dumps({**{k: first[k] for k in SHARED if k != "step"},
                            "step": next((i["step"] for i in items if i["scope"] == "step"), ""),
                            "alarms": [[i["scope"], i["kind"], i["due_at"], i["fire_at"]] for i in items]},
                           json_options=ALARM_JSON)


def unpack_chain(stored: str | dict[str, Any]) -> list[dict[str, Any]]:
    """A chain as stored; an entry of a bucket written before chains is one alarm (a string, or a document)."""
    found = json_util.loads(stored, json_options=ALARM_JSON) if isinstance(stored, str) else stored
    if "alarms" not in found:
        return [found]
    shared = {k: found[k] for k in SHARED}
    return [{**shared, "scope": scope, "kind": kind, "due_at": due, "fire_at": fire,
             "step": shared["step"] if scope == "step" else ""} for scope, kind, due, fire in found["alarms"]]


def still_watching(item: dict[str, Any], dossier: dict[str, Any] | None) -> bool:
    """Whether an alarm may still fire for the dossier as it is now."""
    if dossier is None or dossier["status"] != common_pb2.DOSSIER_STATUS_IN_PROGRESS:
        return False
    if alarm_key(item) in dossier.get("fired", []):
        return False
    if item["scope"] == "step":
        return (dossier["task"]["task_id"], dossier["task"]["due_at"]) == (item["task_id"], item["due_at"])
    return bool(dossier["appointment_at"] == item["due_at"])


class Alarms:
    def __init__(self, *, repo: Repository, kick: Kick, warning: timedelta,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.kick = kick
        self.warning = warning
        self.clock = clock
        # Alarms and chains this pod already went through: a tick looks OVERLAP back, a claim that failed once
        # (fired elsewhere, or the due time moved on) never succeeds later, and a chain followed once has put
        # its rest back, so none is taken twice here.
        self._tried: OrderedDict[str, None] = OrderedDict()

    def schedule(self, dossier: dict[str, Any], now: datetime) -> None:
        """Put the alarms of the dossier's current step and appointment, as one chain, into the minute of the
        first (past ones: now)."""
        chain = alarm_items(dossier, now, self.warning)
        self.repo.add_alarms(minute_of(chain[0]["fire_at"]), [pack_chain(chain)])

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
            for stored in self.repo.get_alarms(minute_of(minute)):
                chain = unpack_chain(stored)
                if since < chain[0]["fire_at"] <= now:
                    fired += self.follow(chain, now)
            minute += timedelta(minutes=1)
        if self.repo.advance_cursor(cursor, looked_to):
            self._forget(floor_minute(since) - KEEP_BUCKETS, floor_minute(looked_to - OVERLAP) - KEEP_BUCKETS)
        metrics.scheduler_ticks.inc()
        return fired

    def follow(self, chain: list[dict[str, Any]], now: datetime) -> int:
        """Fire a chain's alarms that are due, and put back those of the rest that still watch the dossier."""
        key = "|".join(alarm_key(item) for item in chain)
        if key in self._tried:
            return 0
        fired = sum(self.fire(item, now) for item in chain if item["fire_at"] <= now)
        rest = [item for item in chain if item["fire_at"] > now]
        if rest:
            dossier = self.repo.deadline_state(rest[0]["code"])
            rest = [item for item in rest if still_watching(item, dossier)]
        if rest:
            self.repo.add_alarms(minute_of(rest[0]["fire_at"]), [pack_chain(rest)])
        self._remember(key)
        return fired

    def fire(self, item: dict[str, Any], now: datetime) -> int:
        """Emit the alarm's event if its dossier still has that due time and no replica fired it yet."""
        key = alarm_key(item)
        if key in self._tried:
            return 0
        condition: dict[str, Any] = {"status": common_pb2.DOSSIER_STATUS_IN_PROGRESS, "fired": {"$ne": key}}
        if item["scope"] == "step":
            condition.update({"task.task_id": item["task_id"], "task.due_at": item["due_at"]})
        else:
            condition["appointment_at"] = item["due_at"]
        event = Event.new(KINDS[item["kind"]], events_pb2.DossierDeadline(
            dossier_code=item["code"], agency_id=item["agency"], department=item["department"], step=item["step"],
            assignee=item["assignee"], due_at=ts(item["due_at"]), detected_at=ts(now)),
            subject=item["code"], source="routing")
        claimed = self.repo.claim(item["code"], condition, {"$push": {**outbox.append(event), "fired": key}})
        self._remember(key)
        if not claimed:
            return 0
        metrics.deadline_alarms.labels(item["kind"], item["scope"]).inc()
        self.kick("dossiers", item["code"])
        return 1

    def _remember(self, key: str) -> None:
        """An alarm or a chain this pod has been through: a tick that reads it again leaves it."""
        self._tried[key] = None
        if len(self._tried) > REMEMBERED:
            self._tried.popitem(last=False)

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
