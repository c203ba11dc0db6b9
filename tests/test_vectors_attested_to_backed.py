# The `attested_to_backed` vector family (shell/vectors/families/attested_to_backed.py): the
# BackedCandidate bytes of hand-picked cases written out from the rule (votes by group position,
# one Lsb0 bit per member, the core's 8 bits appended on the network), the cases' shape and
# stability, and refusals of input off the schema.
from __future__ import annotations

import re

import pytest

from backable.core import encode
from backable.shell.vectors.families.attested_to_backed import FAMILY, C
from backable.shell.vectors.families.statement_table import signature
from backable.shell.vectors.family import VectorInputError
from tests.vector_family_checks import (
    case_named,
    check_deterministic,
    check_off_schema_refused,
    check_well_formed,
    expected_of,
    family_cases,
)

RECEIPT = encode(C).hex()


def implicit(v: int) -> str:
    return "01" + signature(v).hex()


def explicit(v: int) -> str:
    return "02" + signature(v).hex()


def test_core_5_after_positions_0_and_2_is_the_reference_example() -> None:
    # A group of 3, votes at positions 0 and 2, core 5: 11 bits 1,0,1 | 1,0,1,0,0,0,0,0 after
    # compact 11 = 0x2c. Bit i is bit i % 8 of byte i // 8: bits 0..7 = 1,0,1,1,0,1,0,0 give
    # 0x2d, bits 8..10 = 0,0,0 give 0x00.
    assert expected_of(FAMILY, "network-core-5-after-positions-0-and-2") == {
        "backed": "0x" + RECEIPT + "08" + implicit(10) + explicit(12) + "2c2d00"
    }


def test_votes_follow_group_positions_and_bits_mark_the_voters() -> None:
    # Group (5, 3, 1, 0, 2, 4); voters 1, 3, 5 sit at positions 2, 1, 0: the Implicit of 5
    # first, then 3, then 1; bits 1,1,1,0,0,0 = 0x07 after compact 6 = 0x18.
    assert expected_of(FAMILY, "votes-reordered-by-group-position") == {
        "backed": "0x" + RECEIPT + "0c" + implicit(5) + explicit(3) + explicit(1) + "1807"
    }


def test_a_ninth_member_sets_bit_0_of_a_second_byte() -> None:
    # Positions 3 and 8 of 9: compact 9 = 0x24, bytes 0b00001000 and 0b00000001.
    assert expected_of(FAMILY, "nine-member-group-spills-into-a-second-byte") == {
        "backed": "0x" + RECEIPT + "08" + implicit(3) + explicit(8) + "240801"
    }


def test_a_voter_outside_the_group_gives_no_backed_candidate() -> None:
    assert expected_of(FAMILY, "voter-outside-the-group-gives-nothing") == {"backed": None}
    assert expected_of(FAMILY, "network-core-index-with-voter-outside-the-group") == {
        "backed": None
    }


def test_core_255_fills_all_eight_appended_bits() -> None:
    # A group of 2, both voting: bits 1,1 then 255's eight ones: 10 bits, 0xff 0x03.
    assert expected_of(FAMILY, "network-core-255-the-largest") == {
        "backed": "0x" + RECEIPT + "08" + implicit(0) + explicit(1) + "28ff03"
    }


def test_the_cases_are_well_formed_and_come_from_boundaries_and_seeded_draws() -> None:
    counts = check_well_formed(FAMILY, family_cases(FAMILY, False))
    assert counts["boundary"] >= 15 and counts["generated"] >= 50
    profiles = {c.profile for c in family_cases(FAMILY, False)}
    assert profiles == {"seeds", "network"}


def test_the_cases_are_the_same_every_time() -> None:
    check_deterministic(FAMILY)


def test_a_voter_twice_a_member_twice_or_a_core_past_255_is_refused_by_name() -> None:
    data = case_named(FAMILY, "network-core-5-after-positions-0-and-2").input
    votes = data["validity_votes"]
    assert isinstance(votes, list)
    for change, named in (
        ({"validity_votes": [votes[0], votes[0]]}, "input.validity_votes[1].validator_index"),
        ({"group": [10, 11, 10]}, "input.group: a validator appears twice"),
        ({"group_id": 256}, "input.group_id"),
    ):
        with pytest.raises(VectorInputError, match=re.escape(named)):
            FAMILY.evaluate({**data, **change})


def test_input_off_the_schema_is_refused_naming_the_field() -> None:
    check_off_schema_refused(FAMILY, case_named(FAMILY, "network-core-5-after-positions-0-and-2"))
