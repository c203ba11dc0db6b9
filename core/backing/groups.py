# Group assignment for a backing job (implementers' guide, "Candidate Backing", "On Startup";
# polkadot@c4ee9d46 node/core/backing/src/lib.rs, `CandidateBackingJob::run`, and
# primitives/src/v1/mod.rs, `GroupRotationInfo::group_for_core`): which
# validators back which para at a relay parent, and what the local validator is assigned to.
# Only scheduled cores get a group: prospective assignments on occupied cores are ignored, so a
# para on an occupied core has no group and can never be backed here.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..records import _checks as c
from ..records.cores import AnyCoreState, GroupRotationInfo, ScheduledCore

__all__ = ["Assignment", "local_assignment", "validator_groups"]


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


def validator_groups(
    cores: Sequence[AnyCoreState], groups: Sequence[Sequence[int]], rotation: GroupRotationInfo
) -> dict[int, tuple[int, ...]]:
    """Para id -> the validator indices backing it, for every scheduled core whose group exists
    (the node's `CandidateBackingJob::run`: `group_for_core(core, n_cores)`; a later core of the
    same para wins,
    as the Rust node's map insert does). Feed it to `TableContext`."""
    return {core.para_id: group for core, group in _scheduled(cores, groups, rotation)}


def local_assignment(
    cores: Sequence[AnyCoreState],
    groups: Sequence[Sequence[int]],
    rotation: GroupRotationInfo,
    validator_index: int | None,
) -> Assignment | None:
    """The local validator's assignment (as in `CandidateBackingJob::run`; last match wins), or
    None for an
    observer or a validator whose group serves no scheduled core."""
    found = None
    if validator_index is None:
        return None
    for core, group in _scheduled(cores, groups, rotation):
        if validator_index in group:
            found = Assignment(core.para_id, core.collator)
    return found
