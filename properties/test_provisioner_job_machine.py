# The provisioning job against a plain model, in lockstep (rule-based state machine): data kept
# in arrival order, requests parked until the timer, replies equal to what the rules' models
# (properties/models.py, written from the guide's text) make of the model's data, and rejected
# events leave state unchanged with no effects. Each run draws its own cores, block number and
# validation data; requests may carry dispute inputs and validation data of their own.
from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from pyrsistent import pmap

from backable.core import (
    BitVec,
    Conclude,
    DisputeInputs,
    SignedAvailabilityBitfield,
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
from properties.models import inherent_data
from properties.provisioner_strategies import (
    backed,
    bitfield,
    candidate_inputs,
    dispute_inputs,
    pvd,
    validation_data_maps,
)


class ProvisionerJobMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.bitfields: list[Any] = []
        self.candidates: list[Any] = []
        self.subscribers: list[int] = []
        self.parked: list[int] = []
        self.ready = False
        self.concluded = False
        self.next_request = 0
        # What each parked request carried: (disputes, validation data or None).
        self.carried: dict[int, tuple[Any, Any]] = {}

    @initialize(case=candidate_inputs())
    def start(self, case: tuple[Any, ...]) -> None:
        self.cores, _, _, self.block, self.vd = case
        self.n_validators = max(
            (len(c.availability) for c in self.cores if hasattr(c, "availability")), default=3
        )
        self.state, _ = start_job(self.cores, self.block, self.vd)

    def _expected_reply(self, request_id: int) -> ReplyInherentData:
        disputes, vd = self.carried.pop(request_id, (None, None))
        return ReplyInherentData(
            request_id,
            inherent_data(
                self.cores,
                self.bitfields,
                self.candidates,
                self.block,
                self.vd if vd is None else vd,
                disputes,
            ),
        )

    def _unchanged(self, event: Any) -> None:
        before = self.state
        self.state, effects = step(self.state, event)
        assert effects == () and self.state == before

    @precondition(lambda self: not self.concluded)
    @rule(data=st.data())
    def bitfield_arrives(self, data: st.DataObject) -> None:
        # Mostly the right length, sometimes one short or long; any bits; a signer possibly one
        # past the validators.
        n = len(self.cores)
        length = data.draw(st.sampled_from((n, n, n, n + 1, max(0, n - 1))))
        bits = data.draw(st.integers(0, (1 << length) - 1))
        v = data.draw(st.integers(0, self.n_validators))
        salt = data.draw(st.integers(0, 3))
        event = ReceiveBitfield(
            SignedAvailabilityBitfield(BitVec(bits, length), v, bytes([salt]) * 64)
        )
        self.state, effects = step(self.state, event)
        assert effects == tuple(ForwardToSubscriber(s, event) for s in self.subscribers)
        self.bitfields.append(event.bitfield)

    @precondition(lambda self: not self.concluded)
    @rule(data=st.data(), code=st.booleans(), salt=st.integers(0, 2))
    def candidate_arrives(self, data: st.DataObject, code: bool, salt: int) -> None:
        # Half the time built on validation data the runtime holds for its para (so that it can
        # be chosen), otherwise any para on any of three validation data.
        fitting = sorted({(para, pvd_) for (para, _), pvd_ in self.vd.items()}, key=repr)
        anything = st.tuples(st.integers(0, 3), st.integers(0, 2).map(pvd))
        para, built_on = data.draw(st.sampled_from(fitting) | anything if fitting else anything)
        event = ReceiveBackedCandidate(
            backed(para, built_on, code=b"code" if code else None, salt=salt)
        )
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
    @rule(
        disputes=st.none() | dispute_inputs(),
        # Mostly the job's own validation data; now and then the request brings other data.
        vd=st.one_of(st.none(), st.none(), st.none(), validation_data_maps()),
    )
    def request(self, disputes: Any, vd: Any) -> None:
        rid = self.next_request
        self.next_request += 1
        inputs = None
        if disputes is not None:
            recent, onchain, votes, now, _ = disputes
            inputs = DisputeInputs(pmap(recent), pmap(onchain), pmap(votes), now)
        self.carried[rid] = (inputs, vd)
        request = RequestInherentData(rid, inputs, None if vd is None else pmap(vd))
        self.state, effects = step(self.state, request)
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
        self.carried.clear()
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
