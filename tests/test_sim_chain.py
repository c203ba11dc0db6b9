# The simulation's chain model: relay block states it builds, and the runtime's handling of an
# inherent (availability frees cores and enacts the candidate, time-outs free cores, backed
# candidates occupy free cores, a core holds one candidate, one code upgrade per block).
from __future__ import annotations

import asyncio
import random

from backable.core import (
    BackedCandidate,
    BitVec,
    OccupiedCore,
    OccupiedCoreAssumption,
    ProvisionerInherentData,
    ScheduledCore,
    SignedAvailabilityBitfield,
    blake2_256,
)
from backable.core.records.statements import Explicit
from backable.shell.sim.chain import PARA_BASE, Applied, ChainModel
from backable.shell.sim.collator import Collation, Collator
from backable.shell.sim.report import SimParams

N = 6  # validators in two groups of three, one core each
GROUPS = ((0, 1, 2), (3, 4, 5))


def _chain(**overrides: object) -> ChainModel:
    fields: dict[str, object] = {
        "validators": N,
        "cores": 2,
        "group_size": 3,
        "availability_timeout": 2,
    }
    fields.update(overrides)
    params = SimParams(**fields)  # type: ignore[arg-type]
    validators = tuple(blake2_256(bytes([i])) for i in range(N))
    return ChainModel(params, validators, GROUPS, random.Random(0))


def _collate(chain: ChainModel, core: int, rp: bytes, new_code: bytes | None = None) -> Collation:
    para = chain.paras[core]
    pvd = chain.state(rp).validation_data[(para, OccupiedCoreAssumption.FREE)]
    return Collator(para).collate(rp, pvd, N, payload=b"x", new_code=new_code)


def _backed(collation: Collation, votes: int = 2) -> BackedCandidate:
    # The chain model does not check votes (check_inherent does): placeholders of the right shape.
    attestations = tuple(Explicit(bytes(64)) for _ in range(votes))
    return BackedCandidate(collation.committed, attestations, BitVec((1 << votes) - 1, 3))


def _bitfields(core: int, voters: range) -> tuple[SignedAvailabilityBitfield, ...]:
    return tuple(SignedAvailabilityBitfield(BitVec(1 << core, 2), v, bytes(64)) for v in voters)


def _occupy(chain: ChainModel, *collations: Collation, number: int = 1) -> Applied:
    # Block `number` on relay parent `number - 1` backs `collations`.
    _, _, rotation = chain.build(number - 1)
    inherent = ProvisionerInherentData(backed_candidates=tuple(_backed(c) for c in collations))
    return chain.apply(number, inherent, rotation, {c.candidate_hash: c for c in collations})


def _bitfields_in(chain: ChainModel, number: int, core: int, voters: range) -> Applied:
    # Block `number` carries bitfields for `core` from `voters` and backs nothing.
    _, _, rotation = chain.build(number - 1)
    inherent = ProvisionerInherentData(bitfields=_bitfields(core, voters))
    return chain.apply(number, inherent, rotation, {})


def test_a_fresh_chain_schedules_every_para_and_serves_its_state_through_the_runtime() -> None:
    chain = _chain()
    rp, state, rotation = chain.build(0)
    assert rp == chain.relay_hash(0) != chain.relay_hash(1)
    assert chain.paras == (PARA_BASE, PARA_BASE + 1)
    assert state.cores == (ScheduledCore(PARA_BASE), ScheduledCore(PARA_BASE + 1))
    assert chain.state(rp) is state
    assert asyncio.run(chain.runtime.availability_cores(rp)) == state.cores
    assert rotation.now == 1
    assert chain.group_of_para(rotation) == {PARA_BASE: GROUPS[0], PARA_BASE + 1: GROUPS[1]}


def test_a_backed_candidate_occupies_its_core_and_its_group_holds_chunks() -> None:
    chain = _chain()
    collation = _collate(chain, 0, chain.build(0)[0])
    applied = _occupy(chain, collation)
    assert [p.candidate_hash for p in applied.backed] == [collation.candidate_hash]
    assert (applied.backed[0].backed_at, applied.backed[0].time_out_at) == (1, 3)
    assert applied.backed[0].votes == 2 and applied.backed[0].scheduled
    assert applied.problems == [] and applied.occupied_before == 0
    assert chain.is_occupied(0) and not chain.is_occupied(1)
    assert chain.chunks_by_validator() == [1] * N  # no chunk loss: everyone
    _, state, _ = chain.build(1)
    occupied = state.cores[0]
    assert isinstance(occupied, OccupiedCore)
    assert occupied.candidate_hash == collation.candidate_hash
    assert (occupied.occupied_since, occupied.time_out_at, occupied.group_responsible) == (1, 3, 0)
    assert state.cores[1] == ScheduledCore(PARA_BASE + 1)


def test_chunk_loss_spares_the_backing_group() -> None:
    chain = _chain(chunk_loss=1.0)
    _occupy(chain, _collate(chain, 0, chain.build(0)[0]))
    assert chain.chunks_by_validator() == [1, 1, 1, 0, 0, 0]


def test_two_thirds_of_bitfields_make_a_candidate_available_and_enact_its_code() -> None:
    chain = _chain()
    collation = _collate(chain, 0, chain.build(0)[0], new_code=b"v2")
    _occupy(chain, collation)
    applied = _bitfields_in(chain, 2, 0, range(4))
    assert [(core, p.candidate_hash) for core, p in applied.included] == [
        (0, collation.candidate_hash)
    ]
    assert applied.included[0][1].availability == 0b1111
    assert (applied.bitfields, applied.occupied_before, applied.timed_out) == (4, 1, 0)
    assert not chain.is_occupied(0)
    assert chain.code(PARA_BASE) == b"v2" and chain.upgrades(PARA_BASE) == 1
    _, state, _ = chain.build(2)
    head = collation.committed.commitments.head_data
    assert state.validation_data[(PARA_BASE, OccupiedCoreAssumption.FREE)].parent_head == head


def test_fewer_than_two_thirds_wait_and_the_core_times_out() -> None:
    chain = _chain()
    _occupy(chain, _collate(chain, 0, chain.build(0)[0]))
    waiting = _bitfields_in(chain, 2, 0, range(3))
    assert (waiting.included, waiting.timed_out) == ([], 0) and chain.is_occupied(0)
    timed_out = _bitfields_in(chain, 3, 0, range(0))  # block 3 = backed at 1 + time-out 2
    assert (timed_out.included, timed_out.timed_out) == ([], 1)
    assert not chain.is_occupied(0) and chain.upgrades(PARA_BASE) == 0


def test_a_candidate_for_an_occupied_core_is_refused_as_a_problem() -> None:
    chain = _chain()
    rp = chain.build(0)[0]
    first, second = _collate(chain, 0, rp), _collate(chain, 0, rp, new_code=b"other")
    applied = _occupy(chain, first, second)
    assert [p.candidate_hash for p in applied.backed] == [first.candidate_hash]
    assert applied.core_conflicts == 1
    assert applied.problems == [f"block 1: candidate for para {PARA_BASE} on occupied core 0"]
    assert applied.code_upgrades == 0


def test_more_than_one_code_upgrade_in_a_block_is_a_problem() -> None:
    chain = _chain()
    rp = chain.build(0)[0]
    a, b = _collate(chain, 0, rp, new_code=b"a"), _collate(chain, 1, rp, new_code=b"b")
    applied = _occupy(chain, a, b)
    assert applied.code_upgrades == 2 and len(applied.backed) == 2
    assert applied.problems == ["block 1: 2 code upgrades"]


def test_chunks_by_validator_mixes_shared_and_partial_holders() -> None:
    # Core 0's data with everyone (no loss, a bit shared by all), core 1's with its group only
    # (all chunks lost, visited holder by holder).
    chain = _chain(chunk_loss=1.0)
    rp = chain.build(0)[0]
    chain.p.chunk_loss = 0.0
    _occupy(chain, _collate(chain, 0, rp))
    chain.p.chunk_loss = 1.0
    _occupy(chain, _collate(chain, 1, chain.build(1)[0]), number=2)
    assert chain.chunks_by_validator() == [0b01, 0b01, 0b01, 0b11, 0b11, 0b11]


def test_identical_bitfields_count_once_per_signer() -> None:
    # Grouping bitfields by payload must still set each signer's own bit.
    chain = _chain()
    _occupy(chain, _collate(chain, 0, chain.build(0)[0]))
    applied = _bitfields_in(chain, 2, 0, range(4))  # 4 of 6 signers: 2/3 met
    assert [core for core, _ in applied.included] == [0]
    assert applied.included[0][1].availability == 0b001111
