# Laws of the statement table: order independence, rejected statements change nothing but the
# evidence log, monotone quorum, and evidence that a third party can verify.
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backable.core import (
    Invalid,
    MultipleCandidates,
    Seconded,
    SignedStatement,
    Table,
    TableContext,
    UnauthorizedStatement,
    Valid,
    ValidityDoubleVote,
    attested_candidate,
    import_statement,
    statement_signing_payload,
    verify_signature,
)
from backable.core.records.misbehavior import DoubleSign
from properties.backing_strategies import CANDIDATES, CONTEXT, GROUPS, public_key, statements

HASHES = tuple(c.hash() for c in CANDIDATES)
contexts = st.builds(
    TableContext,
    st.just(GROUPS),
    st.sampled_from((None, 1, 2)),
    st.booleans(),
)
statement_lists = st.lists(statements(), max_size=40)


def run(ctx: TableContext, items: list[SignedStatement]) -> Table:
    table = Table()
    for s in items:
        table, _ = import_statement(table, ctx, s)
    return table


def seconded_first(ctx: TableContext, items: list[SignedStatement]) -> list[SignedStatement]:
    """The same statements, each vote held back until a group member's Seconded of its
    candidate was delivered."""
    seen: set[bytes] = set()
    held: dict[bytes, list[SignedStatement]] = {}
    out: list[SignedStatement] = []
    for s in items:
        h = s.candidate_hash
        if isinstance(s.statement, Seconded):
            out.append(s)
            para = s.statement.candidate.descriptor.para_id
            if h not in seen and ctx.is_member_of(s.validator_index, para):
                seen.add(h)
                out.extend(held.pop(h, []))
        elif h in seen:
            out.append(s)
        else:
            held.setdefault(h, []).append(s)
    for h in sorted(held):
        out.extend(held[h])
    return out


def equivocators(ctx: TableContext, items: list[SignedStatement]) -> set[int]:
    seconded: dict[int, set[bytes]] = {}
    for s in items:
        st_ = s.statement
        if isinstance(st_, Seconded) and ctx.is_member_of(
            s.validator_index, st_.candidate.descriptor.para_id
        ):
            seconded.setdefault(s.validator_index, set()).add(s.candidate_hash)
    return {v for v, hs in seconded.items() if len(hs) > 1}


def backable(table: Table, ctx: TableContext) -> set[bytes]:
    return {h for h in HASHES if attested_candidate(table, h, ctx) is not None}


@given(contexts, statement_lists, st.randoms(use_true_random=False))
def test_import_order_does_not_change_who_misbehaved_or_what_is_backable(
    ctx: TableContext, items: list[SignedStatement], rnd: object
) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a = run(ctx, seconded_first(ctx, items))
    b = run(ctx, seconded_first(ctx, shuffled))
    bad_a, bad_b = set(a.misbehaviors), set(b.misbehaviors)
    if ctx.allow_multiple_seconded or not equivocators(ctx, items):
        assert bad_a == bad_b
    else:
        # An equivocator's rejected Seconded can leave a candidate unknown in one order only,
        # so the votes on it are judged in one order and dropped in the other. Everyone else
        # (and the equivocators themselves, refused in either order) misbehaved or not alike.
        cheats = equivocators(ctx, items)
        contested = {
            s.candidate_hash
            for s in items
            if s.validator_index in cheats and isinstance(s.statement, Seconded)
        }
        judged_alike = cheats | {s.validator_index for s in items} - {
            s.validator_index for s in items if s.candidate_hash in contested
        }
        assert bad_a & judged_alike == bad_b & judged_alike
    # A misbehaving voter's counted vote depends on which of its two votes came first, so
    # compare candidates on which nobody misbehaved (with an equivocating seconder among them).
    tainted = bad_a | bad_b | equivocators(ctx, items)
    clean = {
        h
        for h in HASHES
        if not any(s.validator_index in tainted for s in items if s.candidate_hash == h)
    }
    assert backable(a, ctx) & clean == backable(b, ctx) & clean


@given(contexts, statement_lists, statements())
def test_a_rejected_statement_leaves_the_table_as_it_was(
    ctx: TableContext, items: list[SignedStatement], extra: SignedStatement
) -> None:
    before = run(ctx, items)
    snapshot = [(h, before.votes(h)) for h in before.candidate_hashes()]
    log = before.misbehaviors_since(0)
    after, summary = import_statement(before, ctx, extra)
    # The old table is never changed, whatever happened.
    assert [(h, before.votes(h)) for h in before.candidate_hashes()] == snapshot
    assert before.misbehaviors_since(0) == log
    if summary is None:
        assert [(h, after.votes(h)) for h in after.candidate_hashes()] == snapshot
        new = after.misbehavior_count - before.misbehavior_count
        over = after.excess_count - before.excess_count
        # At most one new record, or one offence counted beyond the cap; otherwise nothing.
        assert (new, over) in ((0, 0), (1, 0), (0, 1))
        if (new, over) == (0, 0):
            assert after == before
    else:
        assert after.misbehavior_count == before.misbehavior_count
        assert after.excess_count == before.excess_count


@given(contexts, statement_lists, st.data())
def test_a_replayed_misbehaving_statement_leaves_the_table_equal(
    ctx: TableContext, items: list[SignedStatement], data: st.DataObject
) -> None:
    # One record per offence: whatever came before, importing a statement that was just
    # recorded as misbehaviour once more changes nothing and reports nothing.
    table = Table()
    offending: list[SignedStatement] = []
    for s in items:
        after, _ = import_statement(table, ctx, s)
        if after.misbehavior_count > table.misbehavior_count:
            offending.append(s)
        table = after
    if not offending:
        return
    s = data.draw(st.sampled_from(offending))
    replayed, summary = import_statement(table, ctx, s)
    assert summary is None and replayed == table and replayed is table


@given(contexts, statement_lists)
def test_the_quorum_is_monotone_in_votes(ctx: TableContext, items: list[SignedStatement]) -> None:
    table = Table()
    was: set[bytes] = set()
    for s in items:
        table, _ = import_statement(table, ctx, s)
        now = backable(table, ctx)
        assert was <= now
        was = now


def signed_by(s: SignedStatement, accused: int) -> bool:
    payload = statement_signing_payload(s.statement, CONTEXT)
    key = public_key(accused)
    return s.validator_index == accused and verify_signature(payload, s.signature, key)


@given(contexts, statement_lists)
def test_every_misbehavior_record_verifies(ctx: TableContext, items: list[SignedStatement]) -> None:
    table = run(ctx, items)
    for v, m in table.misbehaviors_since(0):
        assert m.accused == v
        found = m.signed_statements()
        assert all(signed_by(s, v) for s in found)
        if isinstance(m, UnauthorizedStatement):
            (s,) = found
            para = next(c.descriptor.para_id for c in CANDIDATES if c.hash() == s.candidate_hash)
            assert not ctx.is_member_of(v, para)
            continue
        first, second = found
        if isinstance(m, MultipleCandidates):
            assert not ctx.allow_multiple_seconded
            assert first.candidate_hash != second.candidate_hash
            continue
        assert first.candidate_hash == second.candidate_hash
        if isinstance(m, DoubleSign):
            assert first.statement == second.statement and first.signature != second.signature
        else:
            assert isinstance(m, ValidityDoubleVote)
            kinds = {type(first.statement), type(second.statement)}
            assert len(kinds) == 2 and kinds <= {Seconded, Valid, Invalid}
