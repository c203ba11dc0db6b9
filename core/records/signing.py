# The exact bytes each signature covers, and sr25519 verification (polkadot@c4ee9d46 primitives:
# v1/mod.rs `collator_signature_payload`, v0.rs `CompactStatement::signing_payload`, v1/signed.rs
# `payload_data`, v1/mod.rs `DisputeStatement::payload_data`). Signing itself needs secret keys and
# lives in the shell's keystore; the core only checks.
from __future__ import annotations

import sr25519

from ..errors import UnsupportedType
from ..today.descriptor import DescriptorVersion, descriptor_version
from .bitvec import BitVec
from .candidate import CandidateDescriptor
from .disputes import (
    AnyDisputeStatement,
    ApprovalChecking,
    ApprovalCheckingMultipleCandidates,
    BackingSeconded,
    BackingValid,
    InvalidExplicit,
    ValidExplicit,
)
from .scale import encode_compact, u32
from .statements import AnyStatement, Invalid, Seconded, SigningContext, Valid

__all__ = [
    "BACKING_STATEMENT_MAGIC",
    "check_collator_signature",
    "collator_signature_payload",
    "bitfield_signing_payload",
    "compact_statement_payload",
    "dispute_statement_signing_payload",
    "statement_signing_payload",
    "verify_signature",
]

BACKING_STATEMENT_MAGIC = b"BKNG"
_EXPLICIT_DISPUTE_MAGIC = b"DISP"
_APPROVAL_MAGIC = b"APPR"

# The compact statement's variant byte after the magic: Seconded 1, Valid 2 (`CompactStatement`
# in primitives/src/v0.rs), and
# Invalid 3, the index the early node gave it (the current network has no Invalid).
_COMPACT_INDEX = {Seconded: 1, Valid: 2, Invalid: 3}


def compact_statement_payload(kind: int, candidate_hash: bytes, context: SigningContext) -> bytes:
    """`"BKNG" ++ kind ++ candidate_hash ++ session_index (u32 LE) ++ parent_hash` (73 bytes)."""
    return BACKING_STATEMENT_MAGIC + bytes((kind,)) + candidate_hash + context.scale()


def statement_signing_payload(statement: AnyStatement, context: SigningContext) -> bytes:
    """The bytes a validator signs for a statement: its compact form, then the context.

    A Seconded statement is signed over its candidate's hash, not the full receipt (`EncodeAs`
    of node/primitives/src/lib.rs at polkadot@c4ee9d46), so the payload is always 73 bytes.
    """
    kind = _COMPACT_INDEX.get(type(statement))
    if kind is None:
        raise UnsupportedType(f"statement_signing_payload: {statement!r} is not a statement")
    return compact_statement_payload(kind, statement.candidate_hash, context)


def bitfield_signing_payload(bitfield: BitVec, context: SigningContext) -> bytes:
    """`SCALE(bitfield) ++ session_index ++ parent_hash`, with no magic
    (polkadot@c4ee9d46 primitives/src/v1/signed.rs, `payload_data`)."""
    return bitfield.scale() + context.scale()


def collator_signature_payload(descriptor: CandidateDescriptor) -> bytes:
    """The 132 bytes a collator signs: relay parent, para id (u32 LE), PVD hash, PoV hash and
    validation code hash (polkadot@c4ee9d46 primitives/src/v1/mod.rs,
    `collator_signature_payload`)."""
    return b"".join(
        (
            descriptor.relay_parent,
            u32(descriptor.para_id),
            descriptor.persisted_validation_data_hash,
            descriptor.pov_hash,
            descriptor.validation_code_hash,
        )
    )


def check_collator_signature(descriptor: CandidateDescriptor) -> bool:
    """Whether the descriptor's collator signed its payload. Only a V1 descriptor has a collator
    key and signature: in a V2 or V3 descriptor (or an unknown version) bytes 36..68 and
    164..228 hold other fields, so there is nothing to check and the answer is True, as
    `CandidateDescriptorV2::check_collator_signature` returns `Ok` for them (polkadot-sdk@88db6842
    polkadot/primitives/src/v9/mod.rs)."""
    if descriptor_version(descriptor) is not DescriptorVersion.V1:
        return True
    return verify_signature(
        collator_signature_payload(descriptor), descriptor.signature, descriptor.collator
    )


def dispute_statement_signing_payload(
    statement: AnyDisputeStatement, candidate_hash: bytes, session: int
) -> bytes:
    """What a dispute vote signs (polkadot@c4ee9d46 primitives/src/v1/mod.rs,
    `DisputeStatement::payload_data`). Backing kinds reuse the backing statement's
    payload with the relay parent they carry, so a backing signature is also a dispute vote."""
    if isinstance(statement, ValidExplicit | InvalidExplicit):
        valid = b"\x01" if isinstance(statement, ValidExplicit) else b"\x00"
        return _EXPLICIT_DISPUTE_MAGIC + valid + candidate_hash + u32(session)
    if isinstance(statement, BackingSeconded):
        return compact_statement_payload(
            1, candidate_hash, SigningContext(session, statement.relay_parent)
        )
    if isinstance(statement, BackingValid):
        return compact_statement_payload(
            2, candidate_hash, SigningContext(session, statement.relay_parent)
        )
    if isinstance(statement, ApprovalChecking):
        return _APPROVAL_MAGIC + candidate_hash + u32(session)
    if isinstance(statement, ApprovalCheckingMultipleCandidates):
        hashes = statement.candidate_hashes
        if len(hashes) == 1:
            # polkadot-sdk keeps a one-candidate vote byte-identical to a plain approval vote.
            return _APPROVAL_MAGIC + hashes[0] + u32(session)
        return _APPROVAL_MAGIC + encode_compact(len(hashes)) + b"".join(hashes) + u32(session)
    raise UnsupportedType(
        f"dispute_statement_signing_payload: {statement!r} is not a dispute statement"
    )


def verify_signature(message: bytes, signature: bytes, public_key: bytes) -> bool:
    """sr25519 verification (schnorrkel, context `b"substrate"`). Malformed input gives False."""
    if (
        not isinstance(message, bytes | bytearray)
        or not isinstance(signature, bytes)
        or not isinstance(public_key, bytes)
        or len(signature) != 64
        or len(public_key) != 32
    ):
        return False
    try:
        return bool(sr25519.verify(signature, bytes(message), public_key))
    except Exception:  # the binding raises ValueError on non-schnorrkel signature bytes
        return False
