"""`backable simulate` speed against its signature floor (issue 12: within 2.5x of its signature
work): the defaults (goal < 20 s) and 1000 validators x 200 cores x 10 blocks (goal < 120 s).

Each run happens in a fresh subprocess, so its peak RSS is its own. That process first measures
the unit costs of sr25519 sign and verify (median of many single calls, on a 73-byte message:
a backing statement's payload; measured before and after the run, and averaged), then runs the
simulation and reports wall time, CPU time
(`time.process_time`), the report's `signatures` and `ru_maxrss`. The floor is
signed x sign cost + verified x verify cost: the work the protocol itself demands; the ratio is
CPU time / floor (wall / floor too). Figures are medians of `--repeat` runs.

`--scaling` adds a table: validators 300, 500, 1000, 2000 with cores validators/5, 10 blocks;
time and peak memory per point and the exponent k of time ~ validators^k (least squares on the
logs). Pin to one CPU for stable figures: `taskset -c 1 python bench/bench_simulate.py`.

Run: python bench/bench_simulate.py [--repeat 3] [--skip-large] [--scaling] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import math
import pstats
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sr25519

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


UNIT_CALLS = 2000  # single calls timed for each unit cost
MESSAGE = bytes(range(73))  # a backing statement's payload is 73 bytes


def unit_costs(calls: int = UNIT_CALLS) -> tuple[float, float]:
    """Median seconds of one sr25519 sign and one verify, each call timed on its own."""
    public, secret = sr25519.pair_from_seed(bytes(32))
    pair = (public, secret)
    signs, verifies = [], []
    signature = sr25519.sign(pair, MESSAGE)
    for _ in range(calls):
        t0 = time.perf_counter()
        signature = sr25519.sign(pair, MESSAGE)
        t1 = time.perf_counter()
        assert sr25519.verify(signature, MESSAGE, public)
        t2 = time.perf_counter()
        signs.append(t1 - t0)
        verifies.append(t2 - t1)
    return statistics.median(signs), statistics.median(verifies)


def one_run(validators: int, cores: int, blocks: int) -> dict[str, Any]:
    """Unit costs, one simulation, unit costs again, in this process: the figures `measure`
    collects. The unit costs are the mean of the two measurements, since a shared machine's
    speed drifts (a process's first second is often not its typical one)."""
    unit_costs(UNIT_CALLS // 4)  # warm up: caches, the CPU's clock
    before = unit_costs()
    params = SimParams(validators=validators, cores=cores, blocks=blocks)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    report = asyncio.run(run_simulation(params))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    after = unit_costs()
    sign, verify = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
    assert report.stopped_early is None, report.stopped_early
    signed, verified = report.signatures["signed"], report.signatures["verified"]
    return {
        "wall": wall,
        "cpu": cpu,
        "sign": sign,
        "verify": verify,
        "signed": signed,
        "verified": verified,
        "floor": signed * sign + verified * verify,
        "ratio": cpu / (signed * sign + verified * verify),
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB on Linux
    }


def measure(validators: int, cores: int, blocks: int, repeat: int) -> dict[str, Any]:
    """Medians over `repeat` runs, each in a fresh subprocess (its own peak RSS)."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--one", f"{validators},{cores},{blocks}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    med["runs"] = len(runs)
    return med


def show(label: str, m: dict[str, Any], goal: float | None = None) -> None:
    goal_text = f" (goal < {goal:.0f} s, {m['wall'] / goal:.2f} of it)" if goal else ""
    print(f"{label}: median of {m['runs']} runs{goal_text}")
    print(f"  total      wall {m['wall']:7.2f} s   cpu {m['cpu']:7.2f} s")
    print(
        f"  signatures {m['signed']:.0f} signed x {m['sign'] * 1e6:.1f} us"
        f" + {m['verified']:.0f} verified x {m['verify'] * 1e6:.1f} us"
        f" = floor {m['floor']:.2f} s"
    )
    print(
        f"  ratio      cpu/floor {m['ratio']:.2f} (median of the runs' ratios)"
        f"   wall/floor {m['wall'] / m['floor']:.2f}   (goal <= 2.5)"
    )
    print(f"  peak RSS   {m['rss_mib']:.0f} MiB")


def scaling(repeat: int) -> None:
    points = [(v, v // 5) for v in (300, 500, 1000, 2000)]
    print("scaling (cores = validators / 5, 10 blocks):")
    header = ("validators", 10), ("cores", 5), ("wall s", 8), ("cpu s", 8), ("ratio", 6)
    print("  " + " ".join(name.rjust(width) for name, width in header) + "  RSS MiB")
    xs, ys = [], []
    for v, c in points:
        m = measure(v, c, 10, repeat)
        print(
            f"  {v:>10} {c:>5} {m['wall']:>8.2f} {m['cpu']:>8.2f}"
            f" {m['ratio']:>6.2f} {m['rss_mib']:>8.0f}",
            flush=True,
        )
        xs.append(math.log(v))
        ys.append(math.log(m["cpu"]))
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    k = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    print(f"  fitted exponent: cpu time ~ validators^{k:.2f} (least squares on the logs)")


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
    parser.add_argument("--scaling", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # "V,C,B": one run, JSON out
    args = parser.parse_args()
    if args.one:
        v, c, b = (int(x) for x in args.one.split(","))
        print(json.dumps(one_run(v, c, b)))
        return
    show("defaults (300 x 60 x 30)", measure(300, 60, 30, args.repeat), goal=20)
    if not args.skip_large:
        show("1000 x 200 x 10", measure(1000, 200, 10, args.repeat), goal=120)
    if args.scaling:
        scaling(args.repeat)
    if args.profile:
        profile(SimParams(blocks=10))


if __name__ == "__main__":
    main()
