# Group assignment for a backing job (implementers' guide, "Candidate Backing", "On Startup";
# polkadot@c4ee9d46 node/core/backing/src/lib.rs, `CandidateBackingJob::run`, and
# primitives/src/v1/mod.rs, `GroupRotationInfo::group_for_core`): which
# validators back which para at a relay parent, and what the local validator is assigned to.
# Only scheduled cores get a group: prospective assignments on occupied cores are ignored, so a
# para on an occupied core has no group and can never be backed here.
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pyrsistent import pmap

from ..identity_cache import IdentityCache
from ..records import _checks as c
from ..records.cores import AnyCoreState, GroupRotationInfo, ScheduledCore
from .table import TableContext

__all__ = [
    "Assignment",
    "BackingSetup",
    "backing_setup",
    "local_assignment",
    "validator_groups",
]


@dataclass(frozen=True, slots=True)
class Assignment:
    """The para the local validator backs at a relay parent, and the collator it must come from
    (None: any collator)."""

    para_id: int
    required_collator: bytes | None = None

    def __post_init__(self) -> None:
        c.u32(self, "para_id", self.para_id)
        if self.required_collator is not None:
            c.hash32(self, "required_collator", self.required_collator)


def _scheduled(
    cores: Sequence[AnyCoreState], groups: Sequence[Sequence[int]], rotation: GroupRotationInfo
) -> list[tuple[ScheduledCore, tuple[int, ...]]]:
    out = []
    for core_index, core in enumerate(cores):
        if not isinstance(core, ScheduledCore):
            continue
        group_index = rotation.group_for_core(core_index, len(cores))
        if group_index < len(groups):
            out.append((core, tuple(groups[group_index])))
    return out


def _by_para(scheduled: list[tuple[ScheduledCore, tuple[int, ...]]]) -> dict[int, tuple[int, ...]]:
    return {core.para_id: group for core, group in scheduled}


def _by_validator(scheduled: list[tuple[ScheduledCore, tuple[int, ...]]]) -> dict[int, Assignment]:
    # The last scheduled core of a validator's group wins, as in the node.
    out: dict[int, Assignment] = {}
    for core, group in scheduled:
        assignment = Assignment(core.para_id, core.collator)
        for v in group:
            out[v] = assignment
    return out


def validator_groups(
    cores: Sequence[AnyCoreState], groups: Sequence[Sequence[int]], rotation: GroupRotationInfo
) -> dict[int, tuple[int, ...]]:
    """Para id -> the validator indices backing it, for every scheduled core whose group exists
    (the node's `CandidateBackingJob::run`: `group_for_core(core, n_cores)`; a later core of the
    same para wins,
    as the Rust node's map insert does). Feed it to `TableContext`."""
    return _by_para(_scheduled(cores, groups, rotation))


def local_assignment(
    cores: Sequence[AnyCoreState],
    groups: Sequence[Sequence[int]],
    rotation: GroupRotationInfo,
    validator_index: int | None,
) -> Assignment | None:
    """The local validator's assignment (as in `CandidateBackingJob::run`; last match wins), or
    None for an
    observer or a validator whose group serves no scheduled core."""
    if validator_index is None:
        return None
    return _by_validator(_scheduled(cores, groups, rotation)).get(validator_index)


@dataclass(frozen=True, slots=True)
class BackingSetup:
    """What every backing job at one relay parent derives from the runtime's cores, groups and
    rotation: the statement table's context (`validator_groups`) and each validator's
    assignment (`local_assignment`, by validator index; a validator absent from it has none)."""

    context: TableContext
    assignments: Mapping[int, Assignment]

    def assignment_of(self, validator_index: int | None) -> Assignment | None:
        """`local_assignment` for `validator_index` (None: an observer, never assigned)."""
        return None if validator_index is None else self.assignments.get(validator_index)


# Recent `backing_setup` results. One relay parent's inputs are the same objects for every
# validator that asks (the runtime answers each with the same tuples), so a job finds its setup
# here instead of rebuilding the O(cores x group size) maps and the table's membership sets.
SETUP_CACHE_SIZE = 16  # relay parents: a node keeps a handful active at once
_SETUPS: IdentityCache[BackingSetup] = IdentityCache(SETUP_CACHE_SIZE)


def backing_setup(
    cores: Sequence[AnyCoreState],
    groups: Sequence[Sequence[int]],
    rotation: GroupRotationInfo,
    minimum_backing_votes: int | None = None,
    allow_multiple_seconded: bool = False,
) -> BackingSetup:
    """The `TableContext` (with `minimum_backing_votes` and `allow_multiple_seconded`) and every
    validator's assignment at one relay parent, as `validator_groups` and `local_assignment`
    give them.

    A pure function of its inputs, and cached: when `cores` and `groups` are tuples (immutable,
    as the runtime API returns them) a call with the very same tuple objects and equal other
    arguments returns the setup computed before (the last `SETUP_CACHE_SIZE` are kept). Other
    sequences are computed afresh each time, since they could change after the call."""
    def compute() -> BackingSetup:
        scheduled = _scheduled(cores, groups, rotation)
        return BackingSetup(
            TableContext(
                _by_para(scheduled),
                minimum_backing_votes=minimum_backing_votes,
                allow_multiple_seconded=allow_multiple_seconded,
            ),
            pmap(_by_validator(scheduled)),
        )

    if type(cores) is not tuple or type(groups) is not tuple:
        return compute()
    plain = (rotation, minimum_backing_votes, allow_multiple_seconded)
    return _SETUPS.get_or_compute((cores, groups), plain, compute)
