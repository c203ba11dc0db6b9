# The Candidate Backing subsystem with real asyncio: signatures are checked before the table,
# PoV fetches retry from the next voucher, leaves end jobs, a crashed job is isolated.
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backable.core import (
    ActivatedLeaf,
    ActiveLeavesUpdate,
    GetBackedCandidates,
    PoV,
    ReceiveStatement,
    Second,
    Seconded,
    SignedStatement,
    Valid,
)
from backable.shell.collaborators.availability_store import InMemoryAvailabilityStore
from backable.shell.collaborators.keystore import Keystore
from backable.shell.collaborators.network import PoVFetchError
from backable.shell.collaborators.runtime_api import InMemoryChain
from backable.shell.collaborators.validation import InMemoryValidation
from backable.shell.overseer.bus import Overseer
from backable.shell.overseer.messages import ToJob
from backable.shell.sim.collator import toy_validation_function
from backable.shell.subsystems.backing import CandidateBackingSubsystem
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


class FakeNetwork:
    """Records what is shared; serves PoVs only from the validators in `serves`."""

    def __init__(self, pov: PoV | None = None, serves: tuple[int, ...] = ()) -> None:
        self.pov = pov
        self.serves = serves
        self.shared: list[SignedStatement] = []
        self.fetches: list[int] = []

    async def share_statement(
        self, from_validator: int, relay_parent: bytes, s: SignedStatement
    ) -> None:
        self.shared.append(s)

    async def fetch_pov(self, from_validator: int, rp: bytes, h: bytes, pov_hash: bytes) -> PoV:
        self.fetches.append(from_validator)
        if from_validator not in self.serves or self.pov is None:
            raise PoVFetchError(f"validator {from_validator} does not answer")
        return self.pov


def _subsystem(
    me: int, network: Any, runtime: InMemoryChain | None = None
) -> CandidateBackingSubsystem:
    runtime = runtime or chain()
    return CandidateBackingSubsystem(
        runtime,
        Keystore.from_uris([URIS[me]]),
        InMemoryValidation(runtime, dict.fromkeys(PARAS, toy_validation_function), in_process=True),
        InMemoryAvailabilityStore(),
        network,
    )


async def _started(sub: CandidateBackingSubsystem, *leaves: bytes) -> Overseer:
    overseer = Overseer()
    overseer.register(sub)
    await overseer.start()
    await overseer.signal(ActiveLeavesUpdate(activated=tuple(ActivatedLeaf(h, 1) for h in leaves)))
    await eventually(lambda: sub.jobs.counters["jobs started"] >= len(leaves))
    return overseer


async def _backed(overseer: Overseer, hashes: tuple[bytes, ...], rp: bytes = RP) -> tuple[Any, ...]:
    reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    await overseer.send("candidate-backing", ToJob(rp, GetBackedCandidates(reply, hashes)))
    return await reply


def test_a_statement_with_a_forged_signature_is_rejected_and_changes_nothing() -> None:
    collation = collator(100).collate(RP, validation_data(100), 6)
    genuine = sign(0, Seconded(collation.committed))
    forged = SignedStatement(genuine.statement, 1, genuine.signature)  # 0's signature, claimed by 1
    out_of_range = SignedStatement(genuine.statement, 6, genuine.signature)

    async def scenario() -> CandidateBackingSubsystem:
        sub = _subsystem(4, FakeNetwork())  # validator 4: not in para 100's group, no fetches
        overseer = await _started(sub, RP)
        await overseer.send("candidate-backing", ToJob(RP, ReceiveStatement(forged)))
        await overseer.send("candidate-backing", ToJob(RP, ReceiveStatement(out_of_range)))
        await eventually(lambda: sum(sub.rejected.values()) == 2)
        assert sub.job_states.get(RP) is None or sub.job_states[RP].table.candidate_hashes() == ()
        await overseer.send("candidate-backing", ToJob(RP, ReceiveStatement(genuine)))
        await eventually(lambda: sub.counters["statements imported"] == 1)
        await overseer.stop()
        return sub

    sub = asyncio.run(scenario())
    assert sub.stats()["rejected_statements"] == {
        "bad signature": 1,
        "validator index out of range": 1,
    }
    assert sub.job_states[RP].table.candidate_hashes() == (collation.candidate_hash,)


def test_a_pov_fetch_failing_from_the_first_backer_succeeds_from_the_second() -> None:
    collation = collator(100).collate(RP, validation_data(100), 6)
    network = FakeNetwork(collation.pov, serves=(1,))

    async def scenario() -> CandidateBackingSubsystem:
        sub = _subsystem(2, network)  # validator 2, in para 100's group with 0 and 1
        overseer = await _started(sub, RP)
        first = ReceiveStatement(sign(0, Seconded(collation.committed)))
        await overseer.send("candidate-backing", ToJob(RP, first))
        await eventually(lambda: network.fetches == [0] and sub.counters["pov fetches failed"] == 1)
        second = ReceiveStatement(sign(1, Valid(collation.candidate_hash)))
        await overseer.send("candidate-backing", ToJob(RP, second))
        await eventually(lambda: len(network.shared) == 1)
        backed = await _backed(overseer, (collation.candidate_hash,))
        await overseer.stop()
        assert len(backed) == 1 and len(backed[0].validity_votes) == 3
        return sub

    sub = asyncio.run(scenario())
    assert network.fetches == [0, 1]
    assert sub.counters["validations started"] == 1
    (ours,) = network.shared
    assert ours.statement == Valid(collation.candidate_hash) and ours.validator_index == 2


def test_seconding_validates_stores_signs_and_shares() -> None:
    collation = collator(100).collate(RP, validation_data(100), 6)
    network = FakeNetwork()

    async def scenario() -> CandidateBackingSubsystem:
        sub = _subsystem(0, network)
        overseer = await _started(sub, RP)
        second = ToJob(RP, Second(collation.receipt, collation.pov))
        await overseer.send("candidate-backing", second)
        await eventually(lambda: len(network.shared) == 1)
        await overseer.stop()
        return sub

    sub = asyncio.run(scenario())
    (ours,) = network.shared
    assert ours.statement == Seconded(collation.committed)
    assert sub.store.available_data(collation.candidate_hash) is not None  # type: ignore[attr-defined]
    assert sub.pov_source(collation.candidate_hash) == collation.pov


def test_an_invalid_candidate_we_were_asked_to_second_is_reported_and_voted_invalid() -> None:
    collation = collator(100).collate(RP, validation_data(100), 6, invalid=True)
    network = FakeNetwork()

    async def scenario() -> CandidateBackingSubsystem:
        sub = _subsystem(0, network)
        overseer = await _started(sub, RP)
        second = ToJob(RP, Second(collation.receipt, collation.pov))
        await overseer.send("candidate-backing", second)
        await eventually(lambda: len(network.shared) == 1)
        await overseer.stop()
        return sub

    sub = asyncio.run(scenario())
    assert [c.hash() for _, c in sub.invalid_reports] == [collation.candidate_hash]
    assert network.shared[0].statement.__class__.__name__ == "Invalid"


def test_a_deactivated_leaf_ends_its_backing_job_and_later_requests_get_nothing() -> None:
    async def scenario() -> None:
        sub = _subsystem(0, FakeNetwork(), chain(RP, RP2))
        overseer = await _started(sub, RP, RP2)
        await eventually(lambda: len(sub.jobs.jobs) == 2)
        await overseer.signal(ActiveLeavesUpdate(deactivated=(RP,)))
        await eventually(lambda: set(sub.jobs.jobs) == {RP2})
        assert await _backed(overseer, (b"\x01" * 32,)) == ()
        await overseer.stop()
        assert sub.jobs.dropped["no job for relay parent"] == 1

    asyncio.run(scenario())


class _CrashingValidatorsChain(InMemoryChain):
    async def validators(self, relay_parent: bytes) -> Any:
        if relay_parent == RP:
            raise ZeroDivisionError("a bug in a collaborator")
        return await super().validators(relay_parent)


def test_a_crashed_backing_job_leaves_the_others_running() -> None:
    collation = collator(100).collate(RP2, validation_data(100), 6)
    network = FakeNetwork()

    async def scenario() -> CandidateBackingSubsystem:
        crashing = _CrashingValidatorsChain()
        crashing.blocks = chain(RP, RP2).blocks
        sub = _subsystem(0, network, crashing)
        overseer = await _started(sub, RP, RP2)
        await eventually(lambda: sub.jobs.counters["jobs crashed"] == 1)
        second = ToJob(RP2, Second(collation.receipt, collation.pov))
        await overseer.send("candidate-backing", second)
        await eventually(lambda: len(network.shared) == 1)
        await overseer.stop()
        return sub

    sub = asyncio.run(scenario())
    assert set(sub.job_states) == {RP2}


def test_observers_see_rejections_misbehaviour_and_job_states_through_read_only_views() -> None:
    collation = collator(100).collate(RP, validation_data(100), 6)
    genuine = sign(0, Seconded(collation.committed))
    forged = SignedStatement(genuine.statement, 1, genuine.signature)

    async def scenario() -> CandidateBackingSubsystem:
        sub = _subsystem(4, FakeNetwork())
        overseer = await _started(sub, RP)
        await overseer.send("candidate-backing", ToJob(RP, ReceiveStatement(forged)))
        await overseer.send("candidate-backing", ToJob(RP, ReceiveStatement(genuine)))
        await eventually(lambda: sub.counters["statements imported"] == 1)
        await overseer.stop()
        return sub

    sub = asyncio.run(scenario())
    assert sub.rejections == ((RP, "bad signature", forged),)
    assert dict(sub.rejected_by_reason) == {"bad signature": 1}
    with pytest.raises(TypeError):
        sub.rejected_by_reason["bad signature"] = 0  # type: ignore[index]
    assert sub.misbehaviour_found == ()
    state = sub.job_state(RP)
    assert state is not None and state.table.candidate_hashes() == (collation.candidate_hash,)
    assert sub.job_state(RP2) is None


def test_an_offered_pov_is_served_to_peers() -> None:
    sub = _subsystem(4, FakeNetwork())
    pov = PoV(b"offered")
    assert sub.pov_source(b"\x01" * 32) is None
    sub.offer_pov(b"\x01" * 32, pov)
    assert sub.pov_source(b"\x01" * 32) == pov

def test_a_request_whose_id_is_not_a_future_is_dropped_and_counted() -> None:
    # Through the shell a request's id is the future that receives the reply.
    async def scenario() -> CandidateBackingSubsystem:
        sub = _subsystem(0, FakeNetwork())
        overseer = await _started(sub, RP)
        await overseer.send("candidate-backing", ToJob(RP, GetBackedCandidates(7, ())))
        await eventually(lambda: sum(sub.jobs.dropped.values()) == 1)
        await overseer.stop()
        return sub

    assert asyncio.run(scenario()).stats()["dropped"] == {"request id is not a future": 1}
