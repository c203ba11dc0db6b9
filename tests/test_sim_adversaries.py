# The simulation's adversaries: disjoint sets drawn from the seed, the groups where they reach a
# third, the vouchers' lying validation, and what each statement-sending adversary sends. The
# nodes, their jobs and the network are tiny fakes: only what the adversaries read and call.
from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any

import pytest

from backable.core import (
    CandidateInvalid,
    CandidateValid,
    Invalid,
    OccupiedCoreAssumption,
    Seconded,
    SignedStatement,
    SigningContext,
    Valid,
    blake2_256,
    statement_signing_payload,
    verify_signature,
)
from backable.shell.collaborators.keystore import Keystore
from backable.shell.collaborators.validation import InMemoryValidation
from backable.shell.sim.adversaries import (
    Adversaries,
    Collusion,
    LyingValidation,
    Misbehaviour,
    choose_adversaries,
)
from backable.shell.sim.chain import ChainModel
from backable.shell.sim.collator import Collation, Collator, toy_validation_function
from backable.shell.sim.report import ADVERSARY_KINDS, SimParams, SimulationError

N = 6
GROUPS = ((0, 1, 2), (3, 4, 5))
KEYS = Keystore.from_seeds([blake2_256(bytes([i])) for i in range(N)])
VALIDATORS = KEYS.public_keys()


def _params(**adversaries: float) -> SimParams:
    params = SimParams(validators=N, cores=2, group_size=3)
    params.adversaries.update(adversaries)
    return params


def _chain() -> ChainModel:
    return ChainModel(_params(), VALIDATORS, GROUPS, random.Random(0))


def _collate(chain: ChainModel, core: int, rp: bytes, *, invalid: bool = False) -> Collation:
    para = chain.paras[core]
    pvd = chain.state(rp).validation_data[(para, OccupiedCoreAssumption.FREE)]
    return Collator(para).collate(rp, pvd, N, payload=b"x", invalid=invalid)


# -- choosing -------------------------------------------------------------------------------


def test_adversaries_are_disjoint_sorted_sets_of_the_fraction_asked() -> None:
    params = _params(double_vote=0.5, forge=1 / 3)
    chosen = choose_adversaries(params, list(range(N)), random.Random(1))
    assert len(chosen.of("double_vote")) == 3 and len(chosen.of("forge")) == 2
    assert all(list(chosen.of(k)) == sorted(chosen.of(k)) for k in ADVERSARY_KINDS)
    assert not set(chosen.of("double_vote")) & set(chosen.of("forge"))
    assert chosen.all() == tuple(sorted(chosen.of("double_vote") + chosen.of("forge")))
    assert chosen.of("second_two") == () and chosen.of("no such kind") == ()
    assert choose_adversaries(params, list(range(N)), random.Random(1)) == chosen


def test_adversary_fractions_over_every_validator_are_refused() -> None:
    with pytest.raises(SimulationError, match="more than every validator"):
        choose_adversaries(_params(double_vote=0.6, forge=0.6), list(range(N)), random.Random(0))


def test_a_group_counts_as_adversarial_from_a_third_of_its_members() -> None:
    one_in_first = Adversaries({"forge": (0,)})
    assert one_in_first.groups_at_or_over_a_third(GROUPS) == frozenset({0})
    assert Adversaries({"forge": ()}).groups_at_or_over_a_third(GROUPS) == frozenset()
    assert Adversaries({"forge": (0,)}).groups_at_or_over_a_third(((0, 1, 2, 3),)) == frozenset()


# -- the vouchers' validation ---------------------------------------------------------------


def test_lying_validation_passes_colluding_candidates_and_validates_the_rest() -> None:
    chain = _chain()
    rp = chain.build(0)[0]
    honest = InMemoryValidation(
        chain.runtime, dict.fromkeys(chain.paras, toy_validation_function), in_process=True
    )
    collusion = Collusion()
    lying = LyingValidation(honest, collusion, chain)
    colluding = _collate(chain, 0, rp, invalid=True)
    stranger = _collate(chain, 1, rp, invalid=True)
    collusion.add(colluding)
    assert colluding.candidate_hash in collusion and stranger.candidate_hash not in collusion

    async def verdicts() -> list[Any]:
        return [
            await lying.validate(rp, c.receipt, c.pov) for c in (colluding, stranger)
        ] + [await honest.validate(rp, colluding.receipt, colluding.pov)]

    passed, refused, honestly = asyncio.run(verdicts())
    pvd = chain.state(rp).validation_data[(chain.paras[0], OccupiedCoreAssumption.FREE)]
    assert passed == CandidateValid(colluding.candidate_hash, colluding.committed.commitments, pvd)
    assert isinstance(refused, CandidateInvalid) and isinstance(honestly, CandidateInvalid)


# -- the statement-sending adversaries ------------------------------------------------------


@dataclass
class _Table:
    known: set[bytes] = field(default_factory=set)
    mine: dict[bytes, list[tuple[int, Any, bytes]]] = field(default_factory=dict)

    def candidate(self, h: bytes) -> object | None:
        return object() if h in self.known else None

    def votes(self, h: bytes) -> list[tuple[int, Any, bytes]]:
        return self.mine.get(h, [])


@dataclass
class _StubJob:
    table: _Table = field(default_factory=_Table)
    issued: frozenset[bytes] = frozenset()
    seconded: bytes | None = None


@dataclass
class _StubBacking:
    job: _StubJob | None = None
    offered: dict[bytes, object] = field(default_factory=dict)

    def job_state(self, relay_parent: bytes) -> _StubJob | None:
        return self.job

    def offer_pov(self, candidate_hash: bytes, pov: object) -> None:
        self.offered[candidate_hash] = pov


@dataclass
class _StubNode:
    backing: _StubBacking = field(default_factory=_StubBacking)


@dataclass
class _Network:
    sent: list[tuple[int, SignedStatement]] = field(default_factory=list)

    async def share_statement(self, v: int, rp: bytes, statement: SignedStatement) -> None:
        self.sent.append((v, statement))


def _inject(adversaries: Adversaries, nodes: list[_StubNode], candidates: list[Collation]) -> tuple[
    Misbehaviour, _Network, ChainModel, bytes
]:
    chain = _chain()
    rp, _, rotation = chain.build(0)
    network = _Network()
    built: dict[bytes, int] = {c.candidate_hash: c.receipt.descriptor.para_id for c in candidates}
    misbehaviour = Misbehaviour(
        adversaries, KEYS, network, nodes, chain, Collusion(), random.Random(0)  # type: ignore[arg-type]
    )

    def collate(para: int, relay_parent: bytes, pvd: Any, payload: bytes) -> Collation:
        c = Collator(para).collate(relay_parent, pvd, N, payload=payload)
        built[c.candidate_hash] = para
        return c

    asyncio.run(
        misbehaviour.inject(
            rp,
            SigningContext(1, rp),
            author=0,
            group_of_para=chain.group_of_para(rotation),
            para_of=built,
            collate=collate,
        )
    )
    return misbehaviour, network, chain, rp


def _signed_by(v: int, statement: SignedStatement, rp: bytes) -> bool:
    payload = statement_signing_payload(statement.statement, SigningContext(1, rp))
    return statement.validator_index == v and verify_signature(
        payload, statement.signature, VALIDATORS[v]
    )


def test_out_of_group_voters_vouch_for_another_groups_candidate_and_forgers_forge() -> None:
    chain = _chain()
    rp = chain.build(0)[0]
    first_core = _collate(chain, 0, rp)  # backed by group 0: validators 0, 1, 2
    nodes = [_StubNode() for _ in range(N)]
    nodes[0].backing.job = _StubJob(_Table(known={first_core.candidate_hash}))  # the author's table
    adversaries = Adversaries({"out_of_group": (4,), "forge": (5,)})
    misbehaviour, network, _, rp = _inject(adversaries, nodes, [first_core])
    assert misbehaviour.injected == {"UnauthorizedStatement": 1, "ForgedSignature": 1}
    (voter, vote), (forger, forged) = network.sent
    assert (voter, vote.statement) == (4, Valid(first_core.candidate_hash))
    assert _signed_by(4, vote, rp)
    assert (forger, forged.statement) == (5, Valid(first_core.candidate_hash))
    assert not _signed_by(5, forged, rp)


def test_no_candidate_the_author_knows_means_nothing_to_vote_on_or_forge() -> None:
    adversaries = Adversaries({"out_of_group": (4,), "forge": (5,)})
    misbehaviour, network, _, _ = _inject(adversaries, [_StubNode() for _ in range(N)], [])
    assert misbehaviour.injected == {} and network.sent == []


def test_an_equivocator_seconds_two_candidates_and_serves_their_povs() -> None:
    nodes = [_StubNode() for _ in range(N)]
    misbehaviour, network, _, rp = _inject(Adversaries({"second_two": (1,)}), nodes, [])
    assert misbehaviour.injected == {"MultipleCandidates": 1}
    assert [v for v, _ in network.sent] == [1, 1]
    seconded = [s.statement for _, s in network.sent]
    assert all(isinstance(s, Seconded) for s in seconded)
    hashes = [s.candidate_hash for _, s in network.sent]
    assert len(set(hashes)) == 2 and sorted(nodes[1].backing.offered) == sorted(hashes)
    assert all(_signed_by(1, s, rp) for _, s in network.sent)


def test_an_equivocator_that_already_seconded_adds_one_more() -> None:
    nodes = [_StubNode() for _ in range(N)]
    nodes[1].backing.job = _StubJob(seconded=b"\x01" * 32)
    misbehaviour, network, _, _ = _inject(Adversaries({"second_two": (1,)}), nodes, [])
    assert misbehaviour.injected == {"MultipleCandidates": 1} and len(network.sent) == 1


def test_a_double_voter_contradicts_its_own_valid_vote_with_invalid() -> None:
    h, other = b"\x07" * 32, b"\x08" * 32
    nodes = [_StubNode() for _ in range(N)]
    # It voted Valid on h; on `other` its own vote is missing from its table: nothing to contradict.
    table = _Table(mine={h: [(1, Valid(h), b""), (2, Valid(h), b"")]})
    nodes[2].backing.job = _StubJob(table, issued=frozenset({h, other}))
    misbehaviour, network, _, rp = _inject(Adversaries({"double_vote": (2,)}), nodes, [])
    assert misbehaviour.injected == {"ValidityDoubleVote": 1}
    [(voter, vote)] = network.sent
    assert (voter, vote.statement) == (2, Invalid(h)) and _signed_by(2, vote, rp)


def test_a_double_voter_that_withholds_its_statements_sends_nothing() -> None:
    h = b"\x07" * 32
    nodes = [_StubNode() for _ in range(N)]
    nodes[2].backing.job = _StubJob(_Table(mine={h: [(2, object(), b"")]}), issued=frozenset({h}))
    adversaries = Adversaries({"double_vote": (2,), "withhold_statements": (2,)})
    misbehaviour, network, _, _ = _inject(adversaries, nodes, [])
    assert misbehaviour.injected == {} and network.sent == []
