"""When a message may go: quiet hours (Vietnam time) for non-urgent messages, and a token bucket per provider.

Quiet hours move a message's due time to the end of the quiet period it falls in; it is deferred, never
dropped. They are applied when a message is scheduled: queued, retried, or moved to its next channel.

The token buckets are per replica (the sender of each process holds its own): `rate` messages a second
with bursts of up to `rate`, so N replicas together send at most N x rate. A shared bucket would cost a
database round trip per message; the chart divides a provider's limit by the worker replicas instead
(docs/notification.md, "Pacing").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

from motcua.calendar import TZ


@dataclass(frozen=True)
class QuietHours:
    """A daily period in Vietnam time, e.g. 22:00 to 07:00 (wrapping midnight); start == end means none."""

    start: clock_time
    end: clock_time

    def release(self, at: datetime) -> datetime:
        """`at` itself outside the quiet period, else the moment the period ends (in UTC)."""
        if self.start == self.end:
            return at
        local = at.astimezone(TZ)
        now = local.time().replace(tzinfo=None)
        if self.start < self.end:
            quiet, day = self.start <= now < self.end, local.date()
        else:
            quiet, day = now >= self.start or now < self.end, local.date() + timedelta(days=now >= self.start)
        if not quiet:
            return at
        return datetime.combine(day, self.end, tzinfo=TZ).astimezone(UTC)


NO_QUIET_HOURS = QuietHours(clock_time(0), clock_time(0))


class TokenBucket:
    """`rate` tokens a second, holding at most `rate`; take() reserves one and says how long to wait for it."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.clock = clock
        self.tokens = rate
        self.at = clock()
        self.lock = threading.Lock()

    def take(self) -> float:
        with self.lock:
            now = self.clock()
            self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate) - 1
            self.at = now
            return max(0.0, -self.tokens / self.rate)


class RateLimits:
    """One bucket per provider that has a limit; providers without one are not paced."""

    def __init__(self, rates: Mapping[str, float], clock: Callable[[], float] = time.monotonic) -> None:
        self.buckets = {provider: TokenBucket(rate, clock) for provider, rate in rates.items()}

    def wait(self, provider: str, stop: threading.Event) -> float:
        """Block until the provider may take one more message (or stop is set); returns the seconds waited."""
        bucket = self.buckets.get(provider)
        delay = bucket.take() if bucket else 0.0
        if delay:
            stop.wait(delay)
        return delay
