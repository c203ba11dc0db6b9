# The provisioning job against a plain model, in lockstep (rule-based state machine): data kept
# in arrival order, requests parked until the timer, replies equal to the pure pass over the
# model's data, and rejected events leave state unchanged with no effects.
from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from backable.core import (
    BitVec,
    Conclude,
    OccupiedCoreAssumption,
    ScheduledCore,
    assemble_inherent_data,
)
from backable.core.provisioner.job import (
    CancelRequest,
    ForwardToSubscriber,
    JobConcluded,
    ReceiveBackedCandidate,
    ReceiveBitfield,
    ReceiveMisbehaviourReport,
    ReplyInherentData,
    RequestInherentData,
    Subscribe,
    SubscriberClosed,
    TimerFired,
    start_job,
    step,
)
from properties.provisioner_strategies import backed, bitfield, occupied, pvd

CORES = (occupied(BitVec.zeros(3), next_up_on_available=2), ScheduledCore(1))
VD = {(1, OccupiedCoreAssumption.FREE): pvd(0), (2, OccupiedCoreAssumption.INCLUDED): pvd(0)}


class ProvisionerJobMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state, _ = start_job(CORES, 5, VD)
        self.bitfields: list[Any] = []
        self.candidates: list[Any] = []
        self.subscribers: list[int] = []
        self.parked: list[int] = []
        self.ready = False
        self.concluded = False
        self.next_request = 0

    def _expected_reply(self, request_id: int) -> ReplyInherentData:
        return ReplyInherentData(
            request_id, assemble_inherent_data(CORES, self.bitfields, self.candidates, 5, VD)
        )

    def _unchanged(self, event: Any) -> None:
        before = self.state
        self.state, effects = step(self.state, event)
        assert effects == () and self.state == before

    @precondition(lambda self: not self.concluded)
    @rule(bits=st.sampled_from(("00", "10", "01", "11", "1")), v=st.integers(0, 3))
    def bitfield_arrives(self, bits: str, v: int) -> None:
        event = ReceiveBitfield(bitfield(bits, v))
        self.state, effects = step(self.state, event)
        assert effects == tuple(ForwardToSubscriber(s, event) for s in self.subscribers)
        self.bitfields.append(event.bitfield)

    @precondition(lambda self: not self.concluded)
    @rule(para=st.sampled_from((1, 2, 3)), salt=st.integers(0, 2))
    def candidate_arrives(self, para: int, salt: int) -> None:
        event = ReceiveBackedCandidate(backed(para, salt=salt))
        self.state, effects = step(self.state, event)
        assert effects == tuple(ForwardToSubscriber(s, event) for s in self.subscribers)
        self.candidates.append(event.candidate)

    @precondition(lambda self: not self.concluded)
    @rule()
    def misbehaviour_arrives(self) -> None:
        before = self.state.misbehaviour_count
        self.state, _ = step(self.state, ReceiveMisbehaviourReport(0, "evidence"))
        assert self.state.misbehaviour_count == before + 1

    @precondition(lambda self: not self.concluded)
    @rule()
    def request(self) -> None:
        rid = self.next_request
        self.next_request += 1
        self.state, effects = step(self.state, RequestInherentData(rid))
        if self.ready:
            assert effects == (self._expected_reply(rid),)
        else:
            assert effects == ()
            self.parked.append(rid)

    @precondition(lambda self: not self.concluded and self.parked)
    @rule()
    def repeated_parked_request_is_rejected(self) -> None:
        self._unchanged(RequestInherentData(self.parked[0]))

    @precondition(lambda self: not self.concluded and not self.ready)
    @rule()
    def timer_fires(self) -> None:
        self.state, effects = step(self.state, TimerFired())
        assert effects == tuple(self._expected_reply(r) for r in self.parked)
        self.parked.clear()
        self.ready = True

    @precondition(lambda self: self.ready or self.concluded)
    @rule()
    def second_timer_is_rejected(self) -> None:
        self._unchanged(TimerFired())

    @precondition(lambda self: not self.concluded)
    @rule(sid=st.integers(0, 3))
    def subscribe(self, sid: int) -> None:
        if sid in self.subscribers:
            self._unchanged(Subscribe(sid))
        else:
            self.state, effects = step(self.state, Subscribe(sid))
            assert effects == ()
            self.subscribers.append(sid)

    @precondition(lambda self: not self.concluded)
    @rule(sid=st.integers(0, 3))
    def subscriber_closes(self, sid: int) -> None:
        if sid not in self.subscribers:
            self._unchanged(SubscriberClosed(sid))
        else:
            self.state, effects = step(self.state, SubscriberClosed(sid))
            assert effects == ()
            self.subscribers.remove(sid)

    @precondition(lambda self: not self.concluded)
    @rule()
    def conclude(self) -> None:
        self.state, effects = step(self.state, Conclude())
        assert effects == (*(CancelRequest(r) for r in self.parked), JobConcluded())
        self.parked.clear()
        self.concluded = True

    @precondition(lambda self: self.concluded)
    @rule()
    def everything_after_conclusion_is_rejected(self) -> None:
        for event in (RequestInherentData(99), ReceiveBitfield(bitfield("10", 0)), Conclude()):
            self._unchanged(event)

    @invariant()
    def state_matches_the_model(self) -> None:
        assert list(self.state.bitfields) == self.bitfields
        assert list(self.state.candidates) == self.candidates
        assert list(self.state.subscribers) == self.subscribers
        assert [r.request_id for r in self.state.parked] == self.parked
        assert self.state.ready == self.ready and self.state.concluded == self.concluded


TestProvisionerJobMachine = ProvisionerJobMachine.TestCase
