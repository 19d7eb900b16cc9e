"""The real stack for cross-service tests: Kafka (KRaft) and FerretDB started once per session.

Ports differ from `make run`'s so both can run at once. MONGO_URL / KAFKA_BOOTSTRAP_SERVERS point the
tests at external servers instead.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "infra"))

from motcua.testing import eventually  # noqa: F401 - the cross-service tests import it from here
from stack import Ports, Stack

# Below the kernel's ephemeral range (32768-60999): a port in it can be held by any outgoing connection.
# MOTCUA_TEST_STACK (0-9) moves them all by ten times its value, so that checkouts can run their tests at once.
TEST_PORTS = Ports(
    kafka=29092, controller=29093, kafka_sasl=29094, mongo=28017, mongo_debug=28088, smtp=2600, zns=2700,
    sms=2800, smpp=2900, pki=3000,
    http={"intake": 18081, "routing": 18082, "signing": 18083, "notification": 18084, "feedback": 18085},
    grpc={"intake": 19051, "routing": 19052, "signing": 19053, "notification": 19054, "feedback": 19055},
)


def stack_number(value: str) -> int:
    if value not in [str(n) for n in range(10)]:
        raise pytest.UsageError(f"MOTCUA_TEST_STACK must be a digit from 0 to 9, not {value!r}")
    return int(value)


PORTS = TEST_PORTS.shifted(10 * stack_number(os.environ.get("MOTCUA_TEST_STACK", "0")))


def together(*workers: Callable[[], None]) -> None:
    """Run each worker in a thread of its own, all at once, and wait for every one."""
    threads = [threading.Thread(target=worker) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    data = ROOT / ".data" / "test"
    shutil.rmtree(data, ignore_errors=True)
    test_stack = Stack(data=data, run=ROOT / ".run" / "test", ports=PORTS)
    try:
        test_stack.start_infra()
        yield test_stack
    finally:
        test_stack.stop()


@pytest.fixture
def prefix(stack: Stack) -> str:
    """A fresh topic and database prefix for one test."""
    from motcua.kafka import ensure_topics

    name = f"t{uuid.uuid4().hex[:10]}"
    ensure_topics(stack.kafka, name)
    return name


@pytest.fixture(scope="session")
def producer(stack: Stack) -> Iterator[Any]:
    """A Kafka producer for publishing events as another service would."""
    from motcua.kafka import producer as kafka_producer

    p = kafka_producer(stack.kafka, "motcua-tests")
    yield p
    p.close()
