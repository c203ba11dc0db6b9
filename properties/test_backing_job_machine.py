# The backing job (`step` of core/backing/job.py) run in lockstep with a plain model of the same
# rules (implementers' guide, "Candidate Backing", "Candidate Backing Job"; polkadot@c4ee9d46
# node/core/backing/src/lib.rs): plain dicts, sets and lists for what we
# seconded, what we issued, what validation work is under way, whom we would fetch a PoV from,
# what went to the provisioner and which misbehaviours were reported; the statement table's part
# is the table machine's own model. Every rule predicts the exact effects; the negative rules
# (anything after Conclude, a duplicate, an index outside the validator set, a result nobody
# asked for, a Second we must refuse) assert that the state is unchanged and nothing comes out.
#
# Early votes: the model keeps a plain list of the votes held for candidates nobody has seconded
# yet (at most EARLY_TOTAL, EARLY_EACH per sender, small so that runs reach both limits), released
# in arrival order when the Seconded comes and expired at Conclude.
#
# World: validators 0-5, para 100 backed by (0, 1, 2) (majority 2), para 200 by (3, 4, 5). We are
# validator 0, assigned to para 100. Signatures are made up: the shell checks them, not the job.
# At most 2 evidence records per offender, so that runs reach the cap.
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from backable.core import (
    BackedCandidate,
    BitVec,
    CommittedCandidateReceipt,
    Conclude,
    Explicit,
    Implicit,
    Invalid,
    PersistedValidationData,
    PoV,
    Seconded,
    SignedStatement,
    TableContext,
    Valid,
)
from backable.core.backing.events import (
    EARLY_VOTE_ALREADY_HELD,
    EARLY_VOTE_BUFFER_FULL,
    EARLY_VOTE_EXPIRED,
    EARLY_VOTE_LIMIT_PER_VALIDATOR,
    AvailableDataStored,
    BackingEvent,
    CandidateInvalid,
    CandidateValid,
    EarlyVoteDropped,
    EarlyVoteHeld,
    EarlyVoteImported,
    FetchPoV,
    GetBackedCandidates,
    ImportToDisputeCoordinator,
    MisbehaviorOverCap,
    PoVFetched,
    PoVUnavailable,
    ReceiveStatement,
    ReplyBackedCandidates,
    ReportInvalidToCandidateSelection,
    ReportMisbehavior,
    Second,
    SendBackedToProvisioner,
    ShareStatement,
    SignStatement,
    StatementSigned,
    StoreAvailableData,
    ValidateCandidate,
    ValidationFailed,
)
from backable.core.backing.job import BackingJobError, BackingJobState, new_backing_job, step
from backable.core.records.statements import AnyStatement
from properties.backing_strategies import CONTEXT, candidate, fake, public_key
from properties.test_table_machine import INVALID, ISSUED, KIND_NAMES, VALID
from properties.test_table_machine import Model as TableModel

US, OUR_PARA = 0, 100
GROUPS = {100: (0, 1, 2), 200: (3, 4, 5)}
VALIDATORS = tuple(public_key(i) for i in range(6))
EVIDENCE_CAP = 2
CTX = TableContext(GROUPS, max_evidence_per_validator=EVIDENCE_CAP)
EARLY_TOTAL, EARLY_EACH = 4, 2
CANDIDATES = (candidate(100, 1), candidate(100, 2), candidate(100, 4), candidate(200, 3))
BY_HASH = {c.hash(): c for c in CANDIDATES}
POV = PoV(b"block data")
PVD = PersistedValidationData(b"parent", 1, b"\x09" * 32, 5 << 20)
SESSION = CONTEXT.session_index

candidates = st.sampled_from(CANDIDATES)
kinds = st.sampled_from((Seconded, Valid, Invalid))


def _statement(kind: type, c: CommittedCandidateReceipt) -> AnyStatement:
    return Seconded(c) if kind is Seconded else kind(c.hash())


def _comparable(effects: tuple[Any, ...]) -> list[Any]:
    # Misbehaviour evidence is checked by kind and accused (the table machine checks its content).
    return [
        ("misbehavior", e.validator_index, KIND_NAMES[type(e.misbehavior)])
        if isinstance(e, ReportMisbehavior)
        else e
        for e in effects
    ]


class BackingJobMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state: BackingJobState = new_backing_job(
            CONTEXT,
            VALIDATORS,
            CTX,
            US,
            OUR_PARA,
            early_vote_limit=EARLY_TOTAL,
            early_votes_per_validator=EARLY_EACH,
        )
        self.table = TableModel(dict(GROUPS), None, False, EVIDENCE_CAP)
        self.held: list[SignedStatement] = []  # early votes, in arrival order
        self.seconded: bytes | None = None
        self.issued: set[bytes] = set()
        self.awaiting: list[AnyStatement] = []  # SignStatement asked, StatementSigned not yet
        self.work: dict[bytes, tuple[str, bool]] = {}  # hash -> (phase, seconding)
        self.fallbacks: dict[bytes, tuple[int, list[int]]] = {}  # hash -> (fetch from, backers)
        self.sent: list[bytes] = []  # backed candidates sent to the provisioner, in order
        self.signs: list[AnyStatement] = []  # every statement we asked to sign
        self.accepted: list[SignedStatement] = []  # network statements the table took as votes
        self.concluded = False
        self.steps = 0  # events that went through _step

    # helpers --------------------------------------------------------------------------------

    def _step(self, event: BackingEvent) -> list[Any]:
        self.steps += 1
        self.state, effects = step(self.state, event)
        return _comparable(effects)

    def _unchanged(self, event: BackingEvent) -> None:
        before = self.state
        after, effects = step(before, event)
        assert effects == () and after == before

    def _backed(self, h: bytes) -> BackedCandidate:
        # The model's BackedCandidate: Seconded/Valid votes by position in the group (C.8).
        para, votes = self.table.candidates[h]
        group = GROUPS[para]
        placed = sorted(
            (group.index(v), Implicit(sig) if kind == ISSUED else Explicit(sig))
            for v, (kind, sig) in votes.items()
            if kind != INVALID
        )
        return BackedCandidate(
            BY_HASH[h],
            tuple(a for _, a in placed),
            BitVec.from_indices(len(group), [p for p, _ in placed]),
        )

    def _import(self, signed: SignedStatement, own: bool) -> list[Any]:
        """The effects the model expects from importing `signed` (the node's `import_statement`)."""
        h, statement, sender = signed.candidate_hash, signed.statement, signed.validator_index
        if not own and not isinstance(statement, Seconded) and h not in self.table.candidates:
            return self._hold(signed)
        expected: list[Any] = []
        known = isinstance(statement, Seconded) or h in self.table.candidates
        new_candidate = isinstance(statement, Seconded) and h not in self.table.candidates
        reported = len(self.table.misbehaviors)
        excess = sum(self.table.excess.values())
        summary = self.table.do(signed)
        over_cap = sum(self.table.excess.values()) > excess
        if not own and summary is None and len(self.table.misbehaviors) == reported:
            if over_cap:
                return [MisbehaviorOverCap(sender)]  # counted only
            return []  # an exact duplicate or a replayed offence: nothing at all
        if known:
            expected.append(ImportToDisputeCoordinator(BY_HASH[h].to_plain(), SESSION, signed))
        if summary is not None and h not in self.sent and h in self.table.backable():
            expected.append(SendBackedToProvisioner(self._backed(h)))
            self.sent.append(h)
        expected += [("misbehavior", v, name) for v, name in self.table.misbehaviors[reported:]]
        if own:
            expected.append(ShareStatement(signed))
        elif summary is not None and summary.group_id == OUR_PARA:
            expected += self._maybe_validate(statement, sender)
        if new_candidate and h in self.table.candidates:
            released = [s for s in self.held if s.candidate_hash == h]
            self.held = [s for s in self.held if s.candidate_hash != h]
            for s in released:
                expected.append(EarlyVoteImported(s))
                expected += self._import(s, own=False)
        return expected

    def _hold(self, signed: SignedStatement) -> list[Any]:
        """A vote on a candidate nobody seconded yet waits, if there is room for it."""
        mine = sum(s.validator_index == signed.validator_index for s in self.held)
        if signed in self.held:
            return [EarlyVoteDropped(signed, EARLY_VOTE_ALREADY_HELD)]
        if mine >= EARLY_EACH:
            return [EarlyVoteDropped(signed, EARLY_VOTE_LIMIT_PER_VALIDATOR)]
        if len(self.held) >= EARLY_TOTAL:
            return [EarlyVoteDropped(signed, EARLY_VOTE_BUFFER_FULL)]
        self.held.append(signed)
        return [EarlyVoteHeld(signed)]

    def _maybe_validate(self, statement: AnyStatement, sender: int) -> list[Any]:
        h = statement.candidate_hash
        if h not in self.fallbacks:
            if not isinstance(statement, Seconded):
                return []
            self.fallbacks[h] = (sender, [])
        elif isinstance(statement, Invalid) or sender == US:
            return []
        elif h in self.work:
            self.fallbacks[h][1].append(sender)
            return []
        else:
            self.fallbacks[h] = (sender, self.fallbacks[h][1])
        return self._kick_off(h)

    def _kick_off(self, h: bytes) -> list[Any]:
        if h in self.issued or h in self.work:
            return []
        self.work[h] = ("fetching", False)
        return [FetchPoV(self.fallbacks[h][0], h, BY_HASH[h].descriptor.pov_hash)]

    def _sign(self, h: bytes, statement: AnyStatement) -> list[Any]:
        self.issued.add(h)
        self.awaiting.append(statement)
        self.signs.append(statement)
        return [SignStatement(statement)]

    def _invalid(self, h: bytes) -> list[Any]:
        _, seconding = self.work.pop(h)
        self.fallbacks.pop(h, None)
        expected: list[Any] = []
        if seconding:
            expected.append(ReportInvalidToCandidateSelection(BY_HASH[h].to_plain()))
        if h not in self.issued:
            expected += self._sign(h, Invalid(h))
        return expected

    def _in_phase(self, phase: str) -> list[bytes]:
        return sorted(h for h, (p, _) in self.work.items() if p == phase)

    # Second ---------------------------------------------------------------------------------

    @precondition(lambda self: not self.concluded)
    @rule(c=candidates)
    def second(self, c: CommittedCandidateReceipt) -> None:
        h = c.hash()
        refused = (
            c.descriptor.para_id != OUR_PARA
            or self.seconded is not None
            or h in self.issued
            or h in self.work
        )
        event = Second(c.to_plain(), POV)
        if refused:
            self._unchanged(event)  # not our para, already seconded, issued, or under way
            return
        assert self._step(event) == [ValidateCandidate(c.to_plain(), POV)]
        self.work[h] = ("validating", True)

    # Statements from the network ------------------------------------------------------------

    @precondition(lambda self: not self.concluded)
    @rule(c=candidates, kind=kinds, v=st.integers(1, 5), tag=st.integers(0, 1))
    def receive_a_statement(
        self, c: CommittedCandidateReceipt, kind: type, v: int, tag: int
    ) -> None:
        # From any other validator, in or outside the candidate's group, sometimes a second
        # signature of a statement already seen (a double sign).
        self._receive(fake(_statement(kind, c), v, tag))

    @precondition(lambda self: not self.concluded)
    @rule(
        c=st.sampled_from(CANDIDATES[:2]),
        kind=st.sampled_from((Seconded, Valid)),
        v=st.sampled_from(GROUPS[OUR_PARA][1:]),
    )
    def a_group_member_vouches(self, c: CommittedCandidateReceipt, kind: type, v: int) -> None:
        # The common, honest case, drawn often enough to reach backing and attesting.
        self._receive(fake(_statement(kind, c), v))

    def _receive(self, signed: SignedStatement) -> None:
        duplicate = signed in self.accepted
        before = self.state
        expected = self._import(signed, own=False)
        assert self._step(ReceiveStatement(signed)) == expected
        if duplicate:
            assert self.state == before
        elif self._recorded(signed):
            self.accepted.append(signed)

    def _recorded(self, signed: SignedStatement) -> bool:
        # Whether the model's table holds this very vote (kind and signature).
        votes = self.table.candidates.get(signed.candidate_hash, (0, {}))[1]
        kind = {Seconded: ISSUED, Valid: VALID, Invalid: INVALID}[type(signed.statement)]
        return votes.get(signed.validator_index) == (kind, signed.signature)

    @precondition(lambda self: not self.concluded and bool(self.accepted))
    @rule(data=st.data())
    def a_duplicate_changes_nothing(self, data: st.DataObject) -> None:
        # The exact statement again: no change and no output (the dispute coordinator already
        # has it from the first delivery).
        signed = data.draw(st.sampled_from(self.accepted))
        before = self.state
        effects = self._step(ReceiveStatement(signed))
        assert effects == []
        assert self.state == before

    @precondition(
        lambda self: (
            not self.concluded and any(p == OUR_PARA for p, _ in self.table.candidates.values())
        )
    )
    @rule(data=st.data(), v=st.sampled_from(GROUPS[200]), kind=st.sampled_from((Valid, Invalid)))
    def a_vote_from_outside_the_group_is_only_evidence(
        self, data: st.DataObject, v: int, kind: type
    ) -> None:
        ours = sorted(h for h, (p, _) in self.table.candidates.items() if p == OUR_PARA)
        h = data.draw(st.sampled_from(ours))
        signed = fake(kind(h), v)
        votes_before = self.state.table.votes(h)
        sent_before = list(self.sent)
        expected = self._import(signed, own=False)
        # New evidence, or the same offence again (nothing), or one beyond the cap (counted).
        assert expected in (
            [
                ImportToDisputeCoordinator(BY_HASH[h].to_plain(), SESSION, signed),
                ("misbehavior", v, "unauthorized"),
            ],
            [],
            [MisbehaviorOverCap(v)],
        )
        assert self._step(ReceiveStatement(signed)) == expected
        assert self.state.table.votes(h) == votes_before and self.sent == sent_before

    @precondition(lambda self: not self.concluded)
    @rule(c=candidates, kind=kinds, v=st.integers(6, 2**32 - 1))
    def an_index_outside_the_validator_set_changes_nothing(
        self, c: CommittedCandidateReceipt, kind: type, v: int
    ) -> None:
        self._unchanged(ReceiveStatement(fake(_statement(kind, c), v)))

    # Our own statements ---------------------------------------------------------------------

    @precondition(lambda self: not self.concluded and bool(self.awaiting))
    @rule(data=st.data())
    def our_statement_is_signed(self, data: st.DataObject) -> None:
        statement = data.draw(st.sampled_from(self.awaiting))
        self.awaiting.remove(statement)
        signed = fake(statement, US)
        expected = self._import(signed, own=True)
        assert self._step(StatementSigned(signed)) == expected

    @precondition(lambda self: not self.concluded)
    @rule(c=candidates, kind=kinds)
    def a_signature_nobody_asked_for_is_refused(
        self, c: CommittedCandidateReceipt, kind: type
    ) -> None:
        statement = _statement(kind, c)
        if statement in self.awaiting:
            return
        before = self.state
        with pytest.raises(BackingJobError, match="was not requested"):
            step(self.state, StatementSigned(fake(statement, US)))
        assert self.state == before

    # Background results ---------------------------------------------------------------------

    @precondition(lambda self: not self.concluded and bool(self._in_phase("fetching")))
    @rule(data=st.data(), served=st.booleans())
    def pov_result(self, data: st.DataObject, served: bool) -> None:
        h = data.draw(st.sampled_from(self._in_phase("fetching")))
        if served:
            assert self._step(PoVFetched(h, POV)) == [ValidateCandidate(BY_HASH[h].to_plain(), POV)]
            self.work[h] = ("validating", False)
            return
        expected: list[Any] = []
        del self.work[h]
        fallback = self.fallbacks.get(h)
        if fallback is not None and fallback[1]:
            self.fallbacks[h] = (fallback[1][0], fallback[1][1:])
            expected = self._kick_off(h)
        assert self._step(PoVUnavailable(h)) == expected

    @precondition(lambda self: not self.concluded and bool(self._in_phase("validating")))
    @rule(
        data=st.data(),
        verdict=st.sampled_from(("valid", "wrong commitments", "invalid", "failed")),
    )
    def validation_result(self, data: st.DataObject, verdict: str) -> None:
        h = data.draw(st.sampled_from(self._in_phase("validating")))
        c = BY_HASH[h]
        if verdict == "valid":
            assert self._step(CandidateValid(h, c.commitments, PVD)) == [
                StoreAvailableData(h, US, len(VALIDATORS), POV, PVD, c.descriptor.erasure_root)
            ]
            self.work[h] = ("storing", self.work[h][1])
        elif verdict == "wrong commitments":
            other = next(o for o in CANDIDATES if o.commitments != c.commitments)
            expected = self._invalid(h)
            assert self._step(CandidateValid(h, other.commitments, PVD)) == expected
        elif verdict == "invalid":
            expected = self._invalid(h)
            assert self._step(CandidateInvalid(h, "bad")) == expected
        else:
            del self.work[h]
            assert self._step(ValidationFailed(h, "worker died")) == []

    @precondition(lambda self: not self.concluded and bool(self._in_phase("storing")))
    @rule(data=st.data(), stored=st.booleans())
    def store_result(self, data: st.DataObject, stored: bool) -> None:
        h = data.draw(st.sampled_from(self._in_phase("storing")))
        if not stored:  # the store refused data that misses the erasure root: invalid (C.4)
            expected = self._invalid(h)
            assert self._step(CandidateInvalid(h, "erasure root mismatch")) == expected
            return
        _, seconding = self.work.pop(h)
        self.fallbacks.pop(h, None)
        expected = []
        if h not in self.issued and not (seconding and self.seconded is not None):
            if seconding:
                self.seconded = h
                expected = self._sign(h, Seconded(BY_HASH[h]))
            else:
                expected = self._sign(h, Valid(h))
        assert self._step(AvailableDataStored(h)) == expected

    @precondition(lambda self: not self.concluded)
    @rule(c=candidates, data=st.data())
    def a_result_for_a_candidate_not_being_worked_on_changes_nothing(
        self, c: CommittedCandidateReceipt, data: st.DataObject
    ) -> None:
        h = c.hash()
        phase = self.work.get(h, ("none", False))[0]
        unasked: list[BackingEvent] = []
        if phase != "fetching":
            unasked += [PoVFetched(h, POV), PoVUnavailable(h)]
        if phase != "validating":
            unasked.append(CandidateValid(h, c.commitments, PVD))
        if phase != "storing":
            unasked.append(AvailableDataStored(h))
        if phase not in ("validating", "storing"):
            unasked += [CandidateInvalid(h), ValidationFailed(h)]
        self._unchanged(data.draw(st.sampled_from(unasked)))

    # Requests and the end -------------------------------------------------------------------

    @precondition(lambda self: not self.concluded)
    @rule(hashes=st.lists(st.sampled_from(list(BY_HASH)), max_size=4), request_id=st.integers(0, 9))
    def get_backed_candidates(self, hashes: list[bytes], request_id: int) -> None:
        backable = self.table.backable()
        reply = ReplyBackedCandidates(
            request_id, tuple(self._backed(h) for h in hashes if h in backable)
        )
        before = self.state
        assert self._step(GetBackedCandidates(request_id, tuple(hashes))) == [reply]
        assert self.state == before

    # Not before step 20: drawn as often as any rule, an early Conclude would leave the rest of
    # most runs to the after-Conclude rule.
    @precondition(lambda self: not self.concluded and self.steps >= 20)
    @rule()
    def conclude(self) -> None:
        # Votes still held never met their Seconded: they expire, in arrival order.
        expected = [EarlyVoteDropped(s, EARLY_VOTE_EXPIRED) for s in self.held]
        self.held = []
        assert self._step(Conclude()) == expected
        self.concluded = True

    @precondition(lambda self: self.concluded)
    @rule(c=candidates, kind=kinds, data=st.data())
    def any_event_after_conclude_changes_nothing(
        self, c: CommittedCandidateReceipt, kind: type, data: st.DataObject
    ) -> None:
        h = c.hash()
        event = data.draw(
            st.sampled_from(
                [
                    Second(c.to_plain(), POV),
                    ReceiveStatement(fake(_statement(kind, c), 1)),
                    StatementSigned(fake(_statement(kind, c), US)),
                    GetBackedCandidates(1, (h,)),
                    CandidateValid(h, c.commitments, PVD),
                    CandidateInvalid(h),
                    ValidationFailed(h),
                    PoVFetched(h, POV),
                    PoVUnavailable(h),
                    AvailableDataStored(h),
                    Conclude(),
                ]
            )
        )
        self._unchanged(event)

    # Invariants -----------------------------------------------------------------------------

    @invariant()
    def the_job_agrees_with_the_model(self) -> None:
        s = self.state
        assert s.seconded == self.seconded
        assert set(s.issued) == self.issued
        assert {h: (w.phase.value, w.seconding) for h, w in s.work.items()} == self.work
        assert {h: (a.from_validator, list(a.backing)) for h, a in s.fallbacks.items()} == (
            self.fallbacks
        )
        assert set(s.backed) == set(self.sent)
        assert s.reported == len(self.table.misbehaviors)
        assert set(s.signing) == set(self.awaiting)
        assert s.concluded == self.concluded
        assert list(s.early_votes) == self.held
        per: dict[int, int] = {}
        for held in self.held:
            per[held.validator_index] = per.get(held.validator_index, 0) + 1
        assert dict(s.early_per_validator) == per
        assert len(self.held) <= EARLY_TOTAL and all(n <= EARLY_EACH for n in per.values())

    @invariant()
    def backed_candidates_are_sent_at_most_once(self) -> None:
        assert len(self.sent) == len(set(self.sent))

    @invariant()
    def we_second_at_most_once_and_never_contradict_ourselves(self) -> None:
        assert sum(isinstance(s, Seconded) for s in self.signs) <= 1
        for_ = {s.candidate_hash for s in self.signs if not isinstance(s, Invalid)}
        against = {s.candidate_hash for s in self.signs if isinstance(s, Invalid)}
        assert not for_ & against
        assert len(self.signs) == len({s.candidate_hash for s in self.signs})


TestBackingJobMachine = BackingJobMachine.TestCase
