# The `backable` command line: the parser, one subcommand per module (decode.py, simulate.py,
# sweep.py, vectors.py), and the one place that turns a user's mistake (exit 2) or an output that
# could not be written (exit 1) into a line on stderr and an exit code. Nothing here prints a
# traceback for either.
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import backable

from .decode import add_decode
from .errors import EXIT_INPUT, EXIT_PIPE, EXIT_WRITE, InputError, OutputError
from .simulate import add_simulate
from .sweep import add_sweep
from .vectors import add_vectors

__all__ = ["main"]

Handler = Callable[[argparse.Namespace, TextIO], int]

# Each entry registers one subcommand.
_SUBCOMMANDS: tuple[Callable[[Any], None], ...] = (
    add_decode, add_simulate, add_sweep, add_vectors,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backable",
        description="Polkadot's Candidate Backing and Provisioner rules: tools over real blocks.",
    )
    parser.add_argument("--version", action="version", version=f"backable {backable.__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The `backable` console script. Returns the exit code (0 ok, 1 an output could not be
    written, 2 usage or input error)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        # argparse exits for --help (0) and usage errors (2); report that as our return value.
        return e.code if isinstance(e.code, int) else EXIT_INPUT
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        return handler(args, sys.stdout)
    except InputError as e:
        print(f"backable: error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except OutputError as e:
        print(f"backable: error: {e}", file=sys.stderr)
        return EXIT_WRITE
    except BrokenPipeError:
        # The reader went away (`backable decode | head`): stop quietly, and point stdout at
        # devnull so the interpreter's final flush does not raise again (Python's signal docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE


if __name__ == "__main__":
    raise SystemExit(main())
