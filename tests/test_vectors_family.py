# What a vector family is (shell/vectors/family.py) and how the families are found
# (shell/vectors/families/__init__.py): one module defining FAMILY per family, sorted by name.
from __future__ import annotations

import pkgutil
from dataclasses import FrozenInstanceError

import pytest

import backable.shell.vectors.families as package
from backable.shell.vectors.families import all_families
from backable.shell.vectors.family import Case, Family


def test_every_module_that_defines_a_family_is_found_once_sorted_by_name() -> None:
    families = all_families()
    names = [f.name for f in families]
    assert names == sorted(names) and len(set(names)) == len(names)
    modules = {info.name for info in pkgutil.iter_modules(package.__path__)}
    # Each family lives in the module of its own name; helper modules define none.
    assert set(names) <= modules
    assert {"availability", "availability_threshold", "bitfield_selection",
            "candidate_selection", "dispute_selection"} <= set(names)
    assert all(isinstance(f, Family) for f in families)


def test_a_family_names_its_schema_and_makes_cases_of_known_sources_and_profiles() -> None:
    for family in all_families():
        assert family.summary and "\n" not in family.summary
        assert "Input" in family.schema or "input" in family.schema
        assert callable(family.evaluate) and callable(family.cases)


def test_a_case_is_a_frozen_record() -> None:
    case = Case("a", "b", "boundary", "seeds", {"n": 1}, {"ok": True})
    assert case == Case("a", "b", "boundary", "seeds", {"n": 1}, {"ok": True})
    with pytest.raises(FrozenInstanceError):
        case.name = "c"  # type: ignore[misc]
