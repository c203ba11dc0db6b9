# Hypothesis strategies for the sweep's pure parts (shell/sweep/grid.py, odds.py, stats.py,
# results.py): values of each parameter's kind, grids of a few varied parameters, seed ranges,
# small networks with adversaries, samples of outcomes, and the text a results cell may hold.
from __future__ import annotations

from hypothesis import strategies as st

from backable.shell.sweep.grid import PARAMETERS, Grid, ParamValue, canonical, parameter_kind

_FRACTIONS = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def values_of(name: str) -> st.SearchStrategy[ParamValue]:
    """A value of parameter `name`'s kind (not necessarily one simulate would run)."""
    kind = parameter_kind(name)
    if kind == "str":
        return st.sampled_from(("legacy", "async"))
    if kind == "float":
        return _FRACTIONS
    ints = st.integers(min_value=1, max_value=2**32 - 1)
    return st.none() | ints if kind == "int|None" else ints


@st.composite
def grids(draw: st.DrawFn, max_varied: int = 3, max_values: int = 3) -> Grid:
    """A grid giving a few parameters a list of distinct values (the rest at the defaults)."""
    names = draw(st.lists(st.sampled_from(PARAMETERS), max_size=max_varied, unique=True))
    given: dict[str, tuple[ParamValue, ...]] = {}
    for name in names:
        values = draw(
            st.lists(values_of(name), min_size=1, max_size=max_values, unique_by=canonical)
        )
        given[name] = tuple(values)
    return Grid.of(given)


seed_ranges = st.builds(
    lambda start, count: range(start, start + count),
    st.integers(min_value=0, max_value=2**64 - 50),
    st.integers(min_value=1, max_value=4),
)


@st.composite
def networks(draw: st.DrawFn, max_validators: int = 9) -> tuple[int, int, int]:
    """(validators N, group size g, adversaries K) for a network small enough to enumerate
    every set of adversaries."""
    n = draw(st.integers(min_value=1, max_value=max_validators))
    g = draw(st.integers(min_value=1, max_value=n))
    k = draw(st.integers(min_value=0, max_value=n))
    return n, g, k


samples = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 3)),
    min_size=2,
    max_size=30,
)

# What a text cell may hold: anything on one line (cells never carry a line break).
cell_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=40
)
