# Seeded hypothesis draws for the "generated" cases: the same seed and count give the same values
# on every run, so an export is the same bytes twice. Hypothesis is an optional dependency (the
# `vectors` extra): it is imported here, lazily, only when cases are made, so that `serve` and
# `run` work without it. A missing hypothesis is `GeneratorMissing`, which the export reports
# in one line.
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["GeneratorMissing", "distinct", "drawn"]

T = TypeVar("T")


class GeneratorMissing(RuntimeError):
    """Making generated cases needs hypothesis, which is not installed."""


def drawn(build: Callable[[Any], Any], count: int, seed: int) -> list[Any]:
    """`count` values drawn from the strategy `build(strategies)` with the fixed `seed`.

    `build` receives the `hypothesis.strategies` module and returns a strategy, so that family
    modules need not import hypothesis themselves. The draw runs hypothesis' generate phase only,
    with no example database, no deadline and no health checks, seeded: deterministic for one
    hypothesis version. Hypothesis may give fewer than `count` values when the space is small.
    """
    try:
        from hypothesis import HealthCheck, Phase, given, settings, strategies
        from hypothesis import seed as fixed_seed
    except ImportError:
        raise GeneratorMissing(
            "making the generated cases needs hypothesis: pip install 'backable[vectors]'"
        ) from None
    values: list[Any] = []
    strategy = build(strategies)

    @fixed_seed(seed)
    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        values.append(value)

    with _global_constants_only():
        collect()
    return values


@contextmanager
def _global_constants_only() -> Iterator[None]:
    # Hypothesis (6.131 and later) mixes into its draws constants read from the source of the
    # "local" modules loaded at the time. Which modules are loaded, and whether an install is
    # local (editable) or not (a wheel), would then change the drawn cases; here draws use
    # hypothesis' own constants only. This reaches into hypothesis' internals: where they are
    # not as expected (another version), there is nothing to turn off.
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a hypothesis without that module
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    constants = getattr(providers, "Constants", None)
    if original is None or cache is None or constants is None:  # pragma: no cover
        yield
        return
    empty = constants()
    cache.clear()
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.clear()


def distinct(values: list[T]) -> list[T]:
    """`values` without repeats, each kept where it first came: hypothesis may draw one value
    twice, and a case twice would only be counted twice. Two JSON inputs are the same value when
    their `repr`s are (dicts keep their keys' order)."""
    seen: set[str] = set()
    kept: list[T] = []
    for value in values:
        key = repr(value)
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept
