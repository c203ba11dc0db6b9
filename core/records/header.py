# The relay-chain header that the parachains inherent carries as `parent_header`: parent hash,
# compact block number, state and extrinsics roots, and the digest with its item kinds
# (sp_runtime's `Header<u32, BlakeTwo256>` and `DigestItem`).
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Union

from . import _checks as c
from .hashing import blake2_256
from .scale import Reader, encode_bytes, encode_compact

__all__ = [
    "AnyDigestItem",
    "DigestConsensus",
    "DigestItem",
    "DigestOther",
    "DigestPreRuntime",
    "DigestRuntimeEnvironmentUpdated",
    "DigestSeal",
    "Header",
]


@dataclass(frozen=True, slots=True)
class _EngineDigest:
    # The three digest kinds addressed to a consensus engine share one shape: a 4-byte engine
    # id and a byte vector; only their index differs.
    engine: bytes
    data: bytes

    TAG: ClassVar[int] = -1

    def __post_init__(self) -> None:
        c.fixed_bytes(self, "engine", self.engine, 4)
        c.any_bytes(self, "data", self.data)

    def scale(self) -> bytes:
        return bytes((self.TAG,)) + self.engine + encode_bytes(self.data)


@dataclass(frozen=True, slots=True)
class DigestPreRuntime(_EngineDigest):
    """A pre-runtime digest (index 6): the consensus engine id and its data (BABE's slot claim)."""

    TAG: ClassVar[int] = 6


@dataclass(frozen=True, slots=True)
class DigestConsensus(_EngineDigest):
    """A consensus digest (index 4): a message from the runtime to an engine."""

    TAG: ClassVar[int] = 4


@dataclass(frozen=True, slots=True)
class DigestSeal(_EngineDigest):
    """A seal (index 5): the block author's signature."""

    TAG: ClassVar[int] = 5


@dataclass(frozen=True, slots=True)
class DigestOther:
    """Any other digest (index 0)."""

    data: bytes

    TAG: ClassVar[int] = 0

    def __post_init__(self) -> None:
        c.any_bytes(self, "data", self.data)

    def scale(self) -> bytes:
        return b"\x00" + encode_bytes(self.data)


@dataclass(frozen=True, slots=True)
class DigestRuntimeEnvironmentUpdated:
    """The runtime's code or heap pages changed (index 8, no data)."""

    TAG: ClassVar[int] = 8

    def scale(self) -> bytes:
        return b"\x08"


AnyDigestItem = Union[  # noqa: UP007
    DigestPreRuntime, DigestConsensus, DigestSeal, DigestOther, DigestRuntimeEnvironmentUpdated
]
DIGEST_TYPES = (
    DigestPreRuntime,
    DigestConsensus,
    DigestSeal,
    DigestOther,
    DigestRuntimeEnvironmentUpdated,
)


class DigestItem:
    """The tagged digest-item enum."""

    @staticmethod
    def write(item: AnyDigestItem) -> bytes:
        return item.scale()

    @staticmethod
    def read(r: Reader) -> AnyDigestItem:
        tag = r.tag((0, 4, 5, 6, 8), "DigestItem")
        if tag == 0:
            return DigestOther(r.bytes_vec())
        if tag == 8:
            return DigestRuntimeEnvironmentUpdated()
        engine = r.take(4)
        data = r.bytes_vec()
        if tag == 6:
            return DigestPreRuntime(engine, data)
        if tag == 4:
            return DigestConsensus(engine, data)
        return DigestSeal(engine, data)


@dataclass(frozen=True, slots=True)
class Header:
    """A relay-chain block header; `number` is SCALE-compact, `hash()` is the block hash."""

    parent_hash: bytes
    number: int
    state_root: bytes
    extrinsics_root: bytes
    digest: tuple[AnyDigestItem, ...] = ()

    def __post_init__(self) -> None:
        c.hash32(self, "parent_hash", self.parent_hash)
        c.u32(self, "number", self.number)
        c.hash32(self, "state_root", self.state_root)
        c.hash32(self, "extrinsics_root", self.extrinsics_root)
        c.tuple_of(self, "digest", self.digest, DIGEST_TYPES)

    def scale(self) -> bytes:
        parts = [
            self.parent_hash,
            encode_compact(self.number),
            self.state_root,
            self.extrinsics_root,
            encode_compact(len(self.digest)),
        ]
        parts.extend(d.scale() for d in self.digest)
        return b"".join(parts)

    @classmethod
    def read(cls, r: Reader) -> Header:
        return cls(r.take(32), r.compact(), r.take(32), r.take(32), r.vec(DigestItem.read))

    def hash(self) -> bytes:
        return blake2_256(self.scale())

    def __repr__(self) -> str:
        return (
            f"Header(number={self.number}, parent_hash=0x{self.parent_hash.hex()[:16]}..,"
            f" digest_items={len(self.digest)})"
        )
