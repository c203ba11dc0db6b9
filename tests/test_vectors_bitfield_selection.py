# The `bitfield_selection` vector family (shell/vectors/families/bitfield_selection.py):
# hand-picked cases against choices worked out by hand from the rule (length, occupied cores,
# strictly more ones, first seen on a tie, by validator index), the bytes of a kept bitfield
# spelled out, the real blocks' bitfields, and refusals of input off the schema.
from __future__ import annotations

import pytest

from backable.core import SignedAvailabilityBitfield, decode
from backable.shell.vectors.families.bitfield_selection import FAMILY
from tests.vector_family_checks import (
    case_named,
    check_deterministic,
    check_off_schema_refused,
    check_well_formed,
    expected_of,
    family_cases,
)


def _chosen(name: str) -> list[tuple[int, int]]:
    selected = expected_of(FAMILY, name)["selected"]
    assert isinstance(selected, list)
    return [(s["validator_index"], s["input_index"]) for s in selected]  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "chosen"),
    [
        # Arrival order validators 2, 0, 1: out by validator index.
        ("sorted-by-validator-index", [(0, 1), (1, 2), (2, 0)]),
        ("strictly-more-ones-wins-later", [(0, 1)]),
        ("strictly-more-ones-wins-earlier", [(0, 0)]),
        ("tie-keeps-first-seen", [(0, 0)]),
        ("tie-keeps-first-seen-reversed", [(0, 0)]),
        # The second copy of validator 1's bitfield is the same bytes: the first copy's index.
        ("identical-duplicates", [(0, 1), (1, 0)]),
        ("length-one-short-dropped", []),
        ("length-one-long-dropped", []),
        ("bit-on-free-core-dropped", [(1, 1)]),
        ("bit-on-scheduled-core-dropped", [(1, 1)]),
        # "1110" sets core 2, which is free: dropped in either order.
        ("invalid-with-more-ones-never-displaces-valid", [(0, 0)]),
        ("invalid-first-then-valid", [(0, 1)]),
        ("all-zero-kept", [(5, 0)]),
        ("no-cores-empty-bitfield-kept", [(1, 0)]),
        ("three-bitfields-of-one-validator", [(4, 1)]),
        # v2: 1, 2, then 3 ones; v1: 1 one, a tie, then one on the free core; v0 alone.
        ("mixed-validators-and-conflicts", [(0, 4), (1, 1), (2, 6)]),
        ("validator-index-u32-max", [(0, 1), (2**32 - 1, 0)]),
        ("no-bitfields", []),
    ],
)
def test_hand_picked_cases_match_choices_worked_by_hand(
    name: str, chosen: list[tuple[int, int]]
) -> None:
    assert _chosen(name) == chosen


def test_a_kept_bitfield_is_its_scale_bytes_in_hex() -> None:
    # bits 1000 (bit 0 first): compact length 4 = 0x10, Lsb0 byte 0x01; validator 0 as u32 LE;
    # the signature is 64 bytes of salt 1.
    (kept,) = expected_of(FAMILY, "tie-keeps-first-seen")["selected"]  # type: ignore[misc]
    assert kept == {"validator_index": 0, "input_index": 0,
                    "bitfield": "0x1001" + "00000000" + "01" * 64}


def test_the_real_blocks_bitfields_are_all_kept_over_occupied_cores() -> None:
    chain = {c.name: c for c in family_cases(FAMILY, True) if c.source == "chain"}
    assert len(chain) == 12
    for name, case in chain.items():
        bitfields = case.input["bitfields"]
        selected = case.expected["selected"]
        assert isinstance(bitfields, list) and isinstance(selected, list)
        if name.endswith("-all-occupied"):
            # The inherent's bitfields are sorted by validator: each is kept, in place.
            assert [s["input_index"] for s in selected] == list(range(len(bitfields)))  # type: ignore[index]
        else:
            decoded = [decode(SignedAvailabilityBitfield, bytes.fromhex(str(b)[2:]))
                       for b in bitfields]
            core = int(case.description.split("core ")[1].split()[0])
            kept = [i for i, b in enumerate(decoded) if not b.payload.get(core)]
            assert [s["input_index"] for s in selected] == kept  # type: ignore[index]
            assert 0 < len(kept) < len(bitfields)


def test_the_cases_are_well_formed_and_stable() -> None:
    counts = check_well_formed(FAMILY, family_cases(FAMILY, True))
    assert counts["boundary"] >= 20 and counts["generated"] >= 50 and counts["chain"] == 12
    assert {c.profile for c in family_cases(FAMILY, True)} == {"seeds"}
    check_deterministic(FAMILY)


def test_every_field_removed_or_mistyped_is_refused() -> None:
    check_off_schema_refused(FAMILY, case_named(FAMILY, "mixed-validators-and-conflicts"))
