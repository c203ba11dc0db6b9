# Means over seeds and their 95% intervals: the sample mean, and the Student t interval
# mean +- t(0.975, n - 1) x s / sqrt(n), with s the sample standard deviation (n - 1 in the
# denominator). With one seed there is no spread to measure and the interval is undefined: it
# is None, and the summary says so.
#
# The t quantile is computed, not looked up: for an integer number of degrees of freedom v the
# probability that |T| < t is a finite trigonometric sum in theta = atan(t / sqrt(v)) (Abramowitz
# and Stegun, Handbook of Mathematical Functions, 26.7.3 for odd v and 26.7.4 for even v), which
# increases with t, so the quantile is found by bisection to the float's precision. Pure.
from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Estimate", "estimate", "t_quantile", "two_sided_t_probability"]


def two_sided_t_probability(t: float, df: int) -> float:
    """P[|T| < t] for T Student-t with `df` (a positive integer) degrees of freedom, t >= 0."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be at least 1, got {df}")
    if t <= 0:
        return 0.0
    theta = math.atan(t / math.sqrt(df))
    s, c2 = math.sin(theta), math.cos(theta) ** 2
    if df % 2 == 0:
        # sin(theta) (1 + 1/2 c^2 + (1 3)/(2 4) c^4 + ... up to c^(df - 2))
        term, total = 1.0, 1.0
        for j in range(1, df // 2):
            term *= c2 * (2 * j - 1) / (2 * j)
            total += term
        return min(1.0, s * total)
    # 2/pi (theta + sin(theta) cos(theta) (1 + 2/3 c^2 + (2 4)/(3 5) c^4 + ... up to c^(df - 3)))
    series = 0.0
    if df > 1:
        term, series = 1.0, 1.0
        for j in range(1, (df - 1) // 2):
            term *= c2 * (2 * j) / (2 * j + 1)
            series += term
        series *= s * math.sqrt(c2)
    return min(1.0, 2 / math.pi * (theta + series))


def t_quantile(p: float, df: int) -> float:
    """The t with P[T <= t] = p (0.5 <= p < 1) for Student's t with `df` degrees of freedom:
    `t_quantile(0.975, 19)` is 2.093."""
    if not 0.5 <= p < 1:
        raise ValueError(f"p must be in [0.5, 1), got {p}")
    target = 2 * p - 1  # P[|T| < t]
    low, high = 0.0, 1.0
    while two_sided_t_probability(high, df) < target:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if two_sided_t_probability(middle, df) < target:
            low = middle
        else:
            high = middle
    return high


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean over `n` values and its 95% interval (`low`, `high`); the interval is None with
    fewer than two values."""

    n: int
    mean: float
    low: float | None
    high: float | None

    def contains(self, value: float) -> bool | None:
        """Whether `value` lies in the interval (ends included); None when it is undefined."""
        if self.low is None or self.high is None:
            return None
        # The ends are rounded floats: allow their rounding, nothing more.
        slack = 1e-9 * max(1.0, abs(self.low), abs(self.high))
        return self.low - slack <= value <= self.high + slack


def estimate(values: Sequence[float], confidence: float = 0.95) -> Estimate:
    """The mean of `values` and its Student-t interval at `confidence` (two-sided)."""
    if not values:
        raise ValueError("no values to estimate from")
    n = len(values)
    mean = statistics.fmean(values)
    if n < 2:
        return Estimate(n, mean, None, None)
    half = t_quantile((1 + confidence) / 2, n - 1) * statistics.stdev(values) / math.sqrt(n)
    return Estimate(n, mean, mean - half, mean + half)
