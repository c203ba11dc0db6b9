# What the command line reports to the user: the exit codes, the one error type that every
# subcommand raises for the user's mistake, and the one for an output that could not be written
# after the work was done (main turns each into one stderr line, never a traceback).
from __future__ import annotations

__all__ = [
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PIPE",
    "EXIT_WRITE",
    "InputError",
    "OutputError",
]

EXIT_OK = 0
EXIT_WRITE = 1  # the run finished but an output file could not be written (disk full, I/O error)
EXIT_INPUT = 2  # usage and input errors, as argparse uses for usage errors
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
EXIT_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader left


class InputError(Exception):
    """The user's input cannot be used; the message names the problem in one line."""


class OutputError(Exception):
    """An output could not be written after the work was done; the message names the file and
    the system's reason in one line. Paths are checked before a run, so this is what no check can
    foresee: a full disk, an I/O error, a file made unwritable meanwhile."""
