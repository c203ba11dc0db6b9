# Candidate selection (core/provisioner/candidate_selection.py; implementers' guide,
# "Provisioner"; the node's `select_candidates`, polkadot@c4ee9d46
# node/core/provisioner/src/lib.rs).
from __future__ import annotations

import pytest

from backable.core import (
    BitVec,
    FreeCore,
    OccupiedCoreAssumption,
    ScheduledCore,
    core_assumption,
    runtime_availability_threshold_met,
    validation_data_keys,
)
from backable.core import select_candidates as select
from backable.core.provisioner.candidate_selection import select_candidates_given_availability
from properties.provisioner_strategies import backed, bitfield, occupied, pvd

FREE = OccupiedCoreAssumption.FREE
INCLUDED = OccupiedCoreAssumption.INCLUDED
TIMED_OUT = OccupiedCoreAssumption.TIMED_OUT
BLOCK = 128
NONE_AVAILABLE = BitVec.zeros(3)
ALL_AVAILABLE = BitVec.ones(3)


def test_a_scheduled_core_takes_the_free_assumption() -> None:
    core = ScheduledCore(5)
    assert core_assumption(core, False, BLOCK) == (core, FREE)


def test_an_available_core_with_next_up_on_available_is_included() -> None:
    core = occupied(ALL_AVAILABLE, next_up_on_available=6, next_up_on_time_out=7)
    assert core_assumption(core, True, BLOCK) == (ScheduledCore(6), INCLUDED)


def test_an_available_core_without_next_up_does_not_fall_through_to_time_out() -> None:
    core = occupied(ALL_AVAILABLE, next_up_on_time_out=7, time_out_at=BLOCK)
    assert core_assumption(core, True, BLOCK) is None


def test_time_out_needs_time_out_at_equal_to_the_block_number() -> None:
    timed_out = (ScheduledCore(7), TIMED_OUT)
    for at, expected in ((BLOCK - 1, None), (BLOCK, timed_out), (BLOCK + 1, None)):
        core = occupied(NONE_AVAILABLE, next_up_on_time_out=7, time_out_at=at)
        assert core_assumption(core, False, BLOCK) == expected


def test_a_timed_out_core_with_nothing_next_up_and_a_free_core_are_skipped() -> None:
    assert core_assumption(occupied(NONE_AVAILABLE, time_out_at=BLOCK), False, BLOCK) is None
    assert core_assumption(FreeCore(), False, BLOCK) is None


def test_the_first_candidate_matching_para_and_validation_data_is_chosen() -> None:
    wrong_data = backed(1, pvd(9), salt=1)
    first, second = backed(1, pvd(0), salt=2), backed(1, pvd(0), salt=3)
    chosen = select([ScheduledCore(1)], [], [wrong_data, first, second], BLOCK, {(1, FREE): pvd(0)})
    assert chosen == (first,)


def test_a_missing_validation_data_entry_skips_the_core() -> None:
    assert select([ScheduledCore(1)], [], [backed(1)], BLOCK, {(1, INCLUDED): pvd(0)}) == ()


def test_output_follows_core_order_not_candidate_order() -> None:
    cores = [ScheduledCore(3), FreeCore(), ScheduledCore(1), ScheduledCore(2)]
    c1, c2, c3 = backed(1), backed(2), backed(3)
    vd = {(p, FREE): pvd(0) for p in (1, 2, 3)}
    assert select(cores, [], [c1, c2, c3], BLOCK, vd) == (c3, c1, c2)


def test_availability_is_computed_from_the_given_bitfields() -> None:
    core = occupied(BitVec.from_str("100"), next_up_on_available=4, next_up_on_time_out=5,
                    time_out_at=BLOCK)
    on_available, on_time_out = backed(4, pvd(1)), backed(5, pvd(2))
    vd = {(4, INCLUDED): pvd(1), (5, TIMED_OUT): pvd(2)}
    cands = [on_available, on_time_out]
    # 1 of 3 on chain: not available, times out
    assert select([core], [bitfield("0", 1)], cands, BLOCK, vd) == (on_time_out,)
    # one more bitfield: 2 of 3 available
    assert select([core], [bitfield("1", 1)], cands, BLOCK, vd) == (on_available,)


def test_two_cores_for_one_para_get_one_candidate() -> None:
    a, b = backed(1, pvd(0), salt=1), backed(1, pvd(1), salt=2)
    cores = [ScheduledCore(1), occupied(NONE_AVAILABLE, next_up_on_time_out=1, time_out_at=BLOCK)]
    vd = {(1, FREE): pvd(0), (1, TIMED_OUT): pvd(1)}
    assert select(cores, [], [a, b], BLOCK, vd) == (a,)


def test_two_code_upgrades_keep_the_lowest_core() -> None:
    up1, up2 = backed(1, code=b"\x01"), backed(2, code=b"\x02")
    plain = backed(3)
    cores = [ScheduledCore(2), ScheduledCore(3), ScheduledCore(1)]
    vd = {(p, FREE): pvd(0) for p in (1, 2, 3)}
    assert select(cores, [], [up1, up2, plain], BLOCK, vd) == (up2, plain)


def test_a_para_whose_code_upgrade_was_dropped_takes_no_later_core() -> None:
    up1, up2, up2_plain = backed(1, code=b"\x01"), backed(2, code=b"\x02"), backed(2, pvd(1))
    cores = [ScheduledCore(1), ScheduledCore(2),
             occupied(NONE_AVAILABLE, next_up_on_time_out=2, time_out_at=BLOCK)]
    vd = {(1, FREE): pvd(0), (2, FREE): pvd(0), (2, TIMED_OUT): pvd(1)}
    assert select(cores, [], [up1, up2, up2_plain], BLOCK, vd) == (up1,)


def test_inputs_are_not_modified() -> None:
    cores = [ScheduledCore(1)]
    cands = [backed(1)]
    vd = {(1, FREE): pvd(0)}
    before = (list(cores), list(cands), dict(vd))
    select(cores, [], cands, BLOCK, vd)
    assert (cores, cands, vd) == before


def test_a_para_already_served_does_not_stop_later_cores() -> None:
    a, b, c = backed(1, pvd(0), salt=1), backed(1, pvd(1), salt=2), backed(2)
    cores = [
        ScheduledCore(1),
        occupied(NONE_AVAILABLE, next_up_on_time_out=1, time_out_at=BLOCK),
        ScheduledCore(2),
    ]
    vd = {(1, FREE): pvd(0), (1, TIMED_OUT): pvd(1), (2, FREE): pvd(0)}
    assert select(cores, [], [a, b, c], BLOCK, vd) == (a, c)


def test_a_core_without_a_matching_candidate_does_not_stop_later_cores() -> None:
    c2 = backed(2)
    vd = {(1, FREE): pvd(0), (2, FREE): pvd(0)}
    assert select([ScheduledCore(1), ScheduledCore(2)], [], [c2], BLOCK, vd) == (c2,)


def test_a_core_without_validation_data_does_not_stop_later_cores() -> None:
    c1, c2 = backed(1), backed(2)
    vd = {(2, FREE): pvd(0)}  # nothing for para 1
    assert select([ScheduledCore(1), ScheduledCore(2)], [], [c1, c2], BLOCK, vd) == (c2,)


def test_a_dropped_code_upgrade_does_not_stop_later_cores() -> None:
    up1, up2, plain = backed(1, code=b"\x01"), backed(2, code=b"\x02"), backed(3)
    cores = [ScheduledCore(1), ScheduledCore(2), ScheduledCore(3)]
    vd = {(p, FREE): pvd(0) for p in (1, 2, 3)}
    assert select(cores, [], [up1, up2, plain], BLOCK, vd) == (up1, plain)


def test_the_threshold_switch_reaches_the_availability_check() -> None:
    # 2 of 3 validators: available for the seed, not for the runtime (which needs 3).
    core = occupied(BitVec.from_str("100"), next_up_on_available=4, next_up_on_time_out=5,
                    time_out_at=BLOCK)
    on_available, on_time_out = backed(4, pvd(1)), backed(5, pvd(2))
    vd = {(4, INCLUDED): pvd(1), (5, TIMED_OUT): pvd(2)}
    args = ([core], [bitfield("1", 1)], [on_available, on_time_out], BLOCK, vd)
    assert select(*args) == (on_available,)
    assert select(*args, threshold=runtime_availability_threshold_met) == (on_time_out,)


def test_one_availability_flag_per_core_is_required() -> None:
    with pytest.raises(ValueError, match="zip"):
        select_candidates_given_availability([ScheduledCore(1)], [], [backed(1)], BLOCK, {})
    with pytest.raises(ValueError, match="zip"):
        select_candidates_given_availability([], [True], [backed(1)], BLOCK, {})


def test_validation_data_keys_name_every_lookup_in_core_order_each_once() -> None:
    cores = [
        occupied(NONE_AVAILABLE, next_up_on_available=6, next_up_on_time_out=7),
        FreeCore(),
        ScheduledCore(5),
        occupied(NONE_AVAILABLE, next_up_on_time_out=5),
        occupied(NONE_AVAILABLE, next_up_on_available=5),
        ScheduledCore(6),
        occupied(NONE_AVAILABLE),
        ScheduledCore(5),
    ]
    assert validation_data_keys(cores) == (
        (6, INCLUDED), (7, TIMED_OUT), (5, FREE), (5, TIMED_OUT), (5, INCLUDED), (6, FREE),
    )
    assert validation_data_keys([]) == ()


def test_validation_data_keys_cover_every_assumption_candidate_selection_can_take() -> None:
    cores = [
        ScheduledCore(1),
        occupied(NONE_AVAILABLE, next_up_on_available=2, next_up_on_time_out=3, time_out_at=BLOCK),
        occupied(ALL_AVAILABLE, next_up_on_available=4, next_up_on_time_out=5, time_out_at=BLOCK),
        FreeCore(),
    ]
    keys = set(validation_data_keys(cores))
    for core in cores:
        for available in (False, True):
            choice = core_assumption(core, available, BLOCK)
            if choice is not None:
                assert (choice[0].para_id, choice[1]) in keys
