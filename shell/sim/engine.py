# `backable simulate`'s engine: a relay chain's inclusion pipeline run end to end through the
# shell. Every validator runs a Node (both subsystems under an overseer); collators build real
# candidates on free cores; candidate selection recommends each to a member of the assigned
# group; statements, quorum and backed candidates flow through the real subsystems; validators
# sign availability bitfields; each block an author chosen by the seed requests inherent data,
# `check_inherent` verifies it, and the chain applies it (availability, time-outs, occupation,
# code upgrades). Adversaries are validators whose keys the simulation uses to inject
# misbehaviour; every detectable case must come back as a report with verifiable evidence.
#
# Determinism: one seeded generator decides everything random; nothing iterates a set or a map
# keyed by hashes (sr25519 signatures are randomised, so candidate hashes differ between runs
# and never reach the report).
from __future__ import annotations

import asyncio
import logging
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from backable.core import (
    ActivatedLeaf,
    ActiveLeavesUpdate,
    BackableError,
    BitVec,
    CandidateInvalid,
    CandidateReceipt,
    CandidateValid,
    GroupRotationInfo,
    Invalid,
    OccupiedCore,
    OccupiedCoreAssumption,
    PersistedValidationData,
    PoV,
    ProvisionerInherentData,
    ReceiveBitfield,
    RequestInherentData,
    ScheduledCore,
    Second,
    Seconded,
    SignedStatement,
    SigningContext,
    Valid,
    bitfield_signing_payload,
    blake2_256,
    check_inherent,
    statement_signing_payload,
    verify_signature,
)
from backable.core.backing.job import BackingJobState
from backable.core.backing.table import backing_threshold
from backable.core.provisioner.availability import availability_threshold_met
from backable.core.records.cores import AnyCoreState
from backable.core.records.statements import AnyStatement

from ..collaborators.keystore import Keystore
from ..collaborators.network import InProcessNetwork
from ..collaborators.runtime_api import InMemoryChain, RelayBlockState
from ..collaborators.validation import InMemoryValidation
from ..node import Node
from ..overseer.messages import CANDIDATE_BACKING, PROVISIONER, ToJob
from .collator import TOY_VALIDATION_CODE, Collation, Collator, toy_validation_function
from .report import ADVERSARY_KINDS, BlockRow, InclusionRow, SimParams, SimReport

__all__ = ["SimulationError", "run_simulation"]

log = logging.getLogger("backable.simulation")

SESSION = 1
MAX_POV = 5 << 20
PARA_BASE = 1000


class SimulationError(BackableError, RuntimeError):
    """The parameters cannot describe a network (the CLI validates before this)."""


@dataclass
class _Occupied:
    """A core's pending candidate on the simulated chain."""

    collation: Collation
    backed_at: int
    time_out_at: int
    group: int
    availability: int = 0  # bits by validator index
    holders: int = 0  # validators holding their chunk of the data
    votes: int = 0
    scheduled: bool = True


@dataclass
class _Para:
    head: bytes
    code: bytes = TOY_VALIDATION_CODE
    upgrades: int = 0


@dataclass
class _Adversaries:
    by_kind: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def of(self, kind: str) -> tuple[int, ...]:
        return self.by_kind.get(kind, ())

    def all(self) -> tuple[int, ...]:
        return tuple(sorted(v for members in self.by_kind.values() for v in members))


class _LyingValidation:
    """A vouching adversary's candidate validation: the colluding collator's invalid blocks come
    out valid (with the outputs the collator committed to); everything else is validated."""

    def __init__(self, inner: InMemoryValidation, sim: _Simulation) -> None:
        self.inner = inner
        self.sim = sim

    async def validate(
        self, relay_parent: bytes, candidate: CandidateReceipt, pov: PoV
    ) -> CandidateValid | CandidateInvalid:
        h = candidate.hash()
        if h in self.sim.invalid_hashes:
            committed = self.sim.collations[h].committed
            para = committed.descriptor.para_id
            pvd = self.sim.chain.blocks[relay_parent].validation_data[
                (para, OccupiedCoreAssumption.FREE)
            ]
            return CandidateValid(h, committed.commitments, pvd)
        return await self.inner.validate(relay_parent, candidate, pov)


class _Simulation:
    def __init__(self, params: SimParams) -> None:
        self.p = params
        self.rng = random.Random(params.seed)
        n, g = params.validators, params.group_size
        n_groups = n // g
        if n < 1 or g < 1 or params.cores < 1 or params.cores > n_groups:
            raise SimulationError(
                f"{params.cores} cores need as many groups; {n} validators in groups of {g}"
                f" make {n_groups}"
            )
        seeds = [blake2_256(b"backable sim validator" + i.to_bytes(4, "little")) for i in range(n)]
        self.keys = Keystore.from_seeds(seeds)
        self.validators = self.keys.public_keys()
        order = list(range(n))
        self.rng.shuffle(order)
        self.groups: tuple[tuple[int, ...], ...] = tuple(
            tuple(sorted(order[k::n_groups])) for k in range(n_groups)
        )
        self.adversaries = self._choose_adversaries(order)
        self.paras = [PARA_BASE + i for i in range(params.cores)]
        self.para_state = {
            p: _Para(head=blake2_256(b"genesis head of para" + p.to_bytes(4, "little")))
            for p in self.paras
        }
        self.collators = {p: Collator(p) for p in self.paras}
        self.occupied: dict[int, _Occupied] = {}
        self.chain = InMemoryChain()
        self.network = InProcessNetwork(seed=params.seed, statement_loss=params.statement_loss)
        self.network.withhold_from = set(self.adversaries.of("withhold_statements"))
        self.network.router = self._route
        self.validation = InMemoryValidation(
            self.chain, dict.fromkeys(self.paras, toy_validation_function)
        )
        lying = _LyingValidation(self.validation, self)
        vouchers = set(self.adversaries.of("vouch_invalid"))
        self.nodes = [
            Node(
                i,
                Keystore.from_seeds([seeds[i]]),
                self.chain,
                lying if i in vouchers else self.validation,
                self.network,
                pre_propose_ms=0,
                minimum_backing_votes=params.minimum_backing_votes,
            )
            for i in range(n)
        ]
        # Routing for the block being built: statements go to the candidate's group and the
        # block author, not to every validator (a simplification the README states; plain
        # InProcessNetwork gossips to all).
        self.author = 0
        self.para_of: dict[bytes, int] = {}
        self.collations: dict[bytes, Collation] = {}
        self.group_of_para: dict[int, tuple[int, ...]] = {}
        self.invalid_hashes: dict[bytes, int] = {}  # hash -> core
        self.report = SimReport(params=params)
        self.injected: Counter[str] = Counter()
        self.backed_at: dict[bytes, int] = {}
        self.assembly: list[float] = []
        self.delays: list[int] = []
        self.availability_per_core = [0] * params.cores
        adversaries = set(self.adversaries.all())
        self.adversarial_groups = {
            k
            for k, group in enumerate(self.groups)
            if 3 * sum(1 for v in group if v in adversaries) >= len(group) > 0
        }

    # -- set-up ---------------------------------------------------------------------------

    def _choose_adversaries(self, order: list[int]) -> _Adversaries:
        # Disjoint sets, one behaviour each, drawn from a second shuffle of the validators.
        pool = list(order)
        self.rng.shuffle(pool)
        chosen: dict[str, tuple[int, ...]] = {}
        at = 0
        for kind in ADVERSARY_KINDS:
            count = round(self.p.adversaries.get(kind, 0.0) * self.p.validators)
            if at + count > len(pool):
                raise SimulationError("adversary fractions add up to more than every validator")
            chosen[kind] = tuple(sorted(pool[at : at + count]))
            at += count
        return _Adversaries(chosen)

    def _route(self, sender: int, relay_parent: bytes, statement: SignedStatement) -> Iterable[int]:
        para = self.para_of.get(statement.candidate_hash)
        group = self.group_of_para.get(para, ()) if para is not None else ()
        return (*group, self.author)

    # -- the chain ------------------------------------------------------------------------

    def _relay_hash(self, number: int) -> bytes:
        return blake2_256(
            b"backable sim relay block"
            + self.p.seed.to_bytes(8, "little")
            + number.to_bytes(4, "little")
        )

    def _pvd(self, head: bytes, rp_number: int, rp: bytes) -> PersistedValidationData:
        return PersistedValidationData(head, rp_number, blake2_256(b"state" + rp), MAX_POV)

    def _state_at(self, rp: bytes, rp_number: int) -> tuple[RelayBlockState, GroupRotationInfo]:
        rotation = GroupRotationInfo(0, self.p.rotation_frequency, rp_number + 1)
        cores: list[AnyCoreState] = []
        pvds: dict[tuple[int, OccupiedCoreAssumption], PersistedValidationData] = {}
        n = self.p.validators
        for i, para in enumerate(self.paras):
            head = self.para_state[para].head
            occ = self.occupied.get(i)
            pvds[(para, OccupiedCoreAssumption.FREE)] = self._pvd(head, rp_number, rp)
            pvds[(para, OccupiedCoreAssumption.TIMED_OUT)] = self._pvd(head, rp_number, rp)
            if occ is None:
                cores.append(ScheduledCore(para))
                pvds[(para, OccupiedCoreAssumption.INCLUDED)] = self._pvd(head, rp_number, rp)
                continue
            pending_head = occ.collation.committed.commitments.head_data
            pvds[(para, OccupiedCoreAssumption.INCLUDED)] = self._pvd(pending_head, rp_number, rp)
            cores.append(
                OccupiedCore(
                    next_up_on_available=ScheduledCore(para),
                    occupied_since=occ.backed_at,
                    time_out_at=occ.time_out_at,
                    next_up_on_time_out=ScheduledCore(para),
                    availability=BitVec(occ.availability, n),
                    group_responsible=occ.group,
                    candidate_hash=occ.collation.candidate_hash,
                    candidate_descriptor=occ.collation.receipt.descriptor,
                )
            )
        state = RelayBlockState(
            number=rp_number,
            validators=self.validators,
            groups=self.groups,
            rotation=rotation,
            cores=tuple(cores),
            session_index=SESSION,
            validation_data=pvds,
            validation_code={p: self.para_state[p].code for p in self.paras},
            minimum_backing_votes=self.p.minimum_backing_votes,
        )
        return state, rotation

    # -- running --------------------------------------------------------------------------

    async def settle(self) -> None:
        """Wait until no node has anything queued or under way, for a few turns in a row."""
        quiet = 0
        while quiet < 3:
            await asyncio.sleep(0)
            if all(node.idle() for node in self.nodes) and not self.network._pending:
                quiet += 1
            else:
                quiet = 0

    async def run(self, progress: Callable[[BlockRow], None] | None) -> SimReport:
        started = time.perf_counter()
        for node in self.nodes:
            await node.overseer.start()
        previous: bytes | None = None
        try:
            for number in range(1, self.p.blocks + 1):
                row = await self._block(number, previous)
                previous = self._relay_hash(number - 1)
                self.report.blocks.append(row)
                if progress is not None:
                    progress(row)
                if self.report.stopped_early:
                    break
        finally:
            for node in self.nodes:
                await node.overseer.stop(timeout=2.0)
        self._finish(time.perf_counter() - started)
        return self.report

    async def _block(self, number: int, previous: bytes | None) -> BlockRow:
        p, rng = self.p, self.rng
        rp_number = number - 1
        rp = self._relay_hash(rp_number)
        state, rotation = self._state_at(rp, rp_number)
        self.chain.add_block(rp, state)
        self.author = rng.randrange(p.validators)
        row = BlockRow(number=number, author=self.author)
        n_cores = len(self.paras)
        self.group_of_para = {
            para: self.groups[rotation.group_for_core(i, n_cores)]
            for i, para in enumerate(self.paras)
        }
        update = ActiveLeavesUpdate(
            activated=(ActivatedLeaf(rp, rp_number),),
            deactivated=() if previous is None else (previous,),
        )
        for node in self.nodes:
            await node.overseer.signal(update)
        await self.settle()

        ctx = SigningContext(SESSION, rp)
        # Collators build on every free core; candidate selection recommends each candidate to
        # one member of the group assigned to the core.
        for i, para in enumerate(self.paras):
            if not isinstance(state.cores[i], ScheduledCore):
                continue
            group = self.group_of_para[para]
            chosen = group[rng.randrange(len(group))]
            pvd = state.validation_data[(para, OccupiedCoreAssumption.FREE)]
            upgrade = rng.random() < p.code_upgrade_rate
            new_code = f"toy code v{self.para_state[para].upgrades + 1} of {para}".encode()
            if chosen in self.adversaries.of("vouch_invalid"):
                # A colluding collator's invalid block, recommended to a voucher whose node
                # "validates" it as valid (its fellow vouchers' nodes do the same).
                collation = self._collate(para, rp, pvd, payload=b"colluding", invalid=True)
                self.invalid_hashes[collation.candidate_hash] = i
                self.report.invalid_seconded += 1
                await self.nodes[chosen].overseer.send(
                    CANDIDATE_BACKING, ToJob(rp, Second(collation.receipt, collation.pov))
                )
                continue
            collation = self._collate(
                para,
                rp,
                pvd,
                payload=f"block {number}".encode(),
                new_code=new_code if upgrade else None,
            )
            await self.nodes[chosen].overseer.send(
                CANDIDATE_BACKING, ToJob(rp, Second(collation.receipt, collation.pov))
            )
        await self.settle()
        row.seconded += sum(
            1 for v in range(p.validators) if (job := self._job(v, rp)) and job.seconded is not None
        )
        await self._inject(rp, ctx)
        await self.settle()

        # Availability bitfields for the cores occupied at the relay parent.
        author = self.nodes[self.author]
        withholding = set(self.adversaries.of("withhold_bitfields"))
        sent = 0
        for v in range(p.validators):
            if v in withholding:
                continue
            bits = 0
            for i, occ in self.occupied.items():
                if occ.holders >> v & 1:
                    bits |= 1 << i
            payload = BitVec(bits, n_cores)
            signed = self.keys.sign_bitfield(self.validators[v], payload, ctx, v)
            if p.bitfield_loss and rng.random() < p.bitfield_loss:
                self.network.stats["bitfields lost"] += 1
                continue
            # Bitfield distribution checks the signature before the provisioner sees it.
            if not verify_signature(
                bitfield_signing_payload(payload, ctx), signed.signature, self.validators[v]
            ):
                self.network.stats["bitfields with bad signatures"] += 1
                continue
            await author.overseer.send(PROVISIONER, ToJob(rp, ReceiveBitfield(signed)))
            sent += 1
        await self.settle()

        reply: asyncio.Future[ProvisionerInherentData] = asyncio.get_running_loop().create_future()
        await author.overseer.send(PROVISIONER, ToJob(rp, RequestInherentData(reply)))
        data = await reply
        row.assembly_ms = author.provisioner.assembly_seconds[-1] * 1e3
        self.assembly.append(row.assembly_ms)

        problems = check_inherent(
            data,
            cores=state.cores,
            validators=self.validators,
            signing_context=ctx,
            groups=self.groups,
            group_rotation=rotation,
            minimum_backing_votes=p.minimum_backing_votes,
        )
        if problems:
            self.report.inherent_problems = [f"block {number}: {pr}" for pr in problems]
            self.report.stopped_early = (
                f"block {number}: check_inherent found {len(problems)} problems"
            )
            return row
        self._apply(number, data, row, rotation)
        return row

    def _job(self, v: int, rp: bytes) -> BackingJobState | None:
        return self.nodes[v].backing.job_states.get(rp)

    def _collate(
        self,
        para: int,
        rp: bytes,
        pvd: PersistedValidationData,
        *,
        payload: bytes,
        new_code: bytes | None = None,
        invalid: bool = False,
    ) -> Collation:
        collation = self.collators[para].collate(
            rp,
            pvd,
            self.p.validators,
            payload=payload,
            validation_code=self.para_state[para].code,
            new_code=new_code,
            invalid=invalid,
        )
        self.para_of[collation.candidate_hash] = para
        self.collations[collation.candidate_hash] = collation
        return collation

    # -- adversaries ----------------------------------------------------------------------

    async def _share(self, v: int, rp: bytes, statement: AnyStatement, ctx: SigningContext) -> None:
        signed = self.keys.sign_statement(self.validators[v], statement, ctx, v)
        await self.network.share_statement(v, rp, signed)

    async def _inject(self, rp: bytes, ctx: SigningContext) -> None:
        adv = self.adversaries
        honest_candidates = [
            h
            for h in self.para_of
            if h not in self.invalid_hashes and self._seconded_by_anyone(h, rp)
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
                conflict: AnyStatement = Valid(h) if not isinstance(mine, Valid) else Invalid(h)
                await self._share(v, rp, conflict, ctx)
                self.injected["ValidityDoubleVote"] += 1
        for v in adv.of("second_two"):
            para = next((pa for pa, g in self.group_of_para.items() if v in g), None)
            if para is None:
                continue
            core = self.paras.index(para)
            if core in self.occupied:
                continue  # the core is not free: candidates for it would not be seconded
            pvd = self.chain.blocks[rp].validation_data[(para, OccupiedCoreAssumption.FREE)]
            job = self._job(v, rp)
            already = job is not None and job.seconded is not None
            alternatives = 1 if already else 2
            for k in range(alternatives):
                alt = self._collate(para, rp, pvd, payload=f"alternative {k}".encode())
                self.nodes[v].backing.povs[alt.candidate_hash] = alt.pov
                await self._share(v, rp, Seconded(alt.committed), ctx)
            self.injected["MultipleCandidates"] += 1
        for v in adv.of("out_of_group"):
            target = next(
                (h for h in honest_candidates if v not in self.group_of_para[self.para_of[h]]), None
            )
            if target is None:
                continue
            await self._share(v, rp, Valid(target), ctx)
            self.injected["UnauthorizedStatement"] += 1
        for v in adv.of("forge"):
            if not honest_candidates:
                continue
            target = honest_candidates[0]
            real = self.keys.sign_statement(self.validators[v], Valid(target), ctx, v)
            forged = SignedStatement(
                real.statement, v, bytes(64 - 1) + bytes([self.rng.randrange(1, 256)])
            )
            await self.network.share_statement(v, rp, forged)
            self.injected["ForgedSignature"] += 1

    def _seconded_by_anyone(self, h: bytes, rp: bytes) -> bool:
        author_job = self._job(self.author, rp)
        return author_job is not None and author_job.table.candidate(h) is not None

    # -- the runtime applying the inherent ------------------------------------------------

    def _apply(
        self, number: int, data: ProvisionerInherentData, row: BlockRow, rotation: GroupRotationInfo
    ) -> None:
        p = self.p
        n = p.validators
        row.bitfields = len(data.bitfields)
        row.occupied_cores = len(self.occupied)
        for bf in data.bitfields:
            for i in list(self.occupied):
                if bf.payload.get(i):
                    self.occupied[i].availability |= 1 << bf.validator_index
        for i in sorted(self.occupied):
            occ = self.occupied[i]
            if availability_threshold_met(occ.availability.bit_count(), n):
                del self.occupied[i]
                row.included += 1
                row.available_cores += 1
                self.availability_per_core[i] += 1
                self._enact(occ, number)
            elif number >= occ.time_out_at:
                del self.occupied[i]
                row.timed_out += 1
        upgrades = 0
        # Cores a candidate may take in this block: scheduled at the relay parent, or freed now.
        freed_or_free = {i for i in range(len(self.paras)) if i not in self.occupied}
        for backed in data.backed_candidates:
            para = backed.candidate.descriptor.para_id
            core = self.paras.index(para)
            if core in self.occupied:
                self.report.core_conflicts += 1
                self.report.inherent_problems.append(
                    f"block {number}: candidate for para {para} on occupied core {core}"
                )
                continue
            if backed.candidate.commitments.new_validation_code is not None:
                upgrades += 1
            h = backed.hash()
            collation = self.collations[h]
            group_index = rotation.group_for_core(core, len(self.paras))
            holders = 0
            for v in range(n):
                in_group = v in self.groups[group_index]
                if in_group or not (p.chunk_loss and self.rng.random() < p.chunk_loss):
                    holders |= 1 << v
            self.occupied[core] = _Occupied(
                collation,
                number,
                number + p.availability_timeout,
                group_index,
                0,
                holders,
                votes=len(backed.validity_votes),
                scheduled=core in freed_or_free,
            )
            self.backed_at[h] = number
            row.backed += 1
            if h in self.invalid_hashes:
                self.report.invalid_backed += 1
        if upgrades > 1:
            self.report.inherent_problems.append(f"block {number}: {upgrades} code upgrades")
        row.code_upgrades = upgrades

    def _enact(self, occ: _Occupied, number: int) -> None:
        committed = occ.collation.committed
        para = committed.descriptor.para_id
        h = occ.collation.candidate_hash
        state = self.para_state[para]
        state.head = committed.commitments.head_data
        if committed.commitments.new_validation_code is not None:
            state.code = committed.commitments.new_validation_code
            state.upgrades += 1
        self.delays.append(number - self.backed_at[h])
        group_size = len(self.groups[occ.group])
        self.report.inclusions.append(
            InclusionRow(
                block=number,
                core=self.paras.index(para),
                para=para,
                backed_at=occ.backed_at,
                votes=occ.votes,
                group_size=group_size,
                threshold=backing_threshold(group_size, self.p.minimum_backing_votes),
                availability=occ.availability.bit_count(),
                validators=self.p.validators,
                scheduled_when_backed=occ.scheduled,
                invalid=h in self.invalid_hashes,
            )
        )
        if h in self.invalid_hashes:
            self.report.invalid_included += 1
            if occ.group in self.adversarial_groups:
                self.report.invalid_included_in_such_groups += 1
            else:
                self.report.invalid_included_elsewhere += 1

    # -- the report -----------------------------------------------------------------------

    def _finish(self, wall: float) -> None:
        r = self.report
        r.seconded = sum(b.seconded for b in r.blocks)
        r.backed = sum(b.backed for b in r.blocks)
        r.included = sum(b.included for b in r.blocks)
        r.timed_out = sum(b.timed_out for b in r.blocks)
        r.code_upgrades = sum(b.code_upgrades for b in r.blocks)
        r.mean_blocks_backing_to_inclusion = (
            round(statistics.fmean(self.delays), 6) if self.delays else None
        )
        r.availability_per_core = list(self.availability_per_core)
        r.misbehaviour_injected = {k: v for k, v in sorted(self.injected.items())}
        detected, verified, unverified = self._detected()
        r.misbehaviour_detected = detected
        r.evidence_verified, r.evidence_unverified = verified, unverified
        dropped: Counter[str] = Counter()
        for node in self.nodes:
            for reason, count in node.backing.stats()["dropped"].items():
                dropped[f"backing: {reason}"] += count
            for reason, count in node.backing.rejected.items():
                dropped[f"backing: statement rejected, {reason}"] += count
            for reason, count in node.provisioner.stats()["dropped"].items():
                dropped[f"provisioner: {reason}"] += count
        for reason, count in self.network.stats.items():
            if reason not in ("statements delivered", "povs served"):
                dropped[f"network: {reason}"] += count
        r.dropped = {k: v for k, v in sorted(dropped.items()) if v}
        r.groups_with_adversaries_at_or_over_a_third = len(self.adversarial_groups)
        r.assembly_ms_median = statistics.median(self.assembly) if self.assembly else None
        r.assembly_ms_max = max(self.assembly) if self.assembly else None
        r.wall_seconds = round(wall, 3)

    def _detected(self) -> tuple[dict[str, int], int, int]:
        """Unique misbehaviour detected by any node, by kind, and how much evidence verifies."""
        # One case of misbehaviour is seen by many nodes: count it once, by relay parent, accused
        # validator, kind and the candidates it involves.
        seen: dict[tuple[bytes, int, str, tuple[bytes, ...]], object] = {}
        for node in self.nodes:
            for rp, v, misbehavior in node.backing.misbehavior_reports:
                hashes = tuple(s.candidate_hash for s in misbehavior.signed_statements())
                seen.setdefault((rp, v, type(misbehavior).__name__, hashes), misbehavior)
            for rp, reason, signed in node.backing.rejected_statements:
                if reason == "bad signature":
                    key = (rp, signed.validator_index, "ForgedSignature", (signed.candidate_hash,))
                    seen.setdefault(key, signed)
        counts: Counter[str] = Counter(key[2] for key in seen)
        verified = unverified = 0
        for (rp, v, kind, _), evidence in sorted(seen.items(), key=lambda kv: kv[0]):
            if kind == "ForgedSignature":
                continue
            ctx = SigningContext(SESSION, rp)
            statements = evidence.signed_statements()  # type: ignore[attr-defined]
            ok = all(
                s.validator_index == v
                and verify_signature(
                    statement_signing_payload(s.statement, ctx), s.signature, self.validators[v]
                )
                for s in statements
            )
            if ok:
                verified += 1
            else:
                unverified += 1
        return {k: counts[k] for k in sorted(counts)}, verified, unverified


async def run_simulation(
    params: SimParams, progress: Callable[[BlockRow], None] | None = None
) -> SimReport:
    """Run the pipeline for `params.blocks` relay blocks and return the report."""
    return await _Simulation(params).run(progress)
