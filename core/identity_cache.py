# A bounded cache for pure functions keyed by the identity of immutable inputs. In a simulated
# network every validator asks the same question of the same objects (one relay parent's
# runtime answers, one leaf's activation): the first answer is kept for the others. Keyed by
# identity, so a lookup costs no hashing of large records; an entry keeps its inputs alive, so
# the identities it is keyed by cannot be reused by other objects while it is cached. Only for
# pure functions of immutable inputs: a hit returns exactly what a fresh call would.
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from operator import is_
from typing import Generic, TypeVar

__all__ = ["IdentityCache"]

R = TypeVar("R")


class IdentityCache(Generic[R]):
    """The last `size` results of a pure function, keyed by the identity of its object
    arguments and the value of its plain ones (which must be hashable)."""

    __slots__ = ("_entries", "size")

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"IdentityCache: size must be at least 1, got {size}")
        self.size = size
        self._entries: OrderedDict[
            tuple[object, ...], tuple[tuple[object, ...], R]
        ] = OrderedDict()

    def get_or_compute(
        self, objects: tuple[object, ...], plain: Hashable, compute: Callable[[], R]
    ) -> R:
        """`compute()`'s result for these very `objects` and an equal `plain` key, computed
        once while cached."""
        key = (*(id(o) for o in objects), plain)
        hit = self._entries.get(key)
        # Equal keys hold as many identities, so the two tuples have the same length.
        if hit is not None and all(map(is_, hit[0], objects)):
            self._entries.move_to_end(key)
            return hit[1]
        result = compute()
        self._entries[key] = (objects, result)
        while len(self._entries) > self.size:
            del self._entries[next(iter(self._entries))]  # the oldest
        return result

    def __len__(self) -> int:
        return len(self._entries)
