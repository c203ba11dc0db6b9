# The `availability_threshold` vector family (shell/vectors/families/availability_threshold.py):
# hand-picked cases against values worked out by hand from the two formulas (the seed's
# 3 * ones >= 2 * n, the runtime's ones >= n - (n - 1) / 3), the chain cases against the derived
# files' supermajority, the cases' shape and stability, and refusals of input off the schema.
from __future__ import annotations

import pytest

from backable.shell.vectors.families.availability_threshold import FAMILY
from backable.shell.vectors.family import VectorInputError
from tests.conftest import load_derived
from tests.vector_family_checks import (
    case_named,
    check_deterministic,
    check_off_schema_refused,
    check_well_formed,
    expected_of,
    family_cases,
)


@pytest.mark.parametrize(
    ("name", "available", "minimum"),
    [
        # n = 3 is divisible by 3: the seed takes 2 votes (6 >= 6), the runtime 3 - 2 // 3 = 3.
        ("seeds-n3-divisible-by-3-at-threshold", True, 2),
        ("network-n3-divisible-by-3-one-below-threshold", False, 3),
        ("network-n3-divisible-by-3-at-threshold", True, 3),
        # n = 4: both need 3 (12 >= 8 but 6 < 8; 4 - 3 // 3 = 3).
        ("seeds-n4-one-below-threshold", False, 3),
        ("network-n4-at-threshold", True, 3),
        # n = 0: nothing needed, 0 of 0 holds under both.
        ("seeds-n0-none", True, 0),
        ("network-n0-none", True, 0),
        ("seeds-n1-none", False, 1),
        # 297 validators (Polkadot's bitfields in 2023-24): 198 against 297 - 296 // 3 = 199.
        ("seeds-n297-divisible-by-3-at-threshold", True, 198),
        ("network-n297-divisible-by-3-one-below-threshold", False, 199),
        # u32's largest n, 3 * 1431655765: 2/3 of it is 2863311530, the runtime one more.
        ("seeds-n4294967295-divisible-by-3-at-threshold", True, 2863311530),
        ("network-n4294967295-divisible-by-3-at-threshold", True, 2863311531),
    ],
)
def test_hand_picked_cases_match_the_formulas_worked_by_hand(
    name: str, available: bool, minimum: int
) -> None:
    assert expected_of(FAMILY, name) == {"available": available, "minimum_ones": minimum}


def test_the_profile_of_a_case_is_its_formula() -> None:
    for case in family_cases(FAMILY, False):
        assert case.profile == case.input["formula"]


def test_the_chain_cases_network_threshold_is_the_derived_files_supermajority() -> None:
    chain = [c for c in family_cases(FAMILY, True) if c.source == "chain"]
    assert len(chain) == 12
    for case in chain:
        number = case.name.split("-")[1]
        derived = load_derived(number)
        assert case.input["n"] == derived["n_validators_lower_bound"]
        if case.profile == "network":
            assert case.expected["minimum_ones"] == (
                derived["supermajority_threshold_if_n_equals_lower_bound"])


def test_the_cases_are_well_formed_and_stable() -> None:
    counts = check_well_formed(FAMILY, family_cases(FAMILY, True))
    assert counts["boundary"] >= 50 and counts["generated"] >= 50 and counts["chain"] == 12
    check_deterministic(FAMILY)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"formula": "seeds", "n": 3, "ones": 4}, "input.ones: expected at most n (3), got 4"),
        ({"formula": "seeds", "n": 2**32, "ones": 0}, "input.n: expected at most 4294967295"),
        ({"formula": "third", "n": 3, "ones": 0}, 'input.formula: expected "seeds" or'),
        ({"formula": "seeds", "n": -1, "ones": 0}, "input.n: expected at least 0, got -1"),
        ({"formula": "seeds", "n": 3, "ones": True}, "input.ones: expected an integer"),
    ],
)
def test_input_off_the_schema_is_refused_naming_the_field(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(VectorInputError) as refused:
        FAMILY.evaluate(data)  # type: ignore[arg-type]
    assert str(refused.value).startswith(message)


def test_every_field_removed_or_mistyped_is_refused() -> None:
    check_off_schema_refused(FAMILY, case_named(FAMILY, "seeds-n3-divisible-by-3-at-threshold"))
