# Where a sweep's runs execute: a local process pool (`PoolExecutor`, the standard library's
# `concurrent.futures.ProcessPoolExecutor`) or a Dask cluster (`DaskExecutor`, through
# `dask.distributed`: a scheduler's address, or a `LocalCluster` started for the sweep). Both
# send the same top-level function (`runner.run_one` by default) with one run's `SimParams`, and
# hand back each run's outcome cells as soon as it finishes, in the order runs finish; neither
# has scheduling or network code of its own (Python's concurrent.futures documentation;
# dask.distributed's documentation of `Client.submit`, `as_completed` and `LocalCluster`).
#
# The pool keeps no more runs in flight than it has workers, so that stopping (Ctrl-C, or the
# consumer closing the iterator) cancels nothing but the runs under way, which it ends by ending
# their workers. A worker that dies (killed, out of memory) breaks a process pool: the runs then
# in flight come back failed, naming it, and a new pool takes the rest; the culprit cannot be
# told from its neighbours, so a rerun with `--retry-failed` repeats them all. A Dask cluster
# reschedules its own lost tasks and fails only the one that keeps killing workers.
#
# dask is the optional `cluster` extra: imported only when a Dask executor starts, and typed as
# Any, so the package and its type checks do not need it.
from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from ..sim.report import SimParams
from .runner import failed_outcome, run_one

__all__ = [
    "ClusterFailed",
    "DaskExecutor",
    "DaskUnavailable",
    "Executor",
    "PoolExecutor",
    "RunFunction",
    "default_workers",
    "parse_dask_address",
    "require_dask",
]

RunFunction = Callable[[SimParams], dict[str, str]]
Outcomes = Iterator[tuple[int, dict[str, str]]]


class DaskUnavailable(Exception):
    """`--dask` was asked for but dask.distributed is not installed."""


class ClusterFailed(Exception):
    """The Dask cluster could not be reached or started, or was lost during the sweep (as
    opposed to one run failing on it, which is that run's row); the message says which."""


class Executor(Protocol):
    """Runs a list of simulations and yields `(index in the list, outcome cells)` as each one
    finishes. Closing the iterator early (or an exception inside it, such as Ctrl-C) stops the
    runs under way and cancels the rest; `close()` releases what the executor started."""

    description: str

    def results(self, tasks: Sequence[SimParams]) -> Outcomes: ...

    def close(self) -> None: ...


def default_workers() -> int:
    """The pool's default size: the machine's core count."""
    return os.cpu_count() or 1


def _ignore_interrupts() -> None:
    # A pool worker's initializer: Ctrl-C is the parent's to handle (it ends the workers), so a
    # terminal's SIGINT to the whole process group prints no traceback from each worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _context() -> Any:
    # forkserver forks workers from a clean single-threaded server (safe beside threads, such as
    # a Dask client's, and cheaper than spawn); spawn where there is none. The runner and the
    # engine are imported in the server once, so each worker starts with them loaded.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["__main__", __name__, "backable.shell.sim.engine"])
    return ctx


class PoolExecutor:
    """Runs on `workers` local processes (`concurrent.futures.ProcessPoolExecutor`)."""

    def __init__(self, workers: int | None = None, run: RunFunction = run_one) -> None:
        self.workers = default_workers() if workers is None else workers
        if self.workers < 1:
            raise ValueError(f"a pool needs at least one worker, got {self.workers}")
        self.run = run
        self.description = f"a local process pool of {self.workers} workers"
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        self._stop(gracefully=False)
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=_context(), initializer=_ignore_interrupts
        )
        return self._pool

    def results(self, tasks: Sequence[SimParams]) -> Outcomes:
        waiting = deque(enumerate(tasks))
        in_flight: dict[Future[dict[str, str]], int] = {}
        pool = self._pool or self._new_pool()
        finished = False
        try:
            while waiting or in_flight:
                while waiting and len(in_flight) < self.workers:
                    index, params = waiting.popleft()
                    in_flight[pool.submit(self.run, params)] = index
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                broken = False
                for future in sorted(done, key=lambda f: in_flight[f]):
                    index = in_flight.pop(future)
                    outcome, died = _outcome(future)
                    broken = broken or died
                    yield index, outcome
                if broken:
                    # Every run still in flight went down with the pool: report each, then go
                    # on with a fresh pool.
                    for future in sorted(in_flight, key=lambda f: in_flight[f]):
                        index = in_flight[future]
                        yield index, _outcome(future)[0]
                    in_flight.clear()
                    pool = self._new_pool()
            finished = True
        finally:
            if not finished:
                self._stop(gracefully=False)

    def _stop(self, gracefully: bool) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if gracefully:
            pool.shutdown(wait=True)
            return
        # End the runs under way now, rather than when they finish: Python 3.14's pools have
        # `terminate_workers`; before it, the pool's processes are only reachable as `_processes`
        # (which `shutdown` clears, so they are taken first).
        terminate = getattr(pool, "terminate_workers", None)
        if terminate is not None:
            terminate()
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=5)

    def close(self) -> None:
        self._stop(gracefully=True)


def _outcome(future: Future[dict[str, str]]) -> tuple[dict[str, str], bool]:
    # A run's cells, or a failed row naming why it gave none; and whether the pool broke.
    try:
        return future.result(), False
    except BrokenProcessPool as e:
        return failed_outcome(f"a worker process died, the run with it ({e})"), True
    except Exception as e:  # the call itself failed (e.g. its arguments would not pickle)
        return failed_outcome(e), False


def parse_dask_address(text: str) -> tuple[str, int | None]:
    """`--dask`'s value: `local:N` is a LocalCluster of N worker processes (`("local", N)`);
    anything else is a scheduler's address (`(address, None)`). `ValueError` for a bad N."""
    if text.startswith("local:"):
        count = text.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"local:N needs a number of workers N of at least 1, got {count!r}")
        return "local", int(count)
    if not text.strip():
        raise ValueError("needs a scheduler address (tcp://HOST:PORT) or local:N")
    return text, None


def _distributed() -> Any:
    try:
        return importlib.import_module("dask.distributed")
    except ImportError:
        raise DaskUnavailable(
            "--dask needs dask.distributed: pip install 'backable[cluster]'"
        ) from None


def require_dask() -> None:
    """Raise `DaskUnavailable` now, rather than after the grid is checked, if dask is missing."""
    _distributed()


class DaskExecutor:
    """Runs on a Dask cluster: the scheduler at `address`, or, for `local:N`, a `LocalCluster`
    of N single-threaded worker processes started here and stopped by `close()`. Every worker
    must have backable installed (a LocalCluster's workers share this environment)."""

    def __init__(self, address: str, run: RunFunction = run_one) -> None:
        self.address, self.local_workers = parse_dask_address(address)
        self.run = run
        self.description = (
            f"a Dask LocalCluster of {self.local_workers} workers"
            if self.local_workers is not None
            else f"the Dask scheduler at {self.address}"
        )
        self._client: Any = None
        self._cluster: Any = None

    def start(self) -> None:
        """Connect (or start the local cluster); `results` does this on first use.
        `ClusterFailed` when neither works."""
        if self._client is not None:
            return
        distributed = _distributed()
        try:
            if self.local_workers is not None:
                self._cluster = distributed.LocalCluster(
                    n_workers=self.local_workers,
                    threads_per_worker=1,
                    processes=True,
                    # Its HTTP server on any free port: another cluster may hold the usual one.
                    dashboard_address=":0",
                    # Its processes' own log (a cancelled task or a closed connection while it
                    # shuts down after Ctrl-C) is not the user's concern: a run's is in its row.
                    silence_logs=logging.CRITICAL,
                )
                self._client = distributed.Client(self._cluster)
            else:
                self._client = distributed.Client(self.address)
        except Exception as e:  # whatever dask raises for an address it cannot use
            self.close()
            raise ClusterFailed(f"cannot use {self.description}: {type(e).__name__}: {e}") from e

    def results(self, tasks: Sequence[SimParams]) -> Outcomes:
        self.start()
        distributed = _distributed()
        client = self._client
        futures = [client.submit(self.run, params, pure=False) for params in tasks]
        index = {future.key: i for i, future in enumerate(futures)}
        try:
            for future in _completed(distributed, futures, self.description):
                try:
                    outcome = future.result()
                except Exception as e:  # lost to the cluster: KilledWorker, cancelled, ...
                    outcome = failed_outcome(e)
                yield index[future.key], outcome
        finally:
            left = [f for f in futures if not f.done()]
            if left:
                client.cancel(left)

    def close(self) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def _completed(distributed: Any, futures: list[Any], description: str) -> Iterator[Any]:
    # The futures as they finish; the cluster itself failing (its scheduler gone) is no run's
    # failure but the sweep's, named as such.
    try:
        yield from distributed.as_completed(futures)
    except Exception as e:
        raise ClusterFailed(f"{description} failed: {type(e).__name__}: {e}") from e
