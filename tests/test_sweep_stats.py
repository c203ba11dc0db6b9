# Means over seeds and their Student-t 95% intervals: the t quantile against published tables,
# the interval by hand, and one seed (no interval).
from __future__ import annotations

import math

import pytest

from backable.shell.sweep.stats import Estimate, estimate, t_quantile, two_sided_t_probability

# t(0.975, df) from the standard table of Student's t (to three decimals).
PUBLISHED = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 9: 2.262, 10: 2.228, 19: 2.093,
             20: 2.086, 30: 2.042, 60: 2.000, 120: 1.980}


@pytest.mark.parametrize(("df", "value"), sorted(PUBLISHED.items()))
def test_the_t_quantile_matches_the_published_table(df: int, value: float) -> None:
    assert round(t_quantile(0.975, df), 3) == value


def test_the_one_sided_95_percent_quantile_matches_too() -> None:
    assert round(t_quantile(0.95, 1), 3) == 6.314
    assert round(t_quantile(0.95, 19), 3) == 1.729


def test_one_degree_of_freedom_is_the_cauchy_distribution() -> None:
    # P[|T| < t] = 2 atan(t) / pi for the Cauchy distribution.
    for t in (0.1, 1.0, 3.0, 40.0):
        assert two_sided_t_probability(t, 1) == pytest.approx(2 * math.atan(t) / math.pi)


def test_two_degrees_of_freedom_have_their_closed_form() -> None:
    # P[|T| < t] = t / sqrt(2 + t^2) for two degrees of freedom.
    for t in (0.1, 1.0, 3.0, 40.0):
        assert two_sided_t_probability(t, 2) == pytest.approx(t / math.sqrt(2 + t * t))


def test_many_degrees_of_freedom_approach_the_normal_quantile() -> None:
    assert t_quantile(0.975, 5_000) == pytest.approx(1.95996, abs=1e-3)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        two_sided_t_probability(1.0, 0)
    with pytest.raises(ValueError):
        t_quantile(1.0, 5)
    with pytest.raises(ValueError):
        estimate([])
    assert two_sided_t_probability(0.0, 3) == 0.0


def test_the_interval_is_the_mean_plus_or_minus_t_times_the_standard_error() -> None:
    # Values 1, 2, 3, 4: mean 2.5, sample deviation sqrt(5/3), standard error sqrt(5/3) / 2.
    e = estimate([1.0, 2.0, 3.0, 4.0])
    half = 3.182446305284263 * math.sqrt(5 / 3) / 2
    assert e.n == 4 and e.mean == 2.5
    assert e.low == pytest.approx(2.5 - half) and e.high == pytest.approx(2.5 + half)
    assert e.contains(2.5) and e.contains(2.5 + half) and not e.contains(2.5 + half + 0.01)


def test_equal_values_give_an_interval_of_no_width() -> None:
    assert estimate([3.0] * 5) == Estimate(5, 3.0, 3.0, 3.0)


def test_with_one_seed_the_interval_is_undefined() -> None:
    e = estimate([7.0])
    assert e == Estimate(1, 7.0, None, None)
    assert e.contains(7.0) is None
