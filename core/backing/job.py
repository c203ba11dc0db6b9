# The Candidate Backing job of one relay parent as a pure machine (implementers' guide,
# "Candidate Backing", section "Candidate Backing Job"; polkadot@c4ee9d46
# node/core/backing/src/lib.rs, `CandidateBackingJob`): `step(state, event) -> (state, effects)`.
#
# Rules of this module:
# - Everything from outside comes in the initial state (validators' keys, groups, signing
#   context, our index and assignment) or as an event; signing is an effect (`SignStatement`)
#   answered by `StatementSigned`, so the machine is deterministic and holds no key.
# - Incoming statements arrive with their signatures already checked by the shell; the machine
#   only refuses a validator index outside the validator set.
# - A rejected or irrelevant event returns the very same state and no effects; after `Conclude`
#   every event is ignored.
# - Effects come out in a fixed order per event (dispute import, provisioner, misbehaviour,
#   share), never in hash-map order; a Seconded that releases held early votes is followed by
#   each of them (`EarlyVoteImported`, then that vote's own effects), in arrival order.
# - Early votes are held, not lost: a Valid or Invalid from the network on a candidate whose
#   Seconded has not arrived waits in a bounded buffer (`early_vote_limit` in all,
#   `early_votes_per_validator` from one sender, so one peer cannot fill it) and goes through the
#   ordinary import when the Seconded comes, so every rule (outsiders, double votes, quorum)
#   applies to it. Only signature-checked statements reach the job, so holding one is safe.
#   Whatever is refused or still held at `Conclude` comes out as `EarlyVoteDropped` with its
#   reason. (Statement distribution in the node only passes on votes whose Seconded it has,
#   polkadot@c4ee9d46 node/network/statement-distribution/src/lib.rs; here the network may
#   reorder, so the job keeps them.)
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pyrsistent import PMap, PSet, PVector, pmap, pset, pvector

from ..errors import BackableError
from ..evolve import evolver
from ..records.candidate import (
    CandidateCommitments,
    CandidateReceipt,
    CommittedCandidateReceipt,
    PoV,
)
from ..records.statements import (
    AnyStatement,
    Invalid,
    Seconded,
    SignedStatement,
    SigningContext,
    Valid,
)
from ..signals import Conclude
from .events import (
    EARLY_VOTE_ALREADY_HELD,
    EARLY_VOTE_BUFFER_FULL,
    EARLY_VOTE_EXPIRED,
    EARLY_VOTE_LIMIT_PER_VALIDATOR,
    AvailableDataStored,
    BackingEffect,
    BackingEvent,
    CandidateInvalid,
    CandidateValid,
    EarlyVoteDropped,
    EarlyVoteHeld,
    EarlyVoteImported,
    FetchPoV,
    GetBackedCandidates,
    ImportToDisputeCoordinator,
    MisbehaviorOverCap,
    PoVFetched,
    PoVUnavailable,
    ReceiveStatement,
    ReplyBackedCandidates,
    ReportInvalidToCandidateSelection,
    ReportMisbehavior,
    Second,
    SendBackedToProvisioner,
    ShareStatement,
    SignStatement,
    StatementSigned,
    StoreAvailableData,
    ValidateCandidate,
    ValidationFailed,
)
from .table import (
    Summary,
    Table,
    TableContext,
    attested_candidate,
    attested_to_backed,
    import_statement,
)

__all__ = [
    "EARLY_VOTE_LIMIT",
    "EARLY_VOTES_PER_VALIDATOR",
    "BackingJobError",
    "hold_early_vote",
    "release_early_votes",
    "BackingJobState",
    "new_backing_job",
    "step",
]

Effects = tuple[BackingEffect, ...]

# The early-vote buffer's defaults, per job (one relay parent). A group of 5 to 10 validators
# with one Seconded each gives an honest validator at most a handful of early votes; 16 leaves
# room for multiple seconding. 1,024 in all holds every early vote of a 300-validator,
# 60-core relay parent at 30% statement loss with room to spare, at well under 1 MB.
EARLY_VOTE_LIMIT = 1024
EARLY_VOTES_PER_VALIDATOR = 16


class BackingJobError(BackableError, ValueError):
    """The shell fed the job something it never asked for."""


class _Phase(Enum):
    FETCHING = "fetching"  # waiting for a PoV
    VALIDATING = "validating"  # waiting for candidate validation
    STORING = "storing"  # waiting for the availability store's acknowledgement


@dataclass(frozen=True, slots=True)
class _Work:
    candidate: CandidateReceipt
    seconding: bool  # we validate it to second it (else to attest it)
    phase: _Phase
    pov: PoV | None = None
    commitments: CandidateCommitments | None = None


@dataclass(frozen=True, slots=True)
class _Attesting:
    # Reference C.1 `AttestingData`: whom to fetch the PoV from, and who else vouched for it.
    candidate: CandidateReceipt
    pov_hash: bytes
    from_validator: int
    backing: tuple[int, ...] = ()


@dataclass(frozen=True)  # no slots: `evolve` copies its __dict__ in one step (core/evolve.py)
class BackingJobState:
    """One relay parent's backing job (the node's `CandidateBackingJob` struct). Build it with
    `new_backing_job`."""

    signing_context: SigningContext
    validators: tuple[bytes, ...]
    context: TableContext
    validator_index: int | None = None
    assignment: int | None = None
    required_collator: bytes | None = None
    table: Table = field(default_factory=Table)
    seconded: bytes | None = None
    issued: PSet[bytes] = field(default_factory=pset)
    work: PMap[bytes, _Work] = field(default_factory=pmap)
    fallbacks: PMap[bytes, _Attesting] = field(default_factory=pmap)
    backed: PSet[bytes] = field(default_factory=pset)
    reported: int = 0  # misbehaviours of the table already reported
    signing: PSet[AnyStatement] = field(default_factory=pset)
    concluded: bool = False
    # Early votes, in arrival order, and how many each sender has in the buffer.
    early_votes: PVector[SignedStatement] = field(default_factory=pvector)
    early_per_validator: PMap[int, int] = field(default_factory=pmap)
    early_vote_limit: int = EARLY_VOTE_LIMIT
    early_votes_per_validator: int = EARLY_VOTES_PER_VALIDATOR

    @property
    def relay_parent(self) -> bytes:
        return self.signing_context.parent_hash


_evolve_state = evolver(BackingJobState)
_evolve_work = evolver(_Work)
_evolve_attesting = evolver(_Attesting)


def new_backing_job(
    signing_context: SigningContext,
    validators: Sequence[bytes],
    context: TableContext,
    validator_index: int | None = None,
    assignment: int | None = None,
    required_collator: bytes | None = None,
    *,
    early_vote_limit: int = EARLY_VOTE_LIMIT,
    early_votes_per_validator: int = EARLY_VOTES_PER_VALIDATOR,
) -> BackingJobState:
    """A fresh job (implementers' guide, "Candidate Backing", "On Startup"; the node's
    `CandidateBackingJob::run`). `validator_index` None makes
    an observer: it tallies statements but never validates or signs. `early_vote_limit` bounds
    the votes held for candidates whose Seconded has not arrived, `early_votes_per_validator`
    those of one sender (both at least 0; 0 holds none)."""
    if validator_index is not None and not 0 <= validator_index < len(validators):
        raise BackingJobError(
            f"new_backing_job: validator_index {validator_index} is outside the"
            f" {len(validators)} validators"
        )
    for name, limit in (
        ("early_vote_limit", early_vote_limit),
        ("early_votes_per_validator", early_votes_per_validator),
    ):
        if type(limit) is not int or limit < 0:
            raise BackingJobError(f"new_backing_job: {name} must be an int >= 0, not {limit!r}")
    return BackingJobState(
        signing_context,
        tuple(validators),
        context,
        validator_index,
        assignment,
        required_collator,
        early_vote_limit=early_vote_limit,
        early_votes_per_validator=early_votes_per_validator,
    )


def step(state: BackingJobState, event: BackingEvent) -> tuple[BackingJobState, Effects]:
    """Advance the job by one event (implementers' guide, "Candidate Backing", "On Receiving New
    Candidate Backing Message", "Validating Candidates"; the node's `process_msg` and
    `handle_validated_candidate_command`)."""
    if state.concluded:
        return state, ()
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise BackingJobError(f"step: {event!r} is not a backing job event")
    return handler(state, event)


# Second -------------------------------------------------------------------------------------


def _second(state: BackingJobState, event: Second) -> tuple[BackingJobState, Effects]:
    # Reference C.3: only our own assignment, only one seconded candidate per relay parent, never
    # a candidate we already issued a statement on; a wrong collator is refused unvalidated.
    candidate = event.candidate
    h = candidate.hash()
    if (
        state.validator_index is None
        or state.assignment != candidate.descriptor.para_id
        or state.seconded is not None
        or h in state.issued
    ):
        return state, ()
    if state.required_collator is not None and (
        state.required_collator != candidate.descriptor.collator
    ):
        return state, (ReportInvalidToCandidateSelection(candidate),)
    if h in state.work:
        return state, ()
    work = _Work(candidate, True, _Phase.VALIDATING, event.pov)
    state = _evolve_state(state, work=state.work.set(h, work))
    return state, (ValidateCandidate(candidate, event.pov),)


# Statements ---------------------------------------------------------------------------------


def _receive(state: BackingJobState, event: ReceiveStatement) -> tuple[BackingJobState, Effects]:
    return _import(state, event.statement, own=False)


def _signed(state: BackingJobState, event: StatementSigned) -> tuple[BackingJobState, Effects]:
    signed = event.statement
    if signed.statement not in state.signing or signed.validator_index != state.validator_index:
        raise BackingJobError(
            f"StatementSigned: {signed!r} was not requested by this job (our index"
            f" {state.validator_index}, awaiting {len(state.signing)} signatures)"
        )
    state = _evolve_state(state, signing=state.signing.remove(signed.statement))
    return _import(state, signed, True)


def _import(
    state: BackingJobState, signed: SignedStatement, own: bool
) -> tuple[BackingJobState, Effects]:
    sender = signed.validator_index
    if sender >= len(state.validators):
        return state, ()  # `import_statement` drops an index outside the validator set
    statement = signed.statement
    if (
        not own
        and type(statement) is not Seconded
        and state.table.candidate(statement.candidate_hash) is None
    ):
        # Our own votes are never held: we sign only what we validated, and the Invalid on a
        # candidate we were asked to second has no Seconded to wait for.
        return _hold(state, signed)
    effects: list[BackingEffect] = []
    table, summary = import_statement(state.table, state.context, signed)
    if table is state.table and summary is None and not own:
        # An exact duplicate or a replayed offence: nothing new for the table, and nothing the
        # dispute coordinator has not seen. Our own statements are shared regardless (an Invalid
        # on a candidate we were asked to second).
        return state, ()
    if table.excess_count > state.table.excess_count:
        # An offence beyond the offender's evidence cap: counted, but neither kept, reported
        # nor imported for disputes (its earlier offences were, and replays must cost nothing).
        return _evolve_state(state, table=table), (MisbehaviorOverCap(sender),)
    known = (
        statement.candidate
        if isinstance(statement, Seconded)
        else state.table.candidate(statement.candidate_hash)
    )
    # A Seconded that made its candidate known releases the votes held for it (one refused as
    # misbehaviour leaves the candidate unknown, and its votes keep waiting).
    release = (
        bool(state.early_votes)
        and type(statement) is Seconded
        and state.table.candidate(statement.candidate_hash) is None
        and table.candidate(statement.candidate_hash) is not None
    )
    if known is not None:
        effects.append(
            ImportToDisputeCoordinator(
                known.to_plain(), state.signing_context.session_index, signed
            )
        )
    state = _evolve_state(state, table=table)
    state = _report(state, summary, effects)
    if own:
        effects.append(ShareStatement(signed))
    elif (
        summary is not None
        and state.validator_index is not None
        and summary.group_id == state.assignment
    ):
        state = _maybe_validate(state, statement, sender, effects)
    if release:
        state = _release(state, statement.candidate_hash, effects)
    return state, tuple(effects)


def hold_early_vote(
    votes: PVector[SignedStatement],
    counts: PMap[int, int],
    signed: SignedStatement,
    limit: int,
    per_validator: int,
) -> tuple[PVector[SignedStatement], PMap[int, int], str | None]:
    """The early-vote buffer's admission, shared by the legacy and today's jobs: the buffer with
    `signed` held, or unchanged with the reason it was refused (cheapest refusal first: one
    sender's share, then the whole buffer)."""
    sender = signed.validator_index
    mine = counts.get(sender, 0)
    if mine and signed in votes:
        return votes, counts, EARLY_VOTE_ALREADY_HELD
    if mine >= per_validator:
        return votes, counts, EARLY_VOTE_LIMIT_PER_VALIDATOR
    if len(votes) >= limit:
        return votes, counts, EARLY_VOTE_BUFFER_FULL
    return votes.append(signed), counts.set(sender, mine + 1), None


def release_early_votes(
    votes: PVector[SignedStatement], counts: PMap[int, int], candidate_hash: bytes
) -> tuple[list[SignedStatement], PVector[SignedStatement], PMap[int, int]]:
    """The votes held for `candidate_hash`, in arrival order, and the buffer without them."""
    released = [s for s in votes if s.candidate_hash == candidate_hash]
    if not released:
        return released, votes, counts
    left = counts.evolver()
    for s in released:
        n = left[s.validator_index] - 1
        if n:
            left[s.validator_index] = n
        else:
            del left[s.validator_index]
    kept = pvector(s for s in votes if s.candidate_hash != candidate_hash)
    return released, kept, left.persistent()


def _hold(state: BackingJobState, signed: SignedStatement) -> tuple[BackingJobState, Effects]:
    votes, counts, reason = hold_early_vote(
        state.early_votes,
        state.early_per_validator,
        signed,
        state.early_vote_limit,
        state.early_votes_per_validator,
    )
    if reason is not None:
        return state, (EarlyVoteDropped(signed, reason),)
    state = _evolve_state(state, early_votes=votes, early_per_validator=counts)
    return state, (EarlyVoteHeld(signed),)


def _release(
    state: BackingJobState, candidate_hash: bytes, effects: list[BackingEffect]
) -> BackingJobState:
    # The Seconded is in the table: its held votes leave the buffer and go through the ordinary
    # import, in the order they arrived.
    released, votes, counts = release_early_votes(
        state.early_votes, state.early_per_validator, candidate_hash
    )
    if not released:
        return state
    state = _evolve_state(state, early_votes=votes, early_per_validator=counts)
    for s in released:
        effects.append(EarlyVoteImported(s))
        state, more = _import(state, s, own=False)
        effects.extend(more)
    return state


def _report(
    state: BackingJobState, summary: Summary | None, effects: list[BackingEffect]
) -> BackingJobState:
    # Reference C.6 steps 3-4: the backed candidate once, then each new misbehaviour once.
    table = state.table
    if summary is not None and summary.candidate_hash not in state.backed:
        attested = attested_candidate(table, summary.candidate_hash, state.context)
        if attested is not None:
            backed = attested_to_backed(attested, state.context.groups[attested.group_id])
            assert backed is not None, "the table admits only votes from the candidate's group"
            effects.append(SendBackedToProvisioner(backed))
            state = _evolve_state(state, backed=state.backed.add(summary.candidate_hash))
    if table.misbehavior_count > state.reported:
        effects.extend(ReportMisbehavior(v, m) for v, m in table.misbehaviors_since(state.reported))
        state = _evolve_state(state, reported=table.misbehavior_count)
    return state


def _maybe_validate(
    state: BackingJobState, statement: AnyStatement, sender: int, effects: list[BackingEffect]
) -> BackingJobState:
    # Reference C.6 "maybe_validate_and_import": a Seconded starts validation with the PoV from
    # its sender; a later vouch (Valid, or another Seconded) joins the retry list or restarts it.
    h = statement.candidate_hash
    attesting = state.fallbacks.get(h)
    if attesting is None:
        if not isinstance(statement, Seconded):
            return state
        committed = state.table.candidate(h)
        assert committed is not None, "a Seconded that gave a summary is in the table"
        attesting = _Attesting(committed.to_plain(), committed.descriptor.pov_hash, sender)
    elif isinstance(statement, Invalid) or sender == state.validator_index:
        return state
    elif h in state.work:
        attesting = _evolve_attesting(attesting, backing=(*attesting.backing, sender))
        return _evolve_state(state, fallbacks=state.fallbacks.set(h, attesting))
    else:
        attesting = _evolve_attesting(attesting, from_validator=sender)
    state = _evolve_state(state, fallbacks=state.fallbacks.set(h, attesting))
    return _kick_off(state, attesting, effects)


def _kick_off(
    state: BackingJobState, attesting: _Attesting, effects: list[BackingEffect]
) -> BackingJobState:
    candidate = attesting.candidate
    h = candidate.hash()
    if h in state.issued or h in state.work:
        return state
    if state.required_collator is not None and (
        state.required_collator != candidate.descriptor.collator
    ):
        # Reference C.6: act as though we issued a statement, so we never validate it.
        return _evolve_state(state, issued=state.issued.add(h))
    effects.append(FetchPoV(attesting.from_validator, h, attesting.pov_hash))
    return _evolve_state(state, work=state.work.set(h, _Work(candidate, False, _Phase.FETCHING)))


# Background results -------------------------------------------------------------------------


def _pov_fetched(state: BackingJobState, event: PoVFetched) -> tuple[BackingJobState, Effects]:
    h = event.candidate_hash
    work = state.work.get(h)
    if work is None or work.phase is not _Phase.FETCHING:
        return state, ()
    work = _evolve_work(work, phase=_Phase.VALIDATING, pov=event.pov)
    return (
        _evolve_state(state, work=state.work.set(h, work)),
        (ValidateCandidate(work.candidate, event.pov),),
    )


def _pov_unavailable(
    state: BackingJobState, event: PoVUnavailable
) -> tuple[BackingJobState, Effects]:
    # Reference C.5 `AttestNoPoV`: try the next validator that vouched for it, one at a time,
    # in the order they vouched; with none left, wait for a later Valid statement.
    h = event.candidate_hash
    work = state.work.get(h)
    if work is None or work.phase is not _Phase.FETCHING:
        return state, ()
    state = _evolve_state(state, work=state.work.remove(h))
    attesting = state.fallbacks.get(h)
    if attesting is None or not attesting.backing:
        return state, ()
    attesting = _evolve_attesting(
        attesting, from_validator=attesting.backing[0], backing=attesting.backing[1:]
    )
    state = _evolve_state(state, fallbacks=state.fallbacks.set(h, attesting))
    effects: list[BackingEffect] = []
    state = _kick_off(state, attesting, effects)
    return state, tuple(effects)


def _valid(state: BackingJobState, event: CandidateValid) -> tuple[BackingJobState, Effects]:
    h = event.candidate_hash
    work = state.work.get(h)
    if work is None or work.phase is not _Phase.VALIDATING:
        return state, ()
    if event.commitments.hash() != work.candidate.commitments_hash:
        return _invalid(state, CandidateInvalid(h, "commitments hash mismatch"))
    pov = work.pov
    assert pov is not None, "a candidate under validation has its PoV"
    assert state.validator_index is not None, "observers never validate"
    work = _evolve_work(work, phase=_Phase.STORING, commitments=event.commitments)
    store = StoreAvailableData(
        h,
        state.validator_index,
        len(state.validators),
        pov,
        event.validation_data,
        work.candidate.descriptor.erasure_root,
    )
    return _evolve_state(state, work=state.work.set(h, work)), (store,)


def _stored(state: BackingJobState, event: AvailableDataStored) -> tuple[BackingJobState, Effects]:
    # Reference C.5: sign Seconded (if still free to second) or Valid, unless we already issued
    # a statement on this candidate.
    h = event.candidate_hash
    work = state.work.get(h)
    if work is None or work.phase is not _Phase.STORING:
        return state, ()
    state = _evolve_state(state, work=state.work.remove(h), fallbacks=state.fallbacks.discard(h))
    if h in state.issued or (work.seconding and state.seconded is not None):
        return state, ()
    statement: AnyStatement
    if work.seconding:
        assert work.commitments is not None, "a stored candidate has its commitments"
        statement = Seconded(CommittedCandidateReceipt(work.candidate.descriptor, work.commitments))
        state = _evolve_state(state, seconded=h)
    else:
        statement = Valid(h)
    return _sign(state, h, statement)


def _invalid(state: BackingJobState, event: CandidateInvalid) -> tuple[BackingJobState, Effects]:
    # Implementers' guide, "Candidate Backing": sign Invalid; tell candidate selection if we were
    # asked to second it. `seconded`
    # stays free, so another candidate can be seconded.
    h = event.candidate_hash
    work = state.work.get(h)
    # Also while storing: data that misses the erasure root is an invalid candidate (C.4).
    if work is None or work.phase is _Phase.FETCHING:
        return state, ()
    state = _evolve_state(state, work=state.work.remove(h), fallbacks=state.fallbacks.discard(h))
    report: Effects = (ReportInvalidToCandidateSelection(work.candidate),) if work.seconding else ()
    if h in state.issued:
        return state, report
    state, sign = _sign(state, h, Invalid(h))
    return state, report + sign


def _failed(state: BackingJobState, event: ValidationFailed) -> tuple[BackingJobState, Effects]:
    # Validation could not run: no verdict, no statement. The fallback stays, so a later Valid
    # restarts the attempt, and others' votes can still back the candidate.
    h = event.candidate_hash
    work = state.work.get(h)
    if work is None or work.phase is _Phase.FETCHING:
        return state, ()
    return _evolve_state(state, work=state.work.remove(h)), ()


def _sign(
    state: BackingJobState, h: bytes, statement: AnyStatement
) -> tuple[BackingJobState, Effects]:
    state = _evolve_state(state, issued=state.issued.add(h), signing=state.signing.add(statement))
    return state, (SignStatement(statement),)


# Requests -----------------------------------------------------------------------------------


def _get_backed(
    state: BackingJobState, event: GetBackedCandidates
) -> tuple[BackingJobState, Effects]:
    # Reference C.7: in request order, unknown and not-yet-backable hashes skipped.
    out = []
    for h in event.hashes:
        attested = attested_candidate(state.table, h, state.context)
        if attested is None:
            continue
        backed = attested_to_backed(attested, state.context.groups[attested.group_id])
        if backed is not None:
            out.append(backed)
    return state, (ReplyBackedCandidates(event.request_id, tuple(out)),)


def _conclude(state: BackingJobState, event: Conclude) -> tuple[BackingJobState, Effects]:
    # Votes still held never met their Seconded at this relay parent: they expire, counted.
    expired = tuple(EarlyVoteDropped(s, EARLY_VOTE_EXPIRED) for s in state.early_votes)
    return (
        _evolve_state(state, concluded=True, early_votes=pvector(), early_per_validator=pmap()),
        expired,
    )


_HANDLERS: dict[type, Callable[[BackingJobState, Any], tuple[BackingJobState, Effects]]] = {
    Second: _second,
    ReceiveStatement: _receive,
    StatementSigned: _signed,
    GetBackedCandidates: _get_backed,
    CandidateValid: _valid,
    CandidateInvalid: _invalid,
    ValidationFailed: _failed,
    PoVFetched: _pov_fetched,
    PoVUnavailable: _pov_unavailable,
    AvailableDataStored: _stored,
    Conclude: _conclude,
}
