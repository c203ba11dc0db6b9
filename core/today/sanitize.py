# Sanitising a parachains inherent's bitfields and backed candidates as the runtime does before it
# acts on them (E.2.1 steps 10, 14 and 15): what belongs here is every filter that drops an item
# with a named reason, and the records that say what was kept and what was dropped. Acting on
# what survives (availability, time-outs, pushing candidates) is inclusion.py's.
#
# Sources: polkadot-sdk@00d7c710 polkadot/runtime/parachains/src/paras_inherent/mod.rs
# (`sanitize_bitfields`, `sanitize_backed_candidate_v2`, `sanitize_backed_candidates`,
# `filter_unchained_candidates`, `retain_candidates`, `map_candidates_to_cores`,
# `get_injected_core_index`, `filter_backed_statements_from_disabled_validators`);
# polkadot-sdk@b3f7f01c polkadot/runtime/parachains/src/scheduler.rs (`eligible_paras`: the
# claim-queue heads of the cores not occupied); polkadot-sdk@00c84144
# polkadot/runtime/parachains/src/inclusion/mod.rs (`verify_backed_candidate`); the 2026 checks
# of PR #10472 (V3 gate, scheduling session equal to the current one) and PR #11231 (relay
# parents looked up in the candidate's own session).
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import InvalidRecord
from ..provisioner.inherent_check import (
    BITFIELD_LENGTH,
    BITFIELD_SIGNATURE,
    BITFIELD_UNKNOWN_VALIDATOR,
    SignatureCheck,
)
from ..records import _checks as c
from ..records.backed import BackedCandidate
from ..records.bitvec import BitVec
from ..records.candidate import CommittedCandidateReceipt, PersistedValidationData
from ..records.hashing import blake2_256
from ..records.signing import bitfield_signing_payload
from ..records.statements import SignedAvailabilityBitfield, SigningContext
from ..thresholds import backing_threshold
from .chain_state import ChainState, RelayParentInfo
from .claim_queue import (
    TransposedClaimQueue,
    committed_core_index,
    parse_ump_signals,
    split_injected_core_index,
)
from .descriptor import (
    DescriptorVersion,
    check_version_acceptance,
    descriptor_session_index,
    descriptor_version,
    scheduling_parent,
    scheduling_session,
)
from .node_features import NodeFeature, node_feature_enabled
from .ump_signals import CandidateReceiptError, ump_signals

__all__ = [
    "BITFIELD_DISPUTED_CORE",
    "BITFIELD_LENGTH",
    "BITFIELD_NOT_ASCENDING",
    "BITFIELD_SIGNATURE",
    "BITFIELD_UNKNOWN_VALIDATOR",
    "CANDIDATE_CLAIM_QUEUE_OFFSET",
    "CANDIDATE_CONCLUDED_INVALID",
    "CANDIDATE_CORES_EXHAUSTED",
    "CANDIDATE_CORE_NOT_ELIGIBLE",
    "CANDIDATE_CORE_UNKNOWN",
    "CANDIDATE_DISABLED_FILTER_THRESHOLD",
    "CANDIDATE_DISABLED_VOTE_INDEX",
    "CANDIDATE_DISALLOWED_RELAY_PARENT",
    "CANDIDATE_DISALLOWED_SCHEDULING_PARENT",
    "CANDIDATE_DUPLICATE",
    "CANDIDATE_HEAD_DATA_TOO_LARGE",
    "CANDIDATE_INVALID_ASSIGNMENT",
    "CANDIDATE_NO_ELIGIBLE_CORE",
    "CANDIDATE_NO_SELECT_CORE",
    "CANDIDATE_PARA_HEAD",
    "CANDIDATE_PREDECESSOR_DROPPED",
    "CANDIDATE_RELAY_PARENT_BACKWARDS",
    "CANDIDATE_SESSION",
    "CANDIDATE_UMP_SIGNALS",
    "CANDIDATE_UNKNOWN_PARA",
    "CANDIDATE_UNSCHEDULED",
    "CANDIDATE_V2_DISABLED",
    "CANDIDATE_VALIDATION_CODE_HASH",
    "CANDIDATE_VALIDATION_DATA_HASH",
    "CANDIDATE_VERSION",
    "DroppedBitfield",
    "DroppedCandidate",
    "KeptCandidate",
    "eligible_cores",
    "sanitize_backed_candidates",
    "sanitize_bitfields",
]

# Bitfields (E.2.4). Length, unknown validator and signature share inherent_check's names.
BITFIELD_DISPUTED_CORE = "bitfield-disputed-core"
BITFIELD_NOT_ASCENDING = "bitfield-not-ascending"

# Candidates, step 1: descriptor version and UMP signals, one candidate at a time.
CANDIDATE_VERSION = "candidate-version"
CANDIDATE_SESSION = "candidate-session"
CANDIDATE_UMP_SIGNALS = "candidate-ump-signals"
CANDIDATE_NO_SELECT_CORE = "candidate-no-select-core"
CANDIDATE_V2_DISABLED = "candidate-v2-disabled"
CANDIDATE_DISALLOWED_RELAY_PARENT = "candidate-disallowed-relay-parent"
CANDIDATE_DISALLOWED_SCHEDULING_PARENT = "candidate-disallowed-scheduling-parent"
CANDIDATE_CLAIM_QUEUE_OFFSET = "candidate-claim-queue-offset"
# Step 3: each para's candidates must chain onto its latest head (`verify_backed_candidate`).
CANDIDATE_UNKNOWN_PARA = "candidate-unknown-para"
CANDIDATE_DUPLICATE = "candidate-duplicate"
CANDIDATE_RELAY_PARENT_BACKWARDS = "candidate-relay-parent-backwards"
CANDIDATE_VALIDATION_DATA_HASH = "candidate-validation-data-hash"
CANDIDATE_UNSCHEDULED = "candidate-unscheduled"
CANDIDATE_VALIDATION_CODE_HASH = "candidate-validation-code-hash"
CANDIDATE_PARA_HEAD = "candidate-para-head"
CANDIDATE_HEAD_DATA_TOO_LARGE = "candidate-head-data-too-large"
# Step 4, step 5 (cores) and step 6 (disabled validators).
CANDIDATE_CONCLUDED_INVALID = "candidate-concluded-invalid"
CANDIDATE_NO_ELIGIBLE_CORE = "candidate-no-eligible-core"
CANDIDATE_CORES_EXHAUSTED = "candidate-cores-exhausted"
CANDIDATE_CORE_UNKNOWN = "candidate-core-unknown"
CANDIDATE_CORE_NOT_ELIGIBLE = "candidate-core-not-eligible"
CANDIDATE_INVALID_ASSIGNMENT = "candidate-invalid-assignment"
CANDIDATE_DISABLED_VOTE_INDEX = "candidate-disabled-vote-index"
CANDIDATE_DISABLED_FILTER_THRESHOLD = "candidate-disabled-filter-threshold"
# Any step: an earlier candidate of the same para was dropped, so this one cannot chain.
CANDIDATE_PREDECESSOR_DROPPED = "candidate-predecessor-dropped"


@dataclass(frozen=True, slots=True)
class DroppedBitfield:
    """A bitfield the runtime skips: its position in the inherent, its signer, the rule (one of
    the BITFIELD_* names) and a detail for people."""

    index: int
    validator_index: int
    rule: str
    detail: str

    def __post_init__(self) -> None:
        c.u32(self, "index", self.index)
        c.u32(self, "validator_index", self.validator_index)
        c.instance(self, "rule", self.rule, str)
        c.instance(self, "detail", self.detail, str)


@dataclass(frozen=True, slots=True)
class DroppedCandidate:
    """A backed candidate the runtime drops: its position in the inherent, para, hash, the rule
    (one of the CANDIDATE_* names or a backing rule) and a detail for people."""

    index: int
    para_id: int
    candidate_hash: bytes
    rule: str
    detail: str

    def __post_init__(self) -> None:
        c.u32(self, "index", self.index)
        c.u32(self, "para_id", self.para_id)
        c.hash32(self, "candidate_hash", self.candidate_hash)
        c.instance(self, "rule", self.rule, str)
        c.instance(self, "detail", self.detail, str)


@dataclass(frozen=True, slots=True)
class KeptCandidate:
    """A backed candidate that passed sanitisation: its position in the inherent, the candidate
    as the runtime keeps it (votes of disabled validators removed), the core it takes, and the
    numbers of its relay parent and scheduling parent."""

    index: int
    candidate: BackedCandidate
    core: int
    relay_parent_number: int
    scheduling_parent_number: int

    def __post_init__(self) -> None:
        c.u32(self, "index", self.index)
        c.instance(self, "candidate", self.candidate, BackedCandidate)
        c.u32(self, "core", self.core)
        c.u32(self, "relay_parent_number", self.relay_parent_number)
        c.u32(self, "scheduling_parent_number", self.scheduling_parent_number)

    @property
    def para_id(self) -> int:
        return self.candidate.candidate.descriptor.para_id


# -- bitfields (E.2.4) -------------------------------------------------------------------------


def sanitize_bitfields(
    state: ChainState,
    bitfields: Sequence[SignedAvailabilityBitfield],
    disputed_cores: frozenset[int],
    verify: SignatureCheck,
) -> tuple[tuple[SignedAvailabilityBitfield, ...], tuple[DroppedBitfield, ...]]:
    """`sanitize_bitfields` (E.2.4): in input order, skip a bitfield whose length is not the
    number of cores, that sets a bit of a core freed by a dispute in this block, whose validator
    index is not above the last one accepted, that names no validator, or whose signature over
    `SigningContext{parent_hash, session}` fails. As in Rust, a bitfield that passed every check
    but its signature still advances the last index, so a later one of the same or a lower index
    is dropped as not ascending. Disabled validators' bitfields are kept."""
    n_cores = state.n_cores
    disputed = sum(1 << core for core in disputed_cores if core < n_cores)
    ctx = SigningContext(state.session_index, state.parent_hash)
    kept: list[SignedAvailabilityBitfield] = []
    dropped: list[DroppedBitfield] = []
    last: int | None = None
    for i, bf in enumerate(bitfields):
        v = bf.validator_index
        bits = bf.payload
        if len(bits) != n_cores:
            dropped.append(
                DroppedBitfield(i, v, BITFIELD_LENGTH, f"{len(bits)} bits, {n_cores} cores")
            )
        elif bits.as_int() & disputed:
            cores = [core for core in bits.iter_ones() if disputed >> core & 1]
            dropped.append(DroppedBitfield(i, v, BITFIELD_DISPUTED_CORE, f"bits on cores {cores}"))
        elif last is not None and v <= last:
            detail = f"validator {v} after {last}"
            dropped.append(DroppedBitfield(i, v, BITFIELD_NOT_ASCENDING, detail))
        elif v >= len(state.validators):
            detail = f"validator {v} of {len(state.validators)}"
            dropped.append(DroppedBitfield(i, v, BITFIELD_UNKNOWN_VALIDATOR, detail))
        else:
            if verify(bitfield_signing_payload(bits, ctx), bf.signature, state.validators[v]):
                kept.append(bf)
            else:
                dropped.append(DroppedBitfield(i, v, BITFIELD_SIGNATURE, f"validator {v}"))
            last = v
    return tuple(kept), tuple(dropped)


# -- candidates (E.2.3) ------------------------------------------------------------------------


def eligible_cores(state: ChainState) -> dict[int, tuple[int, ...]]:
    """`scheduler::eligible_paras` grouped by para (E.2.1 step 14): for every core not occupied
    by a pending candidate, the para at the head of its claim queue; each para's cores
    ascending. `state` is the state after this block's frees."""
    occupied = state.occupied_cores()
    out: dict[int, list[int]] = {}
    for core, paras in state.claim_queue.entries:
        if paras and core not in occupied:
            out.setdefault(paras[0], []).append(core)
    return {para: tuple(sorted(cores)) for para, cores in sorted(out.items())}


class _Slot:
    # One candidate on its way through the steps; mutable while the steps run, never escapes.
    __slots__ = ("candidate", "core", "index", "rp_number", "sp_number")

    def __init__(self, index: int, candidate: BackedCandidate) -> None:
        self.index = index
        self.candidate = candidate
        self.core = 0
        self.rp_number = 0
        self.sp_number = 0


Problem = tuple[str, str]


def _drop(slot: _Slot, rule: str, detail: str) -> DroppedCandidate:
    receipt = slot.candidate.candidate
    return DroppedCandidate(slot.index, receipt.descriptor.para_id, receipt.hash(), rule, detail)


def _drop_rest(slots: Sequence[_Slot], after: _Slot, out: list[DroppedCandidate]) -> None:
    detail = f"candidate {after.index} before it was dropped"
    out.extend(_drop(slot, CANDIDATE_PREDECESSOR_DROPPED, detail) for slot in slots)


def _retain(
    per_para: dict[int, list[_Slot]],
    check: Callable[[int, _Slot], Problem | None],
    dropped: list[DroppedCandidate],
) -> None:
    # `retain_candidates`: per para, keep the candidates up to the first that fails `check`;
    # that one is dropped with its reason, every later one of the para as predecessor-dropped.
    for para in sorted(per_para):
        slots = per_para[para]
        for pos, slot in enumerate(slots):
            problem = check(para, slot)
            if problem is not None:
                dropped.append(_drop(slot, *problem))
                _drop_rest(slots[pos + 1 :], slot, dropped)
                del slots[pos:]
                break
        if not slots:
            del per_para[para]


def _error_detail(error: CandidateReceiptError) -> str:
    # The Rust error kind first, so that a reader can match it to the variant.
    return f"{error.kind.value}: {error.detail}"


def _version_and_signals(state: ChainState, receipt: CommittedCandidateReceipt) -> Problem | None:
    # Step 1 (E.2.3 1a-f): `sanitize_backed_candidate_v2` of 2025 with the 2026 version gate
    # and session rule in front, and the core check done by `parse_ump_signals` against the
    # claim queue kept with the scheduling parent.
    d = receipt.descriptor
    features = state.config.node_features
    rejected = check_version_acceptance(
        d, node_feature_enabled(features, NodeFeature.CANDIDATE_RECEIPT_V3)
    )
    if rejected is not None:
        return CANDIDATE_VERSION, rejected.reason.value
    version = descriptor_version(d)
    if version is not DescriptorVersion.V1:
        session = scheduling_session(d)
        if session != state.session_index:
            detail = f"scheduling session {session}, current session {state.session_index}"
            return CANDIDATE_SESSION, detail
    signals = ump_signals(receipt.commitments)
    if isinstance(signals, CandidateReceiptError):
        return CANDIDATE_UMP_SIGNALS, _error_detail(signals)
    select = signals.select_core
    if select is None:
        if version is DescriptorVersion.V1 and signals.is_empty():
            return None  # the legacy path: no commitment to check here
        if version is DescriptorVersion.V2:
            return CANDIDATE_NO_SELECT_CORE, "a V2 candidate without a SelectCore signal"
        # A V1 candidate with some other signal, or V3 without SelectCore: the parse names it.
        refused = parse_ump_signals(receipt, TransposedClaimQueue())
        assert isinstance(refused, CandidateReceiptError)  # both fail before the claim queue
        return CANDIDATE_UMP_SIGNALS, _error_detail(refused)
    if not node_feature_enabled(features, NodeFeature.CANDIDATE_RECEIPT_V2):
        return CANDIDATE_V2_DISABLED, "SelectCore while node feature 3 is off"
    session = descriptor_session_index(d)
    own_session = state.session_index if session is None else session
    if state.relay_parent_info(own_session, d.relay_parent) is None:
        detail = f"0x{d.relay_parent.hex()[:16]}.. in session {own_session}"
        return CANDIDATE_DISALLOWED_RELAY_PARENT, detail
    sp = state.allowed_scheduling_parents.get(scheduling_parent(d))
    if sp is None:
        return CANDIDATE_DISALLOWED_SCHEDULING_PARENT, f"0x{scheduling_parent(d).hex()[:16]}.."
    expected = state.now - sp.number - 1
    if select.claim_queue_offset != expected:
        detail = (
            f"offset {select.claim_queue_offset}, the claim for block {state.now} is {expected}"
        )
        return CANDIDATE_CLAIM_QUEUE_OFFSET, detail
    parsed = parse_ump_signals(receipt, sp.claim_queue)
    if isinstance(parsed, CandidateReceiptError):
        return CANDIDATE_UMP_SIGNALS, _error_detail(parsed)
    return None


class _ChainCheck:
    # Step 3 (`filter_unchained_candidates`): each para starts from its latest head and the
    # relay parent number of its latest candidate; a candidate must not repeat, must name an
    # allowed relay parent not older than that number, and must commit to the validation data
    # built on that head, the para's current code, and its own head; the next one builds on it.
    __slots__ = ("context", "seen", "state")

    def __init__(self, state: ChainState) -> None:
        self.state = state
        self.context: dict[int, tuple[bytes, int]] = {}
        self.seen: set[bytes] = set()

    def __call__(self, para: int, slot: _Slot) -> Problem | None:
        state = self.state
        if para not in self.context:
            head, number = state.latest_head(para), state.latest_context(para)
            if head is None or number is None:
                return CANDIDATE_UNKNOWN_PARA, f"para {para} has no head or no context"
            self.context[para] = (head, number)
        head, prev = self.context[para]
        receipt = slot.candidate.candidate
        h = receipt.hash()
        if h in self.seen:
            return CANDIDATE_DUPLICATE, "the same candidate appeared earlier"
        self.seen.add(h)
        info = self._verify(para, receipt, head, prev)
        if not isinstance(info, RelayParentInfo):
            return info
        d = receipt.descriptor
        sp = state.allowed_scheduling_parents.get(scheduling_parent(d))
        if sp is None:
            # The V1 legacy path skipped step 1's lookups; the scheduling parent (the relay
            # parent, for V1) is looked up here so that the backing group can be found.
            return CANDIDATE_DISALLOWED_SCHEDULING_PARENT, f"0x{scheduling_parent(d).hex()[:16]}.."
        slot.rp_number, slot.sp_number = info.number, sp.number
        self.context[para] = (receipt.commitments.head_data, info.number)
        return None

    def _verify(
        self, para: int, receipt: CommittedCandidateReceipt, head: bytes, prev: int
    ) -> Problem | RelayParentInfo:
        # `verify_backed_candidate` with `prev_context = prev`: the relay parent's info, or why
        # the candidate fails.
        state = self.state
        d = receipt.descriptor
        session = descriptor_session_index(d)
        own_session = state.session_index if session is None else session
        info = state.relay_parent_info(own_session, d.relay_parent)
        if info is None:
            detail = f"0x{d.relay_parent.hex()[:16]}.. in session {own_session}"
            return CANDIDATE_DISALLOWED_RELAY_PARENT, detail
        if info.number < prev:
            detail = f"relay parent {info.number} before the para's latest {prev}"
            return CANDIDATE_RELAY_PARENT_BACKWARDS, detail
        pvd = PersistedValidationData(head, info.number, info.state_root, state.config.max_pov_size)
        if pvd.hash() != d.persisted_validation_data_hash:
            return CANDIDATE_VALIDATION_DATA_HASH, "not built on the para's latest head"
        code = state.code_hashes.get(para)
        if code is None:
            return CANDIDATE_UNSCHEDULED, f"para {para} has no current code"
        if d.validation_code_hash != code:
            return CANDIDATE_VALIDATION_CODE_HASH, "not the para's current code"
        head_data = receipt.commitments.head_data
        if d.para_head != blake2_256(head_data):
            return CANDIDATE_PARA_HEAD, "descriptor para_head is not the hash of the head data"
        if len(head_data) > state.config.max_head_data_size:
            detail = f"{len(head_data)} bytes, at most {state.config.max_head_data_size}"
            return CANDIDATE_HEAD_DATA_TOO_LARGE, detail
        return info


def _injected_core(state: ChainState, slot: _Slot) -> int | None:
    # `get_injected_core_index`: the last 8 bits name a core only when the bits before them are
    # as many as the group assigned to that core at scheduling parent number + 1.
    bits, core = split_injected_core_index(slot.candidate.validator_indices)
    if core is None:
        return None
    group = state.group_assigned_to_core(core, slot.sp_number + 1)
    if group is None or len(state.validator_groups[group]) != len(bits):
        return None
    return core


def _map_to_cores(
    state: ChainState,
    per_para: dict[int, list[_Slot]],
    eligible: dict[int, tuple[int, ...]],
    dropped: list[DroppedCandidate],
) -> None:
    # Step 5 (`map_candidates_to_cores`, ElasticScalingMVP always on since 2025): each candidate
    # in chain order takes its committed core (SelectCore among the para's eligible cores), else
    # its injected one; a candidate without a core, or with a core not (or no longer) free for
    # its para, ends the para's chain; once every eligible core is taken the rest are dropped.
    for para in sorted(per_para):
        slots = per_para[para]
        cores = eligible.get(para, ())
        if not cores:
            detail = f"para {para} holds no free core at the head of the claim queue"
            dropped.extend(_drop(slot, CANDIDATE_NO_ELIGIBLE_CORE, detail) for slot in slots)
            del per_para[para]
            continue
        remaining = set(cores)
        for pos, slot in enumerate(slots):
            if not remaining:
                detail = f"para {para}'s {len(cores)} eligible cores are taken"
                dropped.extend(_drop(s, CANDIDATE_CORES_EXHAUSTED, detail) for s in slots[pos:])
                del slots[pos:]
                break
            core = committed_core_index(slot.candidate.candidate.commitments, cores)
            if core is None:
                core = _injected_core(state, slot)
            if core is None or core not in remaining:
                if core is None:
                    problem = (CANDIDATE_CORE_UNKNOWN, "neither a committed nor an injected core")
                else:
                    problem = (CANDIDATE_CORE_NOT_ELIGIBLE, f"core {core} not free for the para")
                dropped.append(_drop(slot, *problem))
                _drop_rest(slots[pos + 1 :], slot, dropped)
                del slots[pos:]
                break
            remaining.discard(core)
            slot.core = core
        if not slots:
            del per_para[para]


def _disabled_filter(state: ChainState, para: int, slot: _Slot) -> Problem | None:
    # Step 6 (`filter_backed_statements_from_disabled_validators`, run only when some validator
    # is disabled). Rust's own behaviour, reproduced: the bits of disabled group members are
    # cleared, and their votes removed by calling `Vec::remove` with each such member's BIT
    # POSITION in the group, highest first, not with the rank of its vote among the set bits.
    # The two agree only when no earlier group member lacks a vote; otherwise the wrong vote
    # goes (and the signatures no longer line up), or the position is past the end of the
    # votes, where Rust's `remove` panics: that is CANDIDATE_DISABLED_VOTE_INDEX here. Every
    # candidate is then held to the backing threshold, disabled voters or not.
    group_index = state.group_assigned_to_core(slot.core, slot.sp_number + 1)
    if group_index is None:
        return CANDIDATE_INVALID_ASSIGNMENT, f"no group for core {slot.core}"
    group = state.validator_groups[group_index]
    disabled = state.disabled_validators
    mask = sum(1 << pos for pos, v in enumerate(group) if v in disabled)
    bc = slot.candidate
    bits, core = split_injected_core_index(bc.validator_indices)
    to_drop = BitVec(bits.as_int() & mask, len(bits))
    votes = list(bc.validity_votes)
    for pos in sorted(to_drop.iter_ones(), reverse=True):
        if pos >= len(votes):
            detail = f"vote position {pos} of {len(votes)} votes (Rust's Vec::remove panics)"
            return CANDIDATE_DISABLED_VOTE_INDEX, detail
        del votes[pos]
    kept_bits = BitVec(bits.as_int() & ~mask, len(bits))
    if core is not None:
        kept_bits = kept_bits.concat(BitVec(core, 8))
    slot.candidate = BackedCandidate(bc.candidate, tuple(votes), kept_bits)
    need = backing_threshold(len(group), state.config.minimum_backing_votes)
    if len(votes) < need:
        return CANDIDATE_DISABLED_FILTER_THRESHOLD, f"{len(votes)} votes left, {need} needed"
    return None


def sanitize_backed_candidates(
    state: ChainState,
    candidates: Sequence[BackedCandidate],
    concluded_invalid: frozenset[bytes],
    eligible: dict[int, tuple[int, ...]],
) -> tuple[tuple[KeptCandidate, ...], tuple[DroppedCandidate, ...]]:
    """`sanitize_backed_candidates` (E.2.3) on `state` (after this block's frees):

    1. each candidate alone: the version gate (node feature bit 4 for V3), a V2/V3 scheduling
       session equal to the current one, parseable signals, a SelectCore for V2, node feature
       bit 3 for any SelectCore, an allowed relay parent (in the descriptor's session) and
       scheduling parent, the claim-queue offset `now - scheduling_parent_number - 1`, and
       `parse_ump_signals` against the claim queue kept with the scheduling parent. A V1
       candidate without signals skips all but the version gate, as in Rust; a candidate
       dropped here does not drop the para's later ones, which then fail to chain;
    2. grouped by para in input order;
    3. per para, the chain: no duplicate, an allowed relay parent not older than the para's
       latest, the validation data built on the latest head, the current code, the head hash,
       the head size, an allowed scheduling parent;
    4. no candidate among `concluded_invalid` (the hashes this block's disputes freed);
    5. a core for each (`eligible`: para -> free cores at the claim queue's head);
    6. with disabled validators, their bits cleared and their votes removed, then the
       threshold `min(group size, minimum_backing_votes)` applied to every candidate. The
       votes are removed by each disabled member's bit position in the group, highest first,
       not by its vote's rank among the set bits: this is Rust's behaviour, reproduced (see
       `_disabled_filter`); where the two differ the wrong vote goes, or Rust panics
       (CANDIDATE_DISABLED_VOTE_INDEX).
    From step 3 on, a dropped candidate drops every later candidate of its para. The kept ones
    come in ascending para order, chain order within a para, as the runtime returns them."""
    dropped: list[DroppedCandidate] = []
    per_para: dict[int, list[_Slot]] = {}
    for i, bc in enumerate(candidates):
        if not isinstance(bc, BackedCandidate):
            raise InvalidRecord("ParachainsInherentData", f"backed_candidates[{i}]", bc, "type")
        slot = _Slot(i, bc)
        problem = _version_and_signals(state, bc.candidate)
        if problem is not None:
            dropped.append(_drop(slot, *problem))
            continue
        per_para.setdefault(bc.candidate.descriptor.para_id, []).append(slot)
    _retain(per_para, _ChainCheck(state), dropped)

    def not_concluded_invalid(para: int, slot: _Slot) -> Problem | None:
        if slot.candidate.hash() in concluded_invalid:
            return CANDIDATE_CONCLUDED_INVALID, "freed by a dispute concluded invalid"
        return None

    _retain(per_para, not_concluded_invalid, dropped)
    _map_to_cores(state, per_para, eligible, dropped)
    if state.disabled_validators:
        _retain(per_para, lambda para, slot: _disabled_filter(state, para, slot), dropped)
    kept = tuple(
        KeptCandidate(slot.index, slot.candidate, slot.core, slot.rp_number, slot.sp_number)
        for para in sorted(per_para)
        for slot in per_para[para]
    )
    return kept, tuple(sorted(dropped, key=lambda d: d.index))
