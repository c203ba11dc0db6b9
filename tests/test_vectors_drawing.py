# Seeded draws for the generated cases (shell/vectors/drawing.py): the same seed gives the same
# values, whatever modules were loaded in between; a missing hypothesis is said in one line.
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from backable.shell.vectors.drawing import GeneratorMissing, distinct, drawn


def _pairs(st: Any) -> Any:
    return st.tuples(st.integers(0, 10**9), st.text(max_size=5))


def test_the_same_seed_gives_the_same_values_and_another_seed_others() -> None:
    first = drawn(_pairs, 40, seed=7)
    assert len(first) == 40
    assert drawn(_pairs, 40, seed=7) == first
    assert drawn(_pairs, 40, seed=8) != first


def test_constants_in_newly_loaded_local_modules_do_not_change_the_draws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hypothesis mixes constants from local modules' source into its draws; the vectors' draws
    # must not depend on which modules a process happened to load.
    before = drawn(_pairs, 60, seed=11)
    module = tmp_path / "vectors_constants_probe.py"
    module.write_text("".join(f"C{i} = {123456789 + 7919 * i}\nS{i} = 'zq{i}'\n"
                              for i in range(300)))
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("vectors_constants_probe")
    try:
        assert drawn(_pairs, 60, seed=11) == before
    finally:
        sys.modules.pop("vectors_constants_probe", None)


def test_a_small_space_gives_fewer_values_than_asked() -> None:
    values = drawn(lambda st: st.sampled_from((1, 2)), 50, seed=1)
    assert set(values) <= {1, 2} and 0 < len(values) < 50


def test_without_hypothesis_the_draw_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    with pytest.raises(GeneratorMissing) as missing:
        drawn(_pairs, 1, seed=1)
    assert str(missing.value) == (
        "making the generated cases needs hypothesis: pip install 'backable[vectors]'"
    )


def test_distinct_keeps_each_value_once_where_it_first_came() -> None:
    first, again, other = {"a": 1, "b": [2]}, {"a": 1, "b": [2]}, {"b": [2], "a": 1}
    assert distinct([first, 3, again, other, 3]) == [first, 3, other]
    assert distinct([]) == []
