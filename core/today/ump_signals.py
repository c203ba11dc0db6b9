# UMP signals (RFC-103, PR #5423; `ApprovedPeer` and one-signal-per-kind from PR #7955): a
# candidate's upward messages may end with an empty message, the separator, followed by at most
# two signals, each the SCALE form of one `UMPSignal`. This module holds the two signal records,
# the enum that reads them, the error kinds of `CommittedCandidateReceiptError` with the record
# that carries one, and the parsing and building of signals in commitments.
# polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs: `UMPSignal`, `UMP_SEPARATOR`,
# `CandidateUMPSignals::try_decode_signal`, `CandidateCommitments::ump_signals`,
# `skip_ump_signals`, `CommittedCandidateReceiptError`.
#
# A signal is read with `Decode::decode`, not `decode_all`: bytes after a well-formed signal are
# ignored (`try_decode_signal`), so `ump_signals` does too, while `decode(UMPSignal, ...)`, the
# codec's strict entry point, refuses them like any other trailing bytes.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import ClassVar, Union

from ..errors import InvalidRecord
from ..records import _checks as c
from ..records.candidate import CandidateCommitments
from ..records.scale import Reader, ScaleError, encode_bytes

__all__ = [
    "DEFAULT_CLAIM_QUEUE_OFFSET",
    "MAX_APPROVED_PEER_ID_LEN",
    "UMP_SEPARATOR",
    "AnyUMPSignal",
    "ApprovedPeer",
    "CandidateReceiptError",
    "SelectCore",
    "UMPSignal",
    "UmpSignalError",
    "UmpSignals",
    "commitments_with_signals",
    "ump_signals",
    "xcm_messages",
]

UMP_SEPARATOR = b""
# The claim queue depth a candidate without a SelectCore signal is checked at.
DEFAULT_CLAIM_QUEUE_OFFSET = 0
# `ApprovedPeerId = BoundedVec<u8, ConstU32<64>>`: an identity multihash can be up to 64 bytes.
MAX_APPROVED_PEER_ID_LEN = 64


def _u8(record: object, field: str, value: object) -> None:
    if type(value) is not int or not 0 <= value < 256:
        raise InvalidRecord(type(record).__name__, field, value, "must be an int in 0..255")


@dataclass(frozen=True, slots=True)
class SelectCore:
    """`UMPSignal::SelectCore(CoreSelector, ClaimQueueOffset)` (index 0): the candidate commits
    to the `core_selector`-th core (modulo their number, in ascending order) that the claim queue
    assigns its para at depth `claim_queue_offset`."""

    core_selector: int
    claim_queue_offset: int

    TAG: ClassVar[int] = 0

    def __post_init__(self) -> None:
        _u8(self, "core_selector", self.core_selector)
        _u8(self, "claim_queue_offset", self.claim_queue_offset)

    def scale(self) -> bytes:
        return bytes((0, self.core_selector, self.claim_queue_offset))


@dataclass(frozen=True, slots=True)
class ApprovedPeer:
    """`UMPSignal::ApprovedPeer(ApprovedPeerId)` (index 1): a peer id, at most 64 bytes, the
    parachain vouches for."""

    peer_id: bytes

    TAG: ClassVar[int] = 1

    def __post_init__(self) -> None:
        c.any_bytes(self, "peer_id", self.peer_id)
        if len(self.peer_id) > MAX_APPROVED_PEER_ID_LEN:
            raise InvalidRecord("ApprovedPeer", "peer_id", self.peer_id, "must be at most 64 bytes")

    def scale(self) -> bytes:
        return b"\x01" + encode_bytes(self.peer_id)

    def __repr__(self) -> str:
        return f"ApprovedPeer(peer_id=0x{self.peer_id.hex()})"


AnyUMPSignal = Union[SelectCore, ApprovedPeer]  # noqa: UP007
UMP_SIGNAL_TYPES = (SelectCore, ApprovedPeer)


class UMPSignal:
    """The tagged `UMPSignal` enum: `decode(UMPSignal, b)` gives a SelectCore or an
    ApprovedPeer."""

    @staticmethod
    def write(signal: AnyUMPSignal) -> bytes:
        return signal.scale()

    @staticmethod
    def read(r: Reader) -> AnyUMPSignal:
        tag = r.tag(2, "UMPSignal")
        if tag == 0:
            return SelectCore(r.u8(), r.u8())
        at = r.pos
        n = r.compact()
        if n > MAX_APPROVED_PEER_ID_LEN:
            # BoundedVec refuses the length before reading the bytes.
            raise ScaleError(at, f"approved peer id of {n} bytes exceeds 64")
        return ApprovedPeer(r.take(n))


# -- errors as data ----------------------------------------------------------------------------


class UmpSignalError(Enum):
    """The variants of `CommittedCandidateReceiptError`, named and ordered as in
    polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs (`.name` and `.value` are the Rust
    variant's name). The 2025 spelling `UMPSignalWithV1Decriptor` is kept; later trees spell it
    `UMPSignalWithV1Descriptor`. `NoUMPSignalWithV3Descriptor` came with V3 (PR #10472; seen in
    polkadot/node/core/candidate-validation/src/tests.rs, `v3_ump_signal_enforcement`): its
    place in Rust's order was not read, so it comes last here."""

    InvalidCoreIndex = "InvalidCoreIndex"
    CoreIndexMismatch = "CoreIndexMismatch"
    InvalidSelectedCore = "InvalidSelectedCore"
    UmpSignalDecode = "UmpSignalDecode"
    NoAssignment = "NoAssignment"
    UnknownVersion = "UnknownVersion"
    TooManyUMPSignals = "TooManyUMPSignals"
    DuplicateUMPSignal = "DuplicateUMPSignal"
    UMPSignalWithV1Decriptor = "UMPSignalWithV1Decriptor"
    NoUMPSignalWithV3Descriptor = "NoUMPSignalWithV3Descriptor"


def _optional_u32(record: object, field: str, value: object) -> None:
    if value is not None:
        c.u32(record, field, value)


@dataclass(frozen=True, slots=True)
class CandidateReceiptError:
    """A candidate's commitments or descriptor break a rule of `parse_ump_signals`: the Rust
    variant (`kind`), a sentence for people (`detail`), and the variant's data: both cores for
    `CoreIndexMismatch` (the descriptor's and the one the commitments select), the internal
    version byte for `UnknownVersion`. Returned, never raised: it is the peer's or the chain's
    fault."""

    kind: UmpSignalError
    detail: str = ""
    descriptor_core: int | None = None
    commitments_core: int | None = None
    unknown_version: int | None = None

    def __post_init__(self) -> None:
        c.instance(self, "kind", self.kind, UmpSignalError)
        c.instance(self, "detail", self.detail, str)
        _optional_u32(self, "descriptor_core", self.descriptor_core)
        _optional_u32(self, "commitments_core", self.commitments_core)
        if self.unknown_version is not None:
            _u8(self, "unknown_version", self.unknown_version)
        if self.kind is UmpSignalError.CoreIndexMismatch and (
            self.descriptor_core is None or self.commitments_core is None
        ):
            raise InvalidRecord(
                "CandidateReceiptError",
                "commitments_core",
                self.commitments_core,
                "CoreIndexMismatch carries both the descriptor's and the commitments' core",
            )
        if self.kind is UmpSignalError.UnknownVersion and self.unknown_version is None:
            raise InvalidRecord(
                "CandidateReceiptError",
                "unknown_version",
                None,
                "UnknownVersion carries the internal version byte",
            )


# -- the signals of a candidate ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UmpSignals:
    """The signals a candidate sent (`CandidateUMPSignals`): at most one of each kind, and
    `signals` in the order of their messages. Built from the two optional fields alone, the
    order is SelectCore first; given `signals`, they must agree with the two fields."""

    select_core: SelectCore | None = None
    approved_peer: ApprovedPeer | None = None
    signals: tuple[AnyUMPSignal, ...] = ()

    def __post_init__(self) -> None:
        if self.select_core is not None:
            c.instance(self, "select_core", self.select_core, SelectCore)
        if self.approved_peer is not None:
            c.instance(self, "approved_peer", self.approved_peer, ApprovedPeer)
        c.tuple_of(self, "signals", self.signals, UMP_SIGNAL_TYPES)
        present = tuple(s for s in (self.select_core, self.approved_peer) if s is not None)
        if not self.signals:
            object.__setattr__(self, "signals", present)
        elif len(self.signals) != len(present) or set(self.signals) != set(present):
            raise InvalidRecord(
                "UmpSignals",
                "signals",
                self.signals,
                "must hold exactly the select_core and approved_peer given, once each",
            )

    @classmethod
    def from_signals(cls, signals: Sequence[AnyUMPSignal]) -> UmpSignals:
        """The record of signals in message order; InvalidRecord on two of one kind."""
        found: dict[type, AnyUMPSignal] = {}
        for i, signal in enumerate(signals):
            if type(signal) in found:
                raise InvalidRecord(
                    "UmpSignals", f"signals[{i}]", signal, "a second signal of this kind"
                )
            found[type(signal)] = signal
        select = found.get(SelectCore)
        peer = found.get(ApprovedPeer)
        return cls(
            select if isinstance(select, SelectCore) else None,
            peer if isinstance(peer, ApprovedPeer) else None,
            tuple(signals),
        )

    def is_empty(self) -> bool:
        return not self.signals


def _read_signal(message: bytes) -> AnyUMPSignal | None:
    # `UMPSignal::decode` on the message: bytes after the signal are not looked at.
    try:
        return UMPSignal.read(Reader(message))
    except (ScaleError, InvalidRecord):
        return None


def ump_signals(commitments: CandidateCommitments) -> UmpSignals | CandidateReceiptError:
    """`CandidateCommitments::ump_signals` (E.1.4): the messages after the first empty one are
    signals; none, or none after the separator, is no signal. Each of the first two must read
    as a `UMPSignal` (else `UmpSignalDecode`) of a kind not seen before (else
    `DuplicateUMPSignal`); a third message is `TooManyUMPSignals`. The checks run in that order,
    so a bad second signal is reported before a third message."""
    messages = commitments.upward_messages
    if UMP_SEPARATOR not in messages:
        return UmpSignals()
    after = messages[messages.index(UMP_SEPARATOR) + 1 :]
    found: list[AnyUMPSignal] = []
    for position, message in enumerate(after[:2]):
        signal = _read_signal(message)
        if signal is None:
            return CandidateReceiptError(
                UmpSignalError.UmpSignalDecode,
                f"signal {position} (0x{message.hex()}) is not a UMPSignal",
            )
        if any(type(seen) is type(signal) for seen in found):
            return CandidateReceiptError(
                UmpSignalError.DuplicateUMPSignal,
                f"signal {position} is a second {type(signal).__name__}",
            )
        found.append(signal)
    if len(after) > 2:
        return CandidateReceiptError(
            UmpSignalError.TooManyUMPSignals,
            f"{len(after)} messages follow the separator; at most 2 signals are allowed",
        )
    return UmpSignals.from_signals(found)


def xcm_messages(commitments: CandidateCommitments) -> tuple[bytes, ...]:
    """The upward messages before the separator, the ones the relay chain enqueues
    (`skip_ump_signals`); all of them when there is no separator."""
    messages = commitments.upward_messages
    if UMP_SEPARATOR not in messages:
        return messages
    return messages[: messages.index(UMP_SEPARATOR)]


def commitments_with_signals(
    commitments: CandidateCommitments, signals: Sequence[AnyUMPSignal]
) -> CandidateCommitments:
    """The commitments with the separator and the encoded `signals` appended, as a parachain
    runtime ends its upward messages. No signals: the commitments unchanged. InvalidRecord when
    the commitments already hold an empty message (a separator), when `signals` holds two of one
    kind or more than two, or an item that is not a signal."""
    listed = tuple(signals)
    for i, signal in enumerate(listed):
        if not isinstance(signal, UMP_SIGNAL_TYPES):
            raise InvalidRecord(
                "UmpSignals", f"signals[{i}]", signal, "must be a SelectCore or ApprovedPeer"
            )
    if len(listed) > 2:
        raise InvalidRecord("UmpSignals", "signals", listed, "at most 2 signals are allowed")
    UmpSignals.from_signals(listed)  # refuses a second signal of one kind
    if not listed:
        return commitments
    if UMP_SEPARATOR in commitments.upward_messages:
        raise InvalidRecord(
            "CandidateCommitments",
            "upward_messages",
            commitments.upward_messages,
            "already hold a separator (an empty message)",
        )
    encoded = tuple(signal.scale() for signal in listed)
    return replace(
        commitments, upward_messages=(*commitments.upward_messages, UMP_SEPARATOR, *encoded)
    )
