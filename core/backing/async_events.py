# The inputs and outputs the backing job under today's rules (async_job.py) adds to the legacy
# job's (events.py, whose classes it reuses: Second, ReceiveStatement, StatementSigned, the
# validation, PoV and store results, Conclude; ValidateCandidate, FetchPoV, StoreAvailableData,
# SignStatement, ShareStatement, ReportMisbehavior, MisbehaviorOverCap,
# ReportInvalidToCandidateSelection and the early-vote effects). What is new is the dialogue
# with prospective parachains (E.4.2 step 4-5, E.4.3 step 4-5), the notices sent when a candidate
# is backed, the collator protocol's Seconded, the provisioner's `GetBackableCandidates` (E.4.4)
# and the statements dropped before the table, each with the reason.
#
# Sources: polkadot-sdk@320318ab polkadot/node/core/backing/src/lib.rs (`import_statement`,
# `post_import_statement_actions`, `seconding_sanity_check`,
# `handle_get_backable_candidates_message`) and polkadot-sdk@013cd85d
# polkadot/node/subsystem-types/src/messages.rs (`IntroduceSecondedCandidateRequest`,
# `CandidateBackingMessage::GetBackableCandidates`).
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from enum import Enum
from typing import Union

from ..errors import InvalidRecord
from ..prospective.fragment_chain import BackableCandidateRef
from ..prospective.view import HypotheticalComplete
from ..records import _checks as c
from ..records.backed import BackedCandidate
from ..records.candidate import CommittedCandidateReceipt, PersistedValidationData
from ..records.statements import SignedStatement
from ..signals import Conclude
from .events import (
    AvailableDataStored,
    CandidateInvalid,
    CandidateValid,
    EarlyVoteDropped,
    EarlyVoteHeld,
    EarlyVoteImported,
    FetchPoV,
    MisbehaviorOverCap,
    PoVFetched,
    PoVUnavailable,
    ReceiveStatement,
    ReportInvalidToCandidateSelection,
    ReportMisbehavior,
    Second,
    ShareStatement,
    SignStatement,
    StatementSigned,
    StoreAvailableData,
    ValidateCandidate,
    ValidationFailed,
)

__all__ = [
    "AsyncBackingEffect",
    "AsyncBackingEvent",
    "CandidateBackedToDistribution",
    "CandidateBackedToProspective",
    "CheckHypotheticalMembership",
    "GetBackableCandidates",
    "HypotheticalMembershipAnswered",
    "IntroduceSecondedCandidate",
    "ReplyBackableCandidates",
    "SecondedCandidateIntroduced",
    "SecondedToCollatorProtocol",
    "StatementDropReason",
    "StatementDropped",
]

# Events --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SecondedCandidateIntroduced:
    """Prospective parachains' answer to `IntroduceSecondedCandidate`: whether some fragment
    chain took the candidate (or already had it)."""

    candidate_hash: bytes
    accepted: bool


@dataclass(frozen=True, slots=True)
class HypotheticalMembershipAnswered:
    """Prospective parachains' answer to `CheckHypotheticalMembership`: the active leaves whose
    fragment chain could take the candidate (`ProspectiveParachains.get_hypothetical_membership`
    gives them); none refuses the seconding."""

    candidate_hash: bytes
    leaves: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class GetBackableCandidates:
    """The provisioner asks for backed candidates (E.4.4): per para, the candidates in chain
    order, each with the scheduling parent whose job holds its votes. Answered by
    `async_job.get_backable_candidates` over every job, not by one job's step; `request_id` is
    any hashable token the caller chooses, handed back in the reply."""

    request_id: Hashable
    requested: tuple[tuple[int, tuple[BackableCandidateRef, ...]], ...]

    def __post_init__(self) -> None:
        if not isinstance(self.requested, tuple | list):
            raise InvalidRecord(
                "GetBackableCandidates", "requested", self.requested, "must be (para, refs) pairs"
            )
        frozen: list[tuple[int, tuple[BackableCandidateRef, ...]]] = []
        for i, pair in enumerate(self.requested):
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise InvalidRecord(
                    "GetBackableCandidates", f"requested[{i}]", pair, "must be a (para, refs) pair"
                )
            para, refs = pair
            c.u32(self, f"requested[{i}].para", para)
            if not isinstance(refs, tuple | list) or not all(
                isinstance(r, BackableCandidateRef) for r in refs
            ):
                raise InvalidRecord(
                    "GetBackableCandidates",
                    f"requested[{i}].refs",
                    refs,
                    "must be a sequence of BackableCandidateRef",
                )
            frozen.append((para, tuple(refs)))
        object.__setattr__(self, "requested", tuple(frozen))


AsyncBackingEvent = Union[  # noqa: UP007
    Second,
    ReceiveStatement,
    StatementSigned,
    CandidateValid,
    CandidateInvalid,
    ValidationFailed,
    PoVFetched,
    PoVUnavailable,
    AvailableDataStored,
    SecondedCandidateIntroduced,
    HypotheticalMembershipAnswered,
    Conclude,
]

# Effects -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IntroduceSecondedCandidate:
    """Offer a fresh seconded candidate to prospective parachains (E.3.5); answer
    `SecondedCandidateIntroduced`. The statements naming it wait for the answer."""

    para_id: int
    candidate: CommittedCandidateReceipt
    persisted_validation_data: PersistedValidationData


@dataclass(frozen=True, slots=True)
class CheckHypotheticalMembership:
    """Ask prospective parachains whether a candidate we validated could join a fragment chain
    of some active leaf (`seconding_sanity_check`, E.4.2 step 4); answer
    `HypotheticalMembershipAnswered`."""

    candidate: HypotheticalComplete


@dataclass(frozen=True, slots=True)
class CandidateBackedToProspective:
    """A candidate reached its quorum: prospective parachains marks it backed
    (`ProspectiveParachainsMessage::CandidateBacked`, E.4.3 step 5)."""

    para_id: int
    candidate_hash: bytes


@dataclass(frozen=True, slots=True)
class CandidateBackedToDistribution:
    """The same news for statement distribution (`StatementDistributionMessage::Backed`),
    always after `CandidateBackedToProspective`."""

    candidate_hash: bytes


@dataclass(frozen=True, slots=True)
class SecondedToCollatorProtocol:
    """We seconded a candidate and shared the statement: the collator protocol hears of it
    (`CollatorProtocolMessage::Seconded`)."""

    statement: SignedStatement


class StatementDropReason(Enum):
    """Why a statement never reached the statement table. The values name the Rust error where
    the node has one."""

    DISABLED_VALIDATOR = "statement from a disabled validator"
    CORE_INDEX_UNAVAILABLE = "CoreIndexUnavailable"
    REJECTED_BY_PROSPECTIVE_PARACHAINS = "RejectedByProspectiveParachains"
    VERSION_REJECTED = "descriptor version not accepted"
    MISSING_VALIDATION_DATA = "Seconded without its persisted validation data"
    WRONG_SCHEDULING_PARENT = "candidate of another scheduling parent"
    INVALID_STATEMENT = "Invalid is not a statement of today's protocol"


@dataclass(frozen=True, slots=True)
class StatementDropped:
    """A statement refused before the table, and why; the job's state is unchanged by it
    (except that statements waiting for prospective parachains leave the queue)."""

    statement: SignedStatement
    reason: StatementDropReason


@dataclass(frozen=True, slots=True)
class ReplyBackableCandidates:
    """The answer to `GetBackableCandidates`: per requested para that got any, in request
    order, its backed candidates in the requested order up to the first that is not backable."""

    request_id: Hashable
    candidates: tuple[tuple[int, tuple[BackedCandidate, ...]], ...]


AsyncBackingEffect = Union[  # noqa: UP007
    ValidateCandidate,
    FetchPoV,
    StoreAvailableData,
    SignStatement,
    ShareStatement,
    ReportMisbehavior,
    MisbehaviorOverCap,
    ReportInvalidToCandidateSelection,
    EarlyVoteHeld,
    EarlyVoteImported,
    EarlyVoteDropped,
    IntroduceSecondedCandidate,
    CheckHypotheticalMembership,
    CandidateBackedToProspective,
    CandidateBackedToDistribution,
    SecondedToCollatorProtocol,
    StatementDropped,
]
