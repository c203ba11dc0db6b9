# Fault injection for the liveness of the shell's job machinery and both subsystem drivers
# (issue 11, faults 1-5 and 10), through the public shell API with real asyncio. Each test asserts
# that the reply arrives (or its error is named), that the counter moves, and that another relay
# parent keeps being served; every request's future is done once the overseer has stopped.
from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import pytest

from backable.core import (
    ActiveLeavesUpdate,
    BitVec,
    CandidateReceipt,
    GetBackedCandidates,
    PoV,
    ProvisionerInherentData,
    ReceiveBitfield,
    ReceiveStatement,
    RequestInherentData,
    Second,
    Seconded,
    SignedAvailabilityBitfield,
)
from backable.shell.collaborators.availability_store import InMemoryAvailabilityStore
from backable.shell.collaborators.dispute_coordinator import InMemoryDisputeCoordinator
from backable.shell.collaborators.keystore import Keystore
from backable.shell.collaborators.runtime_api import InMemoryChain
from backable.shell.collaborators.validation import InMemoryValidation
from backable.shell.overseer.bus import Overseer
from backable.shell.overseer.jobs import INBOX_FULL, LEAF_DEACTIVATED
from backable.shell.overseer.messages import BackingError, ProvisionerError, ToJob
from backable.shell.sim.collator import toy_validation_function
from backable.shell.subsystems.backing import CandidateBackingSubsystem
from backable.shell.subsystems.provisioner import ProvisionerSubsystem
from tests.shell_fixtures import (
    PARAS,
    RP,
    RP2,
    URIS,
    chain,
    collator,
    eventually,
    sign,
    validation_data,
)
from tests.test_backing import FakeNetwork
from tests.test_backing import _started as _backing_started
from tests.test_provisioner import _started as _provisioner_started

# -- helpers ---------------------------------------------------------------------------------


def assert_no_future_pending(futures: Iterable[asyncio.Future[Any]]) -> None:
    """Every reply future is done (a result or an exception), none left waiting."""
    pending = [f for f in futures if not f.done()]
    assert pending == [], f"{len(pending)} replies never answered"


class _Replies:
    """Reply futures made for one test, so that none can be forgotten."""

    def __init__(self) -> None:
        self.made: list[asyncio.Future[Any]] = []

    def new(self) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.made.append(future)
        return future


async def _inherent_request(
    overseer: Overseer, replies: _Replies, relay_parent: bytes
) -> asyncio.Future[Any]:
    reply = replies.new()
    await overseer.send("provisioner", ToJob(relay_parent, RequestInherentData(reply)))
    return reply


def _bitfield(validator: int) -> ReceiveBitfield:
    return ReceiveBitfield(SignedAvailabilityBitfield(BitVec.zeros(2), validator % 6, bytes(64)))


def _waiting(sub: ProvisionerSubsystem, relay_parent: bytes) -> bool:
    # The job has read everything sent to it and waits for more.
    job = sub.jobs.jobs.get(relay_parent)
    return job is not None and not job.inbox.processing and job.inbox.queued() == (0, 0)


class _GatedDisputes(InMemoryDisputeCoordinator):
    """Answers at once, except the call after `hold_next()`, which waits until `release()`."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.hold = False
        self.waiting = 0

    def hold_next(self) -> None:
        self.hold = True
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()

    async def recent_disputes(self) -> Any:
        if self.hold:
            self.hold = False
            self.waiting += 1
            await self.gate.wait()
            self.waiting -= 1
        return await super().recent_disputes()


class _FaultyChain(InMemoryChain):
    """`onchain_disputes` at `RP` raises `failure`, or hangs when `failure` is None."""

    def __init__(self, failure: Exception | None) -> None:
        super().__init__()
        self.blocks = chain(RP, RP2).blocks
        self.failure = failure
        self.hung = 0

    async def onchain_disputes(self, relay_parent: bytes) -> Any:
        if relay_parent == RP:
            if self.failure is not None:
                raise self.failure
            self.hung += 1
            await asyncio.Event().wait()
        return await super().onchain_disputes(relay_parent)


# -- fault 1: a timer is never lost to peer traffic ------------------------------------------


def test_fault_1_the_pre_propose_timer_gets_through_a_flooded_job_inbox() -> None:
    async def scenario() -> tuple[ProvisionerSubsystem, _Replies]:
        replies = _Replies()
        disputes = _GatedDisputes()
        sub = ProvisionerSubsystem(
            chain(RP, RP2), disputes, pre_propose_ms=100, request_timeout=None
        )
        overseer = await _provisioner_started(sub, RP, RP2)
        parked = await _inherent_request(overseer, replies, RP)  # parked until the timer
        await eventually(lambda: _waiting(sub, RP))
        disputes.hold_next()
        held = await _inherent_request(overseer, replies, RP)  # the job waits on its fetch
        await eventually(lambda: disputes.waiting == 1)
        for v in range(sub.jobs.capacity + 50):  # the job's inbox fills; the rest is dropped
            await overseer.send("provisioner", ToJob(RP, _bitfield(v)))
        await eventually(lambda: sub.jobs.dropped[INBOX_FULL] == 50)
        # The timer fires while the inbox is full: it waits in the control lane.
        await eventually(lambda: sub.jobs.jobs[RP].inbox.queued() == (1, sub.jobs.capacity))
        # Another relay parent is served meanwhile.
        other = await _inherent_request(overseer, replies, RP2)
        assert isinstance(await other, ProvisionerInherentData)
        assert not parked.done() and not held.done()
        disputes.release()
        assert isinstance(await parked, ProvisionerInherentData)
        assert isinstance(await held, ProvisionerInherentData)
        await overseer.stop()
        return sub, replies

    sub, replies = asyncio.run(scenario())
    assert_no_future_pending(replies.made)
    assert sub.counters["inherents served"] == 3
    assert sub.jobs.dropped[INBOX_FULL] == 50


# -- fault 2: a runtime error during RequestInherentData -------------------------------------


@pytest.mark.parametrize("failure", [RuntimeError("state pruned"), ZeroDivisionError("a bug")])
def test_fault_2_a_runtime_error_answers_the_request_with_an_error_naming_the_call(
    failure: Exception,
) -> None:
    async def scenario() -> tuple[ProvisionerSubsystem, _Replies, ProvisionerError]:
        replies = _Replies()
        sub = ProvisionerSubsystem(
            _FaultyChain(failure), InMemoryDisputeCoordinator(), pre_propose_ms=0
        )
        overseer = await _provisioner_started(sub, RP, RP2)
        failed = await _inherent_request(overseer, replies, RP)
        with pytest.raises(ProvisionerError) as refused:
            await failed
        error = refused.value
        other = await _inherent_request(overseer, replies, RP2)
        assert isinstance(await other, ProvisionerInherentData)
        # The job at RP survives its failed call and serves the next request the same way.
        again = await _inherent_request(overseer, replies, RP)
        with pytest.raises(ProvisionerError):
            await again
        await overseer.stop()
        return sub, replies, error

    sub, replies, error = asyncio.run(scenario())
    assert f"onchain_disputes failed: {type(failure).__name__}: {failure}" in str(error)
    assert sub.counters["requests failed: onchain_disputes"] == 2
    assert sub.jobs.counters["call failed: onchain_disputes"] == 2
    assert sub.jobs.counters["jobs crashed"] == 0
    assert_no_future_pending(replies.made)


# -- fault 3: deactivating a leaf with requests queued or parked -----------------------------


def test_fault_3_deactivating_a_leaf_answers_its_queued_and_parked_inherent_requests() -> None:
    async def scenario() -> tuple[ProvisionerSubsystem, list[Any]]:
        replies = _Replies()
        disputes = _GatedDisputes()
        sub = ProvisionerSubsystem(
            chain(RP, RP2), disputes, pre_propose_ms=60_000, request_timeout=None
        )
        overseer = await _provisioner_started(sub, RP, RP2)
        # In the machine, awaiting the timer:
        parked = await _inherent_request(overseer, replies, RP)
        await eventually(lambda: _waiting(sub, RP) and sub.jobs.jobs[RP].inbox.outstanding != {})
        disputes.hold_next()
        fetching = await _inherent_request(overseer, replies, RP)  # its fetch hangs
        await eventually(lambda: disputes.waiting == 1)
        queued = await _inherent_request(overseer, replies, RP)  # still in the job's inbox
        await eventually(lambda: sub.jobs.jobs[RP].inbox.queued() == (0, 1))
        await overseer.signal(ActiveLeavesUpdate(deactivated=(RP,)))
        outcomes = []
        for reply in (parked, fetching, queued):
            with pytest.raises(ProvisionerError, match=LEAF_DEACTIVATED) as refused:
                await reply
            outcomes.append(refused.value)
        # The other relay parent's job is untouched (its request parks until its timer).
        other = await _inherent_request(overseer, replies, RP2)
        await overseer.stop()
        with pytest.raises(ProvisionerError, match="concluded"):
            await other
        assert_no_future_pending(replies.made)
        return sub, outcomes

    sub, outcomes = asyncio.run(scenario())
    assert len(outcomes) == 3
    assert sub.jobs.counters[f"requests refused: {LEAF_DEACTIVATED}"] == 3


class _GatedChain(InMemoryChain):
    """`validators` at `RP` waits until `release()`: the backing job is still starting."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks = chain(RP, RP2).blocks
        self.gate = asyncio.Event()

    def release(self) -> None:
        self.gate.set()

    async def validators(self, relay_parent: bytes) -> Any:
        if relay_parent == RP:
            await self.gate.wait()
        return await super().validators(relay_parent)


def _backing(
    me: int,
    network: Any,
    runtime: InMemoryChain,
    *,
    validation: Any = None,
    store: Any = None,
    **limits: Any,
) -> CandidateBackingSubsystem:
    return CandidateBackingSubsystem(
        runtime,
        Keystore.from_uris([URIS[me]]),
        validation or InMemoryValidation(runtime, dict.fromkeys(PARAS, toy_validation_function)),
        store or InMemoryAvailabilityStore(),
        network,
        **limits,
    )


async def _backed_request(
    overseer: Overseer, replies: _Replies, relay_parent: bytes
) -> asyncio.Future[Any]:
    reply = replies.new()
    await overseer.send("candidate-backing", ToJob(relay_parent, GetBackedCandidates(reply, ())))
    return reply


def test_fault_3_deactivating_a_leaf_answers_its_queued_backed_candidates_requests() -> None:
    async def scenario() -> tuple[CandidateBackingSubsystem, _Replies]:
        replies = _Replies()
        runtime = _GatedChain()
        sub = _backing(4, FakeNetwork(), runtime)
        overseer = await _backing_started(sub, RP, RP2)
        queued = [await _backed_request(overseer, replies, RP) for _ in range(3)]
        await eventually(lambda: sub.jobs.jobs[RP].inbox.queued() == (0, 3))
        assert await (await _backed_request(overseer, replies, RP2)) == ()
        await overseer.signal(ActiveLeavesUpdate(deactivated=(RP,)))
        for reply in queued:
            with pytest.raises(BackingError, match=LEAF_DEACTIVATED):
                await reply
        assert await (await _backed_request(overseer, replies, RP2)) == ()
        await overseer.stop()
        return sub, replies

    sub, replies = asyncio.run(scenario())
    assert_no_future_pending(replies.made)
    assert sub.jobs.counters[f"requests refused: {LEAF_DEACTIVATED}"] == 3
    assert sub.jobs.dropped[LEAF_DEACTIVATED] == 3


# -- fault 4: a hung runtime call stalls one relay parent, never the subsystem ---------------


def test_fault_4_a_hung_runtime_call_delays_only_its_own_relay_parent() -> None:
    async def scenario() -> tuple[ProvisionerSubsystem, _Replies, str]:
        replies = _Replies()
        runtime = _FaultyChain(None)
        sub = ProvisionerSubsystem(
            runtime, InMemoryDisputeCoordinator(), pre_propose_ms=0, call_timeout=0.3
        )
        overseer = await _provisioner_started(sub, RP, RP2)
        hung = await _inherent_request(overseer, replies, RP)
        await eventually(lambda: runtime.hung == 1)
        # Far more than the job's and the overseer's inboxes hold: the subsystem never waits.
        for v in range(3 * (sub.jobs.capacity + overseer.capacity)):
            await overseer.send("provisioner", ToJob(RP, _bitfield(v)))
        refused = await _inherent_request(overseer, replies, RP)
        with pytest.raises(ProvisionerError, match=INBOX_FULL):
            await refused
        other = await _inherent_request(overseer, replies, RP2)
        assert isinstance(await other, ProvisionerInherentData)
        assert not hung.done()  # RP2 was served while RP's call still hung
        with pytest.raises(ProvisionerError, match="onchain_disputes") as timed_out:
            await hung
        await overseer.stop()
        return sub, replies, str(timed_out.value)

    sub, replies, why = asyncio.run(scenario())
    assert "did not answer within 300 ms" in why
    assert sub.jobs.counters["call timed out: onchain_disputes"] == 1
    assert sub.counters["requests failed: onchain_disputes"] == 1
    assert sub.jobs.dropped[INBOX_FULL] >= 1
    assert sub.jobs.counters[f"requests refused: {INBOX_FULL}"] == 1
    assert_no_future_pending(replies.made)


# -- fault 5: background failures end in a defined state, never an Invalid vote --------------


class _RaisingValidation:
    """A validation that raises a bug, not `ValidationCouldNotRun`, for para 100."""

    def __init__(self, runtime: InMemoryChain) -> None:
        self.inner = InMemoryValidation(runtime, dict.fromkeys(PARAS, toy_validation_function))

    async def validate(self, relay_parent: bytes, candidate: CandidateReceipt, pov: PoV) -> Any:
        if candidate.descriptor.para_id == 100:
            raise KeyError("a bug in the validation host")
        return await self.inner.validate(relay_parent, candidate, pov)


class _BrokenStore(InMemoryAvailabilityStore):
    """A store whose writes fail with a bug, not an erasure-root mismatch."""

    async def store_available_data(self, *args: Any, **kwargs: Any) -> None:
        raise ValueError("a bug in the store, not the candidate's fault")


class _BuggyNetwork(FakeNetwork):
    """A network whose PoV fetch from validator 0 raises a bug."""

    async def fetch_pov(self, from_validator: int, rp: bytes, h: bytes, pov_hash: bytes) -> PoV:
        if from_validator == 0:
            self.fetches.append(from_validator)
            raise AttributeError("a bug in the network")
        return await super().fetch_pov(from_validator, rp, h, pov_hash)


def _second_para_100_and_check(
    sub: CandidateBackingSubsystem, network: FakeNetwork, *, via_statement: bool = False
) -> CandidateBackingSubsystem:
    collation = collator(100).collate(RP, validation_data(100), 6)

    async def scenario() -> None:
        replies = _Replies()
        overseer = await _backing_started(sub, RP, RP2)
        if via_statement:
            event: Any = ReceiveStatement(sign(0, Seconded(collation.committed)))
        else:
            event = Second(collation.receipt, collation.pov)
        await overseer.send("candidate-backing", ToJob(RP, event))
        await eventually(lambda: sub.jobs.idle() and RP in sub.job_states)
        state = sub.job_state(RP)
        assert state is not None and collation.candidate_hash not in state.work
        assert network.shared == []  # no statement at all: neither Seconded, Valid nor Invalid
        assert await (await _backed_request(overseer, replies, RP2)) == ()
        await overseer.stop()
        assert_no_future_pending(replies.made)

    asyncio.run(scenario())
    return sub


def test_fault_5_a_validation_that_raises_gives_validation_failed_and_no_statement() -> None:
    runtime = chain(RP, RP2)
    network = FakeNetwork()
    sub = _backing(0, network, runtime, validation=_RaisingValidation(runtime))
    _second_para_100_and_check(sub, network)
    assert sub.counters["validations raised"] == 1


def test_fault_5_a_store_bug_is_an_internal_error_never_an_invalid_vote() -> None:
    runtime = chain(RP, RP2)
    network = FakeNetwork()
    sub = _backing(0, network, runtime, store=_BrokenStore())
    _second_para_100_and_check(sub, network)
    assert sub.counters["availability store failed"] == 1
    assert sub.counters["available data refused"] == 0


def test_fault_5_a_pov_fetch_that_raises_counts_as_that_validator_not_serving_it() -> None:
    collation = collator(100).collate(RP, validation_data(100), 6)
    network = _BuggyNetwork(collation.pov, serves=(1,))
    sub = _backing(2, network, chain(RP, RP2))
    _second_para_100_and_check(sub, network, via_statement=True)
    assert network.fetches == [0]
    assert sub.counters["pov fetches failed unexpectedly"] == 1


# -- fault 10: the elapsed-time limit takes the documented fallback --------------------------


class _SlowToAnswerDisputes(InMemoryDisputeCoordinator):
    """`recent_disputes` waits until released: past any elapsed-time limit."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.gate = asyncio.Event()

    async def recent_disputes(self) -> Any:
        self.calls += 1
        if self.calls == 1:
            await self.gate.wait()
        return await super().recent_disputes()


def test_fault_10_past_the_time_limit_the_author_gets_an_empty_inherent_not_an_error() -> None:
    async def scenario() -> tuple[ProvisionerSubsystem, _Replies, Any]:
        replies = _Replies()
        disputes = _SlowToAnswerDisputes()
        sub = ProvisionerSubsystem(
            chain(RP, RP2), disputes, pre_propose_ms=0, request_timeout=0.05, call_timeout=None
        )
        overseer = await _provisioner_started(sub, RP, RP2)
        late = await _inherent_request(overseer, replies, RP)
        data = await late
        other = await _inherent_request(overseer, replies, RP2)
        assert isinstance(await other, ProvisionerInherentData)
        await overseer.stop()
        return sub, replies, data

    sub, replies, data = asyncio.run(scenario())
    assert data == ProvisionerInherentData()
    assert data.bitfields == () and data.backed_candidates == () and data.disputes == ()
    assert sub.counters["inherent fallback: time limit"] == 1
    assert sub.counters["inherents served"] == 1
    assert_no_future_pending(replies.made)


def test_fault_10_without_a_time_limit_a_slow_inherent_is_still_served_in_full() -> None:
    async def scenario() -> tuple[ProvisionerSubsystem, Any]:
        disputes = _SlowToAnswerDisputes()
        sub = ProvisionerSubsystem(
            chain(), disputes, pre_propose_ms=0, request_timeout=None, call_timeout=None
        )
        overseer = await _provisioner_started(sub, RP)
        await overseer.send("provisioner", ToJob(RP, _bitfield(0)))
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        await overseer.send("provisioner", ToJob(RP, RequestInherentData(reply)))
        await eventually(lambda: disputes.calls == 1)
        await asyncio.sleep(0.06)  # longer than the limit the other test sets
        disputes.gate.set()
        data = await reply
        await overseer.stop()
        return sub, data

    sub, data = asyncio.run(scenario())
    assert len(data.bitfields) == 1
    assert sub.counters["inherent fallback: time limit"] == 0


# -- the flood: 10,000 messages at one job, its timer firing, requests parked ----------------


def test_a_flood_at_one_job_while_its_timer_fires_leaves_every_request_answered() -> None:
    async def scenario() -> tuple[ProvisionerSubsystem, _Replies, list[Any]]:
        replies = _Replies()
        sub = ProvisionerSubsystem(chain(RP, RP2), InMemoryDisputeCoordinator(), pre_propose_ms=20)
        overseer = await _provisioner_started(sub, RP, RP2)
        requests = []
        for i in range(10_000):
            if i % 500 == 0:
                requests.append(await _inherent_request(overseer, replies, RP))
            else:
                await overseer.send("provisioner", ToJob(RP, _bitfield(i)))
        other = await _inherent_request(overseer, replies, RP2)
        outcomes = list(await asyncio.gather(*requests, return_exceptions=True))
        assert isinstance(await other, ProvisionerInherentData)
        await overseer.stop()
        return sub, replies, outcomes

    sub, replies, outcomes = asyncio.run(scenario())
    assert_no_future_pending(replies.made)
    assert len(outcomes) == 20
    for outcome in outcomes:
        assert isinstance(outcome, ProvisionerInherentData) or (
            isinstance(outcome, ProvisionerError) and INBOX_FULL in str(outcome)
        )
    served = sum(isinstance(o, ProvisionerInherentData) for o in outcomes)
    refused = sub.jobs.counters[f"requests refused: {INBOX_FULL}"]
    assert served + refused == 20 and served >= 1
    assert sub.counters["inherents served"] == served + 1
    # Every message is accounted for: taken by the job or dropped by reason.
    taken = sub.counters["received ReceiveBitfield"]
    assert taken + sub.jobs.dropped[INBOX_FULL] == 10_000 - 20 + refused


def test_after_a_stop_that_had_to_cancel_the_subsystem_no_request_is_left_pending() -> None:
    # The overseer's stop() gives up waiting and cancels: jobs and queued requests still answered.
    async def scenario() -> tuple[ProvisionerSubsystem, _Replies]:
        replies = _Replies()
        disputes = _GatedDisputes()
        sub = ProvisionerSubsystem(
            chain(RP, RP2),
            disputes,
            pre_propose_ms=0,
            request_timeout=None,
            call_timeout=None,
            conclude_grace=30.0,
        )
        overseer = await _provisioner_started(sub, RP, RP2)
        await eventually(lambda: _waiting(sub, RP))
        disputes.hold_next()
        await _inherent_request(overseer, replies, RP)  # its fetch hangs: the job never concludes
        await eventually(lambda: disputes.waiting == 1)
        await _inherent_request(overseer, replies, RP)  # queued behind it
        await overseer.stop(timeout=0.1)
        return sub, replies

    sub, replies = asyncio.run(scenario())
    assert_no_future_pending(replies.made)
    assert sub.jobs.counters["requests refused: subsystem concluded"] == 2
