# `backable vectors`: the conformance vectors from the command line (shell/vectors/). `export`
# writes them, `serve` is this project's adapter, `run` checks an adapter against a folder of
# them, `docs` renders the families' part of docs/vectors.md. The user's mistakes (a folder that
# is a file, chain data without the blocks, an adapter command that does not start, a bad time
# limit) are an InputError: one line on stderr, exit code 2. A run in which a case failed exits 1.
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from ..vectors.adapter import AdapterStartFailed
from ..vectors.chain import ChainDataError
from ..vectors.docs import render_families, update_docs
from ..vectors.drawing import GeneratorMissing
from ..vectors.export import ExportSummary, WriteFailed, export
from ..vectors.files import FolderError
from ..vectors.report import report_json, report_text
from ..vectors.runner import DEFAULT_TIMEOUT, run_vectors
from ..vectors.serve import serve
from .errors import EXIT_OK, InputError, OutputError

__all__ = ["DEFAULT_FOLDER", "EXIT_CASES_FAILED", "add_vectors"]

DEFAULT_FOLDER = "vectors"
EXIT_CASES_FAILED = 1  # a run in which some case failed or was not run


def _export_text(summary: ExportSummary, seconds: float) -> str:
    width = max([len("family"), len("total"), *(len(f.name) for f in summary.families)])
    head = (f"{'family':<{width}}  {'boundary':>8}  {'generated':>9}  {'chain':>5}  {'seeds':>5}"
            f"  {'network':>7}  {'cases':>5}  {'seconds':>7}")
    lines = [head, "-" * len(head)]
    for f in summary.families:
        lines.append(
            f"{f.name:<{width}}  {f.by_source['boundary']:>8}  {f.by_source['generated']:>9}"
            f"  {f.by_source['chain']:>5}  {f.by_profile['seeds']:>5}"
            f"  {f.by_profile['network']:>7}  {f.cases:>5}  {f.seconds:>7.2f}"
        )
    fams = summary.families
    lines += [
        "-" * len(head),
        f"{'total':<{width}}  {sum(f.by_source['boundary'] for f in fams):>8}"
        f"  {sum(f.by_source['generated'] for f in fams):>9}"
        f"  {sum(f.by_source['chain'] for f in fams):>5}"
        f"  {sum(f.by_profile['seeds'] for f in fams):>5}"
        f"  {sum(f.by_profile['network'] for f in fams):>7}  {summary.total:>5}"
        f"  {sum(f.seconds for f in fams):>7.2f}",
        "",
    ]
    if not summary.chain_cases:
        lines.append("no chain cases: --chain-data not given")
    lines.append(f"wrote {summary.total} cases of {len(summary.families)} families to"
                 f" {summary.folder} in {seconds:.1f} s")
    return "\n".join(lines) + "\n"


def _run_export(args: argparse.Namespace, stdout: TextIO) -> int:
    started = time.perf_counter()
    chain_data = Path(args.chain_data) if args.chain_data is not None else None
    try:
        summary = export(Path(args.folder), chain_data)
    except WriteFailed as e:
        raise OutputError(str(e)) from None
    except (FolderError, ChainDataError, GeneratorMissing) as e:
        raise InputError(str(e)) from None
    stdout.write(_export_text(summary, time.perf_counter() - started))
    return EXIT_OK


def _binary(stream: Any, fallback: BinaryIO) -> BinaryIO:
    buffer = getattr(stream, "buffer", None)
    return buffer if buffer is not None else fallback


def _run_serve(args: argparse.Namespace, stdout: TextIO) -> int:
    serve(sys.stdin.buffer, _binary(stdout, sys.stdout.buffer))
    return EXIT_OK


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"--timeout {text!r}: expected a positive number of seconds")
    return value


def _run_run(args: argparse.Namespace, stdout: TextIO) -> int:
    timeout = _timeout(args.timeout)
    try:
        report = run_vectors(Path(args.folder), args.adapter, timeout, tuple(args.family or ()))
    except (FolderError, AdapterStartFailed) as e:
        raise InputError(str(e)) from None
    if args.json:
        stdout.write(json.dumps(report_json(report), indent=1, sort_keys=True) + "\n")
    else:
        stdout.write(report_text(report))
    return EXIT_OK if report.ok else EXIT_CASES_FAILED


def _run_docs(args: argparse.Namespace, stdout: TextIO) -> int:
    if args.update is None:
        stdout.write(render_families())
        return EXIT_OK
    path = Path(args.update)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read: {e}") from None
    try:
        updated = update_docs(text)
    except ValueError as e:
        raise InputError(f"{path}: {e}") from None
    try:
        path.write_text(updated, encoding="utf-8")
    except OSError as e:
        raise OutputError(f"{path}: cannot write: {e.strerror or e}") from None
    stdout.write(f"updated the families' part of {path}\n")
    return EXIT_OK


def add_vectors(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "vectors",
        help="conformance vectors: export them, serve them, run an adapter against them",
        description=(
            "The rules as language-neutral test cases (docs/vectors.md): 'export' writes them"
            " as JSON, 'serve' is this project's adapter (JSON lines on stdin and stdout),"
            " 'run' checks any adapter against them, 'docs' renders the families' schemas."
        ),
    )
    commands = p.add_subparsers(title="commands", metavar="COMMAND")

    e = commands.add_parser(
        "export", help="write every family's cases to a folder",
        description=(
            "Write one <family>.json per family (a list of cases: name, description, source,"
            " profile, input, expected) and index.json into DIR, made if missing. The same"
            " command gives the same bytes. Needs hypothesis (pip install 'backable[vectors]')."
        ),
    )
    e.add_argument("folder", nargs="?", default=DEFAULT_FOLDER, metavar="DIR",
                   help="where to write (default: %(default)s)")
    e.add_argument("--chain-data", metavar="DIR",
                   help="the folder holding polkadot/raw/blockN.json of the six real blocks;"
                        " without it there are no chain cases")
    e.set_defaults(handler=_run_export)

    s = commands.add_parser(
        "serve", help="this project's adapter: answer requests on stdin, one JSON line each",
        description=(
            "Read requests {\"id\", \"family\", \"input\"} from stdin, one JSON object per line,"
            " until end of input; answer each on stdout with {\"id\", \"output\"} or"
            " {\"id\", \"error\"} (\"unsupported family: F\" for a family it does not know)."
        ),
    )
    s.set_defaults(handler=_run_serve)

    r = commands.add_parser(
        "run", help="run every case through an adapter and compare",
        description=(
            "Start the adapter command once, send it every case of DIR as a request, compare"
            " each output with the case's expected output, and print per family passed, failed,"
            " unsupported and not run, with the first differences. Exit code 0 only when"
            " nothing failed, 1 otherwise."
        ),
    )
    r.add_argument("folder", nargs="?", default=DEFAULT_FOLDER, metavar="DIR",
                   help="a folder 'export' wrote (default: %(default)s)")
    r.add_argument("--adapter", required=True, metavar="COMMAND",
                   help="the adapter's command line, split as a POSIX shell would (no shell"
                        " runs it), e.g. \"python -m backable vectors serve\"")
    r.add_argument("--json", action="store_true",
                   help="print the full report as JSON: every failure, every difference")
    r.add_argument("--timeout", default=str(DEFAULT_TIMEOUT), metavar="SECONDS",
                   help="the time the adapter has for each request (default: %(default)s)")
    r.add_argument("--family", action="append", metavar="NAME",
                   help="run only this family (repeatable)")
    r.set_defaults(handler=_run_run)

    d = commands.add_parser(
        "docs", help="print the families' schemas as markdown (docs/vectors.md's second part)",
    )
    d.add_argument("--update", metavar="FILE",
                   help="rewrite the families' part of FILE (between its markers) instead")
    d.set_defaults(handler=_run_docs)

    p.set_defaults(handler=lambda args, stdout: _help(p))


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    raise InputError("vectors: name a command: export, serve, run or docs")
