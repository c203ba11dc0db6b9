# Laws of the sweep's pure parts, each against a model written from the rule's text: the grid's
# expansion (every point once per seed, seeds round by round, the first parameter slowest), keys
# that survive the results file, the hypergeometric odds and the closed form against counting
# every possible set of adversaries in the simulation's round-robin groups, and the Student-t
# interval.
from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import given
from hypothesis import strategies as st

from backable.shell.sim.report import SimParams
from backable.shell.sweep.grid import (
    KEY_COLUMNS,
    PARAMETERS,
    Grid,
    ParamValue,
    RunKey,
    canonical,
    parse_cell,
)
from backable.shell.sweep.odds import (
    closed_form,
    group_sizes,
    hypergeometric_at_least,
    hypergeometric_pmf,
)
from backable.shell.sweep.results import HEADER, ResultsFile, read_rows
from backable.shell.sweep.runner import failed_outcome
from backable.shell.sweep.stats import estimate, t_quantile, two_sided_t_probability
from properties.sweep_strategies import (
    cell_text,
    grids,
    networks,
    samples,
    seed_ranges,
    values_of,
)


def _expansion_model(grid: Grid, seeds: range) -> list[tuple[tuple[object, ...], int]]:
    # "Every grid point for the first seed, then every point for the next; the first parameter
    # varies slowest": an odometer whose last wheel turns fastest.
    points: list[tuple[object, ...]] = [()]
    for values in grid.values:
        points = [(*p, v) for p in points for v in values]
    return [(p, s) for s in seeds for p in points]


@given(grids(), seed_ranges)
def test_the_expansion_is_every_point_once_per_seed_in_order(grid: Grid, seeds: range) -> None:
    keys = grid.expand(seeds)
    assert [(k.values, k.seed) for k in keys] == _expansion_model(grid, seeds)
    assert len({k.cells() for k in keys}) == len(keys)
    assert len(keys) == math.prod(len(v) for v in grid.values) * len(seeds)
    varied = {n for n, v in zip(PARAMETERS, grid.values, strict=True) if len(v) > 1}
    assert set(grid.varied()) == varied


@given(grids(), seed_ranges)
def test_a_key_survives_its_cells(grid: Grid, seeds: range) -> None:
    for key in grid.expand(seeds):
        assert RunKey.from_cells(dict(zip(KEY_COLUMNS, key.cells(), strict=True))) == key


@given(st.sampled_from(PARAMETERS).flatmap(lambda n: st.tuples(st.just(n), values_of(n))))
def test_a_value_read_back_from_its_text_is_the_value(named: tuple[str, ParamValue]) -> None:
    name, value = named
    assert parse_cell(name, canonical(value)) == value


ROWS = st.lists(st.lists(cell_text, min_size=len(HEADER), max_size=len(HEADER)), max_size=3)


@given(ROWS, cell_text)
def test_rows_of_any_one_line_text_come_back_from_the_file_as_written(
    rows: list[list[str]], error: str
) -> None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / "r.csv"
        written = [dict(zip(HEADER, cells, strict=True)) for cells in rows]
        written.append(dict.fromkeys(HEADER, "") | failed_outcome(error))
        with ResultsFile(path) as results:
            results.open()
            for row in written:
                results.append(row)
        assert read_rows(path) == written
        with ResultsFile(path) as results:
            assert results.open() == written


def _at_least_by_counting(n: int, marked: int, drawn: int, k: int) -> Fraction:
    # From the definition: of every way to mark `marked` of n members, the share in which the
    # first `drawn` members hold at least k marked ones.
    ways = list(itertools.combinations(range(n), marked))
    hits = sum(1 for chosen in ways if sum(1 for v in chosen if v < drawn) >= k)
    return Fraction(hits, len(ways))


@given(networks(), st.integers(min_value=-1, max_value=10))
def test_the_hypergeometric_tail_is_the_share_of_every_marking(
    network: tuple[int, int, int], k: int
) -> None:
    n, drawn, marked = network
    assert hypergeometric_at_least(n, marked, drawn, k) == _at_least_by_counting(
        n, marked, drawn, k
    )
    assert sum(hypergeometric_pmf(n, marked, drawn, j) for j in range(drawn + 1)) == 1


def _groups_model(n: int, g: int) -> list[list[int]]:
    # "n // g groups; the shuffled validators dealt round-robin into them" (validator i goes to
    # group i mod groups); the shuffle does not change how many land in each group.
    count = n // g
    groups: list[list[int]] = [[] for _ in range(count)]
    for v in range(n if count else 0):
        groups[v % count].append(v)
    return groups


@given(networks())
def test_the_closed_form_is_the_mean_over_every_set_of_adversaries(
    network: tuple[int, int, int],
) -> None:
    n, g, k = network
    groups = _groups_model(n, g)
    assert group_sizes(n, g) == tuple(len(m) for m in groups)
    params = SimParams(validators=n, group_size=g)
    params.adversaries["vouch_invalid"] = k / n
    ways = list(itertools.combinations(range(n), k))
    over = alone = 0
    for adversaries in map(set, ways):
        for members in groups:
            inside = len(adversaries & set(members))
            over += 3 * inside >= len(members)
            alone += inside >= len(members) // 2 + 1  # the seed's majority
    c = closed_form(params)
    assert c.adversaries == k == c.vouchers
    assert c.expected_at_or_over_a_third == Fraction(over, len(ways))
    assert c.expected_back_alone == Fraction(alone, len(ways))
    if groups:
        assert c.p_at_or_over_a_third == Fraction(over, len(ways) * len(groups))


@given(st.integers(min_value=1, max_value=400), st.floats(min_value=0.5, max_value=0.999))
def test_the_t_quantile_inverts_the_t_distribution(df: int, p: float) -> None:
    t = t_quantile(p, df)
    assert math.isclose(two_sided_t_probability(t, df), 2 * p - 1, abs_tol=1e-9)
    assert t_quantile(p, df + 1) <= t + 1e-12  # more data, a narrower interval


@given(samples, st.randoms(use_true_random=False))
def test_the_interval_is_centred_on_the_mean_and_blind_to_order(
    values: list[float], rng: random.Random
) -> None:
    e = estimate(values)
    shuffled = list(values)
    rng.shuffle(shuffled)
    again = estimate(shuffled)
    assert e.low is not None and e.high is not None and again.low is not None
    assert math.isclose(e.mean - e.low, e.high - e.mean, rel_tol=1e-9, abs_tol=1e-6)
    assert e.contains(e.mean)
    assert math.isclose(again.low, e.low, rel_tol=1e-9, abs_tol=1e-6)
