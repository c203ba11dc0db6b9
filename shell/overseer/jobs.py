# Jobs per relay parent (implementers' guide, "Provisioner" in both forms and "Candidate
# Backing"): one asyncio task with a bounded inbox for each
# activated leaf, ended on deactivation, messages routed by relay parent. A job that raises is
# logged and removed without touching the others; every dropped message is counted by reason.
# `JobSubsystem` holds the "On Overseer Signal" rules both subsystems keep, written once: a job per
# activated leaf, the job of each deactivated relay parent ended, and on Conclude every job told
# to conclude (the core's own `Conclude` goes into its inbox), a grace period, then exit.
from __future__ import annotations

import asyncio
import functools
import logging
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from backable.core import ActivatedLeaf, ActiveLeavesUpdate, Conclude

from .messages import ToJob

if TYPE_CHECKING:
    from .bus import SubsystemContext

__all__ = ["CONCLUDED", "NO_JOB", "JobInbox", "JobManager", "JobSubsystem", "job_logger"]

# Why a message never reached a job (the reasons `JobSubsystem.refuse` is given).
NO_JOB = "no job for relay parent"
CONCLUDED = "subsystem concluded"


class JobInbox:
    """A job's bounded message queue."""

    def __init__(self, capacity: int) -> None:
        self._queue: asyncio.Queue[Any] = asyncio.Queue(capacity)
        # A job is busy from its start until it waits for its next item, and while work it
        # started in the background (`in_flight`) is outstanding: what `idle()` reports.
        self.processing = True
        self.in_flight = 0

    async def recv(self) -> Any:
        self.processing = False
        item = await self._queue.get()
        self.processing = True
        return item

    def idle(self) -> bool:
        return not self.processing and self.in_flight == 0 and self._queue.empty()

    async def put(self, item: Any) -> None:
        await self._queue.put(item)

    def put_nowait(self, item: Any) -> bool:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            return False
        return True


@dataclass
class _Job:
    relay_parent: bytes
    inbox: JobInbox
    task: asyncio.Task[None]


class _RelayParentAdapter(logging.LoggerAdapter):  # type: ignore[type-arg]
    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        extra = dict(self.extra or {})
        extra.update(kwargs.pop("extra", {}) or {})
        kwargs["extra"] = extra
        tag = f"rp=0x{extra['relay_parent']}"
        if extra.get("candidate_hash"):
            tag += f" c=0x{extra['candidate_hash']}"
        return f"[{tag}] {msg}", kwargs


def job_logger(name: str, relay_parent: bytes) -> logging.LoggerAdapter:  # type: ignore[type-arg]
    """A logger whose records carry `relay_parent` (and `candidate_hash` when passed in extra)."""
    return _RelayParentAdapter(logging.getLogger(name), {"relay_parent": relay_parent.hex()[:16]})


@dataclass
class JobManager:
    """The live jobs of one subsystem, keyed by relay parent."""

    subsystem: str
    capacity: int = 64
    jobs: dict[bytes, _Job] = field(default_factory=dict)
    dropped: Counter[str] = field(default_factory=Counter)
    counters: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._log = logging.getLogger(f"backable.{self.subsystem}")

    def start(self, relay_parent: bytes, body: Callable[[JobInbox], Awaitable[None]]) -> None:
        """Start a job for `relay_parent` (a second activation of the same leaf is ignored)."""
        if relay_parent in self.jobs:
            self.counters["duplicate activation ignored"] += 1
            return
        inbox = JobInbox(self.capacity)
        task = asyncio.create_task(self._guard(relay_parent, body, inbox))
        self.jobs[relay_parent] = _Job(relay_parent, inbox, task)
        self.counters["jobs started"] += 1

    async def _guard(
        self, relay_parent: bytes, body: Callable[[JobInbox], Awaitable[None]], inbox: JobInbox
    ) -> None:
        try:
            await body(inbox)
        except asyncio.CancelledError:
            raise
        except Exception:
            self.counters["jobs crashed"] += 1
            job_logger(f"backable.{self.subsystem}", relay_parent).exception("job crashed")
        finally:
            job = self.jobs.get(relay_parent)
            if job is not None and job.inbox is inbox:
                del self.jobs[relay_parent]

    def end(self, relay_parent: bytes) -> None:
        """End the job of a deactivated leaf, if any."""
        job = self.jobs.pop(relay_parent, None)
        if job is not None:
            job.task.cancel()
            self.counters["jobs ended"] += 1

    def drop(self, reason: str, message: object) -> None:
        self.dropped[reason] += 1
        self._log.info("dropped %s: %s", type(message).__name__, reason)

    async def forward(self, relay_parent: bytes, message: object) -> bool:
        """Route `message` to the job of `relay_parent`; False (and counted) when there is none."""
        job = self.jobs.get(relay_parent)
        if job is None:
            self.drop(NO_JOB, message)
            return False
        await job.inbox.put(message)
        return True

    async def conclude(self, grace: float) -> None:
        """Tell every job to conclude, wait up to `grace` seconds, then cancel the rest."""
        jobs = list(self.jobs.values())
        for job in jobs:
            if not job.inbox.put_nowait(Conclude()):
                job.task.cancel()
        tasks = [job.task for job in jobs]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                self.counters["jobs cancelled after grace"] += len(pending)
                await asyncio.wait(pending)
        self.jobs.clear()

    def idle(self) -> bool:
        """No job has work queued, under way, or outstanding in the background."""
        return all(job.inbox.idle() for job in self.jobs.values())


class JobSubsystem(ABC):
    """A subsystem of per-relay-parent jobs (implementers' guide, "On Overseer Signal"): a job per
    activated leaf (`run_job`), the job of each deactivated relay parent ended, `ToJob` messages
    whose event is one of `accepts` routed to their relay parent's job, and on Conclude the
    queued messages refused, every job told to conclude, `conclude_grace` seconds for them to
    finish, then exit. A request that never reaches a job is answered through `refuse`."""

    name: str
    accepts: ClassVar[tuple[type, ...]]

    def __init__(self, conclude_grace: float) -> None:
        self.conclude_grace = conclude_grace
        self.jobs = JobManager(self.name)

    @abstractmethod
    async def run_job(self, leaf: ActivatedLeaf, ctx: SubsystemContext, inbox: JobInbox) -> None:
        """One job's life, from the activation of `leaf` until its inbox gives it `Conclude`."""

    @abstractmethod
    def refuse(self, message: ToJob, reason: str) -> None:
        """Answer a request in `message` that no job will see (`reason`: NO_JOB or CONCLUDED)."""

    def admit(self, event: object) -> str | None:
        """Why an accepted event cannot be taken (dropped with that reason), or None."""
        return None

    @abstractmethod
    def forget(self, relay_parent: bytes) -> None:
        """Release what the subsystem keeps for `relay_parent` once its leaf is deactivated."""

    async def run(self, ctx: SubsystemContext) -> None:
        while True:
            item = await ctx.recv()
            if isinstance(item, ActiveLeavesUpdate):
                for relay_parent in item.deactivated:
                    self.jobs.end(relay_parent)
                    self.forget(relay_parent)
                for leaf in item.activated:
                    self.jobs.start(leaf.hash, functools.partial(self.run_job, leaf, ctx))
            elif isinstance(item, Conclude):
                for message in ctx.inbox.drain():
                    if isinstance(message, ToJob):
                        self.jobs.drop(CONCLUDED, message.event)
                        self.refuse(message, CONCLUDED)
                    else:
                        self.jobs.drop(CONCLUDED, message)
                await self.jobs.conclude(self.conclude_grace)
                return
            elif isinstance(item, ToJob) and isinstance(item.event, self.accepts):
                reason = self.admit(item.event)
                if reason is not None:
                    self.jobs.drop(reason, item.event)
                elif not await self.jobs.forward(item.relay_parent, item.event):
                    self.refuse(item, NO_JOB)
            else:
                self.jobs.drop("unknown message type", item)
