# `backable simulate`'s run loop: a relay chain's inclusion pipeline run end to end through the
# shell. Every validator runs a Node (both subsystems under an overseer). Each block: the chain
# model builds the relay parent and the nodes activate it; collators build real candidates on
# free cores and candidate selection recommends each to a member of the assigned group;
# statements, quorum and backed candidates flow through the real subsystems; the adversaries
# act; validators sign availability bitfields; an author chosen by the seed requests inherent
# data, `check_inherent` verifies it, and the chain model applies it.
#
# What belongs here: setting the network up, producing blocks, waiting for the nodes to settle,
# and the messages sent to the nodes. Elsewhere: the chain's state and rules (`chain.py`), the
# adversaries (`adversaries.py`), the report's rows and totals (`tally.py`), its shape
# (`report.py`) and rendering (`render.py`), the toy para (`collator.py`).
#
# Determinism: one seeded generator decides everything random, drawn in a fixed order (groups,
# adversaries, then per block: author, recommendations and code upgrades, forged signatures,
# bitfield loss, chunk loss); nothing iterates a set or a map keyed by hashes (sr25519
# signatures are randomised, so candidate hashes differ between runs and never reach the
# report).
#
# Memory: what the run keeps per block is released once no longer needed, so its peak does not
# grow with the number of blocks. After each block the relay parent `RELAY_PARENTS_KEPT` blocks
# back is released: its state in the chain model and the runtime, the candidates built on it
# (`para_of`, `collations`: a core's pending candidate holds its own collation), every node's
# available data from it and its undisputed dispute-coordinator records. Only the current relay
# parent is read while a block is built; the ones before it are a margin for anything still in
# flight when a block ends (nothing is, after `settle`).
#
# Garbage collection: the run builds a large long-lived heap before its first block (keys,
# nodes, the chain) and then allocates short-lived records by the million, almost all freed by
# reference counting (a default run leaves a few hundred objects in cycles). With the default
# thresholds the collector ran every 700 allocations and kept rescanning that heap: a quarter
# of a run's time, reclaiming nothing. So for the run (`_managed_collector`) the set-up heap is
# frozen (`gc.freeze`: never scanned, never freed while frozen) and the youngest generation's
# threshold raised to `GC_THRESHOLD`: cycles are still collected, just in fewer, larger passes.
# Both are restored when the run ends, whatever happens.
from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from backable.core import (
    ActivatedLeaf,
    ActiveLeavesUpdate,
    BitVec,
    OccupiedCoreAssumption,
    PersistedValidationData,
    ProvisionerInherentData,
    ReceiveBitfield,
    RequestInherentData,
    ScheduledCore,
    Second,
    SignedStatement,
    SigningContext,
    bitfield_signing_payload,
    blake2_256,
    check_inherent,
)

from ..collaborators.keystore import Keystore
from ..collaborators.network import InProcessNetwork
from ..collaborators.runtime_api import RelayBlockState
from ..collaborators.validation import InMemoryValidation
from ..node import Node
from ..overseer.jobs import JOB_INBOX_CAPACITY
from ..overseer.messages import CANDIDATE_BACKING, PROVISIONER, ToJob
from .adversaries import Collusion, LyingValidation, Misbehaviour, choose_adversaries
from .chain import SESSION, ChainModel
from .collator import Collation, Collator, toy_validation_function
from .report import BlockRow, SimParams, SimReport, SimulationError
from .tally import Tally, seconded_async, seconded_at, signature_work
from .today_chain import TodayChainModel, as_applied

__all__ = ["RELAY_PARENTS_KEPT", "SimulationError", "run_simulation"]

RELAY_PARENTS_KEPT = 4  # relay parents whose state and candidates the run keeps, newest first
GC_THRESHOLD = 50_000  # allocations between young collections during a run (Python's: 700)

log = logging.getLogger("backable.simulation")


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
        self.adversaries = choose_adversaries(params, order, self.rng)
        self.chain = ChainModel(params, self.validators, self.groups, self.rng)
        self.paras = self.chain.paras
        # Today's protocol: the chain under today's rules, read by the nodes' subsystems.
        self.today: TodayChainModel | None = None
        runtime = self.chain.runtime
        if params.protocol == "async":
            if params.cores % params.cores_per_para:
                raise SimulationError(
                    f"{params.cores} cores cannot be shared by paras of"
                    f" {params.cores_per_para} cores each"
                )
            self.today = TodayChainModel(
                params, self.validators, self.groups, params.cores_per_para
            )
            self.paras = self.today.paras
            runtime = self.today.runtime
        elif params.cores_per_para != 1:
            raise SimulationError("--cores-per-para above 1 needs --protocol async")
        self.collators = {p: Collator(p) for p in self.paras}
        # Statements go to the candidate's group and the block's author, not to every validator
        # (a simplification the README states; plain InProcessNetwork gossips to all).
        self.network = InProcessNetwork(
            seed=params.seed,
            statement_loss=params.statement_loss,
            withhold_from=set(self.adversaries.of("withhold_statements")),
            router=self._route,
        )
        self.validation = InMemoryValidation(
            runtime, dict.fromkeys(self.paras, toy_validation_function), in_process=True
        )
        self.collusion = Collusion()
        lying = LyingValidation(self.validation, self.collusion, self.chain)
        vouchers = set(self.adversaries.of("vouch_invalid"))
        self.nodes = [
            Node(
                i,
                Keystore.from_seeds([seeds[i]]),
                self.chain.runtime,
                lying if i in vouchers else self.validation,
                self.network,
                pre_propose_ms=0,
                time_limits=False,
                minimum_backing_votes=params.minimum_backing_votes,
                protocol=params.protocol,
                today=None if self.today is None else self.today.today,
                # The author hears every group's statements: about two per validator a block.
                job_inbox_capacity=max(JOB_INBOX_CAPACITY, 2 * n),
            )
            for i in range(n)
        ]
        self.misbehaviour = Misbehaviour(
            self.adversaries,
            self.keys,
            self.network,
            self.nodes,
            self.chain,
            self.collusion,
            self.rng,
        )
        # The block being built: its author and each para's backing group (for routing).
        self.author = 0
        self._busy = 0  # the node `settle` last found busy
        self.group_of_para: dict[int, tuple[int, ...]] = {}
        # Today's protocol: each candidate's backing group (a para's K cores have K groups).
        self.group_of_candidate: dict[bytes, tuple[int, ...]] = {}
        # Every candidate built on a relay parent still kept, by hash, in the order built; and
        # the candidates built on each kept relay parent, to release them with it.
        self.para_of: dict[bytes, int] = {}
        self.collations: dict[bytes, Collation] = {}
        self.built_on: dict[bytes, list[bytes]] = {}
        # Bitfields the simulation's bitfield distribution drops, by reason.
        self.bitfield_drops: Counter[str] = Counter()
        self.tally = Tally(
            params,
            self.groups,
            self.collusion,
            self.adversaries.groups_at_or_over_a_third(self.groups),
        )

    def _route(self, sender: int, relay_parent: bytes, statement: SignedStatement) -> Iterable[int]:
        known = self.group_of_candidate.get(statement.candidate_hash)
        if known is not None:
            return (*known, self.author)
        para = self.para_of.get(statement.candidate_hash)
        group = self.group_of_para.get(para, ()) if para is not None else ()
        return (*group, self.author)

    # -- running --------------------------------------------------------------------------

    async def settle(self) -> None:
        """Wait until no node has anything queued or under way, for a few turns in a row."""
        quiet = 0
        nodes, busy = self.nodes, self._busy
        while quiet < 3:
            await asyncio.sleep(0)
            # The node found busy last time is most likely busy still: ask it first, so a turn
            # while work is under way costs one question, not one per node.
            if nodes[busy].idle() and not self.network.pending_count():
                # Look on from there (the nodes before it were idle a moment ago), wrapping.
                n = len(nodes)
                busy = next(
                    (i % n for i in range(busy + 1, busy + n + 1) if not nodes[i % n].idle()),
                    busy,
                )
                if nodes[busy].idle():
                    quiet += 1
                    continue
            quiet = 0
        self._busy = busy

    async def run(self, progress: Callable[[BlockRow], None] | None) -> SimReport:
        started = time.perf_counter()
        report = self.tally.report
        for node in self.nodes:
            await node.overseer.start()
        try:
            with _managed_collector():
                await self._blocks(progress)
        finally:
            for node in self.nodes:
                await node.overseer.stop(timeout=2.0)
        report = self.tally.finish(
            self.nodes,
            self.network,
            self.bitfield_drops,
            self.misbehaviour.injected,
            self.validators,
            time.perf_counter() - started,
            self.misbehaviour.offences,
            verify=self.keys.verify,
        )
        # Counted after `finish`, whose evidence check is part of the run's work.
        report.signatures = signature_work(
            (
                self.keys,
                *(node.keystore for node in self.nodes),
                *(c.keystore for c in self.collators.values()),
            ),
            self.validation,
        )
        return report

    async def _blocks(self, progress: Callable[[BlockRow], None] | None) -> None:
        report = self.tally.report
        previous: bytes | None = None
        for number in range(1, self.p.blocks + 1):
            if self.today is None:
                row = await self._block(number, previous)
            else:
                row = await self._block_async(number, previous, self.today)
            previous = self.chain.relay_hash(number - 1)
            self._release(number - 1 - RELAY_PARENTS_KEPT)
            report.blocks.append(row)
            if progress is not None:
                progress(row)
            if report.stopped_early:
                break

    def _release(self, rp_number: int) -> None:
        # Everything kept for relay parent `rp_number` (and any before it) goes: it is
        # RELAY_PARENTS_KEPT blocks behind the block just built and no longer read.
        if rp_number < 0:
            return
        rp = self.chain.relay_hash(rp_number)
        self.chain.prune(rp_number + 1)
        if self.today is not None:
            self.today.prune(rp_number + 1)
        for h in self.built_on.pop(rp, ()):
            self.para_of.pop(h, None)
            self.collations.pop(h, None)
            self.group_of_candidate.pop(h, None)
        for node in self.nodes:
            node.store.prune_before(rp_number + 1)
            node.disputes.forget_relay_parent(rp)

    async def _block(self, number: int, previous: bytes | None) -> BlockRow:
        rp_number = number - 1
        rp, state, rotation = self.chain.build(rp_number)
        self.author = self.rng.randrange(self.p.validators)
        row = BlockRow(number=number, author=self.author)
        self.group_of_para = self.chain.group_of_para(rotation)
        update = ActiveLeavesUpdate(
            activated=(ActivatedLeaf(rp, rp_number),),
            deactivated=() if previous is None else (previous,),
        )
        for node in self.nodes:
            await node.overseer.signal(update)
        await self.settle()

        ctx = SigningContext(SESSION, rp)
        await self._recommend(number, rp, state)
        await self.settle()
        row.seconded += seconded_at(self.nodes, rp)
        await self.misbehaviour.inject(
            rp,
            ctx,
            author=self.author,
            group_of_para=self.group_of_para,
            para_of=self.para_of,
            collate=self._collate_alternative,
        )
        await self.settle()
        await self._send_bitfields(rp, ctx)
        await self.settle()

        author = self.nodes[self.author]
        reply: asyncio.Future[ProvisionerInherentData] = asyncio.get_running_loop().create_future()
        await author.overseer.send(PROVISIONER, ToJob(rp, RequestInherentData(reply)))
        data = await reply
        row.assembly_ms = author.provisioner.assembly_times[-1] * 1e3
        self.tally.assembly.append(row.assembly_ms)

        problems = check_inherent(
            data,
            cores=state.cores,
            validators=self.validators,
            signing_context=ctx,
            groups=self.groups,
            group_rotation=rotation,
            minimum_backing_votes=self.p.minimum_backing_votes,
            verify=self.keys.verify,
        )
        if problems:
            self.tally.stopped(number, problems)
            return row
        self.tally.applied(number, row, self.chain.apply(number, data, rotation, self.collations))
        self.tally.observe(self.nodes)
        return row

    async def _block_async(
        self, number: int, previous: bytes | None, today: TodayChainModel
    ) -> BlockRow:
        # Today's protocol: the same steps as `_block`, on the chain under today's rules; the
        # inherent goes through `include`, which must keep all of it (else SimulationError).
        rp_number = number - 1
        rp, _ = today.build(rp_number)
        self.author = self.rng.randrange(self.p.validators)
        row = BlockRow(number=number, author=self.author)
        update = ActiveLeavesUpdate(
            activated=(ActivatedLeaf(rp, rp_number),),
            deactivated=() if previous is None else (previous,),
        )
        for node in self.nodes:
            await node.overseer.signal(update)
        await self.settle()
        ctx = SigningContext(SESSION, rp)
        await self._recommend_async(number, rp, rp_number, today)
        await self.settle()
        row.seconded += seconded_async(self.nodes, rp)
        await self.misbehaviour.inject(
            rp,
            ctx,
            author=self.author,
            group_of_para={},
            para_of=self.para_of,
            collate=self._collate_alternative,
            group_of_candidate=self.group_of_candidate,
        )
        await self.settle()
        await self._send_bitfields(rp, ctx, today.occupied())
        await self.settle()
        author = self.nodes[self.author]
        reply: asyncio.Future[ProvisionerInherentData] = asyncio.get_running_loop().create_future()
        await author.overseer.send(PROVISIONER, ToJob(rp, RequestInherentData(reply)))
        data = await reply
        row.assembly_ms = author.provisioner.assembly_times[-1] * 1e3
        self.tally.assembly.append(row.assembly_ms)
        before = today.state
        outcome = today.apply(number, data, self.keys.verify)
        self.tally.applied(number, row, as_applied(number, before, outcome, self.collations))
        self.tally.observe(self.nodes)
        return row

    async def _recommend_async(
        self, number: int, rp: bytes, rp_number: int, today: TodayChainModel
    ) -> None:
        # Each para's collator builds one candidate per core it holds, chained: the first on
        # the para's tip (its last candidate pending availability, else its head), each next on
        # the one before; with several cores each commits to its own (V2 descriptor and a
        # SelectCore signal). Each goes to one member of its core's group.
        rng, k = self.rng, today.cores_per_para
        vouchers = self.adversaries.of("vouch_invalid")
        for para in today.paras:
            head = today.tip(para)
            for selector, core in enumerate(today.cores_of(para)):
                group = today.group_of_core(core, rp_number)
                chosen = group[rng.randrange(len(group))]
                pvd = today.pvd(head, rp_number)
                committing = (core, SESSION, selector) if k > 1 else None
                if chosen in vouchers:
                    collation = self._collate(
                        para, rp, pvd, payload=b"colluding", invalid=True, core=committing
                    )
                    self.collusion.add(collation)
                    self.tally.report.invalid_seconded += 1
                else:
                    payload = f"block {number} core {core}".encode()
                    collation = self._collate(para, rp, pvd, payload=payload, core=committing)
                self.group_of_candidate[collation.candidate_hash] = group
                head = collation.committed.commitments.head_data
                await self.nodes[chosen].overseer.send(
                    CANDIDATE_BACKING,
                    ToJob(rp, Second(collation.receipt, collation.pov, pvd)),
                )

    async def _recommend(self, number: int, rp: bytes, state: RelayBlockState) -> None:
        # Collators build on every free core; candidate selection recommends each candidate to
        # one member of the group assigned to the core.
        p, rng = self.p, self.rng
        for i, para in enumerate(self.paras):
            if not isinstance(state.cores[i], ScheduledCore):
                continue
            group = self.group_of_para[para]
            chosen = group[rng.randrange(len(group))]
            pvd = state.validation_data[(para, OccupiedCoreAssumption.FREE)]
            upgrade = rng.random() < p.code_upgrade_rate
            new_code = f"toy code v{self.chain.upgrades(para) + 1} of {para}".encode()
            if chosen in self.adversaries.of("vouch_invalid"):
                # A colluding collator's invalid block, recommended to a voucher whose node
                # "validates" it as valid (its fellow vouchers' nodes do the same).
                collation = self._collate(para, rp, pvd, payload=b"colluding", invalid=True)
                self.collusion.add(collation)
                self.tally.report.invalid_seconded += 1
            else:
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

    async def _send_bitfields(
        self, rp: bytes, ctx: SigningContext, occupied: Iterable[int] | None = None
    ) -> None:
        # Availability bitfields for the cores occupied at the relay parent, to the author.
        # Under today's protocol (`occupied` given) every validator holds every chunk.
        p, rng = self.p, self.rng
        author = self.nodes[self.author]
        withholding = set(self.adversaries.of("withhold_bitfields"))
        if occupied is None:
            chunks = self.chain.chunks_by_validator()
        else:
            chunks = [sum(1 << core for core in occupied)] * p.validators
        for v in range(p.validators):
            if v in withholding:
                continue
            payload = BitVec(chunks[v], p.cores)
            signed = self.keys.sign_bitfield(self.validators[v], payload, ctx, v)
            if p.bitfield_loss and rng.random() < p.bitfield_loss:
                self.bitfield_drops["bitfields lost"] += 1
                continue
            # Bitfield distribution checks the signature before the provisioner sees it.
            if not self.keys.verify(
                bitfield_signing_payload(payload, ctx), signed.signature, self.validators[v]
            ):
                self.bitfield_drops["bitfields with bad signatures"] += 1
                continue
            await author.overseer.send(PROVISIONER, ToJob(rp, ReceiveBitfield(signed)))

    def _collate(
        self,
        para: int,
        rp: bytes,
        pvd: PersistedValidationData,
        *,
        payload: bytes,
        new_code: bytes | None = None,
        invalid: bool = False,
        core: tuple[int, int, int] | None = None,
    ) -> Collation:
        collation = self.collators[para].collate(
            rp,
            pvd,
            self.p.validators,
            payload=payload,
            validation_code=self.chain.code(para),
            new_code=new_code,
            invalid=invalid,
            core=core,
        )
        self.para_of[collation.candidate_hash] = para
        self.collations[collation.candidate_hash] = collation
        self.built_on.setdefault(rp, []).append(collation.candidate_hash)
        return collation

    def _collate_alternative(
        self, para: int, rp: bytes, pvd: PersistedValidationData, payload: bytes
    ) -> Collation:
        return self._collate(para, rp, pvd, payload=payload)


@contextlib.contextmanager
def _managed_collector() -> Iterator[None]:
    # See "Garbage collection" at the top: freeze what exists now, collect young objects less
    # often, and put both back as they were.
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


async def run_simulation(
    params: SimParams, progress: Callable[[BlockRow], None] | None = None
) -> SimReport:
    """Run the pipeline for `params.blocks` relay blocks and return the report."""
    return await _Simulation(params).run(progress)
