# One run of a sweep, as a worker process executes it: exactly `backable simulate`'s run of one
# `SimParams` (the same engine, `run_simulation`, and the same report), with the report's key
# outcomes turned into the cells of a results row. A run that raises is a row too, its `error`
# cell naming the exception, so that one bad run never ends a sweep.
#
# What belongs here: the outcome columns, a report made into cells, and `run_one`, the top-level
# (picklable) function both executors send to their workers. Not here: choosing the runs
# (grid.py), where runs execute (executors.py), the file (results.py).
from __future__ import annotations

import asyncio
from collections.abc import Mapping

from ..sim.report import SimParams, SimReport

__all__ = [
    "NUMERIC_OUTCOMES",
    "OUTCOME_COLUMNS",
    "TEXT_OUTCOMES",
    "TIMING_OUTCOMES",
    "failed_outcome",
    "outcome_cells",
    "run_one",
]

# The report's key outcomes, one number each per run. `misbehaviour_*` are totals over the kinds;
# `signatures_*` the sr25519 work (the run's floor); `wall_seconds` the engine's own measure.
NUMERIC_OUTCOMES: tuple[str, ...] = (
    "seconded",
    "backed",
    "included",
    "timed_out",
    "invalid_seconded",
    "invalid_backed",
    "invalid_included",
    "invalid_included_in_such_groups",
    "invalid_included_elsewhere",
    "groups_with_adversaries_at_or_over_a_third",
    "misbehaviour_detected",
    "misbehaviour_injected",
    "signatures_signed",
    "signatures_verified",
    "wall_seconds",
)
# Text cells, empty when there is nothing to say: why the run stopped before its last block (the
# chain refused an inherent), and why it gave no report at all.
TEXT_OUTCOMES: tuple[str, ...] = ("stopped_early", "error")
OUTCOME_COLUMNS: tuple[str, ...] = (*NUMERIC_OUTCOMES, *TEXT_OUTCOMES)
# The outcomes that may differ between two runs of one key (the report's timing fields).
TIMING_OUTCOMES: tuple[str, ...] = ("wall_seconds",)


def _one_line(text: str) -> str:
    # A cell holds one line, so that a results row is one line of the file.
    return " ".join(text.split())


def outcome_cells(report: SimReport) -> dict[str, str]:
    """The outcome cells of a finished run's report (`error` empty)."""
    numbers: Mapping[str, object] = {
        "seconded": report.seconded,
        "backed": report.backed,
        "included": report.included,
        "timed_out": report.timed_out,
        "invalid_seconded": report.invalid_seconded,
        "invalid_backed": report.invalid_backed,
        "invalid_included": report.invalid_included,
        "invalid_included_in_such_groups": report.invalid_included_in_such_groups,
        "invalid_included_elsewhere": report.invalid_included_elsewhere,
        "groups_with_adversaries_at_or_over_a_third": (
            report.groups_with_adversaries_at_or_over_a_third
        ),
        "misbehaviour_detected": sum(report.misbehaviour_detected.values()),
        "misbehaviour_injected": sum(report.misbehaviour_injected.values()),
        "signatures_signed": report.signatures.get("signed", 0),
        "signatures_verified": report.signatures.get("verified", 0),
        "wall_seconds": report.wall_seconds,
    }
    cells = {name: str(numbers[name]) for name in NUMERIC_OUTCOMES}
    cells["stopped_early"] = _one_line(report.stopped_early or "")
    cells["error"] = ""
    return cells


def failed_outcome(error: BaseException | str) -> dict[str, str]:
    """The outcome cells of a run that gave no report: every number empty, `error` naming the
    exception (`SimulationError: ...`) or the given text."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    cells = dict.fromkeys(OUTCOME_COLUMNS, "")
    cells["error"] = _one_line(text) or "unknown error"
    return cells


def run_one(params: SimParams) -> dict[str, str]:
    """Run `backable simulate`'s engine for `params` and return the outcome cells; an exception
    from the run becomes a failed outcome rather than escaping."""
    from ..sim.engine import run_simulation  # the engine is the worker's to import

    try:
        report = asyncio.run(run_simulation(params))
    except Exception as e:  # any failure of one run is that run's row, never the sweep's end
        return failed_outcome(e)
    return outcome_cells(report)
