"""The statistics read model for leaders and the scorecard: one fold over an agency's dossiers.

Dossiers are counted per agency, department and procedure: received, in progress, and, once decided,
early, on time or late by the national rule with their processing time (working time from reception to
decision, supplement time excluded). Officials are counted by the steps they handed over, each judged
against its own due time, so that a delay counts against the step and the official that caused it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from motcua import calendar

from routing import deadlines

OPEN = (4, 5)
DECIDED = (9, 10)
DIMENSIONS = ("agency", "department", "procedure", "official")
FIELDS = {"_id": 1, "agency_id": 1, "department": 1, "procedure_code": 1, "status": 1, "received_at": 1,
          "appointment_at": 1, "supplement_requests": 1, "paused_seconds": 1, "result": 1, "task": 1, "history": 1}


@dataclass
class Tally:
    received: int = 0
    in_progress: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    seconds: float = 0.0

    def judged(self, timeliness: int, seconds: float) -> None:
        if timeliness == deadlines.EARLY:
            self.early += 1
        elif timeliness == deadlines.ON_TIME:
            self.on_time += 1
        else:
            self.late += 1
        self.seconds += seconds

    @property
    def average_seconds(self) -> int:
        done = self.early + self.on_time + self.late
        return round(self.seconds / done) if done else 0


def fold(dossiers: Iterable[dict[str, Any]]) -> dict[tuple[str, str], Tally]:
    """(dimension, key) -> its tally, over the given dossiers."""
    tallies: dict[tuple[str, str], Tally] = {}

    def tally(dimension: str, key: str) -> Tally:
        return tallies.setdefault((dimension, key), Tally())

    for d in dossiers:
        groups = [tally("agency", d["agency_id"]), tally("department", d["department"]),
                  tally("procedure", d["procedure_code"])]
        for group in groups:
            group.received += 1
            group.in_progress += d["status"] in OPEN
        if d["status"] in DECIDED:
            decided_at = d["result"]["decided_at"]
            timeliness = deadlines.timeliness(decided_at, d["appointment_at"], d.get("supplement_requests", 0))
            worked = calendar.working_time_between(d["received_at"], decided_at)
            seconds = max(worked - timedelta(seconds=d.get("paused_seconds", 0)), timedelta()).total_seconds()
            for group in groups:
                group.judged(timeliness, seconds)
        for row in d.get("history", []):
            if row.get("assignee_of_giver") and row.get("result"):
                official = tally("official", row["assignee_of_giver"])
                official.received += 1
                official.judged(row["result"], calendar.working_time_between(row["since"], row["at"]).total_seconds())
        if d["status"] in OPEN and d["task"]["assignee"]:
            tally("official", d["task"]["assignee"]).in_progress += 1
    return tallies


def rows(tallies: dict[tuple[str, str], Tally]) -> list[tuple[str, str, Tally]]:
    """The tallies in a stable order: by dimension, then key."""
    return sorted(((dim, key, t) for (dim, key), t in tallies.items()), key=lambda r: (DIMENSIONS.index(r[0]), r[1]))
