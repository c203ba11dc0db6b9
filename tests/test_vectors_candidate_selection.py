# The `candidate_selection` vector family (shell/vectors/families/candidate_selection.py):
# hand-picked cases against choices worked out by hand from the rule (the assumption per core,
# time-out exactly at the block under production, one candidate per para, the code upgrade of
# the lowest core, the validation data's hash), and refusals of input off the schema.
from __future__ import annotations

import pytest

from backable.shell.vectors.families.candidate_selection import FAMILY
from backable.shell.vectors.family import VectorInputError
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
    return [(s["input_index"], s["para_id"]) for s in selected]  # type: ignore[index]


def _assumptions(name: str) -> list[tuple[int, str] | None]:
    found = expected_of(FAMILY, name)["assumptions"]
    assert isinstance(found, list)
    return [None if a is None else (a["para_id"], a["assumption"])  # type: ignore[index]
            for a in found]


@pytest.mark.parametrize(
    ("name", "assumptions", "chosen"),
    [
        ("scheduled-core-takes-free", [(5, "Free")], [(0, 5)]),
        ("available-core-takes-included", [(6, "Included")], [(0, 6)]),
        # Available, nothing next up on available: no fall-through to the time-out branch.
        ("available-without-next-up-does-not-fall-through", [None], []),
        ("time-out-exactly-at-the-block-under-production", [(7, "TimedOut")], [(0, 7)]),
        ("time-out-one-block-before", [None], []),
        ("time-out-one-block-after", [None], []),
        ("timed-out-with-nothing-next-up", [None], []),
        ("free-core-skipped", [None], []),
        # Candidate 0 is built on other data; 1 and 2 match: the first.
        ("first-matching-candidate-chosen", [(1, "Free")], [(1, 1)]),
        ("missing-validation-data-skips-the-core", [(1, "Free")], []),
        ("output-in-core-order", [(3, "Free"), None, (1, "Free"), (2, "Free")],
         [(2, 3), (0, 1), (1, 2)]),
        # 1 of 3 on chain plus one vote: 2 of 3, the seed includes, the runtime times out.
        ("seeds-two-of-three-available-for-the-seed-only", [(4, "Included")], [(0, 4)]),
        ("network-two-of-three-available-for-the-seed-only", [(5, "TimedOut")], [(1, 5)]),
        ("network-four-of-six-available-for-the-seed-only", [(5, "TimedOut")], [(1, 5)]),
        ("seeds-signer-outside-availability-makes-core-time-out", [(5, "TimedOut")], [(1, 5)]),
        ("two-cores-one-para-one-candidate", [(1, "Free"), (1, "TimedOut")], [(0, 1)]),
        # Paras 2, 3, 1 on cores 0, 1, 2; 1 and 2 carry code: core 0's (para 2) keeps it.
        ("two-code-upgrades-lowest-core-keeps", [(2, "Free"), (3, "Free"), (1, "Free")],
         [(1, 2), (2, 3)]),
        ("dropped-code-upgrade-para-takes-no-later-core",
         [(1, "Free"), (2, "Free"), (2, "TimedOut")], [(0, 1)]),
        ("dropped-code-upgrade-does-not-stop-later-cores",
         [(1, "Free"), (2, "Free"), (3, "Free")], [(0, 1), (2, 3)]),
        ("same-candidate-twice", [(1, "Free"), (1, "Free")], [(0, 1)]),
        ("available-but-only-time-out-data", [(4, "Included")], []),
        ("time-out-at-block-zero", [(7, "TimedOut")], [(0, 7)]),
        ("time-out-at-the-largest-block-number", [(7, "TimedOut")], [(0, 7)]),
        ("next-up-differs-from-occupying-para", [(4, "Included")], [(1, 4)]),
        ("seeds-empty-availability-vector-is-available", [(1, "Included")], [(0, 1)]),
        ("no-cores", [], []),
    ],
)
def test_hand_picked_cases_match_choices_worked_by_hand(
    name: str, assumptions: list[tuple[int, str] | None], chosen: list[tuple[int, int]]
) -> None:
    assert _assumptions(name) == assumptions
    assert _chosen(name) == chosen


def test_a_chosen_candidate_is_the_inputs_bytes() -> None:
    for case in family_cases(FAMILY, False):
        selected, candidates = case.expected["selected"], case.input["candidates"]
        assert isinstance(selected, list) and isinstance(candidates, list)
        for s in selected:
            assert s["backed_candidate"] == candidates[s["input_index"]]  # type: ignore[index]


def test_the_cases_are_well_formed_and_stable() -> None:
    cases = family_cases(FAMILY, True)
    counts = check_well_formed(FAMILY, cases)
    assert counts["boundary"] >= 30 and counts["generated"] >= 50 and counts["chain"] == 0
    assert sum(1 for c in cases if c.source == "generated" and c.expected["selected"]) >= 20
    check_deterministic(FAMILY)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([5], r"input.validation_data\[0\]: expected an object, got 5"),
        ([{"para_id": 1, "assumption": "Later", "data": "0x"}],
         r"input.validation_data\[0\].data: not a PersistedValidationData"),
        ([{"para_id": 1, "assumption": "Later"}],
         r"input.validation_data\[0\].data: missing"),
        ([{"para_id": 2**32, "assumption": "Free", "data": None}],
         r"input.validation_data\[0\].data: expected hex bytes"),
    ],
)
def test_validation_data_off_the_schema_names_the_entry(
    entries: list[object], message: str
) -> None:
    case = case_named(FAMILY, "scheduled-core-takes-free")
    with pytest.raises(VectorInputError, match=message):
        FAMILY.evaluate({**case.input, "validation_data": entries})  # type: ignore[dict-item]


def test_a_second_entry_for_one_para_and_assumption_is_refused() -> None:
    case = case_named(FAMILY, "scheduled-core-takes-free")
    entries = case.input["validation_data"]
    assert isinstance(entries, list)
    with pytest.raises(VectorInputError, match=r"validation_data\[1\]: a second entry for para 5,"
                                               " Free"):
        FAMILY.evaluate({**case.input, "validation_data": entries * 2})
    renamed = [{**entries[0], "assumption": "Later"}]  # type: ignore[dict-item]
    with pytest.raises(VectorInputError, match='assumption: expected "Included", "TimedOut"'):
        FAMILY.evaluate({**case.input, "validation_data": renamed})
    with pytest.raises(VectorInputError, match=r"input\.block_number: expected at most"):
        FAMILY.evaluate({**case.input, "block_number": 2**32})


def test_every_field_removed_or_mistyped_is_refused() -> None:
    check_off_schema_refused(FAMILY, case_named(FAMILY, "output-in-core-order"))
