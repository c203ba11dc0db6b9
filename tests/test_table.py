# The statement table, in the style of polkadot's own statement-table tests: sentences on tiny
# fakes. Signatures are made up (the table never checks them) except where a test says otherwise.
from __future__ import annotations

import pytest

from backable.core import (
    AttestedCandidate,
    BitVec,
    DoubleSign,
    Explicit,
    Implicit,
    Invalid,
    MultipleCandidates,
    Seconded,
    Summary,
    Table,
    TableContext,
    TableError,
    UnauthorizedStatement,
    Valid,
    ValidityDoubleVote,
    attested_candidate,
    attested_to_backed,
    backing_threshold,
    import_statement,
)
from backable.core.records.backed import BackedCandidate
from properties.backing_strategies import candidate, fake, fake_signature

PARA_A, PARA_B = 1, 2
CTX = TableContext({PARA_A: (0, 1, 2), PARA_B: (3, 4, 5)})
C1 = candidate(PARA_A, 1)
C2 = candidate(PARA_A, 2)
H1 = C1.hash()


def run(ctx: TableContext, *statements: object) -> tuple[Table, list[Summary | None]]:
    table = Table()
    summaries = []
    for s in statements:
        table, summary = import_statement(table, ctx, s)  # type: ignore[arg-type]
        summaries.append(summary)
    return table, summaries


def test_submitting_two_candidates_is_misbehavior() -> None:
    table, summaries = run(CTX, fake(Seconded(C1), 0), fake(Seconded(C2), 0, tag=1))
    assert summaries == [Summary(H1, PARA_A, 1), None]
    assert table.misbehaviors == {
        0: (MultipleCandidates((C1, fake_signature(0)), (C2, fake_signature(0, 1)), 0),)
    }
    assert table.candidate(C2.hash()) is None


def test_submitting_two_candidates_is_allowed_by_the_multiple_seconded_switch() -> None:
    ctx = TableContext(CTX.groups, allow_multiple_seconded=True)
    table, summaries = run(ctx, fake(Seconded(C1), 0), fake(Seconded(C2), 0, tag=1))
    assert summaries == [Summary(H1, PARA_A, 1), Summary(C2.hash(), PARA_A, 1)]
    assert table.misbehaviors == {}


def test_seconding_the_same_candidate_again_with_the_same_signature_is_ignored() -> None:
    table, summaries = run(CTX, fake(Seconded(C1), 0), fake(Seconded(C1), 0))
    assert summaries == [Summary(H1, PARA_A, 1), None]
    assert table.misbehaviors == {}


def test_submitting_candidate_from_wrong_group_is_misbehavior() -> None:
    bad = fake(Seconded(C1), 3)
    table, summaries = run(CTX, bad)
    assert summaries == [None]
    assert table.misbehaviors == {3: (UnauthorizedStatement(bad),)}
    assert table.candidate(H1) is None


def test_unauthorized_votes_are_misbehavior() -> None:
    valid, invalid = fake(Valid(H1), 4), fake(Invalid(H1), 5)
    table, summaries = run(CTX, fake(Seconded(C1), 0), valid, invalid)
    assert summaries == [Summary(H1, PARA_A, 1), None, None]
    assert table.misbehaviors == {
        4: (UnauthorizedStatement(valid),),
        5: (UnauthorizedStatement(invalid),),
    }


def test_votes_for_an_unknown_candidate_are_ignored() -> None:
    table, summaries = run(CTX, fake(Valid(H1), 1), fake(Invalid(H1), 2))
    assert summaries == [None, None]
    assert table == Table()


def test_validity_double_vote_is_misbehavior() -> None:
    table, summaries = run(CTX, fake(Seconded(C1), 0), fake(Valid(H1), 1), fake(Valid(H1), 1, 1))
    assert summaries == [Summary(H1, PARA_A, 1), Summary(H1, PARA_A, 2), None]
    assert table.misbehaviors == {
        1: (DoubleSign(DoubleSign.VALID, Valid(H1), fake_signature(1), fake_signature(1, 1), 1),)
    }


def test_candidate_double_signature_is_misbehavior() -> None:
    table, _ = run(CTX, fake(Seconded(C1), 0), fake(Seconded(C1), 0, 1))
    assert table.misbehaviors == {
        0: (
            DoubleSign(
                DoubleSign.SECONDED, Seconded(C1), fake_signature(0), fake_signature(0, 1), 0
            ),
        )
    }


def test_invalid_double_signature_is_misbehavior() -> None:
    table, _ = run(CTX, fake(Seconded(C1), 0), fake(Invalid(H1), 2), fake(Invalid(H1), 2, 1))
    assert table.misbehaviors == {
        2: (
            DoubleSign(DoubleSign.INVALID, Invalid(H1), fake_signature(2), fake_signature(2, 1), 2),
        )
    }


@pytest.mark.parametrize("seconded_first", [True, False])
def test_issue_and_vote_is_misbehavior(seconded_first: bool) -> None:
    # The Valid can come first only if someone else seconded the candidate already.
    seconded, valid = fake(Seconded(C1), 1, 1), fake(Valid(H1), 1, 2)
    order = (seconded, valid) if seconded_first else (valid, seconded)
    table, summaries = run(CTX, fake(Seconded(C1), 0), *order)
    assert summaries == [Summary(H1, PARA_A, 1), Summary(H1, PARA_A, 2), None]
    expected = ValidityDoubleVote(
        ValidityDoubleVote.ISSUED_AND_VALIDITY, C1, fake_signature(1, 1), fake_signature(1, 2), 1
    )
    assert table.misbehaviors == {1: (expected,)}


def test_issue_and_invalid_vote_is_misbehavior() -> None:
    table, _ = run(CTX, fake(Seconded(C1), 0), fake(Invalid(H1), 0, 1))
    assert table.misbehaviors == {
        0: (
            ValidityDoubleVote(
                ValidityDoubleVote.ISSUED_AND_INVALIDITY,
                C1,
                fake_signature(0),
                fake_signature(0, 1),
                0,
            ),
        )
    }


@pytest.mark.parametrize("valid_first", [True, False])
def test_valid_and_invalid_vote_is_misbehavior(valid_first: bool) -> None:
    valid, invalid = fake(Valid(H1), 2, 1), fake(Invalid(H1), 2, 2)
    order = (valid, invalid) if valid_first else (invalid, valid)
    table, summaries = run(CTX, fake(Seconded(C1), 0), *order)
    assert summaries[2] is None
    assert table.misbehaviors == {
        2: (
            ValidityDoubleVote(
                ValidityDoubleVote.VALIDITY_AND_INVALIDITY,
                C1,
                fake_signature(2, 1),
                fake_signature(2, 2),
                2,
            ),
        )
    }


def test_misbehaviors_are_listed_oldest_first_and_since_a_mark() -> None:
    table, _ = run(CTX, fake(Seconded(C1), 0), fake(Seconded(C2), 0, 1))
    mark = table.misbehavior_count
    table, _ = run_from(table, CTX, fake(Seconded(C1), 0, 2))
    second = DoubleSign(
        DoubleSign.SECONDED, Seconded(C1), fake_signature(0), fake_signature(0, 2), 0
    )
    assert table.misbehaviors[0][1] == second
    assert table.misbehaviors_since(mark) == ((0, second),)


def run_from(table: Table, ctx: TableContext, *statements: object) -> tuple[Table, list[object]]:
    out = []
    for s in statements:
        table, summary = import_statement(table, ctx, s)  # type: ignore[arg-type]
        out.append(summary)
    return table, out


def test_a_misbehaving_statement_is_not_applied() -> None:
    before, _ = run(CTX, fake(Seconded(C1), 0))
    after, summary = import_statement(before, CTX, fake(Seconded(C2), 0, 1))
    assert summary is None
    assert after.candidate_hashes() == before.candidate_hashes() == (H1,)
    assert after.votes(H1) == before.votes(H1)


def test_importing_leaves_the_old_table_unchanged() -> None:
    before, _ = run(CTX, fake(Seconded(C1), 0))
    snapshot = before.votes(H1)
    run_from(before, CTX, fake(Valid(H1), 1), fake(Seconded(C2), 0, 1))
    assert before.votes(H1) == snapshot
    assert before.misbehavior_count == 0


def test_an_invalid_vote_is_a_new_vote_that_does_not_count() -> None:
    table, summaries = run(CTX, fake(Seconded(C1), 0), fake(Invalid(H1), 1))
    assert summaries == [Summary(H1, PARA_A, 1), Summary(H1, PARA_A, 1)]
    assert attested_candidate(table, H1, CTX) is None
    assert table.votes(H1) == (
        (0, Seconded(C1), fake_signature(0)),
        (1, Invalid(H1), fake_signature(1)),
    )


def test_an_invalid_vote_does_not_undo_a_backable_candidate() -> None:
    table, _ = run(CTX, fake(Seconded(C1), 0), fake(Valid(H1), 1), fake(Invalid(H1), 2))
    assert attested_candidate(table, H1, CTX) == AttestedCandidate(
        PARA_A, C1, ((0, Implicit(fake_signature(0))), (1, Explicit(fake_signature(1))))
    )


@pytest.mark.parametrize("minimum", [None, 2])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_quorum_is_reached_exactly_at_the_threshold(n: int, minimum: int | None) -> None:
    ctx = TableContext({PARA_A: tuple(range(n))}, minimum_backing_votes=minimum)
    need = backing_threshold(n, minimum)
    table, _ = run(ctx, fake(Seconded(C1), 0))
    for v in range(1, need):
        assert attested_candidate(table, H1, ctx) is None, f"backable with {v} of {need} votes"
        table, summary = import_statement(table, ctx, fake(Valid(H1), v))
        assert summary == Summary(H1, PARA_A, v + 1)
    attested = attested_candidate(table, H1, ctx)
    assert attested == AttestedCandidate(
        PARA_A,
        C1,
        (
            (0, Implicit(fake_signature(0))),
            *((v, Explicit(fake_signature(v))) for v in range(1, need)),
        ),
    )


def test_a_para_without_a_group_is_never_backable() -> None:
    table, _ = run(CTX, fake(Seconded(C1), 0), fake(Valid(H1), 1), fake(Valid(H1), 2))
    assert attested_candidate(table, H1, TableContext({PARA_B: (3, 4, 5)})) is None
    assert attested_candidate(table, C2.hash(), CTX) is None


def test_attested_to_backed_orders_votes_by_group_position() -> None:
    group = (0, 1, 2, 3, 4, 5)
    ctx = TableContext({PARA_A: group}, minimum_backing_votes=3)
    table, _ = run(ctx, fake(Seconded(C1), 5), fake(Valid(H1), 3), fake(Valid(H1), 1))
    attested = attested_candidate(table, H1, ctx)
    assert attested is not None
    assert attested_to_backed(attested, group) == BackedCandidate(
        C1,
        (Explicit(fake_signature(1)), Explicit(fake_signature(3)), Implicit(fake_signature(5))),
        BitVec.from_str("010101"),
    )


def test_attested_to_backed_uses_positions_not_validator_indices() -> None:
    group = (9, 4, 7)
    ctx = TableContext({PARA_A: group})
    table, _ = run(ctx, fake(Seconded(C1), 7), fake(Valid(H1), 9))
    attested = attested_candidate(table, H1, ctx)
    assert attested is not None
    assert attested_to_backed(attested, group) == BackedCandidate(
        C1, (Explicit(fake_signature(9)), Implicit(fake_signature(7))), BitVec.from_str("101")
    )
    assert attested_to_backed(attested, (9, 4)) is None


def test_importing_something_that_is_not_a_signed_statement_is_refused() -> None:
    with pytest.raises(TableError, match="expected a SignedStatement, got Valid"):
        import_statement(Table(), CTX, Valid(H1))  # type: ignore[arg-type]


def test_table_context_freezes_its_groups() -> None:
    groups = {PARA_A: [0, 1]}
    ctx = TableContext(groups)  # type: ignore[arg-type]
    groups[PARA_A].append(2)
    assert ctx.groups == {PARA_A: (0, 1)}
    assert ctx.is_member_of(1, PARA_A) and not ctx.is_member_of(2, PARA_A)
    assert not ctx.is_member_of(0, PARA_B)


def test_pyrsistent_c_extension_is_present() -> None:
    import pvectorc  # noqa: F401  # the pure-Python fallback is silent and several times slower


def test_the_repr_counts_candidates_seconders_and_misbehaviours() -> None:
    assert repr(Table()) == "Table(candidates=0, seconders=0, misbehaviors=0)"
    table, _ = run(
        CTX,
        fake(Seconded(C1), 0),
        fake(Valid(H1), 1),
        fake(Seconded(C1), 2),
        fake(Seconded(candidate(PARA_B, 3)), 3),
        fake(Seconded(C1), 5),  # outside the group
    )
    assert repr(table) == "Table(candidates=2, seconders=3, misbehaviors=1)"


def test_tables_are_equal_exactly_when_their_votes_and_evidence_are() -> None:
    seconded, _ = run(CTX, fake(Seconded(C1), 0))
    with_vote, _ = run(CTX, fake(Seconded(C1), 0), fake(Valid(H1), 1))
    with_evidence, _ = run(CTX, fake(Seconded(C1), 0), fake(Valid(H1), 5))
    again, _ = run(CTX, fake(Seconded(C1), 0))
    assert Table() == Table() and seconded == again
    assert seconded != Table()  # another candidate and proposal, same (empty) log
    assert seconded != with_vote  # another vote, same proposals and log
    assert seconded != with_evidence  # same votes and proposals, another log
    assert Table() != "Table()" and Table() != None  # noqa: E711


@pytest.mark.parametrize("cap", [0, -1, True, 2.0])
def test_an_evidence_cap_below_one_or_not_an_int_is_refused(cap: object) -> None:
    with pytest.raises(TableError) as refused:
        TableContext({100: (0, 1, 2)}, max_evidence_per_validator=cap)  # type: ignore[arg-type]
    assert str(refused.value) == (
        f"TableContext: max_evidence_per_validator must be an int of at least 1, not {cap!r}"
    )


# The table's persistent map starts with few buckets and doubles them as it grows (every 4
# entries a bucket): these cross several doublings.
MANY = TableContext({p: (p,) for p in range(100, 300)})
MANY_SECONDED = [fake(Seconded(candidate(p, 1)), p) for p in range(100, 300)]


def test_a_large_table_is_equal_whatever_the_order_its_statements_came_in() -> None:
    forward, _ = run(MANY, *MANY_SECONDED)
    backward, _ = run(MANY, *reversed(MANY_SECONDED))
    assert forward == backward
    assert len(forward.candidate_hashes()) == 200
    assert repr(forward) == "Table(candidates=200, seconders=200, misbehaviors=0)"


def test_an_old_table_is_unchanged_when_a_newer_one_grows_past_it() -> None:
    half, _ = run(MANY, *MANY_SECONDED[:31])
    before = half.candidate_hashes()
    grown = half
    for s in MANY_SECONDED[31:]:
        grown, _ = import_statement(grown, MANY, s)
    assert half.candidate_hashes() == before
    assert len(before) == 31 and len(grown.candidate_hashes()) == 200
    # inserting into the old table again, past the point where the newer one doubled
    again, summary = import_statement(half, MANY, MANY_SECONDED[-1])
    assert summary is not None and len(again.candidate_hashes()) == 32
    assert all(again.candidate(h) is not None for h in before)


def test_votes_are_the_signed_statements_as_imported_by_validator() -> None:
    valid, invalid = fake(Valid(H1), 2), fake(Invalid(H1), 1)
    table, _ = run(CTX, fake(Seconded(C1), 0), valid, invalid)
    assert table.votes(H1) == (
        (0, Seconded(C1), fake_signature(0)),
        (1, Invalid(H1), invalid.signature),
        (2, Valid(H1), valid.signature),
    )
    assert table.votes(C2.hash()) == ()


def test_the_maps_keep_a_power_of_two_buckets_with_few_entries_each() -> None:
    # The design's promise (an update copies a few entries at any size), checked on the table's
    # own map: the bucket count is a power of two, the mask one less, and the buckets average at
    # most 4 entries; every entry sits in the bucket its hash names.
    table, _ = run(MANY, *MANY_SECONDED)
    buckets, length, mask = table._candidates
    assert length == 200
    assert len(buckets) == mask + 1 and (mask + 1) & mask == 0
    assert length <= 4 * (mask + 1) < 2 * length  # doubled only when past 4 a bucket
    for i, bucket in enumerate(buckets):
        assert all(hash(key) & mask == i for key in bucket)


def test_a_refused_input_is_named_with_how_many_candidates_the_table_held() -> None:
    table, _ = run(CTX, fake(Seconded(C1), 0), fake(Seconded(candidate(PARA_B, 3)), 3))
    with pytest.raises(TableError) as refused:
        import_statement(table, CTX, Valid(H1))  # type: ignore[arg-type]
    assert str(refused.value) == (
        "import_statement: expected a SignedStatement, got Valid while the table held 2 candidates"
    )


def test_a_vote_on_a_candidate_whose_para_has_no_group_in_the_context_is_unauthorized() -> None:
    # The context is read anew at every call (generic.rs passes it to each import): under one
    # that gives the candidate's para no group, nobody may vote on it, and the vote is evidence.
    table, _ = run(CTX, fake(Seconded(C1), 0))
    valid, invalid = fake(Valid(H1), 1), fake(Invalid(H1), 2)
    other = TableContext({PARA_B: (3, 4, 5)})
    after, summaries = run_from(table, other, valid, invalid)
    assert summaries == [None, None]
    assert after.misbehaviors == {
        1: (UnauthorizedStatement(valid),),
        2: (UnauthorizedStatement(invalid),),
    }
    assert after.votes(H1) == table.votes(H1) == ((0, Seconded(C1), fake_signature(0)),)


def test_seconding_a_candidate_again_stays_a_double_sign_after_the_switch_is_turned_off() -> None:
    # The table remembers every candidate a validator seconded, not only its first: a second
    # signature on one of them is a double sign (the same candidate again is a vote question),
    # not a second candidate, whatever the multiple-seconded switch says at that moment.
    multiple = TableContext(CTX.groups, allow_multiple_seconded=True)
    table, _ = run(multiple, fake(Seconded(C1), 0), fake(Seconded(C2), 0, 1))
    after, summary = import_statement(table, CTX, fake(Seconded(C2), 0, 2))
    assert summary is None
    assert after.misbehaviors == {
        0: (
            DoubleSign(
                DoubleSign.SECONDED, Seconded(C2), fake_signature(0, 1), fake_signature(0, 2), 0
            ),
        )
    }


def test_the_maps_double_their_buckets_just_past_four_entries_a_bucket() -> None:
    # The rule of the map (table.py): 8 buckets to start, doubled when the entries would average
    # more than 4 a bucket. So 32 entries still fit 8 buckets and the 33rd doubles them, and so
    # on at 64 and 128. Both maps grow alike here: each statement is a new candidate and a new
    # seconder.
    expected = {1: 8, 32: 8, 33: 16, 64: 16, 65: 32, 128: 32, 129: 64, 200: 64}
    table = Table()
    for n, s in enumerate(MANY_SECONDED, start=1):
        table, _ = import_statement(table, MANY, s)
        if n in expected:
            for buckets, length, mask in (table._candidates, table._proposals):
                assert (length, len(buckets), mask + 1) == (n, expected[n], expected[n]), n


def test_a_replayed_statement_the_table_has_since_found_a_new_offence_in_is_new_evidence() -> None:
    # Found by the table machine (properties/test_table_machine.py, under another seed): a
    # Seconded refused for a double vote is, once its sender has seconded another candidate,
    # also a second proposal. The replay is a new offence, with its own record; replaying it
    # once more is the same offence again and changes nothing.
    refused = fake(Seconded(C1), 0)
    table, summaries = run(
        CTX,
        fake(Seconded(C1), 1),
        fake(Invalid(H1), 0, 1),
        refused,  # 0 voted Invalid on C1, now seconds it: a double vote, not applied
        fake(Seconded(C2), 0),  # 0's first proposal, accepted
    )
    assert summaries[2] is None and summaries[3] is not None
    double_vote = ValidityDoubleVote(
        ValidityDoubleVote.ISSUED_AND_INVALIDITY, C1, fake_signature(0), fake_signature(0, 1), 0
    )
    assert table.misbehaviors == {0: (double_vote,)}

    again, summary = import_statement(table, CTX, refused)
    assert summary is None
    second_proposal = MultipleCandidates((C2, fake_signature(0)), (C1, fake_signature(0)), 0)
    assert again.misbehaviors == {0: (double_vote, second_proposal)}
    assert again.candidate_hashes() == table.candidate_hashes()
    assert import_statement(again, CTX, refused) == (again, None)


def test_one_validators_several_seconded_in_either_order_give_equal_tables() -> None:
    # With multiple Seconded allowed (async backing), the same statements in another order are
    # the same votes and the same evidence: the tables are equal.
    ctx = TableContext({PARA_A: (0, 1, 2)}, allow_multiple_seconded=True)
    first, _ = run(ctx, fake(Seconded(C1), 0), fake(Seconded(C2), 0))
    second, _ = run(ctx, fake(Seconded(C2), 0), fake(Seconded(C1), 0))
    assert first == second
    assert {h: list(first.votes(h)) for h in first.candidate_hashes()} == {
        h: list(second.votes(h)) for h in second.candidate_hashes()
    }


# Today's rule: a candidate's group is the core of its seconder's group (E.4.3.3) -------------

def cores(groups: dict[int, tuple[int, ...]] | None = None) -> TableContext:
    # Built inside each test, not at import, so that mutmut sees the tests that construct it.
    return TableContext(
        {0: (0, 1, 2), 1: (3, 4, 5)} if groups is None else groups,
        minimum_backing_votes=2,
        allow_multiple_seconded=True,
        seconder_groups={0: 0, 1: 0, 2: 0, 3: 1, 4: 1, 5: 1},
    )


def test_with_seconder_groups_a_candidate_joins_its_seconders_group_whatever_its_para() -> None:
    # C1 is para 1's, yet validator 3 seconds it into group (core) 1, where 4 can vote on it.
    table, summaries = run(cores(), fake(Seconded(C1), 3), fake(Valid(H1), 4))
    assert summaries == [Summary(H1, 1, 1), Summary(H1, 1, 2)]
    attested = attested_candidate(table, H1, cores())
    assert attested == AttestedCandidate(
        1, C1, ((3, Implicit(fake_signature(3))), (4, Explicit(fake_signature(4))))
    )


def test_with_seconder_groups_a_validator_in_no_group_cannot_second() -> None:
    refused = fake(Seconded(C1), 6)
    table, summaries = run(cores(), refused)
    assert summaries == [None]
    assert table.misbehaviors == {6: (UnauthorizedStatement(refused),)}


def test_with_seconder_groups_a_member_of_a_group_the_map_leaves_out_cannot_second() -> None:
    # Validator 6 sits in group 1's membership but not in the seconder map: it belongs to no
    # group when it seconds (the map decides), so its Seconded is unauthorised.
    ctx = cores({0: (0, 1, 2), 1: (3, 4, 5, 6)})
    refused = fake(Seconded(C1), 6)
    table, summaries = run(ctx, refused)
    assert summaries == [None]
    assert table.misbehaviors == {6: (UnauthorizedStatement(refused),)}


def test_with_seconder_groups_a_second_group_cannot_join_a_candidate_the_first_seconded() -> None:
    # Rust's `validity_vote` checks every vote, the seconder's included, against the group the
    # candidate joined first: validator 3's Seconded of a candidate of group 0 is unauthorised.
    intruder = fake(Seconded(C1), 3)
    table, summaries = run(cores(), fake(Seconded(C1), 0), intruder, fake(Seconded(C1), 1))
    assert summaries == [Summary(H1, 0, 1), None, Summary(H1, 0, 2)]
    assert table.misbehaviors == {3: (UnauthorizedStatement(intruder),)}
    assert [v for v, _, _ in table.votes(H1)] == [0, 1]


def test_seconder_groups_are_frozen_and_compared() -> None:
    pairs = TableContext(
        {0: (0, 1, 2), 1: (3, 4, 5)},
        minimum_backing_votes=2,
        allow_multiple_seconded=True,
        seconder_groups=[(v, v // 3) for v in range(6)],  # type: ignore[arg-type]
    )
    assert pairs.seconder_groups == {0: 0, 1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert pairs == cores()
    assert TableContext(cores().groups, 2, True) != pairs
    assert TableContext(cores().groups).seconder_groups is None
