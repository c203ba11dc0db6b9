# The real blocks behind the "chain" cases: six relay blocks (five Polkadot, one Kusama) whose
# parachains inherents the families derive their inputs from. What belongs here: where the block
# files sit under a chain-data folder, the check that they are all there, and their decoding with
# the project's own decoder (`backable decode`'s reader, shell/cli/decode.py). The vectors carry
# only inputs derived from these blocks, never the block files themselves.
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from backable.core import ParachainsInherentData

from ..cli.decode import load_input
from ..cli.errors import InputError

__all__ = ["REAL_BLOCKS", "ChainDataError", "RealBlock", "check_chain_data", "real_blocks"]

# (chain, block number): the blocks the chain cases come from, in this order.
REAL_BLOCKS: tuple[tuple[str, int], ...] = (
    ("polkadot", 18468942),
    ("polkadot", 19772575),
    ("polkadot", 21157800),
    ("polkadot", 21275366),
    ("polkadot", 22887036),
    ("kusama", 22939322),
)


class ChainDataError(ValueError):
    """The chain-data folder lacks a block file or holds one that does not decode."""


@dataclass(frozen=True, slots=True)
class RealBlock:
    """One real block's parachains inherent, decoded by the project's own codec."""

    chain: str
    number: int
    inherent: ParachainsInherentData

    @property
    def n_validators(self) -> int:
        """Validators the bitfields prove exist: the highest signer's index plus one."""
        return max((b.validator_index for b in self.inherent.bitfields), default=-1) + 1

    @property
    def n_cores(self) -> int:
        """Availability cores, as the bitfields' common length gives them."""
        return max((len(b.payload) for b in self.inherent.bitfields), default=0)


def _raw_path(chain_data: Path, number: int) -> Path:
    return chain_data / "polkadot" / "raw" / f"block{number}.json"


def check_chain_data(chain_data: Path) -> None:
    """Refuse a chain-data folder without every block file (ChainDataError naming the first)."""
    if not chain_data.is_dir():
        raise ChainDataError(f"{chain_data}: not a directory (expected the chain-data folder)")
    for _, number in REAL_BLOCKS:
        path = _raw_path(chain_data, number)
        if not path.is_file():
            raise ChainDataError(
                f"{chain_data}: no polkadot/raw/block{number}.json (the chain cases need the"
                f" {len(REAL_BLOCKS)} blocks {', '.join(str(n) for _, n in REAL_BLOCKS)})"
            )


def real_blocks(chain_data: Path) -> tuple[RealBlock, ...]:
    """The real blocks under `chain_data`, decoded (each folder decoded once per process)."""
    check_chain_data(chain_data)
    return _decoded(str(chain_data.resolve()))


@lru_cache(maxsize=4)
def _decoded(folder: str) -> tuple[RealBlock, ...]:
    blocks = []
    for chain, number in REAL_BLOCKS:
        try:
            loaded = load_input(str(_raw_path(Path(folder), number)))
        except InputError as e:
            raise ChainDataError(f"block {number}: {e}") from None
        blocks.append(RealBlock(chain, number, loaded.inherent))
    return tuple(blocks)
