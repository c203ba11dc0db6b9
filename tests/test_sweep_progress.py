# The sweep's progress on stderr: runs done, failed and remaining with the time left; one line
# redrawn on a terminal, about twenty plain lines otherwise, a line for every failure.
from __future__ import annotations

import io

from backable.shell.sweep.progress import SweepProgress, format_duration


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class TerminalStream(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_durations_read_as_seconds_minutes_or_hours() -> None:
    assert [format_duration(s) for s in (0, 45.4, 59.6, 185, 3600, 7620)] == [
        "0s", "45s", "1m00s", "3m05s", "1h00m", "2h07m"
    ]


def test_off_a_terminal_each_twentieth_of_the_sweep_is_a_plain_line() -> None:
    out, clock = io.StringIO(), ManualClock()
    progress = SweepProgress(40, out, clock, skipped=3)
    progress.start()
    for _ in range(40):
        clock.now += 0.5
        progress.finished("seed 0")
    lines = out.getvalue().splitlines()
    assert lines[0] == "sweep: 40 runs to do (3 already in the results file)"
    assert len(lines) == 1 + 20
    assert lines[1] == "sweep: 2/40 runs: 2 done, 0 failed, 38 remaining, ETA 19s"
    assert lines[-1] == "sweep: 40/40 runs: 40 done, 0 failed, 0 remaining, ETA 0s"


def test_a_small_sweep_off_a_terminal_has_a_line_per_run() -> None:
    out = io.StringIO()
    progress = SweepProgress(2, out, ManualClock())
    progress.finished("a")
    progress.finished("b")
    assert out.getvalue().splitlines() == [
        "sweep: 1/2 runs: 1 done, 0 failed, 1 remaining, ETA 0s",
        "sweep: 2/2 runs: 2 done, 0 failed, 0 remaining, ETA 0s",
    ]


def test_a_failure_is_a_line_naming_the_run_and_its_error() -> None:
    out, clock = io.StringIO(), ManualClock()
    progress = SweepProgress(3, out, clock)
    clock.now += 10
    progress.finished("group_size 3, seed 1", "SimulationError: no groups")
    assert out.getvalue().splitlines() == [
        "sweep: run failed: group_size 3, seed 1: SimulationError: no groups",
        "sweep: 1/3 runs: 0 done, 1 failed, 2 remaining, ETA 20s",
    ]
    assert (progress.done, progress.failed, progress.remaining) == (0, 1, 2)


def test_before_any_run_ends_the_time_left_is_unknown() -> None:
    assert SweepProgress(5, io.StringIO(), ManualClock()).eta() == "--"


def test_on_a_terminal_one_line_is_redrawn_and_closed_with_a_newline() -> None:
    out, clock = TerminalStream(), ManualClock()
    progress = SweepProgress(4, out, clock, width=4)
    progress.start()
    clock.now += 2
    progress.finished("seed 0")
    progress.finished("seed 1", "boom")
    progress.close()
    assert out.getvalue() == (
        "sweep: 4 runs to do\n"
        "\r[----] 0/4 runs: 0 done, 0 failed, 4 remaining, ETA --\x1b[K"
        "\r[#---] 1/4 runs: 1 done, 0 failed, 3 remaining, ETA 6s\x1b[K"
        "\r\x1b[Ksweep: run failed: seed 1: boom\n"
        "\r[##--] 2/4 runs: 1 done, 1 failed, 2 remaining, ETA 2s\x1b[K"
        "\n"
    )
    progress.close()  # a second close adds nothing
    assert out.getvalue().endswith("ETA 2s\x1b[K\n")
