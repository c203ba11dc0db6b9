# Fault injection, votes (issue 11, faults 7 and 8): a vote that arrives before its Seconded is
# held and imported when the Seconded comes, overflow and expiry counted by reason; a replayed
# misbehaving statement is one offence (one record, one report, one dispute import), and the
# evidence kept per offender is capped, the rest counted. The rules through the core's job and
# table; then through the shell's driver (real asyncio, fakes for its collaborators) to show the
# subsystem counts them.
from __future__ import annotations

import asyncio
from typing import Any

from backable.core import (
    ActiveLeavesUpdate,
    BackedCandidate,
    BitVec,
    Conclude,
    Explicit,
    Implicit,
    Invalid,
    ReceiveStatement,
    Seconded,
    SignedStatement,
    TableContext,
    UnauthorizedStatement,
    Valid,
    ValidityDoubleVote,
)
from backable.core.backing.events import (
    EARLY_VOTE_ALREADY_HELD,
    EARLY_VOTE_BUFFER_FULL,
    EARLY_VOTE_EXPIRED,
    EARLY_VOTE_LIMIT_PER_VALIDATOR,
    EarlyVoteDropped,
    EarlyVoteHeld,
    EarlyVoteImported,
    ImportToDisputeCoordinator,
    MisbehaviorOverCap,
    ReportMisbehavior,
    SendBackedToProvisioner,
)
from backable.core.backing.job import BackingJobState, new_backing_job, step
from backable.shell.collaborators.availability_store import InMemoryAvailabilityStore
from backable.shell.collaborators.keystore import Keystore
from backable.shell.collaborators.validation import InMemoryValidation
from backable.shell.overseer.bus import Overseer
from backable.shell.overseer.messages import ToJob
from backable.shell.sim.collator import toy_validation_function
from backable.shell.subsystems.backing import CandidateBackingSubsystem
from properties.backing_strategies import CONTEXT, candidate, fake, public_key, signed
from tests.playbook import Playbook, nothing
from tests.shell_fixtures import PARAS, RP, URIS, chain, collator, eventually, sign, validation_data
from tests.test_backing import FakeNetwork, _started

VALIDATORS = tuple(public_key(i) for i in range(9))
GROUPS = {100: (0, 1, 2), 200: (3, 4, 5)}
CTX = TableContext(GROUPS)
C1, C2, C3 = candidate(100, 1), candidate(100, 2), candidate(100, 3)
H1, H2, H3 = C1.hash(), C2.hash(), C3.hash()
SESSION = CONTEXT.session_index


def observer(**limits: int) -> BackingJobState:
    # A job that only tallies (no key): every effect below comes from the statements alone.
    return new_backing_job(CONTEXT, VALIDATORS, CTX, None, None, **limits)


def dc(c: Any, s: SignedStatement) -> ImportToDisputeCoordinator:
    return ImportToDisputeCoordinator(c.to_plain(), SESSION, s)


def run(state: BackingJobState, *statements: SignedStatement) -> tuple[BackingJobState, list[Any]]:
    effects: list[Any] = []
    for s in statements:
        state, out = step(state, ReceiveStatement(s))
        effects.extend(out)
    return state, effects


# Fault 7: early votes ---------------------------------------------------------------------------


def test_a_valid_before_its_seconded_is_imported_when_the_seconded_comes_and_backs_it() -> None:
    early, seconded = fake(Valid(H1), 1), fake(Seconded(C1), 0)
    book = (
        Playbook(step, observer())
        >> ReceiveStatement(early)
        << EarlyVoteHeld(early)
        >> ReceiveStatement(seconded)
        << dc(C1, seconded)
        << EarlyVoteImported(early)
        << dc(C1, early)
        << SendBackedToProvisioner(
            BackedCandidate(
                C1,
                (Implicit(seconded.signature), Explicit(early.signature)),
                BitVec.from_str("110"),
            )
        )
    )
    assert book
    assert tuple(book.state.early_votes) == () and dict(book.state.early_per_validator) == {}
    assert [v for v, _, _ in book.state.table.votes(H1)] == [0, 1]


def test_a_held_vote_meets_every_rule_of_the_table_when_released() -> None:
    # An outsider's early vote becomes evidence; a seconder's own early Valid a double vote.
    outsider, own_valid = fake(Valid(H1), 4), fake(Valid(H1), 0)
    seconded = fake(Seconded(C1), 0)
    state, effects = run(observer(), outsider, own_valid, seconded)
    table = state.table
    assert table.votes(H1) == ((0, Seconded(C1), seconded.signature),)
    assert table.misbehaviors[4] == (UnauthorizedStatement(outsider),)
    assert table.misbehaviors[0] == (
        ValidityDoubleVote(
            ValidityDoubleVote.ISSUED_AND_VALIDITY, C1, seconded.signature, own_valid.signature, 0
        ),
    )
    assert [type(e).__name__ for e in effects] == [
        "EarlyVoteHeld", "EarlyVoteHeld", "ImportToDisputeCoordinator",
        "EarlyVoteImported", "ImportToDisputeCoordinator", "ReportMisbehavior",
        "EarlyVoteImported", "ImportToDisputeCoordinator", "ReportMisbehavior",
    ]  # fmt: skip


def test_early_votes_beyond_the_buffer_are_dropped_counted_by_reason() -> None:
    # Three in all, two per sender: one peer cannot fill the buffer on its own.
    v1a, v1b, v1c = fake(Valid(H1), 1), fake(Valid(H2), 1), fake(Valid(H3), 1)
    v2a, v2b = fake(Valid(H1), 2), fake(Invalid(H2), 2)
    assert (
        Playbook(step, observer(early_vote_limit=3, early_votes_per_validator=2))
        >> ReceiveStatement(v1a)
        << EarlyVoteHeld(v1a)
        >> ReceiveStatement(v1a)
        << EarlyVoteDropped(v1a, EARLY_VOTE_ALREADY_HELD)
        >> ReceiveStatement(v1b)
        << EarlyVoteHeld(v1b)
        >> ReceiveStatement(v1c)
        << EarlyVoteDropped(v1c, EARLY_VOTE_LIMIT_PER_VALIDATOR)
        >> ReceiveStatement(v2a)
        << EarlyVoteHeld(v2a)
        >> ReceiveStatement(v2b)
        << EarlyVoteDropped(v2b, EARLY_VOTE_BUFFER_FULL)
        >> Conclude()
        << EarlyVoteDropped(v1a, EARLY_VOTE_EXPIRED)
        << EarlyVoteDropped(v1b, EARLY_VOTE_EXPIRED)
        << EarlyVoteDropped(v2a, EARLY_VOTE_EXPIRED)
        >> ReceiveStatement(v1c)
        << nothing
    )


def test_a_refused_seconded_releases_nothing() -> None:
    # An outsider's Seconded is evidence, not a candidate: the early vote keeps waiting.
    early, outsiders = fake(Valid(H1), 1), fake(Seconded(C1), 4)
    state, _ = run(observer(), early, outsiders)
    assert tuple(state.early_votes) == (early,)
    state, effects = run(state, fake(Seconded(C1), 0))
    assert EarlyVoteImported(early) in effects and tuple(state.early_votes) == ()


# Fault 8: one report per offence ----------------------------------------------------------------


def test_a_thousand_replays_of_one_double_vote_give_one_record_one_report_one_import() -> None:
    seconded, valid = signed(Seconded(C1), 1), signed(Valid(H1), 1)  # really signed by 1
    state, _ = run(observer(), seconded)
    state, effects = run(state, *[valid] * 1000)
    evidence = ValidityDoubleVote(
        ValidityDoubleVote.ISSUED_AND_VALIDITY, C1, seconded.signature, valid.signature, 1
    )
    assert effects == [dc(C1, valid), ReportMisbehavior(1, evidence)]
    assert state.table.misbehaviors == {1: (evidence,)}
    assert state.table.misbehavior_count == 1 and dict(state.table.excess_misbehaviors) == {}


def test_distinct_offences_by_one_validator_are_capped_and_counted() -> None:
    # 50 out-of-group Seconded, each with 1 MB of head data: 8 kept, 42 counted, replays free.
    big = b"\x07" * (1 << 20)
    seconds = [signed(Seconded(candidate(100, n, big)), 4) for n in range(50)]
    state, effects = run(observer(), *seconds)
    kept = state.table.misbehaviors[4]
    assert kept == tuple(UnauthorizedStatement(s) for s in seconds[:8])
    assert state.table.excess_misbehaviors == {4: 42}
    assert [e for e in effects if isinstance(e, ReportMisbehavior)] == [
        ReportMisbehavior(4, m) for m in kept
    ]
    assert effects.count(MisbehaviorOverCap(4)) == 42
    assert len(effects) == 8 * 2 + 42  # a dispute import and a report each for the 8 kept
    replayed, again = run(state, *seconds[:8])
    assert again == [] and replayed == state


# Through the shell ------------------------------------------------------------------------------


class RecordingDisputes:
    """A dispute coordinator that only records what it is given."""

    def __init__(self) -> None:
        self.imports: list[SignedStatement] = []

    async def import_statement(self, receipt: Any, session: int, rp: bytes, s: Any) -> None:
        self.imports.append(s)

    async def recent_disputes(self) -> dict[Any, Any]:
        return {}

    async def candidate_votes(self, keys: Any) -> dict[Any, Any]:
        return {}


def test_the_shell_counts_early_votes_held_imported_expired_and_one_report_per_offence() -> None:
    collation = collator(100).collate(RP, validation_data(100), 6)
    h = collation.candidate_hash
    seconded, early = sign(0, Seconded(collation.committed)), sign(1, Valid(h))
    contradiction = sign(1, Invalid(h))
    orphan = sign(2, Valid(collator(100).collate(RP, validation_data(100, 2), 6).candidate_hash))
    disputes = RecordingDisputes()

    async def scenario() -> tuple[CandidateBackingSubsystem, Overseer]:
        runtime = chain()
        sub = CandidateBackingSubsystem(
            runtime,
            Keystore.from_uris([URIS[4]]),  # validator 4: outside para 100's group
            InMemoryValidation(runtime, dict.fromkeys(PARAS, toy_validation_function)),
            InMemoryAvailabilityStore(),
            FakeNetwork(),
            disputes,  # type: ignore[arg-type]
        )
        overseer = await _started(sub, RP)
        send = overseer.send
        await send("candidate-backing", ToJob(RP, ReceiveStatement(early)))
        await eventually(lambda: sub.counters["early votes held"] == 1)
        assert sub.counters["statements imported"] == 0
        await send("candidate-backing", ToJob(RP, ReceiveStatement(seconded)))
        await eventually(lambda: sub.stats()["candidates_backed"] == 1)
        assert sub.counters["early votes imported"] == 1
        assert sub.counters["statements imported"] == 2
        for _ in range(1000):
            await send("candidate-backing", ToJob(RP, ReceiveStatement(contradiction)))
        await send("candidate-backing", ToJob(RP, ReceiveStatement(orphan)))
        await eventually(lambda: sub.counters["early votes held"] == 2)
        # The orphan's Seconded never comes: the leaf leaves the view and the vote expires.
        await overseer.signal(ActiveLeavesUpdate(deactivated=(RP,)))
        await eventually(lambda: sub.stats()["dropped"].get(EARLY_VOTE_EXPIRED) == 1)
        return sub, overseer

    async def main() -> CandidateBackingSubsystem:
        sub, overseer = await scenario()
        await overseer.stop()
        return sub

    sub = asyncio.run(main())
    stats = sub.stats()
    assert stats["misbehavior_reports"] == 1 and stats["counters"]["misbehavior reports"] == 1
    assert disputes.imports.count(contradiction) == 1
    assert disputes.imports == [seconded, early, contradiction]
    assert stats["counters"]["statements imported"] == 2 + 1000
    # No provisioner runs here: the one report and the one backed candidate meant for it are
    # counted as undeliverable, once each.
    assert stats["dropped"] == {
        EARLY_VOTE_EXPIRED: 1,
        "send backed candidate: receiver not running": 1,
        "send misbehavior report: receiver not running": 1,
    }
