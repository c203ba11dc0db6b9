# The real blocks behind the chain cases (shell/vectors/chain.py): all six must be there, they
# decode with the project's own decoder, and what the families read off them (validators, cores)
# is what the derived files say.
from __future__ import annotations

from pathlib import Path

import pytest

from backable.shell.vectors.chain import REAL_BLOCKS, ChainDataError, check_chain_data, real_blocks
from tests.conftest import load_derived
from tests.vectors_helpers import CHAIN_DATA


def test_a_folder_without_the_blocks_is_refused_naming_the_first_missing(tmp_path: Path) -> None:
    with pytest.raises(ChainDataError, match="not a directory"):
        check_chain_data(tmp_path / "nowhere")
    (tmp_path / "polkadot" / "raw").mkdir(parents=True)
    (tmp_path / "polkadot" / "raw" / "block18468942.json").write_text("{}")
    with pytest.raises(ChainDataError) as refused:
        check_chain_data(tmp_path)
    assert str(refused.value).startswith(f"{tmp_path}: no polkadot/raw/block19772575.json")


def test_a_block_that_does_not_decode_is_refused_by_number(tmp_path: Path) -> None:
    raw = tmp_path / "polkadot" / "raw"
    raw.mkdir(parents=True)
    for _, number in REAL_BLOCKS:
        (raw / f"block{number}.json").write_text('{"extrinsics": []}')
    with pytest.raises(ChainDataError, match=r"^block 18468942: .*no ParaInherent\.enter"):
        real_blocks(tmp_path)


def test_the_six_blocks_decode_with_the_derived_files_validators_and_cores() -> None:
    if not CHAIN_DATA.is_dir():
        pytest.skip("the chain data is not beside the checkout")
    blocks = real_blocks(CHAIN_DATA)
    assert [(b.chain, b.number) for b in blocks] == list(REAL_BLOCKS)
    for block in blocks:
        derived = load_derived(str(block.number))
        assert block.n_validators == derived["n_validators_lower_bound"]
        assert block.n_cores == derived["n_cores_from_bitfield_length"]
        assert len(block.inherent.bitfields) == derived["n_bitfields"]
    assert real_blocks(CHAIN_DATA) is blocks  # decoded once
