# The `fragment_chain` vector family (shell/vectors/families/fragment_chain.py): scripts of
# seconded and backed candidates whose best chain, refusals and backable answers follow from the
# fragment chain's rules (pending candidates first, then the lowest-hash backed child, up to the
# chain's length; ancestors skipped from the front), the cases' shape and stability, and refusals
# of input off the schema.
from __future__ import annotations

import re

import pytest

from backable.shell.vectors.families.fragment_chain import (
    FAMILY,
    Made,
    X,
    Y,
    Z,
    block,
    h,
    made,
    made_where,
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

A, B, C = made(X, b"\x0a", b"\x0b"), made(Y, b"\x0b", b"\x0c"), made(Z, b"\x0c", b"\x0d")


def hx(candidate: Made) -> str:
    return "0x" + h(candidate).hex()


def ref(candidate: Made, parent: bytes) -> Json:
    return {"candidate_hash": hx(candidate), "scheduling_parent": "0x" + parent.hex()}


def answers(name: str) -> list[Json]:
    steps = expected_of(FAMILY, name)["steps"]
    assert isinstance(steps, list)
    return [s["answer"] for s in steps]  # type: ignore[index]


def test_three_backed_candidates_in_order_form_the_chain_and_are_backable() -> None:
    expected = expected_of(FAMILY, "chain-of-three-backed")
    assert expected["best_chain"] == [hx(A), hx(B), hx(C)]
    assert expected["unconnected"] == []
    assert expected["backable"] == [
        [ref(A, X.hash), ref(B, Y.hash), ref(C, Z.hash)],
        [ref(A, X.hash)],
        [],
    ]
    # The chain grows one backing at a time.
    steps = expected["steps"]
    assert isinstance(steps, list)
    assert [len(s["best_chain"]) for s in steps] == [0, 1, 1, 2, 2, 3]  # type: ignore[index]


def test_a_seconded_candidate_waits_unconnected_and_a_second_time_is_already_known() -> None:
    assert expected_of(FAMILY, "seconded-stays-unconnected")["unconnected"] == [
        {"candidate_hash": hx(A), "state": "Seconded"}
    ]
    assert answers("second-twice-is-already-known") == [
        {"added": True}, {"error": "CandidateAlreadyKnown"}
    ]


def test_the_chain_is_as_long_as_its_cores_allow_and_the_rest_waits() -> None:
    expected = expected_of(FAMILY, "length-limit-one")
    assert expected["best_chain"] == [hx(A)]
    assert expected["unconnected"] == sorted(
        ({"candidate_hash": hx(x), "state": "Backed"} for x in (B, C)),
        key=lambda e: e["candidate_hash"],
    )
    assert expected_of(FAMILY, "length-limit-zero")["best_chain"] == []


def test_between_two_backed_forks_the_lower_candidate_hash_wins() -> None:
    high = made_where(lambda x: x > h(A), X, b"\x0a", b"\xb1")
    low = made_where(lambda x: x < h(A), X, b"\x0a", b"\xb2")
    assert expected_of(FAMILY, "fork-choice-lowest-hash")["best_chain"] == [hx(low)]
    assert h(low) < h(high)
    assert answers("higher-hash-fork-refused")[-1] == {"error": "ForkChoiceRule"}


def test_each_refusal_is_named_by_its_rust_variant() -> None:
    for name, error in (
        ("relay-parent-below-the-minimum", {"error": "RelayParentNotInScope"}),
        ("scheduling-parent-out-of-scope", {"error": "SchedulingParentNotInScope"}),
        ("zero-length-cycle", {"error": "CandidateEntry::ZeroLengthCycle"}),
        ("validation-data-mismatch", {"error": "CandidateEntry::PersistedValidationDataMismatch"}),
        ("cycle-refused", {"error": "Cycle"}),
        ("multiple-paths-refused", {"error": "MultiplePaths"}),
        ("relay-parent-moved-backwards", {"error": "RelayParentMovedBackwards"}),
        ("outputs-break-the-constraints",
         {"error": "CheckAgainstConstraints", "validity": "OutputsInvalid"}),
        ("unconnected-held-to-its-commitments",
         {"error": "CheckAgainstConstraints", "validity": "ValidationCodeMismatch"}),
        ("fork-of-pending-refused", {"error": "ForkWithCandidatePendingAvailability"}),
        ("nothing-precedes-the-pending-relay-parent",
         {"error": "RelayParentPrecedesCandidatePendingAvailability"}),
    ):
        assert answers(name)[-1] == error, name


def test_the_emulators_budgets_and_code_rules_refuse_candidates() -> None:
    outputs = {"error": "CheckAgainstConstraints", "validity": "OutputsInvalid"}
    assert answers("hrmp-channel-budget") == [{"added": True}, None, outputs]
    assert answers("hrmp-channel-missing") == [outputs]
    assert answers("code-upgrade-restricted") == [
        {"error": "CheckAgainstConstraints", "validity": "CodeUpgradeRestricted"}
    ]
    assert answers("code-too-large") == [
        {"error": "CheckAgainstConstraints", "validity": "CodeSizeTooLarge"}
    ]
    # The upgrade applies with A (its relay parent reached block 1): after A, the new code.
    assert answers("future-code-takes-effect") == [
        {"added": True}, None, {"added": True},
        {"error": "CheckAgainstConstraints", "validity": "ValidationCodeMismatch"},
    ]


def test_constraints_and_steps_off_the_schema_are_named() -> None:
    data = dict(case_named(FAMILY, "hrmp-channel-budget").input)
    constraints = data["constraints"]
    assert isinstance(constraints, dict)
    for change, named in (
        ({"upgrade_restriction": "Absent"}, "input.constraints.upgrade_restriction"),
        ({"future_validation_code": {"number": 1}},
         "input.constraints.future_validation_code.code_hash"),
        ({"hrmp_channels_out": [{"recipient": 1, "bytes_remaining": 1, "messages_remaining": 1},
                                {"recipient": 1, "bytes_remaining": 2, "messages_remaining": 2}]},
         "input.constraints.hrmp_channels_out[1].recipient"),
        ({"valid_watermarks": [2, 1]}, "input.constraints"),
    ):
        bad = {**data, "constraints": {**constraints, **change}}
        with pytest.raises(VectorInputError, match=re.escape(named)):
            FAMILY.evaluate(bad)
    missing = {k: v for k, v in constraints.items() if k != "future_validation_code"}
    with pytest.raises(VectorInputError, match="future_validation_code: missing"):
        FAMILY.evaluate({**data, "constraints": missing})
    with pytest.raises(VectorInputError, match=re.escape("input.steps[0].op")):
        FAMILY.evaluate({**data, "steps": [{"op": "withdraw"}]})
    pending = case_named(FAMILY, "pending-first").input
    entry = pending["pending_availability"]
    assert isinstance(entry, list) and isinstance(entry[0], dict)
    wrong = {**entry[0], "persisted_validation_data": "0x00" + "00" * 40}
    with pytest.raises(VectorInputError, match=re.escape("input.pending_availability[0]")):
        FAMILY.evaluate({**pending, "pending_availability": [wrong]})


def test_a_pending_candidate_heads_the_chain_and_is_never_backable_itself() -> None:
    expected = expected_of(FAMILY, "pending-first")
    assert expected["best_chain"] == [hx(A), hx(B), hx(C)]
    # Without ancestors the chain starts with pending A: nothing. With A as an ancestor: B, C.
    assert expected["backable"] == [[], [ref(B, Y.hash), ref(C, Z.hash)]]
    assert expected_of(FAMILY, "all-pending")["backable"] == [[]]


def test_backing_a_lower_hash_fork_in_the_middle_rebuilds_the_chain_from_there() -> None:
    b_low = made_where(lambda x: x < h(B), Y, b"\x0b", b"\xc9")
    expected = expected_of(FAMILY, "backing-a-middle-fork-rebuilds")
    assert expected["best_chain"] == [hx(A), hx(b_low)]
    assert expected["unconnected"] == []


def test_ancestors_are_skipped_while_they_form_a_path_from_the_front() -> None:
    heads = [b"\xff", *(bytes([i]) for i in range(6))]
    six = [made(X, heads[i], heads[i + 1], 0) for i in range(6)]

    def refs(indices: range) -> list[Json]:
        return [ref(six[i], X.hash) for i in indices]

    assert expected_of(FAMILY, "ancestors-skipped-from-the-root")["backable"] == [
        [],  # count 0
        refs(range(5)),
        refs(range(6)),  # count 7, six there
        refs(range(4)),  # an unknown ancestor is ignored
        refs(range(4)),  # candidate 1 without 0 is off the path from the front
        refs(range(1, 5)),
        refs(range(4)),
        refs(range(3, 5)),  # 2, 0, 1 in any order
        refs(range(1, 4)),  # 0 then a gap at 1
        refs(range(2, 6)),
    ]
    assert expected_of(FAMILY, "only-connected-backed-candidates-are-backable")["backable"] == [
        refs(range(1)), refs(range(2))
    ]


def test_generated_scripts_use_blocks_with_their_own_hashes() -> None:
    # The scripts' relay blocks 0..3 are hashed 0x10..0x13 so that no boundary block is reused.
    scope = case_named(FAMILY, "generated-000").input["scheduling_scope"]
    assert scope == ["0x" + block(n, 0x10 + n).hash.hex() for n in range(4)]


def test_the_cases_are_well_formed_and_come_from_boundaries_and_seeded_draws() -> None:
    counts = check_well_formed(FAMILY, family_cases(FAMILY, False))
    assert counts["boundary"] >= 30 and counts["generated"] >= 50 and counts["chain"] == 0
    assert {c.profile for c in family_cases(FAMILY, False)} == {"network"}


def test_the_cases_are_the_same_every_time() -> None:
    check_deterministic(FAMILY)


def test_input_off_the_schema_is_refused_naming_the_field() -> None:
    check_off_schema_refused(FAMILY, case_named(FAMILY, "pending-first"))
