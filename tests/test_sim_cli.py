from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from backable.shell.cli import simulate as sim_cli
from backable.shell.cli.errors import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK
from backable.shell.cli.main import main
from backable.shell.cli.simulate import validate_params
from backable.shell.sim.report import ADVERSARY_KINDS, TIMING_FIELDS, BlockRow, SimParams, SimReport

Capture = pytest.CaptureFixture[str]
Progress = Callable[[BlockRow], None] | None


class FakeEngine:
    """Stands in for `run_simulation`: records the params, reports one block per requested
    block through the progress callback, and returns a small report."""

    def __init__(self) -> None:
        self.calls: list[SimParams] = []

    async def __call__(self, params: SimParams, progress: Progress) -> SimReport:
        self.calls.append(params)
        rows = [
            BlockRow(n, author=n % params.validators, seconded=2, backed=2, included=1)
            for n in range(1, params.blocks + 1)
        ]
        for row in rows:
            if progress is not None:
                progress(row)
        return SimReport(
            params=params,
            blocks=rows,
            seconded=2 * len(rows),
            backed=2 * len(rows),
            included=len(rows),
            availability_per_core=[0] * params.cores,
            wall_seconds=0.01,
        )


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setattr(sim_cli, "_RUNNER", fake)
    return fake


def _run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- validate_params --------------------------------------------------------------------------


def test_the_defaults_are_valid() -> None:
    assert validate_params(SimParams()) == []


def test_every_problem_is_reported_at_once() -> None:
    params = SimParams(blocks=0, seed=-1, bitfield_loss=2.0)
    assert validate_params(params) == [
        "--blocks must be at least 1, got 0",
        "--seed must not be negative, got -1",
        "--bitfield-loss must be a fraction from 0 to 1, got 2.0",
    ]


def test_a_group_bigger_than_the_validators_makes_no_groups() -> None:
    assert validate_params(SimParams(validators=4, cores=1, group_size=5)) == [
        "--cores 1 needs 1 backing groups, but 4 validators in groups of 5 make 0"
    ]


def test_adversary_kinds_are_disjoint_so_their_headcounts_must_fit() -> None:
    params = SimParams(validators=20, cores=4)
    params.adversaries.update(double_vote=0.5, forge=0.3, withhold_bitfields=0.25)
    assert validate_params(params) == [
        "adversaries are disjoint sets of validators: --double-vote 10 + --forge 6"
        " + --withhold-bitfields 5 = 21, more than the 20 validators"
    ]
    params.adversaries["withhold_bitfields"] = 0.2
    assert validate_params(params) == []


def test_not_a_number_is_not_a_fraction() -> None:
    params = SimParams()
    params.adversaries["forge"] = float("nan")
    assert validate_params(params) == ["--forge must be a fraction from 0 to 1, got nan"]


def test_an_unknown_adversary_kind_is_named() -> None:
    params = SimParams()
    params.adversaries["bribe"] = 0.5
    (problem,) = validate_params(params)
    assert problem.startswith("unknown adversary kind 'bribe'; known: double_vote, ")


def test_the_boundaries_zero_and_one_are_fractions() -> None:
    for kind in ADVERSARY_KINDS:
        params = SimParams(statement_loss=1.0, chunk_loss=0.0)
        params.adversaries[kind] = 1.0
        assert validate_params(params) == [], kind


# --- bad options on the command line: one stderr line each, exit 2 ---------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--validators", "0"], "--validators must be at least 1, got 0"),
        (["--group-size", "0"], "--group-size must be at least 1, got 0"),
        (["--cores", "0"], "--cores must be at least 1, got 0"),
        (
            ["--cores", "70"],
            "--cores 70 needs 70 backing groups, but 300 validators in groups of 5 make 60",
        ),
        (["--blocks", "0"], "--blocks must be at least 1, got 0"),
        (["--seed", "-3"], "--seed must not be negative, got -3"),
        (["--rotation-frequency", "0"], "--rotation-frequency must be at least 1, got 0"),
        (["--availability-timeout", "-1"], "--availability-timeout must be at least 1, got -1"),
        (["--minimum-backing-votes", "0"], "--minimum-backing-votes must be at least 1, got 0"),
        (
            ["--minimum-backing-votes", "6"],
            "--minimum-backing-votes 6 is more than a group of 5 can give",
        ),
        (["--bitfield-loss", "1.5"], "--bitfield-loss must be a fraction from 0 to 1, got 1.5"),
        (["--statement-loss", "-0.1"], "--statement-loss must be a fraction from 0 to 1, got -0.1"),
        (["--chunk-loss", "2"], "--chunk-loss must be a fraction from 0 to 1, got 2.0"),
        (
            ["--code-upgrade-rate", "inf"],
            "--code-upgrade-rate must be a fraction from 0 to 1, got inf",
        ),
        *(
            ([f"--{kind.replace('_', '-')}", "1.01"],
             f"--{kind.replace('_', '-')} must be a fraction from 0 to 1, got 1.01")
            for kind in ADVERSARY_KINDS
        ),
    ],
)
def test_a_bad_option_exits_two_with_one_line_naming_it(
    capsys: Capture, engine: FakeEngine, argv: list[str], message: str
) -> None:
    code, out, err = _run(capsys, "simulate", *argv)
    assert (code, out) == (EXIT_INPUT, "")
    assert err == f"backable: error: {message}\n"
    assert engine.calls == []


def test_several_bad_options_give_a_line_each(capsys: Capture, engine: FakeEngine) -> None:
    code, _, err = _run(capsys, "simulate", "--validators", "0", "--forge", "7")
    assert code == EXIT_INPUT
    assert err.splitlines() == [
        "backable: error: --validators must be at least 1, got 0",
        "backable: error: --forge must be a fraction from 0 to 1, got 7.0",
    ]


def test_a_word_where_a_number_belongs_is_a_usage_error(capsys: Capture) -> None:
    code, _, err = _run(capsys, "simulate", "--forge", "lots")
    assert code == EXIT_INPUT
    assert "--forge: not a number: 'lots'" in err
    code, _, err = _run(capsys, "simulate", "--validators", "many")
    assert code == EXIT_INPUT
    assert "--validators: invalid int value: 'many'" in err


def test_json_into_a_missing_directory_fails_before_running(
    capsys: Capture, engine: FakeEngine, tmp_path: Path
) -> None:
    target = tmp_path / "nowhere" / "out.json"
    code, _, err = _run(capsys, "simulate", "--json", str(target))
    assert code == EXIT_INPUT
    assert err == (
        f"backable: error: --json {target}: directory {target.parent} does not exist\n"
    )
    assert engine.calls == []


def test_plot_without_matplotlib_exits_two_before_running(
    capsys: Capture, engine: FakeEngine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out, err = _run(capsys, "simulate", "--plot", str(tmp_path / "p.png"))
    assert (code, out) == (EXIT_INPUT, "")
    assert err == "backable: error: --plot needs matplotlib: pip install 'backable[plot]'\n"
    assert engine.calls == []


def test_ctrl_c_during_the_run_ends_the_progress_line_and_exits_130(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def interrupted(params: SimParams, progress: Progress) -> SimReport:
        assert progress is not None
        progress(BlockRow(1, author=0))
        raise KeyboardInterrupt

    monkeypatch.setattr(sim_cli, "_RUNNER", interrupted)
    code, out, err = _run(capsys, "simulate", "--blocks", "3")
    assert (code, out) == (EXIT_INTERRUPTED, "")
    assert err == (
        "block 1/3 (#1): seconded 0, backed 0, included 0, timed out 0\nbackable: interrupted\n"
    )


# --- options reach SimParams ------------------------------------------------------------------


def test_no_options_run_the_issues_defaults(capsys: Capture, engine: FakeEngine) -> None:
    code, out, _ = _run(capsys, "simulate", "--quiet")
    assert code == EXIT_OK
    assert engine.calls == [SimParams()]
    assert engine.calls[0].validators == 300 and engine.calls[0].cores == 60
    assert out.startswith(
        "backable simulate: 300 validators, 60 cores, groups of 5, 30 blocks, seed 0\n"
    )


def test_every_option_reaches_its_field(capsys: Capture, engine: FakeEngine) -> None:
    argv = [
        "simulate", "--quiet",
        "--validators", "40", "--cores", "6", "--group-size", "6", "--blocks", "4",
        "--seed", "9", "--rotation-frequency", "3", "--availability-timeout", "2",
        "--bitfield-loss", "0.1", "--statement-loss", "0.2", "--chunk-loss", "0.3",
        "--code-upgrade-rate", "0.4", "--minimum-backing-votes", "2",
        "--double-vote", "0.01", "--second-two", "0.02", "--vouch-invalid", "0.03",
        "--out-of-group", "0.04", "--forge", "0.05", "--withhold-statements", "0.06",
        "--withhold-bitfields", "0.07",
    ]
    code, _, err = _run(capsys, *argv)
    assert (code, err) == (EXIT_OK, "")
    assert engine.calls == [
        SimParams(
            validators=40,
            cores=6,
            group_size=6,
            blocks=4,
            seed=9,
            rotation_frequency=3,
            availability_timeout=2,
            bitfield_loss=0.1,
            statement_loss=0.2,
            chunk_loss=0.3,
            code_upgrade_rate=0.4,
            minimum_backing_votes=2,
            adversaries={
                "double_vote": 0.01,
                "second_two": 0.02,
                "vouch_invalid": 0.03,
                "out_of_group": 0.04,
                "forge": 0.05,
                "withhold_statements": 0.06,
                "withhold_bitfields": 0.07,
            },
        )
    ]


def test_every_simparams_field_and_adversary_has_an_option(capsys: Capture) -> None:
    _, out, _ = _run(capsys, "simulate", "--help")
    fields = [name for name in SimParams.__dataclass_fields__ if name != "adversaries"]
    for name in (*fields, *ADVERSARY_KINDS):
        assert f"--{name.replace('_', '-')} " in out, name


# --- progress and output ----------------------------------------------------------------------


def test_progress_off_a_terminal_is_a_line_per_block_on_stderr(
    capsys: Capture, engine: FakeEngine
) -> None:
    code, out, err = _run(capsys, "simulate", "--validators", "20", "--cores", "4", "--blocks", "3")
    assert code == EXIT_OK
    assert err.splitlines() == [
        f"block {n}/3 (#{n}): seconded 2, backed 2, included 1, timed out 0" for n in (1, 2, 3)
    ]
    assert "block 1/3" not in out


def test_quiet_prints_no_progress(capsys: Capture, engine: FakeEngine) -> None:
    code, out, err = _run(capsys, "simulate", "--blocks", "3", "--quiet")
    assert (code, err) == (EXIT_OK, "")
    assert "\ntotal " in out


def test_json_writes_the_report_with_params_and_seed(
    capsys: Capture, engine: FakeEngine, tmp_path: Path
) -> None:
    path = tmp_path / "report.json"
    argv = ["simulate", "--quiet", "--validators", "20", "--cores", "4", "--blocks", "3",
            "--seed", "5", "--json", str(path)]
    code, _, _ = _run(capsys, *argv)
    assert code == EXIT_OK
    data = json.loads(path.read_text())
    assert data["params"]["seed"] == 5
    assert data["params"]["validators"] == 20
    assert len(data["blocks"]) == 3
    first = path.read_bytes()
    assert _run(capsys, *argv)[0] == EXIT_OK
    assert path.read_bytes() == first


def test_plot_writes_a_png(capsys: Capture, engine: FakeEngine, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the optional 'plot' extra is not installed")
    path = tmp_path / "plot.png"
    code, _, _ = _run(capsys, "simulate", "--quiet", "--blocks", "3", "--plot", str(path))
    assert code == EXIT_OK
    assert path.read_bytes()[:4] == b"\x89PNG"


# --- the real engine --------------------------------------------------------------------------


@pytest.mark.skipif(
    importlib.util.find_spec("backable.shell.sim.engine") is None,
    reason="backable.shell.sim.engine (the engine) is not written yet",
)
def test_a_small_real_run_writes_a_report_that_a_second_run_repeats(
    capsys: Capture, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    small = ["simulate", "--validators", "20", "--cores", "4", "--blocks", "3", "--quiet"]
    code, out, err = _run(capsys, *small, "--json", str(first))
    assert (code, err) == (EXIT_OK, "")
    assert "total" in out and "misbehaviour" in out
    assert _run(capsys, *small, "--json", str(second))[0] == EXIT_OK
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    assert a["params"]["seed"] == 0 and len(a["blocks"]) == 3
    assert _without_timing(a) == _without_timing(b)


def _without_timing(value: object) -> object:
    # The JSON twin of SimReport.without_timing(): the same walk over the parsed file.
    if isinstance(value, dict):
        return {k: _without_timing(v) for k, v in value.items() if k not in TIMING_FIELDS}
    if isinstance(value, list):
        return [_without_timing(v) for v in value]
    return value
