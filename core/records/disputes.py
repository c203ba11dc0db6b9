# Dispute records: the dispute statement kinds (valid: explicit, backing-seconded,
# backing-valid, approval-checking, approval-checking of several candidates; invalid: explicit),
# statement sets as they go on chain, the chain's `DisputeState`, the node's `DisputeStatus` and
# the coordinator's `CandidateVotes`. Sources: polkadot@c4ee9d46 primitives/src/v1/mod.rs
# (`DisputeStatement` and the types after it) and polkadot@247e4a73
# node/primitives/src/disputes/ (`DisputeStatus`, `CandidateVotes`).
#
# On the wire a dispute statement is `DisputeStatement::{Valid = 0, Invalid = 1}(kind)`; inside
# `CandidateVotes` the kinds appear bare (without the outer index).
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Union

from pyrsistent import PMap as _PMapType
from pyrsistent import pmap
from pyrsistent.typing import PMap

from ..errors import InvalidRecord
from . import _checks as c
from .bitvec import BitVec
from .candidate import CandidateReceipt
from .scale import Reader, ScaleError, encode_compact, u32, u64

__all__ = [
    "Active",
    "AnyDisputeStatement",
    "AnyDisputeStatus",
    "AnyInvalidKind",
    "AnyValidKind",
    "ApprovalChecking",
    "ApprovalCheckingMultipleCandidates",
    "BackingSeconded",
    "BackingValid",
    "CandidateVotes",
    "ConcludedAgainst",
    "ConcludedFor",
    "Confirmed",
    "DisputeState",
    "DisputeStatement",
    "DisputeStatementSet",
    "DisputeStatus",
    "InvalidDisputeStatementKind",
    "InvalidExplicit",
    "ValidDisputeStatementKind",
    "ValidExplicit",
]


# -- statement kinds ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValidExplicit:
    """An explicit vote that the candidate is valid (signed over `"DISP" ++ true ++ ...`)."""

    TAG: ClassVar[int] = 0
    is_valid: ClassVar[bool] = True

    def kind_scale(self) -> bytes:
        return b"\x00"

    def scale(self) -> bytes:
        return b"\x00\x00"


@dataclass(frozen=True, slots=True)
class BackingSeconded:
    """A backing Seconded signature reused as a valid vote; carries the relay parent."""

    relay_parent: bytes

    TAG: ClassVar[int] = 1
    is_valid: ClassVar[bool] = True

    def __post_init__(self) -> None:
        c.hash32(self, "relay_parent", self.relay_parent)

    def kind_scale(self) -> bytes:
        return b"\x01" + self.relay_parent

    def scale(self) -> bytes:
        return b"\x00\x01" + self.relay_parent


@dataclass(frozen=True, slots=True)
class BackingValid:
    """A backing Valid signature reused as a valid vote; carries the relay parent."""

    relay_parent: bytes

    TAG: ClassVar[int] = 2
    is_valid: ClassVar[bool] = True

    def __post_init__(self) -> None:
        c.hash32(self, "relay_parent", self.relay_parent)

    def kind_scale(self) -> bytes:
        return b"\x02" + self.relay_parent

    def scale(self) -> bytes:
        return b"\x00\x02" + self.relay_parent


@dataclass(frozen=True, slots=True)
class ApprovalChecking:
    """An approval-checking vote reused as a valid vote."""

    TAG: ClassVar[int] = 3
    is_valid: ClassVar[bool] = True

    def kind_scale(self) -> bytes:
        return b"\x03"

    def scale(self) -> bytes:
        return b"\x00\x03"


@dataclass(frozen=True, slots=True)
class ApprovalCheckingMultipleCandidates:
    """An approval vote covering several candidates at once (polkadot-sdk's index 4)."""

    candidate_hashes: tuple[bytes, ...]

    TAG: ClassVar[int] = 4
    is_valid: ClassVar[bool] = True

    def __post_init__(self) -> None:
        c.tuple_of_bytes(self, "candidate_hashes", self.candidate_hashes)
        for i, h in enumerate(self.candidate_hashes):
            c.hash32(self, f"candidate_hashes[{i}]", h)

    def kind_scale(self) -> bytes:
        return (
            b"\x04" + encode_compact(len(self.candidate_hashes)) + b"".join(self.candidate_hashes)
        )

    def scale(self) -> bytes:
        return b"\x00" + self.kind_scale()


@dataclass(frozen=True, slots=True)
class InvalidExplicit:
    """An explicit vote that the candidate is invalid (signed over `"DISP" ++ false ++ ...`)."""

    TAG: ClassVar[int] = 0
    is_valid: ClassVar[bool] = False

    def kind_scale(self) -> bytes:
        return b"\x00"

    def scale(self) -> bytes:
        return b"\x01\x00"


AnyValidKind = Union[  # noqa: UP007
    ValidExplicit,
    BackingSeconded,
    BackingValid,
    ApprovalChecking,
    ApprovalCheckingMultipleCandidates,
]
AnyInvalidKind = InvalidExplicit
AnyDisputeStatement = Union[AnyValidKind, InvalidExplicit]  # noqa: UP007
VALID_KINDS = (
    ValidExplicit,
    BackingSeconded,
    BackingValid,
    ApprovalChecking,
    ApprovalCheckingMultipleCandidates,
)
DISPUTE_STATEMENT_TYPES = (*VALID_KINDS, InvalidExplicit)


def _read_hash(r: Reader) -> bytes:
    return r.take(32)


class ValidDisputeStatementKind:
    """The bare valid-kind enum (as inside `CandidateVotes.valid`)."""

    @staticmethod
    def read(r: Reader) -> AnyValidKind:
        tag = r.tag(5, "ValidDisputeStatementKind")
        if tag == 0:
            return ValidExplicit()
        if tag == 1:
            return BackingSeconded(r.take(32))
        if tag == 2:
            return BackingValid(r.take(32))
        if tag == 3:
            return ApprovalChecking()
        return ApprovalCheckingMultipleCandidates(r.vec(_read_hash, 32))


class InvalidDisputeStatementKind:
    """The bare invalid-kind enum (as inside `CandidateVotes.invalid`)."""

    @staticmethod
    def read(r: Reader) -> AnyInvalidKind:
        r.tag(1, "InvalidDisputeStatementKind")
        return InvalidExplicit()


class DisputeStatement:
    """The tagged `DisputeStatement` enum: Valid(kind) = 0, Invalid(kind) = 1."""

    @staticmethod
    def write(statement: AnyDisputeStatement) -> bytes:
        return statement.scale()

    @staticmethod
    def read(r: Reader) -> AnyDisputeStatement:
        outer = r.tag(2, "DisputeStatement")
        if outer == 0:
            return ValidDisputeStatementKind.read(r)
        return InvalidDisputeStatementKind.read(r)


# -- statement sets -------------------------------------------------------------------------

DisputeVote = tuple[AnyDisputeStatement, int, bytes]


def _read_vote(r: Reader) -> DisputeVote:
    return (DisputeStatement.read(r), r.u32(), r.take(64))


@dataclass(frozen=True, slots=True)
class DisputeStatementSet:
    """Votes on one candidate in one session: `(statement, validator_index, signature)` triples."""

    candidate_hash: bytes
    session: int
    statements: tuple[DisputeVote, ...]

    def __post_init__(self) -> None:
        c.hash32(self, "candidate_hash", self.candidate_hash)
        c.u32(self, "session", self.session)
        c.tuple_of(self, "statements", self.statements, tuple)
        for i, vote in enumerate(self.statements):
            if (
                len(vote) != 3
                or not isinstance(vote[0], DISPUTE_STATEMENT_TYPES)
                or type(vote[1]) is not int
                or not 0 <= vote[1] < 1 << 32
                or type(vote[2]) is not bytes
                or len(vote[2]) != 64
            ):
                raise InvalidRecord(
                    "DisputeStatementSet",
                    f"statements[{i}]",
                    vote,
                    "must be (dispute statement, u32 validator index, 64-byte signature)",
                )

    def scale(self) -> bytes:
        parts = [self.candidate_hash, u32(self.session), encode_compact(len(self.statements))]
        for statement, index, signature in self.statements:
            parts.append(statement.scale())
            parts.append(u32(index))
            parts.append(signature)
        return b"".join(parts)

    @classmethod
    def read(cls, r: Reader) -> DisputeStatementSet:
        return cls(r.take(32), r.u32(), r.vec(_read_vote, 70))


@dataclass(frozen=True, slots=True)
class DisputeState:
    """The chain's view of a dispute: who voted for and against, when it started and ended."""

    validators_for: BitVec
    validators_against: BitVec
    start: int
    concluded_at: int | None = None

    def __post_init__(self) -> None:
        c.instance(self, "validators_for", self.validators_for, BitVec)
        c.instance(self, "validators_against", self.validators_against, BitVec)
        if len(self.validators_for) != len(self.validators_against):
            raise InvalidRecord(
                "DisputeState",
                "validators_against",
                self.validators_against,
                f"must have as many bits as validators_for ({len(self.validators_for)})",
            )
        c.u32(self, "start", self.start)
        if self.concluded_at is not None:
            c.u32(self, "concluded_at", self.concluded_at)

    def scale(self) -> bytes:
        end = self.concluded_at
        return b"".join(
            (
                self.validators_for.scale(),
                self.validators_against.scale(),
                u32(self.start),
                b"\x00" if end is None else b"\x01" + u32(end),
            )
        )

    @classmethod
    def read(cls, r: Reader) -> DisputeState:
        start = r.pos
        vf = BitVec.read(r)
        va = BitVec.read(r)
        if len(vf) != len(va):
            raise ScaleError(start, "validators_for and validators_against differ in length")
        return cls(vf, va, r.u32(), r.option(_read_u32))


def _read_u32(r: Reader) -> int:
    return r.u32()


# -- the node's dispute status --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Active:
    """A dispute with votes on both sides, not yet confirmed (index 0)."""

    TAG: ClassVar[int] = 0

    def is_confirmed_concluded(self) -> bool:
        return False

    def concluded_at(self) -> int | None:
        return None

    def scale(self) -> bytes:
        return b"\x00"


@dataclass(frozen=True, slots=True)
class ConcludedFor:
    """Concluded valid at unix time `at` (seconds; index 1)."""

    at: int

    TAG: ClassVar[int] = 1

    def __post_init__(self) -> None:
        c.u64(self, "at", self.at)

    def is_confirmed_concluded(self) -> bool:
        return True

    def concluded_at(self) -> int | None:
        return self.at

    def scale(self) -> bytes:
        return b"\x01" + u64(self.at)


@dataclass(frozen=True, slots=True)
class ConcludedAgainst:
    """Concluded invalid at unix time `at` (seconds; index 2)."""

    at: int

    TAG: ClassVar[int] = 2

    def __post_init__(self) -> None:
        c.u64(self, "at", self.at)

    def is_confirmed_concluded(self) -> bool:
        return True

    def concluded_at(self) -> int | None:
        return self.at

    def scale(self) -> bytes:
        return b"\x02" + u64(self.at)


@dataclass(frozen=True, slots=True)
class Confirmed:
    """Confirmed (enough validators took part), not concluded (index 3)."""

    TAG: ClassVar[int] = 3

    def is_confirmed_concluded(self) -> bool:
        return True

    def concluded_at(self) -> int | None:
        return None

    def scale(self) -> bytes:
        return b"\x03"


AnyDisputeStatus = Union[Active, ConcludedFor, ConcludedAgainst, Confirmed]  # noqa: UP007
DISPUTE_STATUS_TYPES = (Active, ConcludedFor, ConcludedAgainst, Confirmed)


class DisputeStatus:
    """The tagged status enum of the node's dispute coordinator."""

    @staticmethod
    def write(status: AnyDisputeStatus) -> bytes:
        return status.scale()

    @staticmethod
    def read(r: Reader) -> AnyDisputeStatus:
        tag = r.tag(4, "DisputeStatus")
        if tag == 0:
            return Active()
        if tag == 1:
            return ConcludedFor(r.u64())
        if tag == 2:
            return ConcludedAgainst(r.u64())
        return Confirmed()


# -- the coordinator's votes ----------------------------------------------------------------


def _frozen_votes(
    record: object, field: str, value: Any, kinds: tuple[type, ...]
) -> PMap[int, tuple[Any, bytes]]:
    if not isinstance(value, Mapping):
        raise InvalidRecord(type(record).__name__, field, value, "must be a mapping")
    for index, vote in value.items():
        if type(index) is not int or not 0 <= index < 1 << 32:
            raise InvalidRecord(type(record).__name__, field, index, "keys must be u32 indices")
        if (
            not isinstance(vote, tuple)
            or len(vote) != 2
            or not isinstance(vote[0], kinds)
            or type(vote[1]) is not bytes
            or len(vote[1]) != 64
        ):
            raise InvalidRecord(
                type(record).__name__,
                f"{field}[{index}]",
                vote,
                "must be (kind, 64-byte signature)",
            )
    return value if isinstance(value, _PMapType) else pmap(value)


@dataclass(frozen=True, slots=True)
class CandidateVotes:
    """All votes the dispute coordinator holds on one candidate.

    `valid` maps a validator index to `(valid kind, signature)`, `invalid` to
    `(InvalidExplicit(), signature)`; both are persistent maps. SCALE: the receipt, then each map
    as a vector of pairs in ascending key order (Rust's BTreeMap).
    """

    candidate_receipt: CandidateReceipt
    valid: PMap[int, tuple[AnyValidKind, bytes]]
    invalid: PMap[int, tuple[AnyInvalidKind, bytes]]

    def __post_init__(self) -> None:
        c.instance(self, "candidate_receipt", self.candidate_receipt, CandidateReceipt)
        object.__setattr__(self, "valid", _frozen_votes(self, "valid", self.valid, VALID_KINDS))
        object.__setattr__(
            self, "invalid", _frozen_votes(self, "invalid", self.invalid, (InvalidExplicit,))
        )

    def scale(self) -> bytes:
        parts = [self.candidate_receipt.scale()]
        for votes in (self.valid, self.invalid):
            parts.append(encode_compact(len(votes)))
            for index in sorted(votes):
                kind, signature = votes[index]
                parts.append(u32(index) + kind.kind_scale() + signature)
        return b"".join(parts)

    @classmethod
    def read(cls, r: Reader) -> CandidateVotes:
        receipt = CandidateReceipt.read(r)
        valid = _read_vote_map(r, ValidDisputeStatementKind.read)
        invalid = _read_vote_map(r, InvalidDisputeStatementKind.read)
        return cls(receipt, valid, invalid)


def _read_vote_map(r: Reader, kind: Any) -> PMap[int, tuple[Any, bytes]]:
    n = r.length(69)
    out: dict[int, tuple[Any, bytes]] = {}
    last = -1
    for _ in range(n):
        at = r.pos
        index = r.u32()
        if index <= last:
            # A BTreeMap encodes in ascending key order; anything else would not re-encode.
            raise ScaleError(at, f"vote map keys not strictly ascending ({index} after {last})")
        last = index
        out[index] = (kind(r), r.take(64))
    return pmap(out)
