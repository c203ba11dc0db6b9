# Faults 5 (its validation half) and 6 of issue 11, through the public shell API: validation
# functions run in worker processes under a hard time limit, so a function that loops is killed
# at the limit (answered "hard timeout", the node's verdict) while the event loop, other
# validations and other relay parents go on; a function that raises, or a worker that dies, is an
# internal error (`ValidationCouldNotRun`), never a verdict. Worker start-up is the cost here, so
# the module shares one pool (two workers, a 0.5 s limit) wherever a test does not close it.
from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator

import pytest

from backable.core import (
    ActivatedLeaf,
    ActiveLeavesUpdate,
    BackableError,
    CandidateCommitments,
    CandidateInvalid,
    CandidateValid,
    PersistedValidationData,
    PoV,
    Second,
)
from backable.shell import (
    CANDIDATE_BACKING,
    InMemoryValidation,
    InProcessNetwork,
    InvalidValidationSetting,
    Keystore,
    Node,
    ToJob,
    ValidationCouldNotRun,
    toy_validation_function,
)
from tests.shell_fixtures import PARAS, RP, URIS, chain, collator, eventually, validation_data

LIMIT = 0.5


def behaving(pov: PoV, pvd: PersistedValidationData) -> CandidateCommitments | None:
    # The toy para's function, misbehaving as the block's last bytes say.
    block = pov.block_data
    if block.endswith(b"loop"):
        while True:
            pass
    if block.endswith(b"raise"):
        raise ValueError("a bug in the validation function")
    if block.endswith(b"hang"):
        time.sleep(60)
    return toy_validation_function(pov, pvd)


def _candidate(para: int = 100, payload: bytes = b""):  # type: ignore[no-untyped-def]
    return collator(para).collate(RP, validation_data(para), 6, payload=payload)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def validation() -> Iterator[InMemoryValidation]:
    v = InMemoryValidation(chain(), dict.fromkeys(PARAS, behaving), workers=2, timeout=LIMIT)
    v.start()
    yield v
    v.close()


def test_a_looping_function_is_a_hard_timeout_while_the_loop_and_other_workers_go_on(
    validation: InMemoryValidation,
) -> None:
    pool = validation.pool
    assert pool is not None
    looping, good = _candidate(payload=b"loop"), _candidate(200)
    before = dict(pool.counters)

    async def main() -> None:
        ticks = 0
        hung = asyncio.create_task(validation.validate(RP, looping.receipt, looping.pov))
        await eventually(lambda: len(pool.busy_pids()) == 1)
        (looping_pid,) = pool.busy_pids()
        # Another validation completes in the other worker, and the loop keeps ticking, while
        # the looping function still runs.
        assert await validation.validate(RP, good.receipt, good.pov) == CandidateValid(
            good.candidate_hash, good.committed.commitments, validation_data(200)
        )
        while not hung.done():
            ticks += 1
            await asyncio.sleep(0.01)
        assert ticks > 1
        assert hung.result() == CandidateInvalid(looping.candidate_hash, "hard timeout")
        # The looping worker was killed and replaced.
        assert not _alive(looping_pid) and looping_pid not in pool.pids()
        assert len(pool.pids()) == 2

    asyncio.run(main())
    assert pool.counters["hard timeouts"] == before["hard timeouts"] + 1
    assert pool.counters["workers started"] == before["workers started"] + 1


def test_in_workers_a_block_the_function_rejects_is_invalid_as_in_process(
    validation: InMemoryValidation,
) -> None:
    c = collator(100).collate(RP, validation_data(100), 6, invalid=True)
    in_process = InMemoryValidation(chain(), dict.fromkeys(PARAS, behaving), in_process=True)
    verdicts = [asyncio.run(v.validate(RP, c.receipt, c.pov)) for v in (validation, in_process)]
    assert verdicts[0] == verdicts[1]
    assert isinstance(verdicts[0], CandidateInvalid)
    assert verdicts[0].reason.startswith("ExecutionError")


def test_a_function_that_raises_gives_no_verdict_and_its_worker_serves_on(
    validation: InMemoryValidation,
) -> None:
    pool = validation.pool
    assert pool is not None
    raising, good = _candidate(payload=b"raise"), _candidate()
    pids = set(pool.pids())

    async def main() -> None:
        with pytest.raises(ValidationCouldNotRun, match="raised ValueError: a bug in the"):
            await validation.validate(RP, raising.receipt, raising.pov)
        assert isinstance(await validation.validate(RP, good.receipt, good.pov), CandidateValid)

    asyncio.run(main())
    assert set(pool.pids()) == pids


def test_a_worker_killed_from_outside_is_replaced_and_reported_as_could_not_run(
    validation: InMemoryValidation,
) -> None:
    pool = validation.pool
    assert pool is not None
    hanging, good = _candidate(payload=b"hang"), _candidate()

    async def main() -> None:
        hung = asyncio.create_task(validation.validate(RP, hanging.receipt, hanging.pov))
        await eventually(lambda: len(pool.busy_pids()) == 1)
        (pid,) = pool.busy_pids()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(ValidationCouldNotRun, match=f"worker {pid} died \\(exit code -9\\)"):
            await hung
        assert pid not in pool.pids() and len(pool.pids()) == 2
        assert isinstance(await validation.validate(RP, good.receipt, good.pov), CandidateValid)

    asyncio.run(main())


def test_a_cancelled_validation_kills_its_worker_and_the_pool_serves_on(
    validation: InMemoryValidation,
) -> None:
    # A caller's own time limit (the backing subsystem's) cancels the call: the worker still runs
    # the function, so it cannot be reused and is replaced.
    pool = validation.pool
    assert pool is not None
    hanging, good = _candidate(payload=b"hang"), _candidate()

    async def main() -> None:
        task = asyncio.create_task(validation.validate(RP, hanging.receipt, hanging.pov))
        await eventually(lambda: len(pool.busy_pids()) == 1)
        (pid,) = pool.busy_pids()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not _alive(pid) and len(pool.pids()) == 2
        assert isinstance(await validation.validate(RP, good.receipt, good.pov), CandidateValid)

    asyncio.run(main())


def test_requests_beyond_the_pool_wait_for_a_worker() -> None:
    good = [_candidate(para) for para in (100, 200, 100)]
    v = InMemoryValidation(chain(), dict.fromkeys(PARAS, behaving), workers=1, timeout=5.0)

    async def main() -> list[object]:
        async with v:
            return list(await asyncio.gather(*(v.validate(RP, c.receipt, c.pov) for c in good)))

    assert all(isinstance(r, CandidateValid) for r in asyncio.run(main()))
    assert v.pool is not None and v.pool.counters["workers started"] == 1


def test_a_function_that_cannot_be_pickled_is_refused_at_construction() -> None:
    with pytest.raises(InvalidValidationSetting, match="must be picklable") as e:
        InMemoryValidation(chain(), {100: lambda pov, pvd: None})
    assert isinstance(e.value, BackableError)
    # In process, any callable will do.
    InMemoryValidation(chain(), {100: lambda pov, pvd: None}, in_process=True)


@pytest.mark.parametrize(("setting", "value"), [("workers", 0), ("timeout", 0.0)])
def test_a_pool_needs_a_worker_and_a_positive_time_limit(setting: str, value: float) -> None:
    with pytest.raises(InvalidValidationSetting):
        InMemoryValidation(chain(), {100: behaving}, **{setting: value})  # type: ignore[arg-type]


def test_no_worker_process_is_left_after_close_and_a_closed_pool_refuses() -> None:
    v = InMemoryValidation(chain(), {100: behaving}, workers=2)
    assert v.pool is not None
    v.start()
    pids = v.pool.pids()
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    v.close()
    v.close()  # idempotent, and needs no event loop
    assert not any(_alive(p) for p in pids) and v.pool.pids() == ()
    c = _candidate()
    with pytest.raises(ValidationCouldNotRun, match="closed"):
        asyncio.run(v.validate(RP, c.receipt, c.pov))


def test_closing_answers_a_validation_in_flight() -> None:
    v = InMemoryValidation(chain(), {100: behaving}, workers=1, timeout=30.0)
    assert v.pool is not None
    pool = v.pool
    hanging = _candidate(payload=b"hang")

    async def main() -> None:
        task = asyncio.create_task(v.validate(RP, hanging.receipt, hanging.pov))
        await eventually(lambda: len(pool.busy_pids()) == 1)
        (pid,) = pool.busy_pids()
        v.close()
        with pytest.raises(ValidationCouldNotRun, match="closed"):
            await task
        assert not _alive(pid)

    asyncio.run(main())


def test_a_looping_validation_stalls_no_node_and_the_candidate_is_found_invalid() -> None:
    # Fault 6 end to end: six nodes in one process share a pool; validator 0's candidate loops,
    # validator 3's (another group, another para) is backed while it still loops; then validator
    # 0 finds its candidate invalid by hard timeout and reports it to candidate selection.
    looping, good = _candidate(100, b"loop"), _candidate(200)
    runtime = chain()
    validation = InMemoryValidation(
        runtime, dict.fromkeys(PARAS, behaving), workers=2, timeout=2 * LIMIT
    )
    pool = validation.pool
    assert pool is not None

    async def main() -> None:
        async with validation:
            # Warm both workers, so the limit measures the function, not a worker's start-up.
            await asyncio.gather(
                *(validation.validate(RP, c.receipt, c.pov) for c in (_candidate(), good))
            )
            network = InProcessNetwork()
            nodes = [
                Node(i, Keystore.from_uris([uri]), runtime, validation, network)
                for i, uri in enumerate(URIS)
            ]
            for node in nodes:
                await node.overseer.start()
                await node.overseer.signal(ActiveLeavesUpdate(activated=(ActivatedLeaf(RP, 1),)))
            await nodes[0].overseer.send(
                CANDIDATE_BACKING, ToJob(RP, Second(looping.receipt, looping.pov))
            )
            await eventually(lambda: len(pool.busy_pids()) == 1)
            await nodes[3].overseer.send(
                CANDIDATE_BACKING, ToJob(RP, Second(good.receipt, good.pov))
            )
            await eventually(lambda: nodes[3].backing.stats()["candidates_backed"] == 1)
            assert pool.counters["hard timeouts"] == 0, "backed while the loop still ran"
            await eventually(lambda: len(nodes[0].backing.invalid_reports) > 0)
            assert list(nodes[0].backing.invalid_reports) == [(RP, looping.receipt)]
            assert nodes[0].backing.counters["candidates found invalid"] == 1
            assert pool.counters["hard timeouts"] == 1
            for node in nodes:
                await node.overseer.stop()

    asyncio.run(main())
    assert pool.pids() == ()
