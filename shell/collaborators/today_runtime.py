# The runtime API as today's node subsystems read it (the asynchronous protocol): per relay
# block, the claim queue, validator groups with rotation, the session, the availability cores,
# and what prospective parachains needs to activate the block as a leaf (`LeafActivation`:
# constraints per para, candidates pending availability, relay parents it may verify). One
# snapshot per block, added by whoever models the chain (the simulation) and pruned by it.
#
# What belongs here: the in-memory answers and the error for a block the runtime does not know.
# Not here: building those answers (the simulation's chain model) or using them (the
# subsystems). Sources: the runtime API calls `claim_queue`, `validator_groups`,
# `session_index_for_child`, `availability_cores`, `backing_constraints` and
# `candidates_pending_availability` of polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs
# (the `ParachainHost` API).
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from backable.core import ClaimQueue, GroupRotationInfo, LeafActivation
from backable.core.records.cores import AnyCoreState

from .runtime_api import RuntimeApiError

__all__ = ["InMemoryTodayChain", "TodayBlockState"]


@dataclass(frozen=True)
class TodayBlockState:
    """What the runtime answers at one relay block under today's rules: `number`; `session`
    (`session_index_for_child`); `validators`; `groups` and `rotation` (`validator_groups`, the
    rotation as seen by the block's child); `claim_queue`; `cores` (`availability_cores`, what
    the provisioner reads); `minimum_backing_votes`; `leaf` (what prospective parachains needs to
    activate the block)."""

    number: int
    session: int
    validators: tuple[bytes, ...]
    groups: tuple[tuple[int, ...], ...]
    rotation: GroupRotationInfo
    claim_queue: ClaimQueue
    cores: tuple[AnyCoreState, ...]
    minimum_backing_votes: int
    leaf: LeafActivation
    disabled: frozenset[int] = frozenset()


@dataclass
class InMemoryTodayChain:
    """Snapshots by relay block hash; `state(rp)` raises `RuntimeApiError` for an unknown (or
    pruned) block. `call_counts` counts the reads."""

    blocks: dict[bytes, TodayBlockState] = field(default_factory=dict)
    call_counts: Counter[str] = field(default_factory=Counter)

    def add_block(self, relay_parent: bytes, state: TodayBlockState) -> None:
        self.blocks[relay_parent] = state

    def prune(self, keep_from_number: int) -> int:
        """Forget every block numbered below `keep_from_number`; how many were dropped."""
        old = [rp for rp, s in self.blocks.items() if s.number < keep_from_number]
        for rp in old:
            del self.blocks[rp]
        return len(old)

    async def state(self, relay_parent: bytes) -> TodayBlockState:
        """The snapshot of `relay_parent`."""
        self.call_counts["state"] += 1
        found = self.blocks.get(relay_parent)
        if found is None:
            raise RuntimeApiError(f"today runtime: unknown relay parent 0x{relay_parent.hex()}")
        return found
