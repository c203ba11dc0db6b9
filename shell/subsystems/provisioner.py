# The Provisioner subsystem (implementers' guide, "Provisioner", full and early forms): one job
# per activated relay parent, driving the
# pure machine of core.provisioner_job. The job fetches the chain data at activation, runs the
# pre-propose timer, fetches dispute inputs for each request, and executes the machine's effects.
# A message for a relay parent with no job is discarded with a counted reason, and a request among
# them gets an explicit error; requests are answered within `request_timeout` or get an error.
from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from pyrsistent import pmap

from backable.core import (
    OccupiedCore,
    OccupiedCoreAssumption,
    PersistedValidationData,
    ScheduledCore,
)
from backable.core.provisioner.dispute_selection import DisputeInputs
from backable.core.provisioner.job import (
    PRE_PROPOSE_TIMEOUT_MS,
    CancelRequest,
    ForwardToSubscriber,
    JobConcluded,
    ProvisionerEvent,
    ReceiveBackedCandidate,
    ReceiveBitfield,
    ReceiveDispute,
    ReceiveMisbehaviourReport,
    ReplyInherentData,
    StartTimer,
    Subscribe,
    SubscriberClosed,
    TimerFired,
    start_job,
    step,
)
from backable.core.provisioner.job import Conclude as JobConclude
from backable.core.provisioner.job import RequestInherentData as JobRequest
from backable.core.records.cores import AnyCoreState
from backable.core.thresholds import AvailabilityThreshold, availability_threshold_met

from ..collaborators.dispute_coordinator import DisputeCoordinator
from ..collaborators.runtime_api import RuntimeApi
from ..overseer.bus import SubsystemContext
from ..overseer.jobs import JOB_CONCLUDE, JobInbox, JobManager, job_logger
from ..overseer.messages import (
    PROVISIONER,
    BackedCandidateDatum,
    BitfieldDatum,
    Datum,
    DisputeDatum,
    MisbehaviorDatum,
    ProvisionableData,
    ProvisionerError,
    RequestBlockAuthorshipData,
    RequestInherentData,
)
from ..overseer.signals import ActivatedLeaf, ActiveLeavesUpdate, Conclude

__all__ = ["ProvisionerSubsystem"]

_TIMER = object()
ValidationData = dict[tuple[int, OccupiedCoreAssumption], PersistedValidationData]


def _to_event(datum: Datum) -> ProvisionerEvent:
    if isinstance(datum, BitfieldDatum):
        return ReceiveBitfield(datum.bitfield)
    if isinstance(datum, BackedCandidateDatum):
        return ReceiveBackedCandidate(datum.candidate)
    if isinstance(datum, MisbehaviorDatum):
        return ReceiveMisbehaviourReport(datum.validator_index, datum.misbehavior)
    return ReceiveDispute(datum.relay_parent, datum.signature)


def _to_datum(event: Any) -> Datum:
    if isinstance(event, ReceiveBitfield):
        return BitfieldDatum(event.bitfield)
    if isinstance(event, ReceiveBackedCandidate):
        return BackedCandidateDatum(event.candidate)
    if isinstance(event, ReceiveMisbehaviourReport):
        return MisbehaviorDatum(event.validator_index, event.report)  # type: ignore[arg-type]
    return DisputeDatum(event.relay_parent, event.signature)


class ProvisionerSubsystem:
    """Runs provisioning jobs; see the module header for the rules it keeps."""

    name = PROVISIONER

    def __init__(
        self,
        runtime: RuntimeApi,
        disputes: DisputeCoordinator | None = None,
        *,
        pre_propose_ms: int = PRE_PROPOSE_TIMEOUT_MS,
        request_timeout: float = 0.5,
        conclude_grace: float = 1.0,
        clock: Callable[[], float] = time.time,
        threshold: AvailabilityThreshold = availability_threshold_met,
    ) -> None:
        self.runtime = runtime
        self.disputes = disputes
        self.pre_propose_ms = pre_propose_ms
        self.request_timeout = request_timeout
        self.conclude_grace = conclude_grace
        self.clock = clock
        self.threshold = threshold
        self.jobs = JobManager(PROVISIONER)
        self.counters: Counter[str] = Counter()
        self.assembly_seconds: list[float] = []

    def stats(self) -> dict[str, Any]:
        """Counters, dropped messages by reason, and inherent assembly times."""
        times = self.assembly_seconds
        return {
            "counters": dict(self.counters + self.jobs.counters),
            "dropped": dict(self.jobs.dropped),
            "live_jobs": len(self.jobs.jobs),
            "inherents_served": self.counters["inherents served"],
            "assembly_ms_median": statistics.median(times) * 1e3 if times else None,
            "assembly_ms_max": max(times) * 1e3 if times else None,
        }

    async def run(self, ctx: SubsystemContext) -> None:
        while True:
            item = await ctx.recv()
            if isinstance(item, ActiveLeavesUpdate):
                for relay_parent in item.deactivated:
                    self.jobs.end(relay_parent)
                for leaf in item.activated:
                    self.jobs.start(leaf.hash, self._job_body(leaf))
            elif isinstance(item, Conclude):
                for message in ctx.inbox.drain():
                    self.jobs.drop("subsystem concluded", message)
                    if isinstance(message, RequestInherentData) and not message.reply.done():
                        message.reply.set_exception(ProvisionerError("the provisioner concluded"))
                await self.jobs.conclude(self.conclude_grace)
                return
            elif isinstance(
                item, RequestInherentData | ProvisionableData | RequestBlockAuthorshipData
            ):
                forwarded = await self.jobs.forward(item.relay_parent, item)
                if (
                    not forwarded
                    and isinstance(item, RequestInherentData)
                    and not item.reply.done()
                ):
                    item.reply.set_exception(
                        ProvisionerError(
                            f"no provisioning job for relay parent 0x{item.relay_parent.hex()}"
                        )
                    )
            else:
                self.jobs.drop("unknown message type", item)

    def _job_body(self, leaf: ActivatedLeaf) -> Callable[[JobInbox], Any]:
        async def body(inbox: JobInbox) -> None:
            await _ProvisioningJob(self, leaf, inbox).run()

        return body

    async def fetch_validation_data(
        self, relay_parent: bytes, cores: tuple[AnyCoreState, ...]
    ) -> ValidationData:
        """The validation data candidate selection may ask for, one runtime call per need."""
        wanted: list[tuple[int, OccupiedCoreAssumption]] = []
        for core in cores:
            if isinstance(core, ScheduledCore):
                wanted.append((core.para_id, OccupiedCoreAssumption.FREE))
            elif isinstance(core, OccupiedCore):
                if core.next_up_on_available is not None:
                    wanted.append(
                        (core.next_up_on_available.para_id, OccupiedCoreAssumption.INCLUDED)
                    )
                if core.next_up_on_time_out is not None:
                    wanted.append(
                        (core.next_up_on_time_out.para_id, OccupiedCoreAssumption.TIMED_OUT)
                    )
        out: ValidationData = {}
        for key in dict.fromkeys(wanted):
            pvd = await self.runtime.persisted_validation_data(relay_parent, *key)
            if pvd is not None:
                out[key] = pvd
        return out

    async def fetch_dispute_inputs(self, relay_parent: bytes) -> DisputeInputs | None:
        if self.disputes is None:
            return None
        recent = await self.disputes.recent_disputes()
        onchain = await self.runtime.onchain_disputes(relay_parent)
        keys = tuple(sorted(set(recent) | set(onchain)))
        votes = await self.disputes.candidate_votes(keys)
        return DisputeInputs(pmap(recent), pmap(onchain), pmap(votes), int(self.clock()))

    # -- read-only views for observers (the simulation) --

    @property
    def assembly_times(self) -> tuple[float, ...]:
        """Seconds each inherent took to assemble, in the order they were served."""
        return tuple(self.assembly_seconds)


class _ProvisioningJob:
    """The imperative half of one provisioning job."""

    def __init__(self, sub: ProvisionerSubsystem, leaf: ActivatedLeaf, inbox: JobInbox) -> None:
        self.sub = sub
        self.leaf = leaf
        self.inbox = inbox
        self.log = job_logger("backable.provisioner", leaf.hash)
        self.requests: dict[int, tuple[asyncio.Future[Any], float]] = {}
        self.subscribers: dict[int, asyncio.Queue[Datum]] = {}
        self.next_id = 0
        self.timer: asyncio.TimerHandle | None = None
        self.cores: tuple[AnyCoreState, ...] = ()

    async def run(self) -> None:
        sub, rp = self.sub, self.leaf.hash
        cores = await sub.runtime.availability_cores(rp)
        number = await sub.runtime.block_number(rp)
        block_number = 0 if number is None else number + 1  # the block under production
        self.cores = cores
        # Validation data is fetched with each request, when candidate selection needs it
        # (as in the node's `select_candidates`), so the job starts with none.
        state, effects = start_job(
            cores,
            block_number,
            {},
            pre_propose_ms=sub.pre_propose_ms,
            threshold=sub.threshold,
        )
        try:
            if self._execute(effects):
                return
            while True:
                item = await self.inbox.recv()
                event = await self._event_for(item)
                if event is None:
                    continue
                started = time.perf_counter()
                state, effects = step(state, event)
                elapsed = time.perf_counter() - started
                if self._execute(effects, elapsed):
                    return
        finally:
            if self.timer is not None:
                self.timer.cancel()
            for future, _ in self.requests.values():
                if not future.done():
                    future.set_exception(ProvisionerError("the provisioning job ended"))

    async def _event_for(self, item: Any) -> ProvisionerEvent | None:
        if item is JOB_CONCLUDE:
            return JobConclude()
        if item is _TIMER:
            self.inbox.in_flight -= 1
            return TimerFired()
        if isinstance(item, _Closed):
            return SubscriberClosed(item.subscriber_id)
        if isinstance(item, ProvisionableData):
            self.sub.counters[f"received {type(item.datum).__name__}"] += 1
            return _to_event(item.datum)
        if isinstance(item, RequestBlockAuthorshipData):
            self.next_id += 1
            self.subscribers[self.next_id] = item.channel
            return Subscribe(self.next_id)
        if isinstance(item, RequestInherentData):
            return await self._request(item)
        self.sub.jobs.drop("unknown job message", item)
        return None

    async def _request(self, item: RequestInherentData) -> ProvisionerEvent | None:
        # What assembly needs from the node, fetched now, within the request's time limit.
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.sub.request_timeout):
                disputes = await self.sub.fetch_dispute_inputs(self.leaf.hash)
                validation_data = await self.sub.fetch_validation_data(self.leaf.hash, self.cores)
        except TimeoutError:
            self.sub.counters["requests timed out"] += 1
            item.reply.set_exception(
                ProvisionerError(
                    f"chain data for the inherent not fetched within"
                    f" {self.sub.request_timeout * 1e3:.0f} ms"
                )
            )
            return None
        self.next_id += 1
        self.requests[self.next_id] = (item.reply, time.perf_counter() - started)
        return JobRequest(self.next_id, disputes, pmap(validation_data))

    def _execute(self, effects: tuple[Any, ...], step_seconds: float = 0.0) -> bool:
        """Perform the machine's effects; True when the job is over."""
        for effect in effects:
            if isinstance(effect, StartTimer):
                loop = asyncio.get_running_loop()
                self.inbox.in_flight += 1
                self.timer = loop.call_later(
                    effect.milliseconds / 1000, self.inbox.put_nowait, _TIMER
                )
            elif isinstance(effect, ReplyInherentData):
                self._reply(effect, step_seconds)
            elif isinstance(effect, ForwardToSubscriber):
                queue = self.subscribers.get(effect.subscriber_id)
                try:
                    if queue is None:
                        raise asyncio.QueueFull
                    queue.put_nowait(_to_datum(effect.datum))
                except asyncio.QueueFull:
                    # A full or vanished channel counts as closed (early Provisioner: drop it).
                    self.subscribers.pop(effect.subscriber_id, None)
                    self.inbox.put_nowait(_Closed(effect.subscriber_id))
            elif isinstance(effect, CancelRequest):
                future, _ = self.requests.pop(effect.request_id, (None, 0.0))
                if future is not None and not future.done():
                    future.set_exception(ProvisionerError("the provisioning job concluded"))
            elif isinstance(effect, JobConcluded):
                return True
        return False

    def _reply(self, effect: ReplyInherentData, step_seconds: float) -> None:
        future, fetch_seconds = self.requests.pop(effect.request_id, (None, 0.0))
        if future is None or future.done():
            self.sub.counters["replies to abandoned requests"] += 1
            return
        total = fetch_seconds + step_seconds
        self.sub.assembly_seconds.append(total)
        if total > self.sub.request_timeout:
            self.sub.counters["requests timed out"] += 1
            future.set_exception(
                ProvisionerError(
                    f"inherent data took {total * 1e3:.1f} ms, over the"
                    f" {self.sub.request_timeout * 1e3:.0f} ms limit"
                )
            )
            return
        self.sub.counters["inherents served"] += 1
        self.log.debug(
            "served inherent: %d bitfields, %d candidates, %d disputes in %.2f ms",
            len(effect.data.bitfields),
            len(effect.data.backed_candidates),
            len(effect.data.disputes),
            total * 1e3,
        )
        future.set_result(effect.data)


class _Closed:
    def __init__(self, subscriber_id: int) -> None:
        self.subscriber_id = subscriber_id
