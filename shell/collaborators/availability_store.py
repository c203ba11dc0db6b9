# The availability store (as backing's `validate_and_make_available` uses it, polkadot@c4ee9d46
# node/core/backing/src/lib.rs): keeps a backed candidate's PoV and validation data so
# the validator can serve it and vouch for availability. The erasure root is a documented,
# injectable function: Polkadot's Reed-Solomon chunking and its Merkle root are out of scope for
# now, so the default stands in with a hash over the same inputs, checked the same way.
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from backable.core import PersistedValidationData, PoV, blake2_256, encode
from backable.core.errors import BackableError
from backable.core.records.scale import u32

__all__ = [
    "AvailabilityStore",
    "AvailableData",
    "ErasureRootFunction",
    "InMemoryAvailabilityStore",
    "InvalidErasureRoot",
    "stand_in_erasure_root",
]


@dataclass(frozen=True)
class AvailableData:
    pov: PoV
    validation_data: PersistedValidationData


ErasureRootFunction = Callable[[int, PoV, PersistedValidationData], bytes]


def stand_in_erasure_root(
    n_validators: int, pov: PoV, validation_data: PersistedValidationData
) -> bytes:
    """Stands in for the Merkle root of Polkadot's Reed-Solomon chunks of `AvailableData`:
    blake2-256 of SCALE(PoV) ++ SCALE(PVD) ++ n_validators (u32 LE). Not the chain's value."""
    return blake2_256(encode(pov) + encode(validation_data) + u32(n_validators))


class InvalidErasureRoot(BackableError, ValueError):
    """The data does not hash to the erasure root the candidate's descriptor commits to."""


class AvailabilityStore(Protocol):
    async def store_available_data(
        self,
        candidate_hash: bytes,
        n_validators: int,
        data: AvailableData,
        expected_erasure_root: bytes,
    ) -> None: ...

    def available_data(self, candidate_hash: bytes) -> AvailableData | None: ...


class InMemoryAvailabilityStore:
    def __init__(self, erasure_root: ErasureRootFunction = stand_in_erasure_root) -> None:
        self.erasure_root = erasure_root
        self.data: dict[bytes, AvailableData] = {}

    async def store_available_data(
        self,
        candidate_hash: bytes,
        n_validators: int,
        data: AvailableData,
        expected_erasure_root: bytes,
    ) -> None:
        root = self.erasure_root(n_validators, data.pov, data.validation_data)
        if root != expected_erasure_root:
            raise InvalidErasureRoot(
                f"candidate 0x{candidate_hash.hex()[:16]}: erasure root 0x{root.hex()[:16]} is not"
                f" the descriptor's 0x{expected_erasure_root.hex()[:16]}"
            )
        self.data[candidate_hash] = data

    def available_data(self, candidate_hash: bytes) -> AvailableData | None:
        return self.data.get(candidate_hash)
