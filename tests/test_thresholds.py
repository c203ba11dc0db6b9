# The threshold formulas (core/thresholds.py): the seed's 2/3 availability, the runtime's
# supermajority, and the backing threshold.
from __future__ import annotations

import pytest

from backable.core import (
    availability_threshold_met,
    backing_threshold,
    runtime_availability_threshold_met,
    supermajority_threshold,
)

# n -> (fewest ones the seed accepts, fewest ones the runtime accepts)
BOUNDARIES = {3: (2, 3), 6: (4, 5), 9: (6, 7), 299: (200, 200), 300: (200, 201)}


@pytest.mark.parametrize("n", sorted(BOUNDARIES))
def test_the_seed_threshold_accepts_exactly_from_two_thirds_rounded_up(n: int) -> None:
    seed_min, _ = BOUNDARIES[n]
    assert availability_threshold_met(seed_min, n)
    assert not availability_threshold_met(seed_min - 1, n)


@pytest.mark.parametrize("n", sorted(BOUNDARIES))
def test_the_runtime_threshold_needs_one_more_vote_only_when_n_divides_by_three(n: int) -> None:
    seed_min, runtime_min = BOUNDARIES[n]
    assert supermajority_threshold(n) == runtime_min
    assert runtime_availability_threshold_met(runtime_min, n)
    assert not runtime_availability_threshold_met(runtime_min - 1, n)
    assert (runtime_min == seed_min + 1) == (n % 3 == 0)


def test_the_thresholds_disagree_for_no_n_but_positive_multiples_of_three() -> None:
    for n in range(0, 400):
        differ = [k for k in range(n + 1) if
                  availability_threshold_met(k, n) != runtime_availability_threshold_met(k, n)]
        assert differ == ([2 * n // 3] if n % 3 == 0 and n > 0 else [])


def test_supermajority_of_zero_validators_is_zero_and_of_one_is_one() -> None:
    assert supermajority_threshold(0) == 0
    assert supermajority_threshold(1) == 1
    assert availability_threshold_met(0, 0)


@pytest.mark.parametrize(
    ("n", "minimum", "expected"),
    [(1, None, 1), (2, None, 2), (3, None, 2), (4, None, 3), (5, None, 3), (6, None, 4),
     (1, 2, 1), (2, 2, 2), (3, 2, 2), (5, 2, 2), (6, 3, 3), (2, 5, 2)],
)
def test_backing_threshold_is_a_majority_or_the_minimum(
    n: int, minimum: int | None, expected: int
) -> None:
    assert backing_threshold(n, minimum) == expected
