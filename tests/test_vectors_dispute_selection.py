# The `dispute_selection` vector family (shell/vectors/families/dispute_selection.py):
# hand-picked cases against selections worked out by hand from the prioritised rule (which
# disputes are kept, their priority partitions, the votes the chain already has, the cap), one
# statement set's bytes spelled out, and refusals of input off the schema.
from __future__ import annotations

import pytest

from backable.shell.vectors.families.dispute_selection import FAMILY
from backable.shell.vectors.family import VectorInputError
from tests.vector_family_checks import (
    case_named,
    check_deterministic,
    check_off_schema_refused,
    check_well_formed,
    expected_of,
    family_cases,
)


def _h(n: int) -> str:
    return "0x" + n.to_bytes(32, "big").hex()


def _picked(name: str) -> list[tuple[int, str, list[int]]]:
    selected = expected_of(FAMILY, name)["selected"]
    assert isinstance(selected, list)
    return [(s["session"], s["candidate_hash"], s["validator_indices"])  # type: ignore[index]
            for s in selected]


@pytest.mark.parametrize(
    ("name", "picked"),
    [
        ("valid-then-invalid-each-by-validator-index", [(1, _h(1), [1, 3, 0, 2])]),
        ("unconfirmed-unknown-on-chain-left-out", []),
        ("unconfirmed-known-on-chain-kept", [(1, _h(1), [0])]),
        ("status-confirmed", [(1, _h(1), [1])]),
        ("status-concluded-against", [(1, _h(1), [1])]),
        ("no-votes-skipped", []),
        ("no-votes-does-not-stop-later-ones", [(1, _h(2), [0])]),
        # Concluded 181 s before now: inactive, and concluded on chain (3 of 4 for): dropped.
        ("inactive-181-seconds-concluded-on-chain-dropped", []),
        # Exactly 180 s: still active (t + 180 < now is false).
        ("active-at-exactly-180-seconds-kept", [(1, _h(1), [3])]),
        # For 0, 1 and against 2, 3 on chain. Valid 0: the chain has it for, drop; valid 1, 3
        # are backing votes, keep; valid 2: the chain has 2 against, keep (proof of a double
        # vote); invalid 0: the chain has 0 for, keep; invalid 2, 3: already against, drop.
        ("votes-on-chain-dropped-except-backing", [(1, _h(1), [1, 2, 3, 0])]),
        ("double-vote-known-on-chain-dropped-set-kept-empty", [(1, _h(1), [])]),
        ("every-valid-kind-no-chain-state", [(1, _h(1), [0, 1, 2, 3, 4, 5])]),
        ("every-valid-kind-all-voted-for-on-chain", [(1, _h(1), [1, 2, 5])]),
        ("every-valid-kind-all-voted-against-on-chain", [(1, _h(1), [0, 1, 2, 3, 4])]),
        ("chain-state-shorter-than-validator-index", [(1, _h(1), [5, 6])]),
        # Priorities: hash 3 (inactive, unknown: 2 votes), hash 2 (active, unknown: 2), hash 1
        # (active, on chain, unconcluded: 1); output by key.
        ("cap-uncapped-sorted", [(1, _h(1), [2]), (1, _h(2), [0, 1]), (1, _h(3), [0, 1])]),
        ("cap-hit-exactly", [(1, _h(2), [0, 1]), (1, _h(3), [0, 1])]),
        ("cap-one-over-stops", [(1, _h(3), [0, 1])]),
        ("cap-below-the-first", []),
        ("cap-exactly-the-total", [(1, _h(1), [2]), (1, _h(2), [0, 1]), (1, _h(3), [0, 1])]),
        ("cap-zero-takes-a-dispute-with-no-votes-left", [(1, _h(1), [])]),
        ("sorted-by-session-then-hash", [(1, _h(9), [0]), (2, _h(1), [0]), (2, _h(5), [0])]),
        ("one-candidate-in-two-sessions", [(2, _h(1), [0]), (3, _h(1), [0])]),
        ("against-exactly-a-supermajority-concludes", []),
        ("one-short-of-supermajority-not-concluded", [(1, _h(1), [3])]),
        # Zero validators on chain: a threshold of 0 is met, so both are concluded on chain;
        # the inactive one is dropped, the active one kept.
        ("empty-chain-state-is-concluded", [(1, _h(2), [0])]),
        ("concluded-at-now-zero", [(1, _h(1), [0])]),
        ("votes-for-a-dispute-not-recent-ignored", [(1, _h(1), [0])]),
        ("nothing", []),
    ],
)
def test_hand_picked_cases_match_selections_worked_by_hand(
    name: str, picked: list[tuple[int, str, list[int]]]
) -> None:
    assert _picked(name) == picked


@pytest.mark.parametrize("cap", range(6))
def test_each_priority_partition_is_filled_before_the_next(cap: int) -> None:
    # Hashes 5, 4, 3, 2, 1 are the partitions in priority order, one vote each.
    expected = sorted((1, _h(n), [3]) for n in (5, 4, 3, 2, 1)[:cap])
    assert _picked(f"priority-partitions-cap-{cap}") == expected


def test_a_statement_set_is_its_scale_bytes_in_hex() -> None:
    # candidate hash, session 1 (u32 LE), compact 4 = 0x10, then (statement, u32 index,
    # signature): Valid(ApprovalChecking) = 00 03 by 1, Valid(Explicit) = 00 00 by 3,
    # Invalid(Explicit) = 01 00 by 0 and by 2 (their signatures are bytes 100 + index).
    (chosen,) = expected_of(FAMILY, "valid-then-invalid-each-by-validator-index")["selected"]  # type: ignore[misc]
    assert chosen["statement_set"] == "0x" + "".join((  # type: ignore[index]
        _h(1)[2:], "01000000", "10",
        "0003", "01000000", "01" * 64,
        "0000", "03000000", "03" * 64,
        "0100", "00000000", "64" * 64,
        "0100", "02000000", "66" * 64,
    ))


def test_the_cases_are_well_formed_and_stable() -> None:
    cases = family_cases(FAMILY, True)
    counts = check_well_formed(FAMILY, cases)
    assert counts["boundary"] >= 30 and counts["generated"] >= 50 and counts["chain"] == 0
    assert {c.profile for c in cases} == {"network"}
    check_deterministic(FAMILY)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"max_votes": 2**32}, "input.max_votes: expected at most 4294967295"),
        ({"now": 2**64}, "input.now: expected at most"),
        ({"recent": [{"session": 1, "candidate_hash": "0x00", "status": "0x00"}]},
         r"input.recent\[0\].candidate_hash: expected 32 bytes, got 1"),
        ({"recent": [{"session": 2**32, "candidate_hash": _h(1), "status": "0x00"}]},
         r"input.recent\[0\].session: expected at most 4294967295"),
        ({"recent": [{"session": 1, "candidate_hash": _h(1), "status": "0x09"}]},
         r"input.recent\[0\].status: not a DisputeStatus"),
        ({"onchain": ["x"]}, r"input.onchain\[0\]: expected an object, got 'x'"),
        ({"recent": [{"session": 1, "candidate_hash": _h(1), "status": "0x03"}] * 2},
         r"input.recent\[1\]: a second entry for session 1, candidate 0x0+1"),
    ],
)
def test_input_off_the_schema_is_refused_naming_the_field(
    change: dict[str, object], message: str
) -> None:
    case = case_named(FAMILY, "status-confirmed")
    with pytest.raises(VectorInputError, match=message):
        FAMILY.evaluate({**case.input, **change})  # type: ignore[dict-item]


def test_every_field_removed_or_mistyped_is_refused() -> None:
    check_off_schema_refused(FAMILY, case_named(FAMILY, "votes-on-chain-dropped-except-backing"))
