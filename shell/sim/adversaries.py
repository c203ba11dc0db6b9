# The simulation's adversaries: which validators misbehave and how. Each behaviour is a disjoint
# set of validators drawn from the seed. Withholders are honest nodes whose statements the
# network never sends on (a constructor argument of the network) or whose bitfields the engine
# never sends; vouchers run honest nodes with a lying candidate validation that passes the
# colluding collator's invalid blocks; the rest act here, with the adversary's own key, after
# the honest statements of a block have settled: double voters contradict their own statement,
# equivocators second two candidates, out-of-group voters vote on another group's candidate,
# forgers send a statement with a bad signature. Every action is counted by the kind of
# misbehaviour it must be reported as, and recorded as an `Offence`: the statements sent, the
# nodes each was delivered to (the network's loss decides) and the nodes that held, when it was
# sent, the statement it contradicts; so the tally can say why an offence went undetected.
#
# What belongs here: choosing the adversaries and everything they do. Not here: detecting
# misbehaviour (the nodes do; the tally counts it), the chain's rules, the run loop.
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from backable.core import (
    CandidateInvalid,
    CandidateReceipt,
    CandidateValid,
    Invalid,
    OccupiedCoreAssumption,
    PersistedValidationData,
    PoV,
    Seconded,
    SignedStatement,
    SigningContext,
    Valid,
)
from backable.core.backing.job import BackingJobState
from backable.core.records.statements import AnyStatement

from ..collaborators.keystore import Keystore
from ..collaborators.network import InProcessNetwork, StatementHandler
from ..collaborators.validation import InMemoryValidation
from ..node import Node
from .chain import ChainModel
from .collator import Collation
from .report import ADVERSARY_KINDS, SimParams, SimulationError

__all__ = [
    "Adversaries",
    "Collusion",
    "LyingValidation",
    "Misbehaviour",
    "Offence",
    "choose_adversaries",
]

# Builds and registers a candidate: (para, relay parent, validation data, payload).
Collate = Callable[[int, bytes, PersistedValidationData, bytes], Collation]


@dataclass(frozen=True)
class Adversaries:
    """The validators behaving as each kind in `ADVERSARY_KINDS`, sorted; disjoint sets."""

    by_kind: Mapping[str, tuple[int, ...]]

    def of(self, kind: str) -> tuple[int, ...]:
        return self.by_kind.get(kind, ())

    def all(self) -> tuple[int, ...]:
        return tuple(sorted(v for members in self.by_kind.values() for v in members))

    def groups_at_or_over_a_third(self, groups: Sequence[Sequence[int]]) -> frozenset[int]:
        """The groups (by index) where adversaries are a third of the members or more: where
        vouchers may get an invalid candidate backed."""
        adversaries = set(self.all())
        return frozenset(
            k
            for k, group in enumerate(groups)
            if 3 * sum(1 for v in group if v in adversaries) >= len(group) > 0
        )


def choose_adversaries(params: SimParams, order: Sequence[int], rng: random.Random) -> Adversaries:
    """Disjoint sets, one behaviour each, `round(fraction * validators)` validators per kind,
    drawn in `ADVERSARY_KINDS` order from a shuffle (by `rng`) of `order`."""
    pool = list(order)
    rng.shuffle(pool)
    chosen: dict[str, tuple[int, ...]] = {}
    at = 0
    for kind in ADVERSARY_KINDS:
        count = round(params.adversaries.get(kind, 0.0) * params.validators)
        if at + count > len(pool):
            raise SimulationError("adversary fractions add up to more than every validator")
        chosen[kind] = tuple(sorted(pool[at : at + count]))
        at += count
    return Adversaries(chosen)


class Collusion:
    """The colluding collator's invalid candidates, by hash, in the order they were built."""

    def __init__(self) -> None:
        self._invalid: dict[bytes, Collation] = {}

    def add(self, collation: Collation) -> None:
        self._invalid[collation.candidate_hash] = collation

    def __contains__(self, candidate_hash: object) -> bool:
        return candidate_hash in self._invalid

    def __getitem__(self, candidate_hash: bytes) -> Collation:
        return self._invalid[candidate_hash]


class LyingValidation:
    """A voucher's candidate validation: the colluding collator's invalid blocks come out valid
    (with the outputs the collator committed to); everything else is validated by `inner`."""

    def __init__(self, inner: InMemoryValidation, collusion: Collusion, chain: ChainModel) -> None:
        self.inner = inner
        self.collusion = collusion
        self.chain = chain

    async def validate(
        self,
        relay_parent: bytes,
        candidate: CandidateReceipt,
        pov: PoV,
        validation_data: PersistedValidationData | None = None,
    ) -> CandidateValid | CandidateInvalid:
        h = candidate.hash()
        if h in self.collusion:
            committed = self.collusion[h].committed
            para = committed.descriptor.para_id
            pvd = (
                validation_data
                or self.chain.state(relay_parent).validation_data[
                    (para, OccupiedCoreAssumption.FREE)
                ]
            )
            return CandidateValid(h, committed.commitments, pvd)
        if validation_data is None:
            return await self.inner.validate(relay_parent, candidate, pov)
        return await self.inner.validate(relay_parent, candidate, pov, validation_data)


@dataclass(frozen=True)
class Offence:
    """One injected case of misbehaviour. It can be detected only by a node that received every
    statement in `sent` and, when `holders` is set, held the contradicted statement already."""

    kind: str
    relay_parent: bytes
    validator: int
    candidates: frozenset[bytes]  # the candidate hashes its evidence names
    sent: tuple[SignedStatement, ...]
    holders: frozenset[int] | None = None
    # Per statement in `sent`, the nodes it was delivered to (filled as the network delivers).
    delivered: tuple[set[int], ...] = field(default_factory=tuple)

    def able_to_detect(self) -> frozenset[int]:
        """The nodes that received all it takes to detect it."""
        able = set.intersection(*self.delivered) if self.delivered else set()
        if self.holders is not None:
            able &= self.holders
        return frozenset(able)


class Misbehaviour:
    """The adversaries that act by sending statements: each block, `inject` makes every one of
    them misbehave once where it can; `injected` counts the cases by the kind each must be
    reported as."""

    def __init__(
        self,
        adversaries: Adversaries,
        keys: Keystore,
        network: InProcessNetwork,
        nodes: Sequence[Node],
        chain: ChainModel,
        collusion: Collusion,
        rng: random.Random,
    ) -> None:
        self.adversaries = adversaries
        self.keys = keys
        self.validators = keys.public_keys()
        self.network = network
        self.nodes = nodes
        self.chain = chain
        self.collusion = collusion
        self.rng = rng  # the simulation's one generator: forged signatures draw from it
        self.injected: Counter[str] = Counter()
        self.offences: list[Offence] = []
        # Recipients of the statements adversaries send, by the statement's identity (the
        # in-process network hands every peer the very object shared).
        self._recipients: dict[int, set[int]] = {}
        acting = ("double_vote", "second_two", "out_of_group", "forge")
        if any(adversaries.of(k) for k in acting):
            # A network without registered peers (a test's stand-in) delivers to nobody we see.
            for index, peer in getattr(network, "peers", {}).items():
                peer.deliver = self._watching(index, peer.deliver)

    def _watching(self, index: int, deliver: StatementHandler) -> StatementHandler:
        async def watched(relay_parent: bytes, statement: SignedStatement) -> None:
            await deliver(relay_parent, statement)
            recipients = self._recipients.get(id(statement))
            if recipients is not None:
                recipients.add(index)

        return watched

    def _job(self, v: int, rp: bytes) -> BackingJobState | None:
        return self.nodes[v].backing.job_state(rp)

    def _holders(self, rp: bytes, candidate_hash: bytes, voter: int | None) -> frozenset[int]:
        # Nodes whose table at `rp` has the candidate (and, with `voter`, that validator's vote).
        found = set()
        for u, node in enumerate(self.nodes):
            job = node.backing.job_state(rp)
            if job is None or job.table.candidate(candidate_hash) is None:
                continue
            if voter is None or any(w == voter for w, _, _ in job.table.votes(candidate_hash)):
                found.add(u)
        return frozenset(found)

    async def _send(self, v: int, rp: bytes, signed: SignedStatement) -> set[int]:
        recipients: set[int] = set()
        self._recipients[id(signed)] = recipients
        try:
            await self.network.share_statement(v, rp, signed)
        finally:
            del self._recipients[id(signed)]
        return recipients

    def _record(
        self,
        kind: str,
        rp: bytes,
        v: int,
        sent: list[tuple[SignedStatement, set[int]]],
        holders: frozenset[int] | None = None,
        contradicted: bytes | None = None,
    ) -> None:
        hashes = {s.candidate_hash for s, _ in sent}
        if contradicted is not None:
            hashes.add(contradicted)
        self.injected[kind] += 1
        self.offences.append(
            Offence(
                kind,
                rp,
                v,
                frozenset(hashes),
                tuple(s for s, _ in sent),
                holders,
                tuple(r for _, r in sent),
            )
        )

    async def _share(
        self, v: int, rp: bytes, statement: AnyStatement, ctx: SigningContext
    ) -> tuple[SignedStatement, set[int]]:
        signed = self.keys.sign_statement(self.validators[v], statement, ctx, v)
        return signed, await self._send(v, rp, signed)

    async def inject(
        self,
        rp: bytes,
        ctx: SigningContext,
        *,
        author: int,
        group_of_para: Mapping[int, tuple[int, ...]],
        para_of: Mapping[bytes, int],
        collate: Collate,
        group_of_candidate: Mapping[bytes, tuple[int, ...]] | None = None,
    ) -> None:
        """Misbehave at relay parent `rp`, whose author is `author`. `para_of` has every
        candidate built so far (in the order built) with its para; `collate` builds another.
        `group_of_candidate` (today's protocol) gives each candidate's backing group, and
        marks the run as today's: there a validator may second several candidates, so
        `second_two` is no misbehaviour and is not injected, and a statement table has no
        Invalid votes, so `double_vote` contradicts only its own Seconded (with a Valid)."""
        adv = self.adversaries
        today = group_of_candidate is not None

        def group_of(h: bytes) -> tuple[int, ...]:
            if group_of_candidate is not None and h in group_of_candidate:
                return group_of_candidate[h]
            return group_of_para[para_of[h]]

        author_job = self._job(author, rp)
        # Valid candidates the author's table knows at this relay parent: targets for votes.
        honest_candidates = [
            h
            for h in para_of
            if h not in self.collusion
            and author_job is not None
            and author_job.table.candidate(h) is not None
        ]
        for v in adv.of("double_vote"):
            job = self._job(v, rp)
            if job is None or v in adv.of("withhold_statements"):
                continue
            for h in sorted(job.issued):
                votes = {voter: st for voter, st, _ in job.table.votes(h)}
                mine = votes.get(v)
                if mine is None:
                    continue  # our own statement is not in our table: nothing to contradict
                if today and isinstance(mine, Valid):
                    continue  # today's protocol has no Invalid to contradict a Valid with
                conflict: AnyStatement = Valid(h) if not isinstance(mine, Valid) else Invalid(h)
                contradicting = self._holders(rp, h, v)
                conflicting = await self._share(v, rp, conflict, ctx)
                self._record("ValidityDoubleVote", rp, v, [conflicting], contradicting)
        for v in () if today else adv.of("second_two"):
            para = next((pa for pa, g in group_of_para.items() if v in g), None)
            if para is None:
                continue
            if self.chain.is_occupied(self.chain.paras.index(para)):
                continue  # the core is not free: candidates for it would not be seconded
            pvd = self.chain.state(rp).validation_data[(para, OccupiedCoreAssumption.FREE)]
            job = self._job(v, rp)
            already = job is not None and job.seconded is not None
            alternatives = 1 if already else 2
            # With one alternative, the contradicted Seconded is the one its node sent.
            first = job.seconded if job is not None and already else None
            holders = None if first is None else self._holders(rp, first, v)
            sent: list[tuple[SignedStatement, set[int]]] = []
            for k in range(alternatives):
                alt = collate(para, rp, pvd, f"alternative {k}".encode())
                # Its own node serves the PoV, so the group can fetch it and vote.
                self.nodes[v].backing.offer_pov(alt.candidate_hash, alt.pov)
                sent.append(await self._share(v, rp, Seconded(alt.committed), ctx))
            self._record("MultipleCandidates", rp, v, sent, holders, first)
        for v in adv.of("out_of_group"):
            target = next((h for h in honest_candidates if v not in group_of(h)), None)
            if target is None:
                continue
            knowing = self._holders(rp, target, None)
            vote = await self._share(v, rp, Valid(target), ctx)
            self._record("UnauthorizedStatement", rp, v, [vote], knowing)
        for v in adv.of("forge"):
            if not honest_candidates:
                continue
            target = honest_candidates[0]
            real = self.keys.sign_statement(self.validators[v], Valid(target), ctx, v)
            forged = SignedStatement(
                real.statement, v, bytes(64 - 1) + bytes([self.rng.randrange(1, 256)])
            )
            self._record("ForgedSignature", rp, v, [(forged, await self._send(v, rp, forged))])
