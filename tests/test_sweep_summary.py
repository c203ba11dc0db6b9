# A sweep's summary: rows grouped by grid point, the mean and 95% interval of each outcome over
# the seeds (intervals worked out by hand below), failed runs kept out of the means, and the
# closed form beside the groups at or over a third.
from __future__ import annotations

import pytest

from backable.shell.sweep.grid import KEY_COLUMNS, Grid, RunKey
from backable.shell.sweep.runner import NUMERIC_OUTCOMES, OUTCOME_COLUMNS, failed_outcome
from backable.shell.sweep.summary import CLOSED_FORM_OUTCOME, render_sweep_summary, summarise

GRID = Grid.of(
    {"validators": (30,), "cores": (1,), "group_size": (3, 5), "vouch_invalid": (0.2,)}
)
KEYS = GRID.expand(range(3))  # group size 3 seed 0, 5 seed 0, 3 seed 1, 5 seed 1, ...


def _row(key: RunKey, groups: int, **outcome: str) -> dict[str, str]:
    cells = dict.fromkeys(OUTCOME_COLUMNS, "0") | {"stopped_early": "", "error": ""}
    cells[CLOSED_FORM_OUTCOME] = str(groups)
    return dict(zip(KEY_COLUMNS, key.cells(), strict=True)) | cells | outcome


# Groups of 3: 4, 5, 6 over seeds 0-2. Groups of 5: 1, 2, and seed 2 failed.
ROWS = [
    _row(KEYS[0], 4),
    _row(KEYS[1], 1),
    _row(KEYS[2], 5),
    _row(KEYS[3], 2),
    _row(KEYS[4], 6),
    _row(KEYS[5], 0, **failed_outcome("boom")),
]


def test_rows_are_grouped_by_grid_point_and_the_varied_parameters_found() -> None:
    summary = summarise(reversed(ROWS))
    assert summary.varied == ("group_size",)
    assert summary.seeds == (0, 1, 2)
    assert [p.value("group_size") for p in summary.points] == [3, 5]
    assert [(p.runs, p.failed) for p in summary.points] == [(3, 0), (2, 1)]
    assert (summary.runs, summary.failed) == (5, 1)
    assert summary.points[1].errors == ("boom",)
    assert set(summary.points[0].estimates) == set(NUMERIC_OUTCOMES)


def test_the_interval_is_students_over_the_points_seeds() -> None:
    # 4, 5, 6: mean 5, sample deviation 1, t(0.975, 2) = 4.303 -> 5 +- 4.303 / sqrt(3).
    # 1, 2: mean 1.5, deviation sqrt(1/2), t(0.975, 1) = 12.706 -> 1.5 +- 12.706 / 2.
    three, five = (p.estimates[CLOSED_FORM_OUTCOME] for p in summarise(ROWS).points)
    assert three.mean == 5 and three.low == pytest.approx(5 - 4.302653 / 3**0.5)
    assert five.mean == 1.5 and five.high == pytest.approx(1.5 + 12.706205 / 2)


def test_a_retried_run_counts_once_with_its_success() -> None:
    rows = [*ROWS, _row(KEYS[5], 3)]
    five = summarise(rows).points[1]
    assert (five.runs, five.failed) == (3, 0)
    assert five.estimates[CLOSED_FORM_OUTCOME].mean == 2.0


def test_a_point_whose_every_run_failed_has_no_estimates() -> None:
    (point,) = summarise([_row(KEYS[1], 0, **failed_outcome("boom"))]).points
    assert (point.runs, point.failed, dict(point.estimates)) == (0, 1, {})


def test_the_summary_text_puts_the_closed_form_beside_the_measured_mean() -> None:
    text = render_sweep_summary(summarise(ROWS), (CLOSED_FORM_OUTCOME, "invalid_backed"), "r.csv")
    assert text == (
        "backable sweep of r.csv: 6 runs over 2 grid points (group_size), seeds 0-2; 1 failed\n"
        "fixed: validators 30, cores 1, vouch_invalid 0.2; every other parameter at backable"
        " simulate's default\n"
        "failed at group_size 5: boom\n"
        "\n"
        "groups_with_adversaries_at_or_over_a_third\n"
        "  closed form: the expected count, the sum over the groups of P[X >= ceil(s/3)],"
        " X hypergeometric(N, K, s)\n"
        "group_size  runs  failed  mean   95% interval  closed form  inside\n"
        "3              3       0  5.00   2.52 .. 7.48         5.01     yes\n"
        "5              2       1  1.50  -4.85 .. 7.85         1.53     yes\n"
        "closed form inside the measured 95% interval at 2 of 2 points\n"
        "\n"
        "invalid_backed\n"
        "group_size  runs  failed  mean  95% interval\n"
        "3              3       0  0.00  0.00 .. 0.00\n"
        "5              2       1  0.00  0.00 .. 0.00\n"
        "\n"
        "closed form per grid point: N validators in N // g groups (shown as count x size), K"
        " adversaries of every kind,\n"
        "  V of them vouching for invalid candidates; a group backs alone when its vouchers"
        " reach its backing threshold\n"
        "group_size  K  V  groups  P[group >= 1/3]  E[groups >= 1/3]  threshold"
        "  P[group backs alone]  E[groups backing alone]\n"
        "3           6  6    10x3           0.5015             5.015          2"
        "                0.0936                    0.936\n"
        "5           6  6     6x5           0.2543             1.526          3"
        "                0.0413                    0.248\n"
    )


def test_a_closed_form_outside_the_interval_is_flagged_and_one_seed_has_no_interval() -> None:
    far = [_row(KEYS[0], 9), _row(KEYS[2], 9), _row(KEYS[1], 2)]
    text = render_sweep_summary(summarise(far), (CLOSED_FORM_OUTCOME,))
    assert "3              2  9.00  9.00 .. 9.00         5.01      NO\n" in text
    assert "5              1  2.00   n/a (1 run)         1.53     n/a\n" in text
    assert "closed form inside the measured 95% interval at 0 of 1 points (1 with one run:" in text


def test_a_point_whose_runs_all_failed_says_so_in_each_table() -> None:
    text = render_sweep_summary(summarise([_row(KEYS[1], 0, **failed_outcome("boom"))]))
    assert "\n   0       1     -  all runs failed         1.53     n/a\n" in text
    assert text.startswith("backable sweep: 1 run over 1 grid point (one point), seed 0; 1 failed")


def test_no_rows_give_a_heading_only() -> None:
    assert render_sweep_summary(summarise([])) == (
        "backable sweep: 0 runs over 0 grid points (one point), no seeds; 0 failed\n"
    )
