"""Quiet hours and rate limits of a notification replica against the real Kafka, FerretDB and the ZNS sink.

The replica's quiet period is set to end a few seconds after the module starts, in Vietnam time, so that
a message is seen deferred and then sent; its ZNS rate limit is low enough to measure.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from kafka import KafkaProducer
from motcua import kafka as mkafka
from motcua.calendar import TZ

from tests.conftest import eventually
from tests.integration.test_notification import finished, messages, received
from tests.sinks import requests_about

pytestmark = pytest.mark.stack
PREFIX = "ntq"
QUIET_SECONDS = 12  # from the module's start; long enough for the replica to start and a message to be queued
ZNS_RATE = 5


@pytest.fixture(scope="module")
def replica(stack) -> Iterator:  # type: ignore[no-untyped-def]
    stack.prefix = PREFIX
    mkafka.ensure_topics(stack.kafka, PREFIX)
    now = datetime.now(UTC)
    quiet_end = (now + timedelta(seconds=QUIET_SECONDS)).replace(microsecond=0)
    window = f"{(now - timedelta(hours=1)).astimezone(TZ):%H:%M:%S}-{quiet_end.astimezone(TZ):%H:%M:%S}"
    try:
        stack.start_service("notification", label="notification-quiet", env={
            "MOTCUA_NOTIFICATION_QUIET_HOURS": window, "MOTCUA_NOTIFICATION_RATE_LIMITS": f"zalo={ZNS_RATE}"})
        yield stack, stack.ports.http["notification"], quiet_end
    finally:
        stack.stop("notification-quiet")
        stack.prefix = ""


def publish(producer: KafkaProducer, *events) -> None:  # type: ignore[no-untyped-def]
    for event in events:
        mkafka.publish(producer, event, PREFIX).get(timeout=30)


def test_a_message_in_quiet_hours_is_deferred_to_their_end_and_then_sent(replica, producer):  # type: ignore[no-untyped-def]
    stack, port, quiet_end = replica
    code = "000.00.12.H56-260303-0001"
    publish(producer, received(code, "0912000031"))
    [queued] = eventually(lambda: messages(port, code), 30, what="the message queued")
    assert queued["state"] == "queued" and queued["deferred_until"] == quiet_end.isoformat()
    assert requests_about(stack.zns_dir, code) == []  # nothing sent while it is quiet
    [sent] = eventually(lambda: finished(port, code), QUIET_SECONDS + 30, what="the message sent after the quiet hours")
    [request] = requests_about(stack.zns_dir, code)
    assert sent["state"] == "delivered" and request["at"] >= quiet_end.timestamp()


def test_a_provider_gets_no_more_than_its_rate_limit(replica, producer):  # type: ignore[no-untyped-def]
    stack, port, quiet_end = replica
    eventually(lambda: datetime.now(UTC) >= quiet_end, QUIET_SECONDS + 5, what="the end of the quiet hours")
    codes = [f"000.00.12.H56-260303-{n:04d}" for n in range(11, 21)]
    publish(producer, *(received(code, "0912000032") for code in codes))
    for code in codes:
        eventually(lambda code=code: finished(port, code), 60, what=f"the message about {code}")
    times = sorted(requests_about(stack.zns_dir, code)[0]["at"] for code in codes)
    # A burst of ZNS_RATE at once, then one every 1/ZNS_RATE s: the last at least (10 - 5) / 5 s after the first.
    assert times[-1] - times[0] >= (len(codes) - ZNS_RATE) / ZNS_RATE - 0.05
