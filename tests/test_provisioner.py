# The Provisioner subsystem with real asyncio: the pre-propose delay (as a parameter), requests
# with no job, deactivation, Conclude with a hanging job, a crashed job, subscribers, time limits.
from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from backable.core import (
    ActivatedLeaf,
    ActiveLeavesUpdate,
    BitVec,
    ProvisionerInherentData,
    ReceiveBitfield,
    RequestInherentData,
    SignedAvailabilityBitfield,
    Subscribe,
)
from backable.shell.collaborators.dispute_coordinator import InMemoryDisputeCoordinator
from backable.shell.collaborators.runtime_api import InMemoryChain
from backable.shell.overseer.bus import Overseer
from backable.shell.overseer.messages import ProvisionerError, ToJob
from backable.shell.subsystems.provisioner import ProvisionerSubsystem
from tests.shell_fixtures import RP, RP2, chain, eventually


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
