"""Satisfaction per agency, department, official, procedure, channel and period, read from the scorecard."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from motcua.errors import invalid
from motcua.events import Event

from feedback.index import Group, parse_rules, score
from feedback.policy import SCALES
from feedback.repository import Repository
from feedback.scorecard import DIMENSIONS, LOCAL, addition, folded_at

# Periods whose index a process keeps at once (any YYYY or YYYY-MM may be asked for).
INDEX_CACHE_PERIODS = 64
PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")


def check_period(period: str) -> str:
    if not PERIOD.match(period):
        raise invalid("/period", "Kỳ phải có dạng YYYY hoặc YYYY-MM", "period must be YYYY or YYYY-MM")
    return period


def check_dimension(dimension: str) -> str:
    if dimension not in DIMENSIONS:
        raise invalid("/by", f"Chỉ thống kê theo: {', '.join(DIMENSIONS)}", f"by must be one of {', '.join(DIMENSIONS)}")
    return dimension


def satisfaction(counter: dict[str, Any]) -> dict[str, Any]:
    """One group's ratings: how many, per level of each scale, and the share satisfied or very satisfied."""
    ratings = int(counter.get("ratings", 0))
    levels = counter.get("levels", {})
    per_scale = {scale: [{"level": lv, "label": label, "count": int(levels.get(f"s{scale}l{lv}", 0))}
                         for lv, label in labels.items()]
                 for scale, labels in SCALES.items() if any(f"s{scale}l{lv}" in levels for lv in labels)}
    return {"value": counter["value"], "period": counter["period"], "ratings": ratings,
            "satisfied": int(counter.get("satisfied", 0)),
            "satisfied_share": round(counter.get("satisfied", 0) / ratings, 4) if ratings else None,
            "levels": {str(scale): counts for scale, counts in per_scale.items()}}


def months_back(period_end: str, count: int) -> list[str]:
    year, month = (int(part) for part in period_end.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


class Statistics:
    def __init__(self, *, repo: Repository, rules: tuple[Group, ...] = parse_rules(None, "default"),
                 index_seconds: float = 0.0, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.rules = rules
        self.index_seconds = index_seconds
        self._index: dict[str, tuple[float, dict[str, Any]]] = {}
        self.clock = clock

    def fold(self, event: Event) -> None:
        """Add a consumed event to the counters it concerns; each counter counts an event once."""
        added = addition(event)
        if added is None:
            return
        mark, offset = self.repo.fold_position(event.id, *folded_at(event))
        self.repo.count(mark, offset, list(added.counters()), added.amounts)

    def this_year(self) -> str:
        return f"{self.clock().astimezone(LOCAL):%Y}"

    def this_month(self) -> str:
        return f"{self.clock().astimezone(LOCAL):%Y-%m}"

    def groups(self, dimension: str, period: str) -> list[dict[str, Any]]:
        """Every group of a dimension that has counters in the period, most ratings first."""
        check_dimension(dimension)
        check_period(period)
        keys = [f"{dimension}|{value}|{period}" for value in self.repo.list_members(dimension, period)]
        counters = self.repo.get_counters(keys).values()
        return sorted((satisfaction(c) for c in counters if c.get("ratings")), key=lambda g: (-g["ratings"], g["value"]))

    def trend(self, dimension: str, value: str, until: str, months: int) -> list[dict[str, Any]]:
        """One group's satisfaction month by month, the last `months` months up to `until`."""
        check_dimension(dimension)
        check_period(until)
        if len(until) != 7:
            raise invalid("/until", "Tháng phải có dạng YYYY-MM", "until must be YYYY-MM")
        periods = months_back(until, months)
        found = self.repo.get_counters([f"{dimension}|{value}|{p}" for p in periods])
        return [satisfaction(found.get(f"{dimension}|{value}|{p}", {"value": value, "period": p})) for p in periods]

    def index(self, period: str) -> dict[str, Any]:
        """The service index of every agency with data in the period, best first.

        Computed at most once every index_seconds per period in this process: the leaders' page is read far
        more often than the counters change, and each computation reads one counter per agency.
        """
        check_period(period)
        now = time.monotonic()
        cached = self._index.get(period)
        if cached is not None and now - cached[0] < self.index_seconds:
            return cached[1]
        if len(self._index) >= INDEX_CACHE_PERIODS:
            self._index.clear()
        computed = self._compute_index(period)
        self._index[period] = (now, computed)
        return computed

    def _compute_index(self, period: str) -> dict[str, Any]:
        keys = {value: f"agency|{value}|{period}" for value in self.repo.list_members("agency", period)}
        counters = self.repo.get_counters(list(keys.values()))
        agencies = [{"agency": value, **score(self.rules, counters[key])} for value, key in keys.items()
                    if key in counters]
        agencies.sort(key=lambda a: (-a["score"], a["agency"]))
        return {"period": period, "groups": [{"name": g.name, "label": g.label, "points": g.points}
                                             for g in self.rules], "agencies": agencies}

    def this_month_groups(self, dimension: str) -> list[dict[str, Any]]:
        return self.groups(dimension, self.this_month())
