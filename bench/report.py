"""Results, their targets, the printed table and the JSON file."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load import LoadResult, percentile

MEMORY_TARGET_MB = 150.0


@dataclass(frozen=True)
class Target:
    """At least min_rate per second, and a p99 of at most max_p99_ms if given."""

    min_rate: float
    max_p99_ms: float | None = None

    def describe(self) -> str:
        text = f">= {self.min_rate:g}/s"
        return f"{text}, p99 <= {self.max_p99_ms:g} ms" if self.max_p99_ms is not None else text


@dataclass
class Result:
    scenario: str
    count: int
    ok: int
    failed: int
    per_second: float
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    target: Target | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_load(cls, scenario: str, load: LoadResult, target: Target | None = None, **notes: Any) -> Result:
        ok = load.ok
        if load.client_cpu:
            notes.setdefault("client_cpu_percent", round(100 * load.client_cpu / load.seconds))
        if load.failed:
            notes.setdefault("error_kinds", load.error_kinds())
            notes.setdefault("errors", load.error_samples())
        return cls(scenario, len(load.samples), len(ok), len(load.failed), len(ok) / load.seconds,
                   [s.latency * 1000 for s in ok], target, {"seconds": round(load.seconds, 3), **notes})

    def p(self, q: float) -> float:
        return percentile(sorted(self.latencies_ms), q)

    def met(self) -> bool | None:
        if self.target is None:
            return None
        if self.failed or self.ok == 0 or self.per_second < self.target.min_rate:
            return False
        return self.target.max_p99_ms is None or self.p(99) <= self.target.max_p99_ms

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "count": self.count, "ok": self.ok, "failed": self.failed,
            "per_second": round(self.per_second, 1),
            **{f"p{q}_ms": _rounded(self.p(q)) for q in (50, 95, 99)},
            "target": self.target.describe() if self.target else None, "met": self.met(), **self.notes,
        }


def _rounded(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 2)


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def _yes_no(met: bool | None) -> str:
    return {True: "yes", False: "NO", None: ""}[met]


def table(results: list[Result]) -> str:
    header = ("scenario", "count", "ok/failed", "per s", "p50 ms", "p95 ms", "p99 ms", "target", "met?")
    rows = [header] + [
        (r.scenario, str(r.count), f"{r.ok}/{r.failed}", f"{r.per_second:.1f}", _ms(r.p(50)), _ms(r.p(95)),
         _ms(r.p(99)), r.target.describe() if r.target else "(limit)", _yes_no(r.met()))
        for r in results
    ]
    return _format(rows, right=(1, 2, 3, 4, 5, 6))


def memory_table(peaks_mb: dict[str, float], services: tuple[str, ...]) -> str:
    rows = [("process", "peak RSS MB", "target", "met?")]
    for name, peak in peaks_mb.items():
        is_service = name in services
        rows.append((name, f"{peak:.1f}", f"<= {MEMORY_TARGET_MB:g} MB" if is_service else "(no target)",
                     _yes_no(peak <= MEMORY_TARGET_MB) if is_service else ""))
    return _format(rows, right=(1,))


def _format(rows: list[tuple[str, ...]], right: tuple[int, ...]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for k, row in enumerate(rows):
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def ratio(numerator: Result | None, denominator: Result | None) -> float | None:
    if numerator is None or denominator is None or not denominator.per_second:
        return None
    return numerator.per_second / denominator.per_second


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
