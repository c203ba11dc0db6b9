# The provisioner's request to today's backing (core/backing/async_backable.py):
# `get_backed_candidate_preserves_order` of polkadot-sdk@013cd85d
# polkadot/node/core/backing/src/tests/mod.rs, re-expressed: per para in the requested order,
# each candidate from the job of its scheduling parent, a para's list ending at its first miss
# (an unknown parent, an unknown hash, a candidate short of its quorum).
from __future__ import annotations

from backable.core import (
    AsyncBackingJobState,
    BackableCandidateRef,
    BackedCandidate,
    BitVec,
    ClaimQueue,
    GetBackableCandidates,
    Implicit,
    ReplyBackableCandidates,
    Seconded,
    SecondedCandidateIntroduced,
    SignedStatement,
    async_backing_step,
    backable_candidate,
    get_backable_candidates,
)
from backable.core.backing.events import ReceiveStatement
from backable.core.records.candidate import CommittedCandidateReceipt
from properties.backing_strategies import fake, fake_signature
from tests.async_builders import PARENT, candidate, job, setup

A, PVD_A, _ = candidate(1, b"head a")
B, PVD_B, _ = candidate(1, b"head b", b"head a")
C, PVD_C, _ = candidate(2, b"head c")
HA, HB, HC = A.hash(), B.hash(), C.hash()


def seconded(c: CommittedCandidateReceipt, v: int) -> SignedStatement:
    return fake(Seconded(c), v)


def refs(*pairs: tuple[bytes, bytes]) -> tuple[BackableCandidateRef, ...]:
    return tuple(BackableCandidateRef(h, parent) for h, parent in pairs)


def ask(
    jobs: dict[bytes, AsyncBackingJobState],
    *requested: tuple[int, tuple[BackableCandidateRef, ...]],
) -> ReplyBackableCandidates:
    return get_backable_candidates(jobs, GetBackableCandidates("req", requested))


def core_bits(group_bits: str, core: int) -> BitVec:
    return BitVec.from_str(group_bits + "".join("1" if core >> i & 1 else "0" for i in range(8)))


def _run(state: AsyncBackingJobState, *events: object) -> AsyncBackingJobState:
    for event in events:
        state, _ = async_backing_step(state, event)  # type: ignore[arg-type]
    return state


def _three_cores() -> AsyncBackingJobState:
    # get_backed_candidate_preserves_order: groups [2], [1], [3]; para 1 on cores 0 and 1,
    # para 2 on core 2; quorum min(1, 2) = 1, so each Seconded backs its candidate.
    world = setup(groups=((2,), (1,), (3,)), claims=ClaimQueue({0: (1,), 1: (1,), 2: (2,)}))
    return _run(
        job(validator_index=None, world=world),
        ReceiveStatement(seconded(A, 2), PVD_A),
        SecondedCandidateIntroduced(HA, True),
        ReceiveStatement(seconded(B, 1), PVD_B),
        SecondedCandidateIntroduced(HB, True),
        ReceiveStatement(seconded(C, 3), PVD_C),
        SecondedCandidateIntroduced(HC, True),
    )


def test_get_backable_candidates_answers_each_para_in_the_requested_order() -> None:
    jobs = {PARENT: _three_cores()}
    reply = ask(jobs, (1, refs((HA, PARENT), (HB, PARENT))), (2, refs((HC, PARENT))))
    assert [(para, [b.hash() for b in found]) for para, found in reply.candidates] == [
        (1, [HA, HB]),
        (2, [HC]),
    ]
    assert [b.validator_indices for b in reply.candidates[0][1]] == [
        core_bits("1", 0),
        core_bits("1", 1),
    ]


def test_get_backable_candidates_stops_a_para_at_its_first_miss() -> None:
    jobs = {PARENT: _three_cores()}
    unknown_parent, unknown_hash = b"\x09" * 32, b"\x09" * 32
    for first in (
        refs((HA, unknown_parent), (HB, PARENT)),
        refs((unknown_hash, PARENT), (HB, PARENT)),
    ):
        reply = ask(jobs, (1, first), (2, refs((HC, PARENT))))
        assert [(para, len(found)) for para, found in reply.candidates] == [(2, 1)]
    for second in (
        refs((HA, PARENT), (HB, unknown_parent)),
        refs((HA, PARENT), (unknown_hash, PARENT)),
    ):
        reply = ask(jobs, (1, second), (2, refs((HC, PARENT))))
        assert [(para, [b.hash() for b in found]) for para, found in reply.candidates] == [
            (1, [HA]),
            (2, [HC]),
        ]


def test_a_candidate_short_of_its_quorum_is_not_backable() -> None:
    state = _run(
        job(), ReceiveStatement(seconded(A, 2), PVD_A), SecondedCandidateIntroduced(HA, True)
    )
    assert backable_candidate(state, HA) is None
    assert ask({PARENT: state}, (1, refs((HA, PARENT)))) == ReplyBackableCandidates("req", ())


def test_a_backed_candidate_carries_its_votes_in_group_order_and_its_core() -> None:
    state = _three_cores()
    assert backable_candidate(state, HB) == BackedCandidate(
        B, (Implicit(fake_signature(1)),), core_bits("1", 1)
    )
    assert backable_candidate(state, b"\x09" * 32) is None
