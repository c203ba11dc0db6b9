# Descriptor versions: which of V1, V2, V3 a 292-byte `CandidateDescriptor` is, the fields V2
# and V3 keep where V1 had its collator key (bytes 36..68) and signature (bytes 164..228), the
# builders of V2 and V3 descriptors, and the version gate. The record stays the one
# `CandidateDescriptor`; only the reading of its bytes changes.
#
# Sources. V1/V2/Unknown, the accessors and `new`: polkadot-sdk@88db6842
# polkadot/primitives/src/v9/mod.rs (`CandidateDescriptorV2::version`, `core_index`,
# `session_index`, `new`; RFC-103, PRs #5322 and #5423). V3 (PR #10472, PR #11290): its fields
# sit in the old reserved bytes, found in polkadot-sdk@04d67296
# polkadot/primitives/test-helpers/src/lib.rs, where the V1-to-V2 conversion hands
# `CandidateDescriptorV2::new_from_raw` byte 43 as a field of its own (one byte), bytes 44..68 as
# a 24-byte array, bytes 164..196 as a hash-typed field and bytes 196..228 as a 32-byte array.
# The hash is the scheduling parent; the byte is the scheduling session's offset from the relay
# parent's session (polkadot/node/core/candidate-validation/src/tests.rs,
# `pre_validation_v3_scheduling_offset_mismatch`, whose scheduling session is the session index
# plus the offset); V3 is `version == 1` with a non-zero scheduling parent (the rustdoc of
# `make_valid_candidate_descriptor_v3`). [inferred, not read in the primitives themselves]: that
# V3 also needs the two remaining arrays zero, and that whatever is not V3 keeps the 2025 rule.
# With this, new-style and old-style detection differ only where the old says V1 and the new V3,
# the one disagreement `check_version_acceptance` allows (E.1.2 (a) holds by construction; a
# property checks it).
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..errors import InvalidRecord
from ..records import _checks as c
from ..records.candidate import CandidateDescriptor

__all__ = [
    "DescriptorVersion",
    "VersionRejected",
    "VersionRejection",
    "candidate_descriptor_v2",
    "candidate_descriptor_v3",
    "check_version_acceptance",
    "descriptor_core_index",
    "descriptor_session_index",
    "descriptor_version",
    "internal_version",
    "old_style_descriptor_version",
    "raw_core_index",
    "scheduling_parent",
    "scheduling_session",
]


class DescriptorVersion(Enum):
    """`CandidateDescriptorVersion`: V1 (collator key and signature), V2 (RFC-103), V3 (a
    scheduling parent, PR #10472), or an unknown internal version."""

    V1 = "v1"
    V2 = "v2"
    V3 = "v3"
    UNKNOWN = "unknown"


# Byte positions inside the two fields that were V1's key and signature.
_VERSION = 0  # collator[0], descriptor byte 36
_CORE = slice(1, 3)  # u16 LE, bytes 37..39
_SESSION = slice(3, 7)  # u32 LE, bytes 39..43
_V3_SESSION_OFFSET = 7  # u8, byte 43 (inside the 2025 `reserved1`)
_RESERVED1_2025 = slice(7, 32)  # bytes 43..68
_RESERVED1_V3 = slice(8, 32)  # bytes 44..68
_SCHEDULING_PARENT = slice(0, 32)  # signature[0..32], bytes 164..196
_RESERVED2_V3 = slice(32, 64)  # bytes 196..228

_V3_INTERNAL_VERSION = 1
_ZERO25 = bytes(25)
_ZERO24 = bytes(24)
_ZERO32 = bytes(32)
_ZERO64 = bytes(64)
_U16 = 1 << 16
_U32 = 1 << 32


def internal_version(d: CandidateDescriptor) -> int:
    """The raw `version` byte (descriptor byte 36): 0 for V2, 1 for V3; for V1 it is the first
    byte of the collator's key."""
    return d.collator[_VERSION]


def old_style_descriptor_version(d: CandidateDescriptor) -> DescriptorVersion:
    """The 2025 rule (`version()` before PR #10472, E.1.2): any non-zero reserved byte (bytes
    43..68 or 164..228) makes a V1 descriptor; else version 0 is V2 and any other is unknown.
    Nodes that predate V3 read a V3 descriptor as V1 by this rule."""
    if d.signature != _ZERO64 or d.collator[_RESERVED1_2025] != _ZERO25:
        return DescriptorVersion.V1
    if d.collator[_VERSION] == 0:
        return DescriptorVersion.V2
    return DescriptorVersion.UNKNOWN


def _is_v3(d: CandidateDescriptor) -> bool:
    collator, signature = d.collator, d.signature
    return (
        collator[_VERSION] == _V3_INTERNAL_VERSION
        and signature[_SCHEDULING_PARENT] != _ZERO32
        and collator[_RESERVED1_V3] == _ZERO24
        and signature[_RESERVED2_V3] == _ZERO32
    )


def descriptor_version(d: CandidateDescriptor) -> DescriptorVersion:
    """Today's classification (E.1.2, PR #11290: no node feature involved): V3 when the
    internal version is 1, the scheduling parent (bytes 164..196) is non-zero and the other
    reserved bytes (44..68, 196..228) are zero; otherwise the 2025 rule
    (`old_style_descriptor_version`)."""
    if _is_v3(d):
        return DescriptorVersion.V3
    return old_style_descriptor_version(d)


def descriptor_core_index(d: CandidateDescriptor) -> int | None:
    """The core index (u16 LE at bytes 37..39); None for V1, a value for V2, V3 and unknown
    versions, as Rust's `core_index()`."""
    if descriptor_version(d) is DescriptorVersion.V1:
        return None
    return raw_core_index(d)


def raw_core_index(d: CandidateDescriptor) -> int:
    """The two bytes at 37..39 as a u16, whatever the version: the field Rust's
    `check_core_index` compares (for V1 they are part of the collator's key)."""
    return int.from_bytes(d.collator[_CORE], "little")


def descriptor_session_index(d: CandidateDescriptor) -> int | None:
    """The relay parent's session (u32 LE at bytes 39..43); None for V1, as Rust's
    `session_index()`."""
    if descriptor_version(d) is DescriptorVersion.V1:
        return None
    return int.from_bytes(d.collator[_SESSION], "little")


def scheduling_parent(d: CandidateDescriptor) -> bytes:
    """The relay block that schedules the candidate (E.1.3): bytes 164..196 of a V3 descriptor;
    for every other version the relay parent, which plays both parts there."""
    if _is_v3(d):
        return d.signature[_SCHEDULING_PARENT]
    return d.relay_parent


def scheduling_session(d: CandidateDescriptor) -> int | None:
    """The scheduling parent's session: for V3 the relay parent's session plus the offset at
    byte 43; for V2 and unknown versions the session index; None for V1 (which names no
    session). A V3 sum beyond u32 names no session either, so it is None too."""
    session = descriptor_session_index(d)
    if session is None or not _is_v3(d):
        return session
    total = session + d.collator[_V3_SESSION_OFFSET]
    return total if total < _U32 else None


def _int_in(field: str, value: object, bound: int, what: str) -> int:
    if type(value) is not int or not 0 <= value < bound:
        raise InvalidRecord("CandidateDescriptor", field, value, f"must be an int in 0..{what}")
    return value


def _descriptor(
    para_id: int,
    relay_parent: bytes,
    version: int,
    core_index: int,
    session_index: int,
    offset: int,
    persisted_validation_data_hash: bytes,
    pov_hash: bytes,
    erasure_root: bytes,
    scheduling_parent: bytes,
    para_head: bytes,
    validation_code_hash: bytes,
) -> CandidateDescriptor:
    collator = b"".join(
        (
            bytes((version,)),
            core_index.to_bytes(2, "little"),
            session_index.to_bytes(4, "little"),
            bytes((offset,)),
            _ZERO24,
        )
    )
    return CandidateDescriptor(
        para_id=para_id,
        relay_parent=relay_parent,
        collator=collator,
        persisted_validation_data_hash=persisted_validation_data_hash,
        pov_hash=pov_hash,
        erasure_root=erasure_root,
        signature=scheduling_parent + _ZERO32,
        para_head=para_head,
        validation_code_hash=validation_code_hash,
    )


def candidate_descriptor_v2(
    para_id: int,
    relay_parent: bytes,
    core_index: int,
    session_index: int,
    persisted_validation_data_hash: bytes,
    pov_hash: bytes,
    erasure_root: bytes,
    para_head: bytes,
    validation_code_hash: bytes,
) -> CandidateDescriptor:
    """A V2 descriptor, as `CandidateDescriptorV2::new` builds it: version 0, the core index in
    two bytes, the session in four, every reserved byte zero (E.1.1). Rust truncates a core
    index beyond u16 (`as u16`); here that is the caller's mistake and raises InvalidRecord, as
    does a session beyond u32 or a malformed hash."""
    core = _int_in("core_index", core_index, _U16, "2**16-1 (a V2 core index has two bytes)")
    session = _int_in("session_index", session_index, _U32, "2**32-1")
    return _descriptor(
        para_id,
        relay_parent,
        0,
        core,
        session,
        0,
        persisted_validation_data_hash,
        pov_hash,
        erasure_root,
        _ZERO32,
        para_head,
        validation_code_hash,
    )


def candidate_descriptor_v3(
    para_id: int,
    relay_parent: bytes,
    core_index: int,
    session_index: int,
    persisted_validation_data_hash: bytes,
    pov_hash: bytes,
    erasure_root: bytes,
    para_head: bytes,
    validation_code_hash: bytes,
    scheduling_parent: bytes,
    scheduling_session: int,
) -> CandidateDescriptor:
    """A V3 descriptor (PR #10472): the V2 fields with internal version 1, the scheduling
    parent at bytes 164..196 and the scheduling session as an offset from `session_index` at
    byte 43. InvalidRecord when the scheduling parent is all zero (it would not read as V3) or
    the scheduling session is before `session_index` or more than 255 sessions after it."""
    core = _int_in("core_index", core_index, _U16, "2**16-1 (a V3 core index has two bytes)")
    session = _int_in("session_index", session_index, _U32, "2**32-1")
    later = _int_in("scheduling_session", scheduling_session, _U32, "2**32-1")
    if not 0 <= later - session < 256:
        raise InvalidRecord(
            "CandidateDescriptor",
            "scheduling_session",
            scheduling_session,
            f"must be session_index ({session}) to session_index + 255: it is kept as a"
            " one-byte offset",
        )
    if type(scheduling_parent) is not bytes or len(scheduling_parent) != 32:
        raise InvalidRecord(
            "CandidateDescriptor", "scheduling_parent", scheduling_parent, "must be 32 bytes"
        )
    if scheduling_parent == _ZERO32:
        raise InvalidRecord(
            "CandidateDescriptor",
            "scheduling_parent",
            scheduling_parent,
            "must not be zero: a zero scheduling parent does not read as V3",
        )
    return _descriptor(
        para_id,
        relay_parent,
        _V3_INTERNAL_VERSION,
        core,
        session,
        later - session,
        persisted_validation_data_hash,
        pov_hash,
        erasure_root,
        scheduling_parent,
        para_head,
        validation_code_hash,
    )


# -- the version gate --------------------------------------------------------------------------


class VersionRejection(Enum):
    """Why `check_version_acceptance` refuses a descriptor. The names are ours: the error type
    Rust's `check_version_acceptance` returns was not read."""

    UNKNOWN_VERSION = "unknown internal version"
    V3_NOT_ENABLED = "V3 descriptor while node feature CandidateReceiptV3 (bit 4) is off"


@dataclass(frozen=True, slots=True)
class VersionRejected:
    """A descriptor the version gate refuses: why, how it classifies today and by the 2025
    rule, and its raw internal version byte."""

    reason: VersionRejection
    version: DescriptorVersion
    old_style: DescriptorVersion
    internal_version: int

    def __post_init__(self) -> None:
        c.instance(self, "reason", self.reason, VersionRejection)
        c.instance(self, "version", self.version, DescriptorVersion)
        c.instance(self, "old_style", self.old_style, DescriptorVersion)
        if type(self.internal_version) is not int or not 0 <= self.internal_version < 256:
            raise InvalidRecord(
                "VersionRejected", "internal_version", self.internal_version, "must be a u8"
            )


def check_version_acceptance(d: CandidateDescriptor, v3_enabled: bool) -> VersionRejected | None:
    """E.1.2 point 4 (PR #11290's `check_version_acceptance`): None when the descriptor may be
    backed or included; a VersionRejected for an unknown version, or for V3 while node feature
    bit 4 (`CandidateReceiptV3`) is off. Old-style and new-style detection disagree only as
    (V1, V3) here, the allowed pair, so no third refusal is needed."""
    version = descriptor_version(d)
    if version is DescriptorVersion.UNKNOWN:
        reason = VersionRejection.UNKNOWN_VERSION
    elif version is DescriptorVersion.V3 and not v3_enabled:
        reason = VersionRejection.V3_NOT_ENABLED
    else:
        return None
    return VersionRejected(reason, version, old_style_descriptor_version(d), internal_version(d))
