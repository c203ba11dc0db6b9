# Where runs execute: the local process pool and a Dask LocalCluster (2 workers, started once
# for this module) give the same rows apart from timing; a run that raises, and a worker that
# dies, are failed rows and the rest goes on; stopping early ends the runs under way.
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from backable.shell.sim.report import SimParams
from backable.shell.sweep import executors
from backable.shell.sweep.driver import run_sweep
from backable.shell.sweep.executors import (
    ClusterFailed,
    DaskExecutor,
    DaskUnavailable,
    PoolExecutor,
    default_workers,
    parse_dask_address,
    require_dask,
)
from backable.shell.sweep.grid import Grid
from backable.shell.sweep.results import ResultsFile, read_rows, row_key
from backable.shell.sweep.runner import TIMING_OUTCOMES, run_one

TINY = {"validators": (12,), "cores": (1,), "blocks": (2,), "group_size": (3, 4),
        "vouch_invalid": (0.0, 0.25)}
KEYS = Grid.of(TINY).expand(range(2))  # 8 runs


def raising_run(params: SimParams) -> dict[str, str]:
    # A run function that fails outside run_one's own guard (as a broken install would).
    if params.seed == 1:
        raise ValueError("seed 1 is refused")
    return run_one(params)


def dying_run(params: SimParams) -> dict[str, str]:
    # A run whose worker process dies under it (as one killed for its memory would).
    if params.seed == 99:
        os._exit(3)
    return run_one(params)


@pytest.fixture(scope="module")
def dask() -> Iterator[DaskExecutor]:
    executor = DaskExecutor("local:2")
    executor.start()
    yield executor
    executor.close()


def _sweep(
    executor: PoolExecutor | DaskExecutor, path: Path
) -> dict[tuple[str, ...], dict[str, str]]:
    with ResultsFile(path) as results:
        results.open()
        tally = run_sweep(KEYS, results, executor)
    assert (tally.ran, tally.failed) == (len(KEYS), 0)
    return {
        row_key(row): {k: v for k, v in row.items() if k not in TIMING_OUTCOMES}
        for row in read_rows(path)
    }


def test_the_pool_and_a_dask_local_cluster_give_identical_rows_apart_from_timing(
    dask: DaskExecutor, tmp_path: Path
) -> None:
    pool = PoolExecutor(2)
    try:
        by_pool = _sweep(pool, tmp_path / "pool.csv")
    finally:
        pool.close()
    by_dask = _sweep(dask, tmp_path / "dask.csv")
    assert sorted(by_pool) == sorted(k.cells() for k in KEYS)
    assert by_dask == by_pool
    assert any(int(row["invalid_seconded"]) > 0 for row in by_pool.values())


def test_a_run_that_raises_on_dask_is_a_failed_outcome(dask: DaskExecutor) -> None:
    dask.run = raising_run
    try:
        outcomes = dict(dask.results([k.params() for k in KEYS]))
    finally:
        dask.run = run_one
    failed = {i for i, cells in outcomes.items() if cells["error"]}
    assert failed == {i for i, k in enumerate(KEYS) if k.seed == 1}
    assert {outcomes[i]["error"] for i in failed} == {"ValueError: seed 1 is refused"}


def test_a_run_that_raises_in_the_pool_is_a_failed_outcome() -> None:
    pool = PoolExecutor(2, run=raising_run)
    tasks = [k.params() for k in KEYS[:2]] + [KEYS[4].params()]  # seeds 0, 0, 1
    try:
        outcomes = dict(pool.results(tasks))
    finally:
        pool.close()
    assert [outcomes[i]["error"] for i in range(3)] == ["", "", "ValueError: seed 1 is refused"]


def test_a_worker_that_dies_fails_its_run_and_a_new_pool_takes_the_rest() -> None:
    pool = PoolExecutor(1, run=dying_run)
    first, rest = KEYS[0].params(), KEYS[1].params()
    dying = SimParams(**{**first.__dict__, "seed": 99})
    try:
        outcomes = list(pool.results([first, dying, rest]))
    finally:
        pool.close()
    assert [i for i, _ in outcomes] == [0, 1, 2]
    assert [cells["error"] == "" for _, cells in outcomes] == [True, False, True]
    assert outcomes[1][1]["error"].startswith("a worker process died, the run with it")


def test_stopping_early_ends_the_runs_under_way_and_the_pool_can_start_again() -> None:
    pool = PoolExecutor(2)
    try:
        outcomes = pool.results([k.params() for k in KEYS])
        first = next(outcomes)
        outcomes.close()
        assert pool._pool is None  # its workers were ended, not waited for
        again = dict(pool.results([KEYS[first[0]].params()]))
    finally:
        pool.close()
    assert again[0]["seconded"] == first[1]["seconded"]


def test_the_pool_is_as_large_as_asked_or_the_core_count() -> None:
    assert default_workers() == (os.cpu_count() or 1)
    assert PoolExecutor().workers == default_workers()
    assert PoolExecutor(3).description == "a local process pool of 3 workers"
    with pytest.raises(ValueError):
        PoolExecutor(0)


def test_dask_addresses_are_a_scheduler_or_a_local_cluster() -> None:
    assert parse_dask_address("local:3") == ("local", 3)
    assert parse_dask_address("tcp://10.0.0.1:8786") == ("tcp://10.0.0.1:8786", None)
    for bad in ("local:0", "local:x", "local:", " "):
        with pytest.raises(ValueError):
            parse_dask_address(bad)
    assert DaskExecutor("local:2").description == "a Dask LocalCluster of 2 workers"
    assert DaskExecutor("tcp://h:1").description == "the Dask scheduler at tcp://h:1"


def test_without_dask_the_cluster_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(DaskUnavailable) as e:
        require_dask()
    assert str(e.value) == "--dask needs dask.distributed: pip install 'backable[cluster]'"


class UnreachableDask:
    """Stands in for dask.distributed: no scheduler answers, or the one there goes away."""

    def __init__(self, lost: bool = False) -> None:
        self.lost = lost

    def Client(self, address: object) -> object:  # dask.distributed's name
        if not self.lost:
            raise OSError(f"Timed out trying to connect to {address}")
        return self

    def submit(self, run: object, params: SimParams, pure: bool) -> object:
        return SimpleNamespace(key=params.seed, done=lambda: False)

    def as_completed(self, futures: object) -> Iterator[object]:
        raise OSError("scheduler gone")

    def cancel(self, futures: object) -> None:
        pass

    def close(self) -> None:
        pass


def test_a_scheduler_that_does_not_answer_is_a_cluster_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(executors, "_distributed", UnreachableDask)
    with pytest.raises(ClusterFailed) as e:
        DaskExecutor("tcp://10.9.9.9:8786").start()
    assert str(e.value) == (
        "cannot use the Dask scheduler at tcp://10.9.9.9:8786: OSError: Timed out trying to"
        " connect to tcp://10.9.9.9:8786"
    )


def test_a_cluster_lost_during_the_sweep_is_no_runs_failure_but_the_sweeps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(executors, "_distributed", lambda: UnreachableDask(lost=True))
    with pytest.raises(ClusterFailed, match="the Dask scheduler at tcp://h:1 failed: OSError"):
        list(DaskExecutor("tcp://h:1").results([KEYS[0].params()]))
