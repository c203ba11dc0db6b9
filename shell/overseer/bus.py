# The overseer: starts subsystems in one task group, delivers signals (ahead of messages) and
# messages between subsystems over bounded inboxes. A message to a subsystem that is not running
# raises SubsystemNotRunning at the sender: never a silent loss. A caller's mistake with the
# overseer itself (registering twice or late, starting twice, no capacity) raises OverseerError.
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

from backable.core import BackableError, Conclude
from backable.core.signals import Signal

__all__ = [
    "Inbox",
    "Overseer",
    "OverseerError",
    "Subsystem",
    "SubsystemContext",
    "SubsystemNotRunning",
]

log = logging.getLogger("backable.overseer")

DEFAULT_CAPACITY = 64  # JOB_CHANNEL_CAPACITY, polkadot@c4ee9d46 node/subsystem-util/src/lib.rs


class OverseerError(BackableError, RuntimeError):
    """The overseer was used against its contract (the message names the rule broken)."""


class SubsystemNotRunning(OverseerError):
    """A message was sent to a subsystem that is not (or no longer) running."""


class Inbox:
    """Signals (unbounded, first) and messages (bounded: senders wait when it is full), for one
    receiver.

    Waiting is signalled with one future per waiter, woken only when it can go on (the
    receiver when something arrives, a sender when there is room, everyone on close): hundreds
    of nodes in one process pass millions of messages, and a condition variable's lock and
    `notify_all` cost several turns of the event loop for each."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise OverseerError(f"Inbox: capacity must be at least 1, not {capacity}")
        self.capacity = capacity
        self._signals: deque[Signal] = deque()
        self._messages: deque[Any] = deque()
        self._receiver: asyncio.Future[None] | None = None  # the receiver, waiting for an item
        self._senders: deque[asyncio.Future[None]] = deque()  # senders waiting for room, in order
        self.closed = False

    def _wake_receiver(self) -> None:
        waiter = self._receiver
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _wake_senders(self) -> None:
        # As many waiting senders as there is room for (all of them once closed), oldest first.
        room = len(self._senders) if self.closed else self.capacity - len(self._messages)
        while room > 0 and self._senders:
            waiter = self._senders.popleft()
            if not waiter.done():
                waiter.set_result(None)
                room -= 1

    async def put_signal(self, signal: Signal) -> None:
        self._signals.append(signal)
        self._wake_receiver()

    async def put_message(self, message: Any) -> None:
        while not self.closed and len(self._messages) >= self.capacity:
            waiter = asyncio.get_running_loop().create_future()
            self._senders.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake_senders()  # woken and cancelled at once: pass the room on
                else:
                    with contextlib.suppress(ValueError):
                        self._senders.remove(waiter)
                raise
        if self.closed:
            raise SubsystemNotRunning("the receiving inbox closed while the sender waited")
        self._messages.append(message)
        self._wake_receiver()

    async def recv(self) -> Signal | Any:
        while not (self._signals or self._messages):
            waiter = asyncio.get_running_loop().create_future()
            self._receiver = waiter
            try:
                await waiter
            finally:
                self._receiver = None
        if self._signals:
            return self._signals.popleft()
        item = self._messages.popleft()
        if self._senders:
            self._wake_senders()
        return item

    def drain(self) -> list[Any]:
        """Take every queued message (not signals) without waiting: what a concluding subsystem
        never got to, so it can count and answer them."""
        left = list(self._messages)
        self._messages.clear()
        self._wake_senders()
        return left

    async def close(self) -> None:
        self.closed = True
        self._wake_receiver()
        self._wake_senders()

    def __len__(self) -> int:
        return len(self._signals) + len(self._messages)


class Subsystem(Protocol):
    name: str

    async def run(self, ctx: SubsystemContext) -> None: ...


@dataclass
class SubsystemContext:
    """What a running subsystem gets: its inbox and a way to message other subsystems."""

    name: str
    inbox: Inbox
    overseer: Overseer

    async def recv(self) -> Signal | Any:
        return await self.inbox.recv()

    async def send(self, to: str, message: Any) -> None:
        await self.overseer.send(to, message)


class Overseer:
    """Runs subsystems and routes signals and messages between them."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._subsystems: dict[str, Subsystem] = {}
        self._inboxes: dict[str, Inbox] = {}
        self._running: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self._started = asyncio.Event()

    def register(self, subsystem: Subsystem) -> None:
        if subsystem.name in self._subsystems:
            raise OverseerError(f"Overseer: a subsystem named {subsystem.name!r} is registered")
        if self._task is not None:
            raise OverseerError("Overseer: register subsystems before starting")
        self._subsystems[subsystem.name] = subsystem

    def idle(self) -> bool:
        """Every subsystem's inbox is empty."""
        return all(len(inbox) == 0 for inbox in self._inboxes.values())

    def is_running(self, name: str) -> bool:
        return name in self._running

    async def send(self, to: str, message: Any) -> None:
        """Queue `message` for subsystem `to`, waiting while its inbox is full."""
        inbox = self._inboxes.get(to)
        if inbox is None or to not in self._running:
            raise SubsystemNotRunning(
                f"cannot deliver {type(message).__name__} to {to!r}: it is not running"
            )
        await inbox.put_message(message)

    async def signal(self, signal: Signal) -> None:
        """Deliver `signal` to every running subsystem."""
        for name in sorted(self._running):
            await self._inboxes[name].put_signal(signal)

    async def _run_one(self, name: str, subsystem: Subsystem) -> None:
        ctx = SubsystemContext(name, self._inboxes[name], self)
        try:
            await subsystem.run(ctx)
        except Exception:
            log.exception("subsystem %s failed", name)
        finally:
            self._running.discard(name)
            await self._inboxes[name].close()
            log.debug("subsystem %s exited", name)

    async def run(self) -> None:
        """Run every registered subsystem until each has exited."""
        for name in self._subsystems:
            self._inboxes[name] = Inbox(self.capacity)
            self._running.add(name)
        self._started.set()
        async with asyncio.TaskGroup() as group:
            for name, subsystem in self._subsystems.items():
                group.create_task(self._run_one(name, subsystem), name=f"subsystem-{name}")

    async def start(self) -> None:
        """Start `run()` in the background and return once the subsystems accept messages."""
        if self._task is not None:
            raise OverseerError("Overseer: already started")
        self._task = asyncio.create_task(self.run(), name="overseer")
        await self._started.wait()

    async def stop(self, timeout: float = 5.0) -> None:
        """Send Conclude and wait for the subsystems to exit (cancelling them after `timeout`)."""
        await self.signal(Conclude())
        if self._task is None:
            return
        try:
            async with asyncio.timeout(timeout):
                await asyncio.shield(self._task)
        except TimeoutError:
            log.warning("subsystems did not exit within %.1f s of Conclude; cancelling", timeout)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def __aenter__(self) -> Overseer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
