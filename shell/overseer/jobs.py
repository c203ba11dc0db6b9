# Jobs per relay parent (implementers' guide, "Provisioner" in both forms and "Candidate
# Backing"): one asyncio task with a bounded inbox for each
# activated leaf, ended on deactivation, messages routed by relay parent. A job that raises is
# logged and removed without touching the others; every dropped message is counted by reason.
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["JOB_CONCLUDE", "JobInbox", "JobManager", "job_logger"]

JOB_CONCLUDE = object()  # put in a job's inbox when the subsystem concludes


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

    def recv_nowait(self) -> Any | None:
        try:
            return self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None

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
            self.drop("no job for relay parent", message)
            return False
        await job.inbox.put(message)
        return True

    async def conclude(self, grace: float) -> None:
        """Tell every job to conclude, wait up to `grace` seconds, then cancel the rest."""
        jobs = list(self.jobs.values())
        for job in jobs:
            if not job.inbox.put_nowait(JOB_CONCLUDE):
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

    async def end_all(self) -> None:
        for relay_parent in list(self.jobs):
            self.end(relay_parent)
