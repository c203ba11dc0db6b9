# The sweep's grid: which parameters there are, the values' text in the results file, the
# expansion's order (seeds round by round, the first parameter slowest) and the seeds.
from __future__ import annotations

import pytest

from backable.shell.sim.report import ADVERSARY_KINDS, MAX_SEED, SimParams
from backable.shell.sweep.grid import (
    KEY_COLUMNS,
    PARAMETERS,
    Grid,
    RunKey,
    canonical,
    parameter_kind,
    parse_cell,
    parse_seeds,
)


def test_every_simparams_field_but_the_seed_and_every_adversary_kind_is_a_parameter() -> None:
    fields = [n for n in SimParams.__dataclass_fields__ if n not in ("seed", "adversaries")]
    assert (*fields, *ADVERSARY_KINDS) == PARAMETERS
    assert (*PARAMETERS, "seed") == KEY_COLUMNS


def test_each_parameter_has_the_kind_of_its_field() -> None:
    assert parameter_kind("validators") == "int"
    assert parameter_kind("code_upgrade_rate") == "float"
    assert parameter_kind("minimum_backing_votes") == "int|None"
    assert parameter_kind("protocol") == "str"
    assert {parameter_kind(k) for k in ADVERSARY_KINDS} == {"float"}
    assert {parameter_kind(n) for n in PARAMETERS} == {"int", "float", "str", "int|None"}
    with pytest.raises(KeyError):
        parameter_kind("seed")


def test_values_are_written_canonically_and_read_back() -> None:
    assert [canonical(v) for v in (None, 7, 0.1, 0.0, 1.0, "async")] == [
        "", "7", "0.1", "0.0", "1.0", "async"
    ]
    assert parse_cell("minimum_backing_votes", "") is None
    assert parse_cell("minimum_backing_votes", "3") == 3
    assert parse_cell("vouch_invalid", "0.34") == 0.34
    assert parse_cell("protocol", "async") == "async"
    with pytest.raises(ValueError):
        parse_cell("validators", "0.5")


def test_a_grid_with_nothing_given_is_simulates_defaults_for_one_seed() -> None:
    (key,) = Grid.of({}).expand([0])
    assert key.params() == SimParams()
    assert Grid.of({}).varied() == ()


def test_the_expansion_runs_every_point_for_one_seed_before_the_next_seed() -> None:
    grid = Grid.of({"vouch_invalid": (0.0, 0.2), "group_size": (3, 5)})
    assert grid.varied() == ("group_size", "vouch_invalid")
    runs = [(k.value("group_size"), k.value("vouch_invalid"), k.seed) for k in grid.expand([4, 5])]
    assert runs == [
        (3, 0.0, 4), (3, 0.2, 4), (5, 0.0, 4), (5, 0.2, 4),
        (3, 0.0, 5), (3, 0.2, 5), (5, 0.0, 5), (5, 0.2, 5),
    ]


def test_a_run_key_gives_the_simparams_simulate_would_run() -> None:
    grid = Grid.of({"validators": (40,), "minimum_backing_votes": (2,), "forge": (0.05,)})
    (key,) = grid.expand([9])
    expected = SimParams(validators=40, minimum_backing_votes=2, seed=9)
    expected.adversaries["forge"] = 0.05
    assert key.params() == expected


def test_a_run_key_round_trips_through_its_cells() -> None:
    grid = Grid.of({"protocol": ("legacy", "async"), "minimum_backing_votes": (None, 3)})
    for key in grid.expand(range(2)):
        row = dict(zip(KEY_COLUMNS, key.cells(), strict=True))
        assert RunKey.from_cells(row) == key


def test_a_value_given_twice_or_a_parameter_without_values_is_refused() -> None:
    with pytest.raises(ValueError, match="parameter group_size has a value twice: 3, 3"):
        Grid.of({"group_size": (3, 3)})
    with pytest.raises(ValueError, match="parameter cores has no value"):
        Grid.of({"cores": ()})
    with pytest.raises(KeyError, match="colour"):
        Grid.of({"colour": (1,)})
    with pytest.raises(ValueError):
        RunKey((1, 2), 0)


def test_seeds_are_a_count_from_zero_or_an_inclusive_range() -> None:
    assert parse_seeds("3") == range(3)
    assert parse_seeds("5-7") == range(5, 8)
    assert parse_seeds(f"0-{MAX_SEED}")[-1] == MAX_SEED


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0", "needs at least one seed"),
        ("x", "takes a count N or a range A-B of whole numbers"),
        ("1,2", "takes a count N or a range A-B of whole numbers"),
        ("7-5", "the range ends at 5, before it starts at 7"),
        (f"0-{MAX_SEED + 1}", f"seeds run from 0 to {MAX_SEED} (a u64)"),
    ],
)
def test_bad_seeds_say_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as e:
        parse_seeds(text)
    assert str(e.value) == reason
