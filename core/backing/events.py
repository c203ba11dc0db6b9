# The backing job's inputs and outputs (implementers' guide, "Candidate Backing", section
# "Candidate Backing Job"; polkadot@c4ee9d46 node/core/backing/src/lib.rs, from `process_msg` to
# `handle_validated_candidate_command`), as
# two separate class families: events the shell feeds to `step`, and effects `step` asks the
# shell to perform. Nothing here does anything; the shell does the I/O and reports back.
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Union

from ..records.backed import BackedCandidate
from ..records.candidate import (
    CandidateCommitments,
    CandidateReceipt,
    PersistedValidationData,
    PoV,
)
from ..records.misbehavior import Misbehavior
from ..records.statements import AnyStatement, SignedStatement
from ..signals import Conclude

__all__ = [
    "EARLY_VOTE_ALREADY_HELD",
    "EARLY_VOTE_BUFFER_FULL",
    "EARLY_VOTE_EXPIRED",
    "EARLY_VOTE_LIMIT_PER_VALIDATOR",
    "AvailableDataStored",
    "BackingEffect",
    "BackingEvent",
    "CandidateInvalid",
    "CandidateValid",
    "EarlyVoteDropped",
    "EarlyVoteHeld",
    "EarlyVoteImported",
    "FetchPoV",
    "GetBackedCandidates",
    "ImportToDisputeCoordinator",
    "MisbehaviorOverCap",
    "PoVFetched",
    "PoVUnavailable",
    "ReceiveStatement",
    "ReplyBackedCandidates",
    "ReportInvalidToCandidateSelection",
    "ReportMisbehavior",
    "Second",
    "SendBackedToProvisioner",
    "ShareStatement",
    "SignStatement",
    "StatementSigned",
    "StoreAvailableData",
    "ValidateCandidate",
    "ValidationFailed",
]

# Events --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Second:
    """Candidate selection asks us to second `candidate`, whose PoV it already has. Under
    today's rules (async_job.py) the collator's validation data comes with it, as in the node's
    `Second(relay_parent, receipt, pvd, pov)`; the seeds' job ignores it."""

    candidate: CandidateReceipt
    pov: PoV
    persisted_validation_data: PersistedValidationData | None = None


@dataclass(frozen=True, slots=True)
class ReceiveStatement:
    """A statement from the network, its signature already checked by the shell. Under today's
    rules a Seconded travels with its candidate's validation data (the node's
    `StatementWithPVD`); the seeds' job ignores it."""

    statement: SignedStatement
    persisted_validation_data: PersistedValidationData | None = None


@dataclass(frozen=True, slots=True)
class StatementSigned:
    """The shell signed a statement we asked for with `SignStatement` (our own key)."""

    statement: SignedStatement


@dataclass(frozen=True, slots=True)
class GetBackedCandidates:
    """The provisioner asks which of `hashes` are backable; answer `request_id`, any hashable
    token the caller chooses; the core only compares it and hands it back in the reply effect."""

    request_id: Hashable
    hashes: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class CandidateValid:
    """Candidate validation found the candidate valid, with what it computed."""

    candidate_hash: bytes
    commitments: CandidateCommitments
    validation_data: PersistedValidationData


@dataclass(frozen=True, slots=True)
class CandidateInvalid:
    """Candidate validation found the candidate invalid."""

    candidate_hash: bytes
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ValidationFailed:
    """Validation could not run (an internal error): no verdict on the candidate."""

    candidate_hash: bytes
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PoVFetched:
    candidate_hash: bytes
    pov: PoV


@dataclass(frozen=True, slots=True)
class PoVUnavailable:
    """The validator we asked did not serve the PoV."""

    candidate_hash: bytes


@dataclass(frozen=True, slots=True)
class AvailableDataStored:
    """The availability store acknowledged `StoreAvailableData`."""

    candidate_hash: bytes


BackingEvent = Union[  # noqa: UP007
    Second, ReceiveStatement, StatementSigned, GetBackedCandidates, CandidateValid,
    CandidateInvalid, ValidationFailed, PoVFetched, PoVUnavailable, AvailableDataStored, Conclude,
]

# Effects -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValidateCandidate:
    """Ask candidate validation to validate `candidate` with `pov`; answer with a result event.
    Today's job names the validation data to validate against (`ValidateFromExhaustive`); the
    seeds' job leaves it None, for validation to fetch at the relay parent."""

    candidate: CandidateReceipt
    pov: PoV
    persisted_validation_data: PersistedValidationData | None = None


@dataclass(frozen=True, slots=True)
class FetchPoV:
    """Ask availability distribution for the PoV from one validator; answer `PoVFetched` or
    `PoVUnavailable`."""

    from_validator: int
    candidate_hash: bytes
    pov_hash: bytes


@dataclass(frozen=True, slots=True)
class StoreAvailableData:
    """Keep the PoV and validation data in the availability store; answer `AvailableDataStored`."""

    candidate_hash: bytes
    validator_index: int
    n_validators: int
    pov: PoV
    validation_data: PersistedValidationData
    # The descriptor's erasure root: the store refuses data that does not hash to it (as in
    # the node's `validate_and_make_available`), and the shell then reports the candidate invalid.
    expected_erasure_root: bytes


@dataclass(frozen=True, slots=True)
class SignStatement:
    """Sign `statement` with our key; answer `StatementSigned` (the keystore lives in the shell)."""

    statement: AnyStatement


@dataclass(frozen=True, slots=True)
class ShareStatement:
    """Send our signed statement to statement distribution."""

    statement: SignedStatement


@dataclass(frozen=True, slots=True)
class SendBackedToProvisioner:
    backed: BackedCandidate


@dataclass(frozen=True, slots=True)
class ReportMisbehavior:
    validator_index: int
    misbehavior: Misbehavior


@dataclass(frozen=True, slots=True)
class ImportToDisputeCoordinator:
    """Import a backing statement into the dispute coordinator (implementers' guide,
    "Candidate Backing": on each statement)."""

    candidate_receipt: CandidateReceipt
    session_index: int
    statement: SignedStatement


@dataclass(frozen=True, slots=True)
class MisbehaviorOverCap:
    """A further offence by a validator whose evidence already fills the table's cap
    (`TableContext.max_evidence_per_validator`): counted, neither kept nor reported."""

    validator_index: int


# Why an early vote left the buffer without reaching the table (`EarlyVoteDropped.reason`).
EARLY_VOTE_BUFFER_FULL = "early vote buffer full"
EARLY_VOTE_LIMIT_PER_VALIDATOR = "early votes per validator at limit"
EARLY_VOTE_ALREADY_HELD = "early vote already held"
EARLY_VOTE_EXPIRED = "early vote expired"


@dataclass(frozen=True, slots=True)
class EarlyVoteHeld:
    """A Valid or Invalid on a candidate whose Seconded has not arrived is held for it."""

    statement: SignedStatement


@dataclass(frozen=True, slots=True)
class EarlyVoteImported:
    """The Seconded came: a held vote is imported now (its own effects follow this one)."""

    statement: SignedStatement


@dataclass(frozen=True, slots=True)
class EarlyVoteDropped:
    """An early vote that never reaches the table, and why (one of the `EARLY_VOTE_*`
    reasons): the buffer was full, its sender's share was, it was held already, or the job
    concluded while it was still held."""

    statement: SignedStatement
    reason: str


@dataclass(frozen=True, slots=True)
class ReportInvalidToCandidateSelection:
    """A candidate we were asked to second is invalid (or from the wrong collator): penalise."""

    candidate: CandidateReceipt


@dataclass(frozen=True, slots=True)
class ReplyBackedCandidates:
    """The answer to `GetBackedCandidates`, carrying its `request_id` back unchanged."""

    request_id: Hashable
    candidates: tuple[BackedCandidate, ...]


BackingEffect = Union[  # noqa: UP007
    ValidateCandidate, FetchPoV, StoreAvailableData, SignStatement, ShareStatement,
    SendBackedToProvisioner, ReportMisbehavior, ImportToDisputeCoordinator,
    ReportInvalidToCandidateSelection, ReplyBackedCandidates, MisbehaviorOverCap, EarlyVoteHeld,
    EarlyVoteImported, EarlyVoteDropped,
]
