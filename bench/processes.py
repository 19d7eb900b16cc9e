"""Memory and CPU of the stack's processes, read from /proc (a process's children included)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """The process and all its descendants (from each thread's `children` list)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.scandir(f"/proc/{current}/task"):
                children = Path(task.path, "children").read_text().split()
                pending.extend(int(c) for c in children)
        except OSError:
            continue
    return found


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and its descendants (VmRSS), 0 once it is gone."""
    total = 0
    for member in _tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
    return total


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process and its descendants."""
    total = 0
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLOCK_TICKS


Pids = Callable[[], dict[str, int]]


class CpuWindow:
    """CPU used by each process between two moments, as a percentage of one core."""

    def __init__(self, pids: Pids) -> None:
        self.pids = pids
        self.before = {name: cpu_seconds(pid) for name, pid in pids().items()}
        self.before["bench"] = _own_cpu()
        self.started = os.times().elapsed

    def percent(self) -> dict[str, float]:
        seconds = max(os.times().elapsed - self.started, 1e-9)
        now = {name: cpu_seconds(pid) for name, pid in self.pids().items()}
        now["bench"] = _own_cpu()
        return {name: round(100 * (now[name] - self.before.get(name, 0.0)) / seconds)
                for name in now if name in self.before}


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


class RssSampler:
    """Samples every process's RSS on a timer and keeps each one's peak."""

    def __init__(self, pids: Pids, interval: float = 0.5) -> None:
        self.pids = pids
        self.interval = interval
        self.peak: dict[str, int] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def sample(self) -> None:
        for name, pid in self.pids().items():
            self.peak[name] = max(self.peak.get(name, 0), rss_bytes(pid))
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)
