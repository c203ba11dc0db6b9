# The closed form: hypergeometric odds computed by hand from the definition, the simulation's
# own groups and adversary counts (so the closed form describes what the simulation does), and,
# over 20 seeds per point, the measured mean of the groups at or over a third against the
# hypergeometric expectation.
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from backable.shell.sim.engine import _Simulation
from backable.shell.sim.report import SimParams
from backable.shell.sweep.driver import run_sweep
from backable.shell.sweep.executors import PoolExecutor
from backable.shell.sweep.grid import Grid
from backable.shell.sweep.odds import (
    adversary_count,
    closed_form,
    group_sizes,
    hypergeometric_at_least,
    hypergeometric_pmf,
    third,
)
from backable.shell.sweep.results import ResultsFile, read_rows
from backable.shell.sweep.summary import CLOSED_FORM_OUTCOME, summarise


def _params(validators: int, group_size: int, **shares: float) -> SimParams:
    params = SimParams(validators=validators, group_size=group_size, cores=1, blocks=1)
    params.adversaries.update(shares)
    return params


def test_the_hypergeometric_probabilities_are_those_counted_by_hand() -> None:
    # 4 drawn from 10 of which 3 are marked: C(10, 4) = 210 draws; C(7, 4) = 35 have none,
    # 3 C(7, 3) = 105 one, C(3, 2) C(7, 2) = 63 two, C(7, 1) = 7 all three.
    assert [hypergeometric_pmf(10, 3, 4, k) for k in range(5)] == [
        Fraction(35, 210), Fraction(105, 210), Fraction(63, 210), Fraction(7, 210), Fraction(0)
    ]
    assert hypergeometric_at_least(10, 3, 4, 2) == Fraction(70, 210)
    assert hypergeometric_at_least(10, 3, 4, 0) == 1
    assert hypergeometric_pmf(10, 3, 4, -1) == 0
    assert hypergeometric_pmf(5, 5, 3, 2) == 0  # all five are marked: three drawn, three marked


def test_impossible_hypergeometric_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        hypergeometric_pmf(10, 11, 4, 1)
    with pytest.raises(ValueError):
        hypergeometric_pmf(10, 3, 11, 1)


def test_a_third_of_a_group_is_rounded_up() -> None:
    assert [third(s) for s in (1, 2, 3, 4, 5, 6, 7)] == [1, 1, 1, 2, 2, 2, 3]


def test_group_sizes_are_the_simulations_own_groups_in_order() -> None:
    assert group_sizes(31, 5) == (6, 5, 5, 5, 5, 5)
    assert group_sizes(60, 7) == (8, 8, 8, 8, 7, 7, 7, 7)
    assert group_sizes(20, 7) == (10, 10)
    assert group_sizes(4, 5) == ()
    for validators, group_size in ((30, 3), (31, 5), (60, 7), (20, 7), (45, 4)):
        sim = _Simulation(_params(validators, group_size))
        assert tuple(len(g) for g in sim.groups) == group_sizes(validators, group_size)


def test_the_adversary_count_is_the_simulations_draw_of_every_kind() -> None:
    # 0.25 x 10 = 2.5 rounds half to even, to 2; each kind is rounded on its own.
    assert adversary_count(_params(10, 2, vouch_invalid=0.25)) == 2
    assert adversary_count(_params(45, 4, double_vote=0.1, vouch_invalid=0.1)) == 8
    assert adversary_count(_params(45, 4, double_vote=0.1), ("vouch_invalid",)) == 0
    for shares in ({"vouch_invalid": 0.34}, {"forge": 0.05, "vouch_invalid": 0.15}):
        params = _params(30, 3, **shares)
        assert len(_Simulation(params).adversaries.all()) == adversary_count(params)


def test_the_closed_form_of_equal_groups_is_the_one_computed_by_hand() -> None:
    # 30 validators, 10 groups of 3, 6 adversaries. A group holds none with probability
    # C(24, 3) / C(30, 3) = 2024 / 4060, so at least one (a third) with 2036 / 4060; two or more
    # (the majority, 3 // 2 + 1) with (C(6, 2) 24 + C(6, 3)) / 4060 = 380 / 4060.
    c = closed_form(_params(30, 3, vouch_invalid=0.2))
    assert (c.validators, c.adversaries, c.vouchers, c.sizes) == (30, 6, 6, (3,) * 10)
    assert c.p_at_or_over_a_third == Fraction(2036, 4060)
    assert c.expected_at_or_over_a_third == 10 * Fraction(2036, 4060)
    assert c.thresholds == (2,)
    assert c.p_back_alone == Fraction(380, 4060)
    assert c.expected_back_alone == 10 * Fraction(380, 4060)
    assert c.groups == 10


def test_unequal_groups_add_their_own_odds() -> None:
    # 31 validators in groups of 5: one group of 6 and five of 5; 6 adversaries.
    c = closed_form(_params(31, 5, vouch_invalid=0.2))
    expected = hypergeometric_at_least(31, 6, 6, 2) + 5 * hypergeometric_at_least(31, 6, 5, 2)
    assert c.expected_at_or_over_a_third == expected
    assert c.p_at_or_over_a_third == expected / 6
    assert c.thresholds == (3, 4)  # groups of 5 need 3 votes, the group of 6 needs 4


def test_only_vouchers_back_alone_but_every_adversary_counts_toward_a_third() -> None:
    c = closed_form(_params(30, 3, double_vote=0.1, vouch_invalid=0.1))
    assert (c.adversaries, c.vouchers) == (6, 3)
    assert c.expected_at_or_over_a_third == closed_form(
        _params(30, 3, vouch_invalid=0.2)
    ).expected_at_or_over_a_third
    assert c.p_back_alone == hypergeometric_at_least(30, 3, 3, 2)


def test_the_networks_minimum_backing_votes_lower_the_threshold() -> None:
    params = _params(30, 5, vouch_invalid=0.2)
    params.minimum_backing_votes = 2
    c = closed_form(params)
    assert c.thresholds == (2,)
    assert c.p_back_alone == hypergeometric_at_least(30, 6, 5, 2)


def test_no_groups_and_no_adversaries_give_zero_odds() -> None:
    assert closed_form(_params(4, 5, vouch_invalid=0.5)).expected_at_or_over_a_third == 0
    assert closed_form(_params(30, 3)).expected_at_or_over_a_third == 0
    assert closed_form(_params(30, 3, vouch_invalid=1.0)).p_at_or_over_a_third == 1


# (validators, group size, adversary shares): K = 6, 9 and 3 + 4 adversaries; equal groups, and
# groups of two sizes (36 in groups of 5: one of 6 and six of 5; 27 in groups of 4: three of 5
# and three of 4); adversaries of one kind and of two.
POINTS = (
    (30, 3, {"vouch_invalid": 0.2}),
    (36, 5, {"vouch_invalid": 0.25}),
    (27, 4, {"double_vote": 0.1, "vouch_invalid": 0.15}),
)


def test_over_20_seeds_the_measured_groups_at_or_over_a_third_match_the_closed_form(
    tmp_path: Path,
) -> None:
    # Tiny runs (one core, one block): the count depends on the groups and the adversaries
    # drawn, not on the blocks. Each point is its own grid; all go through one results file.
    keys = []
    for validators, group_size, shares in POINTS:
        given = {"validators": (validators,), "group_size": (group_size,), "cores": (1,),
                 "blocks": (1,), **{kind: (share,) for kind, share in shares.items()}}
        keys += Grid.of(given).expand(range(20))
    executor = PoolExecutor(2)
    with ResultsFile(tmp_path / "results.csv") as results:
        results.open()
        tally = run_sweep(keys, results, executor)
    executor.close()
    assert (tally.ran, tally.failed) == (20 * len(POINTS), 0)
    summary = summarise(read_rows(tmp_path / "results.csv"))
    assert len(summary.points) == len(POINTS) >= 3
    for point in summary.points:
        measured = point.estimates[CLOSED_FORM_OUTCOME]
        expected = float(point.closed.expected_at_or_over_a_third)
        assert measured.n == 20
        assert measured.contains(expected), (point.values, measured, expected)
        assert 0 < expected < point.closed.groups  # neither trivially 0 nor every group
