# The seed's transverse 2/3 availability check (core/provisioner/availability.py).
from __future__ import annotations

import pytest

from backable.core import (
    BitVec,
    FreeCore,
    ScheduledCore,
    availability_counts,
    availability_threshold_met,
    bitfields_indicate_availability,
    cores_availability,
    decode_paras_inherent_extrinsic,
    runtime_availability_threshold_met,
)
from properties.provisioner_strategies import bitfield, occupied
from tests.conftest import REAL_BLOCKS, inherent_bytes, load_derived


def test_bits_of_the_core_are_ored_into_a_copy_of_its_availability() -> None:
    avail = BitVec.from_str("100000")  # validator 0 already on chain
    fields = [bitfield("01", 1), bitfield("01", 2), bitfield("10", 3)]
    # core 1: validators 0 (chain), 1, 2 -> 3 of 6 < 2/3
    assert not bitfields_indicate_availability(1, fields, avail)
    fields.append(bitfield("01", 5))
    # 4 of 6 = 2/3 exactly
    assert bitfields_indicate_availability(1, fields, avail)
    assert avail == BitVec.from_str("100000")


def test_a_signer_outside_the_availability_vector_makes_the_core_unavailable() -> None:
    avail = BitVec.ones(3)
    assert bitfields_indicate_availability(0, [], avail)
    assert not bitfields_indicate_availability(0, [bitfield("1", 3)], avail)


def test_the_runtime_switch_refuses_two_of_three() -> None:
    avail = BitVec.from_str("110")
    assert bitfields_indicate_availability(0, [], avail)
    assert not bitfields_indicate_availability(
        0, [], avail, threshold=runtime_availability_threshold_met
    )


def test_counts_for_all_cores_match_the_one_core_check() -> None:
    cores = (
        occupied(BitVec.from_str("0000")),
        FreeCore(),
        occupied(BitVec.from_str("1000")),
        ScheduledCore(7),
    )
    fields = (bitfield("1010", 0), bitfield("1000", 1), bitfield("1010", 2), bitfield("0010", 2))
    assert availability_counts(cores, fields) == (3, None, 2, None)
    assert cores_availability(cores, fields) == (True, False, False, False)
    for c, core in enumerate(cores):
        if c in (0, 2):
            assert cores_availability(cores, fields)[c] == bitfields_indicate_availability(
                c, fields, core.availability  # type: ignore[union-attr]
            )


def test_counts_ignore_bits_beyond_the_cores_and_mark_short_availability_unknown() -> None:
    cores = (occupied(BitVec.zeros(2)), occupied(BitVec.zeros(4)))
    fields = (bitfield("111", 0), bitfield("01", 3))
    assert availability_counts(cores, fields) == (None, 2)
    assert availability_counts((), fields) == ()
    assert availability_counts(cores, ()) == (0, 0)


@pytest.mark.parametrize("number", REAL_BLOCKS)
def test_real_block_bitfields_give_the_derived_per_core_counts(number: str) -> None:
    derived = load_derived(number)
    data = decode_paras_inherent_extrinsic(inherent_bytes(number))
    n_cores = derived["n_cores_from_bitfield_length"]
    n_validators = derived["n_validators_lower_bound"]
    cores = tuple(occupied(BitVec.zeros(n_validators)) for _ in range(n_cores))
    counts = availability_counts(cores, data.bitfields)
    assert list(counts) == derived["availability_votes_per_core"]
    expected = tuple(availability_threshold_met(k, n_validators) for k in counts if k is not None)
    assert cores_availability(cores, data.bitfields) == expected
    # The cores the chain's events say were included all count as available here too.
    for c in derived.get("included_cores_from_events") or ():
        assert expected[c]
    for c in range(n_cores):
        assert expected[c] == bitfields_indicate_availability(
            c, data.bitfields, BitVec.zeros(n_validators)
        )


def test_a_lone_bitfield_from_validator_zero_counts() -> None:
    core = occupied(BitVec.zeros(1))
    assert availability_counts([core], [bitfield("1", 0)]) == (1,)
    assert cores_availability([core], [bitfield("1", 0)]) == (True,)


def test_without_bitfields_a_core_counts_its_own_availability_bits() -> None:
    cores = [occupied(BitVec.from_str("1")), occupied(BitVec.from_str("01")), ScheduledCore(1)]
    assert availability_counts(cores, []) == (1, 1, None)
    assert cores_availability(cores, []) == (True, False, False)
