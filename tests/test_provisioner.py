# The Provisioner subsystem with real asyncio: the pre-propose delay (as a parameter), requests
# with no job, deactivation, Conclude with a hanging job, a crashed job, subscribers, time limits.
from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

import pytest

from backable.core import (
    ActivatedLeaf,
    ActiveLeavesUpdate,
    BackingSeconded,
    BitVec,
    CandidateCommitments,
    CandidateDescriptor,
    CandidateVotes,
    CommittedCandidateReceipt,
    ConcludedFor,
    Confirmed,
    DisputeState,
    DisputeStatementSet,
    Invalid,
    ProvisionerInherentData,
    ReceiveBitfield,
    RequestInherentData,
    Seconded,
    SignedAvailabilityBitfield,
    Subscribe,
    ValidExplicit,
    blake2_256,
)
from backable.shell.collaborators.dispute_coordinator import InMemoryDisputeCoordinator, Key
from backable.shell.collaborators.runtime_api import InMemoryChain
from backable.shell.overseer.bus import Overseer
from backable.shell.overseer.messages import ProvisionerError, ToJob
from backable.shell.subsystems.provisioner import ProvisionerSubsystem
from tests.shell_fixtures import RP, RP2, SESSION, N, block_state, chain, eventually, sign


def _bitfield(validator: int) -> SignedAvailabilityBitfield:
    return SignedAvailabilityBitfield(BitVec.zeros(2), validator, bytes(64))


async def _started(sub: ProvisionerSubsystem, *leaves: bytes) -> Overseer:
    overseer = Overseer()
    overseer.register(sub)
    await overseer.start()
    update = ActiveLeavesUpdate(activated=tuple(ActivatedLeaf(h, 1) for h in leaves))
    await overseer.signal(update)
    return overseer


async def _request(overseer: Overseer, relay_parent: bytes) -> ProvisionerInherentData:
    reply: asyncio.Future[ProvisionerInherentData] = asyncio.get_running_loop().create_future()
    await overseer.send("provisioner", ToJob(relay_parent, RequestInherentData(reply)))
    return await reply


def test_a_request_before_the_delay_is_answered_when_it_ends_and_one_after_at_once() -> None:
    # Timing as order of events, never a ceiling on elapsed time: the first request is answered
    # no sooner than the delay (time cannot run fast), and the second, asked once the delay has
    # passed, before another whole delay could pass (it does not wait for a timer again).
    delay = 0.15

    async def scenario() -> tuple[float, bool]:
        sub = ProvisionerSubsystem(chain(), pre_propose_ms=int(delay * 1000))
        overseer = await _started(sub, RP)
        activated = time.perf_counter()
        await overseer.send("provisioner", ToJob(RP, ReceiveBitfield(_bitfield(0))))
        await _request(overseer, RP)
        early = time.perf_counter() - activated
        second = asyncio.ensure_future(_request(overseer, RP))
        another_delay = asyncio.ensure_future(asyncio.sleep(delay))
        await asyncio.wait((second, another_delay), return_when=asyncio.FIRST_COMPLETED)
        answered_first = second.done()
        await second
        another_delay.cancel()
        await overseer.stop()
        assert sub.stats()["inherents_served"] == 2
        return early, answered_first

    early, answered_first = asyncio.run(scenario())
    assert early >= delay - 0.01  # the event loop's timers may fire up to a clock tick early
    assert answered_first


def test_a_request_for_a_relay_parent_with_no_job_gets_an_error_and_is_counted() -> None:
    async def scenario() -> ProvisionerSubsystem:
        sub = ProvisionerSubsystem(chain(), pre_propose_ms=0)
        overseer = await _started(sub, RP)
        with pytest.raises(ProvisionerError, match="no provisioning job for relay parent"):
            await _request(overseer, RP2)
        await overseer.send("provisioner", ToJob(RP2, ReceiveBitfield(_bitfield(1))))
        await eventually(lambda: sub.jobs.dropped["no job for relay parent"] == 2)
        await overseer.stop()
        return sub

    sub = asyncio.run(scenario())
    assert sub.stats()["dropped"] == {"no job for relay parent": 2}


def test_a_deactivated_leaf_ends_its_job() -> None:
    async def scenario() -> None:
        sub = ProvisionerSubsystem(chain(RP, RP2), pre_propose_ms=0)
        overseer = await _started(sub, RP, RP2)
        await eventually(lambda: len(sub.jobs.jobs) == 2)
        await overseer.signal(ActiveLeavesUpdate(deactivated=(RP,)))
        await eventually(lambda: set(sub.jobs.jobs) == {RP2})
        with pytest.raises(ProvisionerError):
            await _request(overseer, RP)
        assert (await _request(overseer, RP2)).backed_candidates == ()
        await overseer.stop()

    asyncio.run(scenario())


class _HangingChain(InMemoryChain):
    async def availability_cores(self, relay_parent: bytes) -> Any:
        await asyncio.Event().wait()


def test_conclude_finishes_within_the_grace_period_when_a_job_hangs() -> None:
    # The hung job is cancelled once the grace period is over, and stop() returns: it returning
    # at all is the point (the job itself would wait forever); no ceiling on how long it took.
    async def scenario() -> float:
        hanging = _HangingChain()
        hanging.blocks = chain().blocks
        sub = ProvisionerSubsystem(hanging, conclude_grace=0.1)
        overseer = await _started(sub, RP)
        await eventually(lambda: len(sub.jobs.jobs) == 1)
        started = time.perf_counter()
        await overseer.stop(timeout=5.0)
        assert not overseer.is_running("provisioner")
        assert sub.jobs.counters["jobs cancelled after grace"] == 1
        return time.perf_counter() - started

    assert asyncio.run(scenario()) >= 0.1 - 0.01  # it did give the job its grace period


class _CrashingCoresChain(InMemoryChain):
    async def availability_cores(self, relay_parent: bytes) -> Any:
        if relay_parent == RP:
            raise ZeroDivisionError("a bug in a collaborator")
        return await super().availability_cores(relay_parent)


def test_a_crashed_job_leaves_the_subsystem_serving_other_relay_parents() -> None:
    async def scenario() -> ProvisionerSubsystem:
        crashing = _CrashingCoresChain()
        crashing.blocks = chain(RP, RP2).blocks
        sub = ProvisionerSubsystem(crashing, pre_propose_ms=0)
        overseer = await _started(sub, RP, RP2)
        await eventually(lambda: sub.jobs.counters["jobs crashed"] == 1)
        data = await _request(overseer, RP2)
        assert data == ProvisionerInherentData()
        with pytest.raises(ProvisionerError):
            await _request(overseer, RP)
        await overseer.stop()
        return sub

    sub = asyncio.run(scenario())
    assert sub.stats()["inherents_served"] == 1


def test_block_authors_subscribed_to_provisionable_data_get_a_copy_of_every_datum() -> None:
    async def scenario() -> list[object]:
        sub = ProvisionerSubsystem(chain(), pre_propose_ms=0)
        overseer = await _started(sub, RP)
        channel: asyncio.Queue[Any] = asyncio.Queue()
        await overseer.send("provisioner", ToJob(RP, Subscribe(channel)))
        for v in (0, 1):
            await overseer.send("provisioner", ToJob(RP, ReceiveBitfield(_bitfield(v))))
        got = [await channel.get(), await channel.get()]
        data = await _request(overseer, RP)
        assert [b.validator_index for b in data.bitfields] == [0, 1]
        await overseer.stop()
        return got

    assert asyncio.run(scenario()) == [ReceiveBitfield(_bitfield(0)), ReceiveBitfield(_bitfield(1))]


class _SlowDisputes(InMemoryDisputeCoordinator):
    async def recent_disputes(self) -> Any:
        await asyncio.sleep(10)
        return {}


def test_a_request_not_served_within_the_time_limit_gets_the_empty_fallback_inherent() -> None:
    # Past the elapsed-time limit the author proceeds with no parachain data, as Polkadot's
    # inherent data provider does: an empty inherent, counted, never an error.
    async def scenario() -> tuple[ProvisionerSubsystem, ProvisionerInherentData]:
        sub = ProvisionerSubsystem(chain(), _SlowDisputes(), pre_propose_ms=0, request_timeout=0.05)
        overseer = await _started(sub, RP)
        data = await _request(overseer, RP)
        await overseer.stop()
        return sub, data

    sub, data = asyncio.run(scenario())
    assert data == ProvisionerInherentData()
    assert sub.counters["inherent fallback: time limit"] == 1


def test_observers_read_assembly_times_as_a_tuple_in_serving_order() -> None:
    async def scenario() -> ProvisionerSubsystem:
        sub = ProvisionerSubsystem(chain(), pre_propose_ms=0)
        overseer = await _started(sub, RP)
        assert sub.assembly_times == ()
        await _request(overseer, RP)
        await _request(overseer, RP)
        await overseer.stop()
        return sub

    times = asyncio.run(scenario()).assembly_times
    assert isinstance(times, tuple) and len(times) == 2 and all(t >= 0 for t in times)
def test_a_request_whose_id_is_not_a_future_is_dropped_and_counted() -> None:
    # Through the shell a request's id is the future that receives the reply: any other token
    # could never be answered, so it is refused at the door rather than left hanging.
    async def scenario() -> ProvisionerSubsystem:
        sub = ProvisionerSubsystem(chain(), pre_propose_ms=0)
        overseer = await _started(sub, RP)
        await overseer.send("provisioner", ToJob(RP, RequestInherentData(7)))
        await overseer.send("provisioner", ToJob(RP, Subscribe(8)))
        await eventually(lambda: sum(sub.jobs.dropped.values()) == 2)
        await overseer.stop()
        return sub

    assert asyncio.run(scenario()).stats()["dropped"] == {
        "request id is not a future": 1,
        "subscriber id is not a queue": 1,
    }


# -- disputes, end to end -----------------------------------------------------------------------
#
# Disputes reach the served inherent from both sources, the dispute coordinator (statements the
# backing subsystem imported) and the chain (the runtime's dispute states), as the selection rule
# decides (implementers' guide "Provisioner", "Dispute Statement Selection", with the network's
# prioritised selection). The expected inherent is written out from the rule's text:
#   - the coordinator's disputes that are confirmed or concluded, or known on chain, are kept;
#     an active dispute the chain does not know is not;
#   - a dispute concluded on chain and inactive (concluded over 180 s ago) is dropped;
#   - a dispute known only on chain is not one of the coordinator's recent disputes: not chosen;
#   - of a dispute known on chain, a vote the chain already has is dropped, a backing vote never.

NOW = 1_700_000_000


class _Coordinator(InMemoryDisputeCoordinator):
    """The in-memory coordinator with what a real one would add over time: a status per dispute
    (confirmed, concluded) and explicit votes from dispute participation."""

    def __init__(self, statuses: dict[Key, Any], explicit: dict[Key, dict[int, bytes]]) -> None:
        super().__init__()
        self.statuses = statuses
        self.explicit = explicit

    async def recent_disputes(self) -> Any:
        recent = dict(await super().recent_disputes())
        return {key: self.statuses.get(key, status) for key, status in recent.items()}

    async def candidate_votes(self, keys: tuple[Key, ...]) -> Any:
        votes = dict(await super().candidate_votes(keys))
        for key, extra in self.explicit.items():
            if key in votes:
                cv = votes[key]
                valid = cv.valid.update({v: (ValidExplicit(), s) for v, s in extra.items()})
                votes[key] = CandidateVotes(cv.candidate_receipt, valid, cv.invalid)
        return votes


def _candidate(para: int, nonce: int) -> CommittedCandidateReceipt:
    d = CandidateDescriptor(
        para, RP, bytes([nonce]) * 32, blake2_256(b"pvd"), bytes(32), bytes(32), bytes(64),
        bytes(32), bytes(32),
    )
    return CommittedCandidateReceipt(d, CandidateCommitments(head_data=bytes([nonce])))


def test_disputes_from_coordinator_and_chain_reach_the_inherent_as_selection_decides() -> None:
    candidates = {n: _candidate(100, n) for n in (1, 2, 3, 4)}
    receipts = (candidates[n].to_plain() for n in candidates)
    active_onchain, active_offchain, confirmed, stale = receipts
    committed = {c.to_plain(): c for c in candidates.values()}
    onchain_only = blake2_256(b"known only on chain")
    key = {r: (SESSION, r.hash()) for r in (active_onchain, active_offchain, confirmed, stale)}
    # Each coordinator dispute: validator 0 seconded (a backing vote), validator 1 said Invalid
    # (which marks the dispute; the seed's Invalid has no dispute-vote form on chain).
    seconded = {r: sign(0, Seconded(committed[r])) for r in key}
    coordinator = _Coordinator(
        statuses={key[confirmed]: Confirmed(), key[stale]: ConcludedFor(NOW - 1000)},
        explicit={key[active_onchain]: {4: b"\x44" * 64, 5: b"\x55" * 64}},
    )
    state = block_state()
    six = lambda *ones: BitVec.from_indices(N, ones)  # noqa: E731
    state = replace(
        state,
        disputes={
            # validator 4's valid vote is on chain already, validator 5's is not
            key[active_onchain]: DisputeState(six(0, 4), six(), NOW - 30),
            # concluded on chain (a supermajority of six for) and long inactive: dropped
            key[stale]: DisputeState(six(0, 1, 2, 3, 4, 5), six(), NOW - 2000, NOW - 1000),
            (SESSION, onchain_only): DisputeState(six(2), six(3), NOW - 30),
        },
    )
    runtime = InMemoryChain()
    runtime.add_block(RP, state)

    async def scenario() -> ProvisionerInherentData:
        for r in key:
            await coordinator.import_statement(r, SESSION, RP, seconded[r])
            await coordinator.import_statement(r, SESSION, RP, sign(1, Invalid(r.hash())))
        sub = ProvisionerSubsystem(runtime, coordinator, pre_propose_ms=0, clock=lambda: NOW)
        overseer = await _started(sub, RP)
        data = await _request(overseer, RP)
        await overseer.stop()
        return data

    data = asyncio.run(scenario())
    backing_vote = {r: (BackingSeconded(RP), 0, seconded[r].signature) for r in key}
    expected = sorted(
        [
            DisputeStatementSet(
                active_onchain.hash(),
                SESSION,
                (backing_vote[active_onchain], (ValidExplicit(), 5, b"\x55" * 64)),
            ),
            DisputeStatementSet(confirmed.hash(), SESSION, (backing_vote[confirmed],)),
        ],
        key=lambda s: (s.session, s.candidate_hash),
    )
    assert data.disputes == tuple(expected)
