# The Candidate Backing subsystem under today's rules (the asynchronous protocol, E.4): one job
# per scheduling parent, driving the pure machine of core/backing/async_job.py with the same
# imperative half as the seeds' subsystem (backing.py: validation, PoV fetches, the availability
# store, signing and sharing statements, misbehaviour reports, all under the same limits), plus
# the dialogue with prospective parachains through the overseer (`AskProspective`): a fresh
# Seconded is introduced, a seconding is checked for hypothetical membership, a backed
# candidate is announced.
#
# Jobs live over the implicit view: a job starts when its block is activated as a leaf and ends
# once no active leaf holds it among its `lookahead - 1` ancestors (the leaf and its ancestors
# make the view), so a candidate built on a recent relay parent is still backed after newer
# leaves arrive. The simulation's chain has no forks: a block's place in a view is its number.
# The provisioner asks for backable candidates by reading the jobs' latest states
# (`job_states`) with the core's `get_backable_candidates`; no job ever pushes a candidate.
#
# Sources: polkadot-sdk@320318ab polkadot/node/core/backing/src/lib.rs
# (`handle_active_leaves_update` with the implicit view, `handle_second_message`,
# `handle_validated_candidate_command`, `import_statement`, `handle_get_backable_candidates`).
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ClassVar

from backable.core import (
    ActiveLeavesUpdate,
    AsyncBackingJobState,
    CandidateBackedToProspective,
    CandidateInvalid,
    CandidateValid,
    CheckHypotheticalMembership,
    Conclude,
    HypotheticalMembershipAnswered,
    IntroduceSecondedCandidate,
    PersistedValidationData,
    ReceiveStatement,
    Second,
    SecondedCandidateIntroduced,
    SigningContext,
    StatementDropped,
    async_backing_setup,
    async_backing_step,
    new_async_backing_job,
)
from backable.core.backing.events import BackingEvent, ValidateCandidate, ValidationFailed

from ..collaborators.runtime_api import RuntimeApiError
from ..collaborators.today_runtime import InMemoryTodayChain
from ..collaborators.validation import ValidationCouldNotRun
from ..overseer.jobs import CallFailed, CallTimedOut
from ..overseer.messages import PROSPECTIVE_PARACHAINS, AskProspective
from .backing import CandidateBackingSubsystem, _BackingJob

__all__ = ["AsyncBackingSubsystem", "SCHEDULING_LOOKAHEAD"]

SCHEDULING_LOOKAHEAD = 3  # the scheduler's lookahead: a view is a leaf and 2 ancestors


class AsyncBackingSubsystem(CandidateBackingSubsystem):
    """Today's backing jobs (see the module header). Takes `ToJob(scheduling_parent, event)`
    with `Second` or `ReceiveStatement` (a Seconded carrying its validation data). Keeps, per
    scheduling parent, the PoVs and validation data of the candidates it validated, for peers,
    until the job ends."""

    accepts: ClassVar[tuple[type, ...]] = (Second, ReceiveStatement)

    def __init__(
        self,
        today: InMemoryTodayChain,
        *args: Any,
        lookahead: int = SCHEDULING_LOOKAHEAD,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.lookahead = lookahead
        self.async_states: dict[bytes, AsyncBackingJobState] = {}
        self.pvds: dict[bytes, PersistedValidationData] = {}
        self._numbers: dict[bytes, int] = {}  # every job's block number, by relay parent
        self._leaves: dict[bytes, int] = {}  # the active leaves, by hash

    def released(self, update: ActiveLeavesUpdate) -> tuple[bytes, ...]:
        """The implicit view: the jobs whose block no active leaf holds among its
        `lookahead - 1` ancestors any more (all of them once no leaf is active)."""
        for h in update.deactivated:
            self._leaves.pop(h, None)
        for leaf in update.activated:
            self._leaves[leaf.hash] = leaf.number
            self._numbers[leaf.hash] = leaf.number
        if not self._leaves:
            gone = tuple(sorted(self._numbers))
        else:
            oldest = min(self._leaves.values()) - (self.lookahead - 1)
            gone = tuple(sorted(h for h, n in self._numbers.items() if n < oldest))
        for h in gone:
            self._numbers.pop(h, None)
        return gone

    def forget(self, relay_parent: bytes) -> None:
        self.async_states.pop(relay_parent, None)
        for candidate_hash in self.povs_at.get(relay_parent, ()):
            self.pvds.pop(candidate_hash, None)
        super().forget(relay_parent)

    def job_state(self, relay_parent: bytes) -> Any:
        """The latest async job state at `relay_parent` (immutable), None without a job."""
        return self.async_states.get(relay_parent)

    def validation_data_of(self, candidate_hash: bytes) -> PersistedValidationData | None:
        """The validation data of a candidate this node validated (served to peers)."""
        return self.pvds.get(candidate_hash)

    async def run_job(self, leaf: Any, ctx: Any, inbox: Any) -> None:
        await _AsyncBackingJob(self, leaf, ctx, inbox).run()


class _AsyncBackingJob(_BackingJob):
    sub: AsyncBackingSubsystem

    async def _fetch_async(self) -> AsyncBackingJobState | None:
        sub, rp = self.sub, self.rp
        try:
            at = await sub.call("runtime state", sub.today.state(rp))
        except CallFailed as failure:
            if not isinstance(failure.__cause__, (RuntimeApiError, CallTimedOut)):
                raise
            self.log.warning("runtime API failed, no backing job: %s", failure)
            sub.counters["jobs without runtime data"] += 1
            return None
        self.context = SigningContext(at.session, rp)
        found = sub.keystore.find_validator(at.validators)
        if found is not None:
            self.index, self.public = found
        minimum = sub.minimum_backing_votes or at.minimum_backing_votes
        setup = async_backing_setup(at.groups, at.rotation, at.claim_queue, minimum)
        return new_async_backing_job(self.context, at.validators, setup, self.index, at.disabled)

    async def run(self) -> None:
        state = await self._fetch_async()
        if state is None:
            return
        self.validators = state.validators
        try:
            while True:
                item = await self.inbox.recv()
                if isinstance(item, Conclude):
                    return
                event = self._event_for(item)
                pending: list[Any] = [] if event is None else [event]
                while pending:
                    state, effects = async_backing_step(state, pending.pop(0))
                    pending.extend(await self._execute_async(effects))
                self.sub.async_states[self.rp] = state
        finally:
            state, expired = async_backing_step(state, Conclude())
            self._count_early_votes(expired)
            for task in self.tasks:
                task.cancel()

    async def _execute_async(self, effects: tuple[Any, ...]) -> list[Any]:
        # The seeds' effects as backing.py performs them, then the dialogue with prospective
        # parachains through the overseer. An answer that does not come (the subsystem stopped,
        # or past the call limit) is a refusal: not introduced, no leaf.
        follow: list[Any] = await self._execute(effects)
        sub = self.sub
        for effect in effects:
            if isinstance(effect, IntroduceSecondedCandidate):
                accepted = await self._ask(effect, False)
                h = effect.candidate.hash()
                follow.append(SecondedCandidateIntroduced(h, accepted is True))
            elif isinstance(effect, CheckHypotheticalMembership):
                leaves = await self._ask(effect, ())
                h = effect.candidate.receipt.hash()
                follow.append(HypotheticalMembershipAnswered(h, tuple(leaves)))
            elif isinstance(effect, CandidateBackedToProspective):
                sub.counters["candidates backed"] += 1
                try:
                    await sub.call(
                        "tell prospective", self.ctx.send(PROSPECTIVE_PARACHAINS, effect)
                    )
                except CallFailed as failed:
                    sub.jobs.drop(f"candidate backed not told: {failed.cause}", effect)
            elif isinstance(effect, StatementDropped):
                sub.counters["statements imported"] -= 1
                sub.jobs.drop(f"statement dropped: {effect.reason.name}", effect.statement)
        return follow

    async def _ask(self, request: Any, refused: Any) -> Any:
        # One request to prospective parachains, awaited under the call limit.
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        async def asked() -> Any:
            await self.ctx.send(PROSPECTIVE_PARACHAINS, AskProspective(request, reply))
            return await reply

        try:
            return await self.sub.call("ask prospective", asked())
        except CallFailed as failed:
            self.sub.jobs.drop(f"prospective parachains did not answer: {failed.cause}", request)
            return refused

    async def _validate(self, effect: ValidateCandidate) -> BackingEvent:
        # As backing.py's, with the validation data the job was given.
        pvd = effect.persisted_validation_data
        h = effect.candidate.hash()
        # The seeds' `CandidateValidation` protocol takes no validation data; the shell's
        # validations (InMemoryValidation, the simulation's LyingValidation) take it as a fourth
        # argument, which today's backing always passes.
        validation: Callable[..., Any] = self.sub.validation.validate
        try:
            async with asyncio.timeout(self.sub.validation_timeout):
                result = await validation(self.rp, effect.candidate, effect.pov, pvd)
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
        assert isinstance(result, CandidateValid), "validation answers valid or invalid"
        self.sub.keep_pov(self.rp, result.candidate_hash, effect.pov)
        if pvd is not None:
            self.sub.pvds[result.candidate_hash] = pvd
        return result
