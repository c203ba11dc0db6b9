"""`backable simulate` speed: the defaults (goal < 20 s) and 1000 validators x 200 cores x 10
blocks (goal < 120 s), with a profile of where the time goes.

Run: python bench/bench_simulate.py [--repeat 3] [--skip-large] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests/ helpers

from backable.shell.sim.engine import run_simulation
from backable.shell.sim.report import SimParams

# Where a function's own time is spent, by the file it lives in.
BUCKETS = (
    ("sr25519 sign/verify", ("sr25519",)),
    ("asyncio scheduling", ("asyncio",)),
    ("core (pure rules, records)", ("/core/",)),
    ("shell (subsystems, simulation)", ("/shell/",)),
    ("pyrsistent", ("pyrsistent", "pvectorc")),
)


def timed(params: SimParams) -> float:
    started = time.perf_counter()
    report = asyncio.run(run_simulation(params))
    assert report.stopped_early is None, report.stopped_early
    return time.perf_counter() - started


def profile(params: SimParams) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(run_simulation(params))
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    buckets = dict.fromkeys([b for b, _ in BUCKETS] + ["other"], 0.0)
    for (filename, _, name), v in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{filename}:{name}"
        for bucket, needles in BUCKETS:
            if any(n in where for n in needles):
                buckets[bucket] += v[2]
                break
        else:
            buckets["other"] += v[2]
    print(
        f"  profile of {params.validators} x {params.cores} x {params.blocks}"
        f" (own time, {total:.1f} s under the profiler):"
    )
    for bucket, seconds in sorted(buckets.items(), key=lambda kv: -kv[1]):
        print(f"    {bucket:32s} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    print("  top functions by own time:")
    stats.sort_stats("tottime").print_stats(12)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    default = SimParams()
    runs = [timed(default) for _ in range(args.repeat)]
    print(
        f"defaults (300 x 60 x 30): median {statistics.median(runs):6.2f} s over {len(runs)}"
        f" runs (goal < 20 s, ratio {statistics.median(runs) / 20:.2f} of the goal)"
    )
    if not args.skip_large:
        large = SimParams(validators=1000, cores=200, blocks=10)
        t = timed(large)
        print(f"1000 x 200 x 10:          {t:6.2f} s (goal < 120 s, ratio {t / 120:.2f})")
    if args.profile:
        profile(SimParams(blocks=10))


if __name__ == "__main__":
    main()
