# How `backable simulate` shows its report: a fixed-width summary for the terminal, a progress
# line while blocks are built, the report as JSON, and an optional plot. Nothing here runs the
# simulation or decides anything; it only reads a `SimReport`. Output order never depends on dict
# insertion order where the simulation might vary it: kinds and reasons are printed sorted (the
# detectable kinds first, in their declared order).
from __future__ import annotations

import importlib
import json
import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from .report import ADVERSARY_KINDS, DETECTABLE_KINDS, BlockRow, SimParams, SimReport

__all__ = [
    "PlotUnavailable",
    "Progress",
    "plot_formats",
    "render_summary",
    "report_json",
    "require_plot",
    "write_json",
    "write_plot",
]

_CORES_PER_LINE = 10
_BAR_WIDTH = 30


class PlotUnavailable(Exception):
    """`--plot` was asked for but matplotlib is not installed."""


# --- the summary ------------------------------------------------------------------------------


def _table(header: Sequence[str], rows: Iterable[Sequence[object]], first_left: bool) -> list[str]:
    # Columns as wide as their widest cell; numbers right-aligned, the first column left-aligned
    # when it holds names. Trailing spaces are stripped so lines compare cleanly.
    cells = [list(header), *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        parts = [
            cell.ljust(w) if i == 0 and first_left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return lines


def _fraction(value: float) -> str:
    return f"{value:g}"


def _params_lines(p: SimParams) -> list[str]:
    backing = (
        "backing threshold: the seed's majority, group size // 2 + 1"
        if p.minimum_backing_votes is None
        else f"minimum backing votes: {p.minimum_backing_votes}"
    )
    active = [
        f"{kind} {_fraction(share)}"
        for kind, share in _ordered_adversaries(p.adversaries)
        if share > 0
    ]
    return [
        f"backable simulate: {p.validators} validators, {p.cores} cores, groups of"
        f" {p.group_size}, {p.blocks} blocks, seed {p.seed}",
        f"  rotation every {p.rotation_frequency} blocks, availability timeout"
        f" {p.availability_timeout} blocks, {backing}",
        f"  code upgrade rate {_fraction(p.code_upgrade_rate)}; loss: bitfields"
        f" {_fraction(p.bitfield_loss)}, statements {_fraction(p.statement_loss)},"
        f" chunks {_fraction(p.chunk_loss)}",
        f"  adversaries: {', '.join(active) if active else 'none'}",
        f"  protocol: {p.protocol}, {p.cores_per_para} core{'s' if p.cores_per_para > 1 else ''}"
        " per para",
    ]


def _ordered_adversaries(adversaries: dict[str, float]) -> list[tuple[str, float]]:
    known = [(k, adversaries[k]) for k in ADVERSARY_KINDS if k in adversaries]
    others = sorted((k, v) for k, v in adversaries.items() if k not in ADVERSARY_KINDS)
    return known + others


def _blocks_lines(report: SimReport) -> list[str]:
    header = (
        "block",
        "author",
        "seconded",
        "backed",
        "included",
        "timed out",
        "upgrades",
        "bitfields",
        "occupied",
        "available",
    )
    rows: list[list[object]] = [
        [
            b.number,
            b.author,
            b.seconded,
            b.backed,
            b.included,
            b.timed_out,
            b.code_upgrades,
            b.bitfields,
            b.occupied_cores,
            b.available_cores,
        ]
        for b in report.blocks
    ]
    total = [
        "total",
        "",
        report.seconded,
        report.backed,
        report.included,
        report.timed_out,
        report.code_upgrades,
        sum(b.bitfields for b in report.blocks),
        "",
        "",
    ]
    lines = _table(header, [*rows, total], first_left=False)
    # A rule above the totals row, as wide as the table.
    return [*lines[:-1], "-" * max(len(line) for line in lines), lines[-1]]


def _availability_lines(per_core: list[int]) -> list[str]:
    if not per_core:
        return ["availability per core: no cores"]
    lines = ["availability per core (blocks in which the core's candidate became available):"]
    last = len(per_core) - 1
    label_width = len(f"{last}-{last}")
    cell = max(len(str(n)) for n in per_core)
    for start in range(0, len(per_core), _CORES_PER_LINE):
        chunk = per_core[start : start + _CORES_PER_LINE]
        end = start + len(chunk) - 1
        label = f"{start}-{end}" if end > start else str(start)
        counts = " ".join(str(n).rjust(cell) for n in chunk)
        lines.append(f"  cores {label.rjust(label_width)}: {counts}")
    mean = statistics.fmean(per_core)
    lines.append(f"  min {min(per_core)}, mean {mean:.1f}, max {max(per_core)}")
    return lines


def _misbehaviour_lines(report: SimReport) -> list[str]:
    detected, injected = report.misbehaviour_detected, report.misbehaviour_injected
    others = sorted((set(detected) | set(injected)) - set(DETECTABLE_KINDS))
    rows = [[k, detected.get(k, 0), injected.get(k, 0)] for k in (*DETECTABLE_KINDS, *others)]
    undetected = [
        f"  {kind}: {count} ({reason})"
        for kind, reasons in report.misbehaviour_undetected.items()
        for reason, count in reasons.items()
    ]
    return [
        *_table(("misbehaviour", "detected", "injected"), rows, first_left=True),
        *(["undetected, by why:", *undetected] if undetected else []),
        f"evidence: {report.evidence_verified} verified, {report.evidence_unverified} unverified",
    ]


def _invalid_lines(report: SimReport) -> list[str]:
    return [
        f"invalid candidates: {report.invalid_seconded} seconded, {report.invalid_backed}"
        f" backed, {report.invalid_included} included",
        f"groups with adversaries at or over a third: "
        f"{report.groups_with_adversaries_at_or_over_a_third}; invalid included there"
        f" {report.invalid_included_in_such_groups}, elsewhere"
        f" {report.invalid_included_elsewhere}",
    ]


def _dropped_lines(dropped: dict[str, int]) -> list[str]:
    if not dropped:
        return ["dropped messages: none"]
    rows = [[reason, dropped[reason]] for reason in sorted(dropped)]
    rows.append(["total", sum(dropped.values())])
    return ["dropped messages:", *("  " + line for line in _table(("reason", "count"), rows, True))]


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} ms"


def render_summary(report: SimReport) -> str:
    """The report as fixed-width text: parameters, a row per block with totals, then the
    aggregates (backing-to-inclusion delay, availability per core, misbehaviour detected
    against injected, invalid candidates, dropped messages, assembly time, signature work).
    Ends in a newline.
    """
    mean = report.mean_blocks_backing_to_inclusion
    sections = [
        _params_lines(report.params),
        _blocks_lines(report),
        [
            "mean blocks from backing to inclusion: "
            + ("n/a (nothing included)" if mean is None else f"{mean:.2f}"),
            "parablock time: "
            + (
                "n/a (no para included twice)"
                if report.parablock_time_seconds is None
                else f"{report.parablock_time_seconds:.2f} s"
            )
            + f" (relay block 6 s); backed per block: {report.backed_per_block:.2f}",
        ],
        _availability_lines(report.availability_per_core),
        _misbehaviour_lines(report),
        _invalid_lines(report),
        _dropped_lines(report.dropped),
        [
            f"provisioner assembly time: median {_ms(report.assembly_ms_median)},"
            f" max {_ms(report.assembly_ms_max)}",
            f"signatures: {report.signatures.get('signed', 0)} signed,"
            f" {report.signatures.get('verified', 0)} verified (sr25519)",
            f"wall time: {report.wall_seconds:.2f} s",
        ],
    ]
    if report.stopped_early is not None:
        sections.append([f"stopped early: {report.stopped_early}"])
    if report.inherent_problems:
        sections.append(
            [
                f"inherent problems: {len(report.inherent_problems)}",
                *(f"  {problem}" for problem in report.inherent_problems),
            ]
        )
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


# --- progress ---------------------------------------------------------------------------------


class Progress:
    """The `progress` callback of `run_simulation`: called once per relay block.

    On a terminal (`stream.isatty()`) one line redrawn in place with `\\r`, a bar and the
    included count so far; otherwise one plain line per block, so logs stay readable.
    `close()` ends the output with a newline (only needed on a terminal, harmless otherwise).
    """

    def __init__(self, total: int, stream: TextIO, width: int = _BAR_WIDTH) -> None:
        self.total = total
        self.stream = stream
        self.width = width
        self.tty = stream.isatty()
        self.done = 0
        self.included = 0
        self._drawn = False

    def __call__(self, row: BlockRow) -> None:
        self.done += 1
        self.included += row.included
        if self.tty:
            filled = self.width * min(self.done, self.total) // max(self.total, 1)
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r[{bar}] block {self.done}/{self.total}  included {self.included}")
            self._drawn = True
        else:
            self.stream.write(
                f"block {self.done}/{self.total} (#{row.number}): seconded {row.seconded},"
                f" backed {row.backed}, included {row.included}, timed out {row.timed_out}\n"
            )
        self.stream.flush()

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


# --- files ------------------------------------------------------------------------------------


def report_json(report: SimReport) -> str:
    """The whole report (parameters and seed included) as JSON text: sorted keys, indent 2, a
    final newline. Two runs of one seed give the same text apart from the timing fields."""
    return json.dumps(report.to_dict(), sort_keys=True, indent=2) + "\n"


def write_json(report: SimReport, path: str | Path) -> None:
    Path(path).write_text(report_json(report), encoding="utf-8")


def _pyplot() -> Any:
    # matplotlib is the optional `plot` extra: imported only here, by name, so the package and
    # its type checks need it only when a plot is drawn.
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'backable[plot]'") from None
    matplotlib.use("Agg")  # files only, no display needed
    return importlib.import_module("matplotlib.pyplot")


def require_plot() -> None:
    """Raise `PlotUnavailable` now, rather than after a long run, if matplotlib is missing."""
    _pyplot()


def plot_formats() -> tuple[str, ...]:
    """The image formats (file suffixes, without the dot, sorted) `write_plot` can write;
    raises `PlotUnavailable` without matplotlib."""
    plt = _pyplot()
    fig = plt.figure()
    try:
        return tuple(sorted(fig.canvas.get_supported_filetypes()))
    finally:
        plt.close(fig)


def write_plot(report: SimReport, path: str | Path) -> None:
    """Draw inclusions per block (bars), each para's parablocks per block (the protocol's
    rhythm) and available and occupied cores per block (lines) into an image file (its format
    from the suffix, e.g. `.png`)."""
    plt = _pyplot()
    ticker = importlib.import_module("matplotlib.ticker")
    numbers = [b.number for b in report.blocks]
    p = report.params
    fig, (top, middle, bottom) = plt.subplots(
        3, 1, sharex=True, figsize=(10, 8), layout="constrained"
    )
    # The protocol's rhythm: inclusions per block (legacy: every other block per core; async:
    # every block; K cores per para: K a block), with the parablock time it makes.
    rhythm = p.protocol if p.cores_per_para == 1 else f"{p.protocol}, {p.cores_per_para} cores/para"
    parablock = report.parablock_time_seconds
    fig.suptitle(
        f"backable simulate ({rhythm}): {p.validators} validators, {p.cores} cores, groups of"
        f" {p.group_size}, seed {p.seed}; parablock time "
        + ("n/a" if parablock is None else f"{parablock:g} s")
    )
    included = [b.included for b in report.blocks]
    backed = [b.backed for b in report.blocks]
    top.bar(numbers, included, color="tab:green", label=f"included (total {report.included})")
    top.plot(
        numbers,
        backed,
        "o",
        color="tab:blue",
        markersize=4,
        zorder=3,
        label=f"backed (total {report.backed})",
    )
    top.set_ylim(0, max([*included, *backed, 1]) * 1.15)
    top.set_ylabel("candidates")
    top.set_title("candidates per block")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    # Each para's blocks per relay block, the rhythm itself: legacy alternates 1 and 0, async
    # gives 1, a para holding K cores gives K.
    paras = max(p.cores // p.cores_per_para, 1)
    per_para = [b.included / paras for b in report.blocks]
    middle.step(numbers, per_para, where="mid", color="tab:purple", label="included per para")
    middle.axhline(
        p.cores_per_para, color="grey", linestyle=":", linewidth=1,
        label=f"cores per para ({p.cores_per_para})",
    )
    middle.set_ylim(0, max([*per_para, p.cores_per_para]) * 1.15 + 0.1)
    middle.set_ylabel("parablocks")
    middle.set_title(f"parablocks per para per relay block ({paras} paras)")
    middle.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    bottom.plot(
        numbers,
        [b.occupied_cores for b in report.blocks],
        "-s",
        markersize=4,
        color="tab:orange",
        label="occupied",
    )
    bottom.plot(
        numbers,
        [b.available_cores for b in report.blocks],
        "--o",
        markersize=3,
        color="tab:green",
        label="available",
    )
    bottom.axhline(p.cores, color="grey", linestyle=":", linewidth=1, label=f"all {p.cores}")
    bottom.set_ylim(0, p.cores * 1.1 + 0.5)
    bottom.set_ylabel("cores")
    bottom.set_xlabel("relay block")
    bottom.set_title("cores per block")
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    bottom.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    fig.savefig(path, dpi=100)
    plt.close(fig)
