# Dispute selection (core/provisioner/dispute_selection.py; implementers' guide, "Provisioner",
# "Dispute Statement Selection"; `select_disputes`, polkadot@247e4a73
# node/core/provisioner/src/disputes/prioritized_selection/mod.rs).
from __future__ import annotations

import pytest

from backable.core import (
    Active,
    ApprovalChecking,
    BackingSeconded,
    BackingValid,
    BitVec,
    CandidateReceipt,
    CandidateVotes,
    ConcludedAgainst,
    ConcludedFor,
    Confirmed,
    DisputeInputs,
    DisputeSelectionError,
    DisputeState,
    DisputeStatementSet,
    InvalidExplicit,
    ValidExplicit,
    select_disputes,
)
from properties.provisioner_strategies import ZERO32, descriptor, h32

NOW = 10_000
RP = h32(99)


def sig(v: int) -> bytes:
    return bytes([v % 256]) * 64


def votes(valid: dict[int, object], invalid: tuple[int, ...] = ()) -> CandidateVotes:
    return CandidateVotes(
        CandidateReceipt(descriptor(1), ZERO32),
        {v: (kind, sig(v)) for v, kind in valid.items()},
        {v: (InvalidExplicit(), sig(v)) for v in invalid},
    )


def key(n: int, session: int = 1) -> tuple[int, bytes]:
    return (session, h32(n))


def state(for_: str, against: str) -> DisputeState:
    return DisputeState(BitVec.from_str(for_), BitVec.from_str(against), 0)


def test_a_dispute_yields_valid_then_invalid_votes_each_by_validator_index() -> None:
    k = key(1)
    got = select_disputes(
        {k: Confirmed()}, {}, {k: votes({3: ValidExplicit(), 1: ApprovalChecking()}, (2, 0))}, NOW
    )
    assert got == (
        DisputeStatementSet(
            h32(1),
            1,
            (
                (ApprovalChecking(), 1, sig(1)),
                (ValidExplicit(), 3, sig(3)),
                (InvalidExplicit(), 0, sig(0)),
                (InvalidExplicit(), 2, sig(2)),
            ),
        ),
    )


def test_unconfirmed_disputes_unknown_on_chain_are_left_out() -> None:
    k = key(1)
    assert select_disputes({k: Active()}, {}, {k: votes({0: ValidExplicit()})}, NOW) == ()


def test_unconfirmed_disputes_known_on_chain_are_kept() -> None:
    k = key(1)
    got = select_disputes({k: Active()}, {k: state("0000", "0000")},
                          {k: votes({0: ValidExplicit()})}, NOW)
    assert got == (DisputeStatementSet(h32(1), 1, ((ValidExplicit(), 0, sig(0)),)),)


def test_a_dispute_without_votes_is_skipped() -> None:
    assert select_disputes({key(1): Confirmed()}, {}, {}, NOW) == ()


def test_inactive_disputes_concluded_on_chain_are_dropped_but_active_ones_kept() -> None:
    inactive, active = key(1), key(2)
    concluded = state("1110", "0000")  # 3 of 4 >= supermajority 3
    recent = {inactive: ConcludedFor(NOW - 181), active: ConcludedFor(NOW - 180)}
    got = select_disputes(recent, {inactive: concluded, active: concluded},
                          {k: votes({3: ValidExplicit()}) for k in (inactive, active)}, NOW)
    assert got == (DisputeStatementSet(h32(2), 1, ((ValidExplicit(), 3, sig(3)),)),)


def test_votes_the_chain_has_are_dropped_except_backing_votes() -> None:
    k = key(1)
    onchain = {k: state("1100", "0011")}
    cv = votes(
        {0: ValidExplicit(), 1: BackingSeconded(RP), 2: ValidExplicit(), 3: BackingValid(RP)},
        (0, 2, 3),
    )
    got = select_disputes({k: Active()}, onchain, {k: cv}, NOW)
    # valid 0: chain has it for -> drop; valid 1 backing -> keep; valid 2: chain has it against
    # -> keep (double vote proof); valid 3 backing -> keep; invalid 0: chain has it for -> keep;
    # invalid 2, 3: chain has them against -> drop.
    assert got == (
        DisputeStatementSet(
            h32(1),
            1,
            (
                (BackingSeconded(RP), 1, sig(1)),
                (ValidExplicit(), 2, sig(2)),
                (BackingValid(RP), 3, sig(3)),
                (InvalidExplicit(), 0, sig(0)),
            ),
        ),
    )


def test_a_double_vote_the_chain_already_knows_is_dropped() -> None:
    k = key(1)
    cv = votes({0: ValidExplicit()}, (0,))
    got = select_disputes({k: Active()}, {k: state("1", "1")}, {k: cv}, NOW)
    assert got == (DisputeStatementSet(h32(1), 1, ()),)


def test_the_cap_is_filled_in_priority_order_and_output_sorted() -> None:
    # priorities: a inactive unknown, b active unknown, c active unconcluded on chain
    a, b, c = key(3), key(2), key(1)
    recent = {a: ConcludedAgainst(NOW - 500), b: Confirmed(), c: Active()}
    onchain = {c: state("0000", "0000")}
    v = {a: votes({0: ValidExplicit(), 1: ValidExplicit()}),
         b: votes({0: ValidExplicit()}, (1,)),
         c: votes({2: ValidExplicit()})}
    full = select_disputes(recent, onchain, v, NOW)
    assert [d.candidate_hash for d in full] == [h32(1), h32(2), h32(3)]
    # 2 + 2 = 4 hits the cap exactly: a and b in, c (1 more vote) is not
    capped = select_disputes(recent, onchain, v, NOW, max_votes=4)
    assert [d.candidate_hash for d in capped] == [h32(2), h32(3)]
    # 3: a fits, b would pass the cap, and selection stops there (c is not tried)
    assert [d.candidate_hash for d in select_disputes(recent, onchain, v, NOW, max_votes=3)] == [
        h32(3)
    ]
    assert select_disputes(recent, onchain, v, NOW, max_votes=1) == ()


def test_output_is_sorted_by_session_then_candidate_hash() -> None:
    ks = [key(5, session=2), key(9, session=1), key(1, session=2)]
    got = select_disputes({k: Confirmed() for k in ks}, {},
                          {k: votes({0: ValidExplicit()}) for k in ks}, NOW)
    assert [(d.session, d.candidate_hash) for d in got] == [(1, h32(9)), (2, h32(1)), (2, h32(5))]


def test_a_negative_cap_is_the_callers_mistake() -> None:
    with pytest.raises(DisputeSelectionError, match="max_votes"):
        select_disputes({}, {}, {}, NOW, max_votes=-1)


def test_dispute_inputs_freeze_their_maps_and_refuse_non_mappings() -> None:
    inputs = DisputeInputs({key(1): Confirmed()}, now=5)
    assert inputs.recent == {key(1): Confirmed()} and inputs.onchain == {}
    with pytest.raises(DisputeSelectionError, match="onchain"):
        DisputeInputs(onchain=[])  # type: ignore[arg-type]


def test_each_priority_partition_is_filled_before_the_next() -> None:
    # One dispute per partition, the higher the priority the larger the key (so that sorting
    # within a partition would pick the other way), one vote each: a cap of n votes takes the
    # first n partitions.
    p0, p1, p2, p3, p4 = key(5), key(4), key(3), key(2), key(1)
    recent = {
        p0: ConcludedFor(NOW - 500),  # inactive, unknown on chain
        p1: ConcludedFor(NOW - 500),  # inactive, unconcluded on chain
        p2: Confirmed(),  # active, unknown on chain
        p3: Active(),  # active, unconcluded on chain
        p4: ConcludedFor(NOW - 10),  # active, concluded on chain
    }
    onchain = {p1: state("0000", "0000"), p3: state("0000", "0000"), p4: state("1110", "0000")}
    v = {k: votes({3: ValidExplicit()}) for k in recent}
    order = [p0, p1, p2, p3, p4]
    for cap in range(6):
        got = select_disputes(recent, onchain, v, NOW, max_votes=cap)
        assert [(d.session, d.candidate_hash) for d in got] == sorted(order[:cap])


def test_a_dispute_concluded_against_by_exactly_a_supermajority_on_chain_is_concluded() -> None:
    # Against 3 of 4 = supermajority 3: concluded, so the inactive dispute is dropped.
    k = key(1)
    got = select_disputes(
        {k: ConcludedAgainst(NOW - 500)}, {k: state("0000", "1110")},
        {k: votes({3: ValidExplicit()})}, NOW,
    )
    assert got == ()


def test_an_unconfirmed_dispute_does_not_stop_the_ones_after_it() -> None:
    unconfirmed, confirmed = key(1), key(2)
    got = select_disputes(
        {unconfirmed: Active(), confirmed: Confirmed()}, {},
        {k: votes({0: ValidExplicit()}) for k in (unconfirmed, confirmed)}, NOW,
    )
    assert got == (DisputeStatementSet(h32(2), 1, ((ValidExplicit(), 0, sig(0)),)),)


def test_a_dispute_without_votes_does_not_stop_the_ones_after_it() -> None:
    without, with_votes = key(1), key(2)
    got = select_disputes(
        {without: Confirmed(), with_votes: Confirmed()}, {},
        {with_votes: votes({0: ValidExplicit()})}, NOW,
    )
    assert got == (DisputeStatementSet(h32(2), 1, ((ValidExplicit(), 0, sig(0)),)),)


@pytest.mark.parametrize("cap", [True, "3", 2.0, None])
def test_a_cap_that_is_not_a_plain_int_is_the_callers_mistake(cap: object) -> None:
    with pytest.raises(DisputeSelectionError) as refused:
        select_disputes({}, {}, {}, NOW, max_votes=cap)  # type: ignore[arg-type]
    assert str(refused.value) == (
        f"select_disputes: max_votes must be a non-negative int, got {cap!r}"
    )
