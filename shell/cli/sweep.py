# `backable sweep`: a grid of simulations. Every `backable simulate` option but `--seed` takes a
# comma list here (its options, types and checks are simulate's own, read from simulate's parser,
# so the two never drift apart), `--seeds` names the seeds, and each grid point with each seed is
# one run of simulate's engine. Rows go to `--output` as runs finish; a rerun of the same
# command runs only what the file lacks. At the end (or for `--summary FILE` alone, which runs
# nothing) the summary per grid point, with the closed form, and optionally a plot.
#
# A user's mistake is one `backable: error:` line (each bad grid value on a line of its own, as
# simulate reports its options) and exit code 2, before anything runs: a value that is not the
# option's type, a grid point simulate would refuse, a list where one value belongs, an unknown
# outcome or parameter for the plot, a results file of another shape, dask missing for `--dask`.
# Ctrl-C stops submitting, ends the runs under way, keeps every finished row, and exits 130.
from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO

from ..sim.render import PlotUnavailable, require_plot
from ..sweep.driver import SweepTally, pending_runs, run_sweep
from ..sweep.executors import (
    ClusterFailed,
    DaskExecutor,
    DaskUnavailable,
    Executor,
    PoolExecutor,
    default_workers,
    parse_dask_address,
    require_dask,
)
from ..sweep.grid import PARAMETERS, Grid, ParamValue, RunKey, parse_seeds
from ..sweep.plot import PlotChoiceError, choose_axes, write_sweep_plot
from ..sweep.progress import SweepProgress
from ..sweep.results import ResultsFile, ResultsFileError, ResultsWriteError, read_rows, row_key
from ..sweep.runner import NUMERIC_OUTCOMES
from ..sweep.summary import CLOSED_FORM_OUTCOME, SweepSummary, render_sweep_summary, summarise
from .errors import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, InputError, OutputError
from .simulate import _check_output, _check_plot_format, add_simulate, option_name, validate_params

__all__ = ["add_sweep", "grid_from_args"]

# Options of the sweep itself that take exactly one value (a comma there is a mistake).
_SINGLE = ("--workers", "--dask", "--outcome", "--x", "--lines", "--seeds")


def _simulate_actions() -> list[argparse.Action]:
    # simulate's own options (type, choices, default, help), read from its parser. argparse
    # keeps a parser's actions in `_actions`; it has no public accessor for them.
    root = argparse.ArgumentParser(add_help=False)
    subparsers = root.add_subparsers()
    add_simulate(subparsers)
    simulate = subparsers.choices["simulate"]
    return [a for a in simulate._actions if a.dest in PARAMETERS]


def _parse_value(action: argparse.Action, option: str, text: str, item: str) -> ParamValue:
    if item == "":
        raise InputError(f"{option} {text}: an empty value in the list")
    if action.default is None and item.lower() == "none":
        return None  # the option's own default (simulate's "not set")
    kind: Any = action.type
    try:
        value: ParamValue = item if kind is None else kind(item)
    except argparse.ArgumentTypeError as e:
        raise InputError(f"{option} {text}: {e}") from None
    except ValueError:
        raise InputError(f"{option} {text}: not a whole number: {item!r}") from None
    if action.choices is not None and value not in action.choices:
        choices = ", ".join(map(str, action.choices))
        raise InputError(f"{option} {text}: {item!r} is not one of {choices}")
    return value


def grid_from_args(args: argparse.Namespace) -> Grid:
    """The grid the command line asks for: each simulate option's comma list, parsed and checked
    by simulate's own option type; every option not given at simulate's default."""
    given: dict[str, list[ParamValue]] = {}
    for action in _simulate_actions():
        text = getattr(args, action.dest, None)
        if text is None:
            continue
        option = option_name(action.dest)
        values = [_parse_value(action, option, text, item.strip()) for item in text.split(",")]
        seen: set[str] = set()
        for value in values:
            shown = repr(value) if isinstance(value, float) else str(value)
            if shown in seen:
                raise InputError(f"{option} {text}: {shown} is given twice")
            seen.add(shown)
        given[action.dest] = values
    return Grid.of({name: tuple(values) for name, values in given.items()})


def _grid_problems(grid: Grid, seed: int) -> list[str]:
    # simulate's validation of every grid point, each problem once, in the order met.
    problems: dict[str, None] = {}
    for point in grid.points():
        for problem in validate_params(RunKey(point, seed).params()):
            problems.setdefault(problem)
    return list(problems)


def _parameter(option: str, text: str | None) -> str | None:
    # A parameter named as the option (`--vouch-invalid`) or as the field (`vouch_invalid`).
    if text is None:
        return None
    name = text.strip().removeprefix("--").replace("-", "_")
    if name not in PARAMETERS:
        raise InputError(f"{option} {text}: not a parameter; known: {', '.join(PARAMETERS)}")
    return name


def _check_single_values(args: argparse.Namespace) -> None:
    for option in _SINGLE:
        value = getattr(args, option.removeprefix("--"), None)
        if isinstance(value, str) and "," in value:
            raise InputError(f"{option} takes one value, not a list: {value}")


def _outcomes(args: argparse.Namespace) -> tuple[str, tuple[str, ...]]:
    # The plot's outcome, and the outcomes the summary shows.
    outcome = args.outcome.strip()
    if outcome not in NUMERIC_OUTCOMES:
        raise InputError(
            f"--outcome {args.outcome}: not an outcome; known: {', '.join(NUMERIC_OUTCOMES)}"
        )
    if args.show is None:
        return outcome, NUMERIC_OUTCOMES
    shown = tuple(name.strip() for name in args.show.split(","))
    for name in shown:
        if name not in NUMERIC_OUTCOMES:
            raise InputError(
                f"--show {args.show}: {name!r} is not an outcome; known:"
                f" {', '.join(NUMERIC_OUTCOMES)}"
            )
    return outcome, shown


def _check_plot(args: argparse.Namespace, varied: tuple[str, ...]) -> tuple[str, str | None]:
    x, lines = _parameter("--x", args.x), _parameter("--lines", args.lines)
    if args.plot is None:
        return "", None
    _check_output("--plot", args.plot)
    try:
        require_plot()
    except PlotUnavailable as e:
        raise InputError(str(e)) from None
    _check_plot_format(args.plot)
    try:
        return choose_axes(varied, x, lines)
    except PlotChoiceError as e:
        raise InputError(f"--plot {args.plot}: {e}") from None


def _executor(args: argparse.Namespace) -> Executor:
    if args.dask is not None and args.workers is not None:
        raise InputError("--workers sizes the local pool, --dask chooses a cluster: give one")
    if args.dask is not None:
        try:
            parse_dask_address(args.dask)
            require_dask()
        except ValueError as e:
            raise InputError(f"--dask {args.dask}: {e}") from None
        except DaskUnavailable as e:
            raise InputError(str(e)) from None
        dask = DaskExecutor(args.dask)
        try:
            dask.start()  # an address that does not answer is the user's to fix, before any run
        except ClusterFailed as e:
            raise InputError(f"--dask {args.dask}: {e}") from None
        return dask
    workers = default_workers()
    if args.workers is not None:
        if not args.workers.strip().isdigit() or int(args.workers) < 1:
            raise InputError(f"--workers {args.workers}: needs a whole number of at least 1")
        workers = int(args.workers)
    return PoolExecutor(workers)


def _finish(
    out: TextIO,
    args: argparse.Namespace,
    summary: SweepSummary,
    plot: tuple[str, str | None],
    shown: Sequence[str],
    source: str,
) -> None:
    # Print the summary, then draw the plot; a plot the disk refuses is an OutputError.
    out.write(render_sweep_summary(summary, shown, source))
    out.flush()
    if args.plot is None or not summary.points:
        return
    try:
        write_sweep_plot(summary, args.plot, args.outcome.strip(), plot[0], plot[1])
    except PlotChoiceError as e:
        raise InputError(f"--plot {args.plot}: {e}") from None
    except OSError as e:
        raise OutputError(f"--plot {args.plot}: cannot write: {e.strerror or e}") from None


def _run_summary(args: argparse.Namespace, out: TextIO) -> int:
    # `--summary FILE` alone: summarise a results file, run nothing.
    running = [
        option_name(a.dest) for a in _simulate_actions() if getattr(args, a.dest) is not None
    ]
    running += [
        option
        for option, value in (
            ("--output", args.output),
            ("--seeds", args.seeds),
            ("--workers", args.workers),
            ("--dask", args.dask),
            ("--retry-failed", args.retry_failed or None),
        )
        if value is not None
    ]
    if running:
        raise InputError(
            f"--summary {args.summary} summarises a results file and runs nothing:"
            f" drop {', '.join(running)}"
        )
    _, shown = _outcomes(args)
    try:
        rows = read_rows(args.summary)
    except ResultsFileError as e:
        raise InputError(f"--summary {e}") from None
    summary = summarise(rows)
    if not summary.points:
        raise InputError(f"--summary {args.summary}: the file holds no runs yet")
    plot = _check_plot(args, summary.varied)
    _finish(out, args, summary, plot, shown, args.summary)
    return EXIT_OK


def _run_sweep(args: argparse.Namespace, out: TextIO) -> int:
    try:
        return _sweep(args, out)
    except KeyboardInterrupt:
        # Before the runs start or after they end: nothing is lost (the runs have their own
        # message, in `_sweep`).
        print("backable: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _sweep(args: argparse.Namespace, out: TextIO) -> int:
    if args.seed is not None:
        raise InputError("a sweep takes --seeds N (seeds 0 to N-1) or --seeds A-B, not --seed")
    _check_single_values(args)
    if args.summary is not None:
        return _run_summary(args, out)
    if args.output is None:
        raise InputError("--output FILE.csv is needed: the results file, one row per run")
    grid = grid_from_args(args)
    try:
        seeds = parse_seeds(args.seeds or "1")
    except ValueError as e:
        raise InputError(f"--seeds {args.seeds}: {e}") from None
    problems = _grid_problems(grid, seeds[0])
    if problems:
        for problem in problems:
            print(f"backable: error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    _, shown = _outcomes(args)
    plot = _check_plot(args, grid.varied())
    executor = _executor(args)
    results = ResultsFile(args.output)
    try:
        rows = results.open()
    except ResultsFileError as e:
        executor.close()
        raise InputError(f"--output {e}") from None
    keys = grid.expand(seeds)
    todo = pending_runs(keys, rows, args.retry_failed)
    progress = (
        None
        if args.quiet
        else SweepProgress(len(todo), sys.stderr, time.monotonic, skipped=len(keys) - len(todo))
    )
    tally = SweepTally()
    try:
        if progress is not None:
            progress.start()
        tally = run_sweep(
            todo, results, executor, None if progress is None else progress.finished, grid.varied()
        )
    except KeyboardInterrupt:
        if progress is not None:
            progress.close()
        print(
            f"backable: interrupted; {args.output} keeps every finished run: rerun the same"
            " command to run the rest",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except ResultsWriteError as e:
        raise OutputError(f"--output {e}") from None
    except ClusterFailed as e:
        raise OutputError(
            f"{e}; {args.output} keeps every finished run: rerun the same command to run the rest"
        ) from None
    finally:
        if progress is not None:
            progress.close()
        results.close()
        executor.close()
    if not args.quiet:
        print(
            f"sweep: {tally.ran} runs now ({tally.failed} failed), {len(keys) - len(todo)} were"
            f" already in {args.output}; each run is a row there",
            file=sys.stderr,
        )
    # The summary of this sweep's runs (the file may hold other sweeps' too).
    wanted = {k.cells() for k in keys}
    mine = [row for row in read_rows(args.output) if row_key(row) in wanted]
    _finish(out, args, summarise(mine), plot, shown, "")
    return EXIT_OK


def add_sweep(subparsers: Any) -> None:
    """Register `backable sweep` and its options on the command line's subparsers."""
    p = subparsers.add_parser(
        "sweep",
        help="run a grid of simulations (lists of simulate's options x seeds) and summarise them",
        description=(
            "Run `backable simulate` over a grid: every simulate option takes a comma list, and"
            " each combination with each seed is one run of the same engine, on a local process"
            " pool or a Dask cluster. Each run is a row of --output as it finishes; rerunning"
            " the same command runs only the runs the file lacks. Then a summary per grid point"
            " (mean and 95% interval over seeds of each outcome, the closed-form odds beside the"
            " groups at or over a third) and, with --plot, a plot."
        ),
    )
    grid = p.add_argument_group(
        "simulate's options, each a comma list (one run per value; not given: simulate's default)"
    )
    for action in _simulate_actions():
        default = "not set" if action.default is None else str(action.default)
        text = (action.help or "").replace("%(default)s", default).replace("%", "%%")
        grid.add_argument(
            *action.option_strings,
            dest=action.dest,
            default=None,
            metavar=f"{action.metavar or 'V'}[,...]",
            help=text + ("; 'none' for not set" if action.default is None else ""),
        )
    grid.add_argument("--seed", dest="seed", default=None, help=argparse.SUPPRESS)
    grid.add_argument(
        "--seeds",
        metavar="N|A-B",
        help="the seeds of each grid point: N for seeds 0 to N-1, or A-B (default: 1, seed 0)",
    )
    run = p.add_argument_group("running")
    run.add_argument(
        "--output",
        metavar="FILE.csv",
        help="the results file: one row per run, appended as it finishes; rerunning the same"
        " sweep into it runs only the missing runs",
    )
    run.add_argument(
        "--workers",
        metavar="N",
        help=f"local worker processes (default: the core count, {os.cpu_count() or 1} here)",
    )
    run.add_argument(
        "--dask",
        metavar="ADDRESS|local:N",
        help="run on a Dask cluster: a scheduler's address, or local:N for a LocalCluster of N"
        " workers (needs the 'cluster' extra: pip install 'backable[cluster]')",
    )
    run.add_argument(
        "--retry-failed",
        action="store_true",
        help="run again the runs the file holds only as failures (a failed row counts as done)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress while running")
    show = p.add_argument_group("summary and plot")
    show.add_argument(
        "--summary",
        metavar="FILE",
        help="summarise this results file and run nothing (a sweep summarises at its end)",
    )
    show.add_argument(
        "--show",
        metavar="OUTCOME[,...]",
        help="the outcomes the summary shows (default: every one)",
    )
    show.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw --outcome against --x, one line per --lines (needs the 'plot' extra)",
    )
    show.add_argument(
        "--outcome",
        metavar="NAME",
        default=CLOSED_FORM_OUTCOME,
        help=f"the outcome to draw: one of {', '.join(NUMERIC_OUTCOMES)} (default: %(default)s,"
        " drawn with its closed form)",
    )
    show.add_argument(
        "--x", metavar="PARAM", help="the parameter on the x axis (default: the first varied one)"
    )
    show.add_argument(
        "--lines",
        metavar="PARAM",
        help="one line per value of this parameter (default: the other varied one)",
    )
    p.set_defaults(handler=_run_sweep)
