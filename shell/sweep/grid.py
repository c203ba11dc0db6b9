# The grid of a sweep: the parameters a sweep can vary (every `backable simulate` option but the
# seed: each `SimParams` field and each adversary kind), the values given for each, and their
# expansion with the seeds into the ordered list of runs. A run is named by its key: a value for
# every parameter and a seed, written as the cells of the results file, so that a key read back
# from the file is the key the grid made.
#
# What belongs here: the parameter names and kinds, the values' canonical text, the expansion and
# the seeds. Pure: no files, no processes, no clock. Not here: parsing the command line (that is
# shell/cli/sweep.py, which reuses `backable simulate`'s own option types), validating a run's
# parameters (shell/cli/simulate.py's `validate_params`), running it (runner.py).
#
# Order: the product of the parameters' values in `PARAMETERS` order, the first parameter
# varying slowest and each parameter's values in the order given; the seeds round by round: every
# grid point for the first seed, then every point for the next. So a sweep stopped early has, for
# every grid point, the same seeds done give or take one, and its summary already covers the grid.
from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from ..sim.report import ADVERSARY_KINDS, MAX_SEED, SimParams

__all__ = [
    "KEY_COLUMNS",
    "PARAMETERS",
    "Grid",
    "ParamValue",
    "RunKey",
    "canonical",
    "parameter_kind",
    "parse_cell",
    "parse_seeds",
]

ParamValue = int | float | str | None

# Every parameter a sweep can vary, as its `SimParams` field or adversary kind is named (the
# option is that name with dashes: `group_size` -> `--group-size`).
PARAMETERS: tuple[str, ...] = (
    *(f.name for f in fields(SimParams) if f.name not in ("seed", "adversaries")),
    *ADVERSARY_KINDS,
)
# The columns that name a run in the results file.
KEY_COLUMNS: tuple[str, ...] = (*PARAMETERS, "seed")

# A parameter's kind, read from `SimParams`' annotations (strings, under postponed evaluation):
# "int", "float", "str", or "int | None". Adversary shares are floats.
_KINDS: dict[str, str] = {
    **{f.name: str(f.type).replace(" ", "") for f in fields(SimParams)},
    **dict.fromkeys(ADVERSARY_KINDS, "float"),
}


def parameter_kind(name: str) -> str:
    """The kind of parameter `name`: `int`, `float`, `str` or `int|None` (`KeyError` for a name
    that is no parameter)."""
    if name not in PARAMETERS:
        raise KeyError(name)
    return _KINDS[name]


def canonical(value: ParamValue) -> str:
    """A parameter value's text in the results file: None is empty, an int its digits, a float
    Python's shortest repr (`0.1`, `0.0`), a string itself. Equal values give equal text."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def parse_cell(name: str, text: str) -> ParamValue:
    """The value of parameter `name` that `canonical` wrote as `text` (`ValueError` if it is not
    one)."""
    kind = parameter_kind(name)
    if kind == "str":
        return text
    if kind == "int|None" and text == "":
        return None
    if kind in ("int", "int|None"):
        return int(text)
    return float(text)


def parse_seeds(text: str) -> range:
    """The seeds `--seeds` names: `N` is the first N seeds (0 to N-1), `A-B` the seeds A to B,
    both included. `ValueError` with a one-line reason for anything else."""
    first, dash, last = text.strip().partition("-")
    try:
        if dash:
            low, high = int(first), int(last)
        else:
            low, high = 0, int(first) - 1
    except ValueError:
        raise ValueError("takes a count N or a range A-B of whole numbers") from None
    if not dash and high < 0:
        raise ValueError("needs at least one seed")
    if low < 0 or high > MAX_SEED:
        raise ValueError(f"seeds run from 0 to {MAX_SEED} (a u64)")
    if high < low:
        raise ValueError(f"the range ends at {high}, before it starts at {low}")
    return range(low, high + 1)


@dataclass(frozen=True, slots=True)
class RunKey:
    """One run: a value for every parameter (aligned with `PARAMETERS`) and a seed."""

    values: tuple[ParamValue, ...]
    seed: int

    def __post_init__(self) -> None:
        if len(self.values) != len(PARAMETERS):
            raise ValueError(f"a run key needs {len(PARAMETERS)} values, got {len(self.values)}")

    def value(self, name: str) -> ParamValue:
        return self.values[PARAMETERS.index(name)]

    def cells(self) -> tuple[str, ...]:
        """The key as the results file writes it, aligned with `KEY_COLUMNS`."""
        return (*(canonical(v) for v in self.values), str(self.seed))

    @classmethod
    def from_cells(cls, row: Mapping[str, str]) -> RunKey:
        """The key of a results row (`ValueError` if a cell is not its parameter's value)."""
        return cls(tuple(parse_cell(n, row[n]) for n in PARAMETERS), int(row["seed"]))

    def params(self) -> SimParams:
        """The `SimParams` of this run: what `backable simulate` runs for these options."""
        given: dict[str, Any] = dict(zip(PARAMETERS, self.values, strict=True))
        plain = {n: v for n, v in given.items() if n not in ADVERSARY_KINDS}
        adversaries = {k: float(given[k]) for k in ADVERSARY_KINDS}
        return SimParams(**plain, seed=self.seed, adversaries=adversaries)


def _defaults() -> dict[str, ParamValue]:
    d = SimParams()
    values: dict[str, ParamValue] = {n: getattr(d, n) for n in PARAMETERS if hasattr(d, n)}
    values.update({k: d.adversaries.get(k, 0.0) for k in ADVERSARY_KINDS})
    return values


@dataclass(frozen=True, slots=True)
class Grid:
    """The values of every parameter, aligned with `PARAMETERS`: each a non-empty tuple in the
    order given, without repeats. A parameter with one value is fixed; with more, varied."""

    values: tuple[tuple[ParamValue, ...], ...]

    def __post_init__(self) -> None:
        if len(self.values) != len(PARAMETERS):
            raise ValueError(f"a grid needs values for {len(PARAMETERS)} parameters")
        for name, values in zip(PARAMETERS, self.values, strict=True):
            if not values:
                raise ValueError(f"parameter {name} has no value")
            texts = [canonical(v) for v in values]
            if len(set(texts)) != len(texts):
                raise ValueError(f"parameter {name} has a value twice: {', '.join(texts)}")

    @classmethod
    def of(cls, given: Mapping[str, Sequence[ParamValue]]) -> Grid:
        """A grid with the values `given` (by parameter name); every other parameter fixed at
        `backable simulate`'s default. `KeyError` names a name that is no parameter."""
        unknown = sorted(set(given) - set(PARAMETERS))
        if unknown:
            raise KeyError(", ".join(unknown))
        defaults = _defaults()
        return cls(tuple(tuple(given.get(n, (defaults[n],))) for n in PARAMETERS))

    def varied(self) -> tuple[str, ...]:
        """The parameters given more than one value, in `PARAMETERS` order."""
        return tuple(n for n, v in zip(PARAMETERS, self.values, strict=True) if len(v) > 1)

    def points(self) -> list[tuple[ParamValue, ...]]:
        """Every combination of values: the first parameter varies slowest."""
        return list(itertools.product(*self.values))

    def expand(self, seeds: Iterable[int]) -> list[RunKey]:
        """Every run of the sweep, seed by seed: each grid point for the first seed, then each
        for the next."""
        points = self.points()
        return [RunKey(point, seed) for seed in seeds for point in points]
