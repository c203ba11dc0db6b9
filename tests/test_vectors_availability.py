# The `availability` vector family (shell/vectors/families/availability.py): hand-picked cases
# against counts worked out by hand from the seed's transverse check, the must-show that the
# chain cases reproduce the chain (each real block's per-core availability counts are the
# derived files'), the cases' shape and stability, and refusals of input off the schema.
from __future__ import annotations

import pytest

from backable.shell.vectors.families.availability import FAMILY
from backable.shell.vectors.family import VectorInputError
from tests.conftest import REAL_BLOCKS, load_derived
from tests.vector_family_checks import (
    case_named,
    check_deterministic,
    check_off_schema_refused,
    check_well_formed,
    expected_of,
    family_cases,
)


def _core(votes: int | None, available: bool) -> dict[str, object]:
    return {"votes": votes, "available": available}


@pytest.mark.parametrize(
    ("name", "cores"),
    [
        # 2 of 3: 6 >= 6 for the seed; the runtime needs 3 - 2 // 3 = 3.
        ("seeds-two-of-three-votes", [_core(2, True)]),
        ("network-two-of-three-votes", [_core(2, False)]),
        # 4 of 6 is 2/3 exactly: the seed yes, the runtime (6 - 5 // 3 = 5) no; 5 of 6 both.
        ("seeds-n-divisible-by-3-at-two-thirds", [_core(4, True)]),
        ("network-n-divisible-by-3-at-two-thirds", [_core(4, False)]),
        ("network-n-divisible-by-3-above-two-thirds", [_core(5, True)]),
        # Validator 0 on chain, 1, 2 and 5 vote: 4 of 6.
        ("seeds-chain-bits-count", [_core(4, True)]),
        # Validators 0 and 1 on chain, 1 votes again: still 2 of 3.
        ("network-chain-bit-and-vote-count-once", [_core(2, False)]),
        # A signer at index 3 of a 3-bit vector: the core is not available, whatever else.
        ("seeds-signer-outside-availability", [_core(None, False)]),
        # Index 3 fits the 4-bit core only: 2 votes there (3 and 0), of 4.
        ("seeds-signer-outside-one-core-only", [_core(None, False), _core(2, False)]),
        # Occupied "0000": 0, 1, 2 vote for core 0 (3 of 4); free; occupied "1000": 0 on chain
        # and 2 votes for core 2 (2 of 4); scheduled.
        ("seeds-scheduled-and-free-cores",
         [_core(3, True), _core(None, False), _core(2, False), _core(None, False)]),
        # The 1-bit bitfield of validator 2 says nothing about core 1.
        ("seeds-short-bitfield-sets-nothing", [_core(3, True), _core(1, False)]),
        ("seeds-several-bitfields-of-one-validator", [_core(2, True), _core(2, True)]),
        ("seeds-no-bitfields", [_core(1, True), _core(1, False), _core(2, True)]),
        # 0 of 0 holds; any signer is outside a zero-length vector.
        ("seeds-empty-availability-vector", [_core(0, True)]),
        ("network-empty-availability-vector-with-a-signer", [_core(None, False)]),
        ("seeds-no-cores", []),
    ],
)
def test_hand_picked_cases_match_counts_worked_by_hand(
    name: str, cores: list[dict[str, object]]
) -> None:
    assert expected_of(FAMILY, name) == {"cores": cores}


@pytest.mark.parametrize("number", REAL_BLOCKS)
def test_the_chain_cases_give_each_blocks_own_per_core_availability_counts(number: str) -> None:
    # The vectors reproduce the chain: the derived file's counts, core by core, under both
    # formulas; and availability follows each formula at the block's number of validators.
    derived = load_derived(number)
    cases = [c for c in family_cases(FAMILY, True) if c.source == "chain" and number in c.name]
    assert sorted(c.profile for c in cases) == ["network", "seeds"]
    n = derived["n_validators_lower_bound"]
    threshold = {"seeds": -(-2 * n // 3), "network": n - (n - 1) // 3}
    for case in cases:
        cores = case.expected["cores"]
        assert isinstance(cores, list)
        votes = [core["votes"] for core in cores]  # type: ignore[index]
        assert votes == derived["availability_votes_per_core"]
        assert [core["available"] for core in cores] == [  # type: ignore[index]
            v >= threshold[case.profile] for v in votes
        ]
        for c in derived.get("included_cores_from_events") or ():
            assert cores[c]["available"]  # type: ignore[index]


def test_the_cases_are_well_formed_and_stable() -> None:
    counts = check_well_formed(FAMILY, family_cases(FAMILY, True))
    assert counts["boundary"] >= 40 and counts["generated"] >= 40 and counts["chain"] == 12
    check_deterministic(FAMILY)


def test_a_signer_past_the_vectors_limit_is_off_the_schema() -> None:
    case = case_named(FAMILY, "seeds-lone-bitfield-of-validator-zero")
    far = "0x" + "0401" + (70_000).to_bytes(4, "little").hex() + "00" * 64
    with pytest.raises(VectorInputError, match=r"input.bitfields\[0\]: validator_index 70000"):
        FAMILY.evaluate({**case.input, "bitfields": [far]})
    with pytest.raises(VectorInputError, match=r"input.cores\[0\]: not a CoreState"):
        FAMILY.evaluate({**case.input, "cores": ["0x07"]})


def test_every_field_removed_or_mistyped_is_refused() -> None:
    check_off_schema_refused(FAMILY, case_named(FAMILY, "seeds-scheduled-and-free-cores"))
