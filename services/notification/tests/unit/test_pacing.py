import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from motcua import topics
from notification.channels import DeliveryError
from notification.pacing import QuietHours, RateLimits, TokenBucket
from notification.settings import quiet_hours

from .conftest import Harness

TRANSIENT = DeliveryError("HTTP 503", permanent=False)
NIGHT = QuietHours(time(22), time(7))


def vn(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in March 2026 given in Vietnam time (UTC+7), as UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


@pytest.mark.parametrize(("at", "released"), [
    (vn(2, 21, 59), vn(2, 21, 59)),  # before the quiet hours: at once
    (vn(2, 22, 0), vn(3, 7, 0)),  # from 22:00 to 07:00 the next morning
    (vn(3, 2, 30), vn(3, 7, 0)),  # after midnight: 07:00 the same day
    (vn(3, 7, 0), vn(3, 7, 0)),
])
def test_quiet_hours_wrap_midnight_in_vietnam_time(at, released):
    assert NIGHT.release(at) == released


def test_a_quiet_period_within_one_day_and_none():
    lunch = QuietHours(time(12), time(13, 30))
    assert lunch.release(vn(2, 12, 10)) == vn(2, 13, 30) and lunch.release(vn(2, 13, 30)) == vn(2, 13, 30)
    assert quiet_hours("none").release(vn(2, 23)) == vn(2, 23)
    assert quiet_hours("22:00-07:00") == NIGHT


def make_quiet_harness(now: datetime) -> Harness:
    harness = Harness()
    harness.service.quiet = harness.delivery.quiet = NIGHT
    harness.now = now
    return harness


def test_a_message_made_at_night_is_deferred_to_the_morning_not_dropped(received):
    harness = make_quiet_harness(vn(2, 23, 15))
    harness.service.on_event(received())
    message = harness.message()
    assert message["next_attempt_at"] == message["deferred_until"] == vn(3, 7)
    assert harness.delivery.send_due() == 0
    harness.now = vn(3, 7)
    assert harness.delivery.send_due() == 1 and harness.message()["state"] == "sent"


def test_an_urgent_message_goes_at_night(received):
    harness = make_quiet_harness(vn(2, 23, 15))
    harness.repo.save_rule({"_id": topics.DOSSIER_RECEIVED.name, "kind": "received", "urgent": True})
    harness.service.on_event(received())
    assert harness.message()["deferred_until"] is None and harness.delivery.send_due() == 1


def test_a_retry_that_would_fall_in_the_quiet_hours_waits_for_the_morning(received):
    harness = make_quiet_harness(vn(2, 21, 59) + timedelta(seconds=59.5))  # the backoff is 0.5 to 1 s
    harness.channels["zns"].failures.append(TRANSIENT)
    harness.service.on_event(received())
    harness.delivery.send_due()
    assert harness.message()["next_attempt_at"] == vn(3, 7)


def test_the_bucket_allows_a_burst_of_its_rate_then_spaces_the_rest():
    now = [0.0]
    bucket = TokenBucket(4, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [0, 0, 0, 0]
    assert bucket.take() == pytest.approx(0.25) and bucket.take() == pytest.approx(0.5)
    now[0] = 2.0  # refilled, but never above the burst
    assert [bucket.take() for _ in range(4)] == [0, 0, 0, 0] and bucket.take() > 0


def test_only_providers_with_a_limit_are_paced():
    limits = RateLimits({"zalo": 1}, clock=lambda: 0.0)
    never = threading.Event()
    never.set()  # do not actually sleep in the test
    assert limits.wait("zalo", never) == 0 and limits.wait("zalo", never) == pytest.approx(1.0)
    assert limits.wait("smtp", never) == 0
