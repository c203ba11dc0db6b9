# Laws of dispute selection (`select_disputes`, polkadot@247e4a73
# node/core/provisioner/src/disputes/prioritized_selection/mod.rs): it chooses what a model
# written from the rule's text chooses (which disputes, in which priority, which of their votes,
# where the cap stops it), the cap holds, output is sorted and unique, each statement set lists
# valid then invalid votes by validator index, and inputs are untouched. Every dispute statement
# kind is generated.
from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from backable.core import (
    Active,
    ApprovalChecking,
    ApprovalCheckingMultipleCandidates,
    BackingSeconded,
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


# Every valid kind a vote can have (an explicit vote, the two backing kinds, approval checking of
# one candidate and of several); the only invalid kind is the explicit one.
VALID_KIND = st.sampled_from(
    (
        ValidExplicit(),
        BackingSeconded(ZERO32),
        BackingValid(ZERO32),
        ApprovalChecking(),
        ApprovalCheckingMultipleCandidates((h32(1), h32(2))),
    )
)


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
            valid = {v: (draw(VALID_KIND), bytes([v]) * 64)
                     for v in draw(st.sets(st.integers(0, N - 1)))}
            invalid = {v: (InvalidExplicit(), bytes([v + 100]) * 64)
                       for v in draw(st.sets(st.integers(0, N)))}
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


# -- the model, from the rule's text ----------------------------------------------------------


def _supermajority(n: int) -> int:
    return 0 if n <= 0 else n - (n - 1) // 3


def _model(recent: Any, onchain: Any, votes: Any, now: int, cap: int) -> list[Any]:
    """Keep the coordinator's disputes that are confirmed or concluded, or known on chain.
    "Inactive": concluded more than 180 s before now. "Concluded on chain": a supermajority (of
    the number of validators) on either side. Priority: inactive and unknown on chain, inactive
    and unconcluded on chain, active and unknown, active and unconcluded on chain, active and
    concluded on chain; inactive and concluded on chain are never chosen. Each priority class in
    ascending (session, candidate) order. A dispute with no votes is skipped. For a dispute the
    chain knows, a vote already on chain for that validator's side is not sent again, a vote on
    the other side (a double vote) is, a validator on both sides already needs nothing, and
    backing votes are always sent. Stop at the first dispute that would pass the cap."""
    classes: dict[int, list[Any]] = {0: [], 1: [], 2: [], 3: [], 4: []}
    for key in sorted(recent):
        status, state = recent[key], onchain.get(key)
        confirmed_or_concluded = not isinstance(status, Active)
        if state is None and not confirmed_or_concluded:
            continue
        at = getattr(status, "at", None)
        inactive = at is not None and at + 180 < now
        if state is None:
            classes[0 if inactive else 2].append(key)
            continue
        n = len(state.validators_for)
        concluded = max(
            sum(state.validators_for), sum(state.validators_against)
        ) >= _supermajority(n)
        if not concluded:
            classes[1 if inactive else 3].append(key)
        elif not inactive:
            classes[4].append(key)
    chosen: list[Any] = []
    total = 0
    for c in range(5):
        for key in classes[c]:
            if key not in votes:
                continue
            state = onchain.get(key)
            sent = []
            for side, kinds in ((True, votes[key].valid), (False, votes[key].invalid)):
                for v in sorted(kinds):
                    kind, sig = kinds[v]
                    if state is not None and not isinstance(kind, BackingSeconded | BackingValid):
                        has_for = v < len(state.validators_for) and state.validators_for[v]
                        has_against = (
                            v < len(state.validators_against) and state.validators_against[v]
                        )
                        if has_for and has_against:
                            continue
                        if (has_for and side) or (has_against and not side):
                            continue
                    sent.append((kind, v, sig))
            if total + len(sent) > cap:
                return sorted(chosen, key=lambda d: d[0])
            chosen.append((key, tuple(sent)))
            total += len(sent)
    return sorted(chosen, key=lambda d: d[0])


@given(dispute_inputs())
def test_selection_chooses_what_the_rule_chooses(case: Any) -> None:
    recent, onchain, votes, now, cap = case
    got = select_disputes(recent, onchain, votes, now, cap)
    assert [((d.session, d.candidate_hash), d.statements) for d in got] == _model(
        recent, onchain, votes, now, cap
    )
