# The availability store (as backing's `validate_and_make_available` uses it, polkadot@c4ee9d46
# node/core/backing/src/lib.rs): keeps a backed candidate's PoV and validation data so
# the validator can serve it and vouch for availability. The erasure root is a documented,
# injectable function: Polkadot's Reed-Solomon chunking and its Merkle root are out of scope for
# now, so the default stands in with a hash over the same inputs, checked the same way.
#
# Bounded memory: the node's store keeps data for a retention and prunes it then (25 hours after
# finality, an hour if it never became available: polkadot@c4ee9d46 node/core/av-store/src/lib.rs,
# `KEEP_FINALIZED_FOR` and `KEEP_UNAVAILABLE_FOR`). The in-memory store is pruned by its owner,
# by relay block number: `prune_before(number)` drops the data of candidates built on a relay
# parent older than `number` (the simulation calls it as blocks go by). And it never holds more
# than `capacity` candidates: past that the oldest stored is evicted. Both are counted in
# `pruned`.
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from backable.core import PersistedValidationData, PoV, blake2_256, encode
from backable.core.errors import BackableError
from backable.core.records.scale import u32

__all__ = [
    "AVAILABILITY_STORE_CAPACITY",
    "AvailabilityStore",
    "AvailableData",
    "ErasureRootFunction",
    "InMemoryAvailabilityStore",
    "InvalidErasureRoot",
    "stand_in_erasure_root",
]


AVAILABILITY_STORE_CAPACITY = 4096  # candidates one in-memory store holds at most


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
    """Available data by candidate hash, in the order stored; at most `capacity` candidates
    (the oldest evicted first), and `prune_before` drops data by relay block number. `pruned`
    counts both, by reason."""

    def __init__(
        self,
        erasure_root: ErasureRootFunction = stand_in_erasure_root,
        capacity: int = AVAILABILITY_STORE_CAPACITY,
    ) -> None:
        self.erasure_root = erasure_root
        self.capacity = capacity
        self.data: dict[bytes, AvailableData] = {}
        self.pruned: Counter[str] = Counter()

    def prune_before(self, number: int) -> int:
        """Drop the data of every candidate whose relay parent is numbered below `number` (its
        validation data's `relay_parent_number`); returns how many were dropped."""
        old = [h for h, d in self.data.items() if d.validation_data.relay_parent_number < number]
        for h in old:
            del self.data[h]
        self.pruned["pruned by block number"] += len(old)
        return len(old)

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
        self.data.pop(candidate_hash, None)  # stored again: it becomes the newest
        self.data[candidate_hash] = data
        while len(self.data) > self.capacity:
            del self.data[next(iter(self.data))]
            self.pruned["evicted over capacity"] += 1

    def available_data(self, candidate_hash: bytes) -> AvailableData | None:
        return self.data.get(candidate_hash)
