# Laws of dispute selection (`select_disputes`, polkadot@247e4a73
# node/core/provisioner/src/disputes/prioritized_selection/mod.rs): the cap holds, output is
# sorted and unique, each statement set lists valid then invalid votes by validator index, and
# inputs are untouched.
from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from backable.core import (
    Active,
    BackingValid,
    BitVec,
    CandidateReceipt,
    CandidateVotes,
    ConcludedAgainst,
    ConcludedFor,
    Confirmed,
    DisputeState,
    InvalidExplicit,
    ValidExplicit,
    select_disputes,
)
from properties.provisioner_strategies import ZERO32, descriptor, h32

N = 6
STATUS = st.sampled_from((Active(), Confirmed())) | st.builds(
    ConcludedFor, st.integers(0, 1000)
) | st.builds(ConcludedAgainst, st.integers(0, 1000))


@st.composite
def dispute_inputs(draw: Any) -> tuple[Any, ...]:
    keys = draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 5).map(h32)), unique=True,
                         max_size=8))
    recent, onchain, votes = {}, {}, {}
    for k in keys:
        recent[k] = draw(STATUS)
        if draw(st.booleans()):
            onchain[k] = DisputeState(BitVec(draw(st.integers(0, 2**N - 1)), N),
                                      BitVec(draw(st.integers(0, 2**N - 1)), N), 0)
        if draw(st.integers(0, 4)):
            valid = {v: (draw(st.sampled_from((ValidExplicit(), BackingValid(ZERO32)))), bytes(64))
                     for v in draw(st.sets(st.integers(0, N - 1)))}
            invalid = {v: (InvalidExplicit(), bytes(64)) for v in draw(st.sets(st.integers(0, N)))}
            votes[k] = CandidateVotes(CandidateReceipt(descriptor(1), ZERO32), valid, invalid)
    return recent, onchain, votes, draw(st.integers(0, 1400)), draw(st.integers(0, 40))


@given(dispute_inputs())
def test_output_respects_the_cap_and_is_sorted_and_inputs_are_untouched(case: Any) -> None:
    recent, onchain, votes, now, cap = case
    snapshot = (dict(recent), dict(onchain), dict(votes))
    got = select_disputes(recent, onchain, votes, now, cap)
    assert (recent, onchain, votes) == snapshot
    assert sum(len(d.statements) for d in got) <= cap
    keys = [(d.session, d.candidate_hash) for d in got]
    assert keys == sorted(set(keys))
    for d in got:
        assert (d.session, d.candidate_hash) in votes
        valid = [v for s, v, _ in d.statements if s.is_valid]
        invalid = [v for s, v, _ in d.statements if not s.is_valid]
        assert [s.is_valid for s, _, _ in d.statements] == [True] * len(valid) + [False] * len(
            invalid
        )
        assert valid == sorted(valid) and invalid == sorted(invalid)


@given(dispute_inputs())
def test_a_larger_cap_never_selects_fewer_disputes(case: Any) -> None:
    recent, onchain, votes, now, cap = case
    small = select_disputes(recent, onchain, votes, now, cap)
    large = select_disputes(recent, onchain, votes, now, cap + 5)
    assert set(small) <= set(large)
