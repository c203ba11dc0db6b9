# The backing job under today's rules (core/backing/async_job.py) run in lockstep with a plain
# model written from the rules' text (E.4.3; polkadot-sdk@320318ab
# polkadot/node/core/backing/src/lib.rs): a statement's core is its sender's group's core; a
# Seconded counts only if that core's claim queue names its para; a candidate belongs to the
# core of its first seconder's group and only that group votes on it; it is backed with
# min(group size, minimum_backing_votes) votes; a validator may second several candidates;
# statements from disabled validators are dropped and never counted; a fresh candidate waits for
# prospective parachains, and everything naming it waits with it. The job here is an observer:
# our own seconding is the example tests' subject; this machine is about counting votes.
#
# World: validators 0-7; groups (0, 1, 2, 3) on core 0, (4, 5) on core 1, (6,) on core 2,
# validator 7 in none; the claim queue gives core 0 para 100 twice, core 1 paras 200 then 100
# (para 100 may be backed on two cores), core 2 para 300; para 400 is nobody's. Validators 2 and
# 5 are disabled. minimum_backing_votes 3: quorums 3, 2 and 1. Early votes: at most 4 held, 2
# per sender, so runs reach both limits. Signatures are made up: one per validator.
from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from backable.core import (
    AsyncBackingJobState,
    BackableCandidateRef,
    BackedCandidate,
    BitVec,
    CandidateBackedToDistribution,
    CandidateBackedToProspective,
    ClaimQueue,
    CommittedCandidateReceipt,
    Conclude,
    Explicit,
    GetBackableCandidates,
    GroupRotationInfo,
    Implicit,
    IntroduceSecondedCandidate,
    Invalid,
    PersistedValidationData,
    ReplyBackableCandidates,
    Seconded,
    SecondedCandidateIntroduced,
    SignedStatement,
    StatementDropped,
    StatementDropReason,
    UnauthorizedStatement,
    Valid,
    ValidityDoubleVote,
    async_backing_setup,
    backable_candidate,
    get_backable_candidates,
    new_async_backing_job,
)
from backable.core import async_backing_step as step
from backable.core.backing.events import (
    EARLY_VOTE_ALREADY_HELD,
    EARLY_VOTE_BUFFER_FULL,
    EARLY_VOTE_EXPIRED,
    EARLY_VOTE_LIMIT_PER_VALIDATOR,
    EarlyVoteDropped,
    EarlyVoteHeld,
    EarlyVoteImported,
    ReceiveStatement,
    ReportMisbehavior,
)
from properties.backing_strategies import fake, public_key
from tests.async_builders import CONTEXT, PARENT, candidate

GROUPS = ((0, 1, 2, 3), (4, 5), (6,))
CORE_OF = {v: core for core, group in enumerate(GROUPS) for v in group}
CLAIMS = {0: (100, 100), 1: (200, 100), 2: (300,)}
DISABLED = frozenset({2, 5})
MBV = 3
VALIDATORS = tuple(public_key(i) for i in range(8))
EARLY_TOTAL, EARLY_EACH = 4, 2
SETUP = async_backing_setup(
    GROUPS, GroupRotationInfo(0, 10, 1), ClaimQueue(CLAIMS), MBV, max_evidence_per_validator=100
)

_MADE = [
    candidate(100, b"a1"),
    candidate(100, b"a2", b"a1"),
    candidate(100, b"a3"),
    candidate(200, b"b1"),
    candidate(300, b"c1"),
    candidate(400, b"d1"),
]
CANDIDATES = tuple(c for c, _, _ in _MADE)
PVD = {c.hash(): pvd for c, pvd, _ in _MADE}
BY_HASH = {c.hash(): c for c in CANDIDATES}
ISSUED, VALID = "issued", "valid"

candidates = st.sampled_from(CANDIDATES)
validators = st.integers(0, len(VALIDATORS) - 1)


def quorum(core: int) -> int:
    # The rule's text: `min(group size, minimum_backing_votes)` (E.4.3 step 3).
    return min(len(GROUPS[core]), MBV)


def _comparable(effects: tuple[Any, ...]) -> list[Any]:
    # Misbehaviour evidence is compared by accused and kind; the table machine checks content.
    names = {UnauthorizedStatement: "unauthorized", ValidityDoubleVote: "double vote"}
    return [
        ("misbehavior", e.validator_index, names.get(type(e.misbehavior), "other"))
        if isinstance(e, ReportMisbehavior)
        else e
        for e in effects
    ]


class AsyncBackingJobMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state: AsyncBackingJobState = new_async_backing_job(
            CONTEXT,
            VALIDATORS,
            SETUP,
            None,
            DISABLED,
            early_vote_limit=EARLY_TOTAL,
            early_votes_per_validator=EARLY_EACH,
        )
        # candidate hash -> (core, {validator: (kind, signature)}), the table's part
        self.table: dict[bytes, tuple[int, dict[int, tuple[str, bytes]]]] = {}
        self.offences: set[object] = set()
        self.known: set[bytes] = set()
        self.pending: dict[bytes, list[SignedStatement]] = {}  # awaiting prospective parachains
        self.held: list[SignedStatement] = []
        self.sent: list[bytes] = []  # announced as backed, in order
        self.concluded = False
        self.steps = 0

    # helpers --------------------------------------------------------------------------------

    def _step(self, event: Any) -> list[Any]:
        self.steps += 1
        self.state, effects = step(self.state, event)
        return _comparable(effects)

    def _unchanged(self, event: Any) -> list[Any]:
        before = self.state
        after, effects = step(before, event)
        assert after is before
        return _comparable(effects)

    def _import(self, signed: SignedStatement) -> list[Any]:
        """What the rules say one statement does to the table, and the effects they predict."""
        v, h = signed.validator_index, signed.candidate_hash
        kind = ISSUED if isinstance(signed.statement, Seconded) else VALID
        created = h not in self.table
        if created:
            # Only a Seconded creates an entry: its sender's core becomes the candidate's.
            assert kind == ISSUED, "a Valid reaches the table only for a seconded candidate"
            self.table[h] = (CORE_OF[v], {})
        core, votes = self.table[h]
        if v not in GROUPS[core]:
            return self._offence(v, "unauthorized", ("unauthorized", signed))
        if v in votes:
            if votes[v] == (kind, signed.signature):
                return []  # the very vote again
            return self._offence(v, "double vote", ("double vote", v, h))
        votes[v] = (kind, signed.signature)
        expected: list[Any] = []
        if h not in self.sent and len(votes) >= quorum(core):
            self.sent.append(h)
            para = BY_HASH[h].descriptor.para_id
            expected += [CandidateBackedToProspective(para, h), CandidateBackedToDistribution(h)]
        if created:
            # The votes held for it go to the table now, in the order they arrived.
            released = [s for s in self.held if s.candidate_hash == h]
            self.held = [s for s in self.held if s.candidate_hash != h]
            for s in released:
                expected.append(EarlyVoteImported(s))
                expected += self._import(s)
        return expected

    def _offence(self, v: int, name: str, key: object) -> list[Any]:
        # One report per offence; the same offence again is nothing at all.
        if key in self.offences:
            return []
        self.offences.add(key)
        return [("misbehavior", v, name)]

    def _hold(self, signed: SignedStatement) -> list[Any]:
        mine = sum(s.validator_index == signed.validator_index for s in self.held)
        if signed in self.held:
            return [EarlyVoteDropped(signed, EARLY_VOTE_ALREADY_HELD)]
        if mine >= EARLY_EACH:
            return [EarlyVoteDropped(signed, EARLY_VOTE_LIMIT_PER_VALIDATOR)]
        if len(self.held) >= EARLY_TOTAL:
            return [EarlyVoteDropped(signed, EARLY_VOTE_BUFFER_FULL)]
        self.held.append(signed)
        return [EarlyVoteHeld(signed)]

    def _backed(self, h: bytes) -> BackedCandidate:
        # Votes by position in the group of the candidate's core, then that core in 8 bits.
        core, votes = self.table[h]
        group = GROUPS[core]
        placed = sorted(
            (group.index(v), Implicit(sig) if kind == ISSUED else Explicit(sig))
            for v, (kind, sig) in votes.items()
        )
        bits = BitVec.from_indices(len(group), [p for p, _ in placed])
        return BackedCandidate(
            BY_HASH[h], tuple(a for _, a in placed), bits.concat(BitVec(core, 8))
        )

    # rules ----------------------------------------------------------------------------------

    @precondition(lambda self: not self.concluded)
    @rule(c=candidates, v=validators, with_data=st.booleans())
    def a_seconded_arrives(self, c: CommittedCandidateReceipt, v: int, with_data: bool) -> None:
        h, para = c.hash(), c.descriptor.para_id
        signed = fake(Seconded(c), v)
        pvd: PersistedValidationData | None = PVD[h] if with_data else None
        event = ReceiveStatement(signed, pvd)
        reason: StatementDropReason | None = None
        if v in DISABLED:
            reason = StatementDropReason.DISABLED_VALIDATOR
        elif pvd is None:
            reason = StatementDropReason.MISSING_VALIDATION_DATA
        elif v not in CORE_OF or para not in CLAIMS[CORE_OF[v]]:
            reason = StatementDropReason.CORE_INDEX_UNAVAILABLE
        if reason is not None:
            assert self._unchanged(event) == [StatementDropped(signed, reason)]
            return
        if h in self.known:
            snapshot = (repr(self.table.get(h)), len(self.offences))
            expected = self._import(signed)
            before = self.state
            assert self._step(event) == expected
            if snapshot == (repr(self.table.get(h)), len(self.offences)):
                assert self.state is before  # the very vote or offence again: nothing at all
        elif h in self.pending:
            if signed not in self.pending[h]:
                self.pending[h].append(signed)
            assert self._step(event) == []
        else:
            self.pending[h] = [signed]
            assert self._step(event) == [IntroduceSecondedCandidate(para, c, pvd)]

    @precondition(lambda self: not self.concluded)
    @rule(data=st.data(), core=st.sampled_from(sorted(CLAIMS)))
    def a_group_member_seconds_what_its_core_claims(self, data: st.DataObject, core: int) -> None:
        # The honest case, drawn often enough to reach backing: an enabled member of a core's
        # group seconds a candidate of a para the core claims, with its validation data.
        v = data.draw(st.sampled_from([v for v in GROUPS[core] if v not in DISABLED]))
        c = data.draw(
            st.sampled_from([c for c in CANDIDATES if c.descriptor.para_id in CLAIMS[core]])
        )
        self.a_seconded_arrives(c, v, True)

    @precondition(lambda self: not self.concluded and bool(self.table))
    @rule(data=st.data())
    def a_group_member_vouches(self, data: st.DataObject) -> None:
        h = data.draw(st.sampled_from(sorted(self.table)))
        core = self.table[h][0]
        v = data.draw(st.sampled_from([v for v in GROUPS[core] if v not in DISABLED]))
        self.a_valid_arrives(BY_HASH[h], v)

    @precondition(lambda self: not self.concluded and bool(self.pending))
    @rule(data=st.data(), accepted=st.sampled_from((True, True, True, False)))
    def prospective_parachains_answer(self, data: st.DataObject, accepted: bool) -> None:
        h = data.draw(st.sampled_from(sorted(self.pending)))
        waiting = self.pending.pop(h)
        expected: list[Any] = []
        if accepted:
            self.known.add(h)
            for signed in waiting:
                expected += self._import(signed)
        else:
            expected = [
                StatementDropped(s, StatementDropReason.REJECTED_BY_PROSPECTIVE_PARACHAINS)
                for s in waiting
            ]
        assert self._step(SecondedCandidateIntroduced(h, accepted)) == expected

    @precondition(lambda self: not self.concluded)
    @rule(c=candidates, v=validators)
    def a_valid_arrives(self, c: CommittedCandidateReceipt, v: int) -> None:
        h = c.hash()
        signed = fake(Valid(h), v)
        event = ReceiveStatement(signed)
        if v in DISABLED or v not in CORE_OF:
            reason = (
                StatementDropReason.DISABLED_VALIDATOR
                if v in DISABLED
                else StatementDropReason.CORE_INDEX_UNAVAILABLE
            )
            assert self._unchanged(event) == [StatementDropped(signed, reason)]
            return
        expected = self._hold(signed) if h not in self.table else self._import(signed)
        assert self._step(event) == expected

    @precondition(lambda self: not self.concluded)
    @rule(c=candidates, v=validators)
    def an_invalid_is_no_statement_today(self, c: CommittedCandidateReceipt, v: int) -> None:
        signed = fake(Invalid(c.hash()), v)
        reason = (
            StatementDropReason.DISABLED_VALIDATOR
            if v in DISABLED
            else StatementDropReason.INVALID_STATEMENT
        )
        assert self._unchanged(ReceiveStatement(signed)) == [StatementDropped(signed, reason)]

    @precondition(lambda self: not self.concluded)
    @rule(c=candidates, v=st.integers(len(VALIDATORS), 2**32 - 1))
    def an_index_outside_the_validator_set_changes_nothing(
        self, c: CommittedCandidateReceipt, v: int
    ) -> None:
        assert self._unchanged(ReceiveStatement(fake(Seconded(c), v), PVD[c.hash()])) == []

    @precondition(lambda self: not self.concluded)
    @rule(c=candidates, accepted=st.booleans())
    def an_answer_nobody_waits_for_changes_nothing(
        self, c: CommittedCandidateReceipt, accepted: bool
    ) -> None:
        if c.hash() in self.pending:
            return
        assert self._unchanged(SecondedCandidateIntroduced(c.hash(), accepted)) == []

    @precondition(lambda self: not self.concluded)
    @rule(
        requested=st.lists(
            st.tuples(
                st.sampled_from((100, 200, 300)),
                st.lists(
                    st.tuples(candidates, st.sampled_from((PARENT, b"\x09" * 32))), max_size=3
                ),
            ),
            max_size=3,
            unique_by=lambda pair: pair[0],
        )
    )
    def the_provisioner_asks_for_backable_candidates(self, requested: list[Any]) -> None:
        # E.4.4: per para, in order, up to the first candidate that is not backed at its parent.
        request = GetBackableCandidates(
            0,
            tuple(
                (para, tuple(BackableCandidateRef(c.hash(), parent) for c, parent in refs))
                for para, refs in requested
            ),
        )
        expected: list[tuple[int, tuple[BackedCandidate, ...]]] = []
        for para, refs in requested:
            found: list[BackedCandidate] = []
            for c, parent in refs:
                if parent != PARENT or c.hash() not in self.sent:
                    break
                found.append(self._backed(c.hash()))
            if found:
                expected.append((para, tuple(found)))
        reply = get_backable_candidates({PARENT: self.state}, request)
        assert reply == ReplyBackableCandidates(0, tuple(expected))

    # Not before step 20: an early Conclude would leave most of a run to the rule after it.
    @precondition(lambda self: not self.concluded and self.steps >= 20)
    @rule()
    def conclude(self) -> None:
        expected = [EarlyVoteDropped(s, EARLY_VOTE_EXPIRED) for s in self.held]
        self.held = []
        assert self._step(Conclude()) == expected
        self.concluded = True

    @precondition(lambda self: self.concluded)
    @rule(c=candidates, v=validators)
    def nothing_changes_after_conclude(self, c: CommittedCandidateReceipt, v: int) -> None:
        assert self._unchanged(ReceiveStatement(fake(Seconded(c), v), PVD[c.hash()])) == []
        assert self._unchanged(SecondedCandidateIntroduced(c.hash(), True)) == []

    # invariants -----------------------------------------------------------------------------

    @invariant()
    def the_job_agrees_with_the_model(self) -> None:
        s = self.state
        assert set(s.known) == self.known
        assert set(s.introducing) == set(self.pending)
        assert set(s.backed) == set(self.sent)
        assert list(s.early_votes) == self.held
        assert set(s.table.candidate_hashes()) == set(self.table)
        for h, (_, votes) in self.table.items():
            assert [v for v, _, _ in s.table.votes(h)] == sorted(votes)

    @invariant()
    def disabled_validators_never_vote(self) -> None:
        for h in self.state.table.candidate_hashes():
            assert not {v for v, _, _ in self.state.table.votes(h)} & DISABLED

    @invariant()
    def each_backed_candidate_has_its_quorum_and_carries_its_seconders_core(self) -> None:
        # The model's core of a candidate is its first seconder's (`_import`); the job's
        # backed candidate must carry exactly that core in its last 8 bits.
        for h in self.sent:
            core, votes = self.table[h]
            assert len(votes) >= quorum(core)
            backed = backable_candidate(self.state, h)
            assert backed == self._backed(h)
            size = len(GROUPS[core])
            assert backed.validator_indices.slice(size, size + 8) == BitVec(core, 8)
        for h in set(self.table) - set(self.sent):
            assert backable_candidate(self.state, h) is None

    @invariant()
    def early_votes_stay_within_their_bounds(self) -> None:
        per: dict[int, int] = {}
        for held in self.held:
            per[held.validator_index] = per.get(held.validator_index, 0) + 1
        assert dict(self.state.early_per_validator) == per
        assert len(self.held) <= EARLY_TOTAL and all(n <= EARLY_EACH for n in per.values())


TestAsyncBackingJobMachine = AsyncBackingJobMachine.TestCase
