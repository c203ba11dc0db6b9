# The adapter as a child process: started once from its command line (`shlex.split`, no shell),
# fed request lines on its stdin and read one reply line at a time from its stdout, each under
# a time limit, with its stderr kept (the last lines) for the failure message. Three threads do
# the blocking I/O so that the caller never waits past a limit: a writer (a full pipe cannot
# block the caller), a stdout reader and a stderr reader. The adapter runs in its own process
# group, so that killing it also ends whatever it started (a wrapper script's child), and it is
# always reaped: no zombie, no open pipe left behind.
from __future__ import annotations

import contextlib
import os
import queue
import shlex
import signal
import subprocess
import threading
from collections import deque
from typing import IO

__all__ = ["Adapter", "AdapterError", "AdapterExited", "AdapterHung", "AdapterStartFailed"]

_STDERR_LINES = 20
_EXIT_GRACE = 2.0  # seconds an adapter gets to exit once its output ended or its input closed


class AdapterError(Exception):
    """The adapter process did not do its part."""


class AdapterStartFailed(AdapterError):
    """The adapter command cannot be split or started (no such program, not executable)."""


class AdapterHung(AdapterError):
    """No reply line within the time limit."""


class AdapterExited(AdapterError):
    """The adapter's output ended (it exited, or closed stdout) before a reply. `code` is its
    exit code (None if it still ran), `stderr` its last lines of stderr."""

    def __init__(self, code: int | None, stderr: tuple[str, ...]) -> None:
        super().__init__(f"the adapter exited with code {code}" if code is not None
                         else "the adapter closed its output")
        self.code = code
        self.stderr = stderr


class Adapter:
    """One adapter process. Use as a context manager, or call `close()`."""

    def __init__(self, command: str) -> None:
        try:
            argv = shlex.split(command)
        except ValueError as e:
            raise AdapterStartFailed(f"cannot split the adapter command {command!r}: {e}") from None
        if not argv:
            raise AdapterStartFailed("the adapter command is empty")
        try:
            self._process = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as e:
            raise AdapterStartFailed(
                f"cannot start the adapter {argv[0]!r}: {e.strerror or e}"
            ) from None
        self._replies: queue.Queue[bytes | None] = queue.Queue()
        self._requests: queue.Queue[bytes | None] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=_STDERR_LINES)
        self._ended = False
        self._closed = False
        assert self._process.stdin and self._process.stdout and self._process.stderr  # PIPEs
        self._threads = (
            threading.Thread(target=self._write, args=(self._process.stdin,), daemon=True),
            threading.Thread(target=self._read, args=(self._process.stdout,), daemon=True),
            threading.Thread(target=self._read_stderr, args=(self._process.stderr,),
                             daemon=True),
        )
        for thread in self._threads:
            thread.start()

    # -- the three threads ------------------------------------------------------------------

    def _write(self, pipe: IO[bytes]) -> None:
        while (line := self._requests.get()) is not None:
            try:
                pipe.write(line)
                pipe.flush()
            except (OSError, ValueError):
                break  # the adapter is gone; its missing reply says so
        with contextlib.suppress(OSError):
            pipe.close()

    def _read(self, pipe: IO[bytes]) -> None:
        try:
            while line := pipe.readline():
                self._replies.put(line)
        except (OSError, ValueError):
            pass
        self._replies.put(None)

    def _read_stderr(self, pipe: IO[bytes]) -> None:
        try:
            while line := pipe.readline():
                self._stderr.append(line.decode("utf-8", "replace").rstrip("\r\n"))
        except (OSError, ValueError):
            pass

    # -- the caller's side ------------------------------------------------------------------

    @property
    def pid(self) -> int:
        return self._process.pid

    def stderr_tail(self) -> tuple[str, ...]:
        return tuple(self._stderr)

    def ask(self, line: bytes, timeout: float) -> bytes:
        """Send one request line and return the next reply line (with its newline).

        AdapterHung when no line comes within `timeout` seconds; AdapterExited when the
        adapter's output ends first."""
        if self._ended:
            raise AdapterExited(self._process.poll(), self.stderr_tail())
        self._requests.put(line)
        try:
            reply = self._replies.get(timeout=timeout)
        except queue.Empty:
            raise AdapterHung(f"no reply within {timeout:g} s") from None
        if reply is None:
            self._ended = True
            try:
                code: int | None = self._process.wait(timeout=_EXIT_GRACE)
            except subprocess.TimeoutExpired:
                code = None
            self._threads[2].join(timeout=_EXIT_GRACE)  # its last stderr lines
            raise AdapterExited(code, self.stderr_tail())
        return reply

    def kill(self) -> None:
        """End the adapter and everything in its process group at once."""
        try:
            if hasattr(os, "killpg"):
                os.killpg(self._process.pid, signal.SIGKILL)
            else:  # pragma: no cover - no process groups off POSIX
                self._process.kill()
        except (ProcessLookupError, PermissionError):
            pass  # already gone

    def close(self, grace: float = _EXIT_GRACE) -> int | None:
        """Close the adapter's input, give it `grace` seconds to exit, else kill it; reap it
        and its pipes. Returns its exit code (negative: the signal that ended it)."""
        if self._closed:
            return self._process.returncode
        self._closed = True
        self._requests.put(None)
        try:
            code = self._process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self._process.wait()
        for thread in self._threads:
            thread.join(timeout=_EXIT_GRACE)
        if any(thread.is_alive() for thread in self._threads):
            # A process the adapter started still holds a pipe: end the group, then wait again.
            self.kill()
            for thread in self._threads:
                thread.join(timeout=_EXIT_GRACE)
        for pipe in (self._process.stdout, self._process.stderr):
            if pipe is not None:
                pipe.close()
        return code

    def __enter__(self) -> Adapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
