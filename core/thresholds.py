# The threshold formulas, each once, as named functions: the seed's 2/3 availability check, the
# runtime's supermajority, and the backing threshold. What belongs here: the formulas and the
# type of the availability switch; the checks that apply them live with their rules
# (provisioner/availability.py, backing/table.py, provisioner/inherent_check.py).
#
# The two availability thresholds differ only when n is a positive multiple of 3: for n = 3k the
# seed's `3 * ones >= 2 * n` needs 2k ones, the runtime's `n - (n - 1) // 3` needs 2k + 1. For
# every other n (and n = 0, where both accept) they agree.
from __future__ import annotations

from collections.abc import Callable

__all__ = [
    "AvailabilityThreshold",
    "availability_threshold_met",
    "backing_threshold",
    "runtime_availability_threshold_met",
    "supermajority_threshold",
]

AvailabilityThreshold = Callable[[int, int], bool]
"""A rule `(ones, n) -> available?`; pass one of the two named thresholds below."""


def availability_threshold_met(ones: int, n: int) -> bool:
    """The seed's 2/3 availability threshold: `3 * ones >= 2 * n` (implementers' guide,
    "Provisioner"; polkadot@c4ee9d46 node/core/provisioner/src/lib.rs,
    `bitfields_indicate_availability`).

    For n = 0 this holds (as in the node, where an empty availability vector counts as available).
    """
    return 3 * ones >= 2 * n


def supermajority_threshold(n: int) -> int:
    """The runtime's supermajority, `n - (n - 1) // 3` (`supermajority_threshold`,
    polkadot@c4ee9d46 primitives/src/v1/mod.rs); 0 for n = 0, as Rust's saturating subtraction
    gives."""
    if n <= 0:
        return 0
    return n - (n - 1) // 3


def runtime_availability_threshold_met(ones: int, n: int) -> bool:
    """The runtime's stricter availability rule: `ones >= supermajority_threshold(n)`.

    Stricter than the seed's exactly when n is a positive multiple of 3 (one more vote needed).
    """
    return ones >= supermajority_threshold(n)


def backing_threshold(group_size: int, minimum_backing_votes: int | None = None) -> int:
    """Votes needed to back a candidate of a group of `group_size` validators.

    The seed's majority of the assigned group, `group_size // 2 + 1` (implementers' guide,
    "Candidate Backing": "a majority of supporting Statements"; `group_quorum` in
    polkadot@c4ee9d46 node/core/backing/src/lib.rs); with `minimum_backing_votes` set,
    `min(group_size, minimum_backing_votes)`, the current network's
    `effective_minimum_backing_votes` (polkadot-sdk@008dd419 polkadot/primitives/src/v9/mod.rs).
    """
    if minimum_backing_votes is None:
        return group_size // 2 + 1
    return min(group_size, minimum_backing_votes)
