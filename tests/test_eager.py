# Eager starts: a coroutine runs at once in the caller, and becomes a task only when it waits;
# what it sees of waits, exceptions and cancellation is what it would see in a task.
from __future__ import annotations

import asyncio

import pytest

from backable.shell.overseer.eager import start_eagerly


def test_a_coroutine_that_never_waits_runs_before_the_call_returns() -> None:
    seen: list[str] = []

    async def work() -> None:
        seen.append("ran")

    async def main() -> None:
        assert start_eagerly(work()) is None
        assert seen == ["ran"]

    asyncio.run(main())


def test_a_coroutine_that_waits_is_carried_on_by_a_task() -> None:
    seen: list[object] = []

    async def main() -> None:
        gate: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def work() -> None:
            seen.append("before")
            seen.append(await gate)
            await asyncio.sleep(0)  # a bare yield, as a task allows
            seen.append("after")

        task = start_eagerly(work())
        assert isinstance(task, asyncio.Task) and seen == ["before"]
        gate.set_result(7)
        await task
        assert seen == ["before", 7, "after"]

    asyncio.run(main())


def test_an_exception_before_the_first_wait_reaches_the_caller() -> None:
    async def work() -> None:
        raise KeyError("at once")

    async def main() -> None:
        with pytest.raises(KeyError, match="at once"):
            start_eagerly(work())

    asyncio.run(main())


def test_an_exception_after_a_wait_ends_the_task_with_it() -> None:
    async def main() -> None:
        gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def work() -> None:
            await gate

        task = start_eagerly(work())
        assert task is not None
        gate.set_exception(ValueError("from the future"))  # thrown into the coroutine
        with pytest.raises(ValueError, match="from the future"):
            await task

    asyncio.run(main())


def test_cancelling_the_task_cancels_the_coroutine_where_it_waits() -> None:
    seen: list[str] = []

    async def main() -> None:
        gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def work() -> None:
            try:
                await gate
            except asyncio.CancelledError:
                seen.append("cancelled")
                raise
            finally:
                seen.append("cleaned up")

        task = start_eagerly(work())
        assert task is not None
        await asyncio.sleep(0)  # the task now waits on the gate
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert gate.cancelled()  # as a task's cancel cancels what it waits on
        assert seen == ["cancelled", "cleaned up"]

    asyncio.run(main())
