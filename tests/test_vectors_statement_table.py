# The `statement_table` vector family (shell/vectors/families/statement_table.py): boundary cases
# checked against expectations written from the table's rules (generic.rs; the seed's Invalid),
# the cases' shape and stability, and refusals of input off the schema.
from __future__ import annotations

import re

import pytest

from backable.core import SignedStatement, encode
from backable.shell.vectors.families.statement_table import (
    A1,
    A2,
    FAMILY,
    candidate,
    invalid,
    seconded,
    signature,
    valid,
)
from backable.shell.vectors.family import Json, VectorInputError
from tests.vector_family_checks import (
    case_named,
    check_deterministic,
    check_off_schema_refused,
    check_well_formed,
    expected_of,
    family_cases,
)

H1 = "0x" + A1.hash().hex()


def vote(validator: int, kind: int, tag: int = 0) -> Json:
    # A ValidityAttestation: index 1 (Implicit, a Seconded's) or 2 (Explicit, a Valid's), then
    # the 64-byte signature.
    return {
        "validator_index": validator,
        "attestation": f"0x0{kind}{signature(validator, tag).hex()}",
    }


def statement(s: SignedStatement) -> str:
    return "0x" + encode(s).hex()


def summary(votes: int, group: int = 1000) -> Json:
    return {"candidate_hash": H1, "group_id": group, "validity_votes": votes}


def test_a_seconded_statement_alone_is_one_validity_vote_and_no_quorum() -> None:
    assert expected_of(FAMILY, "seconded-alone-is-one-vote") == {
        "summaries": [summary(1)],
        "attested": [],
        "misbehaviour": [],
    }


def test_votes_before_the_seconded_are_dropped_without_evidence() -> None:
    assert expected_of(FAMILY, "votes-before-the-seconded-are-dropped") == {
        "summaries": [None, None, summary(1)],
        "attested": [],
        "misbehaviour": [],
    }


def test_an_invalid_vote_gets_a_summary_but_does_not_count() -> None:
    assert expected_of(FAMILY, "invalid-is-a-vote-that-does-not-count")["summaries"] == [
        summary(1),
        summary(1),
    ]


def test_a_group_of_four_needs_three_votes_under_the_seeds_and_two_on_the_network() -> None:
    # Seeds: a majority, 4 // 2 + 1 = 3. Network: min(4, minimum_backing_votes = 2) = 2.
    h = "0x" + candidate(1000, 14).hash().hex()  # the quorum cases' candidate for a group of 4
    reached = expected_of(FAMILY, "quorum-seeds-group-of-4-reached")
    assert reached["attested"] == [
        {"candidate_hash": h, "group_id": 1000,
         "validity_votes": [vote(0, 1), vote(1, 2), vote(2, 2)]}
    ]
    assert expected_of(FAMILY, "quorum-seeds-group-of-4-missed")["attested"] == []
    network = expected_of(FAMILY, "quorum-network-group-of-4-reached")
    assert network["attested"] == [
        {"candidate_hash": h, "group_id": 1000, "validity_votes": [vote(0, 1), vote(1, 2)]}
    ]
    assert expected_of(FAMILY, "quorum-network-group-of-4-missed")["attested"] == []


def test_a_second_candidate_from_one_validator_is_multiple_candidates_evidence() -> None:
    assert expected_of(FAMILY, "multiple-candidates")["misbehaviour"] == [
        {
            "validator_index": 0,
            "kind": "MultipleCandidates",
            "statements": [statement(seconded(A1, 0)), statement(seconded(A2, 0, 1))],
        }
    ]


def test_the_seconded_signature_comes_first_in_issued_and_validity_whatever_arrived_first() -> None:
    expected = expected_of(FAMILY, "issued-and-validity-valid-first")
    assert expected["misbehaviour"] == [
        {
            "validator_index": 1,
            "kind": "ValidityDoubleVote::IssuedAndValidity",
            "statements": [statement(seconded(A1, 1, 2)), statement(valid(A1, 1, 1))],
        }
    ]
    # The Seconded that was evidence added no vote: validator 1's Valid stays.
    assert expected["summaries"][2] is None


def test_valid_then_invalid_and_invalid_then_valid_give_the_same_evidence_order() -> None:
    for name, first, second in (
        ("validity-and-invalidity-valid-first", valid(A1, 2, 1), invalid(A1, 2, 2)),
        ("validity-and-invalidity-invalid-first", valid(A1, 2, 2), invalid(A1, 2, 1)),
    ):
        assert expected_of(FAMILY, name)["misbehaviour"] == [
            {
                "validator_index": 2,
                "kind": "ValidityDoubleVote::ValidityAndInvalidity",
                "statements": [statement(first), statement(second)],
            }
        ]


def test_each_replayed_offence_is_recorded_once_in_detection_order() -> None:
    kinds = [
        (m["validator_index"], m["kind"])  # type: ignore[index]
        for m in expected_of(FAMILY, "misbehaviour-replayed-is-recorded-once")["misbehaviour"]
    ]
    assert kinds == [(0, "MultipleCandidates"), (3, "UnauthorizedStatement"),
                     (1, "DoubleSign::Validity")]


def test_every_kind_of_evidence_appears_in_the_boundary_cases() -> None:
    found = {
        m["kind"]  # type: ignore[index]
        for c in family_cases(FAMILY, False)
        if c.source == "boundary"
        for m in c.expected["misbehaviour"]  # type: ignore[union-attr]
    }
    assert found == {
        "MultipleCandidates",
        "UnauthorizedStatement",
        "ValidityDoubleVote::IssuedAndValidity",
        "ValidityDoubleVote::IssuedAndInvalidity",
        "ValidityDoubleVote::ValidityAndInvalidity",
        "DoubleSign::Seconded",
        "DoubleSign::Validity",
        "DoubleSign::Invalidity",
    }


def test_network_cases_carry_no_invalid_statement_and_no_repeated_statement() -> None:
    for case in family_cases(FAMILY, False):
        if case.profile != "network":
            continue
        statements = case.input["statements"]
        assert isinstance(statements, list)
        assert len(statements) == len(set(statements)), case.name
        # An Invalid statement is variant 3, the first byte of the signed statement.
        assert not any(str(s).startswith("0x03") for s in statements), case.name


def test_the_cases_are_well_formed_and_come_from_boundaries_and_seeded_draws() -> None:
    counts = check_well_formed(FAMILY, family_cases(FAMILY, False))
    assert counts["boundary"] >= 40 and counts["generated"] >= 60 and counts["chain"] == 0


def test_the_cases_are_the_same_every_time() -> None:
    check_deterministic(FAMILY)


def test_a_context_the_table_cannot_hold_is_refused_naming_the_field() -> None:
    data = dict(case_named(FAMILY, "network-seconder-group-is-its-core").input)
    groups = data["groups"]
    assert isinstance(groups, list)
    for change, named in (
        ({"groups": [*groups, groups[0]]}, "input.groups[2].group_id: group 0 given twice"),
        ({"groups": [{"group_id": 2**32, "validators": []}]}, "input.groups[0].group_id"),
        ({"groups": [{"group_id": 0, "validators": [2**32]}]}, "input.groups[0].validators[0]"),
        ({"seconder_groups": [{"validator_index": 1, "group_id": 0}] * 2},
         "input.seconder_groups[1].validator_index: 1 given twice"),
        ({"minimum_backing_votes": 0}, "input.minimum_backing_votes"),
    ):
        with pytest.raises(VectorInputError, match=re.escape(named)):
            FAMILY.evaluate({**data, **change})


def test_more_offences_by_one_validator_than_the_table_keeps_are_out_of_scope() -> None:
    # Nine different Seconded statements from validator 0, eight of them MultipleCandidates.
    statements = [statement(seconded(candidate(1000, 50 + i), 0)) for i in range(10)]
    data = {**case_named(FAMILY, "multiple-candidates").input, "statements": statements}
    with pytest.raises(VectorInputError, match="more than 8 misbehaviours by one validator"):
        FAMILY.evaluate(data)


def test_input_off_the_schema_is_refused_naming_the_field() -> None:
    check_off_schema_refused(FAMILY, case_named(FAMILY, "network-multiple-seconded-allowed"))
    check_off_schema_refused(FAMILY, case_named(FAMILY, "multiple-candidates"))
