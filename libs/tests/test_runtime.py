"""The pace of the service's periodic loops."""

from __future__ import annotations

import pytest
from motcua.runtime import pause


@pytest.mark.parametrize(("took", "expected"), [(0.2, 30.0), (1.5, 30.0), (3.0, 57.0), (10.0, 190.0)])
def test_a_slow_turn_stretches_the_wait_so_turns_take_at_most_their_share(took: float, expected: float) -> None:
    wait = pause(30.0, took, 0.05)
    assert wait == pytest.approx(expected)
    assert took / (took + wait) <= 0.05 + 1e-9


def test_without_a_share_the_period_is_kept() -> None:
    assert pause(30.0, 12.0, 1.0) == 30.0
