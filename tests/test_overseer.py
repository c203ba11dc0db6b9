from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backable.core import ActiveLeavesUpdate, BackableError, Conclude
from backable.shell.overseer.bus import (
    Inbox,
    Overseer,
    OverseerError,
    SubsystemContext,
    SubsystemNotRunning,
)
from tests.shell_fixtures import eventually


class Recorder:
    """A subsystem that records what it receives until Conclude."""

    def __init__(self, name: str = "recorder") -> None:
        self.name = name
        self.seen: list[Any] = []

    async def run(self, ctx: SubsystemContext) -> None:
        while True:
            item = await ctx.recv()
            self.seen.append(item)
            if isinstance(item, Conclude):
                return


def test_a_message_to_a_subsystem_that_is_not_running_is_an_error_to_the_sender() -> None:
    async def scenario() -> None:
        overseer = Overseer()
        overseer.register(Recorder())
        await overseer.start()
        with pytest.raises(SubsystemNotRunning, match="'nobody'"):
            await overseer.send("nobody", "hello")
        await overseer.stop()
        with pytest.raises(SubsystemNotRunning, match="'recorder': it is not running"):
            await overseer.send("recorder", "too late")

    asyncio.run(scenario())


def test_signals_are_delivered_ahead_of_queued_messages() -> None:
    async def scenario() -> list[Any]:
        inbox = Inbox(capacity=4)
        await inbox.put_message("m1")
        await inbox.put_message("m2")
        await inbox.put_signal(ActiveLeavesUpdate())
        return [await inbox.recv() for _ in range(3)]

    assert asyncio.run(scenario()) == [ActiveLeavesUpdate(), "m1", "m2"]


def test_a_full_inbox_makes_the_sender_wait_until_there_is_room() -> None:
    async def scenario() -> list[str]:
        inbox = Inbox(capacity=1)
        await inbox.put_message("first")
        blocked = asyncio.create_task(inbox.put_message("second"))
        await asyncio.sleep(0)
        assert not blocked.done()
        got = [await inbox.recv()]
        await blocked
        got.append(await inbox.recv())
        return got

    assert asyncio.run(scenario()) == ["first", "second"]


def test_subsystems_get_conclude_and_exit_and_messages_reach_them_in_order() -> None:
    async def scenario() -> Recorder:
        recorder = Recorder()
        overseer = Overseer()
        overseer.register(recorder)
        await overseer.start()
        await overseer.send("recorder", 1)
        await overseer.send("recorder", 2)
        await eventually(lambda: len(recorder.seen) == 2)
        await overseer.stop()
        return recorder

    recorder = asyncio.run(scenario())
    assert recorder.seen[-1] == Conclude()
    assert [x for x in recorder.seen if isinstance(x, int)] == [1, 2]


def test_registering_twice_or_after_start_and_starting_twice_are_overseer_errors() -> None:
    async def scenario() -> None:
        overseer = Overseer()
        overseer.register(Recorder())
        with pytest.raises(OverseerError, match="is registered"):
            overseer.register(Recorder())
        await overseer.start()
        with pytest.raises(OverseerError, match="before starting"):
            overseer.register(Recorder("late"))
        with pytest.raises(OverseerError, match="already started"):
            await overseer.start()
        await overseer.stop()

    asyncio.run(scenario())


def test_an_inbox_without_capacity_is_an_overseer_error_of_the_librarys_family() -> None:
    with pytest.raises(OverseerError, match="capacity must be at least 1, not 0") as refused:
        Inbox(capacity=0)
    assert isinstance(refused.value, BackableError)


def test_a_failing_subsystem_is_logged_and_marked_not_running() -> None:
    class Failing:
        name = "failing"

        async def run(self, ctx: SubsystemContext) -> None:
            raise RuntimeError("boom")

    async def scenario() -> None:
        overseer = Overseer()
        overseer.register(Failing())
        overseer.register(Recorder())
        await overseer.start()
        await asyncio.sleep(0.01)
        assert not overseer.is_running("failing")
        assert overseer.is_running("recorder")
        await overseer.stop()

    asyncio.run(scenario())
