# BLAKE2b-256, the hash of every Polkadot digest here (`BlakeTwo256::hash_of`, as in
# polkadot@c4ee9d46 primitives/src/v1/mod.rs).
from __future__ import annotations

from hashlib import blake2b

__all__ = ["blake2_256"]


def blake2_256(data: bytes) -> bytes:
    """BLAKE2b with a 32-byte digest, no key."""
    return blake2b(data, digest_size=32).digest()
