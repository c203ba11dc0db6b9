# The backing job under today's rules (core/backing/async_job.py), as playbooks: `>> event` then
# the exact effects `<< effect`. Scenarios re-expressed from polkadot-sdk@013cd85d
# polkadot/node/core/backing/src/tests/mod.rs (`backing_second_works`, `backing_works`,
# `backing_works_while_validation_ongoing`, `extract_core_index_from_statement_works`, the
# disabled-validator tests) and tests/prospective_parachains.rs (several candidates seconded on
# one parent). The world is
# tests/async_builders.py's: groups [2, 0, 3, 5] on core 0 (para 1) and [1] on core 1 (para 2),
# quorum min(group size, 2); we are validator 0. Signatures are made up: the shell checks them.
from __future__ import annotations

import pytest

from backable.core import (
    AsyncBackingJobError,
    BackableCandidateRef,
    BackedCandidate,
    BitVec,
    CandidateBackedToDistribution,
    CandidateBackedToProspective,
    CheckHypotheticalMembership,
    ClaimQueue,
    Conclude,
    Explicit,
    GetBackableCandidates,
    GroupRotationInfo,
    HypotheticalComplete,
    HypotheticalMembershipAnswered,
    Implicit,
    IntroduceSecondedCandidate,
    Invalid,
    NodeFeature,
    ReplyBackableCandidates,
    Seconded,
    SecondedCandidateIntroduced,
    SecondedToCollatorProtocol,
    SignedStatement,
    StatementDropped,
    StatementDropReason,
    UnauthorizedStatement,
    Valid,
    backable_candidate,
    candidate_descriptor_v3,
    get_backable_candidates,
    node_features,
)
from backable.core import async_backing_step as step
from backable.core.backing.events import (
    EARLY_VOTE_BUFFER_FULL,
    EARLY_VOTE_EXPIRED,
    EARLY_VOTE_LIMIT_PER_VALIDATOR,
    AvailableDataStored,
    CandidateInvalid,
    CandidateValid,
    EarlyVoteDropped,
    EarlyVoteHeld,
    EarlyVoteImported,
    FetchPoV,
    MisbehaviorOverCap,
    PoVFetched,
    PoVUnavailable,
    ReceiveStatement,
    ReportInvalidToCandidateSelection,
    ReportMisbehavior,
    Second,
    ShareStatement,
    SignStatement,
    StatementSigned,
    StoreAvailableData,
    ValidateCandidate,
    ValidationFailed,
)
from backable.core.records.candidate import CommittedCandidateReceipt
from properties.backing_strategies import fake, fake_signature
from tests.async_builders import (
    CONTEXT,
    PARENT,
    VALIDATORS,
    candidate,
    job,
    setup,
)
from tests.playbook import Playbook, nothing

A, PVD_A, POV_A = candidate(1, b"head a")
B, PVD_B, POV_B = candidate(1, b"head b", b"head a")
C, PVD_C, POV_C = candidate(2, b"head c")
HA, HB, HC = A.hash(), B.hash(), C.hash()
RA, RB = A.to_plain(), B.to_plain()
DROP = StatementDropReason


def seconded(c: CommittedCandidateReceipt, v: int, tag: int = 0) -> SignedStatement:
    return fake(Seconded(c), v, tag)


def valid(c: CommittedCandidateReceipt, v: int) -> SignedStatement:
    return fake(Valid(c.hash()), v)


def store(c: CommittedCandidateReceipt, pov: object, pvd: object) -> StoreAvailableData:
    return StoreAvailableData(c.hash(), 0, 6, pov, pvd, c.descriptor.erasure_root)  # type: ignore[arg-type]


def refs(*pairs: tuple[bytes, bytes]) -> tuple[BackableCandidateRef, ...]:
    return tuple(BackableCandidateRef(h, parent) for h, parent in pairs)


def ask(
    jobs: dict[bytes, object], *requested: tuple[int, tuple[BackableCandidateRef, ...]]
) -> ReplyBackableCandidates:
    return get_backable_candidates(jobs, GetBackableCandidates("req", requested))  # type: ignore[arg-type]


def core_bits(group_bits: str, core: int) -> BitVec:
    return BitVec.from_str(group_bits + "".join("1" if core >> i & 1 else "0" for i in range(8)))


# Seconding ----------------------------------------------------------------------------------


def test_seconding_validates_stores_checks_membership_signs_introduces_and_shares() -> None:
    # backing_second_works: our own Seconded goes to prospective parachains before the table,
    # then to statement distribution and the collator protocol. One vote of a quorum of 2.
    ours = seconded(A, 0)
    book = (
        Playbook(step, job())
        >> Second(RA, POV_A, PVD_A)
        << ValidateCandidate(RA, POV_A, PVD_A)
        >> CandidateValid(HA, A.commitments, PVD_A)
        << store(A, POV_A, PVD_A)
        >> AvailableDataStored(HA)
        << CheckHypotheticalMembership(HypotheticalComplete(A, PVD_A))
        >> HypotheticalMembershipAnswered(HA, (PARENT,))
        << SignStatement(Seconded(A))
        >> StatementSigned(ours)
        << IntroduceSecondedCandidate(1, A, PVD_A)
        >> SecondedCandidateIntroduced(HA, True)
        << ShareStatement(ours)
        << SecondedToCollatorProtocol(ours)
    )
    assert book
    assert book.state.seconded == {HA} and book.state.known == {HA: PVD_A}
    assert book.state.work == {}  # the seconding is over: nothing under way
    assert backable_candidate(book.state, HA) is None


def test_one_validator_seconds_several_candidates_at_one_scheduling_parent() -> None:
    # Today's table allows several Seconded per validator: two chained candidates of para 1,
    # both seconded by us, no MultipleCandidates evidence.
    state = job()
    for c, pvd, pov in ((A, PVD_A, POV_A), (B, PVD_B, POV_B)):
        h, ours = c.hash(), seconded(c, 0)
        book = (
            Playbook(step, state)
            >> Second(c.to_plain(), pov, pvd)
            << ValidateCandidate(c.to_plain(), pov, pvd)
            >> CandidateValid(h, c.commitments, pvd)
            << store(c, pov, pvd)
            >> AvailableDataStored(h)
            << CheckHypotheticalMembership(HypotheticalComplete(c, pvd))
            >> HypotheticalMembershipAnswered(h, (PARENT,))
            << SignStatement(Seconded(c))
            >> StatementSigned(ours)
            << IntroduceSecondedCandidate(1, c, pvd)
            >> SecondedCandidateIntroduced(h, True)
            << ShareStatement(ours)
            << SecondedToCollatorProtocol(ours)
        )
        assert book
        state = book.state
    assert state.seconded == {HA, HB}
    assert dict(state.table.misbehaviors) == {}


def _run(state: object, *events: object) -> object:
    for event in events:
        state, _ = step(state, event)  # type: ignore[arg-type]
    return state


def test_a_seconding_no_fragment_chain_would_take_signs_nothing() -> None:
    book = (
        Playbook(step, job())
        >> Second(RA, POV_A, PVD_A)
        << ValidateCandidate(RA, POV_A, PVD_A)
        >> CandidateValid(HA, A.commitments, PVD_A)
        << store(A, POV_A, PVD_A)
        >> AvailableDataStored(HA)
        << CheckHypotheticalMembership(HypotheticalComplete(A, PVD_A))
        >> HypotheticalMembershipAnswered(HA, ())
        << nothing
    )
    assert book
    assert book.state.work == {} and book.state.issued == set()


def test_our_seconding_refused_by_prospective_parachains_reports_the_collator() -> None:
    ours = seconded(A, 0)
    state = _run(
        job(),
        Second(RA, POV_A, PVD_A),
        CandidateValid(HA, A.commitments, PVD_A),
        AvailableDataStored(HA),
        HypotheticalMembershipAnswered(HA, (PARENT,)),
    )
    book = (
        Playbook(step, state)
        >> StatementSigned(ours)
        << IntroduceSecondedCandidate(1, A, PVD_A)
        >> SecondedCandidateIntroduced(HA, False)
        << ReportInvalidToCandidateSelection(RA)
        # Stays issued: asked again, we do not second it.
        >> Second(RA, POV_A, PVD_A)
        << nothing
    )
    assert book
    assert book.state.table.candidate_hashes() == ()


def test_an_invalid_candidate_we_were_asked_to_second_reports_its_collator_only() -> None:
    book = (
        Playbook(step, job())
        >> Second(RA, POV_A, PVD_A)
        << ValidateCandidate(RA, POV_A, PVD_A)
        >> CandidateInvalid(HA, "bad block")
        << ReportInvalidToCandidateSelection(RA)
        # Not issued (today's protocol has no Invalid statement): asked again, we validate again.
        >> Second(RA, POV_A, PVD_A)
        << ValidateCandidate(RA, POV_A, PVD_A)
        # Commitments that are not the receipt's make it invalid too.
        >> CandidateValid(HA, B.commitments, PVD_A)
        << ReportInvalidToCandidateSelection(RA)
    )
    assert book


def test_second_takes_only_candidates_of_our_core_with_their_own_validation_data() -> None:
    rc = C.to_plain()
    book = (
        Playbook(step, job())
        >> Second(rc, POV_C, PVD_C)  # para 2 is core 1's, we are on core 0
        << nothing
        >> Second(RA, POV_A)  # no validation data
        << nothing
        >> Second(RA, POV_A, PVD_B)  # validation data the descriptor does not commit to
        << nothing
    )
    assert book
    other, pvd, pov = candidate(1, b"elsewhere", relay_parent=b"\x09" * 32)
    state = job()
    assert step(state, Second(other.to_plain(), pov, pvd)) == (state, ())
    for state in (job(validator_index=None), job(disabled=frozenset({0})), job(validator_index=4)):
        assert step(state, Second(RA, POV_A, PVD_A)) == (state, ())


def test_second_refuses_what_is_already_under_way() -> None:
    state, _ = step(job(), Second(RA, POV_A, PVD_A))
    again, effects = step(state, Second(RA, POV_A, PVD_A))
    assert again is state and effects == ()


# Statements from the group ------------------------------------------------------------------


def test_a_seconded_from_our_group_is_introduced_attested_by_us_and_backed() -> None:
    # backing_works: validator 2 seconds, we fetch the PoV from it, validate against the
    # validation data that came with its statement and sign Valid: two votes, backed. A later
    # Valid only adds a vote.
    theirs, ours, late = seconded(A, 2), valid(A, 0), valid(A, 5)
    book = (
        Playbook(step, job())
        >> ReceiveStatement(theirs, PVD_A)
        << IntroduceSecondedCandidate(1, A, PVD_A)
        >> SecondedCandidateIntroduced(HA, True)
        << FetchPoV(2, HA, A.descriptor.pov_hash)
        >> PoVFetched(HA, POV_A)
        << ValidateCandidate(RA, POV_A, PVD_A)
        >> CandidateValid(HA, A.commitments, PVD_A)
        << store(A, POV_A, PVD_A)
        >> AvailableDataStored(HA)
        << SignStatement(Valid(HA))
        >> StatementSigned(ours)
        << ShareStatement(ours)
        << CandidateBackedToProspective(1, HA)
        << CandidateBackedToDistribution(HA)
        >> ReceiveStatement(late)
        << nothing
    )
    assert book
    # Our attestation is over: nothing under way, no voucher kept to fetch from again.
    assert HA in book.state.issued and book.state.work == {} and book.state.fallbacks == {}
    # Our signature was delivered once; the same signature again is the caller's mistake.
    with pytest.raises(AsyncBackingJobError, match="was not requested"):
        step(book.state, StatementSigned(ours))
    # Another Seconded of it only adds a vote: we stated on it, so we never validate again.
    book = Playbook(step, book.state) >> ReceiveStatement(seconded(A, 3), PVD_A) << nothing
    assert book
    votes = (
        Implicit(fake_signature(2)),
        Explicit(fake_signature(0)),
        Implicit(fake_signature(3)),
        Explicit(fake_signature(5)),
    )
    assert ask({PARENT: book.state}, (1, refs((HA, PARENT)))) == ReplyBackableCandidates(
        "req", ((1, (BackedCandidate(A, votes, core_bits("1111", 0)),)),)
    )


def test_a_candidate_is_backed_by_others_while_our_validation_runs() -> None:
    # backing_works_while_validation_ongoing: the quorum is min(4, 2) = 2, reached by 2 and 5.
    state = _run(
        job(), ReceiveStatement(seconded(A, 2), PVD_A), SecondedCandidateIntroduced(HA, True)
    )
    book = (
        Playbook(step, state)
        >> PoVFetched(HA, POV_A)
        << ValidateCandidate(RA, POV_A, PVD_A)
        >> ReceiveStatement(valid(A, 5))
        << CandidateBackedToProspective(1, HA)
        << CandidateBackedToDistribution(HA)
        >> ReceiveStatement(valid(A, 3))
        << nothing
    )
    assert book
    backed = backable_candidate(book.state, HA)
    assert backed == BackedCandidate(
        A,
        (Implicit(fake_signature(2)), Explicit(fake_signature(3)), Explicit(fake_signature(5))),
        core_bits("1011", 0),
    )
    assert book.state.fallbacks[HA].backing == (5, 3)


def test_several_candidates_seconded_by_one_peer_are_each_introduced_and_backed() -> None:
    # prospective_parachains.rs: validator 2 seconds two candidates at one parent; validator 3
    # vouches for both; no MultipleCandidates evidence, both backed, each on core 0.
    state = job(validator_index=None)
    book = (
        Playbook(step, state)
        >> ReceiveStatement(seconded(A, 2), PVD_A)
        << IntroduceSecondedCandidate(1, A, PVD_A)
        >> ReceiveStatement(seconded(B, 2), PVD_B)
        << IntroduceSecondedCandidate(1, B, PVD_B)
        >> SecondedCandidateIntroduced(HB, True)
        << nothing
        >> SecondedCandidateIntroduced(HA, True)
        << nothing
        >> ReceiveStatement(valid(A, 3))
        << CandidateBackedToProspective(1, HA)
        << CandidateBackedToDistribution(HA)
        >> ReceiveStatement(valid(B, 3))
        << CandidateBackedToProspective(1, HB)
        << CandidateBackedToDistribution(HB)
    )
    assert book
    assert dict(book.state.table.misbehaviors) == {}
    reply = ask({PARENT: book.state}, (1, refs((HA, PARENT), (HB, PARENT))))
    assert [b.hash() for b in reply.candidates[0][1]] == [HA, HB]
    assert {b.validator_indices for b in reply.candidates[0][1]} == {core_bits("1010", 0)}


def test_statements_naming_a_candidate_under_introduction_wait_behind_it() -> None:
    first, second = seconded(A, 2), seconded(A, 3)
    state = job(validator_index=None)
    book = (
        Playbook(step, state)
        >> ReceiveStatement(first, PVD_A)
        << IntroduceSecondedCandidate(1, A, PVD_A)
        >> ReceiveStatement(second, PVD_A)
        << nothing
        >> ReceiveStatement(second, PVD_A)  # the very statement again: nothing more waits
        << nothing
        >> SecondedCandidateIntroduced(HA, True)
        << CandidateBackedToProspective(1, HA)
        << CandidateBackedToDistribution(HA)
    )
    assert book
    assert [v for v, _, _ in book.state.table.votes(HA)] == [2, 3]


def test_a_candidate_taken_after_a_wait_is_validated_against_its_own_validation_data() -> None:
    # Two Seconded of A queue on one introduction; once taken, we attest A with the validation
    # data that came with it.
    first, second = seconded(A, 2), seconded(A, 3)
    book = (
        Playbook(step, job())
        >> ReceiveStatement(first, PVD_A)
        << IntroduceSecondedCandidate(1, A, PVD_A)
        >> ReceiveStatement(second, PVD_A)
        << nothing
        >> SecondedCandidateIntroduced(HA, True)
        << FetchPoV(2, HA, A.descriptor.pov_hash)
        << CandidateBackedToProspective(1, HA)
        << CandidateBackedToDistribution(HA)
        >> PoVFetched(HA, POV_A)
        << ValidateCandidate(RA, POV_A, PVD_A)
    )
    assert book
    assert book.state.known == {HA: PVD_A}


def test_a_candidate_refused_by_prospective_parachains_drops_every_statement_waiting_on_it() -> (
    None
):
    first, second = seconded(A, 2), seconded(A, 3)
    book = (
        Playbook(step, job())
        >> ReceiveStatement(first, PVD_A)
        << IntroduceSecondedCandidate(1, A, PVD_A)
        >> ReceiveStatement(second, PVD_A)
        << nothing
        >> SecondedCandidateIntroduced(HA, False)
        << StatementDropped(first, DROP.REJECTED_BY_PROSPECTIVE_PARACHAINS)
        << StatementDropped(second, DROP.REJECTED_BY_PROSPECTIVE_PARACHAINS)
        # An answer nobody waits for changes nothing.
        >> SecondedCandidateIntroduced(HA, True)
        << nothing
    )
    assert book
    assert book.state.table.candidate_hashes() == () and book.state.known == {}


def test_a_valid_vote_before_its_seconded_waits_for_the_introduction() -> None:
    early = valid(A, 3)
    book = (
        Playbook(step, job(validator_index=None))
        >> ReceiveStatement(early)
        << EarlyVoteHeld(early)
        >> ReceiveStatement(seconded(A, 2), PVD_A)
        << IntroduceSecondedCandidate(1, A, PVD_A)
        >> SecondedCandidateIntroduced(HA, True)
        << EarlyVoteImported(early)
        << CandidateBackedToProspective(1, HA)
        << CandidateBackedToDistribution(HA)
    )
    assert book
    assert list(book.state.early_votes) == []


def test_early_votes_are_bounded_and_expire_at_conclude() -> None:
    first, second = valid(A, 3), valid(B, 5)
    state = job(early_vote_limit=1)
    book = (
        Playbook(step, state)
        >> ReceiveStatement(first)
        << EarlyVoteHeld(first)
        >> ReceiveStatement(second)
        << EarlyVoteDropped(second, EARLY_VOTE_BUFFER_FULL)
        >> Conclude()
        << EarlyVoteDropped(first, EARLY_VOTE_EXPIRED)
        >> ReceiveStatement(seconded(A, 2), PVD_A)
        << nothing
    )
    assert book
    assert book.state.concluded


# Statements dropped before the table --------------------------------------------------------


def test_statements_from_disabled_validators_are_dropped_by_name() -> None:
    # The disabled-validator tests: neither a Seconded nor a Valid of validator 2 reaches the
    # table, and a quorum can be reached only without it.
    state = job(validator_index=None, disabled=frozenset({2}))
    for signed in (seconded(A, 2), valid(A, 2)):
        after, effects = step(state, ReceiveStatement(signed, PVD_A))
        assert after is state
        assert effects == (StatementDropped(signed, DROP.DISABLED_VALIDATOR),)
    book = (
        Playbook(step, state)
        >> ReceiveStatement(seconded(A, 3), PVD_A)
        << IntroduceSecondedCandidate(1, A, PVD_A)
        >> SecondedCandidateIntroduced(HA, True)
        << nothing
        >> ReceiveStatement(valid(A, 2))
        << StatementDropped(valid(A, 2), DROP.DISABLED_VALIDATOR)
        >> ReceiveStatement(valid(A, 5))
        << CandidateBackedToProspective(1, HA)
        << CandidateBackedToDistribution(HA)
    )
    assert book
    assert [v for v, _, _ in book.state.table.votes(HA)] == [3, 5]


def test_a_disabled_local_validator_tallies_but_neither_seconds_nor_validates() -> None:
    state = job(disabled=frozenset({0}))
    assert not state.active
    book = (
        Playbook(step, state)
        >> Second(RA, POV_A, PVD_A)
        << nothing
        >> ReceiveStatement(seconded(A, 2), PVD_A)
        << IntroduceSecondedCandidate(1, A, PVD_A)
        >> SecondedCandidateIntroduced(HA, True)
        << nothing  # no FetchPoV: we do not validate
        >> ReceiveStatement(valid(A, 3))
        << CandidateBackedToProspective(1, HA)
        << CandidateBackedToDistribution(HA)
    )
    assert book


def test_a_seconded_whose_para_its_senders_core_does_not_claim_is_core_index_unavailable() -> None:
    # extract_core_index_from_statement_works: validator 1's group serves core 1, which claims
    # para 2 only; validator 4 is in no group at all.
    state = job()
    wrong_para = seconded(A, 1)
    no_group_seconded, no_group_valid = seconded(A, 4), valid(A, 4)
    for signed in (wrong_para, no_group_seconded, no_group_valid):
        after, effects = step(state, ReceiveStatement(signed, PVD_A))
        assert after is state
        assert effects == (StatementDropped(signed, DROP.CORE_INDEX_UNAVAILABLE),)
    assert step(state, ReceiveStatement(seconded(C, 1), PVD_C))[1] == (
        IntroduceSecondedCandidate(2, C, PVD_C),
    )


def test_a_seconded_must_carry_validation_data_and_belong_to_this_scheduling_parent() -> None:
    state = job()
    bare = seconded(A, 2)
    other, pvd, _ = candidate(1, b"elsewhere", relay_parent=b"\x09" * 32)
    foreign = seconded(other, 2)
    assert step(state, ReceiveStatement(bare)) == (
        state,
        (StatementDropped(bare, DROP.MISSING_VALIDATION_DATA),),
    )
    assert step(state, ReceiveStatement(foreign, pvd)) == (
        state,
        (StatementDropped(foreign, DROP.WRONG_SCHEDULING_PARENT),),
    )


def test_invalid_statements_are_not_part_of_todays_protocol() -> None:
    state = _run(
        job(), ReceiveStatement(seconded(A, 2), PVD_A), SecondedCandidateIntroduced(HA, True)
    )
    against = fake(Invalid(HA), 3)
    after, effects = step(state, ReceiveStatement(against))
    assert after is state
    assert effects == (StatementDropped(against, DROP.INVALID_STATEMENT),)


def test_a_statement_from_outside_the_validator_set_changes_nothing() -> None:
    state = job()
    assert step(state, ReceiveStatement(seconded(A, 6), PVD_A)) == (state, ())


def _v3(para: int, core: int) -> tuple[CommittedCandidateReceipt, object, object]:
    c, pvd, pov = candidate(para, b"head v3")
    d = c.descriptor
    v3 = candidate_descriptor_v3(
        para,
        b"\x01" * 32,
        core,
        1,
        d.persisted_validation_data_hash,
        d.pov_hash,
        d.erasure_root,
        d.para_head,
        d.validation_code_hash,
        PARENT,
        1,
    )
    return CommittedCandidateReceipt(v3, c.commitments), pvd, pov


def test_v3_descriptors_wait_for_the_v3_node_feature_or_its_latch() -> None:
    # PR #11290 / #11463: refused at Second (the collator is reported) and at import while V3
    # is not accepted; its scheduling parent, not its relay parent, decides the job.
    v3, pvd, pov = _v3(1, 0)
    theirs = seconded(v3, 2)
    state = job()
    assert step(state, Second(v3.to_plain(), pov, pvd)) == (  # type: ignore[arg-type]
        state,
        (ReportInvalidToCandidateSelection(v3.to_plain()),),
    )
    assert step(state, ReceiveStatement(theirs, pvd)) == (  # type: ignore[arg-type]
        state,
        (StatementDropped(theirs, DROP.VERSION_REJECTED),),
    )
    for accepting in (
        job(node_features=node_features(NodeFeature.CANDIDATE_RECEIPT_V3)),
        job(v3_ever_seen=True),
    ):
        assert accepting.v3_accepted
        assert step(accepting, ReceiveStatement(theirs, pvd))[1] == (  # type: ignore[arg-type]
            IntroduceSecondedCandidate(1, v3, pvd),  # type: ignore[arg-type]
        )
        assert step(accepting, Second(v3.to_plain(), pov, pvd))[1] == (  # type: ignore[arg-type]
            ValidateCandidate(v3.to_plain(), pov, pvd),  # type: ignore[arg-type]
        )


# Cores: rotation, elastic scaling, the injected core index ----------------------------------


def test_each_backed_candidate_carries_the_core_of_its_seconders_group() -> None:
    # One rotation later (block 101, every 100 blocks): group [1] serves core 0 (para 1) and
    # group [2, 0, 3, 5] core 1 (para 2). Validator 1 alone backs para 1 (quorum min(1, 2)).
    world = setup(rotation=GroupRotationInfo(0, 100, 101))
    state = job(validator_index=None, world=world)
    book = (
        Playbook(step, state)
        >> ReceiveStatement(seconded(A, 1), PVD_A)
        << IntroduceSecondedCandidate(1, A, PVD_A)
        >> SecondedCandidateIntroduced(HA, True)
        << CandidateBackedToProspective(1, HA)
        << CandidateBackedToDistribution(HA)
        >> ReceiveStatement(seconded(C, 2), PVD_C)
        << IntroduceSecondedCandidate(2, C, PVD_C)
        >> SecondedCandidateIntroduced(HC, True)
        << nothing
        >> ReceiveStatement(valid(C, 5))
        << CandidateBackedToProspective(2, HC)
        << CandidateBackedToDistribution(HC)
    )
    assert book
    assert backable_candidate(book.state, HA) == BackedCandidate(
        A, (Implicit(fake_signature(1)),), core_bits("1", 0)
    )
    assert backable_candidate(book.state, HC) == BackedCandidate(
        C, (Implicit(fake_signature(2)), Explicit(fake_signature(5))), core_bits("1001", 1)
    )


def test_a_para_on_two_cores_is_backed_on_the_core_of_each_candidates_seconder() -> None:
    # Elastic scaling: para 1 holds cores 0 and 1. Validator 2 (core 0) seconds A and
    # validator 1 (core 1) seconds B: A carries core 0, B core 1. Validator 1 seconding A too
    # is an unauthorised statement: A's votes belong to core 0's group.
    world = setup(claims=ClaimQueue({0: (1,), 1: (1,)}))
    state = _run(
        job(validator_index=None, world=world),
        ReceiveStatement(seconded(A, 2), PVD_A),
        SecondedCandidateIntroduced(HA, True),
        ReceiveStatement(valid(A, 3)),
        ReceiveStatement(seconded(B, 1), PVD_B),
        SecondedCandidateIntroduced(HB, True),
    )
    assert backable_candidate(state, HA).validator_indices == core_bits("1010", 0)  # type: ignore[union-attr]
    assert backable_candidate(state, HB).validator_indices == core_bits("1", 1)  # type: ignore[union-attr]
    intruder = seconded(A, 1)
    after, effects = step(state, ReceiveStatement(intruder, PVD_A))
    assert effects == (ReportMisbehavior(1, UnauthorizedStatement(intruder)),)
    assert [v for v, _, _ in after.table.votes(HA)] == [2, 3]


# Background results and the machine's contract ----------------------------------------------


def test_an_unserved_pov_is_fetched_from_the_next_voucher() -> None:
    state = _run(
        job(),
        ReceiveStatement(seconded(A, 2), PVD_A),
        SecondedCandidateIntroduced(HA, True),
        ReceiveStatement(valid(A, 3)),
    )
    book = (
        Playbook(step, state)
        >> PoVUnavailable(HA)
        << FetchPoV(3, HA, A.descriptor.pov_hash)
        >> PoVUnavailable(HA)
        << nothing
        >> ReceiveStatement(valid(A, 5))
        << FetchPoV(5, HA, A.descriptor.pov_hash)
    )
    assert book


def test_each_voucher_is_asked_for_the_pov_in_the_order_its_vote_arrived() -> None:
    state = _run(
        job(),
        ReceiveStatement(seconded(A, 2), PVD_A),
        SecondedCandidateIntroduced(HA, True),
        ReceiveStatement(valid(A, 3)),
        ReceiveStatement(valid(A, 5)),
    )
    book = (
        Playbook(step, state)
        >> PoVUnavailable(HA)
        << FetchPoV(3, HA, A.descriptor.pov_hash)
        >> PoVUnavailable(HA)
        << FetchPoV(5, HA, A.descriptor.pov_hash)
        >> PoVUnavailable(HA)
        << nothing
    )
    assert book


def test_an_invalid_candidate_we_attest_is_never_validated_again_and_gets_no_statement() -> None:
    state = _run(
        job(), ReceiveStatement(seconded(A, 2), PVD_A), SecondedCandidateIntroduced(HA, True)
    )
    book = (
        Playbook(step, state)
        >> PoVFetched(HA, POV_A)
        << ValidateCandidate(RA, POV_A, PVD_A)
        >> CandidateInvalid(HA, "bad block")
        << nothing
        >> ReceiveStatement(valid(A, 3))
        << CandidateBackedToProspective(1, HA)
        << CandidateBackedToDistribution(HA)
    )
    assert book
    # As the node's `fallbacks.remove`: no voucher is kept to start a new validation from.
    assert HA in book.state.issued and book.state.work == {} and book.state.fallbacks == {}


def test_a_validation_that_could_not_run_leaves_the_candidate_for_a_later_voucher() -> None:
    state = _run(
        job(), ReceiveStatement(seconded(A, 2), PVD_A), SecondedCandidateIntroduced(HA, True)
    )
    book = (
        Playbook(step, state)
        >> PoVFetched(HA, POV_A)
        << ValidateCandidate(RA, POV_A, PVD_A)
        >> ValidationFailed(HA, "worker died")
        << nothing
        >> ReceiveStatement(valid(A, 3))
        << CandidateBackedToProspective(1, HA)
        << CandidateBackedToDistribution(HA)
        << FetchPoV(3, HA, A.descriptor.pov_hash)
    )
    assert book


def test_results_nobody_asked_for_leave_the_very_same_state() -> None:
    state = job()
    for event in (
        PoVFetched(HA, POV_A),
        PoVUnavailable(HA),
        CandidateValid(HA, A.commitments, PVD_A),
        CandidateInvalid(HA),
        ValidationFailed(HA),
        AvailableDataStored(HA),
        HypotheticalMembershipAnswered(HA, (PARENT,)),
        SecondedCandidateIntroduced(HA, True),
    ):
        assert step(state, event) == (state, ())
        assert step(state, event)[0] is state


def test_a_signature_nobody_asked_for_is_the_callers_mistake() -> None:
    with pytest.raises(AsyncBackingJobError, match="was not requested"):
        step(job(), StatementSigned(seconded(A, 0)))


def test_an_event_of_no_backing_job_is_the_callers_mistake() -> None:
    with pytest.raises(AsyncBackingJobError, match="not an async backing job event"):
        step(job(), object())  # type: ignore[arg-type]


def test_a_job_is_built_from_a_setup_and_a_validator_inside_the_set() -> None:
    with pytest.raises(AsyncBackingJobError, match="outside the 6 validators"):
        job(validator_index=6)
    with pytest.raises(AsyncBackingJobError, match="not an AsyncBackingSetup"):
        job(world=object())  # type: ignore[arg-type]
    for name in ("early_vote_limit", "early_votes_per_validator"):
        with pytest.raises(AsyncBackingJobError, match=f"{name} must be an int >= 0, not -1"):
            job(**{name: -1})
    state = job()
    assert state.assigned_core == 0 and state.scheduling_parent == PARENT
    assert state.signing_context == CONTEXT and state.validators == VALIDATORS
    assert job(validator_index=1).assigned_core == 1
    assert job(validator_index=4).assigned_core is None
    assert job(validator_index=None).assigned_core is None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("early_vote_limit", EARLY_VOTE_BUFFER_FULL),
        ("early_votes_per_validator", EARLY_VOTE_LIMIT_PER_VALIDATOR),
    ],
)
def test_an_early_vote_bound_of_zero_is_accepted_and_holds_no_vote(name: str, reason: str) -> None:
    early = valid(A, 3)
    state = job(**{name: 0})
    assert getattr(state, name) == 0
    assert step(state, ReceiveStatement(early)) == (state, (EarlyVoteDropped(early, reason),))


def test_a_peer_seconding_what_we_are_seconding_starts_no_second_validation() -> None:
    state, _ = step(job(), Second(RA, POV_A, PVD_A))
    book = (
        Playbook(step, state)
        >> ReceiveStatement(seconded(A, 2), PVD_A)
        << IntroduceSecondedCandidate(1, A, PVD_A)
        >> SecondedCandidateIntroduced(HA, True)
        << nothing  # our own validation runs: no FetchPoV
        >> CandidateValid(HA, A.commitments, PVD_A)
        << store(A, POV_A, PVD_A)
        >> AvailableDataStored(HA)
        << CheckHypotheticalMembership(HypotheticalComplete(A, PVD_A))
        >> HypotheticalMembershipAnswered(HA, (PARENT,))
        << SignStatement(Seconded(A))
        # Prospective parachains has it already: our Seconded goes straight to the table and is
        # shared, it makes the quorum with validator 2's, and the collator hears of it.
        >> StatementSigned(seconded(A, 0))
        << ShareStatement(seconded(A, 0))
        << CandidateBackedToProspective(1, HA)
        << CandidateBackedToDistribution(HA)
        << SecondedToCollatorProtocol(seconded(A, 0))
    )
    assert book
    assert book.state.seconded == {HA}


def test_our_own_valid_heard_back_from_the_network_fetches_nothing() -> None:
    state = _run(
        job(),
        ReceiveStatement(seconded(A, 2), PVD_A),
        SecondedCandidateIntroduced(HA, True),
        PoVUnavailable(HA),
    )
    book = (
        Playbook(step, state)
        >> ReceiveStatement(valid(A, 0))
        << CandidateBackedToProspective(1, HA)
        << CandidateBackedToDistribution(HA)
    )
    assert book
    assert book.state.work == {}


def test_offences_beyond_the_evidence_cap_are_only_counted() -> None:
    # Validator 1 (core 1) votes on core 0's candidates: each vote an unauthorised statement.
    state = _run(
        job(validator_index=None, world=setup(max_evidence=1)),
        ReceiveStatement(seconded(A, 2), PVD_A),
        SecondedCandidateIntroduced(HA, True),
        ReceiveStatement(seconded(B, 3), PVD_B),
        SecondedCandidateIntroduced(HB, True),
    )
    first, second = valid(A, 1), valid(B, 1)
    book = (
        Playbook(step, state)
        >> ReceiveStatement(first)
        << ReportMisbehavior(1, UnauthorizedStatement(first))
        >> ReceiveStatement(second)
        << MisbehaviorOverCap(1)
    )
    assert book
    assert book.state.table.excess_misbehaviors == {1: 1}
