# The loop between an executor and the results file: only the runs the file lacks are run, each
# row is in the file as its run finishes, a failed run is a row with its error, and a stop
# (Ctrl-C) keeps the rows written and stops the executor.
from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from backable.shell.sim.report import SimParams
from backable.shell.sweep.driver import pending_runs, run_label, run_sweep
from backable.shell.sweep.grid import KEY_COLUMNS, Grid, RunKey
from backable.shell.sweep.results import ResultsFile, read_rows, row_key
from backable.shell.sweep.runner import OUTCOME_COLUMNS, failed_outcome

KEYS = Grid.of({"group_size": (3, 5), "vouch_invalid": (0.0, 0.1)}).expand(range(2))


def _cells(params: SimParams) -> dict[str, str]:
    # A stand-in for a run: its outcome is read off its parameters.
    cells = dict.fromkeys(OUTCOME_COLUMNS, "") | {"seconded": str(params.group_size)}
    return cells | {"backed": str(params.seed), "stopped_early": "", "error": ""}


class InlineExecutor:
    """Runs each task in this process, in reverse order (as a pool may finish them); `stop_after`
    raises KeyboardInterrupt once that many have been handed back."""

    description = "inline"

    def __init__(self, stop_after: int | None = None, fail_seed: int | None = None) -> None:
        self.stop_after = stop_after
        self.fail_seed = fail_seed
        self.closed_early = False
        self.ran: list[SimParams] = []

    def results(self, tasks: Sequence[SimParams]) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for handed, index in enumerate(reversed(range(len(tasks)))):
                if self.stop_after is not None and handed == self.stop_after:
                    raise KeyboardInterrupt
                params = tasks[index]
                self.ran.append(params)
                if params.seed == self.fail_seed:
                    yield index, failed_outcome(RuntimeError(f"seed {params.seed} fails"))
                else:
                    yield index, _cells(params)
        except GeneratorExit:
            self.closed_early = True
            raise

    def close(self) -> None:
        pass


def _open(path: Path) -> ResultsFile:
    results = ResultsFile(path)
    results.open()
    return results


def test_every_run_becomes_one_row_of_its_key(tmp_path: Path) -> None:
    executor = InlineExecutor()
    with _open(tmp_path / "r.csv") as results:
        tally = run_sweep(KEYS, results, executor)
    rows = read_rows(tmp_path / "r.csv")
    assert (tally.ran, tally.failed) == (8, 0)
    assert [row_key(r) for r in rows] == [k.cells() for k in reversed(KEYS)]
    for row in rows:
        key = RunKey.from_cells(row)
        assert (row["seconded"], row["backed"]) == (str(key.value("group_size")), str(key.seed))


def test_only_the_runs_the_file_lacks_are_pending() -> None:
    assert pending_runs(KEYS, []) == KEYS
    rows = [_row_of(KEYS[1]), _row_of(KEYS[6], failed=True)]
    assert pending_runs(KEYS, rows) == [k for i, k in enumerate(KEYS) if i not in (1, 6)]
    assert pending_runs(KEYS, rows, retry_failed=True) == [k for i, k in enumerate(KEYS) if i != 1]


def _row_of(key: RunKey, failed: bool = False) -> dict[str, str]:
    outcome = failed_outcome("x") if failed else _cells(key.params())
    return dict(zip(KEY_COLUMNS, key.cells(), strict=True)) | outcome


def test_a_failed_run_is_a_row_with_its_error_and_the_sweep_goes_on(tmp_path: Path) -> None:
    told: list[tuple[str, str]] = []
    with _open(tmp_path / "r.csv") as results:
        tally = run_sweep(
            KEYS, results, InlineExecutor(fail_seed=1), lambda *a: told.append(a), ("group_size",)
        )
    rows = read_rows(tmp_path / "r.csv")
    assert (tally.ran, tally.failed, len(rows)) == (8, 4, 8)
    failed = [r for r in rows if r["error"]]
    assert {r["seed"] for r in failed} == {"1"}
    assert {r["error"] for r in failed} == {"RuntimeError: seed 1 fails"}
    assert told[0] == ("group_size 5, seed 1", "RuntimeError: seed 1 fails")
    assert told[-1] == ("group_size 3, seed 0", "")


def test_a_stop_keeps_the_rows_written_and_closes_the_executors_runs(tmp_path: Path) -> None:
    executor = InlineExecutor(stop_after=3)
    with _open(tmp_path / "r.csv") as results, pytest.raises(KeyboardInterrupt):
        run_sweep(KEYS, results, executor)
    assert len(read_rows(tmp_path / "r.csv")) == 3
    # The rerun runs exactly the rest.
    rows = read_rows(tmp_path / "r.csv")
    rest = pending_runs(KEYS, rows)
    rerun = InlineExecutor()
    with _open(tmp_path / "r.csv") as results:
        run_sweep(rest, results, rerun)
    assert sorted(row_key(r) for r in read_rows(tmp_path / "r.csv")) == sorted(
        k.cells() for k in KEYS
    )
    assert len(rerun.ran) == 5


def test_a_write_the_disk_refuses_stops_the_runs_under_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    executor = InlineExecutor()
    with _open(tmp_path / "r.csv") as results:

        def full(row: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(results, "append", full)
        with pytest.raises(OSError, match="No space left"):
            run_sweep(KEYS, results, executor)
    assert executor.closed_early and len(executor.ran) == 1


def test_a_run_is_labelled_by_its_varied_parameters_and_seed() -> None:
    key = Grid.of({"minimum_backing_votes": (None,)}).expand([4])[0]
    assert run_label(key, ("minimum_backing_votes", "cores")) == (
        "minimum_backing_votes none, cores 60, seed 4"
    )
    assert run_label(key) == "seed 4"
