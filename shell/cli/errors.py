# What the command line reports to the user: the exit codes and the one error type that every
# subcommand raises for the user's mistake (main turns it into one stderr line, never a traceback).
from __future__ import annotations

__all__ = ["EXIT_INPUT", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_PIPE", "InputError"]

EXIT_OK = 0
EXIT_INPUT = 2  # usage and input errors, as argparse uses for usage errors
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
EXIT_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader left


class InputError(Exception):
    """The user's input cannot be used; the message names the problem in one line."""
