# The chain state a relay block's inclusion step reads and writes, as immutable records: what the
# runtime keeps in its pallets (validators and groups, the claim queue, the candidates pending
# availability, the allowed relay and scheduling parents, heads and code hashes, the active
# configuration, the disabled validators) reduced to what `include` (inclusion.py) needs. Each
# field's docstring line names the pallet and storage item it stands for. These are state, not
# wire records: they have no SCALE form.
#
# Sources: polkadot-sdk@00c84144 polkadot/runtime/parachains/src/inclusion/mod.rs
# (`CandidatePendingAvailability`, `para_latest_head_data`, `para_most_recent_context`);
# polkadot-sdk@b3f7f01c polkadot/runtime/parachains/src/scheduler.rs (`ValidatorGroups`,
# `SessionStartBlock`, `ClaimQueue`, `group_assigned_to_core`); shared.rs of the 2026 line (M-sh26:
# `AllowedRelayParents` keyed by session, `AllowedSchedulingParents` with the transposed claim
# queue; PR #11231).
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyrsistent import PMap as _PMapType
from pyrsistent import pmap
from pyrsistent.typing import PMap

from ..errors import InvalidRecord
from ..records import _checks as c
from ..records.bitvec import BitVec
from ..records.candidate import (
    CandidateCommitments,
    CandidateDescriptor,
    CandidateReceipt,
    CommittedCandidateReceipt,
)
from ..records.cores import GroupRotationInfo
from .claim_queue import ClaimQueue, TransposedClaimQueue

__all__ = [
    "ChainState",
    "HostConfiguration",
    "PendingCandidate",
    "RelayParentInfo",
    "SchedulingParentInfo",
]


@dataclass(frozen=True, slots=True)
class HostConfiguration:
    """The part of `configuration::ActiveConfig` the inclusion step reads.

    - `minimum_backing_votes`: the backing threshold's cap (`min(group, this)`).
    - `node_features`: bit 3 allows V2 receipts and UMP signals, bit 4 V3 descriptors.
    - `paras_availability_period`, `group_rotation_frequency` (at least 1: the runtime divides
      by it): `scheduler_params`, for time-outs and group rotation.
    - `max_pov_size`: goes into the persisted validation data a candidate must commit to.
    - `max_head_data_size`: the largest head a candidate may produce (`HeadDataTooLarge`).
    """

    minimum_backing_votes: int
    node_features: BitVec
    paras_availability_period: int
    group_rotation_frequency: int
    max_pov_size: int
    max_head_data_size: int

    def __post_init__(self) -> None:
        c.u32(self, "minimum_backing_votes", self.minimum_backing_votes)
        c.instance(self, "node_features", self.node_features, BitVec)
        c.u32(self, "paras_availability_period", self.paras_availability_period)
        c.u32(self, "group_rotation_frequency", self.group_rotation_frequency)
        if self.group_rotation_frequency == 0:
            raise InvalidRecord(
                "HostConfiguration",
                "group_rotation_frequency",
                0,
                "must be at least 1 (the runtime divides by it)",
            )
        c.u32(self, "max_pov_size", self.max_pov_size)
        c.u32(self, "max_head_data_size", self.max_head_data_size)


@dataclass(frozen=True, slots=True)
class RelayParentInfo:
    """`RelayParentInfo` of `shared::AllowedRelayParents[session][hash]`: the block's number and
    state root, the two facts a candidate's persisted validation data takes from it."""

    number: int
    state_root: bytes

    def __post_init__(self) -> None:
        c.u32(self, "number", self.number)
        c.hash32(self, "state_root", self.state_root)


@dataclass(frozen=True, slots=True)
class SchedulingParentInfo:
    """An entry of `shared::AllowedSchedulingParents`: the block's number and the claim queue,
    transposed, as it stood when the block after it was built (depth 0 is block `number + 1`)."""

    number: int
    claim_queue: TransposedClaimQueue

    def __post_init__(self) -> None:
        c.u32(self, "number", self.number)
        c.instance(self, "claim_queue", self.claim_queue, TransposedClaimQueue)


@dataclass(frozen=True, slots=True)
class PendingCandidate:
    """`CandidatePendingAvailability`, one entry of `inclusion::PendingAvailability[para]`: a
    backed candidate occupying `core` until it is available, times out or is disputed.
    `availability_votes` and `backers` have one bit per validator; `hash` must be the
    candidate's hash."""

    core: int
    hash: bytes
    descriptor: CandidateDescriptor
    commitments: CandidateCommitments
    availability_votes: BitVec
    relay_parent_number: int
    backers: BitVec
    backed_in_number: int
    backing_group: int

    def __post_init__(self) -> None:
        c.u32(self, "core", self.core)
        c.hash32(self, "hash", self.hash)
        c.instance(self, "descriptor", self.descriptor, CandidateDescriptor)
        c.instance(self, "commitments", self.commitments, CandidateCommitments)
        c.instance(self, "availability_votes", self.availability_votes, BitVec)
        c.u32(self, "relay_parent_number", self.relay_parent_number)
        c.instance(self, "backers", self.backers, BitVec)
        c.u32(self, "backed_in_number", self.backed_in_number)
        c.u32(self, "backing_group", self.backing_group)
        if self.hash != self.committed().hash():
            raise InvalidRecord(
                "PendingCandidate",
                "hash",
                self.hash,
                "is not the hash of descriptor and commitments",
            )

    @property
    def para_id(self) -> int:
        return self.descriptor.para_id

    def committed(self) -> CommittedCandidateReceipt:
        return CommittedCandidateReceipt(self.descriptor, self.commitments)

    def receipt(self) -> CandidateReceipt:
        return CandidateReceipt(self.descriptor, self.commitments.hash())


def _frozen_map(record: str, field: str, value: Any) -> PMap[Any, Any]:
    # A caller may pass any mapping; the record keeps a persistent one.
    if isinstance(value, _PMapType):
        return value
    if not isinstance(value, Mapping):
        raise InvalidRecord(record, field, value, "must be a mapping")
    return pmap(value)


def _u32_key(field: str, key: object) -> None:
    if type(key) is not int or not 0 <= key < 1 << 32:
        raise InvalidRecord("ChainState", field, key, "keys must be u32 ints")


def _hash_key(field: str, key: object) -> None:
    if type(key) is not bytes or len(key) != 32:
        raise InvalidRecord("ChainState", field, key, "keys must be 32-byte hashes")


@dataclass(frozen=True, slots=True)
class ChainState:
    """The relay chain state block `now` builds on, as its inclusion step sees it (after the
    parent was registered as an allowed relay and scheduling parent, E.2.1 step 2).

    - `validators`: `shared::ActiveValidatorKeys`, sr25519 keys in parachain ValidatorIndex order.
    - `validator_groups`: `scheduler::ValidatorGroups`, validator indices per backing group.
    - `session_start_block`: `scheduler::SessionStartBlock`, where group rotation counts from.
    - `n_cores`: the number of availability cores, the length every bitfield must have.
    - `claim_queue`: `scheduler::ClaimQueue`, position 0 of each core serving block `now`.
    - `pending`: `inclusion::PendingAvailability`, each para's pending candidates in chain order.
    - `allowed_relay_parents`: `shared::AllowedRelayParents`, session -> hash -> number and root.
    - `allowed_scheduling_parents`: `shared::AllowedSchedulingParents`, hash -> number and the
      transposed claim queue stored with it (for V1/V2 the scheduling parent is the relay
      parent, so it must be here too).
    - `para_heads`: `paras::Heads`; `most_recent_context`: `paras::MostRecentContext` (the relay
      parent number of the last included candidate); `code_hashes`: `paras::CurrentCodeHash`.
    - `config`: the active configuration's fields the step reads.
    - `disabled_validators`: `shared::disabled_validators()`, parachain validator indices.
    - `session_index`: `shared::CurrentSessionIndex`; `now`: `frame_system::Number`, the block
      being built; `parent_hash`: `frame_system::ParentHash`.

    Every allowed parent and pending candidate must lie before `now`, bits must be as long as
    the validator set, and no core may hold two pending candidates."""

    validators: tuple[bytes, ...]
    validator_groups: tuple[tuple[int, ...], ...]
    session_start_block: int
    n_cores: int
    claim_queue: ClaimQueue
    pending: PMap[int, tuple[PendingCandidate, ...]]
    allowed_relay_parents: PMap[int, PMap[bytes, RelayParentInfo]]
    allowed_scheduling_parents: PMap[bytes, SchedulingParentInfo]
    para_heads: PMap[int, bytes]
    most_recent_context: PMap[int, int]
    code_hashes: PMap[int, bytes]
    config: HostConfiguration
    disabled_validators: frozenset[int]
    session_index: int
    now: int
    parent_hash: bytes

    def __post_init__(self) -> None:
        c.tuple_of(self, "validators", self.validators, bytes)
        for i, key in enumerate(self.validators):
            c.hash32(self, f"validators[{i}]", key)
        n = len(self.validators)
        c.tuple_of(self, "validator_groups", self.validator_groups, tuple)
        for g, group in enumerate(self.validator_groups):
            for member in group:
                if type(member) is not int or not 0 <= member < n:
                    raise InvalidRecord(
                        "ChainState", f"validator_groups[{g}]", group, f"members must be 0..{n - 1}"
                    )
        c.u32(self, "session_start_block", self.session_start_block)
        c.u32(self, "n_cores", self.n_cores)
        c.instance(self, "claim_queue", self.claim_queue, ClaimQueue)
        for core in self.claim_queue.cores():
            if core >= self.n_cores:
                raise InvalidRecord(
                    "ChainState", "claim_queue", core, f"core beyond n_cores ({self.n_cores})"
                )
        c.instance(self, "config", self.config, HostConfiguration)
        c.u32(self, "session_index", self.session_index)
        c.u32(self, "now", self.now)
        if self.now == (1 << 32) - 1:
            # The time-out rule looks at block `now + 1`, which must be a u32 too.
            raise InvalidRecord("ChainState", "now", self.now, "must be below 2**32-1")
        c.hash32(self, "parent_hash", self.parent_hash)
        self._check_pending(n)
        self._check_parents()
        heads = _frozen_map("ChainState", "para_heads", self.para_heads)
        for para, head in heads.items():
            _u32_key("para_heads", para)
            c.any_bytes(self, f"para_heads[{para}]", head)
        contexts = _frozen_map("ChainState", "most_recent_context", self.most_recent_context)
        for para, number in contexts.items():
            _u32_key("most_recent_context", para)
            c.u32(self, f"most_recent_context[{para}]", number)
        codes = _frozen_map("ChainState", "code_hashes", self.code_hashes)
        for para, code in codes.items():
            _u32_key("code_hashes", para)
            c.hash32(self, f"code_hashes[{para}]", code)
        object.__setattr__(self, "para_heads", heads)
        object.__setattr__(self, "most_recent_context", contexts)
        object.__setattr__(self, "code_hashes", codes)
        disabled = self.disabled_validators
        if not isinstance(disabled, frozenset | set) or any(
            type(v) is not int or not 0 <= v < n for v in disabled
        ):
            raise InvalidRecord(
                "ChainState", "disabled_validators", disabled, f"must be a set of 0..{n - 1}"
            )
        object.__setattr__(self, "disabled_validators", frozenset(disabled))

    def _check_pending(self, n: int) -> None:
        pending = _frozen_map("ChainState", "pending", self.pending)
        cores: set[int] = set()
        frozen: dict[int, tuple[PendingCandidate, ...]] = {}
        for para, chain in pending.items():
            _u32_key("pending", para)
            field = f"pending[{para}]"
            if isinstance(chain, list):
                chain = tuple(chain)
            if type(chain) is not tuple:
                raise InvalidRecord("ChainState", field, chain, "must be a tuple")
            for i, cand in enumerate(chain):
                if not isinstance(cand, PendingCandidate):
                    raise InvalidRecord(
                        "ChainState", f"{field}[{i}]", cand, "not a PendingCandidate"
                    )
                problem = self._pending_problem(para, cand, n, cores)
                if problem:
                    raise InvalidRecord("ChainState", f"{field}[{i}]", cand, problem)
                cores.add(cand.core)
            frozen[para] = chain
        object.__setattr__(self, "pending", pmap(frozen))

    def _pending_problem(self, para: int, cand: PendingCandidate, n: int, cores: set[int]) -> str:
        if cand.para_id != para:
            return f"is a candidate of para {cand.para_id}"
        if cand.core >= self.n_cores or cand.core in cores:
            return f"core {cand.core} is beyond n_cores or already occupied"
        if len(cand.availability_votes) != n or len(cand.backers) != n:
            return f"availability_votes and backers must have {n} bits"
        if cand.backed_in_number > self.now or cand.relay_parent_number >= self.now:
            return f"must be backed by block {self.now} on an earlier relay parent"
        return ""

    def _check_parents(self) -> None:
        sessions = _frozen_map("ChainState", "allowed_relay_parents", self.allowed_relay_parents)
        frozen: dict[int, PMap[bytes, RelayParentInfo]] = {}
        for session, parents in sessions.items():
            _u32_key("allowed_relay_parents", session)
            inner = _frozen_map("ChainState", f"allowed_relay_parents[{session}]", parents)
            for parent, info in inner.items():
                _hash_key(f"allowed_relay_parents[{session}]", parent)
                self._before_now(f"allowed_relay_parents[{session}]", info, RelayParentInfo)
            frozen[session] = inner
        object.__setattr__(self, "allowed_relay_parents", pmap(frozen))
        scheduling = _frozen_map(
            "ChainState", "allowed_scheduling_parents", self.allowed_scheduling_parents
        )
        for parent, info in scheduling.items():
            _hash_key("allowed_scheduling_parents", parent)
            self._before_now("allowed_scheduling_parents", info, SchedulingParentInfo)
        object.__setattr__(self, "allowed_scheduling_parents", scheduling)

    def _before_now(self, field: str, info: object, kind: type) -> None:
        if not isinstance(info, kind):
            raise InvalidRecord("ChainState", field, info, f"values must be {kind.__name__}")
        number: int = info.number  # type: ignore[attr-defined]
        if number >= self.now:
            raise InvalidRecord("ChainState", field, info, f"must lie before block {self.now}")

    # -- the lookups the rules make ------------------------------------------------------------

    def group_rotation(self, at: int) -> GroupRotationInfo:
        """The rotation as seen at block `at` (`scheduler::group_rotation_info`)."""
        return GroupRotationInfo(self.session_start_block, self.config.group_rotation_frequency, at)

    def group_assigned_to_core(self, core: int, at: int) -> int | None:
        """`scheduler::group_assigned_to_core`: the group serving `core` at block `at`, rotating
        once every `group_rotation_frequency` blocks from the session start, modulo the number of
        groups; None before the session start or for a core with no group of its index."""
        if at < self.session_start_block or core >= len(self.validator_groups):
            return None
        rotations = (at - self.session_start_block) // self.config.group_rotation_frequency
        return (core + rotations) % len(self.validator_groups)

    def relay_parent_info(self, session: int, relay_parent: bytes) -> RelayParentInfo | None:
        """`AllowedRelayParents[session][relay_parent]`, or None."""
        return self.allowed_relay_parents.get(session, pmap()).get(relay_parent)

    def occupied_cores(self) -> frozenset[int]:
        """The cores holding a pending candidate."""
        return frozenset(p.core for chain in self.pending.values() for p in chain)

    def latest_head(self, para: int) -> bytes | None:
        """`para_latest_head_data`: the head of the para's last pending candidate, else its
        included head, else None."""
        chain = self.pending.get(para, ())
        if chain:
            return chain[-1].commitments.head_data
        return self.para_heads.get(para)

    def latest_context(self, para: int) -> int | None:
        """`para_most_recent_context`: the relay parent number of the para's last pending
        candidate, else of its last included one, else None."""
        chain = self.pending.get(para, ())
        if chain:
            return chain[-1].relay_parent_number
        return self.most_recent_context.get(para)

    def __repr__(self) -> str:
        pending = sum(len(chain) for chain in self.pending.values())
        return (
            f"ChainState(now={self.now}, session={self.session_index},"
            f" validators={len(self.validators)}, groups={len(self.validator_groups)},"
            f" cores={self.n_cores}, pending={pending})"
        )
