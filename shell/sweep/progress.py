# What a sweep shows while it runs, on stderr: runs done, failed and remaining, and an estimate
# of the time left (the time per finished run so far, times the runs remaining; with several
# workers that time is already shared among them). On a terminal one line redrawn in place;
# otherwise plain lines, about twenty over the whole sweep, so that a log stays short. A failed
# run is always a line of its own, naming the run and its error.
#
# What belongs here: counting and drawing. The clock is passed in (the CLI gives
# time.monotonic), so what is drawn follows from what is called.
from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

__all__ = ["SweepProgress", "format_duration"]

_BAR_WIDTH = 24
_PLAIN_LINES = 20  # about this many plain lines over a sweep off a terminal


def format_duration(seconds: float) -> str:
    """`45s`, `3m05s`, `2h07m`."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class SweepProgress:
    """Progress of `total` runs to do now (`skipped` more were already in the results file)."""

    def __init__(
        self,
        total: int,
        stream: TextIO,
        clock: Callable[[], float],
        *,
        skipped: int = 0,
        width: int = _BAR_WIDTH,
    ) -> None:
        self.total = total
        self.skipped = skipped
        self.stream = stream
        self.clock = clock
        self.width = width
        self.tty = stream.isatty()
        self.done = 0
        self.failed = 0
        self.started = clock()
        self._drawn = False
        self._step = 0  # the twentieth of the sweep the last plain line reported

    @property
    def remaining(self) -> int:
        return self.total - self.done - self.failed

    def eta(self) -> str:
        """The estimated time left, or `--` before any run has finished."""
        finished = self.done + self.failed
        if not finished:
            return "--"
        per_run = (self.clock() - self.started) / finished
        return format_duration(per_run * self.remaining)

    def _status(self) -> str:
        return (
            f"{self.done + self.failed}/{self.total} runs: {self.done} done,"
            f" {self.failed} failed, {self.remaining} remaining, ETA {self.eta()}"
        )

    def start(self) -> None:
        """Say what is to be done before the first run ends."""
        already = f" ({self.skipped} already in the results file)" if self.skipped else ""
        self._print(f"sweep: {self.total} runs to do{already}")
        if self.tty:
            self._draw()

    def finished(self, label: str, error: str = "") -> None:
        """A run ended: `error` empty for success; `label` names the run in a failure line."""
        if error:
            self.failed += 1
            self._print(f"sweep: run failed: {label}: {error}")
        else:
            self.done += 1
        finished = self.done + self.failed
        if self.tty:
            self._draw()
        else:
            # A plain line each time another twentieth of the runs has ended, and at the end.
            step = finished * _PLAIN_LINES // max(self.total, 1)
            if step > self._step or finished == self.total:
                self._step = step
                self._print(f"sweep: {self._status()}")

    def _draw(self) -> None:
        finished = self.done + self.failed
        filled = self.width * finished // max(self.total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {self._status()}\x1b[K")
        self.stream.flush()
        self._drawn = True

    def _print(self, line: str) -> None:
        # A whole line, off the bar's line when one is drawn (the bar is redrawn after it).
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self._drawn = False
        self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line (on a terminal)."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
