# `backable sweep` on the command line: every user mistake is one stderr line and exit 2 before
# anything runs; a sweep writes a row per run and its summary; a rerun runs only what the file
# lacks (also after a SIGKILL midway), failed runs again only with --retry-failed; Ctrl-C keeps
# the rows and exits 130; `--summary FILE` alone runs nothing.
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import pytest

from backable.shell.cli import sweep as sweep_cli
from backable.shell.cli.errors import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_WRITE, InputError
from backable.shell.cli.main import main
from backable.shell.cli.sweep import grid_from_args
from backable.shell.sim.report import SimParams
from backable.shell.sweep import executors
from backable.shell.sweep.executors import ClusterFailed
from backable.shell.sweep.grid import PARAMETERS, Grid, RunKey
from backable.shell.sweep.results import HEADER, ResultsFile, ResultsWriteError, read_rows, row_key
from backable.shell.sweep.runner import failed_outcome, run_one

Capture = pytest.CaptureFixture[str]
TINY = ["--validators", "12", "--cores", "1", "--blocks", "1"]


class InProcessPool:
    """Stands in for the process pool: runs each task here, in order, with `run`."""

    instances: ClassVar[list[InProcessPool]] = []

    def __init__(self, workers: int, run: Callable[[SimParams], dict[str, str]] = run_one):
        self.workers = workers
        self.run = run
        self.ran: list[SimParams] = []
        self.closed = False
        self.description = "in process"
        InProcessPool.instances.append(self)

    def results(self, tasks: Sequence[SimParams]) -> Iterator[tuple[int, dict[str, str]]]:
        for index, params in enumerate(tasks):
            self.ran.append(params)
            yield index, self.run(params)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[InProcessPool]:
    InProcessPool.instances = []
    monkeypatch.setattr(sweep_cli, "PoolExecutor", InProcessPool)
    return InProcessPool.instances


def _run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(["sweep", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# --- mistakes: one line, exit 2, nothing run --------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--vouch-invalid", "0,x"], "--vouch-invalid 0,x: not a number: 'x'"),
        (["--validators", "30,many"], "--validators 30,many: not a whole number: 'many'"),
        (
            ["--protocol", "legacy,fast"],
            "--protocol legacy,fast: 'fast' is not one of legacy, async",
        ),
        (["--group-size", "3,3"], "--group-size 3,3: 3 is given twice"),
        (["--vouch-invalid", "0.1,0.10"], "--vouch-invalid 0.1,0.10: 0.1 is given twice"),
        (["--blocks", "1,,2"], "--blocks 1,,2: an empty value in the list"),
        (["--workers", "2,3"], "--workers takes one value, not a list: 2,3"),
        (
            ["--outcome", "backed,included"],
            "--outcome takes one value, not a list: backed,included",
        ),
        (["--seeds", "1,2"], "--seeds takes one value, not a list: 1,2"),
        (["--seeds", "0"], "--seeds 0: needs at least one seed"),
        (["--seed", "3"], "a sweep takes --seeds N (seeds 0 to N-1) or --seeds A-B, not --seed"),
        (["--workers", "0"], "--workers 0: needs a whole number of at least 1"),
        (["--workers", "2", "--dask", "local:2"],
         "--workers sizes the local pool, --dask chooses a cluster: give one"),
        (["--dask", "local:0"], "--dask local:0: local:N needs a number of workers N of at least 1,"
         " got '0'"),
        (["--outcome", "happiness"], "--outcome happiness: not an outcome; known: seconded, backed,"
         " included, timed_out, invalid_seconded, invalid_backed, invalid_included,"
         " invalid_included_in_such_groups, invalid_included_elsewhere,"
         " groups_with_adversaries_at_or_over_a_third, misbehaviour_detected,"
         " misbehaviour_injected, signatures_signed, signatures_verified, wall_seconds"),
        (["--show", "backed,joy"], "--show backed,joy: 'joy' is not an outcome; known: seconded,"
         " backed, included, timed_out, invalid_seconded, invalid_backed, invalid_included,"
         " invalid_included_in_such_groups, invalid_included_elsewhere,"
         " groups_with_adversaries_at_or_over_a_third, misbehaviour_detected,"
         " misbehaviour_injected, signatures_signed, signatures_verified, wall_seconds"),
    ],
)
def test_a_mistake_is_one_line_and_exit_two_before_anything_runs(
    capsys: Capture, pools: list[InProcessPool], tmp_path: Path, argv: list[str], message: str
) -> None:
    output = tmp_path / "r.csv"
    code, out, err = _run(capsys, *TINY, "--output", str(output), *argv)
    assert (code, out, err) == (EXIT_INPUT, "", f"backable: error: {message}\n")
    assert pools == [] and not output.exists()


def test_a_grid_point_simulate_would_refuse_is_reported_as_simulate_reports_it(
    capsys: Capture, pools: list[InProcessPool], tmp_path: Path
) -> None:
    code, _, err = _run(
        capsys, "--validators", "30", "--cores", "2", "--group-size", "3,20",
        "--vouch-invalid", "0.5,1.5", "--output", str(tmp_path / "r.csv"),
    )
    assert code == EXIT_INPUT
    assert err.splitlines() == [
        "backable: error: --vouch-invalid must be a fraction from 0 to 1, got 1.5",
        "backable: error: --cores 2 needs 2 backing groups, but 30 validators in groups of 20"
        " make 1",
    ]
    assert pools == []


def test_a_sweep_needs_a_results_file(capsys: Capture, pools: list[InProcessPool]) -> None:
    code, _, err = _run(capsys, *TINY)
    assert (code, err) == (
        EXIT_INPUT, "backable: error: --output FILE.csv is needed: the results file, one row per"
        " run\n"
    )


def test_a_results_file_of_another_shape_is_refused_and_left_alone(
    capsys: Capture, pools: list[InProcessPool], tmp_path: Path
) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    code, _, err = _run(capsys, *TINY, "--output", str(path))
    assert code == EXIT_INPUT
    assert err.startswith(f"backable: error: --output {path}: its header is not a sweep's")
    assert err.count("\n") == 1 and path.read_text() == "a,b\n1,2\n"
    assert all(not p.ran for p in pools)


def test_dask_missing_names_the_cluster_extra(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    code, _, err = _run(capsys, *TINY, "--dask", "local:2", "--output", str(tmp_path / "r.csv"))
    assert (code, err) == (
        EXIT_INPUT, "backable: error: --dask needs dask.distributed: pip install"
        " 'backable[cluster]'\n"
    )


def test_a_plot_of_three_varied_parameters_is_refused_before_running(
    capsys: Capture, pools: list[InProcessPool], tmp_path: Path
) -> None:
    code, _, err = _run(
        capsys, *TINY, "--group-size", "3,4", "--vouch-invalid", "0,0.25", "--blocks", "1,2",
        "--output", str(tmp_path / "r.csv"), "--plot", str(tmp_path / "p.png"),
    )
    assert code == EXIT_INPUT
    assert err.startswith(f"backable: error: --plot {tmp_path / 'p.png'}: the sweep also varies")
    assert pools == []
    code, _, err = _run(
        capsys, *TINY, "--vouch-invalid", "0,0.25", "--output", str(tmp_path / "r.csv"),
        "--plot", str(tmp_path / "p.png"), "--x", "colour",
    )
    assert err.startswith("backable: error: --x colour: not a parameter; known: validators, ")


def test_each_list_is_parsed_by_simulates_own_option_type() -> None:
    args = argparse.Namespace(**dict.fromkeys(PARAMETERS))
    args.minimum_backing_votes, args.protocol = "none, 2", "legacy,async"
    args.vouch_invalid = "0,0.10,1e-1 "
    with pytest.raises(InputError) as e:
        grid_from_args(args)
    assert str(e.value) == "--vouch-invalid 0,0.10,1e-1 : 0.1 is given twice"
    args.vouch_invalid = "0,0.1"
    grid = grid_from_args(args)
    assert grid.varied() == ("minimum_backing_votes", "protocol", "vouch_invalid")
    assert {k.value("minimum_backing_votes") for k in grid.expand([0])} == {None, 2}
    assert {k.value("protocol") for k in grid.expand([0])} == {"legacy", "async"}
    assert len(grid.expand([0])) == 8


# --- a sweep ----------------------------------------------------------------------------------


def test_a_sweep_writes_a_row_per_run_then_its_summary_and_plot(
    capsys: Capture, pools: list[InProcessPool], tmp_path: Path
) -> None:
    output, plot = tmp_path / "r.csv", tmp_path / "p.png"
    code, out, err = _run(
        capsys, *TINY, "--group-size", "3,4", "--vouch-invalid", "0,0.25", "--seeds", "2",
        "--output", str(output), "--workers", "3", "--plot", str(plot), "--x", "vouch-invalid",
    )
    assert code == EXIT_OK
    assert pools[0].workers == 3 and pools[0].closed
    rows = read_rows(output)
    expected = Grid.of(
        {"validators": (12,), "cores": (1,), "blocks": (1,), "group_size": (3, 4),
         "vouch_invalid": (0.0, 0.25)}
    ).expand(range(2))
    assert [row_key(r) for r in rows] == [k.cells() for k in expected]
    assert all(r["error"] == "" for r in rows)
    assert out.startswith(
        "backable sweep: 8 runs over 4 grid points (group_size x vouch_invalid), seeds 0-1;"
        " 0 failed\nfixed: validators 12, cores 1, blocks 1; every other parameter at backable"
        " simulate's default\n"
    )
    assert "closed form inside the measured 95% interval at " in out
    assert err.splitlines()[0] == "sweep: 8 runs to do"
    assert err.splitlines()[-1] == (
        f"sweep: 8 runs now (0 failed), 0 were already in {output}; each run is a row there"
    )
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_a_rerun_of_a_finished_sweep_runs_nothing(
    capsys: Capture, pools: list[InProcessPool], tmp_path: Path
) -> None:
    argv = [*TINY, "--vouch-invalid", "0,0.25", "--output", str(tmp_path / "r.csv")]
    assert _run(capsys, *argv, "--quiet")[0] == EXIT_OK
    code, out, err = _run(capsys, *argv)
    assert code == EXIT_OK and pools[1].ran == []
    assert err.splitlines()[0] == "sweep: 0 runs to do (2 already in the results file)"
    assert out.startswith("backable sweep: 2 runs over 2 grid points (vouch_invalid), seed 0;")
    assert len(read_rows(tmp_path / "r.csv")) == 2


def failing_seed_one(params: SimParams) -> dict[str, str]:
    return failed_outcome("RuntimeError: seed 1 fails") if params.seed == 1 else run_one(params)


def test_failed_runs_are_rows_and_run_again_only_with_retry_failed(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    made: list[InProcessPool] = []

    def failing_pool(workers: int) -> InProcessPool:
        made.append(InProcessPool(workers, failing_seed_one if not made else run_one))
        return made[-1]

    monkeypatch.setattr(sweep_cli, "PoolExecutor", failing_pool)
    output = tmp_path / "r.csv"
    argv = [*TINY, "--vouch-invalid", "0,0.25", "--seeds", "3", "--output", str(output)]
    code, out, err = _run(capsys, *argv, "--show", "backed")
    assert code == EXIT_OK
    assert "sweep: run failed: vouch_invalid 0.0, seed 1: RuntimeError: seed 1 fails" in err
    assert "; 2 failed\n" in out
    assert "failed at vouch_invalid 0.0: RuntimeError: seed 1 fails" in out
    assert [r["seed"] for r in read_rows(output) if r["error"]] == ["1", "1"]
    _run(capsys, *argv)  # a failed row counts as done
    assert made[1].ran == []
    code, out, _ = _run(capsys, *argv, "--retry-failed", "--show", "backed")
    assert code == EXIT_OK and [p.seed for p in made[2].ran] == [1, 1]
    rows = read_rows(output)
    assert len(rows) == 8 and [r["error"] for r in rows[6:]] == ["", ""]
    assert "; 0 failed\n" in out


def test_a_row_the_disk_refuses_ends_the_sweep_with_exit_one(
    capsys: Capture, pools: list[InProcessPool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    output = tmp_path / "r.csv"

    def full(self: ResultsFile, row: object) -> None:
        raise ResultsWriteError(f"{output}: cannot write: No space left on device")

    monkeypatch.setattr(ResultsFile, "append", full)
    code, out, err = _run(capsys, *TINY, "--vouch-invalid", "0,0.25", "--output", str(output),
                          "--quiet")
    assert (code, out) == (EXIT_WRITE, "")
    assert err == f"backable: error: --output {output}: cannot write: No space left on device\n"
    assert pools[0].closed


class LostCluster(InProcessPool):
    """A cluster that hands back one run, then is gone."""

    def results(self, tasks: Sequence[SimParams]) -> Iterator[tuple[int, dict[str, str]]]:
        yield 0, self.run(tasks[0])
        raise ClusterFailed("the Dask scheduler at tcp://h:1 failed: OSError: gone")


def test_a_cluster_lost_midway_keeps_the_rows_and_exits_one(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sweep_cli, "PoolExecutor", LostCluster)
    output = tmp_path / "r.csv"
    code, _, err = _run(capsys, *TINY, "--vouch-invalid", "0,0.25", "--output", str(output),
                        "--quiet")
    assert code == EXIT_WRITE
    assert err == (
        "backable: error: the Dask scheduler at tcp://h:1 failed: OSError: gone;"
        f" {output} keeps every finished run: rerun the same command to run the rest\n"
    )
    assert len(read_rows(output)) == 1


def test_a_scheduler_that_does_not_answer_is_refused_before_anything_runs(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def unreachable(address: str) -> object:
        raise OSError("Timed out")

    fake = SimpleNamespace(Client=unreachable)
    monkeypatch.setattr(executors, "_distributed", lambda: fake)
    output = tmp_path / "r.csv"
    code, _, err = _run(capsys, *TINY, "--dask", "tcp://h:1", "--output", str(output))
    assert (code, err) == (
        EXIT_INPUT, "backable: error: --dask tcp://h:1: cannot use the Dask scheduler at"
        " tcp://h:1: OSError: Timed out\n"
    )
    assert not output.exists()


def test_summary_alone_summarises_a_results_file_and_runs_nothing(
    capsys: Capture, pools: list[InProcessPool], tmp_path: Path
) -> None:
    output = tmp_path / "r.csv"
    _run(capsys, *TINY, "--vouch-invalid", "0,0.25", "--seeds", "2", "--output", str(output),
         "--quiet")
    code, out, err = _run(
        capsys, "--summary", str(output), "--show", "included", "--plot", str(tmp_path / "s.png")
    )
    assert (code, err) == (EXIT_OK, "")
    assert out.startswith(f"backable sweep of {output}: 4 runs over 2 grid points (vouch_invalid)")
    assert "\nincluded\n" in out and "\nbacked\n" not in out
    assert (tmp_path / "s.png").read_bytes().startswith(b"\x89PNG")
    assert len(pools) == 1


def test_summary_refuses_the_options_of_a_run_and_files_it_cannot_use(
    capsys: Capture, tmp_path: Path
) -> None:
    code, _, err = _run(
        capsys, "--summary", "r.csv", "--vouch-invalid", "0.1", "--seeds", "3", "--retry-failed"
    )
    assert (code, err) == (
        EXIT_INPUT, "backable: error: --summary r.csv summarises a results file and runs nothing:"
        " drop --vouch-invalid, --seeds, --retry-failed\n"
    )
    missing = tmp_path / "missing.csv"
    code, _, err = _run(capsys, "--summary", str(missing))
    assert (code, err) == (
        EXIT_INPUT, f"backable: error: --summary {missing}: cannot read: No such file or"
        " directory\n"
    )
    header_only = tmp_path / "h.csv"
    header_only.write_text(",".join(HEADER) + "\n")
    code, _, err = _run(capsys, "--summary", str(header_only))
    assert err == f"backable: error: --summary {header_only}: the file holds no runs yet\n"


def test_the_help_lists_every_simulate_option_but_the_seed(capsys: Capture) -> None:
    assert main(["sweep", "--help"]) == EXIT_OK
    out = capsys.readouterr().out
    fields = [n for n in SimParams.__dataclass_fields__ if n not in ("seed", "adversaries")]
    for name in (*fields, *SimParams().adversaries):
        assert f"--{name.replace('_', '-')} " in out, name
    assert "--seed " not in out and "--seeds N|A-B" in out


# --- the real command: killed midway, interrupted ---------------------------------------------

# 16 runs: for each seed, four of one block, then four of three (slower, so that the test stops
# the sweep while it still has runs to do however slowly the test itself is scheduled).
COMMAND = [sys.executable, "-m", "backable", "sweep", "--validators", "12", "--cores", "1",
           "--blocks", "1,3", "--group-size", "3,4", "--vouch-invalid", "0,0.25", "--seeds", "2",
           "--quiet"]
ALL_KEYS = Grid.of(
    {"validators": (12,), "cores": (1,), "blocks": (1, 3), "group_size": (3, 4),
     "vouch_invalid": (0.0, 0.25)}
).expand(range(2))


def _start(output: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, "--workers", "1", "--output", str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the test ends it and its workers
    )


def _wait_for_rows(output: Path, process: subprocess.Popen[str], rows: int) -> None:
    # Wait on the file, not on the clock: poll until it holds `rows` rows (the time limit only
    # stops a broken test from hanging the suite).
    give_up = time.monotonic() + 120
    while not output.exists() or output.read_text().count("\n") <= rows:
        assert process.poll() is None, "the sweep ended before the test could stop it"
        assert time.monotonic() < give_up, "no rows appeared"
        time.sleep(0.01)


def test_a_sweep_killed_midway_and_rerun_completes_without_redoing_finished_runs(
    tmp_path: Path,
) -> None:
    output = tmp_path / "r.csv"
    process = _start(output)
    _wait_for_rows(output, process, 2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = read_rows(output)  # a line the kill cut short is no row
    assert 2 <= len(before) < len(ALL_KEYS)
    rerun = subprocess.run(
        [*COMMAND, "--workers", "2", "--output", str(output)], capture_output=True, text=True,
        timeout=300,
    )
    assert rerun.returncode == EXIT_OK, rerun.stderr
    after = read_rows(output)
    assert after[: len(before)] == before
    done = {row_key(r) for r in before}
    new = [row_key(r) for r in after[len(before):]]
    assert sorted(new) == sorted(k.cells() for k in ALL_KEYS if k.cells() not in done)
    assert sorted(row_key(r) for r in after) == sorted(k.cells() for k in ALL_KEYS)
    assert all(RunKey.from_cells(r) in ALL_KEYS and r["error"] == "" for r in after)


def test_ctrl_c_keeps_the_finished_rows_and_exits_130(tmp_path: Path) -> None:
    output = tmp_path / "r.csv"
    # A shell starts a background job with SIGINT ignored, and a child inherits that, where
    # Python leaves it ignored: give this process a handler (which exec resets to the default)
    # while it starts the sweep, so the sweep gets Ctrl-C however the tests were started.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = _start(output)
    finally:
        signal.signal(signal.SIGINT, previous)
    _wait_for_rows(output, process, 1)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == EXIT_INTERRUPTED
    assert err == (
        f"backable: interrupted; {output} keeps every finished run: rerun the same command to"
        " run the rest\n"
    )
    rows = read_rows(output)
    assert 1 <= len(rows) < len(ALL_KEYS) and all(r["error"] == "" for r in rows)
