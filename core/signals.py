# Overseer signals (implementers' guide, "Candidate Backing" and "Provisioner", "On Overseer
# Signal"), as pure records: a leaves update with
# the relay parents activated and deactivated, and Conclude. The shell's overseer delivers them to
# every running subsystem ahead of its queued messages; both job machines take this same
# `Conclude` as the event that ends a job.
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
    """Leaves activated (a job starts for each) and relay parents deactivated (their jobs end)."""

    activated: tuple[ActivatedLeaf, ...] = ()
    deactivated: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class Conclude:
    """The node is shutting down: a subsystem finishes its jobs within a grace period, then exits;
    a job machine given it ends, and ignores every later event."""


Signal = ActiveLeavesUpdate | Conclude
"""What the overseer delivers to every running subsystem ahead of its queued messages."""
