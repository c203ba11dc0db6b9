# Checks every vector family's example tests share (tests/test_vectors_<family>.py): the cases
# are well formed and stable from one call to the next, each case's expected output is the
# family's evaluation of its input after a trip through JSON text, and input off the schema is
# refused only with the adapter's VectorInputError naming the field.
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from backable.shell.vectors.family import Case, Family, Json, VectorInputError

ROOT = Path(__file__).resolve().parents[1]
CHAIN_DATA = ROOT.parent / "shared" / "data"
DERIVED = CHAIN_DATA / "polkadot" / "derived"


@cache
def family_cases(family: Family, with_chain: bool) -> tuple[Case, ...]:
    """The family's cases, made once per test session (with the real blocks' when asked)."""
    if with_chain and not CHAIN_DATA.is_dir():
        pytest.skip(f"real chain data not found at {CHAIN_DATA}")
    return family.cases(CHAIN_DATA if with_chain else None)


def case_named(family: Family, name: str) -> Case:
    found = [c for c in family_cases(family, False) if c.name == name]
    assert len(found) == 1, f"{family.name} has {len(found)} cases named {name}"
    return found[0]


def expected_of(family: Family, name: str) -> Mapping[str, Json]:
    return case_named(family, name).expected


def as_json(cases: tuple[Case, ...]) -> str:
    return json.dumps(
        [[c.name, c.description, c.source, c.profile, c.input, c.expected] for c in cases],
        sort_keys=True,
    )


def check_well_formed(family: Family, cases: tuple[Case, ...]) -> Counter[str]:
    """Unique names, known sources and profiles, at least 50 cases, and every expected output
    the evaluation of the input read back from JSON text. Returns the count by source."""
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names repeat"
    assert {c.source for c in cases} <= {"boundary", "generated", "chain"}
    assert {c.profile for c in cases} <= {"seeds", "network"}
    assert len(cases) >= 50
    for case in cases:
        assert case.description and "\n" not in case.description
        read_back = json.loads(json.dumps(case.input))
        assert family.evaluate(read_back) == json.loads(json.dumps(case.expected)), case.name
    return Counter(c.source for c in cases)


def check_deterministic(family: Family) -> None:
    """Making the cases again gives the same cases, byte for byte once written as JSON."""
    assert as_json(family.cases(None)) == as_json(family_cases(family, False))


# Values of the wrong JSON shape for any field: an object, a list, a string, a float-free number.
_WRONG: tuple[Any, ...] = ({"unexpected": 1}, ["0x00"], "0xzz", -1, True)


def check_off_schema_refused(family: Family, case: Case) -> None:
    """Every top-level field of `case`'s input, removed or replaced with a value of the wrong
    shape, gives VectorInputError (never another exception); a removed field is named."""
    for key in case.input:
        missing = {k: v for k, v in case.input.items() if k != key}
        with pytest.raises(VectorInputError) as refused:
            family.evaluate(missing)
        assert f"input.{key}" in str(refused.value)
        for wrong in _WRONG:
            if wrong == case.input[key]:
                continue
            with suppress(VectorInputError):
                family.evaluate({**case.input, key: wrong})
