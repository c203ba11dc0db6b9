# Bitfield selection (core/provisioner/bitfield_selection.py; implementers' guide, "Provisioner";
# the node's `select_availability_bitfields`, polkadot@c4ee9d46 node/core/provisioner/src/lib.rs).
from __future__ import annotations

import pytest

from backable.core import BitVec, FreeCore, ScheduledCore, decode_paras_inherent_extrinsic
from backable.core import select_availability_bitfields as select
from properties.provisioner_strategies import bitfield, occupied
from tests.conftest import REAL_BLOCKS, inherent_bytes

OCC = occupied(BitVec.zeros(4))
CORES = (OCC, OCC, FreeCore(), OCC)


def test_one_bitfield_per_validator_sorted_by_validator_index() -> None:
    a, b, c = bitfield("1100", 2), bitfield("0001", 0), bitfield("1000", 1)
    assert select(CORES, [a, b, c]) == (b, c, a)


def test_the_bitfield_with_strictly_more_ones_wins() -> None:
    few, more = bitfield("1000", 0, salt=1), bitfield("1101", 0, salt=2)
    assert select(CORES, [few, more]) == (more,)
    assert select(CORES, [more, few]) == (more,)


def test_equal_popcounts_keep_the_first_seen() -> None:
    first, second = bitfield("1000", 0, salt=1), bitfield("0100", 0, salt=2)
    assert select(CORES, [first, second]) == (first,)
    assert select(CORES, [second, first]) == (second,)


@pytest.mark.parametrize("bits", ["110", "11000"])
def test_a_length_off_by_one_is_dropped(bits: str) -> None:
    assert select(CORES, [bitfield(bits, 0)]) == ()


def test_a_bit_on_a_free_or_scheduled_core_drops_the_bitfield() -> None:
    cores = (OCC, ScheduledCore(3), FreeCore())
    assert select(cores, [bitfield("010", 0), bitfield("001", 1), bitfield("100", 2)]) == (
        bitfield("100", 2),
    )


def test_an_invalid_bitfield_with_more_ones_never_displaces_a_valid_one() -> None:
    valid, invalid = bitfield("1000", 0), bitfield("1110", 0)
    assert select(CORES, [valid, invalid]) == (valid,)
    assert select(CORES, [invalid, valid]) == (valid,)


def test_all_zero_bitfields_are_kept_and_no_cores_accept_empty_bitfields() -> None:
    assert select(CORES, [bitfield("0000", 5)]) == (bitfield("0000", 5),)
    assert select((), [bitfield("", 1), bitfield("1", 2)]) == (bitfield("", 1),)


@pytest.mark.parametrize("number", REAL_BLOCKS)
def test_selecting_a_real_blocks_bitfields_with_every_core_occupied_returns_them(
    number: str,
) -> None:
    data = decode_paras_inherent_extrinsic(inherent_bytes(number))
    n_cores = len(data.bitfields[0].payload)
    cores = tuple(occupied(BitVec.zeros(len(data.bitfields))) for _ in range(n_cores))
    assert select(cores, data.bitfields) == data.bitfields
    assert select(cores, tuple(reversed(data.bitfields))) == data.bitfields
