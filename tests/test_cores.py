from __future__ import annotations

import pytest

from backable.core import (
    BitVec,
    CoreState,
    DecodeError,
    FreeCore,
    GroupRotationInfo,
    OccupiedCore,
    OccupiedCoreAssumption,
    ScheduledCore,
    decode,
    encode,
)
from tests.builders import descriptor as _descriptor


def _occupied() -> OccupiedCore:
    return OccupiedCore(
        next_up_on_available=ScheduledCore(1),
        occupied_since=10,
        time_out_at=20,
        next_up_on_time_out=None,
        availability=BitVec.from_str("101"),
        group_responsible=2,
        candidate_hash=b"\x09" * 32,
        candidate_descriptor=_descriptor(),
    )


def test_core_states_carry_their_rust_enum_indices() -> None:
    assert encode(_occupied(), CoreState)[0] == 0
    assert encode(ScheduledCore(7), CoreState) == b"\x01" + (7).to_bytes(4, "little") + b"\x00"
    assert encode(FreeCore(), CoreState) == b"\x02"


def test_a_scheduled_core_encodes_bare_without_the_enum_tag() -> None:
    assert (
        encode(ScheduledCore(7, b"\x01" * 32)) == (7).to_bytes(4, "little") + b"\x01" + b"\x01" * 32
    )


@pytest.mark.parametrize("core", [_occupied(), ScheduledCore(3, b"\x05" * 32), FreeCore()])
def test_core_states_round_trip(core: object) -> None:
    assert decode(CoreState, encode(core, CoreState)) == core


def test_an_unknown_core_state_index_is_named() -> None:
    with pytest.raises(DecodeError, match="unknown CoreState variant index 3"):
        decode(CoreState, b"\x03")


def test_the_occupied_core_knows_its_para() -> None:
    assert _occupied().para_id == 1000


def test_assumptions_encode_as_0_1_2() -> None:
    assert [encode(a) for a in OccupiedCoreAssumption] == [b"\x00", b"\x01", b"\x02"]
    assert decode(OccupiedCoreAssumption, b"\x01") is OccupiedCoreAssumption.TIMED_OUT


def test_groups_rotate_one_core_per_rotation_period() -> None:
    info = GroupRotationInfo(session_start_block=10, group_rotation_frequency=5, now=21)
    # two rotations since block 10
    assert [info.group_for_core(c, 4) for c in range(4)] == [2, 3, 0, 1]
    # group 2 serves core 0, group 3 core 1, group 0 core 2, group 1 core 3
    assert [info.core_for_group(g, 4) for g in range(4)] == [2, 3, 0, 1]


def test_core_for_group_inverts_group_for_core() -> None:
    info = GroupRotationInfo(0, 3, 100)
    for n in (1, 5, 7):
        for core in range(n):
            assert info.core_for_group(info.group_for_core(core, n), n) == core


def test_zero_frequency_or_zero_cores_never_rotate() -> None:
    assert GroupRotationInfo(0, 0, 99).group_for_core(3, 5) == 3
    assert GroupRotationInfo(0, 0, 99).core_for_group(3, 5) == 3
    assert GroupRotationInfo(0, 5, 99).group_for_core(3, 0) == 0


def test_now_before_session_start_saturates_to_no_rotation() -> None:
    assert GroupRotationInfo(50, 5, 10).group_for_core(1, 4) == 1


def test_next_and_last_rotation_match_the_reference_example() -> None:
    info = GroupRotationInfo(session_start_block=10, group_rotation_frequency=5, now=15)
    assert info.next_rotation_at() == 20
    assert info.last_rotation_at() == 15
