# The provisioning job machine (core/provisioner/job.py), as playbooks: `>> event`, `<< effect`.
from __future__ import annotations

from collections.abc import Sequence

import pytest
from pyrsistent import pmap

from backable.core import (
    BackedCandidate,
    BitVec,
    CandidateReceipt,
    CandidateVotes,
    Conclude,
    Confirmed,
    DisputeInputs,
    DisputeStatementSet,
    OccupiedCoreAssumption,
    ProvisionerInherentData,
    ScheduledCore,
    SignedAvailabilityBitfield,
    UnsupportedType,
    ValidExplicit,
    availability_threshold_met,
    runtime_availability_threshold_met,
)
from backable.core.provisioner.job import (
    CancelRequest,
    ForwardToSubscriber,
    JobConcluded,
    ProvisionerJobState,
    ReceiveBackedCandidate,
    ReceiveBitfield,
    ReceiveDispute,
    ReceiveMisbehaviourReport,
    ReplyInherentData,
    RequestInherentData,
    StartTimer,
    Subscribe,
    SubscriberClosed,
    TimerFired,
    start_job,
    step,
)
from properties.provisioner_strategies import backed, bitfield, descriptor, h32, occupied, pvd
from tests.playbook import Playbook, nothing

CORES = (occupied(BitVec.zeros(3)), ScheduledCore(1))
VD = {(1, OccupiedCoreAssumption.FREE): pvd(0)}
BF0, BF1 = bitfield("00", 0), bitfield("10", 1)
CAND = backed(1)


def fresh() -> ProvisionerJobState:
    state, effects = start_job(CORES, 10, VD)
    assert effects == (StartTimer(2000),)
    return state


def reply(
    request_id: int,
    bitfields: Sequence[SignedAvailabilityBitfield] = (),
    candidates: Sequence[BackedCandidate] = (),
) -> ReplyInherentData:
    data = ProvisionerInherentData(tuple(bitfields), tuple(candidates))
    return ReplyInherentData(request_id, data)


def test_the_pre_propose_timer_defaults_to_2000_ms_and_can_be_set() -> None:
    assert start_job(CORES, 10, VD, pre_propose_ms=50)[1] == (StartTimer(50),)


def test_a_request_before_the_timer_is_parked_and_answered_when_it_fires() -> None:
    assert (
        Playbook(step, fresh())
        >> ReceiveBitfield(BF1)
        << nothing
        >> RequestInherentData(1)
        << nothing
        >> ReceiveBackedCandidate(CAND)  # arrives while the request is parked: it counts
        << nothing
        >> RequestInherentData(2)
        << nothing
        >> TimerFired()
        << reply(1, [BF1], [CAND])
        << reply(2, [BF1], [CAND])
        >> TimerFired()
        << nothing
    )


def test_a_request_after_the_timer_is_answered_at_once_with_the_data_so_far() -> None:
    assert (
        Playbook(step, fresh())
        >> TimerFired()
        << nothing
        >> RequestInherentData(1)
        << reply(1)
        >> ReceiveBitfield(BF0)
        << nothing
        >> ReceiveBitfield(BF1)
        << nothing
        >> RequestInherentData(2)
        << reply(2, [BF0, BF1])
    )


def test_a_request_id_already_parked_is_ignored() -> None:
    assert (
        Playbook(step, fresh())
        >> RequestInherentData(1)
        << nothing
        >> RequestInherentData(1)
        << nothing
        >> TimerFired()
        << reply(1)
    )


def test_every_datum_is_copied_to_every_subscriber_until_it_closes() -> None:
    report = ReceiveMisbehaviourReport(3, "double vote")
    dispute = ReceiveDispute(h32(1), bytes(64))
    book = (
        Playbook(step, fresh())
        >> ReceiveBitfield(BF0)
        << nothing
        >> Subscribe(7)
        << nothing
        >> Subscribe(5)
        << nothing
        >> Subscribe(7)
        << nothing
        >> ReceiveBitfield(BF1)
        << ForwardToSubscriber(7, ReceiveBitfield(BF1))
        << ForwardToSubscriber(5, ReceiveBitfield(BF1))
        >> SubscriberClosed(7)
        << nothing
        >> SubscriberClosed(7)
        << nothing
        >> report
        << ForwardToSubscriber(5, report)
        >> dispute
        << ForwardToSubscriber(5, dispute)
        >> TimerFired()
        << nothing
        >> RequestInherentData(1)
        << reply(1, [BF0, BF1])
    )
    assert book
    assert book.state.misbehaviour_count == 1 and book.state.dispute_count == 1
    assert list(book.state.subscribers) == [5]


def test_conclusion_cancels_parked_requests_and_ends_the_job() -> None:
    book = (
        Playbook(step, fresh())
        >> RequestInherentData(1)
        << nothing
        >> RequestInherentData(2)
        << nothing
        >> Conclude()
        << CancelRequest(1)
        << CancelRequest(2)
        << JobConcluded()
        >> TimerFired()
        << nothing
        >> RequestInherentData(3)
        << nothing
        >> ReceiveBitfield(BF0)
        << nothing
        >> Conclude()
        << nothing
    )
    assert book
    assert book.state.concluded and len(book.state.bitfields) == 0


def test_a_non_event_is_the_callers_mistake() -> None:
    with pytest.raises(UnsupportedType, match="not a provisioner event"):
        step(fresh(), "tick")  # type: ignore[arg-type]


def test_validation_data_fetched_with_the_request_replaces_the_jobs_own() -> None:
    # Started with no validation data (the shell fetches it per request, as the node queries the
    # runtime during candidate selection): the candidate is found only with the request's data.
    state, _ = start_job(CORES, 10, {})
    assert (
        Playbook(step, state)
        >> TimerFired()
        >> ReceiveBackedCandidate(CAND)
        >> RequestInherentData(1)
        << reply(1)
        >> RequestInherentData(2, validation_data=pmap(VD))
        << reply(2, candidates=[CAND])
    )


def test_the_jobs_block_number_reaches_candidate_selection() -> None:
    cores = (occupied(BitVec.zeros(3), next_up_on_time_out=1, time_out_at=10),)
    vd = {(1, OccupiedCoreAssumption.TIMED_OUT): pvd(0)}
    for block, expected in ((10, (CAND,)), (11, ())):
        state, _ = start_job(cores, block, vd, pre_propose_ms=0)
        state, _ = step(state, TimerFired())
        state, _ = step(state, ReceiveBackedCandidate(CAND))
        _, effects = step(state, RequestInherentData(1))
        (answer,) = effects
        assert isinstance(answer, ReplyInherentData)
        assert answer.data.backed_candidates == expected, block


def test_the_jobs_threshold_switch_reaches_the_availability_check() -> None:
    # Two of three validators: available by the seed's 2/3, not by the runtime's supermajority.
    cores = (occupied(BitVec.from_str("110"), next_up_on_available=1),)
    vd = {(1, OccupiedCoreAssumption.INCLUDED): pvd(0)}
    for threshold, expected in (
        (availability_threshold_met, (CAND,)),
        (runtime_availability_threshold_met, ()),
    ):
        state, _ = start_job(cores, 10, vd, threshold=threshold)
        state, _ = step(state, TimerFired())
        state, _ = step(state, ReceiveBackedCandidate(CAND))
        _, (answer,) = step(state, RequestInherentData(1))
        assert answer.data.backed_candidates == expected  # type: ignore[union-attr]


def test_the_requests_dispute_inputs_reach_dispute_selection() -> None:
    k = (3, h32(1))
    votes = CandidateVotes(
        CandidateReceipt(descriptor(1), bytes(32)), {0: (ValidExplicit(), bytes(64))}, {}
    )
    state, _ = start_job((), 10, {}, pre_propose_ms=0)
    state, _ = step(state, TimerFired())
    inputs = DisputeInputs({k: Confirmed()}, {}, {k: votes}, now=5)
    _, (answer,) = step(state, RequestInherentData(1, inputs))
    assert answer.data.disputes == (  # type: ignore[union-attr]
        DisputeStatementSet(h32(1), 3, ((ValidExplicit(), 0, bytes(64)),)),
    )


def test_misbehaviour_reports_and_dispute_data_are_kept_as_they_came() -> None:
    report = ReceiveMisbehaviourReport(4, "evidence")
    dispute = ReceiveDispute(h32(7), bytes(64))
    state = fresh()
    state, _ = step(state, report)
    state, _ = step(state, dispute)
    assert list(state.misbehaviour_reports) == [report]
    assert list(state.dispute_data) == [dispute]


def test_request_and_subscriber_ids_are_opaque_tokens_handed_back_unchanged() -> None:
    # The shell passes its reply future and its subscriber queue; any hashable will do.
    request, subscriber = object(), ("author", 1)
    book = (
        Playbook(step, fresh())
        >> Subscribe(subscriber)
        << nothing
        >> ReceiveBitfield(BF0)
        << ForwardToSubscriber(subscriber, ReceiveBitfield(BF0))
        >> RequestInherentData(request)
        << nothing
        >> Conclude()
        << CancelRequest(request)
        << JobConcluded()
    )
    assert book


def test_a_concluded_job_keeps_none_of_the_requests_it_cancelled() -> None:
    # Conclude cancels every parked request (the node drops their senders): none stays parked in
    # the final state, so nothing there could be answered later.
    state, _ = step(fresh(), RequestInherentData(1))
    assert [r.request_id for r in state.parked] == [1]
    state, effects = step(state, Conclude())
    assert effects == (CancelRequest(1), JobConcluded())
    assert state.concluded and list(state.parked) == []
