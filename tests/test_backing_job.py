# The backing job machine, as playbooks: `>> event` then the exact effects `<< effect`.
# Validators 0-5; para 100 is backed by (0, 1, 2) (majority 2), para 200 by (3, 4, 5). We are
# validator 0, assigned to para 100, unless a test says otherwise. Signatures are made up: the
# shell checks them before the machine sees a statement.
from __future__ import annotations

import pytest

from backable.core import (
    BackedCandidate,
    BitVec,
    Conclude,
    Explicit,
    Implicit,
    Invalid,
    MultipleCandidates,
    PersistedValidationData,
    PoV,
    Seconded,
    TableContext,
    Valid,
)
from backable.core.backing.events import (
    EARLY_VOTE_BUFFER_FULL,
    EARLY_VOTE_LIMIT_PER_VALIDATOR,
    AvailableDataStored,
    CandidateInvalid,
    CandidateValid,
    EarlyVoteDropped,
    EarlyVoteHeld,
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
from properties.backing_strategies import CONTEXT, candidate, fake, fake_signature, public_key
from tests.playbook import Playbook, nothing

VALIDATORS = tuple(public_key(i) for i in range(6))
CTX = TableContext({100: (0, 1, 2), 200: (3, 4, 5)})
C1, C2, C3 = candidate(100, 1), candidate(100, 2), candidate(200, 3)
R1, R2, R3 = C1.to_plain(), C2.to_plain(), C3.to_plain()
H1, H2, H3 = C1.hash(), C2.hash(), C3.hash()
POV = PoV(b"block data")
PVD = PersistedValidationData(b"parent", 1, b"\x09" * 32, 5 << 20)
SESSION = CONTEXT.session_index


def job(
    validator_index: int | None = 0,
    assignment: int | None = 100,
    ctx: TableContext = CTX,
    required_collator: bytes | None = None,
) -> BackingJobState:
    return new_backing_job(CONTEXT, VALIDATORS, ctx, validator_index, assignment, required_collator)


def dc(receipt: object, statement: object) -> ImportToDisputeCoordinator:
    return ImportToDisputeCoordinator(receipt, SESSION, statement)  # type: ignore[arg-type]


def backed(c: object, votes: tuple[object, ...], bits: str) -> SendBackedToProvisioner:
    return SendBackedToProvisioner(BackedCandidate(c, votes, BitVec.from_str(bits)))  # type: ignore[arg-type]


def test_seconding_a_valid_candidate() -> None:
    ours, theirs = fake(Seconded(C1), 0), fake(Valid(H1), 1)
    assert (
        Playbook(step, job())
        >> Second(R1, POV)
        << ValidateCandidate(R1, POV)
        >> CandidateValid(H1, C1.commitments, PVD)
        << StoreAvailableData(H1, 0, 6, POV, PVD, C1.descriptor.erasure_root)
        >> AvailableDataStored(H1)
        << SignStatement(Seconded(C1))
        >> StatementSigned(ours)
        << dc(R1, ours)
        << ShareStatement(ours)
        >> ReceiveStatement(theirs)
        << dc(R1, theirs)
        << backed(C1, (Implicit(fake_signature(0)), Explicit(fake_signature(1))), "110")
    )


def test_not_seconding_twice() -> None:
    book = (
        Playbook(step, job())
        >> Second(R1, POV)
        << ValidateCandidate(R1, POV)
        >> CandidateValid(H1, C1.commitments, PVD)
        << StoreAvailableData(H1, 0, 6, POV, PVD, C1.descriptor.erasure_root)
        >> AvailableDataStored(H1)
        << SignStatement(Seconded(C1))
        >> Second(R2, POV)
        << nothing
        >> Second(R1, POV)
        << nothing
    )
    assert book
    assert book.state.seconded == H1


def test_a_second_validation_finishing_after_seconding_issues_nothing() -> None:
    # Two requests validated at once (the first was still running); only one is seconded.
    assert (
        Playbook(step, job())
        >> Second(R1, POV)
        << ValidateCandidate(R1, POV)
        >> Second(R2, POV)
        << ValidateCandidate(R2, POV)
        >> CandidateValid(H1, C1.commitments, PVD)
        << StoreAvailableData(H1, 0, 6, POV, PVD, C1.descriptor.erasure_root)
        >> CandidateValid(H2, C2.commitments, PVD)
        << StoreAvailableData(H2, 0, 6, POV, PVD, C2.descriptor.erasure_root)
        >> AvailableDataStored(H1)
        << SignStatement(Seconded(C1))
        >> AvailableDataStored(H2)
        << nothing
    )


def test_data_that_misses_the_erasure_root_makes_the_candidate_invalid() -> None:
    # The store refuses the data (as in the node's `validate_and_make_available`); the shell
    # reports it as an invalid candidate while the work is storing, and we tell candidate
    # selection and sign Invalid.
    book = (
        Playbook(step, job())
        >> Second(R1, POV)
        << ValidateCandidate(R1, POV)
        >> CandidateValid(H1, C1.commitments, PVD)
        << StoreAvailableData(H1, 0, 6, POV, PVD, C1.descriptor.erasure_root)
        >> CandidateInvalid(H1, "erasure root mismatch")
        << ReportInvalidToCandidateSelection(R1)
        << SignStatement(Invalid(H1))
    )
    assert book
    assert book.state.seconded is None


def test_seconding_after_an_invalid_first_candidate() -> None:
    assert (
        Playbook(step, job())
        >> Second(R1, POV)
        << ValidateCandidate(R1, POV)
        >> CandidateInvalid(H1, "bad para head")
        << ReportInvalidToCandidateSelection(R1)
        << SignStatement(Invalid(H1))
        >> Second(R1, POV)
        << nothing
        >> Second(R2, POV)
        << ValidateCandidate(R2, POV)
    )


def test_wrong_commitments_make_a_candidate_invalid() -> None:
    assert (
        Playbook(step, job())
        >> Second(R1, POV)
        << ValidateCandidate(R1, POV)
        >> CandidateValid(H1, C2.commitments, PVD)
        << ReportInvalidToCandidateSelection(R1)
        << SignStatement(Invalid(H1))
    )


def test_seconding_is_only_for_our_assignment_and_our_collator() -> None:
    assert Playbook(step, job()) >> Second(R3, POV) << nothing
    assert Playbook(step, job(assignment=None)) >> Second(R1, POV) << nothing
    assert (
        Playbook(step, job(required_collator=b"\x0c" * 32))
        >> Second(R1, POV)
        << ReportInvalidToCandidateSelection(R1)
    )


def test_backing_from_others_statements() -> None:
    seconded, valid = fake(Seconded(C1), 1), fake(Valid(H1), 2)
    assert (
        Playbook(step, job())
        >> ReceiveStatement(seconded)
        << dc(R1, seconded)
        << FetchPoV(1, H1, C1.descriptor.pov_hash)
        >> ReceiveStatement(valid)
        << dc(R1, valid)
        << backed(C1, (Implicit(fake_signature(1)), Explicit(fake_signature(2))), "011")
    )


def test_a_duplicate_statement_is_silent_and_a_vote_on_an_unknown_candidate_is_held() -> None:
    # A duplicate: nothing new for the table, nothing the dispute coordinator has not seen. An
    # early vote waits for its Seconded, out of the table.
    seconded, early = fake(Seconded(C1), 1), fake(Valid(H2), 2)
    book = (
        Playbook(step, job())
        >> ReceiveStatement(early)
        << EarlyVoteHeld(early)
        >> ReceiveStatement(seconded)
        << dc(R1, seconded)
        << FetchPoV(1, H1, C1.descriptor.pov_hash)
        >> ReceiveStatement(seconded)
        << nothing
    )
    assert book
    assert book.state.table.votes(H2) == ()
    assert tuple(book.state.early_votes) == (early,)


def test_backing_while_our_validation_is_still_running() -> None:
    seconded, valid, ours = fake(Seconded(C1), 1), fake(Valid(H1), 2), fake(Valid(H1), 0)
    assert (
        Playbook(step, job())
        >> ReceiveStatement(seconded)
        << dc(R1, seconded)
        << FetchPoV(1, H1, C1.descriptor.pov_hash)
        >> PoVFetched(H1, POV)
        << ValidateCandidate(R1, POV)
        >> ReceiveStatement(valid)
        << dc(R1, valid)
        << backed(C1, (Implicit(fake_signature(1)), Explicit(fake_signature(2))), "011")
        >> CandidateValid(H1, C1.commitments, PVD)
        << StoreAvailableData(H1, 0, 6, POV, PVD, C1.descriptor.erasure_root)
        >> AvailableDataStored(H1)
        << SignStatement(Valid(H1))
        >> StatementSigned(ours)
        << dc(R1, ours)
        << ShareStatement(ours)
    )


def test_an_invalid_vote_neither_restarts_nor_joins_the_pov_fetches() -> None:
    # Only validators who vouched for the candidate can be asked for its PoV (implementers' guide,
    # "Candidate Backing": "retry
    # fetching from other backing validators"); one who called it invalid is not one of them.
    ctx = TableContext({100: (0, 1, 2, 3, 4)})
    s1, bad2, bad3 = fake(Seconded(C1), 1), fake(Invalid(H1), 2), fake(Invalid(H1), 3)
    pov_hash = C1.descriptor.pov_hash
    assert (
        Playbook(step, job(ctx=ctx))
        >> ReceiveStatement(s1)
        << dc(R1, s1)
        << FetchPoV(1, H1, pov_hash)
        >> ReceiveStatement(bad2)
        << dc(R1, bad2)
        >> PoVUnavailable(H1)
        << nothing
        >> ReceiveStatement(bad3)
        << dc(R1, bad3)
    )


def test_a_candidate_we_issued_a_statement_on_keeps_no_fallback() -> None:
    seconded, valid = fake(Seconded(C1), 1), fake(Valid(H1), 0)
    book = (
        Playbook(step, job())
        >> ReceiveStatement(seconded)
        << dc(R1, seconded)
        << FetchPoV(1, H1, C1.descriptor.pov_hash)
        >> PoVFetched(H1, POV)
        << ValidateCandidate(R1, POV)
        >> CandidateValid(H1, C1.commitments, PVD)
        << StoreAvailableData(H1, 0, 6, POV, PVD, C1.descriptor.erasure_root)
        >> AvailableDataStored(H1)
        << SignStatement(Valid(H1))
        >> StatementSigned(valid)
        << dc(R1, valid)
        << backed(C1, (Explicit(fake_signature(0)), Implicit(fake_signature(1))), "110")
        << ShareStatement(valid)
    )
    assert book
    assert H1 in book.state.issued
    assert H1 not in book.state.fallbacks and H1 not in book.state.work


def test_retrying_pov_fetches_from_each_voucher_in_turn() -> None:
    ctx = TableContext({100: (0, 1, 2, 3, 4)})  # majority 3
    s1, v2, v3, v4 = (
        fake(Seconded(C1), 1),
        fake(Valid(H1), 2),
        fake(Valid(H1), 3),
        fake(Valid(H1), 4),
    )
    pov_hash = C1.descriptor.pov_hash
    assert (
        Playbook(step, job(ctx=ctx))
        >> ReceiveStatement(s1)
        << dc(R1, s1)
        << FetchPoV(1, H1, pov_hash)
        >> ReceiveStatement(v2)
        << dc(R1, v2)
        >> ReceiveStatement(v3)
        << dc(R1, v3)
        << backed(
            C1,
            (Implicit(fake_signature(1)), Explicit(fake_signature(2)), Explicit(fake_signature(3))),
            "01110",
        )
        >> PoVUnavailable(H1)
        << FetchPoV(2, H1, pov_hash)
        >> PoVUnavailable(H1)
        << FetchPoV(3, H1, pov_hash)
        >> PoVUnavailable(H1)
        << nothing
        >> ReceiveStatement(v4)
        << dc(R1, v4)
        << FetchPoV(4, H1, pov_hash)
        >> PoVFetched(H1, POV)
        << ValidateCandidate(R1, POV)
    )


def test_a_validation_that_could_not_run_issues_nothing() -> None:
    s1, v2 = fake(Seconded(C1), 1), fake(Valid(H1), 2)
    assert (
        Playbook(step, job())
        >> ReceiveStatement(s1)
        << dc(R1, s1)
        << FetchPoV(1, H1, C1.descriptor.pov_hash)
        >> PoVFetched(H1, POV)
        << ValidateCandidate(R1, POV)
        >> ValidationFailed(H1, "worker died")
        << nothing
        >> ReceiveStatement(v2)
        << dc(R1, v2)
        << backed(C1, (Implicit(fake_signature(1)), Explicit(fake_signature(2))), "011")
        << FetchPoV(2, H1, C1.descriptor.pov_hash)
    )


def test_an_invalid_candidate_from_others_gets_our_invalid_statement() -> None:
    s1 = fake(Seconded(C1), 1)
    assert (
        Playbook(step, job())
        >> ReceiveStatement(s1)
        << dc(R1, s1)
        << FetchPoV(1, H1, C1.descriptor.pov_hash)
        >> PoVFetched(H1, POV)
        << ValidateCandidate(R1, POV)
        >> CandidateInvalid(H1)
        << SignStatement(Invalid(H1))
    )


def test_misbehavior_is_reported_once() -> None:
    first, second, valid = fake(Seconded(C1), 1), fake(Seconded(C2), 1, 1), fake(Valid(H1), 2)
    report = ReportMisbehavior(
        1, MultipleCandidates((C1, fake_signature(1)), (C2, fake_signature(1, 1)), 1)
    )
    assert (
        Playbook(step, job(validator_index=None, assignment=None))
        >> ReceiveStatement(first)
        << dc(R1, first)
        >> ReceiveStatement(second)
        << dc(R2, second)
        << report
        >> ReceiveStatement(valid)
        << dc(R1, valid)
        << backed(C1, (Implicit(fake_signature(1)), Explicit(fake_signature(2))), "011")
    )


def test_an_observer_tallies_but_never_validates() -> None:
    s3, v4 = fake(Seconded(C3), 3), fake(Valid(H3), 4)
    book = (
        Playbook(step, job(validator_index=None, assignment=None))
        >> Second(R1, POV)
        << nothing
        >> ReceiveStatement(s3)
        << dc(R3, s3)
        >> ReceiveStatement(v4)
        << dc(R3, v4)
        << backed(C3, (Implicit(fake_signature(3)), Explicit(fake_signature(4))), "110")
    )
    assert book
    assert book.state.work == {} and book.state.issued == set()


def test_statements_for_another_para_are_only_tallied() -> None:
    s3 = fake(Seconded(C3), 3)
    assert Playbook(step, job()) >> ReceiveStatement(s3) << dc(R3, s3)


def test_get_backed_candidates_in_request_order_skipping_unknown_hashes() -> None:
    statements = (
        fake(Seconded(C1), 1),
        fake(Valid(H1), 2),
        fake(Seconded(C3), 3),
        fake(Valid(H3), 5),
    )
    state = job(validator_index=None, assignment=None)
    for s in statements:
        state, _ = step(state, ReceiveStatement(s))
    b1 = BackedCandidate(
        C1, (Implicit(fake_signature(1)), Explicit(fake_signature(2))), BitVec.from_str("011")
    )
    b3 = BackedCandidate(
        C3, (Implicit(fake_signature(3)), Explicit(fake_signature(5))), BitVec.from_str("101")
    )
    assert (
        Playbook(step, state)
        >> GetBackedCandidates(7, (H3, H2, b"\xee" * 32, H1))
        << ReplyBackedCandidates(7, (b3, b1))
    )


def test_a_statement_from_outside_the_validator_set_leaves_the_state_unchanged() -> None:
    state = job()
    after, effects = step(state, ReceiveStatement(fake(Seconded(C1), 6)))
    assert after is state and effects == ()


@pytest.mark.parametrize(
    "event",
    [
        PoVFetched(H1, POV),
        PoVUnavailable(H1),
        CandidateValid(H1, C1.commitments, PVD),
        CandidateInvalid(H1),
        ValidationFailed(H1),
        AvailableDataStored(H1),
    ],
)
def test_results_nobody_asked_for_are_ignored(event: object) -> None:
    state = job()
    after, effects = step(state, event)  # type: ignore[arg-type]
    assert after is state and effects == ()


def test_a_signed_statement_we_did_not_ask_for_is_refused() -> None:
    with pytest.raises(BackingJobError, match="was not requested"):
        step(job(), StatementSigned(fake(Valid(H1), 0)))


def test_after_conclude_everything_is_ignored() -> None:
    assert (
        Playbook(step, job())
        >> Conclude()
        << nothing
        >> Second(R1, POV)
        << nothing
        >> GetBackedCandidates(1, (H1,))
        << nothing
    )


def test_an_index_outside_the_validators_cannot_start_a_job() -> None:
    with pytest.raises(BackingJobError, match="validator_index 6 is outside"):
        job(validator_index=6)


def test_a_candidate_from_another_collator_is_never_validated_only_tallied() -> None:
    # Reference C.6: with a required collator, others' candidates from another collator count as
    # issued by us, so no PoV is fetched, now or on a later vouch; backing still happens.
    s1, v2 = fake(Seconded(C1), 1), fake(Valid(H1), 2)
    book = (
        Playbook(step, job(required_collator=b"\x0c" * 32))
        >> ReceiveStatement(s1)
        << dc(R1, s1)
        >> ReceiveStatement(v2)
        << dc(R1, v2)
        << backed(C1, (Implicit(fake_signature(1)), Explicit(fake_signature(2))), "011")
    )
    assert book
    assert book.state.issued == {H1} and book.state.work == {}


def test_a_candidate_from_the_required_collator_is_fetched_and_validated() -> None:
    s1 = fake(Seconded(C1), 1)
    book = (
        Playbook(step, job(required_collator=C1.descriptor.collator))
        >> ReceiveStatement(s1)
        << dc(R1, s1)
        << FetchPoV(1, H1, C1.descriptor.pov_hash)
    )
    assert book
    assert book.state.issued == set()


def test_something_that_is_not_a_backing_event_is_refused_by_name() -> None:
    with pytest.raises(BackingJobError) as refused:
        step(job(), "Second")  # type: ignore[arg-type]
    assert str(refused.value) == "step: 'Second' is not a backing job event"


def test_a_request_id_is_an_opaque_token_handed_back_unchanged() -> None:
    # The shell passes its reply future; any hashable will do.
    token = object()
    assert (
        Playbook(step, job()) >> GetBackedCandidates(token, ()) << ReplyBackedCandidates(token, ())
    )


@pytest.mark.parametrize("name", ["early_vote_limit", "early_votes_per_validator"])
@pytest.mark.parametrize("limit", [-1, True, 1.5])
def test_an_early_vote_limit_below_zero_or_not_an_int_is_refused(name: str, limit: object) -> None:
    with pytest.raises(BackingJobError, match=f"{name} must be an int >= 0"):
        new_backing_job(CONTEXT, VALIDATORS, CTX, 0, 100, **{name: limit})  # type: ignore[arg-type]


def test_a_candidate_we_found_invalid_keeps_no_fallback() -> None:
    # Other vouchers are kept only to fetch the PoV again; after our Invalid nothing is fetched.
    s1 = fake(Seconded(C1), 1)
    book = (
        Playbook(step, job())
        >> ReceiveStatement(s1)
        << dc(R1, s1)
        << FetchPoV(1, H1, C1.descriptor.pov_hash)
        >> PoVFetched(H1, POV)
        << ValidateCandidate(R1, POV)
        >> CandidateInvalid(H1, "bad para head")
        << SignStatement(Invalid(H1))
    )
    assert book
    assert H1 in book.state.issued
    assert H1 not in book.state.fallbacks and H1 not in book.state.work


def test_an_offence_beyond_the_evidence_cap_is_counted_in_the_jobs_table() -> None:
    # One record kept per offender here; the second offence is only counted, and the count is
    # the job's table's (`excess_misbehaviors`), not lost with the refused statement.
    ctx = TableContext(CTX.groups, max_evidence_per_validator=1)
    first, second, third = fake(Seconded(C1), 1), fake(Seconded(C2), 1, 1), fake(Valid(H1), 1, 2)
    kept = MultipleCandidates((C1, fake_signature(1)), (C2, fake_signature(1, 1)), 1)
    book = (
        Playbook(step, job(validator_index=None, assignment=None, ctx=ctx))
        >> ReceiveStatement(first)
        << dc(R1, first)
        >> ReceiveStatement(second)
        << dc(R2, second)
        << ReportMisbehavior(1, kept)
        >> ReceiveStatement(third)
        << MisbehaviorOverCap(1)
    )
    assert book
    assert book.state.table.misbehaviors == {1: (kept,)}
    assert book.state.table.excess_misbehaviors == {1: 1}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("early_vote_limit", EARLY_VOTE_BUFFER_FULL),
        ("early_votes_per_validator", EARLY_VOTE_LIMIT_PER_VALIDATOR),
    ],
)
def test_an_early_vote_limit_of_zero_is_accepted_and_holds_no_vote(name: str, reason: str) -> None:
    early = fake(Valid(H1), 1)
    state = new_backing_job(CONTEXT, VALIDATORS, CTX, 0, 100, **{name: 0})  # type: ignore[arg-type]
    assert Playbook(step, state) >> ReceiveStatement(early) << EarlyVoteDropped(early, reason)
