# Shared fixtures: where the real chain data lives (../shared/data beside the checkout; tests
# read it there and never copy it into the project).
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data" / "polkadot"
REAL_BLOCKS = ("18468942", "19772575", "21157800", "21275366", "22887036", "22939322")


def load_block(number: str) -> dict[str, Any]:
    return json.loads((SHARED_DATA / "raw" / f"block{number}.json").read_text())


def load_derived(number: str) -> dict[str, Any]:
    (path,) = (SHARED_DATA / "derived").glob(f"paras_inherent_*_{number}.json")
    return json.loads(path.read_text())


def inherent_bytes(number: str) -> bytes:
    """The raw `ParaInherent.enter` extrinsic (extrinsic 1) of a real block."""
    return bytes.fromhex(load_block(number)["extrinsics"][1][2:])


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(
            f"real chain data not found at {SHARED_DATA}; ../shared must sit beside the checkout"
        )
    return SHARED_DATA
