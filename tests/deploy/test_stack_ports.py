"""The local stacks' ports: the tests' (at any MOTCUA_TEST_STACK) and the bench's never collide with each
other, with `make run`'s, or with the kernel's ephemeral range, where an outgoing connection may hold a port."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from stack import Ports

from bench.config import PORTS as BENCH_PORTS
from tests.conftest import TEST_PORTS


def ephemeral_range() -> tuple[int, int]:
    low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    return int(low), int(high)


def every_port(ports: Ports) -> list[int]:
    """Read from the dataclass's fields, so that a port added to Ports but not to Ports.all() is caught."""
    found: list[int] = []
    for field in fields(ports):
        value = getattr(ports, field.name)
        found.extend(value.values() if isinstance(value, dict) else [value])
    assert sorted(found) == sorted(ports.all())
    return found


LAST_TEST_PORTS = TEST_PORTS.shifted(90)  # MOTCUA_TEST_STACK=9


@pytest.mark.parametrize("ports", [TEST_PORTS, LAST_TEST_PORTS, BENCH_PORTS], ids=["tests", "tests-9", "bench"])
def test_ports_lie_below_the_ephemeral_range(ports: Ports) -> None:
    low, _ = ephemeral_range()
    assert [port for port in every_port(ports) if port >= low] == []


def test_no_two_stacks_share_a_port() -> None:
    tests = {port for offset in range(0, 100, 10) for port in every_port(TEST_PORTS.shifted(offset))}
    stacks = {"run": every_port(Ports()), "bench": every_port(BENCH_PORTS)}
    for name, ports in {**stacks, "tests": every_port(TEST_PORTS)}.items():
        assert len(set(ports)) == len(ports), f"{name} uses a port twice"
    assert set(stacks["run"]) & tests == set()
    assert set(stacks["bench"]) & tests == set()
    assert set(stacks["run"]) & set(stacks["bench"]) == set()


def test_no_two_numbered_test_stacks_share_a_port() -> None:
    stacks = [set(every_port(TEST_PORTS.shifted(offset))) for offset in range(0, 100, 10)]
    for i, ports in enumerate(stacks):
        for j, other in enumerate(stacks[i + 1:], start=i + 1):
            assert ports & other == set(), (i, j)
