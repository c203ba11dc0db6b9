# What the provisioner families share (shell/vectors/build.py): the formula parameter, the limit
# on signer indices, cases whose expected output is the family's own, and stand-in cores.
from __future__ import annotations

from collections.abc import Mapping

import pytest

from backable.core import (
    BitVec,
    SignedAvailabilityBitfield,
    availability_threshold_met,
    runtime_availability_threshold_met,
)
from backable.shell.vectors.build import (
    MAX_VALIDATOR_INDEX,
    check_signers,
    formula_field,
    make_case,
    stand_in_occupied,
    table,
)
from backable.shell.vectors.family import Case, Json, VectorInputError


def test_the_formula_parameter_names_one_of_the_two_thresholds() -> None:
    assert formula_field({"formula": "seeds"}) is availability_threshold_met
    assert formula_field({"formula": "network"}) is runtime_availability_threshold_met
    with pytest.raises(VectorInputError, match=r'input\.formula: expected "seeds" or "network",'
                                               r" got 'kusama'"):
        formula_field({"formula": "kusama"})
    with pytest.raises(VectorInputError, match=r"input\.formula: missing"):
        formula_field({})


def test_signers_past_the_limit_are_refused_naming_the_bitfield() -> None:
    ok = SignedAvailabilityBitfield(BitVec.zeros(1), MAX_VALIDATOR_INDEX, bytes(64))
    check_signers([ok], "bitfields")
    far = SignedAvailabilityBitfield(BitVec.zeros(1), MAX_VALIDATOR_INDEX + 1, bytes(64))
    with pytest.raises(VectorInputError, match=r"input.bitfields\[1\]: validator_index 65536"):
        check_signers([ok, far], "bitfields")


def test_a_made_case_expects_the_familys_own_output() -> None:
    def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
        return {"double": 2 * int(str(data["n"]))}

    assert make_case(evaluate, "n", "d", "boundary", "seeds", {"n": 4}) == Case(
        "n", "d", "boundary", "seeds", {"n": 4}, {"double": 8})


def test_a_stand_in_core_is_occupied_by_nobody_over_n_validators() -> None:
    core = stand_in_occupied(7, 300)
    assert core.availability == BitVec.zeros(300)
    assert (core.para_id, core.group_responsible) == (7, 7)
    assert core.next_up_on_available is None and core.next_up_on_time_out is None


def test_a_field_table_is_markdown_with_a_header() -> None:
    assert table(("`n`", "integer", "validators")) == (
        "| field | JSON type | meaning |\n| --- | --- | --- |\n| `n` | integer | validators |")
