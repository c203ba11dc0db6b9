# The Provisioner subsystem under today's rules (the asynchronous protocol, E.5): one job per
# active leaf gathering the availability bitfields signed on it; asked for inherent data, it
# reads the availability cores at the leaf and assembles with the core's
# `assemble_async_inherent_data`, asking prospective parachains for each para's chain (count:
# the cores the para may fill; ancestors: its candidates pending availability) through the
# overseer, and the backing jobs' latest states for the backed candidates of that selection.
# Every rule is the core's; the job only gathers and asks.
#
# Liveness: a request is answered with the inherent data, or with a `ProvisionerError` naming
# why (no runtime data, the job ended); bitfields are kept per leaf and released with its job.
# Sources: polkadot-sdk@0b38109e polkadot/node/core/provisioner/src/lib.rs
# (`send_inherent_data`, `select_candidates`, `request_backable_candidates`).
from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from typing import Any

from backable.core import (
    ActivatedLeaf,
    BackableCandidateRef,
    BackableRequest,
    BackedCandidate,
    GetBackableCandidates,
    ProvisionerInherentData,
    ReceiveBitfield,
    ReceiveMisbehaviourReport,
    RequestInherentData,
    SignedAvailabilityBitfield,
    assemble_async_inherent_data,
    get_backable_candidates,
)

from ..collaborators.today_runtime import InMemoryTodayChain
from ..overseer.bus import SubsystemContext
from ..overseer.jobs import (
    DEFAULT_CALL_TIMEOUT,
    CallFailed,
    JobInbox,
    JobSubsystem,
    job_logger,
)
from ..overseer.messages import (
    PROSPECTIVE_PARACHAINS,
    PROVISIONER,
    AskProspective,
    ProvisionerError,
    ToJob,
)
from .async_backing import AsyncBackingSubsystem

__all__ = ["AsyncProvisionerSubsystem"]

ASSEMBLY_HISTORY = 1024  # assembly times kept, newest last


class AsyncProvisionerSubsystem(JobSubsystem):
    """Today's provisioning jobs (see the module header). Takes `ToJob(leaf, event)` with
    `ReceiveBitfield`, `ReceiveMisbehaviourReport` (counted: misbehaviour reaches the chain
    through disputes, which this protocol's simulation does not raise) and
    `RequestInherentData`, whose `request_id` is the `asyncio.Future` answered."""

    name = PROVISIONER
    accepts = (ReceiveBitfield, ReceiveMisbehaviourReport, RequestInherentData)

    def __init__(
        self,
        today: InMemoryTodayChain,
        backing: AsyncBackingSubsystem,
        *,
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT,
        conclude_grace: float = 1.0,
    ) -> None:
        super().__init__(conclude_grace, call_timeout)
        self.today = today
        self.backing = backing
        self.counters: Counter[str] = Counter()
        self.assembly_seconds: deque[float] = deque(maxlen=ASSEMBLY_HISTORY)
        self.bitfields: dict[bytes, dict[int, SignedAvailabilityBitfield]] = {}

    @property
    def assembly_times(self) -> tuple[float, ...]:
        """Seconds each inherent took to assemble, in the order they were served."""
        return tuple(self.assembly_seconds)

    def stats(self) -> dict[str, Any]:
        return {
            "counters": dict(self.counters + self.jobs.counters),
            "dropped": dict(self.jobs.dropped),
        }

    def admit(self, event: object) -> str | None:
        if isinstance(event, RequestInherentData) and not isinstance(
            event.request_id, asyncio.Future
        ):
            return "request id is not a future"
        return None

    def request_of(self, event: object) -> asyncio.Future[Any] | None:
        if isinstance(event, RequestInherentData) and isinstance(event.request_id, asyncio.Future):
            return event.request_id
        return None

    def refuse(self, message: ToJob, reason: str) -> None:
        event = message.event
        if isinstance(event, RequestInherentData):
            _fail(
                event.request_id, f"{reason}: RequestInherentData at 0x{message.relay_parent.hex()}"
            )

    def forget(self, relay_parent: bytes) -> None:
        self.bitfields.pop(relay_parent, None)

    async def run_job(self, leaf: ActivatedLeaf, ctx: SubsystemContext, inbox: JobInbox) -> None:
        log = job_logger("backable.provisioner", leaf.hash)
        kept = self.bitfields.setdefault(leaf.hash, {})
        while True:
            item = await inbox.recv()
            if isinstance(item, ReceiveBitfield):
                # One bitfield per validator: the first kept (the core's selection decides).
                kept.setdefault(item.bitfield.validator_index, item.bitfield)
                self.counters["received ReceiveBitfield"] += 1
            elif isinstance(item, ReceiveMisbehaviourReport):
                self.counters["received ReceiveMisbehaviourReport"] += 1
            elif isinstance(item, RequestInherentData):
                try:
                    data = await self._assemble(leaf, kept, ctx)
                except CallFailed as failed:
                    self.counters[f"requests failed: {failed.call}"] += 1
                    log.warning("RequestInherentData: %s", failed)
                    _fail(item.request_id, f"RequestInherentData: {failed}")
                    continue
                if isinstance(item.request_id, asyncio.Future) and not item.request_id.done():
                    item.request_id.set_result(data)
                    self.counters["inherents served"] += 1
            else:
                return  # Conclude

    async def _assemble(
        self,
        leaf: ActivatedLeaf,
        kept: dict[int, SignedAvailabilityBitfield],
        ctx: SubsystemContext,
    ) -> ProvisionerInherentData:
        # Two passes of the core's assembly: the first only to learn its requests to
        # prospective parachains (which depend on the cores and the bitfields alone), asked
        # through the overseer; the second with those answers. The assembly time counts both
        # passes and not the waiting.
        at = await self.call("runtime state", self.today.state(leaf.hash))
        bitfields = tuple(kept[v] for v in sorted(kept))
        jobs = self.backing.async_states
        requests: list[BackableRequest] = []

        def record(request: BackableRequest) -> tuple[BackableCandidateRef, ...]:
            requests.append(request)
            return ()

        def backing(selection: Any) -> dict[int, tuple[BackedCandidate, ...]]:
            reply = get_backable_candidates(jobs, GetBackableCandidates(0, selection))
            return dict(reply.candidates)

        started = time.perf_counter()
        assemble_async_inherent_data(at.cores, bitfields, at.number + 1, record, {})
        spent = time.perf_counter() - started
        answers: dict[int, tuple[BackableCandidateRef, ...]] = {}
        for request in requests:
            answers[request.para_id] = await self.call(
                "ask prospective", _ask(ctx, AskProspective(request, _future(), leaf.hash))
            )
        started = time.perf_counter()
        data = assemble_async_inherent_data(at.cores, bitfields, at.number + 1, answers, backing)
        self.assembly_seconds.append(spent + time.perf_counter() - started)
        return data


def _future() -> asyncio.Future[Any]:
    return asyncio.get_running_loop().create_future()


async def _ask(ctx: SubsystemContext, ask: AskProspective) -> Any:
    await ctx.send(PROSPECTIVE_PARACHAINS, ask)
    return await ask.reply


def _fail(future: Any, why: str) -> None:
    if isinstance(future, asyncio.Future) and not future.done():
        future.set_exception(ProvisionerError(why))
