# One run of a sweep: simulate's engine and report for one SimParams, its key outcomes as cells,
# and a run that raises as a row with its error.
from __future__ import annotations

import asyncio

from backable.shell.sim.engine import run_simulation
from backable.shell.sim.report import SimParams, SimReport
from backable.shell.sweep.runner import (
    NUMERIC_OUTCOMES,
    OUTCOME_COLUMNS,
    TEXT_OUTCOMES,
    TIMING_OUTCOMES,
    failed_outcome,
    outcome_cells,
    run_one,
)

TINY = SimParams(validators=12, cores=2, group_size=3, blocks=2, seed=1)
TINY.adversaries["vouch_invalid"] = 0.25


def _without_timing(cells: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in cells.items() if k not in TIMING_OUTCOMES}


def test_the_columns_are_the_numbers_then_the_text() -> None:
    assert (*NUMERIC_OUTCOMES, *TEXT_OUTCOMES) == OUTCOME_COLUMNS
    assert TEXT_OUTCOMES == ("stopped_early", "error")
    assert set(TIMING_OUTCOMES) <= set(NUMERIC_OUTCOMES)


def test_a_reports_key_outcomes_become_the_cells() -> None:
    report = SimReport(
        params=SimParams(),
        seconded=10, backed=9, included=8, timed_out=1,
        invalid_seconded=4, invalid_backed=3, invalid_included=2,
        invalid_included_in_such_groups=2, invalid_included_elsewhere=0,
        groups_with_adversaries_at_or_over_a_third=5,
        misbehaviour_detected={"DoubleSign": 1, "ValidityDoubleVote": 2},
        misbehaviour_injected={"DoubleSign": 1, "ValidityDoubleVote": 3},
        signatures={"signed": 100, "verified": 250},
        stopped_early="block 3: check_inherent found 1 problems",
        wall_seconds=1.25,
    )
    assert outcome_cells(report) == {
        "seconded": "10", "backed": "9", "included": "8", "timed_out": "1",
        "invalid_seconded": "4", "invalid_backed": "3", "invalid_included": "2",
        "invalid_included_in_such_groups": "2", "invalid_included_elsewhere": "0",
        "groups_with_adversaries_at_or_over_a_third": "5",
        "misbehaviour_detected": "3", "misbehaviour_injected": "4",
        "signatures_signed": "100", "signatures_verified": "250",
        "wall_seconds": "1.25",
        "stopped_early": "block 3: check_inherent found 1 problems",
        "error": "",
    }


def test_a_failure_is_a_row_of_empty_numbers_and_one_line_naming_the_error() -> None:
    cells = failed_outcome(ValueError("two\nlines"))
    assert cells == dict.fromkeys(OUTCOME_COLUMNS, "") | {"error": "ValueError: two lines"}
    assert failed_outcome("  ")["error"] == "unknown error"


def test_run_one_is_simulates_engine_and_report_for_the_params() -> None:
    report = asyncio.run(run_simulation(TINY))
    cells = run_one(TINY)
    assert _without_timing(cells) == _without_timing(outcome_cells(report))
    assert (cells["invalid_seconded"], cells["invalid_backed"], cells["error"]) == ("1", "1", "")
    assert _without_timing(run_one(TINY)) == _without_timing(cells)  # one seed, one outcome


def test_params_the_engine_refuses_at_run_time_are_a_failed_row() -> None:
    # The command line refuses these before a sweep starts; the engine refuses them too.
    cells = run_one(SimParams(validators=4, cores=2, group_size=3, blocks=1))
    assert cells["error"] == (
        "SimulationError: 2 cores need as many groups; 4 validators in groups of 3 make 1"
    )
    assert cells["seconded"] == ""
