# Today's candidate selection (core/provisioner/async_selection.py). The cores of
# `mock_availability_cores_one_per_para` and `..._multiple_per_para` in polkadot-sdk@0b38109e
# polkadot/node/core/provisioner/src/tests.rs are rebuilt here with the same numbering (para n on
# core n, candidate hashes 41, 71, 121, ... as there), with no bitfields: an occupied core is
# available when its own availability vector is all ones. Then the merge: elastic scaling, several
# cores for one para, chain order, backing's answer cut at a miss, one code upgrade.
from __future__ import annotations

from collections.abc import Callable

import pytest

from backable.core import (
    AncestorState,
    BackableCandidateRef,
    BackableRequest,
    BackedCandidate,
    BitVec,
    CandidateReceipt,
    CandidateVotes,
    Confirmed,
    DisputeInputs,
    DisputeStatementSet,
    FreeCore,
    Implicit,
    LengthMismatch,
    OccupiedCore,
    ProvisionerInherentData,
    ScheduledCore,
    SignedAvailabilityBitfield,
    ValidExplicit,
    assemble_async_inherent_data,
    backable_requests,
    cores_availability,
    runtime_availability_threshold_met,
    select_backable_candidates,
)
from backable.core.records.cores import AnyCoreState
from tests.async_builders import PARENT, candidate
from tests.builders import descriptor, refusal

BLOCK = 10  # the block under production
N = 4  # validators


def h(n: int) -> bytes:
    return n.to_bytes(32, "big")


def occupied(
    para: int,
    *,
    available: bool = False,
    timed_out: bool = False,
    on_available: int | None = None,
    on_time_out: int | None = None,
    candidate_hash: int = 0,
) -> OccupiedCore:
    return OccupiedCore(
        next_up_on_available=None if on_available is None else ScheduledCore(on_available),
        occupied_since=BLOCK - 2,
        time_out_at=BLOCK if timed_out else BLOCK + 1,
        next_up_on_time_out=None if on_time_out is None else ScheduledCore(on_time_out),
        availability=BitVec.ones(N) if available else BitVec.zeros(N),
        group_responsible=0,
        candidate_hash=h(candidate_hash),
        candidate_descriptor=descriptor(para_id=para),
    )


def one_per_para() -> list[AnyCoreState]:
    return [
        FreeCore(),  # 0
        ScheduledCore(1),  # 1
        occupied(2),  # 2: nothing next up
        occupied(3, on_available=3),  # 3: next up when available, not available
        occupied(4, on_available=4, available=True, candidate_hash=41),  # 4
        occupied(5, on_time_out=5),  # 5: next up on time-out, not timed out
        occupied(6, on_time_out=6, timed_out=True, available=True),  # 6: available wins
        occupied(7, on_time_out=7, timed_out=True, candidate_hash=71),  # 7
        occupied(8, on_available=8, on_time_out=8, available=True, candidate_hash=81),  # 8
        occupied(9, on_available=9, on_time_out=9),  # 9: neither available nor timed out
        occupied(10, on_available=10, on_time_out=10, timed_out=True, candidate_hash=101),  # 10
        occupied(11, on_available=12, available=True),  # 11: a different para next
    ]


def multiple_per_para() -> list[AnyCoreState]:
    return [
        *one_per_para(),
        occupied(12, on_available=12, available=True, candidate_hash=121),  # 12
        occupied(12, on_available=12, available=True, candidate_hash=122),  # 13
        occupied(12, on_available=12, available=True, candidate_hash=123),  # 14
        ScheduledCore(12),  # 15
        occupied(13, candidate_hash=131),  # 16
        occupied(13, available=True, candidate_hash=132),  # 17
        occupied(13, on_available=13, candidate_hash=133),  # 18
        occupied(13, on_available=13, available=True, candidate_hash=134),  # 19
        occupied(13, on_time_out=13, candidate_hash=135),  # 20
        occupied(13, on_available=14, available=True, candidate_hash=136),  # 21
        occupied(13, on_available=14, candidate_hash=137),  # 22
        occupied(13, on_available=14, on_time_out=14, available=True, candidate_hash=138),  # 23
        occupied(13, on_available=14, on_time_out=14, timed_out=True, candidate_hash=1399),  # 24
        occupied(13, on_available=15, available=True, candidate_hash=139),  # 25
        occupied(15, on_available=13, available=True, candidate_hash=151),  # 26
        occupied(15, on_available=15, available=True, timed_out=True, candidate_hash=152),  # 27
        occupied(13, on_available=13, on_time_out=13, candidate_hash=1399),  # 28
        occupied(13, on_available=13, on_time_out=13, timed_out=True, candidate_hash=1398),  # 29
    ]


def availability(cores: list[AnyCoreState]) -> tuple[bool, ...]:
    return cores_availability(cores, ())


def fresh(n: int) -> AncestorState:
    return AncestorState(n)


def test_each_para_gets_its_cores_and_its_candidates_still_on_chain() -> None:
    # request_from_prospective_parachains: paras 1, 4, 7, 8, 10 and 12 (on core 11, whose
    # occupant of para 11 became available) are asked for; ancestors as recorded there.
    cores = one_per_para()
    assert backable_requests(cores, availability(cores), BLOCK) == (
        BackableRequest(1, (1,)),
        BackableRequest(4, (4,), ((h(41), fresh(1)),)),
        BackableRequest(7, (7,), ((h(71), AncestorState(1, True)),)),
        BackableRequest(8, (8,), ((h(81), fresh(1)),)),
        BackableRequest(10, (10,), ((h(101), AncestorState(1, True)),)),
        BackableRequest(12, (11,)),
    )


def test_a_para_holding_several_cores_asks_for_as_many_candidates() -> None:
    # request_from_prospective_parachains_multiple_cores_per_para.
    cores = multiple_per_para()
    requests = {r.para_id: r for r in backable_requests(cores, availability(cores), BLOCK)}
    assert {para: r.cores for para, r in requests.items()} == {
        1: (1,),
        4: (4,),
        7: (7,),
        8: (8,),
        10: (10,),
        12: (11, 12, 13, 14, 15),
        13: (19, 26, 29),
        14: (21, 23, 24),
        15: (25, 27),
    }
    assert requests[12].count == 5
    assert requests[12].ancestors == tuple((h(n), fresh(1)) for n in (121, 122, 123))
    assert dict(requests[13].ancestors) == {
        **{h(n): fresh(1) for n in range(131, 140)},
        h(1398): AncestorState(1, True),
        h(1399): AncestorState(2, True),  # seen twice, once timed out
    }
    assert requests[15].ancestors == ((h(151), fresh(1)), (h(152), fresh(1)))
    assert requests[14].ancestors == ()
    assert requests[13].ancestor_hashes() == frozenset(h(n) for n in range(131, 140))


def test_the_time_out_is_any_block_at_or_after_time_out_at() -> None:
    # Today `time_out_at <= block_number` times a candidate out; the seeds needed equality.
    late = occupied(3, on_time_out=3, candidate_hash=7)
    late = OccupiedCore(
        late.next_up_on_available,
        late.occupied_since,
        BLOCK - 1,
        late.next_up_on_time_out,
        late.availability,
        late.group_responsible,
        late.candidate_hash,
        late.candidate_descriptor,
    )
    assert backable_requests([late], (False,), BLOCK) == (
        BackableRequest(3, (0,), ((h(7), AncestorState(1, True)),)),
    )


def test_availability_flags_must_cover_every_core() -> None:
    with pytest.raises(LengthMismatch, match="1 availability flags for 2 cores"):
        backable_requests([FreeCore(), FreeCore()], (False,), BLOCK)


U32 = "must be an int in 0..2**32-1"


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: AncestorState(-1), ("AncestorState", "count", -1, U32)),
        (lambda: AncestorState(1, 1), ("AncestorState", "timed_out", 1, "must be a bool")),
        (lambda: BackableRequest(-1, ()), ("BackableRequest", "para_id", -1, U32)),
        (lambda: BackableRequest(1, 0), ("BackableRequest", "cores", 0, "must be a tuple")),
        (lambda: BackableRequest(1, ("0",)), ("BackableRequest", "cores[0]", "0", "must be a int")),
        (
            lambda: BackableRequest(1, (), 0),
            ("BackableRequest", "ancestors", 0, "must be a tuple"),
        ),
        (
            lambda: BackableRequest(1, (), (h(1),)),
            ("BackableRequest", "ancestors[0]", h(1), "must be a tuple"),
        ),
    ],
)
def test_ancestor_and_request_records_refuse_a_bad_field_naming_it(
    build: Callable[[], object], expected: tuple[str, str, object, str]
) -> None:
    assert refusal(build) == expected


# The merge -----------------------------------------------------------------------------------

X1, _, _ = candidate(1, b"x1")
X2, _, _ = candidate(1, b"x2", b"x1")
X3, _, _ = candidate(1, b"x3", b"x2")
Y1, _, _ = candidate(2, b"y1")
Y2, _, _ = candidate(2, b"y2", b"y1")
CX1, _, _ = candidate(1, b"x1", code=b"new code")
CX2, _, _ = candidate(1, b"x2", b"x1", code=b"new code")
CY1, _, _ = candidate(2, b"y1", code=b"new code")


def backed(c: object, core: int) -> BackedCandidate:
    bits = BitVec.from_str("1" + "".join("1" if core >> i & 1 else "0" for i in range(8)))
    return BackedCandidate(c, (Implicit(b"\x01" * 64),), bits)  # type: ignore[arg-type]


def ref(c: object) -> BackableCandidateRef:
    return BackableCandidateRef(c.hash(), PARENT)  # type: ignore[attr-defined]


# Para 1 on cores 0 and 2, para 2 on cores 1 and 3: elastic scaling for both.
ELASTIC: list[AnyCoreState] = [
    ScheduledCore(1),
    ScheduledCore(2),
    ScheduledCore(1),
    ScheduledCore(2),
]
FREE = (False,) * 4


def select(
    prospective: dict[int, tuple[object, ...]], backing: dict[int, tuple[object, ...]]
) -> list[bytes]:
    out = select_backable_candidates(
        ELASTIC,
        FREE,
        BLOCK,
        {para: tuple(ref(c) for c in chain) for para, chain in prospective.items()},
        {para: tuple(backed(c, 0) for c in chain) for para, chain in backing.items()},
    )
    return [b.hash() for b in out]


def test_candidates_come_out_in_core_order_keeping_each_paras_chain_order() -> None:
    chains = {1: (X1, X2), 2: (Y1, Y2)}
    assert select(chains, chains) == [X1.hash(), Y1.hash(), X2.hash(), Y2.hash()]


def test_a_para_gets_no_more_candidates_than_it_has_cores() -> None:
    assert select({1: (X1, X2, X3)}, {1: (X1, X2, X3)}) == [X1.hash(), X2.hash()]


def test_backings_answer_counts_only_as_far_as_it_follows_the_chain() -> None:
    assert select({1: (X1, X2), 2: (Y1,)}, {1: (X1,), 2: (Y1,)}) == [X1.hash(), Y1.hash()]
    assert select({1: (X1, X2), 2: (Y1,)}, {1: (X2, X1), 2: (Y1,)}) == [Y1.hash()]
    assert select({1: (X1, X2)}, {}) == []


def test_at_most_one_candidate_carries_new_validation_code() -> None:
    # The lowest core's upgrade is kept; a later one is dropped with the rest of its para.
    assert select({1: (CX1, X2), 2: (CY1, Y2)}, {1: (CX1, X2), 2: (CY1, Y2)}) == [
        CX1.hash(),
        X2.hash(),
    ]
    assert select({1: (X1, CX2), 2: (CY1,)}, {1: (X1, CX2), 2: (CY1,)}) == [
        X1.hash(),
        CY1.hash(),
    ]


def test_a_para_cut_at_a_second_upgrade_does_not_stop_the_paras_after_it() -> None:
    # Para 2 on cores 0 and 3, para 1 on cores 1 and 2: para 2's upgrade on core 0 is kept, para
    # 1's on core 1 is dropped with its X2 on core 2, and para 2's Y2 on core 3 still goes in.
    cores: list[AnyCoreState] = [ScheduledCore(2), ScheduledCore(1), ScheduledCore(1)]
    cores.append(ScheduledCore(2))
    out = select_backable_candidates(
        cores,
        FREE,
        BLOCK,
        {1: (ref(CX1), ref(X2)), 2: (ref(CY1), ref(Y2))},
        {1: (backed(CX1, 1), backed(X2, 2)), 2: (backed(CY1, 0), backed(Y2, 3))},
    )
    assert [b.hash() for b in out] == [CY1.hash(), Y2.hash()]


def test_the_subsystems_can_be_asked_through_callables() -> None:
    asked: list[BackableRequest] = []
    selections: list[object] = []

    def prospective(request: BackableRequest) -> tuple[BackableCandidateRef, ...]:
        asked.append(request)
        return {1: (ref(X1), ref(X2)), 2: (ref(Y1),)}[request.para_id]

    def backing(selection: object) -> dict[int, tuple[BackedCandidate, ...]]:
        selections.append(selection)
        return {1: (backed(X1, 0), backed(X2, 2)), 2: (backed(Y1, 1),)}

    out = select_backable_candidates(ELASTIC, FREE, BLOCK, prospective, backing)
    assert [b.hash() for b in out] == [X1.hash(), Y1.hash(), X2.hash()]
    assert asked == [BackableRequest(1, (0, 2)), BackableRequest(2, (1, 3))]
    assert selections == [((1, (ref(X1), ref(X2))), (2, (ref(Y1),)))]


def test_a_para_without_an_offer_is_not_in_backings_selection() -> None:
    seen: list[object] = []

    def backing(selection: object) -> dict[int, tuple[BackedCandidate, ...]]:
        seen.append(selection)
        return {}

    prospective: Callable[[BackableRequest], tuple[BackableCandidateRef, ...]] = lambda r: ()  # noqa: E731
    assert select_backable_candidates(ELASTIC, FREE, BLOCK, prospective, backing) == ()
    assert seen == [()]


def test_the_whole_pass_selects_bitfields_then_candidates_by_their_availability() -> None:
    # Core 0 is occupied by para 1's candidate 41; two of four validators' bitfields make it
    # available only together with its own votes (3 * 4 >= 2 * 4 needs 3 ones).
    cores: list[AnyCoreState] = [
        OccupiedCore(
            ScheduledCore(1),
            BLOCK - 2,
            BLOCK + 1,
            None,
            BitVec.from_str("1000"),
            0,
            h(41),
            descriptor(para_id=1),
        ),
        ScheduledCore(2),
    ]
    bitfields = tuple(
        SignedAvailabilityBitfield(BitVec.from_str("10"), v, bytes([v]) * 64) for v in (1, 2)
    )
    asked: list[BackableRequest] = []

    def prospective(request: BackableRequest) -> tuple[BackableCandidateRef, ...]:
        asked.append(request)
        return {1: (ref(X1),), 2: (ref(Y1),)}[request.para_id]

    data = assemble_async_inherent_data(
        cores, bitfields, BLOCK, prospective, {1: (backed(X1, 0),), 2: (backed(Y1, 1),)}
    )
    assert data == ProvisionerInherentData(bitfields, (backed(X1, 0), backed(Y1, 1)), ())
    assert asked[0] == BackableRequest(1, (0,), ((h(41), AncestorState(1)),))
    # Without the bitfields the occupant is neither available nor timed out: only para 2.
    data = assemble_async_inherent_data(
        cores, (), BLOCK, prospective, {1: (backed(X1, 0),), 2: (backed(Y1, 1),)}
    )
    assert data.backed_candidates == (backed(Y1, 1),)


def test_the_whole_pass_applies_the_threshold_it_is_given() -> None:
    # Two of three validators' bits on the occupied core: 2/3 meets the seeds' threshold but not
    # the runtime's supermajority (3 of 3), so under the latter para 1 gets no core.
    cores: list[AnyCoreState] = [
        OccupiedCore(
            ScheduledCore(1),
            BLOCK - 2,
            BLOCK + 1,
            None,
            BitVec.zeros(3),
            0,
            h(41),
            descriptor(para_id=1),
        )
    ]
    bitfields = tuple(
        SignedAvailabilityBitfield(BitVec.from_str("1"), v, bytes([v]) * 64) for v in (0, 1)
    )
    offers = {1: (ref(X1),)}
    answers = {1: (backed(X1, 0),)}
    seeds = assemble_async_inherent_data(cores, bitfields, BLOCK, offers, answers)
    assert seeds.backed_candidates == (backed(X1, 0),)
    strict = assemble_async_inherent_data(
        cores, bitfields, BLOCK, offers, answers, threshold=runtime_availability_threshold_met
    )
    assert strict == ProvisionerInherentData(bitfields, (), ())


def test_the_whole_pass_selects_disputes_from_the_inputs_under_the_vote_cap() -> None:
    key = (3, h(1))
    votes = CandidateVotes(
        CandidateReceipt(descriptor(para_id=1), bytes(32)), {0: (ValidExplicit(), bytes(64))}, {}
    )
    inputs = DisputeInputs({key: Confirmed()}, {}, {key: votes}, now=1)
    data = assemble_async_inherent_data((), (), BLOCK, {}, {}, inputs)
    assert data.disputes == (DisputeStatementSet(h(1), 3, ((ValidExplicit(), 0, bytes(64)),)),)
    capped = assemble_async_inherent_data((), (), BLOCK, {}, {}, inputs, max_dispute_votes=0)
    assert capped == ProvisionerInherentData()
