from __future__ import annotations

import asyncio

import pytest

from backable.core import PoV
from backable.shell.collaborators.availability_store import (
    AvailableData,
    InMemoryAvailabilityStore,
    InvalidErasureRoot,
    stand_in_erasure_root,
)
from tests.shell_fixtures import validation_data

POV = PoV(b"block")
PVD = validation_data(100)


def test_data_matching_the_erasure_root_is_kept() -> None:
    store = InMemoryAvailabilityStore()
    root = stand_in_erasure_root(6, POV, PVD)
    asyncio.run(store.store_available_data(b"\x01" * 32, 6, AvailableData(POV, PVD), root))
    assert store.available_data(b"\x01" * 32) == AvailableData(POV, PVD)


def test_data_missing_the_erasure_root_is_refused_and_not_kept() -> None:
    store = InMemoryAvailabilityStore()
    wrong = stand_in_erasure_root(7, POV, PVD)  # another validator count: another root
    with pytest.raises(InvalidErasureRoot, match="is not the descriptor's"):
        asyncio.run(store.store_available_data(b"\x01" * 32, 6, AvailableData(POV, PVD), wrong))
    assert store.available_data(b"\x01" * 32) is None


def test_the_erasure_root_function_is_injectable() -> None:
    store = InMemoryAvailabilityStore(erasure_root=lambda n, pov, pvd: b"\x07" * 32)
    asyncio.run(store.store_available_data(b"\x01" * 32, 6, AvailableData(POV, PVD), b"\x07" * 32))
    assert store.available_data(b"\x01" * 32) is not None
