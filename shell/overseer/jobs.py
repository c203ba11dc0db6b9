# Jobs per relay parent (implementers' guide, "Provisioner" in both forms and "Candidate
# Backing"): one asyncio task for each activated leaf, ended on deactivation, messages routed by
# relay parent. A job that raises is logged and removed without touching the others; every
# dropped message is counted by reason.
# `JobSubsystem` holds the "On Overseer Signal" rules both subsystems keep, written once: a job per
# activated leaf, the job of each deactivated relay parent ended, and on Conclude every job told
# to conclude (the core's own `Conclude` goes into its inbox), a grace period, then exit.
#
# Liveness (trio's discipline, as in hypercorn and anyio): the subsystem's loop never waits on a
# job. A job's inbox has two lanes: a bounded one for messages from other subsystems and peers,
# offered without waiting (a full lane drops the message with the counted reason "job inbox full",
# and a request in it is refused at once), and a small control lane for the job's own timers, its
# completions of background work and its Conclude, always accepted and read first, so peer
# traffic can never crowd out a timer. Every request a job takes is remembered until answered:
# however the job ends (its leaf deactivated, Conclude, a crash, cancellation), what is still
# unanswered, and every message left in its inbox, is answered with the named reason and counted.
from __future__ import annotations

import asyncio
import functools
import logging
from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from backable.core import ActivatedLeaf, ActiveLeavesUpdate, Conclude

from .messages import ToJob

if TYPE_CHECKING:
    from .bus import SubsystemContext

__all__ = [
    "CONCLUDED",
    "DEFAULT_CALL_TIMEOUT",
    "INBOX_FULL",
    "JOB_INBOX_CAPACITY",
    "JOB_CRASHED",
    "JOB_ENDED",
    "LEAF_DEACTIVATED",
    "NO_JOB",
    "CallFailed",
    "CallTimedOut",
    "JobInbox",
    "JobManager",
    "JobSubsystem",
    "call_with_limit",
    "job_logger",
]

# Why a message or a request was not served (the reasons `JobSubsystem.refuse` is given).
NO_JOB = "no job for relay parent"
CONCLUDED = "subsystem concluded"
INBOX_FULL = "job inbox full"
LEAF_DEACTIVATED = "leaf deactivated"
JOB_CRASHED = "job crashed"
JOB_ENDED = "job ended"

# Messages a job's bounded lane holds by default. A node that hears a whole block's statements
# (a block author: every group's Seconded and Valid) needs about two per validator: the node's
# owner sizes it (`Node.job_inbox_capacity`); the bound is what keeps a flood from growing it.
JOB_INBOX_CAPACITY = 64

# Seconds a collaborator call (runtime API, dispute coordinator, availability store, ...) may
# take before it counts as failed: generous next to the in-memory collaborators' microseconds,
# short enough that a hung call ends well within a relay block (6 s).
DEFAULT_CALL_TIMEOUT = 2.0

T = TypeVar("T")
RequestOf = Callable[[object], "asyncio.Future[Any] | None"]


class CallTimedOut(TimeoutError):
    """A collaborator call did not answer within its time limit (the message names the call)."""


async def call_with_limit(
    name: str, call: Awaitable[T], timeout: float | None, counters: Counter[str]
) -> T:
    """Await `call` for at most `timeout` seconds (None: no limit); past it, count
    "call timed out: <name>" and raise `CallTimedOut`, which the caller handles as that call's
    failure. Any other exception from the call propagates unchanged."""
    if timeout is None:
        return await call  # no limit: no timer to arm (one per call adds up over many nodes)
    try:
        async with asyncio.timeout(timeout):
            return await call
    except TimeoutError:
        counters[f"call timed out: {name}"] += 1
        assert timeout is not None, "only a limited call times out"
        raise CallTimedOut(f"{name} did not answer within {timeout * 1e3:.0f} ms") from None


class CallFailed(Exception):
    """A collaborator call raised or timed out: `call` names it, `cause` says why. Internal to
    the shell (a job turns it into a named error on a reply, or a defined end state)."""

    def __init__(self, call: str, cause: str) -> None:
        super().__init__(f"{call} failed: {cause}")
        self.call = call
        self.cause = cause


def _no_request(event: object) -> asyncio.Future[Any] | None:
    return None


class JobInbox:
    """A job's queue: a bounded lane for messages from others, offered without waiting, and a
    control lane (timers, completions of the job's own work, Conclude) always accepted and read
    first. Conclude is read last, once both lanes are empty, so queued work is done first."""

    def __init__(self, capacity: int, request_of: RequestOf = _no_request) -> None:
        self.capacity = capacity
        self._messages: deque[Any] = deque()
        # Unbounded on purpose, and small: one timer per job, and one completion per piece of
        # background work the job started (each started by a message of the bounded lane).
        self._control: deque[Any] = deque()
        self._last: Any = None
        self._ready = asyncio.Event()
        self._request_of = request_of
        # Requests the job took and has not answered yet, answered for it when it ends.
        self.outstanding: dict[asyncio.Future[Any], object] = {}
        # Why the job is ending, set by whoever ends it (None while it runs).
        self.end_reason: str | None = None
        # A job is busy from its start until it waits for its next item, and while work it
        # started in the background (`in_flight`) is outstanding: what `idle()` reports.
        self.processing = True
        self.in_flight = 0

    async def recv(self) -> Any:
        self.processing = False
        while not (self._control or self._messages or self._last is not None):
            self._ready.clear()
            await self._ready.wait()
        self.processing = True
        if self._control:
            return self._control.popleft()
        if self._messages:
            item = self._messages.popleft()
            future = self._request_of(item)
            if future is not None and not future.done():
                self.outstanding[future] = item
                future.add_done_callback(self._answered)
            return item
        item, self._last = self._last, None
        return item

    def _answered(self, future: asyncio.Future[Any]) -> None:
        self.outstanding.pop(future, None)

    def idle(self) -> bool:
        return (
            not self.processing
            and self.in_flight == 0
            and not self._messages
            and not self._control
            and self._last is None
        )

    def queued(self) -> tuple[int, int]:
        """How many control items and how many messages wait to be read."""
        return len(self._control), len(self._messages)

    def offer(self, item: Any) -> bool:
        """Queue a message from another subsystem or a peer; False when the lane is full."""
        if len(self._messages) >= self.capacity:
            return False
        self._messages.append(item)
        self._ready.set()
        return True

    def control(self, item: Any) -> None:
        """Queue a timer, a completion or the like: always accepted, read before messages."""
        self._control.append(item)
        self._ready.set()

    def finish_with(self, item: Any) -> None:
        """`item` (Conclude) is the last thing the job reads, after everything queued."""
        self._last = item
        self._ready.set()

    def drain(self) -> list[Any]:
        """Take every queued message from others (not the job's own control items)."""
        left = list(self._messages)
        self._messages.clear()
        return left


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


Unserved = Callable[[bytes, object, str], None]


def _ignore(relay_parent: bytes, event: object, reason: str) -> None:
    return None


@dataclass
class JobManager:
    """The live jobs of one subsystem, keyed by relay parent. `request_of` tells which messages
    are requests (their reply future); `unserved` answers a request no job will serve."""

    subsystem: str
    capacity: int = JOB_INBOX_CAPACITY
    request_of: RequestOf = _no_request
    unserved: Unserved = _ignore
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
        inbox = JobInbox(self.capacity, self.request_of)
        task = asyncio.create_task(self._guard(relay_parent, body, inbox))
        # A done callback runs however the task ends, even cancelled before its first step.
        task.add_done_callback(functools.partial(self._settle, relay_parent, inbox))
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
            inbox.end_reason = inbox.end_reason or JOB_CRASHED
            self.counters["jobs crashed"] += 1
            job_logger(f"backable.{self.subsystem}", relay_parent).exception("job crashed")
        finally:
            job = self.jobs.get(relay_parent)
            if job is not None and job.inbox is inbox:
                del self.jobs[relay_parent]

    def _settle(self, relay_parent: bytes, inbox: JobInbox, task: asyncio.Task[None]) -> None:
        # The job is over: answer what it took and left unanswered, then what it never read.
        job = self.jobs.get(relay_parent)
        if job is not None and job.inbox is inbox:
            del self.jobs[relay_parent]
        reason = inbox.end_reason or JOB_ENDED
        for future, event in list(inbox.outstanding.items()):
            if not future.done():
                self.unserved(relay_parent, event, reason)
        inbox.outstanding.clear()
        for message in inbox.drain():
            self.drop(reason, message)
            self.unserved(relay_parent, message, reason)

    def end(self, relay_parent: bytes) -> None:
        """End the job of a deactivated leaf, if any; its requests are answered as it ends."""
        job = self.jobs.pop(relay_parent, None)
        if job is not None:
            job.inbox.end_reason = LEAF_DEACTIVATED
            job.task.cancel()
            self.counters["jobs ended"] += 1

    def drop(self, reason: str, message: object) -> None:
        self.dropped[reason] += 1
        self._log.info("dropped %s: %s", type(message).__name__, reason)

    def forward(self, relay_parent: bytes, message: object) -> str | None:
        """Offer `message` to the job of `relay_parent` without waiting; the reason it was
        dropped (counted) when there is no job or its inbox is full, else None."""
        job = self.jobs.get(relay_parent)
        reason = NO_JOB if job is None else None
        if job is not None and not job.inbox.offer(message):
            reason = INBOX_FULL
        if reason is not None:
            self.drop(reason, message)
        return reason

    async def conclude(self, grace: float) -> None:
        """Tell every job to conclude, wait up to `grace` seconds, then cancel the rest."""
        jobs = list(self.jobs.values())
        for job in jobs:
            job.inbox.end_reason = CONCLUDED
            job.inbox.finish_with(Conclude())
        tasks = [job.task for job in jobs]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                self.counters["jobs cancelled after grace"] += len(pending)
                await asyncio.wait(pending)
        self.jobs.clear()

    def cancel_all(self) -> list[asyncio.Task[None]]:
        """Cancel every job at once (the subsystem itself is being cancelled); their tasks."""
        tasks = []
        for job in self.jobs.values():
            job.inbox.end_reason = job.inbox.end_reason or CONCLUDED
            job.task.cancel()
            tasks.append(job.task)
        self.jobs.clear()
        return tasks

    def idle(self) -> bool:
        """No job has work queued, under way, or outstanding in the background."""
        return all(job.inbox.idle() for job in self.jobs.values())


class JobSubsystem(ABC):
    """A subsystem of per-relay-parent jobs (implementers' guide, "On Overseer Signal"): a job per
    activated leaf (`run_job`), the job of each deactivated relay parent ended, `ToJob` messages
    whose event is one of `accepts` routed to their relay parent's job, and on Conclude the
    queued messages refused, every job told to conclude, `conclude_grace` seconds for them to
    finish, then exit. A request that no job serves (no job, a full job inbox, its leaf
    deactivated, the job crashed or concluded) is answered through `refuse` and counted under
    "requests refused: <reason>"; `call_timeout` is the time limit of each collaborator call its
    jobs make (None: no limit)."""

    name: str
    accepts: ClassVar[tuple[type, ...]]

    def __init__(
        self,
        conclude_grace: float,
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT,
        inbox_capacity: int = JOB_INBOX_CAPACITY,
    ) -> None:
        self.conclude_grace = conclude_grace
        self.call_timeout = call_timeout
        self.jobs = JobManager(
            self.name, inbox_capacity, request_of=self.request_of, unserved=self._unserved
        )

    @abstractmethod
    async def run_job(self, leaf: ActivatedLeaf, ctx: SubsystemContext, inbox: JobInbox) -> None:
        """One job's life, from the activation of `leaf` until its inbox gives it `Conclude`."""

    @abstractmethod
    def refuse(self, message: ToJob, reason: str) -> None:
        """Answer a request in `message` that no job will serve (`reason`: one of NO_JOB,
        CONCLUDED, INBOX_FULL, LEAF_DEACTIVATED, JOB_CRASHED, JOB_ENDED)."""

    def request_of(self, event: object) -> asyncio.Future[Any] | None:
        """The reply future of a request event, None for any other event."""
        return None

    def admit(self, event: object) -> str | None:
        """Why an accepted event cannot be taken (dropped with that reason), or None."""
        return None

    def released(self, update: ActiveLeavesUpdate) -> tuple[bytes, ...]:
        """The relay parents whose jobs end on `update`: its deactivated leaves. A subsystem
        whose jobs outlive their leaf (today's backing, over the implicit view) says otherwise."""
        return update.deactivated

    @abstractmethod
    def forget(self, relay_parent: bytes) -> None:
        """Release what the subsystem keeps for `relay_parent` once its leaf is deactivated."""

    async def call(self, name: str, call: Awaitable[T]) -> T:
        """A collaborator call under `call_timeout` (see `call_with_limit`). A timeout or any
        exception from it is counted by call name and raised as `CallFailed`."""
        try:
            return await call_with_limit(name, call, self.call_timeout, self.jobs.counters)
        except CallTimedOut as e:
            raise CallFailed(name, str(e)) from e
        except Exception as e:
            self.jobs.counters[f"call failed: {name}"] += 1
            raise CallFailed(name, f"{type(e).__name__}: {e}") from e

    def _unserved(self, relay_parent: bytes, event: object, reason: str) -> None:
        future = self.request_of(event)
        if future is not None and not future.done():
            self.jobs.counters[f"requests refused: {reason}"] += 1
            self.refuse(ToJob(relay_parent, event), reason)  # type: ignore[arg-type]

    def _refuse_queued(self, ctx: SubsystemContext) -> None:
        for message in ctx.inbox.drain():
            if isinstance(message, ToJob):
                self.jobs.drop(CONCLUDED, message.event)
                self._unserved(message.relay_parent, message.event, CONCLUDED)
            else:
                self.jobs.drop(CONCLUDED, message)

    async def run(self, ctx: SubsystemContext) -> None:
        try:
            await self._loop(ctx)
        except asyncio.CancelledError:
            # Cancelled (the overseer gave up waiting): no job or queued request outlives us.
            tasks = self.jobs.cancel_all()
            self._refuse_queued(ctx)
            if tasks:
                # Let the cancelled jobs end, so their requests are answered before we exit.
                await asyncio.wait(tasks, timeout=self.conclude_grace)
            raise

    async def _loop(self, ctx: SubsystemContext) -> None:
        # Nothing here awaits a job: forwarding only offers the message to the job's inbox.
        while True:
            item = await ctx.recv()
            if isinstance(item, ActiveLeavesUpdate):
                for relay_parent in self.released(item):
                    self.jobs.end(relay_parent)
                    self.forget(relay_parent)
                for leaf in item.activated:
                    self.jobs.start(leaf.hash, functools.partial(self.run_job, leaf, ctx))
            elif isinstance(item, Conclude):
                self._refuse_queued(ctx)
                await self.jobs.conclude(self.conclude_grace)
                # What senders queued while the jobs concluded.
                self._refuse_queued(ctx)
                return
            elif isinstance(item, ToJob) and isinstance(item.event, self.accepts):
                reason = self.admit(item.event)
                if reason is not None:
                    self.jobs.drop(reason, item.event)
                    continue
                reason = self.jobs.forward(item.relay_parent, item.event)
                if reason is not None:
                    self._unserved(item.relay_parent, item.event, reason)
            else:
                self.jobs.drop("unknown message type", item)
