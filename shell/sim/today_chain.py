# The simulated relay chain under today's rules (the asynchronous protocol): a `ChainState`
# (core/today/chain_state.py) to which every block's inherent is applied through the runtime's
# inclusion step `include` (core/today/inclusion.py), a fixed claim queue (core `i` serves para
# `PARA_BASE + i // K` at every depth, K the cores per para, lookahead 3), and, per relay block,
# what the runtime answers there (`TodayBlockState`: the claim queue, groups, availability
# cores, and the leaf prospective parachains activates, with each para's constraints and its
# candidates pending availability).
#
# What belongs here: the chain's state, the runtime's answers and applying an inherent. A drop
# by the inclusion step (a bitfield or a backed candidate the provisioner chose and the runtime
# refuses) is a bug in the pipeline: `apply` raises SimulationError naming it. Not modelled:
# code upgrades (the toy paras keep their code), messaging, disputes, sessions changing.
# Sources: polkadot-sdk@00d7c710 polkadot/runtime/parachains/src/paras_inherent/mod.rs (the
# parent registered as an allowed relay parent before inclusion), polkadot-sdk@88db6842
# polkadot/primitives/src/v9/mod.rs (`backing_constraints`, `candidates_pending_availability`).
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from pyrsistent import pmap

from backable.core import (
    BitVec,
    ClaimQueue,
    Constraints,
    GroupRotationInfo,
    Header,
    HostConfiguration,
    LeafActivation,
    NodeFeature,
    OccupiedCore,
    ParachainsInherentData,
    PersistedValidationData,
    ProvisionerInherentData,
    RelayAncestor,
    RelayChainBlockInfo,
    RelayParentInfo,
    ScheduledCore,
    SchedulingParentInfo,
    blake2_256,
    include,
    node_features,
    transpose_claim_queue,
)
from backable.core.provisioner.inherent_check import SignatureCheck
from backable.core.records.cores import AnyCoreState
from backable.core.today.chain_state import ChainState
from backable.core.today.inclusion import InclusionOutcome

from ..collaborators.runtime_api import InMemoryChain, RelayBlockState
from ..collaborators.today_runtime import InMemoryTodayChain, TodayBlockState
from .chain import MAX_POV, PARA_BASE, SESSION, Applied, Pending
from .collator import TOY_VALIDATION_CODE, Collation
from .report import SimParams, SimulationError

__all__ = ["LOOKAHEAD", "TodayChainModel", "as_applied"]

LOOKAHEAD = 3  # the claim queue's depth, and the scheduling lookahead
_ALLOWED = LOOKAHEAD + 1  # relay parents (newest first) a candidate may be built on


@dataclass
class TodayChainModel:
    """The chain under today's rules; see the module header. `runtime` answers the seeds'
    calls (validation code and data), `today` today's."""

    params: SimParams
    validators: tuple[bytes, ...]
    groups: tuple[tuple[int, ...], ...]
    cores_per_para: int
    runtime: InMemoryChain = field(default_factory=InMemoryChain)
    today: InMemoryTodayChain = field(default_factory=InMemoryTodayChain)

    def __post_init__(self) -> None:
        p, k = self.params, self.cores_per_para
        self.n_cores = p.cores
        self.paras: tuple[int, ...] = tuple(PARA_BASE + i for i in range(p.cores // k))
        self.claim_queue = ClaimQueue.from_mapping(
            {core: (self.para_of_core(core),) * LOOKAHEAD for core in range(p.cores)}
        )
        self.transposed = transpose_claim_queue(self.claim_queue)
        features = node_features(NodeFeature.CANDIDATE_RECEIPT_V2) if k > 1 else BitVec()
        mbv = p.minimum_backing_votes or 2
        self.minimum_backing_votes = mbv
        self.code_hash = blake2_256(TOY_VALIDATION_CODE)
        self.state = ChainState(
            validators=self.validators,
            validator_groups=self.groups,
            session_start_block=0,
            n_cores=p.cores,
            claim_queue=self.claim_queue,
            pending=pmap(),
            allowed_relay_parents=pmap({SESSION: pmap()}),
            allowed_scheduling_parents=pmap(),
            para_heads=pmap({para: self.genesis_head(para) for para in self.paras}),
            most_recent_context=pmap(dict.fromkeys(self.paras, 0)),
            code_hashes=pmap(dict.fromkeys(self.paras, self.code_hash)),
            config=HostConfiguration(
                minimum_backing_votes=mbv,
                node_features=features,
                paras_availability_period=p.availability_timeout,
                group_rotation_frequency=p.rotation_frequency,
                max_pov_size=MAX_POV,
                max_head_data_size=1 << 16,
            ),
            disabled_validators=frozenset(),
            session_index=SESSION,
            now=0,
            parent_hash=bytes(32),
        )
        self._numbers: dict[bytes, int] = {}

    # -- reading the chain ----------------------------------------------------------------

    def para_of_core(self, core: int) -> int:
        return PARA_BASE + core // self.cores_per_para

    def cores_of(self, para: int) -> tuple[int, ...]:
        k = self.cores_per_para
        first = (para - PARA_BASE) * k
        return tuple(range(first, first + k))

    def genesis_head(self, para: int) -> bytes:
        return blake2_256(b"genesis head of para" + para.to_bytes(4, "little"))

    def relay_hash(self, number: int) -> bytes:
        """The hash of relay block `number` (as the seeds' chain model names it)."""
        return blake2_256(
            b"backable sim relay block"
            + self.params.seed.to_bytes(8, "little")
            + number.to_bytes(4, "little")
        )

    def storage_root(self, relay_parent: bytes) -> bytes:
        return blake2_256(b"state" + relay_parent)

    def pvd(self, parent_head: bytes, rp_number: int) -> PersistedValidationData:
        """The validation data of a candidate on `parent_head` at relay block `rp_number`."""
        rp = self.relay_hash(rp_number)
        return PersistedValidationData(parent_head, rp_number, self.storage_root(rp), MAX_POV)

    def tip(self, para: int) -> bytes:
        """The head a collator builds on: its last candidate pending availability's output,
        else the included head."""
        chain = self.state.pending.get(para, ())
        if chain:
            return chain[-1].commitments.head_data
        return self.state.para_heads[para]

    def rotation(self, rp_number: int) -> GroupRotationInfo:
        """The group rotation the runtime reports at relay block `rp_number` (for its child)."""
        return self.state.group_rotation(rp_number + 1)

    def group_of_core(self, core: int, rp_number: int) -> tuple[int, ...]:
        return self.groups[self.rotation(rp_number).group_for_core(core, len(self.groups))]

    def occupied(self) -> frozenset[int]:
        return self.state.occupied_cores()

    # -- building a relay block -----------------------------------------------------------

    def build(self, rp_number: int) -> tuple[bytes, TodayBlockState]:
        """Relay block `rp_number` as it stands now (after the inherent of block `rp_number`):
        its hash and the runtime's answers there, added to `today` and `runtime`. The chain
        state then expects block `rp_number + 1`, with this block as its parent, registered as
        an allowed relay and scheduling parent."""
        rp = self.relay_hash(rp_number)
        root = self.storage_root(rp)
        self._numbers[rp] = rp_number
        allowed = dict(self.state.allowed_relay_parents[SESSION])
        allowed[rp] = RelayParentInfo(rp_number, root)
        for h in [h for h, info in allowed.items() if info.number <= rp_number - _ALLOWED]:
            del allowed[h]
        scheduling = dict(self.state.allowed_scheduling_parents)
        scheduling[rp] = SchedulingParentInfo(rp_number, self.transposed)
        for h in [h for h, info in scheduling.items() if info.number <= rp_number - _ALLOWED]:
            del scheduling[h]
        self.state = replace(
            self.state,
            allowed_relay_parents=pmap({SESSION: pmap(allowed)}),
            allowed_scheduling_parents=pmap(scheduling),
            now=rp_number + 1,
            parent_hash=rp,
        )
        at = TodayBlockState(
            number=rp_number,
            session=SESSION,
            validators=self.validators,
            groups=self.groups,
            rotation=self.rotation(rp_number),
            claim_queue=self.claim_queue,
            cores=self._cores(rp_number),
            minimum_backing_votes=self.minimum_backing_votes,
            leaf=self._leaf(rp, rp_number, allowed),
        )
        self.today.add_block(rp, at)
        self.runtime.add_block(rp, self._seeds_state(rp_number))
        return rp, at

    def _cores(self, rp_number: int) -> tuple[AnyCoreState, ...]:
        # `availability_cores`: a core with a candidate pending is occupied (its para next up
        # on availability and on time-out, the claim queue being fixed), else scheduled.
        n = len(self.validators)
        by_core = {cand.core: cand for chain in self.state.pending.values() for cand in chain}
        period = self.state.config.paras_availability_period
        out: list[AnyCoreState] = []
        for core in range(self.n_cores):
            para = self.para_of_core(core)
            cand = by_core.get(core)
            if cand is None:
                out.append(ScheduledCore(para))
                continue
            out.append(
                OccupiedCore(
                    next_up_on_available=ScheduledCore(para),
                    occupied_since=cand.backed_in_number,
                    time_out_at=cand.backed_in_number + period,
                    next_up_on_time_out=ScheduledCore(para),
                    availability=BitVec(cand.availability_votes.as_int(), n),
                    group_responsible=cand.backing_group,
                    candidate_hash=cand.hash,
                    candidate_descriptor=cand.descriptor,
                )
            )
        return tuple(out)

    def _leaf(
        self, rp: bytes, rp_number: int, allowed: dict[bytes, RelayParentInfo]
    ) -> LeafActivation:
        ancestors = tuple(
            RelayAncestor(self.relay_hash(n), n, SESSION)
            for n in range(rp_number - 1, max(rp_number - LOOKAHEAD, -1), -1)
        )
        constraints = {}
        pending = {}
        for para in self.paras:
            constraints[para] = Constraints(
                min_relay_parent_number=self.state.most_recent_context.get(para, 0),
                max_pov_size=MAX_POV,
                max_code_size=1 << 20,
                max_head_data_size=1 << 16,
                ump_remaining=1000,
                ump_remaining_bytes=1 << 20,
                max_ump_num_per_candidate=16,
                dmp_remaining_messages=(),
                valid_watermarks=(),
                hrmp_channels_out=pmap(),
                max_hrmp_num_per_candidate=0,
                required_parent=self.state.para_heads[para],
                validation_code_hash=self.code_hash,
                upgrade_restriction=None,
                future_validation_code=None,
            )
            pending[para] = tuple(c.committed() for c in self.state.pending.get(para, ()))
        relay_parents = {
            h: RelayChainBlockInfo(h, info.number, info.state_root) for h, info in allowed.items()
        }
        return LeafActivation(
            hash=rp,
            number=rp_number,
            session_index=SESSION,
            scheduling_lookahead=LOOKAHEAD,
            ancestors=ancestors,
            claim_queue=self.transposed,
            constraints=pmap(constraints),
            pending=pmap(pending),
            relay_parents=pmap(relay_parents),
        )

    def _seeds_state(self, rp_number: int) -> RelayBlockState:
        # What validation reads through the seeds' runtime API: the para's code.
        return RelayBlockState(
            number=rp_number,
            validators=self.validators,
            groups=self.groups,
            rotation=self.rotation(rp_number),
            cores=(),
            session_index=SESSION,
            validation_data={},
            validation_code=dict.fromkeys(self.paras, TOY_VALIDATION_CODE),
            minimum_backing_votes=self.minimum_backing_votes,
        )

    def prune(self, keep_from_number: int) -> None:
        self.today.prune(keep_from_number)
        self.runtime.prune(keep_from_number)

    # -- the runtime applying the inherent ------------------------------------------------

    def apply(
        self, number: int, data: ProvisionerInherentData, verify: SignatureCheck
    ) -> InclusionOutcome:
        """Block `number`'s inherent through `include`; its next state kept. A bitfield or a
        candidate dropped is a bug of the pipeline: SimulationError naming it."""
        inherent = ParachainsInherentData(
            data.bitfields, data.backed_candidates, data.disputes, _header(self.state)
        )
        outcome = include(self.state, inherent, verify=verify)
        problems = [f"bitfield {d.index} dropped: {d.rule}" for d in outcome.dropped_bitfields] + [
            f"backed candidate {d.index} dropped: {d.rule}" for d in outcome.dropped_candidates
        ]
        cores = [k.core for k in outcome.candidates]
        if len(set(cores)) != len(cores):
            # ChainState refuses a core with two pending candidates; this names the block.
            problems.append(f"two backed candidates on one core: {sorted(cores)}")
        if problems:
            raise SimulationError(
                f"block {number}: the inclusion step dropped what the provisioner chose: "
                + "; ".join(problems)
            )
        self.state = outcome.state
        return outcome


def _header(state: ChainState) -> Header:
    # The parent's header as the inherent carries it (`include` does not read it).
    return Header(state.parent_hash, max(state.now - 1, 0), bytes(32), bytes(32))


def as_applied(
    number: int,
    before: ChainState,
    outcome: InclusionOutcome,
    collations: Mapping[bytes, Collation],
) -> Applied:
    """What `include` did, in the seeds' chain model's terms (`Applied`), for the tally."""
    was = {c.hash: c for chain in before.pending.values() for c in chain}
    out = Applied(bitfields=len(outcome.bitfields), occupied_before=len(was))
    for freed in outcome.enacted:
        cand = was[freed.candidate_hash]
        votes = cand.availability_votes.as_int()
        for bf in outcome.bitfields:
            if bf.payload.as_int() >> freed.core & 1:
                votes |= 1 << bf.validator_index
        pending = Pending(
            collations[freed.candidate_hash],
            cand.backed_in_number,
            cand.backed_in_number + before.config.paras_availability_period,
            cand.backing_group,
            votes,
            votes=cand.backers.as_int().bit_count(),
        )
        out.included.append((freed.core, pending))
    out.timed_out = len(outcome.timed_out)
    for kept in outcome.candidates:
        h = kept.candidate.hash()
        group = outcome.state.group_assigned_to_core(kept.core, number) or 0
        out.backed.append(
            Pending(collations[h], number, number, group, votes=len(kept.candidate.validity_votes))
        )
    return out
