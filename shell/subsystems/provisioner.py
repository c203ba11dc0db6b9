# The Provisioner subsystem (implementers' guide, "Provisioner", full and early forms): one job
# per activated relay parent, driving the
# pure machine of core/provisioner/job.py. The job fetches the chain data at activation, runs the
# pre-propose timer, fetches dispute inputs for each request, and executes the machine's effects.
# A message for a relay parent with no job is discarded with a counted reason, and a request among
# them gets an explicit error. Every runtime and dispute-coordinator call runs under
# `call_timeout`; a call that fails or times out answers the request with a `ProvisionerError`
# naming the call. Past the elapsed-time limit (`request_timeout`) the author gets the node's
# fallback, an empty inherent, never an error.
from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter, deque
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any

from pyrsistent import pmap

from backable.core import (
    ActivatedLeaf,
    OccupiedCoreAssumption,
    PersistedValidationData,
    ProvisionerInherentData,
    ReceiveBackedCandidate,
    ReceiveBitfield,
    ReceiveDispute,
    ReceiveMisbehaviourReport,
    RequestInherentData,
    Subscribe,
    SubscriberClosed,
    validation_data_keys,
)
from backable.core.provisioner.dispute_selection import DisputeInputs
from backable.core.provisioner.job import (
    PRE_PROPOSE_TIMEOUT_MS,
    CancelRequest,
    ForwardToSubscriber,
    JobConcluded,
    ProvisionableDatum,
    ProvisionerEvent,
    ReplyInherentData,
    StartTimer,
    TimerFired,
    start_job,
    step,
)
from backable.core.records.cores import AnyCoreState
from backable.core.thresholds import AvailabilityThreshold, availability_threshold_met

from ..collaborators.dispute_coordinator import DisputeCoordinator
from ..collaborators.runtime_api import RuntimeApi
from ..overseer.bus import SubsystemContext
from ..overseer.jobs import (
    CONCLUDED,
    DEFAULT_CALL_TIMEOUT,
    NO_JOB,
    CallFailed,
    JobInbox,
    JobSubsystem,
    job_logger,
)
from ..overseer.messages import PROVISIONER, ProvisionerError, ToJob

__all__ = ["ProvisionerSubsystem"]

# The provisionable data (early "Provisioner" guide page), counted on arrival.
_PROVISIONABLE = (
    ReceiveBitfield,
    ReceiveBackedCandidate,
    ReceiveMisbehaviourReport,
    ReceiveDispute,
)
ValidationData = dict[tuple[int, OccupiedCoreAssumption], PersistedValidationData]

# How many of the latest assembly times `assembly_times` and `stats()` keep (a bounded view).
ASSEMBLY_HISTORY = 1024
# Counted each time the author gets the empty fallback inherent.
FALLBACK = "inherent fallback: time limit"


class ProvisionerSubsystem(JobSubsystem):
    """Runs provisioning jobs; see the module header for the rules it keeps. It takes
    `ToJob(relay_parent, event)` with provisionable data (`ReceiveBitfield`,
    `ReceiveBackedCandidate`, `ReceiveMisbehaviourReport`, `ReceiveDispute`),
    `RequestInherentData` whose `request_id` is the `asyncio.Future` that receives the inherent
    data (or a `ProvisionerError`), and `Subscribe` whose `subscriber_id` is the `asyncio.Queue`
    that receives a copy of every later datum.

    `request_timeout` is the elapsed-time limit on assembling the inherent data (fetching its
    chain data plus the assembly step; None: no limit). Past it the request takes the node's
    documented fallback: the reply is an empty `ProvisionerInherentData` (no bitfields,
    candidates or disputes), counted as "inherent fallback: time limit", never an exception to
    the author; as Polkadot's parachains inherent data provider, which gives up waiting for the
    provisioner after 2.5 s and authors the block with no parachain data
    (node/core/parachains-inherent/src/lib.rs, `PROVISIONER_TIMEOUT`, read at polkadot@0b8ca58f).
    `call_timeout` limits each runtime and dispute-coordinator call (None: no limit); a call
    that raises or times out answers the request with a `ProvisionerError` naming the call and
    the cause, counted under "requests failed: <call>"."""

    name = PROVISIONER
    accepts = (*_PROVISIONABLE, RequestInherentData, Subscribe)

    def __init__(
        self,
        runtime: RuntimeApi,
        disputes: DisputeCoordinator | None = None,
        *,
        pre_propose_ms: int = PRE_PROPOSE_TIMEOUT_MS,
        request_timeout: float | None = 0.5,
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT,
        conclude_grace: float = 1.0,
        clock: Callable[[], float] = time.time,
        threshold: AvailabilityThreshold = availability_threshold_met,
    ) -> None:
        super().__init__(conclude_grace, call_timeout)
        self.runtime = runtime
        self.disputes = disputes
        self.pre_propose_ms = pre_propose_ms
        self.request_timeout = request_timeout
        self.clock = clock
        self.threshold = threshold
        self.counters: Counter[str] = Counter()
        # The latest assembly times only (a bounded view; counters keep the totals).
        self.assembly_seconds: deque[float] = deque(maxlen=ASSEMBLY_HISTORY)

    def stats(self) -> dict[str, Any]:
        """Counters, dropped messages by reason, and the latest inherent assembly times."""
        times = self.assembly_seconds
        return {
            "counters": dict(self.counters + self.jobs.counters),
            "dropped": dict(self.jobs.dropped),
            "live_jobs": len(self.jobs.jobs),
            "inherents_served": self.counters["inherents served"],
            "assembly_ms_median": statistics.median(times) * 1e3 if times else None,
            "assembly_ms_max": max(times) * 1e3 if times else None,
        }

    def admit(self, event: object) -> str | None:
        if isinstance(event, RequestInherentData) and not isinstance(
            event.request_id, asyncio.Future
        ):
            return "request id is not a future"
        if isinstance(event, Subscribe) and not isinstance(event.subscriber_id, asyncio.Queue):
            return "subscriber id is not a queue"
        return None

    def request_of(self, event: object) -> asyncio.Future[Any] | None:
        if isinstance(event, RequestInherentData) and isinstance(event.request_id, asyncio.Future):
            return event.request_id
        return None

    def refuse(self, message: ToJob, reason: str) -> None:
        event = message.event
        if isinstance(event, RequestInherentData):
            rp = f"relay parent 0x{message.relay_parent.hex()}"
            if reason == CONCLUDED:
                why = "the provisioner concluded"
            elif reason == NO_JOB:
                why = f"no provisioning job for {rp}"
            else:
                why = f"{reason}: the provisioning job for {rp} cannot serve the request"
            _fail(event.request_id, why)

    def forget(self, relay_parent: bytes) -> None:
        """Nothing to release: all a provisioning job holds (its requests' fetch times, its
        subscribers, its timer) ends with its task."""

    async def run_job(self, leaf: ActivatedLeaf, ctx: SubsystemContext, inbox: JobInbox) -> None:
        await _ProvisioningJob(self, leaf, inbox).run()

    async def fetch_validation_data(
        self, relay_parent: bytes, cores: tuple[AnyCoreState, ...]
    ) -> ValidationData:
        """The validation data candidate selection may ask for (`validation_data_keys`), one
        runtime call per key."""
        out: ValidationData = {}
        for key in validation_data_keys(cores):
            pvd = await self.call(
                "persisted_validation_data",
                self.runtime.persisted_validation_data(relay_parent, *key),
            )
            if pvd is not None:
                out[key] = pvd
        return out

    async def fetch_dispute_inputs(self, relay_parent: bytes) -> DisputeInputs | None:
        if self.disputes is None:
            return None
        recent = await self.call("recent_disputes", self.disputes.recent_disputes())
        onchain = await self.call("onchain_disputes", self.runtime.onchain_disputes(relay_parent))
        keys = tuple(sorted(set(recent) | set(onchain)))
        votes = await self.call("candidate_votes", self.disputes.candidate_votes(keys))
        return DisputeInputs(pmap(recent), pmap(onchain), pmap(votes), int(self.clock()))

    # -- read-only views for observers (the simulation) --

    @property
    def assembly_times(self) -> tuple[float, ...]:
        """Seconds each inherent took to assemble, in the order they were served."""
        return tuple(self.assembly_seconds)


def _fail(request_id: Hashable, why: str) -> None:
    # A RequestInherentData's request id is its reply future (checked on admission).
    if isinstance(request_id, asyncio.Future) and not request_id.done():
        request_id.set_exception(ProvisionerError(why))


class _ProvisioningJob:
    """The imperative half of one provisioning job."""

    def __init__(self, sub: ProvisionerSubsystem, leaf: ActivatedLeaf, inbox: JobInbox) -> None:
        self.sub = sub
        self.leaf = leaf
        self.inbox = inbox
        self.log = job_logger("backable.provisioner", leaf.hash)
        # Requests handed to the machine and not yet answered, with the seconds spent fetching
        # their chain data (counted in the assembly time). If the job ends first, the job
        # manager answers them (it keeps every request the job took until it is answered).
        self.fetch_seconds: dict[asyncio.Future[Any], float] = {}
        # Subscribers' queues found full: closed for good (early Provisioner page), whatever the
        # machine sends.
        self.closed: set[Hashable] = set()
        self.timer: asyncio.TimerHandle | None = None
        self.cores: tuple[AnyCoreState, ...] = ()

    async def run(self) -> None:
        sub, rp = self.sub, self.leaf.hash
        # A failing call here ends the job as crashed (counted); its requests are answered.
        cores = await sub.call("availability_cores", sub.runtime.availability_cores(rp))
        number = await sub.call("block_number", sub.runtime.block_number(rp))
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

    async def _event_for(self, item: ProvisionerEvent) -> ProvisionerEvent | None:
        # The inbox holds the events the subsystem admitted, the timer and closed subscribers;
        # only a request needs work first.
        if isinstance(item, TimerFired):
            self.inbox.in_flight -= 1
        elif isinstance(item, RequestInherentData):
            return await self._request(item)
        elif isinstance(item, _PROVISIONABLE):
            self.sub.counters[f"received {type(item).__name__}"] += 1
        return item

    async def _request(self, item: RequestInherentData) -> ProvisionerEvent | None:
        # What assembly needs from the node, fetched now, within the request's time limit.
        # The fetch runs in this job's task: a hung call delays this relay parent only.
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.sub.request_timeout):
                disputes = await self.sub.fetch_dispute_inputs(self.leaf.hash)
                validation_data = await self.sub.fetch_validation_data(self.leaf.hash, self.cores)
        except CallFailed as failed:
            self.sub.counters[f"requests failed: {failed.call}"] += 1
            self.log.warning("RequestInherentData: %s", failed)
            _fail(item.request_id, f"RequestInherentData: {failed}")
            return None
        except TimeoutError:
            self._fall_back(item.request_id, time.perf_counter() - started)
            return None
        if isinstance(item.request_id, asyncio.Future):
            self.fetch_seconds[item.request_id] = time.perf_counter() - started
        return replace(item, disputes=disputes, validation_data=pmap(validation_data))

    def _execute(self, effects: tuple[Any, ...], step_seconds: float = 0.0) -> bool:
        """Perform the machine's effects; True when the job is over."""
        for effect in effects:
            if isinstance(effect, StartTimer):
                # The control lane: a timer never competes with peer traffic for room.
                loop = asyncio.get_running_loop()
                self.inbox.in_flight += 1
                self.timer = loop.call_later(
                    effect.milliseconds / 1000, self.inbox.control, TimerFired()
                )
            elif isinstance(effect, ReplyInherentData):
                self._reply(effect, step_seconds)
            elif isinstance(effect, ForwardToSubscriber):
                self._forward(effect.subscriber_id, effect.datum)
            elif isinstance(effect, CancelRequest):
                self._forget(effect.request_id)
                _fail(effect.request_id, "the provisioning job concluded")
            elif isinstance(effect, JobConcluded):
                return True
        return False

    def _forward(self, subscriber: Hashable, datum: ProvisionableDatum) -> None:
        # The subscriber's id is its queue (checked on admission).
        try:
            if subscriber in self.closed or not isinstance(subscriber, asyncio.Queue):
                raise asyncio.QueueFull
            subscriber.put_nowait(datum)
        except asyncio.QueueFull:
            # A full channel counts as closed (early Provisioner page: drop it).
            self.closed.add(subscriber)
            self.inbox.control(SubscriberClosed(subscriber))

    def _fall_back(self, request_id: Hashable, seconds: float) -> None:
        # Past the elapsed-time limit: the node's fallback, an empty inherent (see the class).
        self.sub.counters[FALLBACK] += 1
        self.sub.assembly_seconds.append(seconds)
        self.log.warning(
            "inherent data took %.1f ms, over the %.0f ms limit: empty inherent",
            seconds * 1e3,
            (self.sub.request_timeout or 0.0) * 1e3,
        )
        if isinstance(request_id, asyncio.Future) and not request_id.done():
            request_id.set_result(ProvisionerInherentData())

    def _forget(self, request_id: Hashable) -> float:
        # The fetch time of a request leaving the machine (0 for one not handed to it).
        if isinstance(request_id, asyncio.Future):
            return self.fetch_seconds.pop(request_id, 0.0)
        return 0.0

    def _reply(self, effect: ReplyInherentData, step_seconds: float) -> None:
        fetch_seconds = self._forget(effect.request_id)
        future = effect.request_id
        if not isinstance(future, asyncio.Future) or future.done():
            self.sub.counters["replies to abandoned requests"] += 1
            return
        total = fetch_seconds + step_seconds
        limit = self.sub.request_timeout
        if limit is not None and total > limit:
            self._fall_back(future, total)
            return
        self.sub.assembly_seconds.append(total)
        self.sub.counters["inherents served"] += 1
        self.log.debug(
            "served inherent: %d bitfields, %d candidates, %d disputes in %.2f ms",
            len(effect.data.bitfields),
            len(effect.data.backed_candidates),
            len(effect.data.disputes),
            total * 1e3,
        )
        future.set_result(effect.data)
