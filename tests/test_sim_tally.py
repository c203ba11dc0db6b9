# The simulation's tally: a block row and inclusion rows from what the chain model applied, the
# totals, misbehaviour counted once however many nodes saw it (with its evidence checked), and
# dropped messages by reason from the nodes', the network's and the simulation's own counts.
from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from backable.core import (
    PersistedValidationData,
    Seconded,
    SignedStatement,
    SigningContext,
    Valid,
    blake2_256,
)
from backable.core.records.misbehavior import ValidityDoubleVote, ValidityDoubleVoteKind
from backable.shell.collaborators.keystore import Keystore
from backable.shell.collaborators.network import InProcessNetwork
from backable.shell.sim.chain import Applied, Pending
from backable.shell.sim.collator import Collation, Collator
from backable.shell.sim.report import BlockRow, InclusionRow, SimParams
from backable.shell.sim.tally import Tally, detected_misbehaviour, observe_cases, seconded_at

GROUPS = ((0, 1, 2), (3, 4, 5))
KEYS = Keystore.from_seeds([blake2_256(bytes([i])) for i in range(6)])
VALIDATORS = KEYS.public_keys()
RP = b"\x09" * 32


def _collation(payload: bytes) -> Collation:
    pvd = PersistedValidationData(b"head", 0, b"\x00" * 32, 1 << 20)
    return Collator(1000).collate(RP, pvd, 6, payload=payload)


def _pending(collation: Collation, group: int = 0) -> Pending:
    return Pending(collation, 1, 5, group, availability=0b11111, holders=0b111111, votes=2)


@dataclass
class _TallyJob:
    seconded: bytes | None


@dataclass
class _TallyBacking:
    job: _TallyJob | None = None
    misbehaviour_found: tuple[tuple[bytes, int, Any], ...] = ()
    rejections: tuple[tuple[bytes, str, SignedStatement], ...] = ()
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)

    def job_state(self, relay_parent: bytes) -> _TallyJob | None:
        return self.job

    def stats(self) -> dict[str, Any]:
        return {"dropped": self.dropped}


@dataclass
class _Provisioner:
    dropped: dict[str, int] = field(default_factory=dict)

    def stats(self) -> dict[str, Any]:
        return {"dropped": self.dropped}


@dataclass
class _TallyNode:
    backing: _TallyBacking = field(default_factory=_TallyBacking)
    provisioner: _Provisioner = field(default_factory=_Provisioner)


def test_nodes_that_seconded_at_a_relay_parent_are_counted() -> None:
    nodes = [
        _TallyNode(_TallyBacking(_TallyJob(b"\x01" * 32))),
        _TallyNode(_TallyBacking(_TallyJob(None))),
        _TallyNode(),
    ]
    assert seconded_at(nodes, RP) == 1  # type: ignore[arg-type]


def test_an_applied_block_fills_its_row_and_an_inclusion_row_per_candidate() -> None:
    valid, invalid = _collation(b"good"), _collation(b"bad")
    params = SimParams(validators=6, cores=2, group_size=3)
    tally = Tally(params, GROUPS, {invalid.candidate_hash}, frozenset({1}))
    row = BlockRow(number=3, author=0)
    applied = Applied(
        bitfields=5,
        occupied_before=2,
        included=[(0, _pending(valid)), (1, _pending(invalid, group=1))],
        timed_out=1,
        backed=[_pending(invalid)],
        problems=["block 3: 2 code upgrades"],
        core_conflicts=1,
        code_upgrades=2,
    )
    tally.applied(3, row, applied)
    assert row == BlockRow(
        number=3,
        author=0,
        backed=1,
        included=2,
        timed_out=1,
        code_upgrades=2,
        bitfields=5,
        occupied_cores=2,
        available_cores=2,
    )
    r = tally.report
    assert r.inclusions[0] == InclusionRow(
        block=3,
        core=0,
        para=1000,
        backed_at=1,
        votes=2,
        group_size=3,
        threshold=2,
        availability=5,
        validators=6,
        scheduled_when_backed=True,
        invalid=False,
    )
    assert r.inclusions[1].invalid and r.inclusions[1].core == 1
    assert (r.invalid_backed, r.invalid_included) == (1, 1)
    assert (r.invalid_included_in_such_groups, r.invalid_included_elsewhere) == (1, 0)
    assert (r.core_conflicts, r.inherent_problems) == (1, ["block 3: 2 code upgrades"])
    assert list(tally.delays) == [2, 2] and tally.availability_per_core == [1, 1]


def test_a_refused_inherent_stops_the_run_with_its_problems() -> None:
    tally = Tally(SimParams(validators=6, cores=2, group_size=3), GROUPS, set(), frozenset())
    tally.stopped(4, ["one", "two"])
    assert tally.report.inherent_problems == ["block 4: one", "block 4: two"]
    assert tally.report.stopped_early == "block 4: check_inherent found 2 problems"


def _double_vote(v: int, *, forged: bool = False) -> ValidityDoubleVote:
    # Seconded and Valid by validator v; `forged` puts a bad signature on the Valid vote.
    committed = _collation(b"voted on").committed
    ctx = SigningContext(1, RP)
    issued = KEYS.sign_statement(VALIDATORS[v], Seconded(committed), ctx, v).signature
    valid = KEYS.sign_statement(VALIDATORS[v], Valid(committed.hash()), ctx, v).signature
    return ValidityDoubleVote(
        ValidityDoubleVoteKind.ISSUED_AND_VALIDITY,
        committed,
        issued,
        bytes(64) if forged else valid,
        v,
    )


def test_misbehaviour_seen_by_many_nodes_is_counted_once_with_its_evidence_checked() -> None:
    good, bad = _double_vote(1), _double_vote(2, forged=True)
    forged = SignedStatement(Valid(b"\x05" * 32), 4, bytes(64))
    a = _TallyNode(_TallyBacking(misbehaviour_found=((RP, 1, good), (RP, 2, bad))))
    b = _TallyNode(
        _TallyBacking(
            misbehaviour_found=((RP, 1, good),),
            rejections=((RP, "bad signature", forged), (RP, "not in group", forged)),
        )
    )
    seen: dict[Any, object] = {}
    observe_cases([a], seen)  # type: ignore[list-item]
    observe_cases([b], seen)  # type: ignore[list-item]  # a later block: the same case again
    counts, verified, unverified = detected_misbehaviour(seen, VALIDATORS)
    assert counts == {"ForgedSignature": 1, "ValidityDoubleVote": 2}
    assert (verified, unverified) == (1, 1)


def test_cases_observed_after_each_block_survive_the_views_dropping_old_entries() -> None:
    # The nodes' observer views are bounded: what a node forgot since is still counted.
    good = _double_vote(1)
    tally = Tally(SimParams(validators=6, cores=2, group_size=3), GROUPS, set(), frozenset())
    node = _TallyNode(_TallyBacking(misbehaviour_found=((RP, 1, good),)))
    tally.observe([node])  # type: ignore[list-item]
    node.backing.misbehaviour_found = ()
    tally.observe([node])  # type: ignore[list-item]
    assert detected_misbehaviour(tally.cases, VALIDATORS) == ({"ValidityDoubleVote": 1}, 1, 0)


def test_finish_sums_the_rows_and_gathers_dropped_messages_by_reason() -> None:
    params = SimParams(validators=6, cores=2, group_size=3)
    tally = Tally(params, GROUPS, set(), frozenset({0}))
    tally.report.blocks = [
        BlockRow(1, 0, seconded=2, backed=2, code_upgrades=1),
        BlockRow(2, 3, seconded=1, backed=1, included=2, timed_out=1),
    ]
    tally.delays, tally.assembly = array("q", [1, 2]), array("d", [3.0, 1.0, 2.0])
    node = _TallyNode(
        _TallyBacking(rejected_by_reason={"not in group": 2}, dropped={"no job": 1}),
        _Provisioner(dropped={"late": 0}),
    )
    network = InProcessNetwork()
    network.stats.update({"statements lost": 3, "statements delivered": 40, "povs served": 2})
    report = tally.finish(
        [node, node],  # type: ignore[list-item]
        network,
        Counter({"bitfields lost": 4}),
        Counter({"UnauthorizedStatement": 2}),
        VALIDATORS,
        wall=1.23456,
    )
    assert (report.seconded, report.backed, report.included, report.timed_out) == (3, 3, 2, 1)
    assert report.code_upgrades == 1 and report.mean_blocks_backing_to_inclusion == 1.5
    assert report.misbehaviour_injected == {"UnauthorizedStatement": 2}
    assert report.misbehaviour_detected == {}
    assert report.dropped == {
        "backing: no job": 2,
        "backing: statement rejected, not in group": 4,
        "network: bitfields lost": 4,
        "network: statements lost": 3,
    }
    assert report.groups_with_adversaries_at_or_over_a_third == 1
    assert (report.assembly_ms_median, report.assembly_ms_max) == (2.0, 3.0)
    assert report.wall_seconds == 1.235
    assert report.availability_per_core == [0, 0]
