"""The officials' queues: open tasks by owner and due day, in documents read by `_id` alone.

The dossier holds the truth about its task; the queue is a projection of it for `ListQueue` and
`WatchQueue`, kept by the writer right after each change of a task. An owner is an official (`sub`) or,
for tasks that wait for a claim, the step's group (`pool:<agency>|<department>|<role>`). Each owner has
PARTS documents per day of due time (`<owner>|<yyyy-mm-dd>`, then `...#1` to `...#3`, the tasks keyed by
task id) and one listing its days (`<owner>|days`), so a page is one read of the days and PARTS reads of each
day it shows, whatever the queue's size and whatever the backend: FerretDB 1.x serves only `_id` equality
without a scan. A day is split because every put rewrites its whole document on FerretDB: a put into a day of
1,000 tasks takes about 33 ms there against 2 ms into one of 10, and the puts of a collection wait for each
other. A task keeps its part (`queue_part`, drawn from its id when it is created) so its put and drop meet
the same document; a task stored without one is in part 0, which has the name a whole day had before.

A task missing from the queue after a crash between the two writes is still acted on through the dossier (and a
dossier's first task is put back when its `DossierReceived` is redelivered, as it is after such a crash); an
entry whose task moved on is refused as stale by the action itself.

Each entry is stored as one JSON string rather than a sub-document: FerretDB converts a document field by
field, and a day of 160 entries read as 160 strings instead of 2,700 fields is several times faster.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from pymongo.collection import Collection

from routing.gather import Gather

Entry = dict[str, Any]
Match = Callable[[Entry], bool]
TIMES = ("due_at", "assigned_at", "appointment_at")
LISTED_REMEMBERED = 100_000
PARTS = 4


def owner_of(task: dict[str, Any]) -> str:
    return task["assignee"] or f"pool:{task['pool']}"


def entry(dossier: dict[str, Any]) -> Entry:
    """What a queue shows of a dossier's task."""
    task = dossier["task"]
    return {"code": dossier["_id"], "task_id": task["task_id"], "due_at": task["due_at"],
            "assigned_at": task["assigned_at"], "step": task["step"], "step_name": task["step_name"],
            "role": task["role"], "agency": task["agency"], "department": task["department"],
            "assignee": task["assignee"], "actions": task["actions"], "status": dossier["status"],
            "procedure_code": dossier["procedure_code"], "procedure_name": dossier["procedure_name"],
            "applicant_name": dossier["applicant_name"], "appointment_at": dossier["appointment_at"]}


def day_of(moment: datetime) -> str:
    return moment.date().isoformat()


def part_for(task_id: str) -> int:
    """The part of its owner's day a new task is kept in, for as long as it is that task."""
    return zlib.crc32(task_id.encode()) % PARTS


def bucket(owner: str, day: str, part: int) -> str:
    return f"{owner}|{day}" if part == 0 else f"{owner}|{day}#{part}"


def bucket_of(task: dict[str, Any]) -> str:
    """The queue document that shows a task."""
    return bucket(owner_of(task), day_of(task["due_at"]), task.get("queue_part", 0))


def dump(item: Entry) -> str:
    return json.dumps({**item, **{k: item[k].isoformat() for k in TIMES}}, ensure_ascii=False)


def load(text: str) -> Entry:
    item = json.loads(text)
    return {**item, **{k: datetime.fromisoformat(item[k]) for k in TIMES}}


class Queues:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        # Days this process saw listed: a day is never taken off an owner's list, so it is added once.
        self._listed: set[tuple[str, str]] = set()
        self._puts = Gather(self._set_tasks)

    def put(self, dossier: dict[str, Any]) -> None:
        """Show the dossier's current task in its owner's queue."""
        item = entry(dossier)
        owner, day = owner_of(dossier["task"]), day_of(item["due_at"])
        self._puts.add(bucket_of(dossier["task"]), [(item["task_id"], dump(item))])
        if (owner, day) not in self._listed:
            self.collection.update_one({"_id": f"{owner}|days"}, {"$addToSet": {"days": day}}, upsert=True)
            if len(self._listed) >= LISTED_REMEMBERED:
                self._listed.clear()
            self._listed.add((owner, day))

    def _set_tasks(self, key: str, tasks: list[tuple[str, dict[str, Any]]]) -> None:
        """Write tasks into one queue document (those other threads put there meanwhile come along)."""
        self.collection.update_one({"_id": key}, {"$set": {f"tasks.{task_id}": item for task_id, item in tasks}},
                                   upsert=True)

    def drop(self, task: dict[str, Any]) -> None:
        """Take a task out of its owner's queue (it moved on, paused or ended)."""
        self.collection.update_one({"_id": bucket_of(task)}, {"$unset": {f"tasks.{task['task_id']}": ""}})

    def page(self, owners: Iterable[str], match: Match, after: tuple[datetime, str] | None,
             limit: int) -> list[Entry]:
        """Entries of the owners' queues by due time then code, strictly after a position, matching, at most limit."""
        days: dict[str, list[str]] = {}
        for owner in owners:
            found = self.collection.find_one({"_id": f"{owner}|days"})
            for day in (found or {}).get("days", []):
                days.setdefault(day, []).append(owner)
        start = day_of(after[0]) if after else ""
        chosen: list[Entry] = []
        for day in sorted(d for d in days if d >= start):
            for owner in days[day]:
                for part in range(PARTS):
                    found = self.collection.find_one({"_id": bucket(owner, day, part)}) or {}
                    entries = (load(text) for text in found.get("tasks", {}).values())
                    chosen.extend(e for e in entries
                                  if (after is None or (e["due_at"], e["code"]) > after) and match(e))
            if len(chosen) >= limit:
                break
        return sorted(chosen, key=lambda e: (e["due_at"], e["code"]))[:limit]
