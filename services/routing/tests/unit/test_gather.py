"""Gathered writes: one write for the threads that wait on a key, each returning once its items are stored."""

from __future__ import annotations

import threading

import pytest
from motcua.testing import eventually
from routing.gather import Gather


class Recorder:
    """A write that blocks its first call until released, so that other threads pile up behind it."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[tuple[str, list[int]]] = []
        self.first_started = threading.Event()
        self.release = threading.Event()
        self.fail_on = fail_on

    def __call__(self, key: str, items: list[int]) -> None:
        self.calls.append((key, items))
        if len(self.calls) == 1:
            self.first_started.set()
            assert self.release.wait(10)
        if key == self.fail_on and len(self.calls) > 1:
            raise RuntimeError("the database said no")


def start(gather: Gather, key: str, items: list[int], outcomes: dict[int, str]) -> threading.Thread:
    def body() -> None:
        try:
            gather.add(key, items)
            outcomes[items[0]] = "stored"
        except RuntimeError as error:
            outcomes[items[0]] = str(error)

    thread = threading.Thread(target=body)
    thread.start()
    return thread


def queued(gather: Gather, key: str, count: int) -> None:
    """Wait until count threads queue behind the write under way for key."""
    eventually(lambda: len(gather._waiting.get(key, ())) >= count, 10, interval=0.01,
               what=f"{count} threads queued on {key}")


def test_the_threads_waiting_behind_a_write_are_written_together_once_it_ends():
    write = Recorder()
    gather = Gather(write)
    outcomes: dict[int, str] = {}
    first = start(gather, "minute", [1], outcomes)
    assert write.first_started.wait(10)
    waiting = [start(gather, "minute", [n, n * 10], outcomes) for n in (2, 3, 4)]
    queued(gather, "minute", 3)
    elsewhere = start(gather, "other minute", [5], outcomes)
    elsewhere.join(10)
    assert outcomes == {5: "stored"}  # another key is not held up by the busy one
    write.release.set()
    for thread in (first, *waiting):
        thread.join(10)
    assert outcomes == dict.fromkeys((1, 2, 3, 4, 5), "stored")
    calls = [(key, sorted(items)) for key, items in write.calls]
    assert calls[0] == ("minute", [1]) and ("other minute", [5]) in calls
    assert ("minute", [2, 3, 4, 20, 30, 40]) in calls and len(calls) == 3


def test_a_failed_write_fails_every_thread_in_it_and_none_other():
    write = Recorder(fail_on="minute")
    gather = Gather(write)
    outcomes: dict[int, str] = {}
    first = start(gather, "minute", [1], outcomes)
    assert write.first_started.wait(10)
    waiting = [start(gather, "minute", [n], outcomes) for n in (2, 3)]
    queued(gather, "minute", 2)
    write.release.set()
    for thread in (first, *waiting):
        thread.join(10)
    assert outcomes == {1: "stored", 2: "the database said no", 3: "the database said no"}
    gather.add("later", [9])  # the key's queue was left clean: a later add writes at once
    assert write.calls[-1] == ("later", [9])


def test_an_add_alone_writes_its_items_in_its_own_thread():
    seen: list[tuple[str, list[int], str]] = []
    gather = Gather(lambda key, items: seen.append((key, items, threading.current_thread().name)))
    gather.add("minute", [7, 8])
    assert seen == [("minute", [7, 8], threading.current_thread().name)]
    with pytest.raises(ZeroDivisionError):
        Gather(lambda key, items: 1 / 0).add("minute", [1])
