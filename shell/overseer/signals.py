# Overseer signals (implementers' guide, "Provisioner" and "Candidate Backing", "On Overseer
# Signal"; the early Provisioner page): a leaves update with the relay
# parents activated and deactivated, and Conclude. Signals go to every running subsystem ahead of
# its queued messages.
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ActivatedLeaf", "ActiveLeavesUpdate", "Conclude", "Signal"]


@dataclass(frozen=True, slots=True)
class ActivatedLeaf:
    """A relay-chain block that became a leaf: jobs are started for it."""

    hash: bytes
    number: int


@dataclass(frozen=True, slots=True)
class ActiveLeavesUpdate:
    activated: tuple[ActivatedLeaf, ...] = ()
    deactivated: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class Conclude:
    """The node is shutting down: finish jobs within a grace period, then exit."""


Signal = ActiveLeavesUpdate | Conclude
