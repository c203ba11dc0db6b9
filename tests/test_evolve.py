# The fast `replace` the job machines use: the same value as `dataclasses.replace`, refusing what
# it refuses.
from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from backable.core.evolve import evolver


@dataclass(frozen=True, slots=True)
class _State:
    a: int
    b: tuple[int, ...] = ()
    c: str = field(default="x")


@dataclass(frozen=True, slots=True)
class _Checked:
    a: int

    def __post_init__(self) -> None:
        if self.a < 0:
            raise ValueError("negative")


def evolve(record: _State, **changes: object) -> _State:
    # Built inside each test, not at import: mutation testing attributes a function to the tests
    # that call it while they run, and a call at import belongs to no test.
    return evolver(_State)(record, **changes)


@pytest.mark.parametrize("changes", [{}, {"a": 2}, {"b": (1, 2)}, {"a": 3, "c": "y", "b": ()}])
def test_evolve_gives_what_replace_gives(changes: dict[str, object]) -> None:
    state = _State(1, (9,), "z")
    new = evolve(state, **changes)
    assert new == replace(state, **changes)  # type: ignore[arg-type]
    assert type(new) is _State and new is not state
    assert state == _State(1, (9,), "z")  # the original is untouched


def test_an_unknown_field_is_a_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match=r"_State has no field.*nope"):
        evolve(_State(1), nope=1)


def test_the_result_stays_frozen() -> None:
    new = evolve(_State(1), a=5)
    with pytest.raises(AttributeError):
        new.a = 6  # type: ignore[misc]


def test_a_record_that_checks_its_fields_is_refused() -> None:
    # Skipping __post_init__ would skip its checks: such records keep using `replace`.
    with pytest.raises(TypeError, match="_Checked checks its fields"):
        evolver(_Checked)


@dataclass(frozen=True)
class _Plain:
    a: int
    b: tuple[int, ...] = ()


def test_a_record_without_slots_is_evolved_alike() -> None:
    evolve_plain = evolver(_Plain)
    state = _Plain(1, (2,))
    assert evolve_plain(state, b=(3,)) == replace(state, b=(3,)) == _Plain(1, (3,))
    assert evolve_plain(state) == state and evolve_plain(state) is not state
    assert state == _Plain(1, (2,))
    with pytest.raises(TypeError, match="_Plain has no field"):
        evolve_plain(state, c=1)
    with pytest.raises(AttributeError):
        evolve_plain(state, a=2).a = 3  # type: ignore[misc]


def test_an_unknown_field_error_lists_every_unknown_name_in_order() -> None:
    with pytest.raises(TypeError) as raised:
        evolve(_State(1), zz=1, a=2, nope=3)
    assert str(raised.value) == "_State has no field(s) nope, zz"
