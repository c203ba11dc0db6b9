# `backable simulate`: the options, their validation, and the run. Every `SimParams` field has an
# option named after it (`group_size` -> `--group-size`, adversary `double_vote` ->
# `--double-vote`). Bad values are found all at once by `validate_params` (pure: a list of
# one-line problems) and reported on stderr with exit code 2 before anything runs. The engine
# (`backable.shell.sim.engine.run_simulation`) is imported only when a run starts.
from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TextIO

from ..node import PROTOCOLS
from ..sim.render import (
    PlotUnavailable,
    Progress,
    plot_formats,
    render_summary,
    require_plot,
    write_json,
)
from ..sim.render import write_plot as _write_plot
from ..sim.report import ADVERSARY_KINDS, MAX_SEED, MAX_U32, BlockRow, SimParams, SimReport
from .errors import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, InputError, OutputError

__all__ = [
    "RunSimulation",
    "add_simulate",
    "option_name",
    "params_from_args",
    "validate_params",
]

RunSimulation = Callable[
    [SimParams, Callable[[BlockRow], None] | None], Coroutine[Any, Any, SimReport]
]

# Tests put a fake engine here; None means the real `backable.shell.sim.engine.run_simulation`.
_RUNNER: RunSimulation | None = None

_FRACTIONS = ("bitfield_loss", "statement_loss", "chunk_loss", "code_upgrade_rate")
_AT_LEAST_ONE = (
    "validators",
    "group_size",
    "cores",
    "blocks",
    "rotation_frequency",
    "availability_timeout",
)


def option_name(field_name: str) -> str:
    """The command-line option of a `SimParams` field or adversary kind: `--group-size`."""
    return "--" + field_name.replace("_", "-")


def validate_params(params: SimParams) -> list[str]:
    """Every problem with `params`, one line each naming the option; empty when it can run.

    Counts must be at least 1 and at most `MAX_U32` (the chain's u32), the seed from 0 to
    `MAX_SEED` (a u64: relay block hashes commit to it); the cores need one backing group each,
    and `validators // group_size` groups exist; losses, the upgrade rate and each adversary
    share are fractions in [0, 1]; a minimum of backing votes must fit in a group.
    """
    problems: list[str] = []
    for name in _AT_LEAST_ONE:
        value = getattr(params, name)
        if value < 1:
            problems.append(f"{option_name(name)} must be at least 1, got {value}")
        elif value > MAX_U32:
            problems.append(f"{option_name(name)} must be at most {MAX_U32} (a u32), got {value}")
    if params.seed < 0:
        problems.append(f"--seed must not be negative, got {params.seed}")
    elif params.seed > MAX_SEED:
        problems.append(f"--seed must be at most {MAX_SEED} (a u64), got {params.seed}")
    if params.validators >= 1 and params.group_size >= 1 and params.cores >= 1:
        groups = params.validators // params.group_size
        if params.cores > groups:
            problems.append(
                f"--cores {params.cores} needs {params.cores} backing groups, but"
                f" {params.validators} validators in groups of {params.group_size} make {groups}"
            )
    votes = params.minimum_backing_votes
    if votes is not None:
        if votes < 1:
            problems.append(f"--minimum-backing-votes must be at least 1, got {votes}")
        elif votes > MAX_U32:
            problems.append(
                f"--minimum-backing-votes must be at most {MAX_U32} (a u32), got {votes}"
            )
        elif params.group_size >= 1 and votes > params.group_size:
            problems.append(
                f"--minimum-backing-votes {votes} is more than a group of"
                f" {params.group_size} can give"
            )
    k = params.cores_per_para
    if params.protocol not in PROTOCOLS:
        problems.append(f"--protocol must be one of {', '.join(PROTOCOLS)}, got {params.protocol}")
    if k < 1:
        problems.append(f"--cores-per-para must be at least 1, got {k}")
    elif k > 1 and params.protocol != "async":
        problems.append(
            f"--cores-per-para {k} needs --protocol async (one core per para in legacy)"
        )
    elif params.cores >= 1 and params.cores % k:
        problems.append(f"--cores {params.cores} is not a multiple of --cores-per-para {k}")
    fractions = [(name, getattr(params, name)) for name in _FRACTIONS]
    fractions += [(kind, params.adversaries.get(kind, 0.0)) for kind in ADVERSARY_KINDS]
    for name, value in fractions:
        if not (isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= 1):
            problems.append(f"{option_name(name)} must be a fraction from 0 to 1, got {value}")
    problems += _adversary_headcount(params)
    for kind in sorted(set(params.adversaries) - set(ADVERSARY_KINDS)):
        problems.append(f"unknown adversary kind {kind!r}; known: {', '.join(ADVERSARY_KINDS)}")
    return problems


def _adversary_headcount(params: SimParams) -> list[str]:
    # Each adversary kind is its own set of validators, round(share * validators) strong, and
    # the sets are disjoint (shell/sim/adversaries.py draws them so): together they must fit.
    counts = {
        kind: round(share * params.validators)
        for kind, share in sorted(params.adversaries.items())
        if kind in ADVERSARY_KINDS and math.isfinite(share) and 0 < share <= 1
    }
    total = sum(counts.values())
    if params.validators < 1 or total <= params.validators:
        return []
    named = " + ".join(
        f"{option_name(kind)} {counts[kind]}" for kind in ADVERSARY_KINDS if counts.get(kind)
    )
    return [
        f"adversaries are disjoint sets of validators: {named} = {total},"
        f" more than the {params.validators} validators"
    ]


def params_from_args(args: argparse.Namespace) -> SimParams:
    """The `SimParams` an argument namespace of `simulate` asks for."""
    defaults = SimParams()
    return SimParams(
        validators=args.validators,
        cores=args.cores,
        group_size=args.group_size,
        blocks=args.blocks,
        seed=args.seed,
        rotation_frequency=args.rotation_frequency,
        availability_timeout=args.availability_timeout,
        bitfield_loss=args.bitfield_loss,
        statement_loss=args.statement_loss,
        chunk_loss=args.chunk_loss,
        code_upgrade_rate=args.code_upgrade_rate,
        minimum_backing_votes=args.minimum_backing_votes,
        protocol=args.protocol,
        cores_per_para=args.cores_per_para,
        adversaries={
            kind: getattr(args, kind, defaults.adversaries.get(kind, 0.0))
            for kind in ADVERSARY_KINDS
        },
    )


def _runner() -> RunSimulation:
    if _RUNNER is not None:
        return _RUNNER
    try:
        from ..sim.engine import run_simulation
    except ImportError as e:  # only while the engine is being written
        raise InputError(f"the simulation engine is not available: {e}") from None

    async def run(params: SimParams, progress: Callable[[BlockRow], None] | None) -> SimReport:
        return await run_simulation(params, progress=progress)

    return run


def _check_output(option: str, path: str | None) -> None:
    # Fail before a long run, not after it, when the file cannot be written where asked: a
    # directory, a missing directory, or a file the system will not open for writing.
    if path is None:
        return
    target = Path(path)
    try:
        if target.is_dir():
            raise InputError(f"{option} {path}: is a directory, not a file")
        if not target.parent.is_dir():
            raise InputError(f"{option} {path}: directory {target.parent} does not exist")
        # Opening for appending neither truncates nor changes a file that exists; one created
        # only for this check is removed again (the run writes it at the end).
        created = not os.path.lexists(target)
        with target.open("a"):
            pass
        if created:
            target.unlink(missing_ok=True)
    except OSError as e:
        raise InputError(f"{option} {path}: cannot write: {e.strerror or e}") from None


def _check_plot_format(path: str) -> None:
    # matplotlib takes the image format from the suffix; refuse what it cannot draw before the
    # run rather than with its ValueError after it.
    suffix = Path(path).suffix.lower().removeprefix(".")
    formats = plot_formats()
    if suffix not in formats:
        named = f"'.{suffix}'" if suffix else "no suffix"
        raise InputError(
            f"--plot {path}: {named} is not an image format matplotlib writes;"
            f" use one of {', '.join('.' + f for f in formats)}"
        )


def _write_outputs(args: argparse.Namespace, report: SimReport) -> None:
    # The run is done and its summary printed: write every file asked for, and report each that
    # could not be written (a full disk, an I/O error) in one line, as an OutputError.
    failures: list[str] = []
    writers = (("--json", args.json, write_json), ("--plot", args.plot, _write_plot))
    for option, path, write in writers:
        if path is None:
            continue
        try:
            write(report, path)
        except OSError as e:
            failures.append(f"{option} {path}: cannot write: {e.strerror or e}")
    if failures:
        raise OutputError("; ".join(failures))


def _run_simulate(args: argparse.Namespace, out: TextIO) -> int:
    params = params_from_args(args)
    problems = validate_params(params)
    if problems:
        for problem in problems:
            print(f"backable: error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    _check_output("--json", args.json)
    _check_output("--plot", args.plot)
    if args.plot is not None:
        try:
            require_plot()
        except PlotUnavailable as e:
            raise InputError(str(e)) from None
        _check_plot_format(args.plot)
    run = _runner()
    progress = None if args.quiet else Progress(params.blocks, sys.stderr)
    report: SimReport | None = None
    try:
        report = asyncio.run(run(params, progress))
    except KeyboardInterrupt:
        pass  # reported below, once the progress line is closed
    finally:
        if progress is not None:
            progress.close()
    if report is None:
        print("backable: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    out.write(render_summary(report))
    out.flush()  # the summary reaches the terminal before any write failure is reported
    _write_outputs(args, report)
    return EXIT_OK


def _fraction(text: str) -> float:
    # argparse's type: any float (range checked by validate_params, with the option's name).
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


_ADVERSARY_HELP = {
    "double_vote": "double voting: Seconded and Valid, or Valid and Invalid, on one candidate",
    "second_two": "seconding two different candidates at one relay parent",
    "vouch_invalid": "seconding and voting Valid for invalid candidates",
    "out_of_group": "statements on candidates of a group they are not in",
    "forge": "statements with forged signatures",
    "withhold_statements": "never sharing their statements",
    "withhold_bitfields": "never sending availability bitfields",
}


def add_simulate(subparsers: Any) -> None:
    """Register `backable simulate` and its options on the command line's subparsers."""
    d = SimParams()
    p = subparsers.add_parser(
        "simulate",
        help="run an in-process relay chain through the shell and report block by block",
        description=(
            "Run an in-process network of validators in backing groups over availability cores,"
            " through the Candidate Backing and Provisioner subsystems, and report what the"
            " rules do block by block: candidates seconded, backed, included and timed out,"
            " availability per core, misbehaviour detected against injected, dropped messages,"
            " and provisioner assembly time. The same seed gives the same report apart from"
            " timing fields."
        ),
    )
    # (option, metavar, type, help); every help ends with its default.
    network: list[tuple[str, str, Callable[[str], Any], str]] = [
        ("validators", "N", int, "validators (default: %(default)s)"),
        ("cores", "C", int, "availability cores, one backing group each (default: %(default)s)"),
        ("group_size", "G", int, "validators per backing group (default: %(default)s)"),
        ("blocks", "B", int, "relay blocks to build (default: %(default)s)"),
        ("seed", "S", int, "seed of every random choice (default: %(default)s)"),
        (
            "rotation_frequency",
            "BLOCKS",
            int,
            "blocks between group rotations (default: %(default)s)",
        ),
        (
            "availability_timeout",
            "BLOCKS",
            int,
            "blocks an occupied core waits for availability (default: %(default)s)",
        ),
    ]
    faults: list[tuple[str, str, Callable[[str], Any], str]] = [
        ("bitfield_loss", "F", _fraction, "chance a bitfield is lost (default: %(default)s)"),
        ("statement_loss", "F", _fraction, "chance a statement is lost (default: %(default)s)"),
        (
            "chunk_loss",
            "F",
            _fraction,
            "chance a validator outside the backing group lacks its chunk (default: %(default)s)",
        ),
        (
            "code_upgrade_rate",
            "F",
            _fraction,
            "chance a collation carries new validation code (default: %(default)s)",
        ),
    ]
    group = p.add_argument_group("network")
    for name, metavar, kind, text in network:
        group.add_argument(
            option_name(name),
            dest=name,
            type=kind,
            default=getattr(d, name),
            metavar=metavar,
            help=text,
        )
    group.add_argument(
        "--minimum-backing-votes",
        type=int,
        default=d.minimum_backing_votes,
        metavar="V",
        help="backing votes a candidate needs (default: the runtime's threshold)",
    )
    group.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        default=d.protocol,
        help="legacy: the seeds' synchronous backing (12 s parablocks); async: today's"
        " asynchronous backing with prospective parachains (6 s) (default: %(default)s)",
    )
    group.add_argument(
        "--cores-per-para",
        type=int,
        default=d.cores_per_para,
        metavar="K",
        help="cores each para holds in the claim queue, elastic scaling; above 1 only with"
        " --protocol async, and --cores must be a multiple (default: %(default)s)",
    )
    group = p.add_argument_group("faults (fractions from 0 to 1)")
    for name, metavar, kind, text in faults:
        group.add_argument(
            option_name(name),
            dest=name,
            type=kind,
            default=getattr(d, name),
            metavar=metavar,
            help=text,
        )
    group = p.add_argument_group("adversaries (each a fraction of validators, off by default)")
    for name in ADVERSARY_KINDS:
        group.add_argument(
            option_name(name),
            dest=name,
            type=_fraction,
            default=d.adversaries.get(name, 0.0),
            metavar="F",
            help=_ADVERSARY_HELP[name],
        )
    group = p.add_argument_group("output")
    group.add_argument(
        "--json",
        metavar="FILE",
        help="write the whole report, parameters and seed included, as JSON",
    )
    group.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw inclusions and cores per block (needs the 'plot' extra: matplotlib)",
    )
    group.add_argument("--quiet", action="store_true", help="no progress while running")
    p.set_defaults(handler=_run_simulate)
