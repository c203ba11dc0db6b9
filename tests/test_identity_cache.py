# The identity cache: a pure function's result kept for the very same input objects.
from __future__ import annotations

from collections.abc import Callable

import pytest

from backable.core.identity_cache import IdentityCache


def _counting() -> tuple[list[int], Callable[[], tuple[int, ...]]]:
    calls: list[int] = []

    def compute() -> tuple[int, ...]:
        calls.append(1)
        return (len(calls),)

    return calls, compute


def test_the_same_objects_and_an_equal_plain_key_find_the_first_result() -> None:
    cache: IdentityCache[tuple[int, ...]] = IdentityCache(4)
    calls, compute = _counting()
    key = ("a",)
    first = cache.get_or_compute((key,), 7, compute)
    again = cache.get_or_compute((key,), 7, compute)
    assert again is first and len(calls) == 1


def test_equal_but_distinct_objects_are_computed_afresh() -> None:
    cache: IdentityCache[tuple[int, ...]] = IdentityCache(4)
    calls, compute = _counting()
    one, other = [1], [1]  # equal, not the same object
    cache.get_or_compute((one,), None, compute)
    assert cache.get_or_compute((other,), None, compute) == (2,)
    assert len(calls) == 2


def test_a_different_plain_key_is_a_different_entry() -> None:
    cache: IdentityCache[tuple[int, ...]] = IdentityCache(4)
    _calls, compute = _counting()
    key = ("a",)
    assert cache.get_or_compute((key,), 1, compute) == (1,)
    assert cache.get_or_compute((key,), 2, compute) == (2,)
    assert len(cache) == 2


def test_the_oldest_entry_goes_first_and_a_hit_renews_an_entry() -> None:
    cache: IdentityCache[tuple[int, ...]] = IdentityCache(2)
    calls, compute = _counting()
    a, b, c = ("a",), ("b",), ("c",)
    cache.get_or_compute((a,), None, compute)
    cache.get_or_compute((b,), None, compute)
    cache.get_or_compute((a,), None, compute)  # a renewed
    cache.get_or_compute((c,), None, compute)  # evicts b
    assert len(cache) == 2 and len(calls) == 3
    cache.get_or_compute((a,), None, compute)
    assert len(calls) == 3  # a still cached
    cache.get_or_compute((b,), None, compute)
    assert len(calls) == 4  # b was evicted


def test_a_cache_of_one_entry_keeps_the_last_result() -> None:
    cache: IdentityCache[tuple[int, ...]] = IdentityCache(1)
    calls, compute = _counting()
    a, b = ("a",), ("b",)
    cache.get_or_compute((a,), None, compute)
    assert cache.get_or_compute((a,), None, compute) == (1,) and len(calls) == 1
    cache.get_or_compute((b,), None, compute)
    assert len(cache) == 1
    cache.get_or_compute((a,), None, compute)
    assert len(calls) == 3  # a was evicted by b


def test_a_cache_of_no_entries_is_refused() -> None:
    with pytest.raises(ValueError, match="size must be at least 1, got 0"):
        IdentityCache(0)
