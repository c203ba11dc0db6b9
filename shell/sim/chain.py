# The simulated relay chain: what the runtime holds between blocks and what it does with a
# block's inherent. It owns the paras (heads, validation code, upgrades) and the cores (free, or
# occupied by a backed candidate with its availability bits and the validators holding its
# chunks); it produces the relay block state the nodes' runtime API answers from, and it applies
# an inherent: bitfields set availability, cores free on availability (2/3) or time-out, backed
# candidates occupy free cores, new validation code is enacted with its candidate.
#
# What belongs here: the chain's state and its rules. Not here: who the adversaries are (it
# never knows a candidate is invalid), the report (`apply` returns what happened as data, the
# tally turns it into rows), running nodes or sending messages (the engine).
#
# Bounded memory: the relay block states (here and in `runtime`) are kept until the engine
# prunes them with `prune(keep_from_number)`; a core's pending candidate holds its own
# collation, so nothing older than the block being built is needed to apply an inherent.
from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from backable.core import (
    BitVec,
    GroupRotationInfo,
    OccupiedCore,
    OccupiedCoreAssumption,
    PersistedValidationData,
    ProvisionerInherentData,
    ScheduledCore,
    blake2_256,
)
from backable.core.records.cores import AnyCoreState
from backable.core.thresholds import availability_threshold_met

from ..collaborators.runtime_api import InMemoryChain, RelayBlockState
from .collator import TOY_VALIDATION_CODE, Collation
from .report import SimParams

__all__ = ["Applied", "ChainModel", "Pending", "MAX_POV", "PARA_BASE", "SESSION"]

SESSION = 1
MAX_POV = 5 << 20
PARA_BASE = 1000  # core i serves para PARA_BASE + i


@dataclass
class Pending:
    """A core's pending candidate: backed, waiting for availability."""

    collation: Collation
    backed_at: int
    time_out_at: int
    group: int
    availability: int = 0  # bits by validator index
    holders: int = 0  # validators holding their chunk of the data
    votes: int = 0
    scheduled: bool = True  # its para was scheduled on the core (free or freed) when backed

    @property
    def candidate_hash(self) -> bytes:
        return self.collation.candidate_hash


@dataclass
class Applied:
    """What applying one block's inherent did, in the order it happened."""

    bitfields: int  # signed bitfields in the inherent
    occupied_before: int  # cores occupied when the block was applied
    included: list[tuple[int, Pending]] = field(default_factory=list)  # (core, candidate)
    timed_out: int = 0
    backed: list[Pending] = field(default_factory=list)  # candidates now occupying cores
    problems: list[str] = field(default_factory=list)  # what the runtime would refuse
    core_conflicts: int = 0  # backed candidates for a core that was still occupied
    code_upgrades: int = 0


@dataclass
class _Para:
    head: bytes
    code: bytes = TOY_VALIDATION_CODE
    upgrades: int = 0


class ChainModel:
    """The relay chain under the simulation: one `RelayBlockState` per relay block, built with
    `build`, served to the nodes through `runtime`; `apply` takes a block's inherent."""

    def __init__(
        self,
        params: SimParams,
        validators: tuple[bytes, ...],
        groups: tuple[tuple[int, ...], ...],
        rng: random.Random,
    ) -> None:
        self.p = params
        self.validators = validators
        self.groups = groups
        self.rng = rng  # the simulation's one generator: chunk loss draws from it
        self.paras: tuple[int, ...] = tuple(PARA_BASE + i for i in range(params.cores))
        self.runtime = InMemoryChain()
        self._paras = {
            p: _Para(head=blake2_256(b"genesis head of para" + p.to_bytes(4, "little")))
            for p in self.paras
        }
        self._occupied: dict[int, Pending] = {}
        self._states: dict[bytes, RelayBlockState] = {}

    # -- reading the chain ----------------------------------------------------------------

    def relay_hash(self, number: int) -> bytes:
        """The hash of relay block `number` (a function of the seed and the number)."""
        return blake2_256(
            b"backable sim relay block"
            + self.p.seed.to_bytes(8, "little")
            + number.to_bytes(4, "little")
        )

    def state(self, relay_parent: bytes) -> RelayBlockState:
        """The state built for `relay_parent` by `build`."""
        return self._states[relay_parent]

    def prune(self, keep_from_number: int) -> int:
        """Forget the states of relay blocks numbered below `keep_from_number`, here and in
        `runtime`; returns how many were dropped (`runtime.pruned` counts them)."""
        old = [rp for rp, st in self._states.items() if st.number < keep_from_number]
        for rp in old:
            del self._states[rp]
        self.runtime.prune(keep_from_number)
        return len(old)

    def is_occupied(self, core: int) -> bool:
        return core in self._occupied

    def upgrades(self, para: int) -> int:
        """Code upgrades enacted so far for `para`."""
        return self._paras[para].upgrades

    def code(self, para: int) -> bytes:
        """The validation code `para` runs now."""
        return self._paras[para].code

    def chunks_by_validator(self) -> list[int]:
        """For each validator, by index, the cores whose pending candidate it holds a chunk of,
        as bits by core: the availability bitfield an honest validator signs. In one pass: a
        core whose every validator holds a chunk (no chunk loss) is one bit shared by all, and
        only the holders of the other cores are visited one by one."""
        n = self.p.validators
        everyone = (1 << n) - 1
        shared = 0
        per: list[int] = [0] * n
        for core, pending in self._occupied.items():
            bit = 1 << core
            holders = pending.holders
            if holders == everyone:
                shared |= bit
                continue
            while holders:
                low = holders & -holders
                per[low.bit_length() - 1] |= bit
                holders ^= low
        return [shared | bits for bits in per]

    def group_of_para(self, rotation: GroupRotationInfo) -> dict[int, tuple[int, ...]]:
        """Each para's backing group under `rotation`."""
        n_cores = len(self.paras)
        return {
            para: self.groups[rotation.group_for_core(i, n_cores)]
            for i, para in enumerate(self.paras)
        }

    # -- building a relay block -----------------------------------------------------------

    def _pvd(self, head: bytes, rp_number: int, rp: bytes) -> PersistedValidationData:
        return PersistedValidationData(head, rp_number, blake2_256(b"state" + rp), MAX_POV)

    def build(self, rp_number: int) -> tuple[bytes, RelayBlockState, GroupRotationInfo]:
        """Relay block `rp_number` as it stands now: its hash, its state (added to `runtime`)
        and the group rotation for the block built on it."""
        rp = self.relay_hash(rp_number)
        rotation = GroupRotationInfo(0, self.p.rotation_frequency, rp_number + 1)
        cores: list[AnyCoreState] = []
        pvds: dict[tuple[int, OccupiedCoreAssumption], PersistedValidationData] = {}
        n = self.p.validators
        for i, para in enumerate(self.paras):
            head = self._paras[para].head
            occ = self._occupied.get(i)
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
            validation_code={p: self._paras[p].code for p in self.paras},
            minimum_backing_votes=self.p.minimum_backing_votes,
        )
        self._states[rp] = state
        self.runtime.add_block(rp, state)
        return rp, state, rotation

    # -- the runtime applying the inherent ------------------------------------------------

    def apply(
        self,
        number: int,
        data: ProvisionerInherentData,
        rotation: GroupRotationInfo,
        collations: Mapping[bytes, Collation],
    ) -> Applied:
        """Apply block `number`'s inherent: availability from its bitfields, cores freed on
        availability (2/3, the candidate enacted) or time-out, then its backed candidates placed
        on their cores (`collations` has every candidate by hash). A candidate for a core still
        occupied is refused and recorded as a problem, as is more than one code upgrade."""
        p = self.p
        n = p.validators
        out = Applied(bitfields=len(data.bitfields), occupied_before=len(self._occupied))
        # Validators who signed the same bitfield, as one int by payload: without chunk loss
        # every honest bitfield is the same, and the cores are then visited once, not once per
        # validator.
        signers: dict[int, int] = {}
        for bf in data.bitfields:
            bits = bf.payload.as_int()
            signers[bits] = signers.get(bits, 0) | 1 << bf.validator_index
        for bits, validators in signers.items():
            for i, occ in self._occupied.items():
                if bits >> i & 1:
                    occ.availability |= validators
        for i in sorted(self._occupied):
            occ = self._occupied[i]
            if availability_threshold_met(occ.availability.bit_count(), n):
                del self._occupied[i]
                out.included.append((i, occ))
                self._enact(occ)
            elif number >= occ.time_out_at:
                del self._occupied[i]
                out.timed_out += 1
        # Cores a candidate may take in this block: scheduled at the relay parent, or freed now.
        freed_or_free = {i for i in range(len(self.paras)) if i not in self._occupied}
        for backed in data.backed_candidates:
            para = backed.candidate.descriptor.para_id
            core = self.paras.index(para)
            if core in self._occupied:
                out.core_conflicts += 1
                out.problems.append(
                    f"block {number}: candidate for para {para} on occupied core {core}"
                )
                continue
            if backed.candidate.commitments.new_validation_code is not None:
                out.code_upgrades += 1
            collation = collations[backed.hash()]
            group_index = rotation.group_for_core(core, len(self.paras))
            # The backing group holds the data; each other validator has its chunk unless lost
            # (one draw per validator outside the group, in index order: none without loss).
            holders = (1 << n) - 1
            if p.chunk_loss:
                group = self.groups[group_index]
                for v in range(n):
                    if v not in group and self.rng.random() < p.chunk_loss:
                        holders ^= 1 << v
            pending = Pending(
                collation,
                number,
                number + p.availability_timeout,
                group_index,
                0,
                holders,
                votes=len(backed.validity_votes),
                scheduled=core in freed_or_free,
            )
            self._occupied[core] = pending
            out.backed.append(pending)
        if out.code_upgrades > 1:
            out.problems.append(f"block {number}: {out.code_upgrades} code upgrades")
        return out

    def _enact(self, occ: Pending) -> None:
        # The candidate became available: its para's head moves on, its new code takes effect.
        commitments = occ.collation.committed.commitments
        state = self._paras[occ.collation.committed.descriptor.para_id]
        state.head = commitments.head_data
        if commitments.new_validation_code is not None:
            state.code = commitments.new_validation_code
            state.upgrades += 1
