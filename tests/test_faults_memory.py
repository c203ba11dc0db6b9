"""Fault 9, stores never pruned: each in-memory collaborator stays within its bound after many more
items than the bound, counts what it releases, and the runtime's call log keeps the totals; the
simulation keeps only its last relay parents' state."""

from __future__ import annotations

import asyncio

import pytest

from backable.core import Invalid, PoV, Seconded, Valid
from backable.shell.collaborators.availability_store import AvailableData, InMemoryAvailabilityStore
from backable.shell.collaborators.dispute_coordinator import InMemoryDisputeCoordinator
from backable.shell.collaborators.network import InProcessNetwork
from backable.shell.collaborators.runtime_api import (
    CALL_LOG_LIMIT,
    InMemoryChain,
    RuntimeApiError,
)
from backable.shell.sim.engine import RELAY_PARENTS_KEPT, _Simulation
from backable.shell.sim.report import SimParams
from tests.shell_fixtures import (
    RP,
    RP2,
    SESSION,
    block_state,
    chain,
    collator,
    sign,
    validation_data,
)

ROOT = b"\x07" * 32


def _constant_root(n: int, pov: PoV, pvd: object) -> bytes:
    return ROOT  # the erasure root is not what these tests are about


def _hash(i: int) -> bytes:
    return i.to_bytes(32, "little")


# --- the runtime API ---------------------------------------------------------------------------


def test_the_runtime_call_log_keeps_the_last_calls_and_every_total() -> None:
    c = chain()
    calls = 3 * CALL_LOG_LIMIT

    async def scenario() -> None:
        for _ in range(calls):
            await c.validators(RP)
        await c.availability_cores(RP)

    asyncio.run(scenario())
    assert len(c.calls) == CALL_LOG_LIMIT
    assert c.calls[-1] == ("availability_cores", RP)
    assert c.call_counts == {"validators": calls, "availability_cores": 1}
    assert c.pruned["call log entries"] == calls + 1 - CALL_LOG_LIMIT


def test_the_in_memory_chain_prunes_blocks_below_a_number_and_counts_them() -> None:
    c = InMemoryChain()
    hashes = {n: _hash(n) for n in range(1, 201)}
    for n, h in hashes.items():
        c.add_block(h, block_state(n))
    assert c.prune(191) == 190
    assert sorted(s.number for s in c.blocks.values()) == list(range(191, 201))
    assert c.pruned["relay blocks"] == 190
    with pytest.raises(RuntimeApiError, match="unknown relay parent"):
        asyncio.run(c.validators(hashes[190]))
    assert asyncio.run(c.block_number(hashes[200])) == 200
    assert c.prune(191) == 0  # nothing older is left


# --- the availability store --------------------------------------------------------------------


def _store(store: InMemoryAvailabilityStore, i: int, number: int) -> None:
    data = AvailableData(PoV(b"block %d" % i), validation_data(100, number))
    asyncio.run(store.store_available_data(_hash(i), 6, data, ROOT))


def test_the_availability_store_never_holds_more_than_its_capacity() -> None:
    store = InMemoryAvailabilityStore(erasure_root=_constant_root, capacity=8)
    for i in range(100):
        _store(store, i, number=1)
    assert list(store.data) == [_hash(i) for i in range(92, 100)]  # the newest stay
    assert store.available_data(_hash(0)) is None
    assert store.pruned["evicted over capacity"] == 92


def test_the_availability_store_releases_data_by_relay_block_number() -> None:
    store = InMemoryAvailabilityStore(erasure_root=_constant_root)
    for i in range(1, 101):
        _store(store, i, number=i)
    assert store.prune_before(91) == 90
    assert sorted(d.validation_data.relay_parent_number for d in store.data.values()) == list(
        range(91, 101)
    )
    assert store.pruned["pruned by block number"] == 90


# --- the dispute coordinator -------------------------------------------------------------------


def test_dispute_records_never_exceed_the_coordinators_capacity() -> None:
    c = collator(100).collate(RP, validation_data(100), 6)
    seconded = sign(0, Seconded(c.committed))
    dc = InMemoryDisputeCoordinator(capacity=16)

    async def scenario() -> None:
        # one record per (session, candidate): 500 sessions make 500 records
        for session in range(500):
            await dc.import_statement(c.receipt, session, RP, seconded)

    asyncio.run(scenario())
    assert len(dc.records) == 16
    assert sorted(s for s, _ in dc.records) == list(range(484, 500))  # the newest stay
    assert dc.pruned["evicted over capacity"] == 484
    assert dc.imported == 500


def test_a_relay_parent_leaving_releases_its_undisputed_records_and_keeps_its_disputes() -> None:
    quiet = collator(100).collate(RP, validation_data(100), 6)
    disputed = collator(200).collate(RP, validation_data(200), 6)
    elsewhere = collator(100).collate(RP2, validation_data(100), 6)
    dc = InMemoryDisputeCoordinator()

    async def scenario() -> None:
        await dc.import_statement(quiet.receipt, SESSION, RP, sign(0, Seconded(quiet.committed)))
        await dc.import_statement(
            disputed.receipt, SESSION, RP, sign(3, Seconded(disputed.committed))
        )
        await dc.import_statement(
            disputed.receipt, SESSION, RP, sign(4, Invalid(disputed.candidate_hash))
        )
        await dc.import_statement(
            elsewhere.receipt, SESSION, RP2, sign(1, Valid(elsewhere.candidate_hash), RP2)
        )

    asyncio.run(scenario())
    assert dc.forget_relay_parent(RP) == 1
    assert set(dc.records) == {
        (SESSION, disputed.candidate_hash),
        (SESSION, elsewhere.candidate_hash),
    }
    assert list(asyncio.run(dc.recent_disputes())) == [(SESSION, disputed.candidate_hash)]
    assert dc.pruned["undisputed, relay parent left"] == 1
    # A session leaving the window takes the dispute with it.
    assert dc.prune_sessions_before(SESSION + 1) == 2
    assert dc.records == {}
    assert dc.pruned["session left the window"] == 2


# --- the network -------------------------------------------------------------------------------


def test_delayed_deliveries_in_flight_stay_within_the_networks_bound() -> None:
    delivered: list[int] = []

    async def scenario() -> None:
        net = InProcessNetwork(delay=0.001, max_in_flight=5)
        for i in range(50):

            async def deliver(rp: bytes, s: object, i: int = i) -> None:
                delivered.append(i)

            net.register(i, deliver, lambda h: None)
        await net.share_statement(0, RP, sign(0, Valid(b"\x01" * 32)))
        assert net.pending_count() == 5
        assert net.stats["statements dropped, too many in flight"] == 44
        await net.drain()
        assert net.pending_count() == 0
        # The bound is on what is in flight: once delivered, the next statement goes out again.
        await net.share_statement(0, RP, sign(0, Valid(b"\x02" * 32)))
        await net.drain()

    asyncio.run(scenario())
    assert delivered == [1, 2, 3, 4, 5] * 2


# --- the simulation ----------------------------------------------------------------------------


def test_a_simulation_keeps_only_its_last_relay_parents() -> None:
    blocks = RELAY_PARENTS_KEPT + 6
    sim = _Simulation(SimParams(validators=20, cores=4, blocks=blocks))
    report = asyncio.run(sim.run(None))
    assert report.stopped_early is None and report.included > 0
    kept = range(blocks - RELAY_PARENTS_KEPT, blocks)  # relay parent numbers still kept
    assert sorted(s.number for s in sim.chain.runtime.blocks.values()) == list(kept)
    assert sim.chain.runtime.pruned["relay blocks"] == blocks - RELAY_PARENTS_KEPT
    assert set(sim.built_on) <= {sim.chain.relay_hash(n) for n in kept}
    assert set(sim.collations) == {h for hs in sim.built_on.values() for h in hs}
    assert set(sim.para_of) == set(sim.collations)
    for node in sim.nodes:
        numbers = {d.validation_data.relay_parent_number for d in node.store.data.values()}
        assert numbers <= set(kept)
        assert {r.relay_parent for r in node.disputes.records.values()} <= {
            sim.chain.relay_hash(n) for n in kept
        }
    assert sum(node.store.pruned["pruned by block number"] for node in sim.nodes) > 0
