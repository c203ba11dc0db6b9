# The statement table run in lockstep with a plain-dict model of the same rules (`import_statement`
# of polkadot@c4ee9d46 statement-table/src/generic.rs, with the seed's Invalid), after zarr's and
# pyrsistent's stateful tests.
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from backable.core import (
    CommittedCandidateReceipt,
    DoubleSign,
    Invalid,
    MultipleCandidates,
    Seconded,
    SignedStatement,
    Summary,
    Table,
    TableContext,
    UnauthorizedStatement,
    Valid,
    ValidityDoubleVote,
    attested_candidate,
    import_statement,
)
from properties.backing_strategies import CANDIDATES, GROUPS, fake, signed, statements

ISSUED, VALID, INVALID = "issued", "valid", "invalid"
KIND_NAMES = {
    MultipleCandidates: "multiple",
    UnauthorizedStatement: "unauthorized",
    DoubleSign: "double sign",
    ValidityDoubleVote: "double vote",
}


class Model:
    """The rules in the plainest form: mutable dicts and lists."""

    def __init__(
        self,
        groups: dict[int, tuple[int, ...]],
        minimum: int | None,
        multiple: bool,
        cap: int = 8,
    ):
        self.groups, self.minimum, self.multiple, self.cap = groups, minimum, multiple, cap
        self.candidates: dict[bytes, tuple[int, dict[int, tuple[str, bytes]]]] = {}
        self.proposals: dict[int, list[bytes]] = {}
        self.misbehaviors: list[tuple[int, str]] = []
        # One record per offence: the offender, the kind and the statements involved, each
        # named by (kind, candidate hash, signature); at most `cap` kept per offender, the rest
        # counted in `excess`.
        self.offences: dict[int, list[tuple[str, frozenset[tuple[str, bytes, bytes]]]]] = {}
        self.excess: dict[int, int] = {}

    def member(self, v: int, para: int) -> bool:
        return v in self.groups.get(para, ())

    def do(self, s: SignedStatement) -> Summary | None:
        v, sig, st_ = s.validator_index, s.signature, s.statement
        h = s.candidate_hash
        kind = ISSUED if isinstance(st_, Seconded) else VALID if isinstance(st_, Valid) else INVALID
        this = (kind, h, sig)
        if isinstance(st_, Seconded):
            para = st_.candidate.descriptor.para_id
            if not self.member(v, para):
                return self.bad(v, "unauthorized", this)
            mine = self.proposals.get(v, [])
            if mine and h not in mine and not self.multiple:
                first = mine[0]
                first_sig = self.candidates[first][1][v][1]
                return self.bad(v, "multiple", this, (ISSUED, first, first_sig))
        else:
            if h not in self.candidates:
                return None
            para = self.candidates[h][0]
            if not self.member(v, para):
                return self.bad(v, "unauthorized", this)
        votes = self.candidates.get(h, (para, {}))[1]
        if v in votes:
            if votes[v] == (kind, sig):
                return None
            name = "double sign" if votes[v][0] == kind else "double vote"
            return self.bad(v, name, this, (votes[v][0], h, votes[v][1]))
        self.candidates.setdefault(h, (para, votes))
        votes[v] = (kind, sig)
        if kind == ISSUED and h not in self.proposals.setdefault(v, []):
            self.proposals[v].append(h)
        return Summary(h, para, sum(k != INVALID for k, _ in votes.values()))

    def bad(self, v: int, name: str, *statements: tuple[str, bytes, bytes]) -> None:
        offence = (name, frozenset(statements))
        kept = self.offences.setdefault(v, [])
        if offence in kept:
            return None  # the same offence again: nothing new
        if len(kept) >= self.cap:
            self.excess[v] = self.excess.get(v, 0) + 1
            return None
        kept.append(offence)
        self.misbehaviors.append((v, name))
        return None

    def backable(self) -> set[bytes]:
        out = set()
        for h, (para, votes) in self.candidates.items():
            if para not in self.groups:
                continue
            # The rule's text ("Candidate Backing": "a majority of supporting Statements" of the
            # group; the current network's `minimum_backing_votes`, capped at the group size).
            size = len(self.groups[para])
            need = size // 2 + 1 if self.minimum is None else min(size, self.minimum)
            if sum(k != INVALID for k, _ in votes.values()) >= need:
                out.add(h)
        return out


class TableMachine(RuleBasedStateMachine):
    @initialize(
        minimum=st.sampled_from((None, 1, 2)), multiple=st.booleans(), cap=st.integers(1, 3)
    )
    def start(self, minimum: int | None, multiple: bool, cap: int) -> None:
        # A small evidence cap, so that runs reach it.
        self.ctx = TableContext(GROUPS, minimum, multiple, max_evidence_per_validator=cap)
        self.model = Model(dict(GROUPS), minimum, multiple, cap)
        self.table = Table()
        self.accepted: list[SignedStatement] = []
        self.misbehaving: list[SignedStatement] = []  # statements refused as new evidence

    @rule(s=statements())
    def import_a_statement(self, s: SignedStatement) -> None:
        count = self.table.misbehavior_count
        self.table, summary = import_statement(self.table, self.ctx, s)
        assert summary == self.model.do(s)
        if summary is not None:
            self.accepted.append(s)
        if self.table.misbehavior_count > count:
            self.misbehaving.append(s)

    @precondition(lambda self: bool(self.misbehaving))
    @rule(data=st.data())
    def a_replayed_misbehaving_statement_changes_nothing(self, data: st.DataObject) -> None:
        # One record per offence: the same offending statement again is no new evidence, and no
        # vote. It can be a new offence, though, when the table has moved on since: a Seconded
        # refused for a double vote is also a second proposal once its sender has seconded
        # another candidate (found with --hypothesis-seed=72491979711487511806733540601721784779;
        # tests/test_table.py pins the case). The model says which: its evidence is unchanged
        # exactly when the offence is the one already recorded.
        s = data.draw(st.sampled_from(self.misbehaving))
        evidence = (list(self.model.misbehaviors), dict(self.model.excess))
        assert self.model.do(s) is None
        after, summary = import_statement(self.table, self.ctx, s)
        assert summary is None
        if (self.model.misbehaviors, self.model.excess) == evidence:
            assert after is self.table
        self.table = after

    @precondition(lambda self: bool(self.accepted))
    @rule(data=st.data())
    def a_duplicate_changes_nothing(self, data: st.DataObject) -> None:
        s = data.draw(st.sampled_from(self.accepted))
        after, summary = import_statement(self.table, self.ctx, s)
        assert summary is None and after == self.table

    @precondition(lambda self: any(self.table.candidate(c.hash()) is None for c in CANDIDATES))
    @rule(data=st.data(), v=st.integers(0, 8))
    def a_vote_on_an_unknown_candidate_changes_nothing(self, data: st.DataObject, v: int) -> None:
        unknown = [c for c in CANDIDATES if self.table.candidate(c.hash()) is None]
        c = data.draw(st.sampled_from(unknown))
        after, summary = import_statement(self.table, self.ctx, fake(Valid(c.hash()), v))
        assert summary is None and after is self.table

    @rule(c=st.sampled_from(CANDIDATES), data=st.data())
    def a_statement_from_outside_the_group_is_only_evidence(
        self, c: CommittedCandidateReceipt, data: st.DataObject
    ) -> None:
        # Negative rule: no vote, no summary, and one UnauthorizedStatement naming the sender,
        # unless that offence is already recorded or the sender's evidence is at the cap.
        # (A Valid on an unknown candidate is dropped before membership: it has its own rule.)
        para = c.descriptor.para_id
        v = data.draw(st.sampled_from([w for w in range(9) if w not in GROUPS[para]]))
        known = self.table.candidate(c.hash()) is not None
        kind = data.draw(st.sampled_from((Seconded, Valid) if known else (Seconded,)))
        s = fake(Seconded(c) if kind is Seconded else Valid(c.hash()), v)
        before = self.table
        kept = before.misbehaviors.get(v, ())
        self.table, summary = import_statement(self.table, self.ctx, s)
        if self.table.misbehavior_count > before.misbehavior_count:
            self.misbehaving.append(s)
        assert summary is None and self.model.do(s) is None
        assert self.table.candidate_hashes() == before.candidate_hashes()
        assert self.table.votes(c.hash()) == before.votes(c.hash())
        new = self.table.misbehaviors_since(before.misbehavior_count)
        if UnauthorizedStatement(s) in kept:
            assert self.table is before
        elif len(kept) >= self.ctx.max_evidence_per_validator:
            assert new == ()
            assert self.table.excess_misbehaviors[v] == before.excess_misbehaviors.get(v, 0) + 1
        else:
            assert new == ((v, UnauthorizedStatement(s)),)

    @precondition(lambda self: bool(self.accepted))
    @rule(data=st.data())
    def an_equivocation_is_evidence_not_a_vote(self, data: st.DataObject) -> None:
        # The same validator, the same candidate, another statement: the other signature of the
        # same statement (double sign) or another kind (double vote). No summary, the votes stay.
        s = data.draw(st.sampled_from(self.accepted))
        h = s.candidate_hash
        c = next(c for c in CANDIDATES if c.hash() == h)
        other = data.draw(st.sampled_from([Seconded(c), Valid(h), Invalid(h)]))
        copy = data.draw(st.integers(0, 1))
        conflicting = signed(other, s.validator_index, copy)
        if conflicting == s:
            conflicting = signed(other, s.validator_index, 1 - copy)
        before = self.table
        self.table, summary = import_statement(self.table, self.ctx, conflicting)
        assert summary is None
        assert self.model.do(conflicting) is None
        assert self.table.votes(h) == before.votes(h)
        if self.table.misbehavior_count > before.misbehavior_count:
            self.misbehaving.append(conflicting)

    @precondition(lambda self: bool(self.model.candidates))
    @rule(data=st.data())
    def an_invalid_vote_from_the_group_is_counted_as_no_support(self, data: st.DataObject) -> None:
        # A member who has not voted says Invalid: a new vote (a summary), but the count of
        # supporting votes it reports is what it was.
        h = data.draw(st.sampled_from(sorted(self.model.candidates)))
        para, votes = self.model.candidates[h]
        fresh = [v for v in GROUPS[para] if v not in votes]
        if not fresh:
            return
        v = data.draw(st.sampled_from(fresh))
        support = sum(kind != INVALID for kind, _ in votes.values())
        s = signed(Invalid(h), v, data.draw(st.integers(0, 1)))
        self.table, summary = import_statement(self.table, self.ctx, s)
        assert summary == self.model.do(s) == Summary(h, para, support)
        self.accepted.append(s)

    @invariant()
    def same_candidates_votes_and_evidence(self) -> None:
        assert set(self.table.candidate_hashes()) == set(self.model.candidates)
        for h, (_, votes) in self.model.candidates.items():
            assert [(v, sig) for v, _, sig in self.table.votes(h)] == sorted(
                (v, sig) for v, (_, sig) in votes.items()
            )
        found = [(v, KIND_NAMES[type(m)]) for v, m in self.table.misbehaviors_since(0)]
        assert found == self.model.misbehaviors
        assert dict(self.table.excess_misbehaviors) == self.model.excess
        assert all(
            len(ms) <= self.ctx.max_evidence_per_validator
            for ms in self.table.misbehaviors.values()
        )

    @invariant()
    def same_backable_candidates(self) -> None:
        mine = {c.hash() for c in CANDIDATES if attested_candidate(self.table, c.hash(), self.ctx)}
        assert mine == self.model.backable()


TestTableMachine = TableMachine.TestCase
