# One relay block's inclusion step (core/today/inclusion.py): enactment in chain order, time-outs
# at the rotation boundary, committed and injected cores, the backing checks of
# `process_candidates` with each drop reason, Rust's disabled-vote indexing, the events in order
# and the next state. Real sr25519 keys throughout.
from __future__ import annotations

from dataclasses import replace

import pytest

from backable.core import (
    BitVec,
    CandidateBacked,
    CandidateIncluded,
    CandidateTimedOut,
    FreedCandidate,
    UnsupportedType,
    availability_timeout_check_required,
    include,
)
from backable.core.today import inclusion as inc
from backable.core.today import sanitize as s
from properties.today_strategies import (
    HEADS,
    NOW,
    back,
    bitfield,
    inherent,
    pending,
    receipt,
    state,
    v1_receipt,
)
from tests.builders import refusal

A = receipt(1000, HEADS[1000], b"a", core=0, relay_parent=NOW - 2)
B = receipt(1000, b"a", b"b", core=1, relay_parent=NOW - 2)
C = receipt(2000, HEADS[2000], b"c", core=2, relay_parent=NOW - 2)


def rules(outcome) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(d.index, d.rule) for d in outcome.dropped_candidates]


def two_pending(**kw: object) -> object:
    return state(
        pending={
            1000: (
                pending(A, 0, relay_parent_number=NOW - 2, group=2, **kw),  # type: ignore[arg-type]
                pending(B, 1, relay_parent_number=NOW - 2, group=0, **kw),  # type: ignore[arg-type]
            )
        }
    )


def votes(chain, bits: str, validators: range) -> tuple:  # type: ignore[no-untyped-def]
    return tuple(bitfield(chain, bits, v) for v in validators)


# -- availability ------------------------------------------------------------------------------


def test_an_available_candidate_waits_for_its_unavailable_predecessor() -> None:
    chain = two_pending()
    # Five of six validators (the supermajority 6 - 5 // 3) vote for core 1 only.
    out = include(chain, inherent(votes(chain, "010", range(5))))
    assert out.enacted == ()
    waiting = out.state.pending[1000]
    assert [p.hash for p in waiting] == [A.hash(), B.hash()]
    assert waiting[1].availability_votes == BitVec.from_str("111110")
    assert waiting[0].availability_votes == BitVec.zeros(6)
    assert out.state.para_heads[1000] == HEADS[1000]


def test_the_waiting_candidate_is_enacted_with_its_predecessor_in_chain_order() -> None:
    chain = include(two_pending(), inherent(votes(two_pending(), "010", range(5)))).state
    out = include(chain, inherent(votes(chain, "100", range(5))))
    assert out.enacted == (
        FreedCandidate(1000, A.hash(), 0),
        FreedCandidate(1000, B.hash(), 1),
    )
    assert [type(e) for e in out.events] == [CandidateIncluded, CandidateIncluded]
    assert [e.head_data for e in out.events] == [b"a", b"b"]
    assert [e.group_index for e in out.events] == [2, 0]
    assert 1000 not in out.state.pending
    assert out.state.para_heads[1000] == b"b"
    assert out.state.most_recent_context[1000] == NOW - 2


def test_four_votes_of_six_are_not_the_supermajority() -> None:
    chain = two_pending()
    out = include(chain, inherent(votes(chain, "110", range(4))))
    assert out.enacted == ()


# -- time-outs ---------------------------------------------------------------------------------


def test_a_candidate_backed_a_full_period_ago_times_out_at_the_start_of_a_rotation() -> None:
    # Rotation every 10 blocks from block 0, period 5: block 21 lies in the window 20..24, so
    # time-outs are checked at block 20; backed in 15, 15 + 5 <= 20 times out, with its
    # successor (backed later, in 19).
    chain = state(
        pending={
            1000: (
                pending(A, 0, relay_parent_number=NOW - 2, backed_in=15),
                pending(B, 1, relay_parent_number=NOW - 2, backed_in=19),
            )
        }
    )
    assert availability_timeout_check_required(chain)
    out = include(chain, inherent())
    assert out.timed_out == (FreedCandidate(1000, A.hash(), 0), FreedCandidate(1000, B.hash(), 1))
    assert [type(e) for e in out.events] == [CandidateTimedOut, CandidateTimedOut]
    assert out.events[0].core_index == 0 and out.events[0].head_data == b"a"
    assert out.state.pending == {}


def test_one_block_later_in_the_backing_the_candidate_lives_on() -> None:
    chain = state(pending={1000: (pending(A, 0, relay_parent_number=NOW - 2, backed_in=16),)})
    assert include(chain, inherent()).timed_out == ()


def test_past_the_first_period_of_a_rotation_nothing_times_out() -> None:
    # At block 24, block 25 is past the window 20..24: no check, however old the candidate.
    chain = state(
        now=24, pending={1000: (pending(A, 0, relay_parent_number=NOW - 2, backed_in=1),)}
    )
    assert not availability_timeout_check_required(chain)
    assert include(chain, inherent()).timed_out == ()
    at_23 = state(
        now=23, pending={1000: (pending(A, 0, relay_parent_number=NOW - 2, backed_in=1),)}
    )
    assert availability_timeout_check_required(at_23)
    assert len(include(at_23, inherent()).timed_out) == 1


# -- cores -------------------------------------------------------------------------------------


def test_a_committed_core_wins_over_an_injected_one() -> None:
    chain = state()
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0), 0, inject=1)
    out = include(chain, inherent(candidates=(bc,)))
    assert [(k.index, k.core) for k in out.candidates] == [(0, 0)]


def test_without_a_commitment_the_injected_core_is_taken_when_the_bits_fit_its_group() -> None:
    chain = state()
    v1 = v1_receipt(1000, HEADS[1000], b"n")
    out = include(chain, inherent(candidates=(back(chain, v1, 1),)))
    assert [(k.index, k.core) for k in out.candidates] == [(0, 1)]
    assert out.state.pending[1000][0].core == 1
    short = back(chain, v1, 1)
    short = replace(short, validator_indices=short.validator_indices.slice(1, 10))
    out = include(chain, inherent(candidates=(short,)))
    assert rules(out) == [(0, s.CANDIDATE_CORE_UNKNOWN)]


# -- backing (process_candidates) --------------------------------------------------------------


def test_bits_that_do_not_match_the_group_are_refused_and_reject_the_inherent() -> None:
    chain = state()
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0), 0)
    wide = replace(bc, validator_indices=BitVec.from_str("111").concat(BitVec(0, 8)))
    out = include(chain, inherent(candidates=(wide,)))
    assert rules(out) == [(0, inc.VALIDATOR_INDICES_GROUP)]
    assert out.rejects_inherent


def test_more_votes_than_set_bits_are_refused() -> None:
    chain = state()
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0), 0)
    one_bit = replace(bc, validator_indices=BitVec.from_str("10").concat(BitVec(0, 8)))
    out = include(chain, inherent(candidates=(one_bit,)))
    assert rules(out) == [(0, inc.VALIDATOR_INDICES_GROUP)]
    assert "2 votes for 1 set bits" in out.dropped_candidates[0].detail


def test_a_forged_backing_vote_is_refused_with_its_successors() -> None:
    chain = state()
    forged = back(chain, receipt(1000, HEADS[1000], b"a", core=0), 0, signers=(4, 0))
    after = back(chain, receipt(1000, b"a", b"b", core=1), 1)
    out = include(chain, inherent(candidates=(forged, after)))
    assert rules(out) == [(0, inc.BACKING_SIGNATURE), (1, s.CANDIDATE_PREDECESSOR_DROPPED)]
    assert out.events == ()


def test_one_vote_is_short_of_a_minimum_of_two() -> None:
    chain = state()
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0), 0, (1,))
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == [(0, inc.BACKING_THRESHOLD)]


def test_a_core_without_a_group_is_refused_when_processed() -> None:
    chain = state(groups=((0, 1), (2, 3)), n_validators=4)
    bc = back(chain, receipt(2000, HEADS[2000], b"n", core=2), 2)
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == [(0, inc.CANDIDATE_NO_BACKING_GROUP)]


GROUPS3 = ((0, 1, 2), (3, 4, 5), (6, 7, 8))


def test_disabled_votes_are_removed_by_bit_position_as_rust_does() -> None:
    # Group (6, 7, 8) backs core 0. Votes from positions 1 and 2 (validators 7 and 8); 7 is
    # disabled. Its bit is position 1, so Rust removes the vote at index 1, which is 8's (the
    # rank of 7's vote is 0): 7's vote stays, paired with 8's bit, and its signature fails.
    chain = state(n_validators=9, groups=GROUPS3, disabled=frozenset({7}), minimum_backing_votes=1)
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0), 0, (1, 2))
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == [(0, inc.BACKING_SIGNATURE)]
    assert "validator 8 (position 2)" in out.dropped_candidates[0].detail


def test_where_position_and_rank_agree_the_disabled_vote_goes_cleanly() -> None:
    chain = state(n_validators=9, groups=GROUPS3, disabled=frozenset({7}))
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0), 0)
    out = include(chain, inherent(candidates=(bc,)))
    (kept,) = out.candidates
    assert kept.candidate.validator_indices == BitVec.from_str("101").concat(BitVec(0, 8))
    assert kept.candidate.validity_votes == (bc.validity_votes[0], bc.validity_votes[2])
    assert out.state.pending[1000][0].backers == BitVec.from_indices(9, (6, 8))


# -- the whole step ----------------------------------------------------------------------------


def test_events_come_included_then_timed_out_then_backed_and_the_next_state_holds_them() -> None:
    chain = state(
        pending={
            1000: (pending(A, 0, relay_parent_number=NOW - 2, backed_in=15),),
            2000: (pending(C, 2, relay_parent_number=NOW - 2, backed_in=19, group=1),),
        }
    )
    fresh = back(chain, receipt(1000, HEADS[1000], b"n", core=0), 0)
    out = include(chain, inherent(votes(chain, "001", range(5)), (fresh,)))
    assert [type(e) for e in out.events] == [CandidateIncluded, CandidateTimedOut, CandidateBacked]
    assert out.enacted == (FreedCandidate(2000, C.hash(), 2),)
    assert out.timed_out == (FreedCandidate(1000, A.hash(), 0),)
    backed = out.events[2]
    assert (backed.core_index, backed.group_index, backed.head_data) == (0, 2, b"n")
    (new,) = out.state.pending[1000]
    assert (new.hash, new.core, new.backed_in_number, new.backing_group) == (
        fresh.hash(),
        0,
        NOW,
        2,
    )
    assert new.availability_votes == BitVec.zeros(6)
    assert new.backers == BitVec.from_indices(6, (4, 5))
    assert new.relay_parent_number == NOW - 1
    assert out.state.para_heads[2000] == b"c" and 2000 not in out.state.pending
    assert out.state.now == chain.now and out.state.claim_queue == chain.claim_queue


def test_the_same_state_accepts_again_exactly_what_it_kept() -> None:
    chain = state()
    candidates = (
        back(chain, receipt(1000, HEADS[1000], b"a", core=0), 0),
        back(chain, receipt(1000, b"a", b"b", core=1), 1),
    )
    first = include(chain, inherent(candidates=candidates))
    again = include(chain, inherent(candidates=tuple(k.candidate for k in first.candidates)))
    assert again.dropped_candidates == () and again.state == first.state


def test_include_refuses_arguments_of_the_wrong_type_naming_itself_and_the_value() -> None:
    with pytest.raises(UnsupportedType) as info:
        include("a state", inherent())  # type: ignore[arg-type]
    assert "include" in str(info.value) and "'a state'" in str(info.value)
    with pytest.raises(UnsupportedType) as info:
        include(state(), "an inherent")  # type: ignore[arg-type]
    assert "include" in str(info.value) and "'an inherent'" in str(info.value)
    short = frozenset({b"short"})
    assert refusal(lambda: include(state(), inherent(), short)) == (
        "include",
        "concluded_invalid",
        short,
        "must be a set of 32-byte hashes",
    )


# -- the rules at their edges ------------------------------------------------------------------


def test_availability_counts_only_the_validators_that_voted() -> None:
    # Validators 1 to 4 vote for core 0: four of six, short of five, whoever is missing.
    chain = two_pending()
    out = include(chain, inherent(votes(chain, "100", range(1, 5))))
    assert out.enacted == ()
    assert out.state.pending[1000][0].availability_votes == BitVec.from_str("011110")


def test_a_new_candidate_joins_the_back_of_its_paras_pending_chain() -> None:
    held = pending(A, 0, relay_parent_number=NOW - 2, group=2)
    chain = state(pending={1000: (held,)})
    bc = back(chain, receipt(1000, b"a", b"b", core=1), 1)
    out = include(chain, inherent(candidates=(bc,)))
    assert [p.hash for p in out.state.pending[1000]] == [A.hash(), bc.hash()]


def test_a_backing_failure_drops_the_rest_of_its_para_and_not_the_next_para() -> None:
    chain = state()
    forged = back(chain, receipt(1000, HEADS[1000], b"a", core=0), 0, signers=(4, 0))
    after = back(chain, receipt(1000, b"a", b"b", core=1), 1)
    other = back(chain, receipt(2000, HEADS[2000], b"c", core=2), 2)
    out = include(chain, inherent(candidates=(forged, after, other)))
    assert rules(out) == [(0, inc.BACKING_SIGNATURE), (1, s.CANDIDATE_PREDECESSOR_DROPPED)]
    assert "candidate 0" in out.dropped_candidates[1].detail
    assert [k.index for k in out.candidates] == [2]
    assert [p.hash for p in out.state.pending[2000]] == [other.hash()]


def test_the_backing_group_is_the_one_at_the_scheduling_parent_plus_one() -> None:
    # Relay parent 18: core 0 is served by group 1 = (2, 3) at block 19, by (4, 5) from 20.
    chain = state()
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0, relay_parent=NOW - 2), 0)
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == []
    (new,) = out.state.pending[1000]
    assert new.backing_group == 1
    assert new.backers == BitVec.from_indices(6, (2, 3))


@pytest.mark.parametrize(
    ("groups", "positions", "minimum", "kept"),
    [
        (GROUPS3, (0, 1), 3, False),
        (GROUPS3, (0, 1, 2), 3, True),
        (GROUPS3, (0, 1, 2), 5, True),
        (((0, 1), (2, 3), (4, 5)), (0,), 1, True),
    ],
)
def test_the_backing_threshold_is_the_lesser_of_group_size_and_minimum(
    groups: tuple[tuple[int, ...], ...], positions: tuple[int, ...], minimum: int, kept: bool
) -> None:
    chain = state(n_validators=sum(map(len, groups)), groups=groups, minimum_backing_votes=minimum)
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0), 0, positions)
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == ([] if kept else [(0, inc.BACKING_THRESHOLD)])


# -- the records -------------------------------------------------------------------------------

U32 = "must be an int in 0..2**32-1"


@pytest.mark.parametrize(
    ("field", "bad", "reason"),
    [
        ("para_id", -1, U32),
        ("candidate_hash", b"\x01" * 31, "must be 32 bytes"),
        ("core", 1 << 32, U32),
    ],
)
def test_a_freed_candidate_refuses_a_field_of_the_wrong_type_or_range(
    field: str, bad: object, reason: str
) -> None:
    fields: dict[str, object] = {"para_id": 1000, "candidate_hash": A.hash(), "core": 0}
    fields[field] = bad
    assert refusal(lambda: FreedCandidate(**fields)) == ("FreedCandidate", field, bad, reason)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("bitfields", "must be a tuple"),
        ("dropped_bitfields", "must be a tuple"),
        ("candidates", "must be a tuple"),
        ("dropped_candidates", "must be a tuple"),
        ("disputed", "must be a tuple"),
        ("enacted", "must be a tuple"),
        ("timed_out", "must be a tuple"),
        ("events", "must be a tuple"),
        ("state", "must be a ChainState"),
    ],
)
def test_an_inclusion_outcome_refuses_a_field_of_the_wrong_type(field: str, reason: str) -> None:
    out = include(state(), inherent())
    assert refusal(lambda: replace(out, **{field: 5})) == ("InclusionOutcome", field, 5, reason)
