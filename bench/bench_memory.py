"""`backable simulate` memory: peak resident set size at two block counts (default 100 and
1,000; every other option at its default unless passed after `--`), each run in a fresh process,
and the growth between them in percent. Goal: under 10%, i.e. a simulation's peak memory does
not grow with the number of blocks (everything kept per block is released once it is no longer
needed; the in-memory collaborators prune on a documented retention).

A 1,000-block run at the defaults takes about 6 minutes. Not part of CI.

Run: python bench/bench_memory.py [--blocks 100 1000] [--repeat 1] [--parallel]
                                  [-- --validators 100 --cores 20 ...]

Peak RSS is read from `/usr/bin/time -v` ("Maximum resident set size") when it is present,
otherwise from the child's own resource usage (`os.wait4`, the per-child form of
`getrusage(RUSAGE_CHILDREN).ru_maxrss`). With --repeat the median of the runs is reported.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_TIME = "/usr/bin/time"
_MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def _command(blocks: int, extra: list[str]) -> list[str]:
    # The console script's own entry point, in this interpreter: `python -m backable`.
    return [
        sys.executable, "-m", "backable", "simulate", "--quiet", "--blocks", str(blocks), *extra,
    ]


class _Run:
    """One `backable simulate` in a fresh process, measured when it ends."""

    def __init__(self, blocks: int, extra: list[str]) -> None:
        self.blocks = blocks
        self.use_time = os.path.exists(_TIME)
        command = _command(blocks, extra)
        # stderr to a file, not a pipe: nobody reads it until the child has ended
        fd, self._stderr = tempfile.mkstemp(prefix="bench_memory.", suffix=".err")
        if self.use_time:
            command = [_TIME, "-v", *command]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=fd)
        os.close(fd)

    def peak_kib(self) -> int:
        _, status, usage = os.wait4(self.process.pid, 0)
        self.process.returncode = os.waitstatus_to_exitcode(status)
        err = Path(self._stderr).read_text(errors="replace")
        Path(self._stderr).unlink()
        if self.process.returncode != 0:
            raise SystemExit(f"simulate --blocks {self.blocks} failed:\n{err}")
        if self.use_time:
            found = _MAX_RSS.search(err)
            if found is None:
                raise SystemExit(f"{_TIME} -v printed no maximum resident set size:\n{err}")
            return int(found.group(1))
        return int(usage.ru_maxrss)  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, nargs=2, default=[100, 1000], metavar=("A", "B"))
    parser.add_argument("--repeat", type=int, default=1, help="runs per block count (median)")
    parser.add_argument(
        "--parallel", action="store_true",
        help="start every run at once (faster; peak RSS is per process either way)",
    )
    parser.add_argument("extra", nargs="*", help="options passed on to simulate (after --)")
    args = parser.parse_args()
    plan = [b for b in args.blocks for _ in range(args.repeat)]
    peaks: dict[int, list[int]] = {b: [] for b in args.blocks}
    if args.parallel:
        runs = [_Run(b, args.extra) for b in plan]
        for run in runs:
            peaks[run.blocks].append(run.peak_kib())
    else:
        for b in plan:
            peaks[b].append(_Run(b, args.extra).peak_kib())
    source = f"{_TIME} -v" if os.path.exists(_TIME) else "os.wait4 ru_maxrss"
    extra = " ".join(args.extra) or "defaults"
    print(f"peak RSS of backable simulate ({extra}; {source}; median of {args.repeat})")
    a, b = args.blocks
    median = {n: statistics.median(v) for n, v in peaks.items()}
    for n in (a, b):
        runs = ", ".join(f"{k / 1024:.1f}" for k in peaks[n])
        print(f"  {n:>6} blocks: {median[n] / 1024:8.1f} MiB  (runs: {runs})")
    growth = (median[b] - median[a]) / median[a] * 100
    verdict = "within" if growth < 10 else "over"
    print(f"  growth {a} -> {b} blocks: {growth:+.1f}% ({verdict} the 10% goal)")


if __name__ == "__main__":
    main()
