# Validation functions run in worker processes the pool can kill, as Parity's node runs PVFs
# (polkadot-sdk@f9af07d5 polkadot/node/core/pvf/src/execute/queue.rs, `handle_job_finish`: a
# worker that times out is killed and its slot re-spawned; an idle worker is reused). A function
# that loops for ever thus costs one worker for the time limit, never the event loop: the caller
# awaits the worker's pipe with `loop.add_reader`, so no thread and no blocking read is involved.
#
# Workers are long-lived: the functions are pickled once, at construction (a function that cannot
# be pickled is the caller's mistake, refused there), and each worker unpickles them when it
# starts; a request then carries only the para id and the arguments. The pool knows nothing about
# candidates: it reports an execution's outcome (the function's return value, `ExecutionTimedOut`,
# or `ExecutionFailed` when the function raised or the worker died) and `InMemoryValidation` turns
# that into a verdict or a could-not-run.
from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import signal
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from backable.core import BackableError

__all__ = [
    "DEFAULT_BACKING_EXECUTION_TIMEOUT",
    "ExecutionFailed",
    "ExecutionTimedOut",
    "InvalidValidationSetting",
    "PvfWorkerPool",
]

# The node's default PVF execution time limit for backing, in seconds (polkadot-sdk@e9b21580
# polkadot/primitives/src/v9/executor_params.rs, `DEFAULT_BACKING_EXECUTION_TIMEOUT`: 2 s).
DEFAULT_BACKING_EXECUTION_TIMEOUT = 2.0

# How long a terminated worker gets to exit before it is killed outright (seconds).
_GRACE = 0.5
# How long a new worker may take to start and load the functions (seconds): start-up is not
# execution, so it does not count against the hard time limit (the node bounds it apart too,
# polkadot-sdk@f9af07d5 polkadot/node/core/pvf/src/execute/queue.rs, `spawn_timeout`).
_SPAWN_TIMEOUT = 60.0


class InvalidValidationSetting(BackableError, ValueError):
    """A validation function that cannot be sent to a worker process (not picklable: define it
    at module level), or a pool size or time limit out of range."""


class ExecutionTimedOut(BackableError, RuntimeError):
    """The function ran past the hard time limit; its worker was killed."""


class ExecutionFailed(BackableError, RuntimeError):
    """No outcome: the function raised, its result could not be sent back, the worker died, or the
    pool is closed. Names the cause."""


def _default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def _default_context() -> str:
    # forkserver forks workers from a clean single-threaded server (safe beside a running event
    # loop and threads, and cheaper than spawn); spawn where there is no forkserver.
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _worker_main(conn: Connection, blob: bytes) -> None:
    # A worker process: load the functions once, then answer requests until the pipe closes.
    # Ctrl-C is the parent's to handle; it ends the workers through close().
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    functions: Mapping[int, Callable[..., Any]] = {}
    load_error = ""
    try:
        functions = pickle.loads(blob)
    except Exception as e:  # reported on every request: the parent cannot see our import errors
        load_error = f"the validation functions could not be loaded: {type(e).__name__}: {e}"
    conn.send(("ready", load_error))
    while True:
        try:
            key, args = conn.recv()
        except (EOFError, OSError):
            return
        if load_error:
            conn.send(("raised", load_error))
            continue
        try:
            result = functions[key](*args)
        except BaseException as e:  # any failure of the function is an outcome, not our death
            conn.send(("raised", f"{type(e).__name__}: {e}"))
            continue
        try:
            conn.send(("ok", result))
        except Exception as e:  # send pickles before writing, so nothing partial went out
            conn.send(("raised", f"its result could not be sent back: {type(e).__name__}: {e}"))


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    # The reply future of the request in flight, so that close() can answer it.
    pending: asyncio.Future[None] | None = field(default=None)
    # Whether its "ready" message (sent once the functions are loaded) was read.
    ready: bool = False


def _stop(process: BaseProcess, grace: float) -> None:
    # Blocking: terminate, wait `grace`, then kill. Only on close, cancellation and finalisation.
    if process.is_alive():
        process.terminate()
        process.join(grace)
        if process.is_alive():
            process.kill()
    process.join()


def _stop_all(workers: list[_Worker], grace: float) -> None:
    for w in workers:
        _stop(w.process, grace)
        w.conn.close()
    workers.clear()


async def _readable(fd: int, timeout: float | None) -> bool:
    # True once `fd` is readable (data, end of file or a process's exit), False at the time limit.
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, wake)
    try:
        async with asyncio.timeout(timeout):
            await ready
        return True
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)


class PvfWorkerPool:
    """A small pool of long-lived worker processes running `functions[key](*args)` under a hard
    time limit (`timeout`, seconds; the node's 2 s backing limit by default). `workers` processes
    at most (default min(2, CPU count)), started on first use or by `start()`; a worker that
    overruns the limit or dies is killed and replaced. `close()` (or leaving `async with`) stops
    every worker; it is safe without an event loop and idempotent. `counters` counts executions,
    hard timeouts, functions that raised, workers that died and workers started."""

    def __init__(
        self,
        functions: Mapping[int, Callable[..., Any]],
        *,
        workers: int | None = None,
        timeout: float = DEFAULT_BACKING_EXECUTION_TIMEOUT,
        context: str | None = None,
    ) -> None:
        size = _default_workers() if workers is None else workers
        if size < 1:
            raise InvalidValidationSetting(f"a worker pool needs at least one worker, not {size}")
        if not timeout > 0:
            raise InvalidValidationSetting(f"the hard time limit must be positive, not {timeout}")
        try:
            self._blob = pickle.dumps(dict(functions))
        except Exception as e:
            raise InvalidValidationSetting(
                "validation functions run in worker processes and must be picklable "
                f"(module-level functions): {type(e).__name__}: {e}"
            ) from e
        self.size = size
        self.timeout = timeout
        self._ctx: Any = multiprocessing.get_context(context or _default_context())
        if self._ctx.get_start_method() == "forkserver":
            # Workers fork from the server with this package imported, which makes a start cheap.
            # The setting is the stdlib's, per process, and only read when the server starts:
            # keep its default ('__main__') and add ours.
            self._ctx.set_forkserver_preload(["__main__", __name__])
        self._workers: list[_Worker] = []
        self._idle: list[_Worker] = []
        self._waiting: deque[asyncio.Future[_Worker]] = deque()
        self._closed = False
        self.counters: dict[str, int] = dict.fromkeys(
            ("executions", "hard timeouts", "functions raised", "workers died", "workers started"),
            0,
        )
        # Workers die with the pool even if nobody calls close() (garbage collection or exit).
        self._finalizer = weakref.finalize(self, _stop_all, self._workers, _GRACE)

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Start every worker now, rather than on first use."""
        self._check_open()
        while len(self._workers) < self.size:
            self._idle.append(self._spawn())

    def close(self) -> None:
        """Stop every worker and refuse further executions; requests waiting for a worker or in
        flight get `ExecutionFailed`."""
        if self._closed:
            return
        self._closed = True
        gone = ExecutionFailed("the validation worker pool is closed")
        futures: list[asyncio.Future[Any]] = [*self._waiting]
        futures += [w.pending for w in self._workers if w.pending is not None]
        for fut in futures:
            with contextlib.suppress(RuntimeError):  # its event loop may be closed already
                if not fut.done():
                    fut.set_exception(gone)
        self._waiting.clear()
        self._idle.clear()
        self._finalizer()

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> PvfWorkerPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def pids(self) -> tuple[int, ...]:
        """The worker processes' ids, busy or idle (for monitoring and tests)."""
        return tuple(w.process.pid for w in self._workers if w.process.pid is not None)

    def busy_pids(self) -> tuple[int, ...]:
        """The ids of the workers running a function now."""
        return tuple(
            w.process.pid for w in self._workers if w.pending is not None and w.process.pid
        )

    # -- execution --------------------------------------------------------------------------

    async def execute(self, key: int, *args: Any) -> Any:
        """`functions[key](*args)` in a worker: its return value; `ExecutionTimedOut` past the
        hard time limit (the worker is killed and replaced); `ExecutionFailed` naming the cause if
        the function raised, the worker died or the pool is closed."""
        try:
            request = pickle.dumps((key, args))
        except Exception as e:
            raise ExecutionFailed(
                f"the arguments for {key} could not be sent to a worker: {type(e).__name__}: {e}"
            ) from e
        worker = await self._acquire()
        self.counters["executions"] += 1
        loop = asyncio.get_running_loop()
        try:
            if not worker.ready:
                await self._started(worker)
            worker.pending = loop.create_future()
            worker.conn.send_bytes(request)
            if not await self._reply_ready(worker, self.timeout):
                self.counters["hard timeouts"] += 1
                await self._retire(worker)
                raise ExecutionTimedOut(
                    f"the validation function for {key} ran past {self.timeout} s; "
                    "its worker was killed"
                )
            status, value = worker.conn.recv()
        except (ExecutionTimedOut, ExecutionFailed):
            raise
        except (EOFError, OSError) as e:
            # The pipe broke: the worker died (killed from outside, out of memory, a crash).
            self.counters["workers died"] += 1
            code = await self._retire(worker)
            raise ExecutionFailed(
                f"validation worker {worker.process.pid} died (exit code {code}) "
                f"running the function for {key}"
            ) from e
        except BaseException:
            # Cancelled (or worse) mid-request: the worker may still be running the function, so
            # it cannot be reused; kill it now, without awaiting.
            self._discard(worker)
            raise
        worker.pending = None
        self._release(worker)
        if status == "raised":
            self.counters["functions raised"] += 1
            raise ExecutionFailed(f"the validation function for {key} raised {value}")
        return value

    async def _started(self, worker: _Worker) -> None:
        # Wait for a new worker's "ready" (EOFError if it died starting).
        worker.pending = asyncio.get_running_loop().create_future()
        if not await self._reply_ready(worker, _SPAWN_TIMEOUT):
            await self._retire(worker)
            raise ExecutionFailed(f"a validation worker did not start within {_SPAWN_TIMEOUT} s")
        status, _ = worker.conn.recv()
        assert status == "ready", "a worker's first message"
        worker.ready = True

    async def _reply_ready(self, worker: _Worker, timeout: float) -> bool:
        # Wait for the reply without blocking the loop; close() may answer `pending` first.
        assert worker.pending is not None, "set before waiting"
        pending = worker.pending
        loop = asyncio.get_running_loop()
        fd = worker.conn.fileno()

        def wake() -> None:
            if not pending.done():
                pending.set_result(None)

        loop.add_reader(fd, wake)
        try:
            async with asyncio.timeout(timeout):
                await pending
            return True
        except TimeoutError:
            return False
        finally:
            with contextlib.suppress(OSError, ValueError):  # close() may have closed the pipe
                loop.remove_reader(fd)

    # -- workers ----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise ExecutionFailed("the validation worker pool is closed")

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process: BaseProcess = self._ctx.Process(
            target=_worker_main, args=(child, self._blob), daemon=True, name="pvf-worker"
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._workers.append(worker)
        self.counters["workers started"] += 1
        return worker

    async def _acquire(self) -> _Worker:
        self._check_open()
        if self._idle:
            return self._idle.pop()
        if len(self._workers) < self.size:
            return self._spawn()
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            # Handed a worker just as we were cancelled: pass it on.
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result())
            raise

    def _release(self, worker: _Worker) -> None:
        # Hand the worker to the first live waiter, else put it back idle.
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done() and not waiter.get_loop().is_closed():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _forget(self, worker: _Worker) -> None:
        worker.pending = None
        with contextlib.suppress(ValueError):
            self._workers.remove(worker)
        worker.conn.close()
        # Re-spawn the slot at once (the node re-spawns too), so a waiter gets a worker.
        if not self._closed:
            self._release(self._spawn())

    async def _retire(self, worker: _Worker) -> int | None:
        # Terminate, give it `_GRACE` to exit, then kill; the exit code (None if unknown).
        process = worker.process
        if process.is_alive():
            process.terminate()
            if not await _readable(process.sentinel, _GRACE):
                process.kill()
                await _readable(process.sentinel, None)
        process.join()
        self._forget(worker)
        return process.exitcode

    def _discard(self, worker: _Worker) -> None:
        # The same without awaiting, for cancellation: SIGKILL ends it at once, so join is short.
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()
        self._forget(worker)
