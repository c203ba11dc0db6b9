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
from tests.builders import decode_failure, refusal
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


# -- refused records and undecodable bytes name what was wrong (issue 13) ---------------------

U32_REASON = "must be an int in 0..2**32-1"


def _occupied_with(**changes: object) -> OccupiedCore:
    fields = {
        "next_up_on_available": ScheduledCore(1),
        "occupied_since": 10,
        "time_out_at": 20,
        "next_up_on_time_out": ScheduledCore(2),
        "availability": BitVec.from_str("101"),
        "group_responsible": 2,
        "candidate_hash": b"\x09" * 32,
        "candidate_descriptor": _descriptor(),
    }
    fields.update(changes)
    return OccupiedCore(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("next_up_on_available", 1, "must be a ScheduledCore"),
        ("occupied_since", -1, U32_REASON),
        ("time_out_at", 1 << 32, U32_REASON),
        ("next_up_on_time_out", FreeCore(), "must be a ScheduledCore"),
        ("availability", "101", "must be a BitVec"),
        ("group_responsible", -1, U32_REASON),
        ("candidate_hash", b"\x09" * 31, "must be 32 bytes"),
        ("candidate_descriptor", None, "must be a CandidateDescriptor"),
    ],
)
def test_an_occupied_core_refuses_a_bad_field_naming_it(
    field: str, value: object, reason: str
) -> None:
    assert refusal(lambda: _occupied_with(**{field: value})) == (
        "OccupiedCore",
        field,
        value,
        reason,
    )


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: ScheduledCore(-1), ("ScheduledCore", "para_id", -1, U32_REASON)),
        (
            lambda: ScheduledCore(1, b"\x01" * 33),
            ("ScheduledCore", "collator", b"\x01" * 33, "must be 32 bytes"),
        ),
        (
            lambda: GroupRotationInfo(-1, 5, 10),
            ("GroupRotationInfo", "session_start_block", -1, U32_REASON),
        ),
        (
            lambda: GroupRotationInfo(0, 1 << 32, 10),
            ("GroupRotationInfo", "group_rotation_frequency", 1 << 32, U32_REASON),
        ),
        (lambda: GroupRotationInfo(0, 5, -3), ("GroupRotationInfo", "now", -3, U32_REASON)),
    ],
)
def test_a_scheduled_core_or_rotation_info_refuses_a_bad_field_naming_it(
    build: object, expected: tuple[str, str, object, str]
) -> None:
    assert refusal(build) == expected  # type: ignore[arg-type]


def test_an_unknown_assumption_index_is_named_with_its_offset() -> None:
    assert decode_failure(OccupiedCoreAssumption, b"\x03") == (
        "OccupiedCoreAssumption",
        0,
        "unknown OccupiedCoreAssumption variant index 3",
    )


@pytest.mark.parametrize(
    ("info", "n_cores", "groups"),
    [
        # 11 blocks since the session start at 10, every 5 blocks: two rotations
        (GroupRotationInfo(10, 5, 21), 5, [2, 3, 4, 0, 1]),
        # `now` at the session start: no rotation yet, even rotating every block
        (GroupRotationInfo(10, 1, 10), 3, [0, 1, 2]),
        # `now` before the session start saturates to no rotation
        (GroupRotationInfo(50, 1, 10), 3, [0, 1, 2]),
    ],
)
def test_group_for_core_counts_rotations_since_the_session_start(
    info: GroupRotationInfo, n_cores: int, groups: list[int]
) -> None:
    assert [info.group_for_core(core, n_cores) for core in range(n_cores)] == groups
    assert [info.core_for_group(group, n_cores) for group in groups] == list(range(n_cores))


def test_with_no_cores_every_group_maps_to_core_zero() -> None:
    assert GroupRotationInfo(0, 5, 99).core_for_group(3, 0) == 0


@pytest.mark.parametrize(
    ("info", "last", "next_"),
    [
        # the session started at 11, rotating every 5 blocks: rotations at 11, 16, 21, ...
        (GroupRotationInfo(11, 5, 17), 16, 21),
        (GroupRotationInfo(11, 5, 16), 16, 21),
        (GroupRotationInfo(11, 5, 11), 11, 16),
        # a rotation every block: the last is now, the next the block after
        (GroupRotationInfo(11, 1, 17), 17, 18),
        # `now + frequency` lands on the session start: that block is the next rotation
        (GroupRotationInfo(10, 5, 5), 5, 10),
    ],
)
def test_last_and_next_rotation_follow_the_session_start_and_frequency(
    info: GroupRotationInfo, last: int, next_: int
) -> None:
    assert info.last_rotation_at() == last
    assert info.next_rotation_at() == next_


def test_without_rotation_the_last_and_next_rotation_are_now() -> None:
    info = GroupRotationInfo(11, 0, 17)
    assert (info.last_rotation_at(), info.next_rotation_at()) == (17, 17)
