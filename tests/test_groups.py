# Group assignment: groups of scheduled cores only, rotation, and the local validator's assignment.
from __future__ import annotations

import pytest

from backable.core import (
    BitVec,
    FreeCore,
    GroupRotationInfo,
    InvalidRecord,
    OccupiedCore,
    ScheduledCore,
)
from backable.core.backing.groups import Assignment, local_assignment, validator_groups
from properties.backing_strategies import candidate

GROUPS = ((0, 1), (2, 3), (4, 5))
NO_ROTATION = GroupRotationInfo(session_start_block=0, group_rotation_frequency=0, now=10)
ONE_ROTATION = GroupRotationInfo(session_start_block=0, group_rotation_frequency=5, now=5)
COLLATOR = b"\xc0" * 32


def occupied() -> OccupiedCore:
    return OccupiedCore(
        next_up_on_available=ScheduledCore(300),
        occupied_since=1,
        time_out_at=10,
        next_up_on_time_out=None,
        availability=BitVec.zeros(6),
        group_responsible=2,
        candidate_hash=candidate(300).hash(),
        candidate_descriptor=candidate(300).descriptor,
    )


def test_only_scheduled_cores_get_a_group() -> None:
    cores = (ScheduledCore(100), FreeCore(), occupied())
    assert validator_groups(cores, GROUPS, NO_ROTATION) == {100: (0, 1)}


def test_groups_follow_the_rotation() -> None:
    cores = (ScheduledCore(100), ScheduledCore(200), ScheduledCore(300))
    assert validator_groups(cores, GROUPS, NO_ROTATION) == {100: (0, 1), 200: (2, 3), 300: (4, 5)}
    assert validator_groups(cores, GROUPS, ONE_ROTATION) == {100: (2, 3), 200: (4, 5), 300: (0, 1)}


def test_a_core_whose_group_does_not_exist_gets_none() -> None:
    cores = (ScheduledCore(100), ScheduledCore(200), ScheduledCore(300))
    assert validator_groups(cores, GROUPS[:2], NO_ROTATION) == {100: (0, 1), 200: (2, 3)}


def test_the_local_assignment_carries_the_required_collator() -> None:
    cores = (ScheduledCore(100), ScheduledCore(200, COLLATOR))
    assert local_assignment(cores, GROUPS, NO_ROTATION, 3) == Assignment(200, COLLATOR)
    assert local_assignment(cores, GROUPS, NO_ROTATION, 0) == Assignment(100, None)


def test_a_validator_on_an_unscheduled_core_or_an_observer_has_no_assignment() -> None:
    cores = (ScheduledCore(100), FreeCore(), occupied())
    assert local_assignment(cores, GROUPS, NO_ROTATION, 2) is None
    assert local_assignment(cores, GROUPS, NO_ROTATION, None) is None


def test_the_last_matching_core_wins() -> None:
    cores = (ScheduledCore(100), ScheduledCore(200))
    assert local_assignment(cores, ((0, 1), (1, 2)), NO_ROTATION, 1) == Assignment(200)


def test_group_for_core_and_core_for_group_are_inverse() -> None:
    for core in range(3):
        group = ONE_ROTATION.group_for_core(core, 3)
        assert ONE_ROTATION.core_for_group(group, 3) == core


def test_an_unscheduled_core_does_not_hide_the_scheduled_ones_after_it() -> None:
    cores = (FreeCore(), occupied(), ScheduledCore(100))
    assert validator_groups(cores, GROUPS, NO_ROTATION) == {100: (4, 5)}


def test_an_assignment_names_its_bad_field_and_value() -> None:
    with pytest.raises(InvalidRecord) as bad_para:
        Assignment(-1)
    assert str(bad_para.value) == "Assignment.para_id = -1: must be an int in 0..2**32-1"
    with pytest.raises(InvalidRecord) as bad_collator:
        Assignment(100, b"\xc0")
    assert str(bad_collator.value) == (
        "Assignment.required_collator = b'\\xc0': must be 32 bytes"
    )
