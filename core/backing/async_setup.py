# Cores and backing groups at one scheduling parent under today's rules (E.4.1, E.4.3.2-3): the
# group serving each core of the claim queue, the core each validator's statements belong to,
# the local validator's core, and the statement table's context keyed by core. What belongs
# here: deriving those from the runtime's answers at the parent, once, for every job there.
#
# Sources: polkadot-sdk@320318ab polkadot/node/core/backing/src/lib.rs
# (`construct_per_relay_parent_state`: `n_cores` is the number of groups, a core gets a group
# only if the claim queue names it, `group_for_core(core, n_cores)`; `core_index_from_statement`:
# a sender's core is `core_for_group(its group, n_cores)`); `GroupRotationInfo` of
# polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs (core/records/cores.py computes both
# directions); `effective_minimum_backing_votes` (core/thresholds.py, `backing_threshold`).
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pyrsistent import pmap
from pyrsistent.typing import PMap

from ..errors import BackableError
from ..records.cores import GroupRotationInfo
from ..today.claim_queue import CORE_INDEX_BITS, ClaimQueue
from .table import MAX_EVIDENCE_PER_VALIDATOR, TableContext

__all__ = ["AsyncBackingSetup", "AsyncSetupError", "async_backing_setup"]

# A core index travels in 8 bits appended to a BackedCandidate's validator indices (E.1.5).
_MAX_CORES = 1 << CORE_INDEX_BITS


class AsyncSetupError(BackableError, ValueError):
    """The runtime's answers given for a scheduling parent cannot describe one."""


@dataclass(frozen=True, slots=True)
class AsyncBackingSetup:
    """What every backing job at one scheduling parent derives from its groups, rotation and
    claim queue (E.4.1 item 2):

    - `context`: the statement table's context, groups keyed by core (only the cores the claim
      queue names, each with the group `group_for_core` gives it), the quorum
      `min(group size, minimum_backing_votes)`, several Seconded per validator allowed, and
      each validator's Seconded joining the group of its own group's core;
    - `validator_cores`: validator index -> the core its group serves (`core_for_group`), for
      every validator in a group, whether or not the claim queue names that core;
    - `claim_queue`: the claim queue the cores were read from.
    """

    context: TableContext
    validator_cores: PMap[int, int]
    claim_queue: ClaimQueue

    def core_of(self, validator_index: int) -> int | None:
        """The core whose group `validator_index` is in, or None outside every group."""
        return self.validator_cores.get(validator_index)

    def assigned_core(self, validator_index: int | None) -> int | None:
        """The core the local validator backs (`assigned_core`): its group's core if the claim
        queue names that core, else None; None for an observer."""
        if validator_index is None:
            return None
        core = self.validator_cores.get(validator_index)
        return core if core is not None and core in self.context.groups else None

    def claims(self, core: int, para_id: int) -> bool:
        """Whether the claim queue names `para_id` for `core` at any depth
        (`iter_claims_for_core`): the test a Seconded's para must pass for its sender's core."""
        return para_id in self.claim_queue.paras(core)


def async_backing_setup(
    validator_groups: Sequence[Sequence[int]],
    rotation: GroupRotationInfo,
    claim_queue: ClaimQueue,
    minimum_backing_votes: int,
    max_evidence_per_validator: int = MAX_EVIDENCE_PER_VALIDATOR,
) -> AsyncBackingSetup:
    """The setup of one scheduling parent (E.4.1, E.4.3.2-3). `rotation.now` is the block the
    runtime's `group_rotation_info` names at the parent (its child). There are as many cores as
    groups, as in the node; a core of the claim queue at or beyond that count gets no group.

    Raises AsyncSetupError for more than 256 groups (a core index must fit the 8 bits a backed
    candidate carries) or a `minimum_backing_votes` below 1 (the configuration refuses it,
    `ZeroMinimumBackingVotes`). The result is cached for equal arguments: every job at a parent
    asks with the same ones."""
    groups = tuple(tuple(int(v) for v in group) for group in validator_groups)
    if len(groups) > _MAX_CORES:
        raise AsyncSetupError(
            f"async_backing_setup: {len(groups)} groups, but core indices beyond"
            f" {_MAX_CORES - 1} cannot be injected into a backed candidate (E.1.5)"
        )
    if type(minimum_backing_votes) is not int or minimum_backing_votes < 1:
        raise AsyncSetupError(
            f"async_backing_setup: minimum_backing_votes must be an int of at least 1, not"
            f" {minimum_backing_votes!r}"
        )
    return _setup(groups, rotation, claim_queue, minimum_backing_votes, max_evidence_per_validator)


@lru_cache(maxsize=16)
def _setup(
    groups: tuple[tuple[int, ...], ...],
    rotation: GroupRotationInfo,
    claim_queue: ClaimQueue,
    minimum_backing_votes: int,
    max_evidence: int,
) -> AsyncBackingSetup:
    n_cores = len(groups)
    named = set(claim_queue.cores())
    by_core: dict[int, tuple[int, ...]] = {}
    for core in range(n_cores):
        if core in named:
            by_core[core] = groups[rotation.group_for_core(core, n_cores)]
    validator_cores: dict[int, int] = {}
    for group_index, members in enumerate(groups):
        core = rotation.core_for_group(group_index, n_cores)
        for v in members:
            validator_cores[v] = core
    context = TableContext(
        by_core,
        minimum_backing_votes=minimum_backing_votes,
        allow_multiple_seconded=True,
        max_evidence_per_validator=max_evidence,
        seconder_groups=validator_cores,
    )
    return AsyncBackingSetup(context, pmap(validator_cores), claim_queue)
