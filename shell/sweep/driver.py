# Running a sweep: of its runs (grid.py's keys), those the results file does not hold yet go to
# an executor, and each run's row is appended to the file the moment its outcome comes back, so
# the file always holds every finished run. Whatever stops the loop (Ctrl-C, a write the disk
# refuses) stops the executor's runs under way and cancels the rest; the rows written stay.
#
# What belongs here: which runs are still to do, and the loop between the executor and the file.
# Not here: where runs execute (executors.py), the file's format (results.py), what is shown on
# the way (progress.py, through the `finished` callback).
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .executors import Executor
from .grid import KEY_COLUMNS, RunKey
from .results import ResultsFile, completed_keys

__all__ = ["SweepTally", "pending_runs", "run_label", "run_sweep"]

# Told of each finished run: its label and its error ("" for success).
Finished = Callable[[str, str], None]


@dataclass
class SweepTally:
    """What `run_sweep` did: the runs it ran and how many of them failed."""

    ran: int = 0
    failed: int = 0


def pending_runs(
    keys: Sequence[RunKey], rows: Sequence[Mapping[str, str]], retry_failed: bool = False
) -> list[RunKey]:
    """The runs of `keys` (in their order) that the results `rows` do not hold: a key with a row
    is done; with `retry_failed`, only a key with a successful row is."""
    done = completed_keys(rows, retry_failed)
    return [k for k in keys if k.cells() not in done]


def run_label(key: RunKey, varied: Sequence[str] = ()) -> str:
    """A run as a person names it: the varied parameters' values and the seed."""
    cells = key.cells()
    named = [f"{n} {cells[KEY_COLUMNS.index(n)] or 'none'}" for n in varied]
    return ", ".join([*named, f"seed {key.seed}"])


def run_sweep(
    todo: Sequence[RunKey],
    results: ResultsFile,
    executor: Executor,
    finished: Finished | None = None,
    varied: Sequence[str] = (),
) -> SweepTally:
    """Run every key of `todo` on `executor`, appending each one's row to `results` (open) as it
    finishes and telling `finished`. An exception (a refused write, `ResultsWriteError`; a lost
    cluster, `ClusterFailed`; Ctrl-C) stops the executor's runs and propagates; the rows
    appended before it stay."""
    tally = SweepTally()
    outcomes = executor.results([key.params() for key in todo])
    try:
        for index, outcome in outcomes:
            key = todo[index]
            results.append(dict(zip(KEY_COLUMNS, key.cells(), strict=True)) | outcome)
            tally.ran += 1
            error = outcome.get("error", "")
            if error:
                tally.failed += 1
            if finished is not None:
                finished(run_label(key, varied), error)
    finally:
        # Stops what is still under way when the loop did not run to its end.
        close = getattr(outcomes, "close", None)
        if close is not None:
            close()
    return tally
