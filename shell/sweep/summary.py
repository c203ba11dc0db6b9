# A sweep's summary: its results grouped by grid point (every parameter but the seed), the mean
# of each outcome over the point's seeds with its 95% interval (stats.py), and the closed form
# (odds.py) beside the measured groups at or over a third; rendered as fixed-width text. A run
# key's last successful row is its result; a key whose every row failed counts as failed and
# adds nothing to the means.
#
# What belongs here: grouping rows, the estimates per point, the text. Not here: the statistics
# themselves (stats.py), the closed form (odds.py), reading the file (results.py), the plot
# (plot.py).
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .grid import PARAMETERS, Grid, ParamValue, RunKey, canonical
from .odds import ClosedForm, closed_form
from .results import is_failed, latest_rows
from .runner import NUMERIC_OUTCOMES
from .stats import Estimate, estimate

__all__ = [
    "CLOSED_FORM_OUTCOME",
    "PointSummary",
    "SweepSummary",
    "render_sweep_summary",
    "summarise",
]

# The outcome the closed form predicts: its expectation is drawn beside the measured mean.
CLOSED_FORM_OUTCOME = "groups_with_adversaries_at_or_over_a_third"


@dataclass(frozen=True)
class PointSummary:
    """One grid point: its parameter values (aligned with `PARAMETERS`), the runs that gave a
    report and those that failed, the estimate of each numeric outcome (none when every run
    failed), and the closed form of its network."""

    values: tuple[ParamValue, ...]
    runs: int
    failed: int
    estimates: Mapping[str, Estimate]
    closed: ClosedForm
    errors: tuple[str, ...] = field(default=())

    def value(self, name: str) -> ParamValue:
        return self.values[PARAMETERS.index(name)]


@dataclass(frozen=True)
class SweepSummary:
    """Every grid point, sorted by its values; the parameters that differ between points
    (`varied`, in `PARAMETERS` order) and the seeds seen."""

    points: tuple[PointSummary, ...]
    varied: tuple[str, ...]
    seeds: tuple[int, ...]

    @property
    def runs(self) -> int:
        return sum(p.runs for p in self.points)

    @property
    def failed(self) -> int:
        return sum(p.failed for p in self.points)


def _order(value: ParamValue) -> tuple[int, float | str]:
    # None (the default of an optional count) first, then numbers or text in their own order.
    if value is None:
        return (0, 0.0)
    if isinstance(value, str):
        return (1, value)
    return (1, float(value))


def summarise(rows: Iterable[Mapping[str, str]]) -> SweepSummary:
    """The summary of a sweep's result rows (any order; a key given several rows counts once)."""
    by_point: dict[tuple[ParamValue, ...], list[Mapping[str, str]]] = {}
    seeds: set[int] = set()
    for row in latest_rows(rows):
        key = RunKey.from_cells(row)
        by_point.setdefault(key.values, []).append(row)
        seeds.add(key.seed)
    points = []
    for values in sorted(by_point, key=lambda vs: tuple(_order(v) for v in vs)):
        point_rows = by_point[values]
        good = [r for r in point_rows if not is_failed(r)]
        estimates = (
            {o: estimate([float(r[o]) for r in good]) for o in NUMERIC_OUTCOMES} if good else {}
        )
        params = RunKey(values, 0).params()
        points.append(
            PointSummary(
                values=values,
                runs=len(good),
                failed=len(point_rows) - len(good),
                estimates=estimates,
                closed=closed_form(params),
                errors=tuple(sorted({r["error"] for r in point_rows if is_failed(r)})),
            )
        )
    varied = tuple(
        name
        for i, name in enumerate(PARAMETERS)
        if len({canonical(p.values[i]) for p in points}) > 1
    )
    return SweepSummary(tuple(points), varied, tuple(sorted(seeds)))


# --- text ---------------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.2f}"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], left: int) -> list[str]:
    # The first `left` columns (parameter values) left-aligned, the rest right-aligned.
    cells = [list(header), *(list(r) for r in rows)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return [
        "  ".join(
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in cells
    ]


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _seeds_text(seeds: Sequence[int]) -> str:
    if not seeds:
        return "no seeds"
    if len(seeds) > 1 and seeds == tuple(range(seeds[0], seeds[-1] + 1)):
        return f"seeds {seeds[0]}-{seeds[-1]}"
    return "seed " + ", ".join(map(str, seeds)) if len(seeds) == 1 else f"{len(seeds)} seeds"


def _sizes_text(sizes: Sequence[int]) -> str:
    counts: dict[int, int] = {}
    for s in sizes:
        counts[s] = counts.get(s, 0) + 1
    return " + ".join(f"{counts[s]}x{s}" for s in sorted(counts)) or "none"


def _interval(e: Estimate) -> str:
    if e.low is None or e.high is None:
        return f"n/a ({e.n} run)"
    return f"{_number(e.low)} .. {_number(e.high)}"


def _params(summary: SweepSummary, p: PointSummary) -> list[str]:
    return [canonical(p.value(n)) or "none" for n in summary.varied]


def _outcome_lines(summary: SweepSummary, outcome: str) -> list[str]:
    closed = outcome == CLOSED_FORM_OUTCOME
    failures = summary.failed > 0
    header = [*summary.varied, "runs", *(["failed"] if failures else []), "mean", "95% interval"]
    if closed:
        header += ["closed form", "inside"]
    rows = []
    for p in summary.points:
        e = p.estimates.get(outcome)
        row = [*_params(summary, p), str(p.runs), *([str(p.failed)] if failures else [])]
        row += ["-", "all runs failed"] if e is None else [_number(e.mean), _interval(e)]
        if closed:
            expected = float(p.closed.expected_at_or_over_a_third)
            inside = None if e is None else e.contains(expected)
            row += [_number(expected), {True: "yes", False: "NO", None: "n/a"}[inside]]
        rows.append(row)
    title = outcome
    if closed:
        title += (
            "\n  closed form: the expected count, the sum over the groups of P[X >= ceil(s/3)],"
            " X hypergeometric(N, K, s)"
        )
    lines = [title, *_table(header, rows, len(summary.varied))]
    if closed:
        verdicts = [
            e.contains(float(p.closed.expected_at_or_over_a_third))
            for p in summary.points
            if (e := p.estimates.get(outcome)) is not None
        ]
        defined = [v for v in verdicts if v is not None]
        lines.append(
            f"closed form inside the measured 95% interval at {sum(defined)} of"
            f" {len(defined)} points"
            + (
                f" ({len(verdicts) - len(defined)} with one run: no interval)"
                if len(defined) < len(verdicts)
                else ""
            )
        )
    return lines


def _closed_form_lines(summary: SweepSummary) -> list[str]:
    header = [
        *summary.varied,
        "K",
        "V",
        "groups",
        "P[group >= 1/3]",
        "E[groups >= 1/3]",
        "threshold",
        "P[group backs alone]",
        "E[groups backing alone]",
    ]
    rows = []
    for p in summary.points:
        c = p.closed
        rows.append(
            [
                *_params(summary, p),
                str(c.adversaries),
                str(c.vouchers),
                _sizes_text(c.sizes),
                f"{float(c.p_at_or_over_a_third):.4f}",
                f"{float(c.expected_at_or_over_a_third):.3f}",
                "/".join(map(str, c.thresholds)),
                f"{float(c.p_back_alone):.4f}",
                f"{float(c.expected_back_alone):.3f}",
            ]
        )
    return [
        "closed form per grid point: N validators in N // g groups (shown as count x size), K"
        " adversaries of every kind,\n  V of them vouching for invalid candidates; a group backs"
        " alone when its vouchers reach its backing threshold",
        *_table(header, rows, len(summary.varied)),
    ]


def render_sweep_summary(
    summary: SweepSummary, outcomes: Sequence[str] = NUMERIC_OUTCOMES, source: str = ""
) -> str:
    """The summary as text: a heading (runs, points, seeds, failures, the fixed parameters that
    differ from `backable simulate`'s defaults), a table per outcome in `outcomes` (grid point,
    runs, mean, 95% interval; the closed form beside `CLOSED_FORM_OUTCOME`), and the closed form
    per grid point. Ends in a newline."""
    points = summary.points
    shape = " x ".join(summary.varied) if summary.varied else "one point"
    heading = [
        f"backable sweep{' of ' + source if source else ''}:"
        f" {_count(summary.runs + summary.failed, 'run')} over {_count(len(points), 'grid point')}"
        f" ({shape}), {_seeds_text(summary.seeds)}; {summary.failed} failed"
    ]
    if points:
        defaults = Grid.of({}).points()[0]
        fixed = [
            f"{n} {canonical(points[0].value(n)) or 'none'}"
            for n, default in zip(PARAMETERS, defaults, strict=True)
            if n not in summary.varied and canonical(points[0].value(n)) != canonical(default)
        ]
        heading.append(
            "fixed: "
            + (", ".join(fixed) + "; " if fixed else "")
            + "every other parameter at backable simulate's default"
        )
    for p in points:
        for error in p.errors:
            heading.append(f"failed at {', '.join(_label(summary, p))}: {error}")
    sections = [heading]
    if points:
        sections += [_outcome_lines(summary, o) for o in outcomes]
        sections.append(_closed_form_lines(summary))
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


def _label(summary: SweepSummary, p: PointSummary) -> list[str]:
    return [f"{n} {canonical(p.value(n)) or 'none'}" for n in summary.varied] or ["the point"]
