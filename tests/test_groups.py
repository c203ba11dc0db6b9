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
    Seconded,
    Summary,
    Table,
    TableContext,
    import_statement,
)
from backable.core.backing.groups import (
    _SETUPS,
    SETUP_CACHE_SIZE,
    Assignment,
    backing_setup,
    local_assignment,
    validator_groups,
)
from properties.backing_strategies import candidate, fake

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
    assert str(bad_collator.value) == "Assignment.required_collator = b'\\xc0': must be 32 bytes"


# backing_setup: the same table context and assignments, computed once per relay parent ---------

SETUP_CORES = (ScheduledCore(100), FreeCore(), ScheduledCore(200, COLLATOR))


def test_the_setup_agrees_with_validator_groups_and_local_assignment() -> None:
    for rotation in (NO_ROTATION, ONE_ROTATION):
        setup = backing_setup(SETUP_CORES, GROUPS, rotation, minimum_backing_votes=2)
        assert dict(setup.context.groups) == validator_groups(SETUP_CORES, GROUPS, rotation)
        assert setup.context.minimum_backing_votes == 2
        for v in (*range(6), 99, None):
            assert setup.assignment_of(v) == local_assignment(SETUP_CORES, GROUPS, rotation, v)


def test_the_same_tuples_give_the_same_setup_object() -> None:
    first = backing_setup(SETUP_CORES, GROUPS, NO_ROTATION)
    assert backing_setup(SETUP_CORES, GROUPS, NO_ROTATION) is first
    # Any other argument different: another setup.
    assert backing_setup(SETUP_CORES, GROUPS, ONE_ROTATION) is not first
    assert backing_setup(SETUP_CORES, GROUPS, NO_ROTATION, 1) is not first
    assert backing_setup(SETUP_CORES, GROUPS, NO_ROTATION, None, True) is not first
    # Equal but distinct tuples: computed again, and equal.
    again = backing_setup(tuple(SETUP_CORES), tuple(list(GROUPS)), NO_ROTATION)
    assert again is not first and again == first


def test_lists_are_never_cached() -> None:
    # A list can change after the call: the setup must follow what it holds at each call.
    cores = list(SETUP_CORES)
    first = backing_setup(cores, GROUPS, NO_ROTATION)
    cores[0] = FreeCore()
    second = backing_setup(cores, GROUPS, NO_ROTATION)
    assert 100 in first.context.groups and 100 not in second.context.groups
    assert first.assignment_of(0) == Assignment(100) and second.assignment_of(0) is None


def test_the_cache_is_bounded() -> None:
    for i in range(SETUP_CACHE_SIZE * 3):
        backing_setup((ScheduledCore(1000 + i),), GROUPS, NO_ROTATION)
    assert len(_SETUPS) == SETUP_CACHE_SIZE


def test_setups_of_other_cores_or_groups_are_cached_beside_each_other() -> None:
    # The cache holds one entry per (cores, groups) pair: a relay parent sharing another's groups
    # tuple (the groups change once a session) must not push that other's setup out.
    cores, other_cores = (ScheduledCore(100),), (ScheduledCore(200),)
    groups, other_groups = ((0, 1),), ((2, 3),)
    first = backing_setup(cores, groups, NO_ROTATION)
    same_groups = backing_setup(other_cores, groups, NO_ROTATION)
    same_cores = backing_setup(cores, other_groups, NO_ROTATION)
    assert backing_setup(cores, groups, NO_ROTATION) is first
    assert backing_setup(other_cores, groups, NO_ROTATION) is same_groups
    assert backing_setup(cores, other_groups, NO_ROTATION) is same_cores
    assert dict(same_groups.context.groups) == {200: (0, 1)}
    assert dict(same_cores.context.groups) == {100: (2, 3)}


def test_the_setup_passes_the_multiple_seconded_switch_to_its_table() -> None:
    # Cores built here, a new tuple: the setup is computed by this call, not found in the cache
    # (which other tests, or an earlier run in the same process, may have filled).
    cores = (ScheduledCore(100), FreeCore(), ScheduledCore(200, COLLATOR))
    setup = backing_setup(
        cores, GROUPS, NO_ROTATION, minimum_backing_votes=2, allow_multiple_seconded=True
    )
    assert setup.context == TableContext(
        {100: (0, 1), 200: (4, 5)}, minimum_backing_votes=2, allow_multiple_seconded=True
    )
    # With the switch on, one validator may second two candidates of its para.
    table, _ = import_statement(Table(), setup.context, fake(Seconded(candidate(100, 1)), 0))
    table, summary = import_statement(table, setup.context, fake(Seconded(candidate(100, 2)), 0, 1))
    assert summary == Summary(candidate(100, 2).hash(), 100, 1)
    assert table.misbehaviors == {}
