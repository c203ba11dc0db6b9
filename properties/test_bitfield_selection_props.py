# Laws of bitfield selection (implementers' guide, "Provisioner"; the node's
# `select_availability_bitfields`) and of the availability check
# (`bitfields_indicate_availability`), both in polkadot@c4ee9d46 node/core/provisioner/src/lib.rs.
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backable.core import (
    OccupiedCore,
    SignedAvailabilityBitfield,
    availability_counts,
    bitfields_indicate_availability,
    cores_availability,
    select_availability_bitfields,
)
from properties.provisioner_strategies import cores_and_bitfields


def _valid(cores: tuple[object, ...], bf: SignedAvailabilityBitfield) -> bool:
    return len(bf.payload) == len(cores) and all(
        isinstance(cores[i], OccupiedCore) for i in bf.payload.iter_ones()
    )


@given(cores_and_bitfields())
def test_selection_keeps_the_first_fullest_valid_bitfield_of_each_validator_sorted(
    case: tuple[tuple[object, ...], tuple[SignedAvailabilityBitfield, ...], int],
) -> None:
    cores, fields, _ = case
    as_list = list(fields)
    got = select_availability_bitfields(cores, as_list)  # type: ignore[arg-type]
    assert as_list == list(fields)
    indices = [bf.validator_index for bf in got]
    assert indices == sorted(set(indices))
    expected = {}
    for bf in fields:
        if not _valid(cores, bf):
            continue
        cur = expected.get(bf.validator_index)
        if cur is None or bf.payload.count_ones() > cur.payload.count_ones():
            expected[bf.validator_index] = bf
    assert got == tuple(expected[v] for v in sorted(expected))
    assert all(any(bf is f for f in fields) for bf in got)


@given(cores_and_bitfields())
def test_selection_is_idempotent(
    case: tuple[tuple[object, ...], tuple[SignedAvailabilityBitfield, ...], int],
) -> None:
    cores, fields, _ = case
    once = select_availability_bitfields(cores, fields)  # type: ignore[arg-type]
    assert select_availability_bitfields(cores, once) == once  # type: ignore[arg-type]


@given(cores_and_bitfields())
def test_all_cores_at_once_agree_with_the_one_core_check(
    case: tuple[tuple[object, ...], tuple[SignedAvailabilityBitfield, ...], int],
) -> None:
    cores, fields, _ = case
    got = cores_availability(cores, fields)  # type: ignore[arg-type]
    counts = availability_counts(cores, fields)  # type: ignore[arg-type]
    for c, core in enumerate(cores):
        if isinstance(core, OccupiedCore):
            assert got[c] == bitfields_indicate_availability(c, fields, core.availability)
            if counts[c] is not None:
                assert counts[c] == sum(
                    1
                    for v in range(len(core.availability))
                    if core.availability[v]
                    or any(bf.validator_index == v and bf.payload.get(c) for bf in fields)
                )
        else:
            assert got[c] is False and counts[c] is None


@given(cores_and_bitfields(), st.data())
def test_adding_a_bitfield_from_a_known_validator_never_makes_a_core_unavailable(
    case: tuple[tuple[object, ...], tuple[SignedAvailabilityBitfield, ...], int],
    data: st.DataObject,
) -> None:
    cores, fields, n = case
    extra = data.draw(st.integers(0, (1 << len(cores)) - 1) if cores else st.just(0))
    from backable.core import BitVec

    new = SignedAvailabilityBitfield(
        BitVec(extra, len(cores)), data.draw(st.integers(0, n - 1)), bytes(64)
    )
    before = cores_availability(cores, fields)  # type: ignore[arg-type]
    after = cores_availability(cores, (*fields, new))  # type: ignore[arg-type]
    assert all(a for a, b in zip(after, before, strict=True) if b)
