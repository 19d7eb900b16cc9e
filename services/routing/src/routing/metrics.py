"""Routing's domain metrics."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

tasks_assigned = Counter("motcua_tasks_assigned_total", "Tasks assigned to officials, by department.", ["department"])
dossiers_decided = Counter("motcua_dossiers_decided_total", "Dossiers approved with a signed result.", ["procedure"])
dossiers_completed = Counter("motcua_dossiers_completed_total",
                             "Dossiers whose result was returned, by receiving agency and timeliness (early, on_time, "
                             "late; national rule).",
                             ["agency", "timeliness"])

WORKING_DAY = 7.5 * 3600
dossiers_opened = Counter("motcua_dossiers_opened_total", "Dossiers that entered processing, by receiving agency, "
                          "deciding department and procedure.", ["agency", "department", "procedure"])
processing_time = Histogram("motcua_dossier_processing_seconds", "Working time from reception to decision of the "
                            "dossiers whose result was returned, supplement time excluded, by receiving agency.",
                            ["agency"], buckets=[WORKING_DAY * d for d in (0.125, 0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30, 45)])
scheduler_ticks = Counter("motcua_scheduler_ticks_total", "Deadline scheduler ticks run by this pod.")
deadline_alarms = Counter("motcua_deadline_alarms_total", "Due-soon and overdue alarms fired, by kind and scope "
                          "(step or dossier).", ["kind", "scope"])


class OpenCount(NamedTuple):
    """An agency's dossiers in progress, and how many of them are past their deadline."""

    in_progress: int
    overdue: int


class OpenDossiers(Collector):
    """The in-progress and overdue gauges, as of routing's last count of its stored dossiers.

    Every routing worker (or a server without workers, role `all`) counts the same database, so each reports the
    same values: take `max` over pods. Server pods, which answer the workbench, do not count.
    Agencies that no longer have a count disappear; before the first count there are no series.
    """

    def __init__(self) -> None:
        self._counts: dict[str, OpenCount] = {}

    def update(self, counts: Mapping[str, OpenCount]) -> None:
        self._counts = dict(counts)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = self._counts
        in_progress = GaugeMetricFamily("motcua_dossiers_in_progress", "Open dossiers not yet decided, by receiving "
                                        "agency.", labels=["agency"])
        overdue = GaugeMetricFamily("motcua_dossiers_overdue", "Open dossiers past their legal deadline, by receiving "
                                    "agency.", labels=["agency"])
        for agency, count in sorted(counts.items()):
            in_progress.add_metric([agency], count.in_progress)
            overdue.add_metric([agency], count.overdue)
        yield in_progress
        yield overdue


open_dossiers = OpenDossiers()
REGISTRY.register(open_dossiers)
