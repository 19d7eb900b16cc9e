"""The pace of the service's periodic loops; what a started process keeps of its start."""

from __future__ import annotations

import gc
import weakref

import pytest
from motcua.runtime import Runtime, pause


@pytest.mark.parametrize(("took", "expected"), [(0.2, 30.0), (1.5, 30.0), (3.0, 57.0), (10.0, 190.0)])
def test_a_slow_turn_stretches_the_wait_so_turns_take_at_most_their_share(took: float, expected: float) -> None:
    wait = pause(30.0, took, 0.05)
    assert wait == pytest.approx(expected)
    assert took / (took + wait) <= 0.05 + 1e-9


def test_without_a_share_the_period_is_kept() -> None:
    assert pause(30.0, 12.0, 1.0) == 30.0


class _Node:
    """One half of a reference cycle, as parsed fonts and PDF objects make."""

    def __init__(self) -> None:
        self.other: _Node | None = None


def test_start_up_garbage_is_collected_before_what_start_up_built_is_frozen() -> None:
    gc.collect()
    gc.disable()
    try:
        first, second = _Node(), _Node()
        first.other, second.other = second, first
        left = weakref.ref(first)
        del first, second
        runtime = Runtime("test")
        runtime.loop("stop at once", lambda stop: stop.set())
        runtime.run(install_signals=False)
        assert left() is None
    finally:
        gc.unfreeze()
        gc.enable()
