# The Block Authorship Provisioning Job as a pure machine (implementers' guide, "Provisioner",
# "Block Authorship Provisioning Job", full and early forms; `ProvisioningJob` of
# polkadot@8dd1e0d3 and polkadot@c4ee9d46 node/core/provisioner/src/lib.rs):
# `step(state, event) -> (state, effects)`.
# What belongs here: the job's events (inputs), effects (outputs), its state and its transitions.
# The shell starts the pre-propose timer, fetches the chain data the job is created with,
# delivers replies and forwards data to subscribers; the job never reads a clock or does I/O.
#
# Rules, one per event:
# - provisionable data (bitfield, backed candidate, misbehaviour report, dispute): forwarded to
#   every subscriber in subscription order (the early "Provisioner" page), then kept, in
#   arrival order, no dedup.
# - RequestInherentData before the timer fired: parked; after: answered at once.
# - TimerFired: the job becomes ready and answers every parked request, oldest first.
# - Subscribe / SubscriberClosed: add / drop a block author's channel.
# - Conclude: parked requests are cancelled (the node drops their senders), the job ends.
# Rejected, leaving state unchanged and emitting nothing: any event after Conclude, a second
# TimerFired, a Subscribe for a known id, a SubscriberClosed for an unknown id, a request id
# already parked.
#
# Misbehaviour reports and dispute data are kept and counted but never put into the inherent:
# the inherent has no place for a report, and disputes enter only through the dispute
# coordinator's votes (`DisputeInputs`) as in the node's `note_provisionable_data`. Subscribers
# receive them.
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from pyrsistent import pmap, pvector
from pyrsistent.typing import PMap, PVector

from ..errors import UnsupportedType
from ..evolve import evolver
from ..records.backed import BackedCandidate
from ..records.candidate import PersistedValidationData
from ..records.cores import AnyCoreState, OccupiedCoreAssumption
from ..records.inherent import ProvisionerInherentData
from ..records.statements import SignedAvailabilityBitfield
from ..signals import Conclude
from ..thresholds import AvailabilityThreshold, availability_threshold_met
from .assemble import assemble_inherent_data
from .dispute_selection import DisputeInputs

__all__ = [
    "PRE_PROPOSE_TIMEOUT_MS",
    "CancelRequest",
    "ForwardToSubscriber",
    "JobConcluded",
    "ProvisionerEffect",
    "ProvisionerEvent",
    "ProvisionerJobState",
    "ReceiveBackedCandidate",
    "ReceiveBitfield",
    "ReceiveDispute",
    "ReceiveMisbehaviourReport",
    "ReplyInherentData",
    "RequestInherentData",
    "StartTimer",
    "Subscribe",
    "SubscriberClosed",
    "TimerFired",
    "start_job",
    "step",
]

PRE_PROPOSE_TIMEOUT_MS = 2000

# -- events (inputs) ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReceiveBitfield:
    bitfield: SignedAvailabilityBitfield


@dataclass(frozen=True, slots=True)
class ReceiveBackedCandidate:
    candidate: BackedCandidate


@dataclass(frozen=True, slots=True)
class ReceiveMisbehaviourReport:
    """A misbehaviour report from backing: the validator and the evidence (kept opaque)."""

    validator_index: int
    report: object


@dataclass(frozen=True, slots=True)
class ReceiveDispute:
    """Dispute data as the node's `ProvisionableData::Dispute(relay_parent, signature)`."""

    relay_parent: bytes
    signature: bytes


@dataclass(frozen=True, slots=True)
class RequestInherentData:
    """A block author asks for inherent data; `disputes` is what the shell fetched for dispute
    selection at the time of the request (None: no disputes). `validation_data`, when given, is
    the persisted validation data the shell fetched at the time of the request (the node queries
    the runtime in `select_candidates`) and replaces the job's own.
    `request_id` is any hashable token the caller chooses; the core only compares it and hands it
    back in the reply effect (`ReplyInherentData` or `CancelRequest`)."""

    request_id: Hashable
    disputes: DisputeInputs | None = None
    validation_data: PMap[tuple[int, OccupiedCoreAssumption], PersistedValidationData] | None = None


@dataclass(frozen=True, slots=True)
class Subscribe:
    """A block author's channel that receives every later datum (early "Provisioner" guide page).
    `subscriber_id` is any hashable token the caller chooses; the core only compares it and hands
    it back in `ForwardToSubscriber`."""

    subscriber_id: Hashable


@dataclass(frozen=True, slots=True)
class SubscriberClosed:
    """The channel of `subscriber_id` (the token given to `Subscribe`) is gone."""

    subscriber_id: Hashable


@dataclass(frozen=True, slots=True)
class TimerFired:
    """The pre-propose timer started by `StartTimer` has elapsed."""


ProvisionableDatum = Union[  # noqa: UP007
    ReceiveBitfield, ReceiveBackedCandidate, ReceiveMisbehaviourReport, ReceiveDispute
]
ProvisionerEvent = Union[  # noqa: UP007
    ProvisionableDatum, RequestInherentData, Subscribe, SubscriberClosed, TimerFired, Conclude
]

# -- effects (outputs) -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartTimer:
    milliseconds: int


@dataclass(frozen=True, slots=True)
class ReplyInherentData:
    request_id: Hashable
    data: ProvisionerInherentData


@dataclass(frozen=True, slots=True)
class ForwardToSubscriber:
    subscriber_id: Hashable
    datum: ProvisionableDatum


@dataclass(frozen=True, slots=True)
class CancelRequest:
    """The request will never be answered (the job concluded); the shell closes it."""

    request_id: Hashable


@dataclass(frozen=True, slots=True)
class JobConcluded:
    pass


ProvisionerEffect = Union[  # noqa: UP007
    StartTimer, ReplyInherentData, ForwardToSubscriber, CancelRequest, JobConcluded
]

# -- state -------------------------------------------------------------------------------------


@dataclass(frozen=True)  # no slots: `evolve` copies its __dict__ in one step (core/evolve.py)
class ProvisionerJobState:
    """One job per relay parent: the chain data fetched at activation and what arrived since."""

    cores: tuple[AnyCoreState, ...]
    block_number: int
    validation_data: PMap[tuple[int, OccupiedCoreAssumption], PersistedValidationData]
    threshold: AvailabilityThreshold = availability_threshold_met
    bitfields: PVector[SignedAvailabilityBitfield] = field(default_factory=pvector)
    candidates: PVector[BackedCandidate] = field(default_factory=pvector)
    misbehaviour_reports: PVector[ReceiveMisbehaviourReport] = field(default_factory=pvector)
    dispute_data: PVector[ReceiveDispute] = field(default_factory=pvector)
    subscribers: PVector[Hashable] = field(default_factory=pvector)
    parked: PVector[RequestInherentData] = field(default_factory=pvector)
    ready: bool = False
    concluded: bool = False

    @property
    def misbehaviour_count(self) -> int:
        return len(self.misbehaviour_reports)

    @property
    def dispute_count(self) -> int:
        return len(self.dispute_data)


_evolve = evolver(ProvisionerJobState)

Effects = tuple[ProvisionerEffect, ...]
Step = tuple[ProvisionerJobState, Effects]


def start_job(
    cores: Sequence[AnyCoreState],
    block_number: int,
    validation_data: Mapping[tuple[int, OccupiedCoreAssumption], PersistedValidationData],
    *,
    pre_propose_ms: int = PRE_PROPOSE_TIMEOUT_MS,
    threshold: AvailabilityThreshold = availability_threshold_met,
) -> Step:
    """A fresh job for an activated leaf, with the timer it needs (the node's `InherentAfter`:
    requests are
    not served before `PRE_PROPOSE_TIMEOUT`, 2000 ms from leaf activation)."""
    state = ProvisionerJobState(tuple(cores), block_number, pmap(validation_data), threshold)
    return state, (StartTimer(pre_propose_ms),)


def step(state: ProvisionerJobState, event: ProvisionerEvent) -> Step:
    """The job's one entry point ("Block Authorship Provisioning Job"; the node's job loop).
    Deterministic; a rejected event returns the same state and no effects."""
    if state.concluded:
        return state, ()
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise UnsupportedType(f"provisioner job step: {event!r} is not a provisioner event")
    return handler(state, event)


def _answer(state: ProvisionerJobState, request: RequestInherentData) -> ReplyInherentData:
    data = assemble_inherent_data(
        state.cores,
        state.bitfields,
        state.candidates,
        state.block_number,
        state.validation_data if request.validation_data is None else request.validation_data,
        request.disputes,
        threshold=state.threshold,
    )
    return ReplyInherentData(request.request_id, data)


def _forward(state: ProvisionerJobState, datum: ProvisionableDatum) -> Effects:
    return tuple(ForwardToSubscriber(s, datum) for s in state.subscribers)


def _on_bitfield(state: ProvisionerJobState, e: Any) -> Step:
    return _evolve(state, bitfields=state.bitfields.append(e.bitfield)), _forward(state, e)


def _on_candidate(state: ProvisionerJobState, e: Any) -> Step:
    return _evolve(state, candidates=state.candidates.append(e.candidate)), _forward(state, e)


def _on_misbehaviour(state: ProvisionerJobState, e: Any) -> Step:
    reports = state.misbehaviour_reports.append(e)
    return _evolve(state, misbehaviour_reports=reports), _forward(state, e)


def _on_dispute(state: ProvisionerJobState, e: Any) -> Step:
    return _evolve(state, dispute_data=state.dispute_data.append(e)), _forward(state, e)


def _on_request(state: ProvisionerJobState, e: Any) -> Step:
    if state.ready:
        return state, (_answer(state, e),)
    if any(p.request_id == e.request_id for p in state.parked):
        return state, ()
    return _evolve(state, parked=state.parked.append(e)), ()


def _on_timer(state: ProvisionerJobState, e: Any) -> Step:
    if state.ready:
        return state, ()
    replies = tuple(_answer(state, r) for r in state.parked)
    return _evolve(state, ready=True, parked=pvector()), replies


def _on_subscribe(state: ProvisionerJobState, e: Any) -> Step:
    if e.subscriber_id in state.subscribers:
        return state, ()
    return _evolve(state, subscribers=state.subscribers.append(e.subscriber_id)), ()


def _on_closed(state: ProvisionerJobState, e: Any) -> Step:
    if e.subscriber_id not in state.subscribers:
        return state, ()
    return _evolve(state, subscribers=state.subscribers.remove(e.subscriber_id)), ()


def _on_conclude(state: ProvisionerJobState, e: Any) -> Step:
    cancels = tuple(CancelRequest(r.request_id) for r in state.parked)
    return _evolve(state, concluded=True, parked=pvector()), (*cancels, JobConcluded())


_HANDLERS: dict[type, Callable[[ProvisionerJobState, Any], Step]] = {
    ReceiveBitfield: _on_bitfield,
    ReceiveBackedCandidate: _on_candidate,
    ReceiveMisbehaviourReport: _on_misbehaviour,
    ReceiveDispute: _on_dispute,
    RequestInherentData: _on_request,
    TimerFired: _on_timer,
    Subscribe: _on_subscribe,
    SubscriberClosed: _on_closed,
    Conclude: _on_conclude,
}
