# The Candidate Backing job of one scheduling parent under today's rules (E.4), as a pure
# machine beside the seeds' job (job.py): `step(state, event) -> (state, effects)`, with the
# same table, records and effect style, and the dialogue with prospective parachains as effects
# answered by events. async_backable.py answers the provisioner from the jobs' tables.
#
# Sources: polkadot-sdk@320318ab polkadot/node/core/backing/src/lib.rs (`handle_second_message`,
# `handle_validated_candidate_command`, `seconding_sanity_check`, `maybe_validate_and_import`,
# `import_statement`, `core_index_from_statement`, `post_import_statement_actions`,
# `kick_off_validation_work`); PR #10472, #11290 and #11463 for the version gate.
#
# Rules of this module:
# - Cores, groups and the quorum come from async_setup.py: a statement's core is its sender's
#   group's core; the table's group id is that core; a candidate is backed with
#   `min(group size, minimum_backing_votes)` Seconded/Valid votes; a validator may second
#   several candidates (no MultipleCandidates).
# - Before the table, each with a `StatementDropped` naming why, the state unchanged: a
#   statement from a disabled validator, an Invalid (today's protocol has only Seconded and
#   Valid), a Valid from a validator in no group, a Seconded without validation data, of another
#   scheduling parent, of a descriptor version not accepted, or whose para its sender's core
#   does not claim (CoreIndexUnavailable). The node introduces a fresh candidate to prospective
#   parachains before it looks for the core; here the core comes first, so prospective
#   parachains never hears of a candidate the table would refuse.
# - A fresh Seconded (from the network or our own) waits for `SecondedCandidateIntroduced`;
#   statements naming the same candidate queue behind it. Accepted: all go to the table in
#   arrival order; refused: each is dropped (ours: the collator is reported).
# - Seconding (E.4.2): validate, store, `CheckHypotheticalMembership`, then sign and introduce;
#   a disabled or observing validator neither seconds nor validates.
# - A backed candidate is announced once: `CandidateBackedToProspective`, then
#   `CandidateBackedToDistribution`; our own statements are shared before that.
# - An invalid candidate gets no statement (today's protocol has no Invalid): seconding it
#   reports the collator, attesting it marks it issued so it is never validated again.
# - Early Valid votes wait for their Seconded as in job.py, with the same bounds and effects.
# - A rejected or irrelevant event returns the very same state object; after `Conclude` every
#   event is ignored. Effects come out in a fixed order, never in hash-map order.
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pyrsistent import PMap, PSet, PVector, pmap, pset, pvector

from ..errors import BackableError
from ..evolve import evolver
from ..prospective.view import HypotheticalComplete
from ..records.bitvec import BitVec
from ..records.candidate import (
    CandidateCommitments,
    CandidateReceipt,
    CommittedCandidateReceipt,
    PersistedValidationData,
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
from ..today.descriptor import check_version_acceptance, scheduling_parent
from ..today.node_features import NodeFeature, node_feature_enabled
from .async_events import (
    AsyncBackingEffect,
    AsyncBackingEvent,
    CandidateBackedToDistribution,
    CandidateBackedToProspective,
    CheckHypotheticalMembership,
    HypotheticalMembershipAnswered,
    IntroduceSecondedCandidate,
    SecondedCandidateIntroduced,
    SecondedToCollatorProtocol,
    StatementDropped,
    StatementDropReason,
)
from .async_setup import AsyncBackingSetup
from .events import (
    EARLY_VOTE_EXPIRED,
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
from .job import (
    EARLY_VOTE_LIMIT,
    EARLY_VOTES_PER_VALIDATOR,
    hold_early_vote,
    release_early_votes,
)
from .table import Summary, Table, attested_candidate, import_statement

__all__ = [
    "AsyncBackingJobError",
    "AsyncBackingJobState",
    "new_async_backing_job",
    "step",
]

Effects = tuple[AsyncBackingEffect, ...]

_DROP = StatementDropReason


class AsyncBackingJobError(BackableError, ValueError):
    """The shell fed the job something it never asked for, or built it from bad arguments."""


class _Stage(Enum):
    FETCHING = "fetching"  # waiting for a PoV
    VALIDATING = "validating"  # waiting for candidate validation
    STORING = "storing"  # waiting for the availability store's acknowledgement
    CHECKING = "checking"  # seconding: waiting for the hypothetical-membership answer
    SIGNING = "signing"  # seconding: waiting for our signature on the Seconded


@dataclass(frozen=True, slots=True)
class _Task:
    candidate: CandidateReceipt
    seconding: bool  # we validate it to second it (else to attest it)
    stage: _Stage
    validation_data: PersistedValidationData
    pov: PoV | None = None
    commitments: CandidateCommitments | None = None


@dataclass(frozen=True, slots=True)
class _Fallback:
    # The node's `AttestingData`: whom to fetch the PoV from, and who else vouched for it.
    candidate: CandidateReceipt
    pov_hash: bytes
    from_validator: int
    backing: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class _Introduction:
    # A fresh candidate offered to prospective parachains: its validation data, and the
    # statements naming it that wait for the answer, each with whether it is our own.
    validation_data: PersistedValidationData
    waiting: tuple[tuple[SignedStatement, bool], ...]


@dataclass(frozen=True)  # no slots: `evolve` copies its __dict__ in one step (core/evolve.py)
class AsyncBackingJobState:
    """One scheduling parent's backing job under today's rules (the node's
    `PerRelayParentState`). Build it with `new_async_backing_job`.

    Beside the seeds' job's fields: `setup` (cores, groups, the table's context), `disabled`
    (the parent's disabled validators), `assigned_core` (our group's core, if the claim queue
    names it), `v3_accepted`; `known` holds the validation data of every candidate prospective
    parachains took (the node's `per_candidate`), `introducing` the fresh candidates awaiting
    its answer, and `seconded` the candidates we seconded."""

    signing_context: SigningContext
    validators: tuple[bytes, ...]
    setup: AsyncBackingSetup
    disabled: frozenset[int] = frozenset()
    validator_index: int | None = None
    assigned_core: int | None = None
    v3_accepted: bool = False
    table: Table = field(default_factory=Table)
    known: PMap[bytes, PersistedValidationData] = field(default_factory=pmap)
    introducing: PMap[bytes, _Introduction] = field(default_factory=pmap)
    issued: PSet[bytes] = field(default_factory=pset)
    seconded: PSet[bytes] = field(default_factory=pset)
    work: PMap[bytes, _Task] = field(default_factory=pmap)
    fallbacks: PMap[bytes, _Fallback] = field(default_factory=pmap)
    backed: PSet[bytes] = field(default_factory=pset)
    reported: int = 0  # misbehaviours of the table already reported
    signing: PSet[AnyStatement] = field(default_factory=pset)
    concluded: bool = False
    early_votes: PVector[SignedStatement] = field(default_factory=pvector)
    early_per_validator: PMap[int, int] = field(default_factory=pmap)
    early_vote_limit: int = EARLY_VOTE_LIMIT
    early_votes_per_validator: int = EARLY_VOTES_PER_VALIDATOR

    @property
    def scheduling_parent(self) -> bytes:
        return self.signing_context.parent_hash

    @property
    def active(self) -> bool:
        """Whether we validate and sign here: a validator, and not a disabled one."""
        return self.validator_index is not None and self.validator_index not in self.disabled


_evolve_state = evolver(AsyncBackingJobState)
_evolve_task = evolver(_Task)
_evolve_fallback = evolver(_Fallback)


def new_async_backing_job(
    signing_context: SigningContext,
    validators: Sequence[bytes],
    setup: AsyncBackingSetup,
    validator_index: int | None = None,
    disabled_validators: frozenset[int] = frozenset(),
    node_features: BitVec | None = None,
    *,
    v3_ever_seen: bool = False,
    early_vote_limit: int = EARLY_VOTE_LIMIT,
    early_votes_per_validator: int = EARLY_VOTES_PER_VALIDATOR,
) -> AsyncBackingJobState:
    """A fresh job at the scheduling parent `signing_context.parent_hash` (E.4.1): `setup` from
    `async_backing_setup` with the parent's groups, rotation, claim queue and
    `minimum_backing_votes`; `validator_index` None makes an observer that tallies statements
    but never validates or signs; `disabled_validators` are the parent's
    (`disabled_validators()`). V3 descriptors are accepted when node feature
    `CandidateReceiptV3` is set in `node_features` or the shell's `v3_ever_seen` latch is
    (E.4.1 item 3). The early-vote bounds are job.py's."""
    if validator_index is not None and not 0 <= validator_index < len(validators):
        raise AsyncBackingJobError(
            f"new_async_backing_job: validator_index {validator_index} is outside the"
            f" {len(validators)} validators"
        )
    if not isinstance(setup, AsyncBackingSetup):
        raise AsyncBackingJobError(f"new_async_backing_job: {setup!r} is not an AsyncBackingSetup")
    for name, limit in (
        ("early_vote_limit", early_vote_limit),
        ("early_votes_per_validator", early_votes_per_validator),
    ):
        if type(limit) is not int or limit < 0:
            raise AsyncBackingJobError(
                f"new_async_backing_job: {name} must be an int >= 0, not {limit!r}"
            )
    v3 = v3_ever_seen or (
        node_features is not None
        and node_feature_enabled(node_features, NodeFeature.CANDIDATE_RECEIPT_V3)
    )
    return AsyncBackingJobState(
        signing_context,
        tuple(validators),
        setup,
        frozenset(disabled_validators),
        validator_index,
        setup.assigned_core(validator_index),
        bool(v3),
        early_vote_limit=early_vote_limit,
        early_votes_per_validator=early_votes_per_validator,
    )


def step(
    state: AsyncBackingJobState, event: AsyncBackingEvent
) -> tuple[AsyncBackingJobState, Effects]:
    """Advance the job by one event (E.4.2, E.4.3; the node's `handle_second_message`,
    `handle_statement_message` and `handle_validated_candidate_command`, with prospective
    parachains' answers as events)."""
    if state.concluded:
        return state, ()
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise AsyncBackingJobError(f"step: {event!r} is not an async backing job event")
    return handler(state, event)


# Second -------------------------------------------------------------------------------------


def _second(state: AsyncBackingJobState, event: Second) -> tuple[AsyncBackingJobState, Effects]:
    # E.4.2 step 1-3: the validation data must be the descriptor's, the candidate ours to
    # second (our core claims its para at this scheduling parent), not yet stated or under way;
    # then the version gate, whose refusal reports the collator (PR #11463).
    candidate = event.candidate
    pvd = event.persisted_validation_data
    descriptor = candidate.descriptor
    core = state.assigned_core
    if (
        not state.active
        or core is None
        or pvd is None
        or pvd.hash() != descriptor.persisted_validation_data_hash
        or scheduling_parent(descriptor) != state.scheduling_parent
        or not state.setup.claims(core, descriptor.para_id)
    ):
        return state, ()
    h = candidate.hash()
    if h in state.issued or h in state.work:
        return state, ()
    if check_version_acceptance(descriptor, state.v3_accepted) is not None:
        return state, (ReportInvalidToCandidateSelection(candidate),)
    task = _Task(candidate, True, _Stage.VALIDATING, pvd, event.pov)
    state = _evolve_state(state, work=state.work.set(h, task))
    return state, (ValidateCandidate(candidate, event.pov, pvd),)


# Statements ---------------------------------------------------------------------------------


def _receive(
    state: AsyncBackingJobState, event: ReceiveStatement
) -> tuple[AsyncBackingJobState, Effects]:
    signed = event.statement
    sender = signed.validator_index
    if sender >= len(state.validators):
        return state, ()  # an index outside the validator set is no statement at all
    statement = signed.statement
    reason: StatementDropReason | None
    if sender in state.disabled:
        reason = _DROP.DISABLED_VALIDATOR
    elif type(statement) is Invalid:
        reason = _DROP.INVALID_STATEMENT
    elif type(statement) is Seconded:
        reason = _seconded_problem(state, statement, sender, event.persisted_validation_data)
    elif state.setup.core_of(sender) is None:
        reason = _DROP.CORE_INDEX_UNAVAILABLE
    elif state.table.candidate(statement.candidate_hash) is None:
        return _hold(state, signed)
    else:
        return _import(state, signed, own=False)
    if reason is not None:
        return state, (StatementDropped(signed, reason),)
    assert type(statement) is Seconded, "only a Seconded gets this far without a verdict"
    pvd = event.persisted_validation_data
    assert pvd is not None, "a Seconded without validation data was dropped"
    return _admit(state, signed, statement.candidate, pvd, own=False)


def _seconded_problem(
    state: AsyncBackingJobState,
    statement: Seconded,
    sender: int,
    pvd: PersistedValidationData | None,
) -> StatementDropReason | None:
    # E.4.3 steps 2 and 4: the candidate's validation data travels with it; it belongs to this
    # scheduling parent; its descriptor version is accepted (PR #11290: re-checked at import);
    # its para is in the claim queue of its sender's core (`core_index_from_statement`).
    descriptor = statement.candidate.descriptor
    if pvd is None:
        return _DROP.MISSING_VALIDATION_DATA
    if scheduling_parent(descriptor) != state.scheduling_parent:
        return _DROP.WRONG_SCHEDULING_PARENT
    if check_version_acceptance(descriptor, state.v3_accepted) is not None:
        return _DROP.VERSION_REJECTED
    core = state.setup.core_of(sender)
    if core is None or not state.setup.claims(core, descriptor.para_id):
        return _DROP.CORE_INDEX_UNAVAILABLE
    return None


def _admit(
    state: AsyncBackingJobState,
    signed: SignedStatement,
    candidate: CommittedCandidateReceipt,
    pvd: PersistedValidationData,
    own: bool,
) -> tuple[AsyncBackingJobState, Effects]:
    # A Seconded whose candidate prospective parachains already took goes to the table; one
    # naming a candidate under introduction queues behind it; a fresh one is introduced.
    h = signed.candidate_hash
    if h in state.known:
        return _import(state, signed, own)
    entry = (signed, own)
    pending = state.introducing.get(h)
    if pending is not None:
        if entry in pending.waiting:
            return state, ()  # the very statement again, already waiting
        queued = _Introduction(pending.validation_data, (*pending.waiting, entry))
        return _evolve_state(state, introducing=state.introducing.set(h, queued)), ()
    state = _evolve_state(state, introducing=state.introducing.set(h, _Introduction(pvd, (entry,))))
    return state, (IntroduceSecondedCandidate(candidate.descriptor.para_id, candidate, pvd),)


def _introduced(
    state: AsyncBackingJobState, event: SecondedCandidateIntroduced
) -> tuple[AsyncBackingJobState, Effects]:
    h = event.candidate_hash
    pending = state.introducing.get(h)
    if pending is None:
        return state, ()
    state = _evolve_state(state, introducing=state.introducing.remove(h))
    effects: list[AsyncBackingEffect] = []
    if event.accepted:
        state = _evolve_state(state, known=state.known.set(h, pending.validation_data))
        for signed, own in pending.waiting:
            state, more = _import(state, signed, own)
            effects.extend(more)
        return state, tuple(effects)
    for signed, own in pending.waiting:
        if own:
            # The node reports the collator (`CollatorProtocolMessage::Invalid`); our Seconded
            # is neither imported nor shared, and the candidate stays issued.
            seconded = signed.statement
            assert type(seconded) is Seconded, "only Seconded statements are introduced"
            effects.append(ReportInvalidToCandidateSelection(seconded.candidate.to_plain()))
        else:
            effects.append(StatementDropped(signed, _DROP.REJECTED_BY_PROSPECTIVE_PARACHAINS))
    return state, tuple(effects)


def _signed(
    state: AsyncBackingJobState, event: StatementSigned
) -> tuple[AsyncBackingJobState, Effects]:
    signed = event.statement
    if signed.statement not in state.signing or signed.validator_index != state.validator_index:
        raise AsyncBackingJobError(
            f"StatementSigned: {signed!r} was not requested by this job (our index"
            f" {state.validator_index}, awaiting {len(state.signing)} signatures)"
        )
    state = _evolve_state(state, signing=state.signing.remove(signed.statement))
    statement = signed.statement
    if type(statement) is not Seconded:
        return _import(state, signed, own=True)
    h = statement.candidate_hash
    task = state.work[h]
    assert task.stage is _Stage.SIGNING, "we ask to sign a Seconded only after its checks"
    state = _evolve_state(state, work=state.work.remove(h))
    return _admit(state, signed, statement.candidate, task.validation_data, own=True)


def _import(
    state: AsyncBackingJobState, signed: SignedStatement, own: bool
) -> tuple[AsyncBackingJobState, Effects]:
    # Into the table with its sender's core as the group of what it seconds (the context's
    # seconder groups), then the node's `post_import_statement_actions`.
    sender = signed.validator_index
    statement = signed.statement
    h = statement.candidate_hash
    table, summary = import_statement(state.table, state.setup.context, signed)
    if table is state.table and summary is None and not own:
        return state, ()  # an exact duplicate, or an offence already recorded
    if table.excess_count > state.table.excess_count:
        return _evolve_state(state, table=table), (MisbehaviorOverCap(sender),)
    release = (
        bool(state.early_votes)
        and type(statement) is Seconded
        and state.table.candidate(h) is None
        and table.candidate(h) is not None
    )
    effects: list[AsyncBackingEffect] = []
    state = _evolve_state(state, table=table)
    if own:
        effects.append(ShareStatement(signed))  # `Share` always goes before `Backed`
    state = _report(state, summary, effects)
    if own and type(statement) is Seconded:
        state = _evolve_state(state, seconded=state.seconded.add(h))
        effects.append(SecondedToCollatorProtocol(signed))
    elif (
        not own and summary is not None and state.active and summary.group_id == state.assigned_core
    ):
        state = _maybe_validate(state, statement, sender, effects)
    if release:
        state = _release(state, h, effects)
    return state, tuple(effects)


def _report(
    state: AsyncBackingJobState, summary: Summary | None, effects: list[AsyncBackingEffect]
) -> AsyncBackingJobState:
    # E.4.3 step 5: a candidate reaching its quorum is announced once; then each new
    # misbehaviour is reported once.
    table = state.table
    if summary is not None and summary.candidate_hash not in state.backed:
        attested = attested_candidate(table, summary.candidate_hash, state.setup.context)
        if attested is not None:
            para = attested.candidate.descriptor.para_id
            effects.append(CandidateBackedToProspective(para, summary.candidate_hash))
            effects.append(CandidateBackedToDistribution(summary.candidate_hash))
            state = _evolve_state(state, backed=state.backed.add(summary.candidate_hash))
    if table.misbehavior_count > state.reported:
        effects.extend(ReportMisbehavior(v, m) for v, m in table.misbehaviors_since(state.reported))
        state = _evolve_state(state, reported=table.misbehavior_count)
    return state


def _hold(
    state: AsyncBackingJobState, signed: SignedStatement
) -> tuple[AsyncBackingJobState, Effects]:
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
    state: AsyncBackingJobState, candidate_hash: bytes, effects: list[AsyncBackingEffect]
) -> AsyncBackingJobState:
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


def _maybe_validate(
    state: AsyncBackingJobState,
    statement: AnyStatement,
    sender: int,
    effects: list[AsyncBackingEffect],
) -> AsyncBackingJobState:
    # The node's `maybe_validate_and_import`, as job.py reads it: a Seconded on our core starts
    # validation with the PoV from its sender; a later vouch (Valid, or another Seconded) joins
    # the retry list while validation runs, or restarts it from that voucher.
    h = statement.candidate_hash
    fallback = state.fallbacks.get(h)
    if fallback is None:
        if type(statement) is not Seconded:
            return state
        committed = state.table.candidate(h)
        assert committed is not None, "a Seconded that gave a summary is in the table"
        fallback = _Fallback(committed.to_plain(), committed.descriptor.pov_hash, sender)
    elif sender == state.validator_index:
        return state
    elif h in state.work:
        fallback = _evolve_fallback(fallback, backing=(*fallback.backing, sender))
        return _evolve_state(state, fallbacks=state.fallbacks.set(h, fallback))
    else:
        fallback = _evolve_fallback(fallback, from_validator=sender)
    state = _evolve_state(state, fallbacks=state.fallbacks.set(h, fallback))
    return _kick_off(state, fallback, effects)


def _kick_off(
    state: AsyncBackingJobState, fallback: _Fallback, effects: list[AsyncBackingEffect]
) -> AsyncBackingJobState:
    candidate = fallback.candidate
    h = candidate.hash()
    if h in state.issued or h in state.work:
        return state
    pvd = state.known[h]
    effects.append(FetchPoV(fallback.from_validator, h, fallback.pov_hash))
    task = _Task(candidate, False, _Stage.FETCHING, pvd)
    return _evolve_state(state, work=state.work.set(h, task))


# Background results -------------------------------------------------------------------------


def _pov_fetched(
    state: AsyncBackingJobState, event: PoVFetched
) -> tuple[AsyncBackingJobState, Effects]:
    h = event.candidate_hash
    task = state.work.get(h)
    if task is None or task.stage is not _Stage.FETCHING:
        return state, ()
    task = _evolve_task(task, stage=_Stage.VALIDATING, pov=event.pov)
    return (
        _evolve_state(state, work=state.work.set(h, task)),
        (ValidateCandidate(task.candidate, event.pov, task.validation_data),),
    )


def _pov_unavailable(
    state: AsyncBackingJobState, event: PoVUnavailable
) -> tuple[AsyncBackingJobState, Effects]:
    # `AttestNoPoV`: try the next validator that vouched for it; with none left, wait for a
    # later Valid statement.
    h = event.candidate_hash
    task = state.work.get(h)
    if task is None or task.stage is not _Stage.FETCHING:
        return state, ()
    state = _evolve_state(state, work=state.work.remove(h))
    fallback = state.fallbacks.get(h)
    if fallback is None or not fallback.backing:
        return state, ()
    fallback = _evolve_fallback(
        fallback, from_validator=fallback.backing[0], backing=fallback.backing[1:]
    )
    state = _evolve_state(state, fallbacks=state.fallbacks.set(h, fallback))
    effects: list[AsyncBackingEffect] = []
    state = _kick_off(state, fallback, effects)
    return state, tuple(effects)


def _valid(
    state: AsyncBackingJobState, event: CandidateValid
) -> tuple[AsyncBackingJobState, Effects]:
    h = event.candidate_hash
    task = state.work.get(h)
    if task is None or task.stage is not _Stage.VALIDATING:
        return state, ()
    if event.commitments.hash() != task.candidate.commitments_hash:
        return _invalid(state, CandidateInvalid(h, "commitments hash mismatch"))
    pov = task.pov
    assert pov is not None, "a candidate under validation has its PoV"
    assert state.validator_index is not None, "observers never validate"
    task = _evolve_task(task, stage=_Stage.STORING, commitments=event.commitments)
    store = StoreAvailableData(
        h,
        state.validator_index,
        len(state.validators),
        pov,
        task.validation_data,
        task.candidate.descriptor.erasure_root,
    )
    return _evolve_state(state, work=state.work.set(h, task)), (store,)


def _stored(
    state: AsyncBackingJobState, event: AvailableDataStored
) -> tuple[AsyncBackingJobState, Effects]:
    # Attesting: sign Valid. Seconding: first ask whether the candidate could join a fragment
    # chain (`seconding_sanity_check`).
    h = event.candidate_hash
    task = state.work.get(h)
    if task is None or task.stage is not _Stage.STORING:
        return state, ()
    # A candidate under work has no statement of ours yet: we sign only when its work ends.
    assert h not in state.issued, "a candidate under work was never stated on"
    if task.seconding:
        assert task.commitments is not None, "a stored candidate has its commitments"
        committed = CommittedCandidateReceipt(task.candidate.descriptor, task.commitments)
        task = _evolve_task(task, stage=_Stage.CHECKING)
        check = CheckHypotheticalMembership(HypotheticalComplete(committed, task.validation_data))
        return _evolve_state(state, work=state.work.set(h, task)), (check,)
    state = _evolve_state(state, work=state.work.remove(h), fallbacks=state.fallbacks.discard(h))
    return _sign(state, h, Valid(h))


def _membership(
    state: AsyncBackingJobState, event: HypotheticalMembershipAnswered
) -> tuple[AsyncBackingJobState, Effects]:
    # No leaf would take it: the node drops the seconding silently. Otherwise sign Seconded.
    h = event.candidate_hash
    task = state.work.get(h)
    if task is None or task.stage is not _Stage.CHECKING:
        return state, ()
    if not event.leaves:
        return _evolve_state(state, work=state.work.remove(h)), ()
    assert task.commitments is not None, "a checked candidate has its commitments"
    committed = CommittedCandidateReceipt(task.candidate.descriptor, task.commitments)
    state = _evolve_state(state, work=state.work.set(h, _evolve_task(task, stage=_Stage.SIGNING)))
    return _sign(state, h, Seconded(committed))


def _invalid(
    state: AsyncBackingJobState, event: CandidateInvalid
) -> tuple[AsyncBackingJobState, Effects]:
    # Also while storing: data that misses the erasure root is an invalid candidate. No
    # statement either way: a candidate we were asked to second reports its collator, one we
    # attested is marked issued, as the node marks it, so it is never validated again.
    h = event.candidate_hash
    task = state.work.get(h)
    if task is None or task.stage not in (_Stage.VALIDATING, _Stage.STORING):
        return state, ()
    state = _evolve_state(state, work=state.work.remove(h), fallbacks=state.fallbacks.discard(h))
    if task.seconding:
        return state, (ReportInvalidToCandidateSelection(task.candidate),)
    return _evolve_state(state, issued=state.issued.add(h)), ()


def _failed(
    state: AsyncBackingJobState, event: ValidationFailed
) -> tuple[AsyncBackingJobState, Effects]:
    # Validation could not run: no verdict, no statement; the fallback stays, so a later Valid
    # restarts the attempt.
    h = event.candidate_hash
    task = state.work.get(h)
    if task is None or task.stage not in (_Stage.VALIDATING, _Stage.STORING):
        return state, ()
    return _evolve_state(state, work=state.work.remove(h)), ()


def _sign(
    state: AsyncBackingJobState, h: bytes, statement: AnyStatement
) -> tuple[AsyncBackingJobState, Effects]:
    state = _evolve_state(state, issued=state.issued.add(h), signing=state.signing.add(statement))
    return state, (SignStatement(statement),)


def _conclude(state: AsyncBackingJobState, event: Conclude) -> tuple[AsyncBackingJobState, Effects]:
    # Votes still held never met their Seconded at this parent: they expire, counted.
    expired = tuple(EarlyVoteDropped(s, EARLY_VOTE_EXPIRED) for s in state.early_votes)
    return (
        _evolve_state(state, concluded=True, early_votes=pvector(), early_per_validator=pmap()),
        expired,
    )


_HANDLERS: dict[
    type, Callable[[AsyncBackingJobState, Any], tuple[AsyncBackingJobState, Effects]]
] = {
    Second: _second,
    ReceiveStatement: _receive,
    StatementSigned: _signed,
    CandidateValid: _valid,
    CandidateInvalid: _invalid,
    ValidationFailed: _failed,
    PoVFetched: _pov_fetched,
    PoVUnavailable: _pov_unavailable,
    AvailableDataStored: _stored,
    SecondedCandidateIntroduced: _introduced,
    HypotheticalMembershipAnswered: _membership,
    Conclude: _conclude,
}
