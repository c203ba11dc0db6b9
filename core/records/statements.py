# Backing statements and what is signed with them: the signing context, the three statements
# (Seconded, Valid and the seed's Invalid), signed statements, the two validity attestations and
# signed availability bitfields (polkadot@c4ee9d46 primitives/src/v0.rs, `CompactStatement` and
# `ValidityAttestation`; primitives/src/v1/signed.rs; node/primitives/src/lib.rs, `Statement`).
#
# Statements are a tagged enum on the wire (1 Seconded with the full committed receipt, 2 Valid,
# 3 Invalid with a candidate hash). The current network has no Invalid (removed in 2021); we keep
# it as the seed does, with the index the early node gave it.
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Union

from . import _checks as c
from .bitvec import BitVec
from .candidate import CommittedCandidateReceipt
from .scale import Reader, u32

__all__ = [
    "AnyStatement",
    "AnyValidityAttestation",
    "Explicit",
    "Implicit",
    "Invalid",
    "Seconded",
    "SignedAvailabilityBitfield",
    "SignedStatement",
    "SigningContext",
    "Statement",
    "Valid",
    "ValidityAttestation",
]


@dataclass(frozen=True, slots=True)
class SigningContext:
    """What every validator signature is bound to. SCALE: session index first
    (polkadot@c4ee9d46 primitives/src/v0.rs, `SigningContext`)."""

    session_index: int
    parent_hash: bytes

    def __post_init__(self) -> None:
        c.u32(self, "session_index", self.session_index)
        c.hash32(self, "parent_hash", self.parent_hash)

    def scale(self) -> bytes:
        return u32(self.session_index) + self.parent_hash

    @classmethod
    def read(cls, r: Reader) -> SigningContext:
        return cls(r.u32(), r.take(32))


@dataclass(frozen=True, slots=True)
class Seconded:
    """A validator proposes this candidate and vouches for it (an implicit Valid vote)."""

    candidate: CommittedCandidateReceipt

    TAG: ClassVar[int] = 1

    def __post_init__(self) -> None:
        c.instance(self, "candidate", self.candidate, CommittedCandidateReceipt)

    @property
    def candidate_hash(self) -> bytes:
        return self.candidate.hash()

    def scale(self) -> bytes:
        return b"\x01" + self.candidate.scale()

    @classmethod
    def read(cls, r: Reader) -> AnyStatement:
        return Statement.read(r)


@dataclass(frozen=True, slots=True)
class Valid:
    """A validator checked the candidate and found it valid."""

    candidate_hash: bytes

    TAG: ClassVar[int] = 2

    def __post_init__(self) -> None:
        c.hash32(self, "candidate_hash", self.candidate_hash)

    def scale(self) -> bytes:
        return b"\x02" + self.candidate_hash

    @classmethod
    def read(cls, r: Reader) -> AnyStatement:
        return Statement.read(r)


@dataclass(frozen=True, slots=True)
class Invalid:
    """A validator checked the candidate and found it invalid (the seed's third statement)."""

    candidate_hash: bytes

    TAG: ClassVar[int] = 3

    def __post_init__(self) -> None:
        c.hash32(self, "candidate_hash", self.candidate_hash)

    def scale(self) -> bytes:
        return b"\x03" + self.candidate_hash

    @classmethod
    def read(cls, r: Reader) -> AnyStatement:
        return Statement.read(r)


AnyStatement = Union[Seconded, Valid, Invalid]  # noqa: UP007
STATEMENT_TYPES = (Seconded, Valid, Invalid)


class Statement:
    """The tagged statement enum; `decode(Statement, b)` gives a Seconded, Valid or Invalid."""

    @staticmethod
    def write(statement: AnyStatement) -> bytes:
        return statement.scale()

    @staticmethod
    def read(r: Reader) -> AnyStatement:
        tag = r.tag((1, 2, 3), "Statement")
        if tag == 1:
            return Seconded(CommittedCandidateReceipt.read(r))
        if tag == 2:
            return Valid(r.take(32))
        return Invalid(r.take(32))


@dataclass(frozen=True, slots=True)
class SignedStatement:
    """A statement with its signer's validator index and sr25519 signature.

    The signature covers the compact form (`statement_signing_payload`), not this encoding.
    """

    statement: AnyStatement
    validator_index: int
    signature: bytes

    def __post_init__(self) -> None:
        c.instance(self, "statement", self.statement, STATEMENT_TYPES)
        c.u32(self, "validator_index", self.validator_index)
        c.sig64(self, "signature", self.signature)

    @property
    def candidate_hash(self) -> bytes:
        return self.statement.candidate_hash

    def scale(self) -> bytes:
        return self.statement.scale() + u32(self.validator_index) + self.signature

    @classmethod
    def read(cls, r: Reader) -> SignedStatement:
        return cls(Statement.read(r), r.u32(), r.take(64))

    def __repr__(self) -> str:
        kind = type(self.statement).__name__
        return (
            f"SignedStatement({kind}(0x{self.candidate_hash.hex()[:16]}..),"
            f" validator_index={self.validator_index}, signature=0x{self.signature.hex()[:16]}..)"
        )


@dataclass(frozen=True, slots=True)
class Implicit:
    """A validity vote carried by a Seconded statement's signature (SCALE index 1)."""

    signature: bytes

    TAG: ClassVar[int] = 1

    def __post_init__(self) -> None:
        c.sig64(self, "signature", self.signature)

    def scale(self) -> bytes:
        return b"\x01" + self.signature

    @classmethod
    def read(cls, r: Reader) -> AnyValidityAttestation:
        return ValidityAttestation.read(r)


@dataclass(frozen=True, slots=True)
class Explicit:
    """A validity vote carried by a Valid statement's signature (SCALE index 2)."""

    signature: bytes

    TAG: ClassVar[int] = 2

    def __post_init__(self) -> None:
        c.sig64(self, "signature", self.signature)

    def scale(self) -> bytes:
        return b"\x02" + self.signature

    @classmethod
    def read(cls, r: Reader) -> AnyValidityAttestation:
        return ValidityAttestation.read(r)


AnyValidityAttestation = Union[Implicit, Explicit]  # noqa: UP007


class ValidityAttestation:
    """The tagged attestation enum (Implicit = 1, Explicit = 2)."""

    @staticmethod
    def write(attestation: AnyValidityAttestation) -> bytes:
        return attestation.scale()

    @staticmethod
    def read(r: Reader) -> AnyValidityAttestation:
        tag = r.tag((1, 2), "ValidityAttestation")
        sig = r.take(64)
        return Implicit(sig) if tag == 1 else Explicit(sig)


@dataclass(frozen=True, slots=True)
class SignedAvailabilityBitfield:
    """One validator's view of which occupied cores' data it holds (one bit per core)."""

    payload: BitVec
    validator_index: int
    signature: bytes

    def __post_init__(self) -> None:
        c.instance(self, "payload", self.payload, BitVec)
        c.u32(self, "validator_index", self.validator_index)
        c.sig64(self, "signature", self.signature)

    def scale(self) -> bytes:
        return self.payload.scale() + u32(self.validator_index) + self.signature

    @classmethod
    def read(cls, r: Reader) -> SignedAvailabilityBitfield:
        return cls(BitVec.read(r), r.u32(), r.take(64))

    def __repr__(self) -> str:
        return (
            f"SignedAvailabilityBitfield(payload={self.payload!r},"
            f" validator_index={self.validator_index}, signature=0x{self.signature.hex()[:16]}..)"
        )
