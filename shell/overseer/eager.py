# Starting background work eagerly: run a coroutine at once, in the caller, and make it a task
# only if it has to wait. (Python 3.12's `asyncio.eager_task_factory` does this for a whole
# loop; the package supports 3.11, and wants it only where it chose to.)
#
# Why: a backing job's effects (share a statement, hand a backed candidate to the provisioner,
# import into the dispute coordinator) are each a coroutine whose collaborator usually answers
# without waiting: an in-process network, an inbox with room, an in-memory store. As tasks they
# cost a task, a context and several turns of the event loop each, tens of thousands of times
# a simulated block; run eagerly they cost a function call, and only the ones that really wait
# (a full inbox, a network delay, a slow collaborator) become tasks.
#
# The difference a caller can see: the coroutine's first steps run before `start_eagerly`
# returns, not at the loop's next turn.
from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any

__all__ = ["start_eagerly"]


class _Resume:
    """Awaiting this carries on a coroutine that has already run up to its first wait (on
    `waiting_on`, which it yielded): the task hands that future's outcome, a cancellation or
    anything thrown, on to the coroutine exactly as if it had driven it from the start."""

    __slots__ = ("_coro", "_waiting_on")

    def __init__(self, coro: Coroutine[Any, Any, None], waiting_on: Any) -> None:
        self._coro = coro
        self._waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, None]:
        coro, pending = self._coro, self._waiting_on
        while True:
            try:
                sent = yield pending
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as thrown:  # a cancellation, or an exception thrown in
                try:
                    pending = coro.throw(thrown)
                except StopIteration:
                    return
            else:
                try:
                    pending = coro.send(sent)
                except StopIteration:
                    return


def start_eagerly(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """Run `coro` now, up to its first wait. None if it finished without waiting (whatever it
    raised propagates, as a direct call's would); otherwise the task that carries it on (must
    be called with an event loop running)."""
    try:
        waiting_on = coro.send(None)
    except StopIteration:
        return None
    except BaseException:
        coro.close()
        raise

    async def carry_on() -> None:
        await _Resume(coro, waiting_on)

    return asyncio.get_running_loop().create_task(carry_on())
