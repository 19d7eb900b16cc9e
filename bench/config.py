"""The bench's own stack layout (ports, directories, prefix) and its settings from the environment."""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "infra"))

from stack import SERVICES, Ports, Stack, http_ok, wait_for

DATA = ROOT / ".data" / "bench"
RUN = ROOT / ".run" / "bench"
KEYS = ROOT / ".data" / "keys"  # the development JWT keys `make setup` made, which the stack's services trust
PREFIX = "bench"
# Below the kernel's ephemeral range (32768-60999), so no outgoing connection can hold one of them.
PORTS = Ports(
    kafka=25092, controller=25093, kafka_sasl=25094, mongo=25017, mongo_debug=25088, smtp=2527, zns=2532,
    sms=2533, smpp=25775, pki=25780,
    http={"intake": 25081, "routing": 25082, "signing": 25083, "notification": 25084, "feedback": 25085},
    grpc={"intake": 25051, "routing": 25052, "signing": 25053, "notification": 25054, "feedback": 25055},
)

__all__ = ["SERVICES", "Ports", "Settings", "Stack", "http_ok", "wait_for"]


class SettingsError(ValueError):
    """A bad BENCH_* variable."""


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a positive integer, not {raw!r}") from None
    if value < 1:
        raise SettingsError(f"{name} must be a positive integer, not {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    n: int
    concurrency: int
    lookups: int
    e2e_timeout: float
    strict: bool

    @classmethod
    def from_env(cls) -> Settings:
        strict = os.environ.get("BENCH_STRICT", "").strip()
        if strict not in ("", "0", "1"):
            raise SettingsError(f"BENCH_STRICT must be 0 or 1, not {strict!r}")
        return cls(
            n=_positive_int("BENCH_N", 2000),
            concurrency=_positive_int("BENCH_CONCURRENCY", 32),
            lookups=_positive_int("BENCH_LOOKUPS", 5000),
            e2e_timeout=float(_positive_int("BENCH_E2E_TIMEOUT", 180)),
            strict=strict == "1",
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def settings_from_env() -> Settings | None:
    """The BENCH_* settings, or None after saying on stderr which one is wrong."""
    try:
        return Settings.from_env()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return None
