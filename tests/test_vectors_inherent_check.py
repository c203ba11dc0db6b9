# The `inherent_check` vector family (shell/vectors/families/inherent_check.py): hand-picked
# inherents and the rules they break, written out from the provisioner's and the runtime's rules
# (the same findings tests/test_inherent_check.py asserts), the kept signatures the boundary cases
# need, the real blocks' own inherents (which break nothing), the cases' shape and stability, and
# refusals of input off the schema.
from __future__ import annotations

import re

import pytest

from backable.core import verify_signature
from backable.shell.vectors.families import inherent_check
from backable.shell.vectors.families.inherent_check import FAMILY, PUBLIC
from backable.shell.vectors.family import VectorInputError
from tests.vector_family_checks import (
    case_named,
    check_deterministic,
    check_off_schema_refused,
    check_well_formed,
    expected_of,
    family_cases,
)


def rules(name: str) -> list[tuple[str, int]]:
    problems = expected_of(FAMILY, name)["problems"]
    assert isinstance(problems, list)
    return [(p["rule"], p["index"]) for p in problems]  # type: ignore[call-overload, index]


def test_a_clean_inherent_breaks_nothing_with_every_check_on() -> None:
    assert rules("empty-inherent") == []
    assert rules("clean-with-every-check") == []


def test_bitfields_out_of_order_and_repeated_are_named_at_their_position() -> None:
    # Validators 2, 1, 2, 2: the 1 is below the 2 before it, the later 2s repeat it.
    assert rules("bitfields-unsorted-and-duplicate") == [
        ("bitfields-unsorted", 1), ("bitfield-duplicate", 2), ("bitfield-duplicate", 3)
    ]


def test_bitfield_lengths_follow_the_cores_or_else_the_first_bitfield() -> None:
    assert rules("bitfield-length-without-cores") == [("bitfield-length", 1),
                                                      ("bitfield-length", 2)]
    # Cores occupied, free, scheduled: 4 bits is the wrong length; 111 touches cores 1 and 2.
    assert rules("bitfield-length-and-unoccupied-core") == [("bitfield-length", 0),
                                                            ("bitfield-unoccupied-core", 1)]


def test_bitfield_signatures_need_keys_and_context_and_a_known_signer() -> None:
    assert rules("bitfield-signature-and-unknown-validator") == [
        ("bitfield-signature", 1), ("bitfield-unknown-validator", 2)
    ]
    assert rules("bitfield-signer-equal-to-the-validator-count") == [
        ("bitfield-unknown-validator", 1)
    ]
    assert rules("keys-without-context-check-no-signature") == []


def test_candidates_one_per_para_one_code_upgrade_in_core_order_each_with_a_core() -> None:
    assert rules("para-twice-and-second-code-upgrade") == [("code-upgrade-extra", 1),
                                                           ("candidate-para-duplicate", 2)]
    assert rules("candidates-out-of-core-order-and-without-core") == [
        ("candidates-core-order", 1), ("candidate-no-core", 2)
    ]
    assert rules("occupied-core-with-next-up-is-a-core") == []


def test_backing_is_checked_against_the_cores_group() -> None:
    assert rules("backing-votes-checked-against-the-group") == [
        ("backing-signature", 0), ("backing-signature", 0), ("backing-threshold", 1),
        ("validator-indices-group", 2), ("validator-indices-group", 3),
    ]
    assert rules("rotation-picks-the-group") == []
    assert rules("rotation-not-yet") == [("validator-indices-group", 0)]
    assert rules("group-member-past-the-validator-set") == [("backing-signature", 0)]
    assert rules("core-beyond-the-groups-has-an-empty-group") == [("validator-indices-group", 0)]
    assert rules("no-core-does-not-stop-the-next-check") == [("candidate-no-core", 0),
                                                             ("backing-threshold", 1)]


def test_one_vote_of_three_is_short_of_the_seeds_majority_but_not_of_a_minimum_of_one() -> None:
    assert rules("threshold-seeds-majority") == [("backing-threshold", 0)]
    assert rules("threshold-minimum-backing-votes") == []
    assert case_named(FAMILY, "threshold-minimum-backing-votes").profile == "network"


def test_an_injected_core_index_picks_the_core_when_it_fits_the_group() -> None:
    assert rules("injected-core-chooses-the-core") == [("candidate-para-duplicate", 1),
                                                       ("candidates-core-order", 1)]
    assert rules("injected-core-not-the-groups-size") == [("validator-indices-group", 0)]


def test_disputes_must_ascend_by_session_then_candidate_hash() -> None:
    assert rules("disputes-unsorted-and-duplicate") == [("disputes-unsorted", 1),
                                                        ("dispute-duplicate", 2)]


def test_everykept_signature_verifies_and_every_one_is_used() -> None:
    used: set[tuple[int, str]] = set()

    def sign(validator: int, payload: bytes) -> bytes:
        signature = inherent_check.kept_signature(validator, payload)
        assert verify_signature(payload, signature, PUBLIC[validator])
        used.add(inherent_check.signature_key(validator, payload))
        return signature

    inherent_check.boundary_cases(sign)
    assert used == set(inherent_check.KEPT_SIGNATURES)
    # Made afresh, the signatures differ (sr25519 is randomised) but are wanted for the same
    # signers and payloads.
    assert set(inherent_check.signatures_to_record()) == used


def test_the_real_blocks_own_inherents_break_nothing() -> None:
    chain = [c for c in family_cases(FAMILY, True) if c.source == "chain"]
    alone = [c for c in chain if c.name.endswith("-alone")]
    assert len(alone) == 6
    assert all(c.expected == {"problems": []} for c in alone)


def test_with_the_cores_their_bits_imply_only_the_seeds_core_order_flags_the_2024_block() -> None:
    chain = {c.name: c for c in family_cases(FAMILY, True) if c.source == "chain"}
    assert chain["chain-22939322-with-its-cores"].expected == {"problems": []}
    problems = chain["chain-22887036-with-its-cores"].expected["problems"]
    assert isinstance(problems, list) and problems
    assert {p["rule"] for p in problems} == {"candidates-core-order"}  # type: ignore[index]


def test_the_cases_are_well_formed_and_come_from_all_three_sources() -> None:
    counts = check_well_formed(FAMILY, family_cases(FAMILY, True))
    assert counts["boundary"] >= 20 and counts["generated"] >= 50 and counts["chain"] == 8


def test_the_cases_are_the_same_every_time() -> None:
    check_deterministic(FAMILY)


def test_a_key_that_is_not_32_bytes_of_hex_is_refused_by_position() -> None:
    data = case_named(FAMILY, "clean-with-every-check").input
    for key in ("0x12", "0x" + "zz" * 32, 7):
        with pytest.raises(VectorInputError, match=re.escape("input.validators[1]")):
            FAMILY.evaluate({**data, "validators": ["0x" + "00" * 32, key]})


def test_input_off_the_schema_is_refused_naming_the_field() -> None:
    check_off_schema_refused(FAMILY, case_named(FAMILY, "clean-with-every-check"))
    check_off_schema_refused(FAMILY, case_named(FAMILY, "rotation-picks-the-group"))
