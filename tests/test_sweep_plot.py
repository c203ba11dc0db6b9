# A sweep's plot: which parameters go on the axes, a PNG with a line per value of the second
# parameter, its band, and the closed form dashed beside the outcome it predicts.
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pytest

from backable.shell.sim.render import PlotUnavailable
from backable.shell.sweep.grid import KEY_COLUMNS, Grid, ParamValue
from backable.shell.sweep.plot import PlotChoiceError, choose_axes, write_sweep_plot
from backable.shell.sweep.runner import OUTCOME_COLUMNS
from backable.shell.sweep.summary import CLOSED_FORM_OUTCOME, SweepSummary, summarise

PNG = b"\x89PNG\r\n\x1a\n"


def _summary(given: dict[str, tuple[ParamValue, ...]], seeds: int = 2) -> SweepSummary:
    rows = []
    for i, key in enumerate(Grid.of(given).expand(range(seeds))):
        cells = dict.fromkeys(OUTCOME_COLUMNS, str(i % 3)) | {"stopped_early": "", "error": ""}
        rows.append(dict(zip(KEY_COLUMNS, key.cells(), strict=True)) | cells)
    return summarise(rows)


TWO: dict[str, tuple[ParamValue, ...]] = {
    "validators": (30,), "cores": (1,), "group_size": (3, 5), "vouch_invalid": (0.0, 0.2, 0.3)}


def test_the_axes_default_to_the_varied_parameters_in_order() -> None:
    assert choose_axes(("group_size", "vouch_invalid"), None, None) == (
        "group_size", "vouch_invalid"
    )
    assert choose_axes(("group_size", "vouch_invalid"), "vouch_invalid", None) == (
        "vouch_invalid", "group_size"
    )
    assert choose_axes(("vouch_invalid",), None, None) == ("vouch_invalid", None)
    assert choose_axes(("vouch_invalid",), None, "group_size") == ("vouch_invalid", "group_size")


def test_axes_that_cannot_be_drawn_say_why() -> None:
    with pytest.raises(PlotChoiceError, match="varies no parameter to draw against: give --x"):
        choose_axes((), None, None)
    with pytest.raises(PlotChoiceError, match="--x and --lines are both cores"):
        choose_axes(("cores",), "cores", "cores")
    with pytest.raises(PlotChoiceError, match="the sweep also varies validators"):
        choose_axes(("validators", "group_size", "vouch_invalid"), "vouch_invalid", "group_size")


def test_the_plot_is_a_png_with_a_line_band_and_dashed_closed_form_per_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures: list[Any] = []
    monkeypatch.setattr(plt, "close", figures.append)
    path = tmp_path / "sweep.png"
    write_sweep_plot(_summary(TWO), path, CLOSED_FORM_OUTCOME, "vouch_invalid", "group_size")
    assert path.read_bytes().startswith(PNG)
    (ax,) = figures[0].axes
    drawn = [(line.get_label(), line.get_linestyle(), list(line.get_xdata())) for line in ax.lines]
    assert ("group_size = 3", "-", [0.0, 0.2, 0.3]) in drawn
    assert ("group_size = 5", "-", [0.0, 0.2, 0.3]) in drawn
    assert sum(1 for _, style, xs in drawn if style == "--" and len(xs) == 3) == 2
    assert len(ax.collections) == 2  # one band per line
    assert ax.get_xlabel() == "vouch_invalid" and ax.get_ylabel() == CLOSED_FORM_OUTCOME


def test_an_outcome_without_a_closed_form_has_no_dashed_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures: list[Any] = []
    monkeypatch.setattr(plt, "close", figures.append)
    write_sweep_plot(_summary(TWO), tmp_path / "s.png", "invalid_backed", "group_size")
    (ax,) = figures[0].axes
    styles = [line.get_linestyle() for line in ax.lines if len(line.get_xdata())]
    assert styles == ["-", "-", "-"]  # one per vouch_invalid value, no closed form


def test_one_seed_draws_means_without_bands(tmp_path: Path) -> None:
    path = tmp_path / "one.png"
    write_sweep_plot(_summary({"vouch_invalid": (0.0, 0.1)}, seeds=1), path, "backed")
    assert path.read_bytes().startswith(PNG)


def test_a_text_parameter_cannot_be_an_x_axis(tmp_path: Path) -> None:
    summary = _summary({"protocol": ("legacy", "async")}, seeds=1)
    with pytest.raises(PlotChoiceError, match="cannot draw the value 'async' on a numeric axis"):
        write_sweep_plot(summary, tmp_path / "p.png", "backed")


def test_without_matplotlib_the_plot_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(PlotUnavailable, match="pip install 'backable\\[plot\\]'"):
        write_sweep_plot(_summary(TWO), tmp_path / "p.png", "backed", "group_size")
