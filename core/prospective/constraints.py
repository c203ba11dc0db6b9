# The inclusion emulator: what the node predicts the relay chain will accept from a para next.
# `Constraints` are the runtime's limits for the para's next block as of one relay block;
# `ConstraintModifications` are what a prospective candidate changes in them (its head becomes
# the required parent, its messages use up queue and channel budgets, ...); a `Fragment` is a
# candidate checked against the constraints it operates under. What belongs here: those records,
# applying and stacking modifications, and the checks of a candidate against constraints, each
# failure returned as data naming the Rust variant. Chains of fragments are fragment_chain.py's.
#
# Sources: polkadot-sdk@04d67296 polkadot/node/subsystem-util/src/inclusion_emulator/mod.rs
# (`Constraints`, `ConstraintModifications::{identity, stack}`, `Constraints::apply_modifications`
# and `check_modifications`, `ModificationError`, `HrmpWatermarkUpdate`, `Fragment::new`,
# `Fragment::check_against_constraints`, `validate_commitments`, `validate_against_constraints`,
# `FragmentValidityError`); the UMP signals excluded from the counts: PR #5423, RFC-103.
#
# Read in that source, and followed here where a summary of it said otherwise: the head-data
# check is `HeadDataTooLarge(max, new)` and runs second, right after the code hash; the HRMP
# per-candidate limit belongs to `validate_commitments`, the UMP one comes after the validation
# data check; a `DmpAdvancementRule` check (a para must process a downward message that was sent
# at or before its relay parent) and a `HrmpMessagesDescendingOrDuplicate` check (recipients
# strictly ascending, found while the modifications are computed, before any other check) exist;
# and a code upgrade is *applied* when the constraints name a future code whose activation block
# the relay parent has reached, not when the candidate sends new code (sending new code is what
# `CodeUpgradeRestricted` and `CodeSizeTooLarge` look at).
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from itertools import pairwise
from typing import Any

from pyrsistent import PMap as _PMapType
from pyrsistent import pmap
from pyrsistent.typing import PMap

from ..errors import InvalidRecord
from ..records import _checks as c
from ..records.candidate import CandidateCommitments, PersistedValidationData
from ..today.ump_signals import xcm_messages

__all__ = [
    "ConstraintModifications",
    "Constraints",
    "Fragment",
    "FragmentValidityError",
    "FragmentValidityErrorKind",
    "HrmpWatermarkUpdate",
    "ModificationError",
    "ModificationErrorKind",
    "ProspectiveCandidate",
    "RelayChainBlockInfo",
    "UpgradeRestriction",
    "apply_modifications",
    "check_against_constraints",
    "fragment",
    "validate_commitments",
]


class UpgradeRestriction(Enum):
    """`UpgradeRestriction`: its one variant, `Present`, forbids the para to send new validation
    code for now (a previous upgrade is still cooling down)."""

    Present = "Present"


def _count(record: object, field: str, value: object) -> None:
    # Stacked counters are sums over a chain: non-negative, with no upper bound of their own.
    if type(value) is not int or value < 0:
        raise InvalidRecord(type(record).__name__, field, value, "must be a non-negative int")


def _u32_pairs(record: object, field: str, value: Any, counter: bool) -> PMap[int, tuple[int, int]]:
    # A para -> (bytes, messages) map; any mapping is accepted and kept as a persistent one.
    if not isinstance(value, Mapping):
        raise InvalidRecord(type(record).__name__, field, value, "must be a mapping")
    check = _count if counter else c.u32
    for para, pair in value.items():
        c.u32(record, f"{field} key", para)
        if type(pair) is not tuple or len(pair) != 2:
            raise InvalidRecord(type(record).__name__, f"{field}[{para}]", pair, "must be a pair")
        check(record, f"{field}[{para}].bytes", pair[0])
        check(record, f"{field}[{para}].messages", pair[1])
    return value if isinstance(value, _PMapType) else pmap(value)


def _u32_tuple(record: object, field: str, value: Any) -> None:
    c.tuple_of(record, field, value, int)
    for i, item in enumerate(getattr(record, field)):
        c.u32(record, f"{field}[{i}]", item)


@dataclass(frozen=True, slots=True)
class RelayChainBlockInfo:
    """`RelayChainBlockInfo` (the node's `RelayParentInfo`): a relay block's hash, number and
    storage root, the three facts a candidate's validation data takes from its relay parent."""

    hash: bytes
    number: int
    storage_root: bytes

    def __post_init__(self) -> None:
        c.hash32(self, "hash", self.hash)
        c.u32(self, "number", self.number)
        c.hash32(self, "storage_root", self.storage_root)

    def __repr__(self) -> str:
        return f"RelayChainBlockInfo(#{self.number}, hash=0x{self.hash.hex()[:16]}..)"


@dataclass(frozen=True, slots=True)
class Constraints:
    """The limits on a para's next block as one relay block sees them (`Constraints`, from the
    runtime's backing constraints):

    - `min_relay_parent_number`: the oldest relay parent accepted.
    - `max_pov_size`, `max_code_size`, `max_head_data_size`: size limits in bytes.
    - `ump_remaining`, `ump_remaining_bytes`: room left in the para's upward queue;
      `max_ump_num_per_candidate`: upward messages one candidate may send.
    - `dmp_remaining_messages`: the block numbers at which the waiting downward messages were
      sent, oldest first.
    - `valid_watermarks`: the HRMP watermarks a candidate may land on (strictly ascending; the
      `hrmp_inbound` limitations of Rust).
    - `hrmp_channels_out`: para -> (bytes_remaining, messages_remaining) of each open outbound
      channel; `max_hrmp_num_per_candidate`: horizontal messages one candidate may send.
    - `required_parent`: the head data the next block must build on.
    - `validation_code_hash`: the code the para runs now; `upgrade_restriction`: Present while
      no new code may be sent; `future_validation_code`: (relay block number, code hash) of an
      upgrade waiting to take effect.
    """

    min_relay_parent_number: int
    max_pov_size: int
    max_code_size: int
    max_head_data_size: int
    ump_remaining: int
    ump_remaining_bytes: int
    max_ump_num_per_candidate: int
    dmp_remaining_messages: tuple[int, ...]
    valid_watermarks: tuple[int, ...]
    hrmp_channels_out: PMap[int, tuple[int, int]]
    max_hrmp_num_per_candidate: int
    required_parent: bytes
    validation_code_hash: bytes
    upgrade_restriction: UpgradeRestriction | None = None
    future_validation_code: tuple[int, bytes] | None = None

    def __post_init__(self) -> None:
        for name in (
            "min_relay_parent_number",
            "max_pov_size",
            "max_code_size",
            "max_head_data_size",
            "ump_remaining",
            "ump_remaining_bytes",
            "max_ump_num_per_candidate",
            "max_hrmp_num_per_candidate",
        ):
            c.u32(self, name, getattr(self, name))
        _u32_tuple(self, "dmp_remaining_messages", self.dmp_remaining_messages)
        _u32_tuple(self, "valid_watermarks", self.valid_watermarks)
        marks = self.valid_watermarks
        if any(a >= b for a, b in pairwise(marks)):
            # Rust binary-searches this list: it is a set, kept in ascending order.
            raise InvalidRecord("Constraints", "valid_watermarks", marks, "must be ascending")
        channels = _u32_pairs(self, "hrmp_channels_out", self.hrmp_channels_out, counter=False)
        object.__setattr__(self, "hrmp_channels_out", channels)
        c.any_bytes(self, "required_parent", self.required_parent)
        c.hash32(self, "validation_code_hash", self.validation_code_hash)
        if self.upgrade_restriction is not None:
            c.instance(self, "upgrade_restriction", self.upgrade_restriction, UpgradeRestriction)
        future = self.future_validation_code
        if future is not None:
            if type(future) is not tuple or len(future) != 2:
                raise InvalidRecord(
                    "Constraints", "future_validation_code", future, "must be (number, hash)"
                )
            c.u32(self, "future_validation_code.number", future[0])
            c.hash32(self, "future_validation_code.hash", future[1])

    def __repr__(self) -> str:
        return (
            f"Constraints(min_relay_parent_number={self.min_relay_parent_number},"
            f" required_parent=0x{self.required_parent.hex()[:16]},"
            f" ump_remaining={self.ump_remaining}, dmp={len(self.dmp_remaining_messages)},"
            f" watermarks={list(self.valid_watermarks)})"
        )


@dataclass(frozen=True, slots=True)
class HrmpWatermarkUpdate:
    """`HrmpWatermarkUpdate`: `Head(number)` when a candidate's watermark is its own relay
    parent's number, always allowed; else `Trunk(number)`, allowed only on one of the
    constraints' valid watermarks (`head` says which)."""

    number: int
    head: bool

    def __post_init__(self) -> None:
        c.u32(self, "number", self.number)
        c.instance(self, "head", self.head, bool)

    def __repr__(self) -> str:
        return f"{'Head' if self.head else 'Trunk'}({self.number})"


@dataclass(frozen=True, slots=True)
class ConstraintModifications:
    """What one candidate, or a chain of them stacked, changes in the constraints
    (`ConstraintModifications`): the new required parent, the new HRMP watermark, per recipient
    the (bytes, messages) sent on outbound channels, the upward messages and bytes sent (the UMP
    separator and signals excluded), the downward messages processed, and whether the pending
    code upgrade was applied."""

    required_parent: bytes | None = None
    hrmp_watermark: HrmpWatermarkUpdate | None = None
    outbound_hrmp: PMap[int, tuple[int, int]] = field(default_factory=pmap)
    ump_messages_sent: int = 0
    ump_bytes_sent: int = 0
    dmp_messages_processed: int = 0
    code_upgrade_applied: bool = False

    def __post_init__(self) -> None:
        if self.required_parent is not None:
            c.any_bytes(self, "required_parent", self.required_parent)
        if self.hrmp_watermark is not None:
            c.instance(self, "hrmp_watermark", self.hrmp_watermark, HrmpWatermarkUpdate)
        outbound = _u32_pairs(self, "outbound_hrmp", self.outbound_hrmp, counter=True)
        object.__setattr__(self, "outbound_hrmp", outbound)
        _count(self, "ump_messages_sent", self.ump_messages_sent)
        _count(self, "ump_bytes_sent", self.ump_bytes_sent)
        _count(self, "dmp_messages_processed", self.dmp_messages_processed)
        c.instance(self, "code_upgrade_applied", self.code_upgrade_applied, bool)

    @classmethod
    def identity(cls) -> ConstraintModifications:
        """The modifications that change nothing: applied to any constraints they give the same
        constraints back, and stacking them on anything changes nothing."""
        return _IDENTITY

    def stack(self, other: ConstraintModifications) -> ConstraintModifications:
        """`other` on top of these (`ConstraintModifications::stack`, not commutative): `other`'s
        required parent and watermark replace these where it has one, the counters add up per
        field and per channel, and a code upgrade applied by either stays applied. Nothing is
        checked: stacking garbage gives garbage, which `apply_modifications` then refuses."""
        outbound = dict(self.outbound_hrmp)
        for para, (sent_bytes, sent_messages) in other.outbound_hrmp.items():
            had_bytes, had_messages = outbound.get(para, (0, 0))
            outbound[para] = (had_bytes + sent_bytes, had_messages + sent_messages)
        return ConstraintModifications(
            required_parent=(
                self.required_parent if other.required_parent is None else other.required_parent
            ),
            hrmp_watermark=(
                self.hrmp_watermark if other.hrmp_watermark is None else other.hrmp_watermark
            ),
            outbound_hrmp=pmap(outbound),
            ump_messages_sent=self.ump_messages_sent + other.ump_messages_sent,
            ump_bytes_sent=self.ump_bytes_sent + other.ump_bytes_sent,
            dmp_messages_processed=self.dmp_messages_processed + other.dmp_messages_processed,
            code_upgrade_applied=self.code_upgrade_applied or other.code_upgrade_applied,
        )


_IDENTITY = ConstraintModifications()


class ModificationErrorKind(Enum):
    """The variants of Rust's `ModificationError`, by name."""

    DisallowedHrmpWatermark = "DisallowedHrmpWatermark"
    NoSuchHrmpChannel = "NoSuchHrmpChannel"
    HrmpMessagesOverflow = "HrmpMessagesOverflow"
    HrmpBytesOverflow = "HrmpBytesOverflow"
    UmpMessagesOverflow = "UmpMessagesOverflow"
    UmpBytesOverflow = "UmpBytesOverflow"
    DmpMessagesUnderflow = "DmpMessagesUnderflow"
    AppliedNonexistentCodeUpgrade = "AppliedNonexistentCodeUpgrade"


@dataclass(frozen=True, slots=True)
class ModificationError:
    """Modifications the constraints cannot absorb (`ModificationError`), with the variant's
    data: `watermark` for DisallowedHrmpWatermark; `para_id` for the HRMP channel errors;
    `remaining` and `submitted` for the overflows (what was left, what was sent) and for
    DmpMessagesUnderflow (messages waiting, messages processed)."""

    kind: ModificationErrorKind
    para_id: int | None = None
    remaining: int | None = None
    submitted: int | None = None
    watermark: int | None = None

    def __post_init__(self) -> None:
        c.instance(self, "kind", self.kind, ModificationErrorKind)
        for name in ("para_id", "remaining", "submitted", "watermark"):
            value = getattr(self, name)
            if value is not None:
                _count(self, name, value)


def _drop_watermarks_below(marks: tuple[int, ...], number: int) -> tuple[int, ...]:
    # The watermarks still valid once the para has processed everything up to `number`.
    return marks[bisect_left(marks, number) :]


def apply_modifications(
    constraints: Constraints, modifications: ConstraintModifications
) -> Constraints | ModificationError:
    """`Constraints::apply_modifications`: the constraints a candidate builds on after the
    `modifications` (one candidate's, or a chain's stacked) took effect, or the first budget
    they break. In order: the required parent is replaced; the watermark must be a valid one
    unless it is a Head update (DisallowedHrmpWatermark), and the valid watermarks below it are
    dropped; every channel written to must exist (NoSuchHrmpChannel) and keep its bytes, then
    its messages, from going negative (HrmpBytesOverflow, HrmpMessagesOverflow), channels taken
    in ascending para order (Rust walks a hash map); the upward queue's messages, then bytes,
    must suffice (UmpMessagesOverflow, UmpBytesOverflow); no more downward messages may be
    processed than wait (DmpMessagesUnderflow), and those processed leave the queue; an applied
    code upgrade needs a future code (AppliedNonexistentCodeUpgrade), which becomes the
    current code."""
    marks = constraints.valid_watermarks
    watermark = modifications.hrmp_watermark
    if watermark is not None:
        if watermark.head or watermark.number in marks:
            marks = _drop_watermarks_below(marks, watermark.number)
        else:
            return ModificationError(
                ModificationErrorKind.DisallowedHrmpWatermark, watermark=watermark.number
            )
    channels = constraints.hrmp_channels_out
    for para in sorted(modifications.outbound_hrmp):
        sent_bytes, sent_messages = modifications.outbound_hrmp[para]
        limits = channels.get(para)
        if limits is None:
            return ModificationError(ModificationErrorKind.NoSuchHrmpChannel, para_id=para)
        bytes_left, messages_left = limits
        if sent_bytes > bytes_left:
            return ModificationError(
                ModificationErrorKind.HrmpBytesOverflow,
                para_id=para,
                remaining=bytes_left,
                submitted=sent_bytes,
            )
        if sent_messages > messages_left:
            return ModificationError(
                ModificationErrorKind.HrmpMessagesOverflow,
                para_id=para,
                remaining=messages_left,
                submitted=sent_messages,
            )
        channels = channels.set(para, (bytes_left - sent_bytes, messages_left - sent_messages))
    if modifications.ump_messages_sent > constraints.ump_remaining:
        return ModificationError(
            ModificationErrorKind.UmpMessagesOverflow,
            remaining=constraints.ump_remaining,
            submitted=modifications.ump_messages_sent,
        )
    if modifications.ump_bytes_sent > constraints.ump_remaining_bytes:
        return ModificationError(
            ModificationErrorKind.UmpBytesOverflow,
            remaining=constraints.ump_remaining_bytes,
            submitted=modifications.ump_bytes_sent,
        )
    waiting = constraints.dmp_remaining_messages
    if modifications.dmp_messages_processed > len(waiting):
        return ModificationError(
            ModificationErrorKind.DmpMessagesUnderflow,
            remaining=len(waiting),
            submitted=modifications.dmp_messages_processed,
        )
    code_hash, future = constraints.validation_code_hash, constraints.future_validation_code
    if modifications.code_upgrade_applied:
        if future is None:
            return ModificationError(ModificationErrorKind.AppliedNonexistentCodeUpgrade)
        code_hash, future = future[1], None
    required = modifications.required_parent
    return replace(
        constraints,
        required_parent=constraints.required_parent if required is None else required,
        valid_watermarks=marks,
        hrmp_channels_out=channels,
        ump_remaining=constraints.ump_remaining - modifications.ump_messages_sent,
        ump_remaining_bytes=constraints.ump_remaining_bytes - modifications.ump_bytes_sent,
        dmp_remaining_messages=waiting[modifications.dmp_messages_processed :],
        validation_code_hash=code_hash,
        future_validation_code=future,
    )


@dataclass(frozen=True, slots=True)
class ProspectiveCandidate:
    """`ProspectiveCandidate`: what the emulator needs of a candidate, pinned to no session
    (no erasure root, no collator): its commitments, the validation data it was built on, its
    PoV hash and the hash of the code it ran."""

    commitments: CandidateCommitments
    persisted_validation_data: PersistedValidationData
    pov_hash: bytes
    validation_code_hash: bytes

    def __post_init__(self) -> None:
        c.instance(self, "commitments", self.commitments, CandidateCommitments)
        c.instance(
            self,
            "persisted_validation_data",
            self.persisted_validation_data,
            PersistedValidationData,
        )
        c.hash32(self, "pov_hash", self.pov_hash)
        c.hash32(self, "validation_code_hash", self.validation_code_hash)


class FragmentValidityErrorKind(Enum):
    """The variants of Rust's `FragmentValidityError`, by name."""

    ValidationCodeMismatch = "ValidationCodeMismatch"
    PersistedValidationDataMismatch = "PersistedValidationDataMismatch"
    OutputsInvalid = "OutputsInvalid"
    CodeSizeTooLarge = "CodeSizeTooLarge"
    HeadDataTooLarge = "HeadDataTooLarge"
    RelayParentTooOld = "RelayParentTooOld"
    DmpAdvancementRule = "DmpAdvancementRule"
    UmpMessagesPerCandidateOverflow = "UmpMessagesPerCandidateOverflow"
    HrmpMessagesPerCandidateOverflow = "HrmpMessagesPerCandidateOverflow"
    CodeUpgradeRestricted = "CodeUpgradeRestricted"
    HrmpMessagesDescendingOrDuplicate = "HrmpMessagesDescendingOrDuplicate"


@dataclass(frozen=True, slots=True)
class FragmentValidityError:
    """A candidate that breaks its operating constraints (`FragmentValidityError`), with the
    variant's data:

    - `expected`, `got`: the code hashes (ValidationCodeMismatch) or the validation data
      (PersistedValidationDataMismatch), the constraints' first.
    - `limit`, `value`: the bound and the candidate's figure for CodeSizeTooLarge,
      HeadDataTooLarge, RelayParentTooOld (the minimum number, the relay parent's) and the two
      per-candidate overflows (messages allowed, messages submitted).
    - `value` alone: the position of the first out-of-order horizontal message
      (HrmpMessagesDescendingOrDuplicate).
    - `modification`: why the outputs do not fit (OutputsInvalid).
    """

    kind: FragmentValidityErrorKind
    limit: int | None = None
    value: int | None = None
    expected: bytes | PersistedValidationData | None = None
    got: bytes | PersistedValidationData | None = None
    modification: ModificationError | None = None

    def __post_init__(self) -> None:
        c.instance(self, "kind", self.kind, FragmentValidityErrorKind)
        for name in ("limit", "value"):
            value = getattr(self, name)
            if value is not None:
                _count(self, name, value)
        for name in ("expected", "got"):
            value = getattr(self, name)
            if value is not None:
                c.instance(self, name, value, (bytes, PersistedValidationData))
        if self.modification is not None:
            c.instance(self, "modification", self.modification, ModificationError)
        if (self.kind is FragmentValidityErrorKind.OutputsInvalid) != (
            self.modification is not None
        ):
            raise InvalidRecord(
                "FragmentValidityError",
                "modification",
                self.modification,
                "is given for OutputsInvalid and only for it",
            )


def _error(kind: FragmentValidityErrorKind, **data: Any) -> FragmentValidityError:
    return FragmentValidityError(kind, **data)


def validate_commitments(
    constraints: Constraints,
    relay_parent: RelayChainBlockInfo,
    commitments: CandidateCommitments,
    validation_code_hash: bytes,
) -> FragmentValidityError | None:
    """`validate_commitments`: the checks that need the commitments only, not the parent (so
    they also run on a candidate whose parent is not known yet), in Rust's order: the code hash
    is the constraints' (ValidationCodeMismatch); the head data fits `max_head_data_size`
    (HeadDataTooLarge); the relay parent is not older than `min_relay_parent_number`
    (RelayParentTooOld); new code is sent only when no upgrade restriction is present
    (CodeUpgradeRestricted) and fits `max_code_size` (CodeSizeTooLarge); at most
    `max_hrmp_num_per_candidate` horizontal messages (HrmpMessagesPerCandidateOverflow).
    None when all pass."""
    kind = FragmentValidityErrorKind
    if validation_code_hash != constraints.validation_code_hash:
        return _error(
            kind.ValidationCodeMismatch,
            expected=constraints.validation_code_hash,
            got=validation_code_hash,
        )
    head_size = len(commitments.head_data)
    if head_size > constraints.max_head_data_size:
        return _error(kind.HeadDataTooLarge, limit=constraints.max_head_data_size, value=head_size)
    if relay_parent.number < constraints.min_relay_parent_number:
        return _error(
            kind.RelayParentTooOld,
            limit=constraints.min_relay_parent_number,
            value=relay_parent.number,
        )
    code = commitments.new_validation_code
    if code is not None and constraints.upgrade_restriction is UpgradeRestriction.Present:
        return _error(kind.CodeUpgradeRestricted)
    code_size = 0 if code is None else len(code)
    if code_size > constraints.max_code_size:
        return _error(kind.CodeSizeTooLarge, limit=constraints.max_code_size, value=code_size)
    sent = len(commitments.horizontal_messages)
    if sent > constraints.max_hrmp_num_per_candidate:
        return _error(
            kind.HrmpMessagesPerCandidateOverflow,
            limit=constraints.max_hrmp_num_per_candidate,
            value=sent,
        )
    return None


def _modifications(
    relay_parent: RelayChainBlockInfo,
    constraints: Constraints,
    commitments: CandidateCommitments,
) -> ConstraintModifications | FragmentValidityError:
    # What the candidate's outputs change (the first half of `check_against_constraints`).
    xcm = xcm_messages(commitments)
    outbound: dict[int, tuple[int, int]] = {}
    last: int | None = None
    for i, message in enumerate(commitments.horizontal_messages):
        if last is not None and message.recipient <= last:
            return _error(FragmentValidityErrorKind.HrmpMessagesDescendingOrDuplicate, value=i)
        last = message.recipient
        outbound[message.recipient] = (len(message.data), 1)
    future = constraints.future_validation_code
    return ConstraintModifications(
        required_parent=commitments.head_data,
        hrmp_watermark=HrmpWatermarkUpdate(
            commitments.hrmp_watermark, head=commitments.hrmp_watermark == relay_parent.number
        ),
        outbound_hrmp=pmap(outbound),
        ump_messages_sent=len(xcm),
        ump_bytes_sent=sum(len(message) for message in xcm),
        dmp_messages_processed=commitments.processed_downward_messages,
        code_upgrade_applied=future is not None and relay_parent.number >= future[0],
    )


def check_against_constraints(
    relay_parent: RelayChainBlockInfo,
    constraints: Constraints,
    commitments: CandidateCommitments,
    validation_code_hash: bytes,
    persisted_validation_data: PersistedValidationData,
) -> ConstraintModifications | FragmentValidityError:
    """`Fragment::check_against_constraints`: the candidate's modifications, if it may build on
    `relay_parent` under `constraints`, else the first check it fails, in Rust's order:

    1. While its modifications are computed, the horizontal messages' recipients must be
       strictly ascending (HrmpMessagesDescendingOrDuplicate, carrying the position).
    2. `validate_commitments` (code hash, head size, relay parent age, code upgrade, code size,
       horizontal messages per candidate).
    3. The validation data must be the one the constraints and relay parent give:
       `{required_parent, relay parent number and storage root, max_pov_size}`
       (PersistedValidationDataMismatch).
    4. A candidate that processes no downward message must not leave one waiting that was sent
       at or before its relay parent (DmpAdvancementRule).
    5. At most `max_ump_num_per_candidate` upward messages, the separator and signals not
       counted (UmpMessagesPerCandidateOverflow; as in Rust, the `value` reported is the length
       of all upward messages, signals included).
    6. The modifications must apply (OutputsInvalid, carrying the ModificationError).

    The modifications: the head data becomes the required parent; the watermark is a Head
    update when it equals the relay parent's number, else a Trunk one; bytes and messages per
    recipient; upward messages and bytes before the separator; downward messages processed;
    and the code upgrade counts as applied when the constraints hold a future code whose block
    the relay parent has reached."""
    modifications = _modifications(relay_parent, constraints, commitments)
    if isinstance(modifications, FragmentValidityError):
        return modifications
    problem = validate_commitments(constraints, relay_parent, commitments, validation_code_hash)
    if problem is not None:
        return problem
    kind = FragmentValidityErrorKind
    expected = PersistedValidationData(
        constraints.required_parent,
        relay_parent.number,
        relay_parent.storage_root,
        constraints.max_pov_size,
    )
    if expected != persisted_validation_data:
        return _error(
            kind.PersistedValidationDataMismatch, expected=expected, got=persisted_validation_data
        )
    waiting = constraints.dmp_remaining_messages
    if modifications.dmp_messages_processed == 0 and waiting and waiting[0] <= relay_parent.number:
        return _error(kind.DmpAdvancementRule)
    if modifications.ump_messages_sent > constraints.max_ump_num_per_candidate:
        return _error(
            kind.UmpMessagesPerCandidateOverflow,
            limit=constraints.max_ump_num_per_candidate,
            value=len(commitments.upward_messages),
        )
    applied = apply_modifications(constraints, modifications)
    if isinstance(applied, ModificationError):
        return _error(kind.OutputsInvalid, modification=applied)
    return modifications


@dataclass(frozen=True, slots=True)
class Fragment:
    """A candidate checked against the constraints it operates under (`Fragment`): its relay
    parent, those constraints, the candidate and the modifications it makes. Built by
    `fragment`, which guarantees the candidate passed every check."""

    relay_parent: RelayChainBlockInfo
    operating_constraints: Constraints
    candidate: ProspectiveCandidate
    modifications: ConstraintModifications

    def __post_init__(self) -> None:
        c.instance(self, "relay_parent", self.relay_parent, RelayChainBlockInfo)
        c.instance(self, "operating_constraints", self.operating_constraints, Constraints)
        c.instance(self, "candidate", self.candidate, ProspectiveCandidate)
        c.instance(self, "modifications", self.modifications, ConstraintModifications)


def fragment(
    relay_parent: RelayChainBlockInfo,
    constraints: Constraints,
    candidate: ProspectiveCandidate,
) -> Fragment | FragmentValidityError:
    """`Fragment::new`: the candidate as a fragment on `relay_parent` under `constraints`, or
    the first check of `check_against_constraints` it fails."""
    modifications = check_against_constraints(
        relay_parent,
        constraints,
        candidate.commitments,
        candidate.validation_code_hash,
        candidate.persisted_validation_data,
    )
    if isinstance(modifications, FragmentValidityError):
        return modifications
    return Fragment(relay_parent, constraints, candidate, modifications)
