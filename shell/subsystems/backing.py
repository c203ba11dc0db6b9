# The Candidate Backing subsystem (implementers' guide, "Candidate Backing"): one job per
# activated relay parent, driving the pure
# machine of core/backing/job.py. A job fetches validators, groups with rotation, the session index
# and the availability cores, finds our key (or runs as an observer), checks the signature of
# every incoming statement before the table sees it, and performs the machine's effects: candidate
# validation, PoV fetches, the availability store, signing and sharing statements, provisionable
# data to the provisioner, dispute-coordinator imports and reports to candidate selection.
#
# Liveness: every collaborator call runs under a time limit, and every background task ends in a
# defined event for the core, whatever it raises: validation raising or timing out gives
# `ValidationFailed` (no statement); a PoV fetch raising anything counts as that validator not
# serving the PoV; only the availability store's `InvalidErasureRoot` is an invalid verdict, and
# any other store failure is our own internal error, `ValidationFailed`, never an Invalid vote.
from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from backable.core import (
    ActivatedLeaf,
    CandidateDescriptor,
    CandidateInvalid,
    CandidateReceipt,
    Conclude,
    GetBackedCandidates,
    PoV,
    ReceiveBackedCandidate,
    ReceiveMisbehaviourReport,
    ReceiveStatement,
    Second,
    SignedStatement,
    SigningContext,
    statement_signing_payload,
)
from backable.core.backing.events import (
    EARLY_VOTE_EXPIRED,
    AvailableDataStored,
    BackingEvent,
    EarlyVoteDropped,
    EarlyVoteHeld,
    EarlyVoteImported,
    FetchPoV,
    ImportToDisputeCoordinator,
    MisbehaviorOverCap,
    PoVFetched,
    PoVUnavailable,
    ReplyBackedCandidates,
    ReportInvalidToCandidateSelection,
    ReportMisbehavior,
    SendBackedToProvisioner,
    ShareStatement,
    SignStatement,
    StatementSigned,
    StoreAvailableData,
    ValidateCandidate,
    ValidationFailed,
)
from backable.core.backing.groups import backing_setup
from backable.core.backing.job import BackingJobState, new_backing_job, step
from backable.core.records.misbehavior import Misbehavior

from ..collaborators.availability_store import (
    AvailabilityStore,
    AvailableData,
    InvalidErasureRoot,
)
from ..collaborators.dispute_coordinator import DisputeCoordinator
from ..collaborators.keystore import Keystore
from ..collaborators.network import Network, PoVFetchError
from ..collaborators.runtime_api import RuntimeApi, RuntimeApiError
from ..collaborators.validation import CandidateValidation, ValidationCouldNotRun
from ..overseer.bus import SubsystemContext, SubsystemNotRunning
from ..overseer.eager import start_eagerly
from ..overseer.jobs import (
    CONCLUDED,
    DEFAULT_CALL_TIMEOUT,
    JOB_INBOX_CAPACITY,
    NO_JOB,
    CallFailed,
    CallTimedOut,
    JobInbox,
    JobSubsystem,
    call_with_limit,
    job_logger,
)
from ..overseer.messages import CANDIDATE_BACKING, PROVISIONER, BackingError, ToJob

__all__ = ["CandidateBackingSubsystem"]

InvalidReportHook = Callable[[bytes, CandidateReceipt], None]

# How many entries each observer view (`rejections`, `misbehaviour_found`, `invalid_reports`)
# keeps, oldest dropped first; the totals stay in counters (`rejected_by_reason`, `stats()`).
OBSERVER_HISTORY = 10_000
# How many PoVs offered without a relay parent (`offer_pov`) are kept, oldest dropped first.
OFFERED_POVS = 1024


class CandidateBackingSubsystem(JobSubsystem):
    """Runs candidate-backing jobs; see the module header for what a job does. It takes
    `ToJob(relay_parent, event)` with `Second`, `ReceiveStatement` or `GetBackedCandidates`, whose
    `request_id` is the `asyncio.Future` that receives the backable candidates (an empty tuple
    when no job exists for the relay parent or the subsystem concluded; a `BackingError` naming
    the reason when its job's inbox is full, its leaf is deactivated or the job crashed).

    Time limits (seconds, None: no limit): `validation_timeout` for a validation,
    `pov_fetch_timeout` for one PoV fetch, `call_timeout` for every other collaborator call
    (runtime API, availability store, dispute coordinator, sending to the provisioner, sharing a
    statement). What is kept for a relay parent (its job state, the PoVs of its candidates) is
    released when its leaf is deactivated; the observer views keep the latest
    `observer_history` entries."""

    name = CANDIDATE_BACKING
    accepts: ClassVar[tuple[type, ...]] = (Second, ReceiveStatement, GetBackedCandidates)

    def __init__(
        self,
        runtime: RuntimeApi,
        keystore: Keystore,
        validation: CandidateValidation,
        store: AvailabilityStore,
        network: Network,
        disputes: DisputeCoordinator | None = None,
        *,
        minimum_backing_votes: int | None = None,
        allow_multiple_seconded: bool = False,
        validation_timeout: float | None = 5.0,
        pov_fetch_timeout: float | None = 2.0,
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT,
        conclude_grace: float = 1.0,
        on_invalid: InvalidReportHook | None = None,
        observer_history: int = OBSERVER_HISTORY,
        job_inbox_capacity: int = JOB_INBOX_CAPACITY,
    ) -> None:
        super().__init__(conclude_grace, call_timeout, job_inbox_capacity)
        self.runtime = runtime
        self.keystore = keystore
        self.validation = validation
        self.store = store
        self.network = network
        self.disputes = disputes
        self.minimum_backing_votes = minimum_backing_votes
        self.allow_multiple_seconded = allow_multiple_seconded
        self.validation_timeout = validation_timeout
        self.pov_fetch_timeout = pov_fetch_timeout
        self.on_invalid = on_invalid
        self.counters: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        # Bounded observer views (see the class docstring); totals in counters.
        self.rejected_statements: deque[tuple[bytes, str, SignedStatement]] = deque(
            maxlen=observer_history
        )
        self.invalid_reports: deque[tuple[bytes, CandidateReceipt]] = deque(maxlen=observer_history)
        self.misbehavior_reports: deque[tuple[bytes, int, Misbehavior]] = deque(
            maxlen=observer_history
        )
        # What our node has seconded or validated, so peers can fetch the PoV from us, and the
        # candidates of each relay parent, whose PoVs go when its leaf is deactivated.
        self.povs: dict[bytes, Any] = {}
        self.povs_at: dict[bytes, set[bytes]] = {}
        self.offered: deque[bytes] = deque()
        self.job_states: dict[bytes, BackingJobState] = {}

    def stats(self) -> dict[str, Any]:
        """Counters, statements rejected by reason and dropped messages by reason."""
        return {
            "counters": dict(self.counters + self.jobs.counters),
            "rejected_statements": dict(self.rejected),
            "dropped": dict(self.jobs.dropped),
            "live_jobs": len(self.jobs.jobs),
            "misbehavior_reports": self.counters["misbehavior reports"],
            "candidates_backed": self.counters["candidates backed"],
        }

    def pov_source(self, candidate_hash: bytes) -> Any:
        """The PoV of a candidate this node holds (served to peers' fetches)."""
        return self.povs.get(candidate_hash)

    def admit(self, event: object) -> str | None:
        if isinstance(event, GetBackedCandidates) and not isinstance(
            event.request_id, asyncio.Future
        ):
            return "request id is not a future"
        return None

    def request_of(self, event: object) -> asyncio.Future[Any] | None:
        if isinstance(event, GetBackedCandidates) and isinstance(event.request_id, asyncio.Future):
            return event.request_id
        return None

    def refuse(self, message: ToJob, reason: str) -> None:
        event = message.event
        if not isinstance(event, GetBackedCandidates):
            return
        if reason in (NO_JOB, CONCLUDED):
            _answer(event.request_id, ())
        elif isinstance(event.request_id, asyncio.Future) and not event.request_id.done():
            event.request_id.set_exception(
                BackingError(
                    f"{reason}: GetBackedCandidates at relay parent"
                    f" 0x{message.relay_parent.hex()} not served"
                )
            )

    def forget(self, relay_parent: bytes) -> None:
        """Release the job state and the PoVs of the candidates at `relay_parent`."""
        self.job_states.pop(relay_parent, None)
        for candidate_hash in self.povs_at.pop(relay_parent, ()):
            self.povs.pop(candidate_hash, None)

    def keep_pov(self, relay_parent: bytes, candidate_hash: bytes, pov: Any) -> None:
        """Serve `pov` to peers until the leaf of `relay_parent` is deactivated."""
        self.povs[candidate_hash] = pov
        self.povs_at.setdefault(relay_parent, set()).add(candidate_hash)

    async def run_job(self, leaf: ActivatedLeaf, ctx: SubsystemContext, inbox: JobInbox) -> None:
        await _BackingJob(self, leaf, ctx, inbox).run()

    # -- read-only views for observers (the simulation) --

    def job_state(self, relay_parent: bytes) -> BackingJobState | None:
        """The job machine's latest state at `relay_parent` (immutable), None without a job."""
        return self.job_states.get(relay_parent)

    @property
    def rejected_by_reason(self) -> Mapping[str, int]:
        """Statements rejected, counted by reason: a live read-only view."""
        return MappingProxyType(self.rejected)

    @property
    def rejections(self) -> tuple[tuple[bytes, str, SignedStatement], ...]:
        """Every statement rejected, as (relay parent, reason, statement), oldest first."""
        return tuple(self.rejected_statements)

    @property
    def misbehaviour_found(self) -> tuple[tuple[bytes, int, Misbehavior], ...]:
        """Misbehaviour the jobs' tables reported, as (relay parent, validator, evidence),
        oldest first."""
        return tuple(self.misbehavior_reports)

    def offer_pov(self, candidate_hash: bytes, pov: PoV) -> None:
        """Serve `pov` to peers fetching `candidate_hash`, as if this node had validated it
        (how the simulation's equivocating adversary backs candidates nobody gave it). The
        latest `OFFERED_POVS` offers are kept."""
        self.povs[candidate_hash] = pov
        self.offered.append(candidate_hash)
        if len(self.offered) > OFFERED_POVS:
            self.povs.pop(self.offered.popleft(), None)


def _answer(future: Any, candidates: tuple[Any, ...]) -> None:
    # A GetBackedCandidates' request id is its reply future (checked on admission).
    if isinstance(future, asyncio.Future) and not future.done():
        future.set_result(candidates)


class _BackingJob:
    """The imperative half of one backing job."""

    def __init__(
        self,
        sub: CandidateBackingSubsystem,
        leaf: ActivatedLeaf,
        ctx: SubsystemContext,
        inbox: JobInbox,
    ) -> None:
        self.sub = sub
        self.rp = leaf.hash
        self.ctx = ctx
        self.inbox = inbox
        self.log = job_logger("backable.candidate-backing", leaf.hash)
        self.tasks: set[asyncio.Task[None]] = set()
        self.descriptors: dict[bytes, CandidateDescriptor] = {}
        self.public: bytes | None = None
        self.index: int | None = None

    async def _fetch(self) -> BackingJobState | None:
        # Reference C.1: validators, groups with rotation, the session index and the cores, in
        # that order (one after another: the in-memory runtime answers at once, and a task per
        # query cost more than the queries for hundreds of nodes in one process).
        sub, rp = self.sub, self.rp
        try:
            validators = await sub.call("validators", sub.runtime.validators(rp))
            groups, rotation = await sub.call("validator_groups", sub.runtime.validator_groups(rp))
            session = await sub.call(
                "session_index_for_child", sub.runtime.session_index_for_child(rp)
            )
            cores = await sub.call("availability_cores", sub.runtime.availability_cores(rp))
        except CallFailed as failure:
            # The runtime's own error or a timeout: no data, a quiet end. Anything else is a bug
            # in a collaborator: the job crashes, counted (and its requests answered).
            if not isinstance(failure.__cause__, (RuntimeApiError, CallTimedOut)):
                raise
            # A runtime error ends the job quietly (a warning, not a failure).
            self.log.warning("runtime API failed, no backing job: %s", failure)
            sub.counters["jobs without runtime data"] += 1
            return None
        self.context = SigningContext(session, rp)
        found = sub.keystore.find_validator(validators)
        if found is not None:
            self.index, self.public = found
        # Shared by every job at this relay parent (a pure function, cached in the core).
        setup = backing_setup(
            cores, groups, rotation, sub.minimum_backing_votes, sub.allow_multiple_seconded
        )
        assignment = setup.assignment_of(self.index)
        return new_backing_job(
            self.context,
            validators,
            setup.context,
            self.index,
            None if assignment is None else assignment.para_id,
            None if assignment is None else assignment.required_collator,
        )

    async def run(self) -> None:
        state = await self._fetch()
        if state is None:
            return
        self.validators = state.validators
        try:
            while True:
                item = await self.inbox.recv()
                if isinstance(item, Conclude):
                    return  # concluded in `finally`, as when the job is cancelled
                event = self._event_for(item)
                pending: list[BackingEvent] = [] if event is None else [event]
                while pending:
                    state, effects = step(state, pending.pop(0))
                    pending.extend(await self._execute(effects))
                self.sub.job_states[self.rp] = state
        finally:
            # Requests still unanswered are answered by the job manager as the job ends.
            # Early votes still held never met their Seconded: the job's Conclude reports each.
            state, expired = step(state, Conclude())
            self._count_early_votes(expired)
            for task in self.tasks:
                task.cancel()

    def _count_early_votes(self, effects: tuple[Any, ...]) -> None:
        # A statement is counted as imported when its signature passes (`_check`); one the job
        # holds for its Seconded, or refuses to hold, is counted as held or dropped instead, and
        # as imported when the Seconded releases it into the table.
        counters = self.sub.counters
        for effect in effects:
            if isinstance(effect, EarlyVoteHeld):
                counters["statements imported"] -= 1
                counters["early votes held"] += 1
            elif isinstance(effect, EarlyVoteImported):
                counters["statements imported"] += 1
                counters["early votes imported"] += 1
            elif isinstance(effect, EarlyVoteDropped):
                if effect.reason != EARLY_VOTE_EXPIRED:
                    counters["statements imported"] -= 1
                self.sub.jobs.drop(effect.reason, effect.statement)
            elif isinstance(effect, MisbehaviorOverCap):
                counters["misbehaviour beyond the evidence cap"] += 1

    def _event_for(self, item: BackingEvent) -> BackingEvent | None:
        # The inbox holds the events the subsystem admitted and those of the job's own background
        # work; only a statement from the network needs a check first.
        if isinstance(item, ReceiveStatement):
            return self._check(item)
        if isinstance(item, Second):
            self.descriptors[item.candidate.hash()] = item.candidate.descriptor
        return item

    def _check(self, item: ReceiveStatement) -> BackingEvent | None:
        signed = item.statement
        index = signed.validator_index
        if index >= len(self.validators):
            self._reject("validator index out of range", signed)
            return None
        payload = statement_signing_payload(signed.statement, self.context)
        if not self.sub.keystore.verify(payload, signed.signature, self.validators[index]):
            self._reject("bad signature", signed)
            return None
        self.sub.counters["statements imported"] += 1
        return item

    def _reject(self, reason: str, signed: Any) -> None:
        self.sub.rejected[reason] += 1
        self.sub.rejected_statements.append((self.rp, reason, signed))
        self.log.info(
            "rejected statement from validator %d: %s",
            signed.validator_index,
            reason,
            extra={"candidate_hash": signed.candidate_hash.hex()[:16]},
        )

    def _spawn(
        self,
        coro: Coroutine[Any, Any, BackingEvent | None],
        what: str,
        fallback: BackingEvent,
        limit: float | None,
    ) -> None:
        # Background work whose result the core waits for: whatever the work raises, the core
        # gets an event (`fallback`), so no candidate is left waiting. The result goes to the
        # control lane, where it never competes with peer traffic for room.
        async def runner() -> None:
            try:
                event: BackingEvent | None = await coro
            except Exception:
                self.sub.counters[f"{what} crashed"] += 1
                self.log.exception("%s crashed", what)
                event = fallback
            try:
                if event is not None:
                    self.inbox.control(event)
            finally:
                self.inbox.in_flight -= 1

        self._start(runner(), limit)

    def _start(self, runner: Coroutine[Any, Any, None], limit: float | None) -> None:
        # Counted in flight until it ends. Work under no time limit runs at once, a task only
        # if it has to wait (an in-memory collaborator or an inbox with room answers without
        # waiting). Work under a limit always gets its own task: `asyncio.timeout` arms itself
        # against the task it runs in, which must not be the job's.
        self.inbox.in_flight += 1
        task = start_eagerly(runner) if limit is None else asyncio.create_task(runner)
        if task is not None:
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    def _background(self, coro: Coroutine[Any, Any, None], what: str) -> None:
        async def runner() -> None:
            try:
                await call_with_limit(what, coro, self.sub.call_timeout, self.sub.jobs.counters)
            except CallTimedOut:
                self.sub.counters[f"{what} failed"] += 1
            except SubsystemNotRunning as e:
                self.sub.jobs.drop(f"{what}: receiver not running", e)
            except Exception:
                self.sub.counters[f"{what} failed"] += 1
                self.log.exception("%s failed", what)
            finally:
                self.inbox.in_flight -= 1

        self._start(runner(), self.sub.call_timeout)

    async def _execute(self, effects: tuple[Any, ...]) -> list[BackingEvent]:
        """Perform effects; return events to feed back at once (our own signatures)."""
        follow: list[BackingEvent] = []
        sub = self.sub
        self._count_early_votes(effects)
        for effect in effects:
            if isinstance(effect, ValidateCandidate):
                self.descriptors[effect.candidate.hash()] = effect.candidate.descriptor
                sub.counters["validations started"] += 1
                h = effect.candidate.hash()
                self._spawn(
                    self._validate(effect),
                    "validation",
                    ValidationFailed(h, "validation crashed"),
                    sub.validation_timeout,
                )
            elif isinstance(effect, FetchPoV):
                self._spawn(
                    self._fetch_pov(effect),
                    "pov fetch",
                    PoVUnavailable(effect.candidate_hash),
                    sub.pov_fetch_timeout,
                )
            elif isinstance(effect, StoreAvailableData):
                self._spawn(
                    self._store(effect),
                    "availability store",
                    ValidationFailed(effect.candidate_hash, "availability store crashed"),
                    sub.call_timeout,
                )
            elif isinstance(effect, SignStatement):
                assert self.public is not None and self.index is not None, "observers never sign"
                signed = sub.keystore.sign_statement(
                    self.public, effect.statement, self.context, self.index
                )
                sub.counters["statements signed"] += 1
                follow.append(StatementSigned(signed))
            elif isinstance(effect, ShareStatement):
                assert self.index is not None, "observers never share"
                self._background(
                    sub.network.share_statement(self.index, self.rp, effect.statement), "share"
                )
            elif isinstance(effect, SendBackedToProvisioner):
                sub.counters["candidates backed"] += 1
                self.log.info(
                    "candidate backed (para %d, %d votes)",
                    effect.backed.candidate.descriptor.para_id,
                    len(effect.backed.validity_votes),
                    extra={"candidate_hash": effect.backed.hash().hex()[:16]},
                )
                datum = ToJob(self.rp, ReceiveBackedCandidate(effect.backed))
                self._background(self.ctx.send(PROVISIONER, datum), "send backed candidate")
            elif isinstance(effect, ReportMisbehavior):
                sub.counters["misbehavior reports"] += 1
                sub.misbehavior_reports.append(
                    (self.rp, effect.validator_index, effect.misbehavior)
                )
                datum = ToJob(
                    self.rp, ReceiveMisbehaviourReport(effect.validator_index, effect.misbehavior)
                )
                self._background(self.ctx.send(PROVISIONER, datum), "send misbehavior report")
            elif isinstance(effect, ImportToDisputeCoordinator):
                if sub.disputes is not None:
                    sub.counters["dispute imports"] += 1
                    self._background(
                        sub.disputes.import_statement(
                            effect.candidate_receipt,
                            effect.session_index,
                            self.rp,
                            effect.statement,
                        ),
                        "dispute import",
                    )
            elif isinstance(effect, ReportInvalidToCandidateSelection):
                sub.counters["invalid candidates reported"] += 1
                sub.invalid_reports.append((self.rp, effect.candidate))
                if sub.on_invalid is not None:
                    sub.on_invalid(self.rp, effect.candidate)
            elif isinstance(effect, ReplyBackedCandidates):
                _answer(effect.request_id, effect.candidates)
        return follow

    async def _validate(self, effect: ValidateCandidate) -> BackingEvent:
        # Only a verdict of the validation function is a verdict: its failing to run, timing
        # out or raising is no statement at all (`ValidationFailed`).
        h = effect.candidate.hash()
        try:
            async with asyncio.timeout(self.sub.validation_timeout):
                result = await self.sub.validation.validate(self.rp, effect.candidate, effect.pov)
        except (ValidationCouldNotRun, TimeoutError) as e:
            self.sub.counters["validations failed to run"] += 1
            return ValidationFailed(h, str(e) or type(e).__name__)
        except Exception as e:
            self.sub.counters["validations raised"] += 1
            self.log.warning("validation raised %s: %s", type(e).__name__, e)
            return ValidationFailed(h, f"validation raised {type(e).__name__}: {e}")
        if isinstance(result, CandidateInvalid):
            self.sub.counters["candidates found invalid"] += 1
            return result
        self.sub.keep_pov(self.rp, result.candidate_hash, effect.pov)
        return result

    async def _fetch_pov(self, effect: FetchPoV) -> BackingEvent:
        try:
            async with asyncio.timeout(self.sub.pov_fetch_timeout):
                pov = await self.sub.network.fetch_pov(
                    effect.from_validator, self.rp, effect.candidate_hash, effect.pov_hash
                )
        except (PoVFetchError, TimeoutError) as e:
            self.sub.counters["pov fetches failed"] += 1
            self.log.info("PoV fetch from validator %d failed: %s", effect.from_validator, e)
            return PoVUnavailable(effect.candidate_hash)
        except Exception as e:
            # Not the network's expected failure: still that validator not serving the PoV
            # (the next one is tried), counted apart so the bug is seen.
            self.sub.counters["pov fetches failed unexpectedly"] += 1
            self.log.warning(
                "PoV fetch from validator %d raised %s: %s",
                effect.from_validator,
                type(e).__name__,
                e,
            )
            return PoVUnavailable(effect.candidate_hash)
        return PoVFetched(effect.candidate_hash, pov)

    async def _store(self, effect: StoreAvailableData) -> BackingEvent:
        # Only the erasure-root mismatch is the candidate's fault (an invalid verdict); any other
        # failure of the store, a timeout included, is our own: no statement.
        data = AvailableData(effect.pov, effect.validation_data)
        stored = self.sub.store.store_available_data(
            effect.candidate_hash, effect.n_validators, data, effect.expected_erasure_root
        )
        try:
            await call_with_limit(
                "store_available_data", stored, self.sub.call_timeout, self.sub.jobs.counters
            )
        except InvalidErasureRoot as e:
            self.sub.counters["available data refused"] += 1
            return CandidateInvalid(effect.candidate_hash, str(e))
        except Exception as e:
            self.sub.counters["availability store failed"] += 1
            self.log.warning("availability store failed, %s: %s", type(e).__name__, e)
            return ValidationFailed(
                effect.candidate_hash, f"availability store failed: {type(e).__name__}: {e}"
            )
        self.sub.keep_pov(self.rp, effect.candidate_hash, effect.pov)
        return AvailableDataStored(effect.candidate_hash)


logging.getLogger("backable.candidate-backing").addHandler(logging.NullHandler())
