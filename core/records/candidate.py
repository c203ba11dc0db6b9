# Candidate records: descriptor, commitments (with HRMP messages), plain and committed receipts,
# persisted validation data and the PoV, with their SCALE forms and hashes (polkadot@c4ee9d46
# primitives/src/v1/mod.rs, `CandidateDescriptor` to `PersistedValidationData`; `PoV` in
# node/primitives/src/lib.rs). The candidate hash is blake2-256(SCALE(descriptor) ++
# commitments_hash), never the hash of the committed receipt's own encoding
# (`CommittedCandidateReceipt::hash` in those primitives hashes `to_plain()`).
from __future__ import annotations

from dataclasses import dataclass, field

from . import _checks as c
from .hashing import blake2_256
from .scale import Reader, encode_bytes, encode_compact, u32

__all__ = [
    "CandidateCommitments",
    "CandidateDescriptor",
    "CandidateReceipt",
    "CommittedCandidateReceipt",
    "OutboundHrmpMessage",
    "PersistedValidationData",
    "PoV",
]


@dataclass(frozen=True, slots=True)
class CandidateDescriptor:
    """The v1 descriptor (292 bytes of SCALE, byte-compatible with v2: `CandidateDescriptor`,
    polkadot@c4ee9d46 primitives/src/v1/mod.rs; `CandidateDescriptorV2`, polkadot-sdk@008dd419
    polkadot/primitives/src/v9/mod.rs)."""

    para_id: int
    relay_parent: bytes
    collator: bytes
    persisted_validation_data_hash: bytes
    pov_hash: bytes
    erasure_root: bytes
    signature: bytes
    para_head: bytes
    validation_code_hash: bytes

    def __post_init__(self) -> None:
        c.u32(self, "para_id", self.para_id)
        c.hash32(self, "relay_parent", self.relay_parent)
        c.hash32(self, "collator", self.collator)
        c.hash32(self, "persisted_validation_data_hash", self.persisted_validation_data_hash)
        c.hash32(self, "pov_hash", self.pov_hash)
        c.hash32(self, "erasure_root", self.erasure_root)
        c.sig64(self, "signature", self.signature)
        c.hash32(self, "para_head", self.para_head)
        c.hash32(self, "validation_code_hash", self.validation_code_hash)

    def scale(self) -> bytes:
        return b"".join(
            (
                u32(self.para_id),
                self.relay_parent,
                self.collator,
                self.persisted_validation_data_hash,
                self.pov_hash,
                self.erasure_root,
                self.signature,
                self.para_head,
                self.validation_code_hash,
            )
        )

    @classmethod
    def read(cls, r: Reader) -> CandidateDescriptor:
        raw = r.take(292)
        return cls(
            int.from_bytes(raw[0:4], "little"),
            raw[4:36],
            raw[36:68],
            raw[68:100],
            raw[100:132],
            raw[132:164],
            raw[164:228],
            raw[228:260],
            raw[260:292],
        )

    def __repr__(self) -> str:
        return (
            f"CandidateDescriptor(para_id={self.para_id},"
            f" relay_parent=0x{self.relay_parent.hex()[:16]}..,"
            f" collator=0x{self.collator.hex()[:16]}.., pov_hash=0x{self.pov_hash.hex()[:16]}..)"
        )


@dataclass(frozen=True, slots=True)
class OutboundHrmpMessage:
    recipient: int
    data: bytes

    def __post_init__(self) -> None:
        c.u32(self, "recipient", self.recipient)
        c.any_bytes(self, "data", self.data)

    def scale(self) -> bytes:
        return u32(self.recipient) + encode_bytes(self.data)

    @classmethod
    def read(cls, r: Reader) -> OutboundHrmpMessage:
        return cls(r.u32(), r.bytes_vec())


def _read_hrmp(r: Reader) -> OutboundHrmpMessage:
    return OutboundHrmpMessage.read(r)


def _read_bytes(r: Reader) -> bytes:
    return r.bytes_vec()


@dataclass(frozen=True, slots=True)
class CandidateCommitments:
    """What a candidate commits to; `hash()` is blake2-256 of its SCALE form
    (polkadot@c4ee9d46 primitives/src/v1/mod.rs, `CandidateCommitments`)."""

    upward_messages: tuple[bytes, ...] = ()
    horizontal_messages: tuple[OutboundHrmpMessage, ...] = ()
    new_validation_code: bytes | None = None
    head_data: bytes = b""
    processed_downward_messages: int = 0
    hrmp_watermark: int = 0
    _hash: bytes | None = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        c.tuple_of_bytes(self, "upward_messages", self.upward_messages)
        c.tuple_of(self, "horizontal_messages", self.horizontal_messages, OutboundHrmpMessage)
        if self.new_validation_code is not None:
            c.any_bytes(self, "new_validation_code", self.new_validation_code)
        c.any_bytes(self, "head_data", self.head_data)
        c.u32(self, "processed_downward_messages", self.processed_downward_messages)
        c.u32(self, "hrmp_watermark", self.hrmp_watermark)

    def scale(self) -> bytes:
        parts = [encode_compact(len(self.upward_messages))]
        parts.extend(encode_bytes(m) for m in self.upward_messages)
        parts.append(encode_compact(len(self.horizontal_messages)))
        parts.extend(m.scale() for m in self.horizontal_messages)
        code = self.new_validation_code
        parts.append(b"\x00" if code is None else b"\x01" + encode_bytes(code))
        parts.append(encode_bytes(self.head_data))
        parts.append(u32(self.processed_downward_messages))
        parts.append(u32(self.hrmp_watermark))
        return b"".join(parts)

    @classmethod
    def read(cls, r: Reader) -> CandidateCommitments:
        return cls(
            r.vec(_read_bytes),
            r.vec(_read_hrmp, 5),
            r.option(_read_bytes),
            r.bytes_vec(),
            r.u32(),
            r.u32(),
        )

    def hash(self) -> bytes:
        h = self._hash
        if h is None:
            h = blake2_256(self.scale())
            object.__setattr__(self, "_hash", h)
        return h


@dataclass(frozen=True, slots=True)
class CandidateReceipt:
    """A descriptor and the hash of its commitments; `hash()` is the candidate hash."""

    descriptor: CandidateDescriptor
    commitments_hash: bytes
    _hash: bytes | None = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        c.instance(self, "descriptor", self.descriptor, CandidateDescriptor)
        c.hash32(self, "commitments_hash", self.commitments_hash)

    def scale(self) -> bytes:
        return self.descriptor.scale() + self.commitments_hash

    @classmethod
    def read(cls, r: Reader) -> CandidateReceipt:
        return cls(CandidateDescriptor.read(r), r.take(32))

    def hash(self) -> bytes:
        h = self._hash
        if h is None:
            h = blake2_256(self.scale())
            object.__setattr__(self, "_hash", h)
        return h


@dataclass(frozen=True, slots=True)
class CommittedCandidateReceipt:
    """A descriptor with its full commitments. Its hash is its plain receipt's
    (polkadot@c4ee9d46 primitives/src/v1/mod.rs, `CommittedCandidateReceipt::hash`)."""

    descriptor: CandidateDescriptor
    commitments: CandidateCommitments
    _hash: bytes | None = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        c.instance(self, "descriptor", self.descriptor, CandidateDescriptor)
        c.instance(self, "commitments", self.commitments, CandidateCommitments)

    def scale(self) -> bytes:
        return self.descriptor.scale() + self.commitments.scale()

    @classmethod
    def read(cls, r: Reader) -> CommittedCandidateReceipt:
        return cls(CandidateDescriptor.read(r), CandidateCommitments.read(r))

    def to_plain(self) -> CandidateReceipt:
        return CandidateReceipt(self.descriptor, self.commitments.hash())

    def hash(self) -> bytes:
        h = self._hash
        if h is None:
            h = blake2_256(self.descriptor.scale() + self.commitments.hash())
            object.__setattr__(self, "_hash", h)
        return h


@dataclass(frozen=True, slots=True)
class PersistedValidationData:
    """The validation data a candidate is built on; `hash()` is what descriptors commit to."""

    parent_head: bytes
    relay_parent_number: int
    relay_parent_storage_root: bytes
    max_pov_size: int

    def __post_init__(self) -> None:
        c.any_bytes(self, "parent_head", self.parent_head)
        c.u32(self, "relay_parent_number", self.relay_parent_number)
        c.hash32(self, "relay_parent_storage_root", self.relay_parent_storage_root)
        c.u32(self, "max_pov_size", self.max_pov_size)

    def scale(self) -> bytes:
        return b"".join(
            (
                encode_bytes(self.parent_head),
                u32(self.relay_parent_number),
                self.relay_parent_storage_root,
                u32(self.max_pov_size),
            )
        )

    @classmethod
    def read(cls, r: Reader) -> PersistedValidationData:
        return cls(r.bytes_vec(), r.u32(), r.take(32), r.u32())

    def hash(self) -> bytes:
        return blake2_256(self.scale())


@dataclass(frozen=True, slots=True)
class PoV:
    """A proof of validity: the parachain block data. `hash()` is the descriptor's `pov_hash`."""

    block_data: bytes

    def __post_init__(self) -> None:
        c.any_bytes(self, "block_data", self.block_data)

    def scale(self) -> bytes:
        return encode_bytes(self.block_data)

    @classmethod
    def read(cls, r: Reader) -> PoV:
        return cls(r.bytes_vec())

    def hash(self) -> bytes:
        return blake2_256(self.scale())

    def __repr__(self) -> str:
        return f"PoV(block_data=<{len(self.block_data)} bytes>)"
