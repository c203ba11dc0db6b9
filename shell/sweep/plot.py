# A sweep's plot: one outcome against one parameter (`x`), one line per value of a second
# parameter (`lines`), each line the mean over seeds with its 95% interval as a shaded band, and
# the closed form (odds.py) as a dashed line of the same colour when the outcome is the one it
# predicts. matplotlib is the optional `plot` extra, drawn with its file-only Agg backend.
#
# What belongs here: choosing and checking the axes, and drawing. Not here: the numbers (they
# come from summary.py's `SweepSummary`).
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from ..sim.render import PlotUnavailable
from .grid import canonical
from .summary import CLOSED_FORM_OUTCOME, PointSummary, SweepSummary

__all__ = ["PlotChoiceError", "choose_axes", "write_sweep_plot"]


class PlotChoiceError(Exception):
    """The plot's outcome or parameters cannot be drawn from these results; says why."""


def choose_axes(
    varied: tuple[str, ...], x: str | None, lines: str | None
) -> tuple[str, str | None]:
    """The plot's x parameter and line parameter: the ones given, or the sweep's varied ones in
    order. Every varied parameter must be one of the two (a third would put two points at one
    x on one line); either may be a fixed parameter."""
    if x is None:
        x = next((v for v in varied if v != lines), None)
        if x is None:
            raise PlotChoiceError("the sweep varies no parameter to draw against: give --x")
    if lines is None:
        lines = next((v for v in varied if v != x), None)
    if lines == x:
        raise PlotChoiceError(f"--x and --lines are both {x}; choose two parameters")
    others = [v for v in varied if v not in (x, lines)]
    if others:
        raise PlotChoiceError(
            f"the sweep also varies {', '.join(others)}: a plot draws one parameter against"
            f" another ({x}{', ' + lines if lines else ''}); summarise instead, or sweep fewer"
        )
    return x, lines


def _pyplot() -> Any:
    # matplotlib is the optional `plot` extra: imported only here, by name.
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'backable[plot]'") from None
    matplotlib.use("Agg")
    return importlib.import_module("matplotlib.pyplot")


def _number(value: object) -> float:
    if isinstance(value, int | float):
        return float(value)
    raise PlotChoiceError(f"cannot draw the value {value!r} on a numeric axis")


def write_sweep_plot(
    summary: SweepSummary,
    path: str | Path,
    outcome: str,
    x: str | None = None,
    lines: str | None = None,
) -> None:
    """Draw `outcome` against `x`, one line per value of `lines`, into an image file (format
    from the suffix). `PlotChoiceError` when the results cannot be drawn so."""
    x, lines = choose_axes(summary.varied, x, lines)
    plt = _pyplot()
    groups: dict[str, list[PointSummary]] = {}
    for point in summary.points:
        label = canonical(point.value(lines)) if lines else ""
        groups.setdefault(label, []).append(point)
    fig, ax = plt.subplots(figsize=(10, 5.5), layout="constrained")
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    closed = outcome == CLOSED_FORM_OUTCOME
    for i, (label, points) in enumerate(groups.items()):
        colour = colours[i % len(colours)]
        drawn = sorted(
            (p for p in points if outcome in p.estimates), key=lambda p: _number(p.value(x))
        )
        xs = [_number(p.value(x)) for p in drawn]
        means = [p.estimates[outcome].mean for p in drawn]
        name = f"{lines} = {label or 'none'}" if lines else "mean over seeds"
        ax.plot(xs, means, "-o", color=colour, markersize=4, label=name)
        banded = [p for p in drawn if p.estimates[outcome].low is not None]
        if banded:
            ax.fill_between(
                [_number(p.value(x)) for p in banded],
                [p.estimates[outcome].low for p in banded],
                [p.estimates[outcome].high for p in banded],
                color=colour,
                alpha=0.2,
                linewidth=0,
            )
        if closed:
            every = sorted(points, key=lambda p: _number(p.value(x)))
            ax.plot(
                [_number(p.value(x)) for p in every],
                [float(p.closed.expected_at_or_over_a_third) for p in every],
                "--",
                color=colour,
                linewidth=1.5,
            )
    seeds = summary.seeds
    runs = max((p.runs for p in summary.points), default=0)
    fig.suptitle(
        f"backable sweep: {outcome}\nagainst {x}"
        + (f", one line per {lines}" if lines else "")
        + f"; mean of up to {runs} seeds per point ({len(seeds)} seeds in all)",
        fontsize=10,
    )
    ax.set_xlabel(x)
    ax.set_ylabel(outcome)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    if all(isinstance(p.value(x), int) for p in summary.points):
        ticker = importlib.import_module("matplotlib.ticker")
        ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    # One legend entry per line, and one each for what every line's band and dashes mean.
    handles, labels = ax.get_legend_handles_labels()
    patches = importlib.import_module("matplotlib.patches")
    handles.append(patches.Patch(color="grey", alpha=0.25, linewidth=0))
    labels.append("95% interval over seeds")
    if closed:
        handles.append(ax.plot([], [], "--", color="grey")[0])
        labels.append("closed form: hypergeometric expectation")
    ax.legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.savefig(path, dpi=100)
    plt.close(fig)
