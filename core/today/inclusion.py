# The runtime's inclusion step today as one pure function, `include(state, inherent)`: E.2.1
# steps 8 to 17 of `process_inherent_data` (disputed cores freed, bitfields sanitised,
# availability enacted per para in chain order, time-outs, candidates sanitised, backed and
# pushed), returning what was kept, what was dropped and why, the events and the next state.
# What belongs here: the step's order and the parts that change state; the filters themselves
# are sanitize.py's.
#
# Sources: polkadot-sdk@00c84144 polkadot/runtime/parachains/src/inclusion/mod.rs
# (`update_pending_availability_and_get_freed_cores`, `free_timedout`, `free_disputed`,
# `free_failed_cores`, `process_candidates`, `check_backing_votes`, `enact_candidate`);
# polkadot-sdk@b3f7f01c polkadot/runtime/parachains/src/scheduler.rs
# (`availability_timeout_check_required`, `availability_timeout_predicate`);
# polkadot-sdk@00d7c710 polkadot/runtime/parachains/src/paras_inherent/mod.rs (the order of the
# steps); `check_candidate_backing` of polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs.
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from pyrsistent import pmap

from ..errors import InvalidRecord, UnsupportedType
from ..provisioner.inherent_check import (
    BACKING_SIGNATURE,
    BACKING_THRESHOLD,
    VALIDATOR_INDICES_GROUP,
    SignatureCheck,
)
from ..records import _checks as c
from ..records.bitvec import BitVec
from ..records.inherent import ParachainsInherentData
from ..records.signing import compact_statement_payload, verify_signature
from ..records.statements import Implicit, SignedAvailabilityBitfield, SigningContext
from ..thresholds import backing_threshold, supermajority_threshold
from .chain_state import ChainState, PendingCandidate
from .claim_queue import split_injected_core_index
from .descriptor import scheduling_parent
from .events import AnyCandidateEvent, CandidateBacked, CandidateIncluded, CandidateTimedOut
from .sanitize import (
    CANDIDATE_DISABLED_VOTE_INDEX,
    CANDIDATE_PREDECESSOR_DROPPED,
    DroppedBitfield,
    DroppedCandidate,
    KeptCandidate,
    eligible_cores,
    sanitize_backed_candidates,
    sanitize_bitfields,
)

__all__ = [
    "ABORTING_RULES",
    "BACKING_SIGNATURE",
    "BACKING_THRESHOLD",
    "CANDIDATE_NO_BACKING_GROUP",
    "FreedCandidate",
    "InclusionOutcome",
    "VALIDATOR_INDICES_GROUP",
    "availability_timeout_check_required",
    "include",
]

# `process_candidates` finds no group for the candidate's core (`InvalidAssignment`).
CANDIDATE_NO_BACKING_GROUP = "candidate-no-backing-group"
# Drops the chain would not make: in Rust these are errors of `process_candidates` (or, for
# the disabled-vote index, a panic during sanitisation) and the whole inherent fails. `include`
# drops the one candidate and goes on, and says so with `InclusionOutcome.rejects_inherent`.
ABORTING_RULES = frozenset(
    {
        BACKING_SIGNATURE,
        BACKING_THRESHOLD,
        VALIDATOR_INDICES_GROUP,
        CANDIDATE_NO_BACKING_GROUP,
        CANDIDATE_DISABLED_VOTE_INDEX,
    }
)


@dataclass(frozen=True, slots=True)
class FreedCandidate:
    """A pending candidate leaving its core: enacted, timed out or disputed."""

    para_id: int
    candidate_hash: bytes
    core: int

    def __post_init__(self) -> None:
        c.u32(self, "para_id", self.para_id)
        c.hash32(self, "candidate_hash", self.candidate_hash)
        c.u32(self, "core", self.core)


@dataclass(frozen=True, slots=True)
class InclusionOutcome:
    """What one block's inclusion step did.

    - `bitfields`: the bitfields kept, in input order; `dropped_bitfields`: the others, by
      position, each with one rule.
    - `candidates`: the backed candidates kept (pushed pending availability), each with its
      core, in ascending para order and chain order within a para (the order the runtime
      returns them); `dropped_candidates`: the others, by position, each with one rule.
    - `disputed`, `enacted`, `timed_out`: the pending candidates freed by disputes, made
      available and enacted, or timed out (each with its successors).
    - `events`: CandidateIncluded, then CandidateTimedOut, then CandidateBacked, each group in
      ascending para order and chain order.
    - `state`: the next chain state.
    """

    bitfields: tuple[SignedAvailabilityBitfield, ...]
    dropped_bitfields: tuple[DroppedBitfield, ...]
    candidates: tuple[KeptCandidate, ...]
    dropped_candidates: tuple[DroppedCandidate, ...]
    disputed: tuple[FreedCandidate, ...]
    enacted: tuple[FreedCandidate, ...]
    timed_out: tuple[FreedCandidate, ...]
    events: tuple[AnyCandidateEvent, ...]
    state: ChainState

    def __post_init__(self) -> None:
        c.tuple_of(self, "bitfields", self.bitfields, SignedAvailabilityBitfield)
        c.tuple_of(self, "dropped_bitfields", self.dropped_bitfields, DroppedBitfield)
        c.tuple_of(self, "candidates", self.candidates, KeptCandidate)
        c.tuple_of(self, "dropped_candidates", self.dropped_candidates, DroppedCandidate)
        for field in ("disputed", "enacted", "timed_out"):
            c.tuple_of(self, field, getattr(self, field), FreedCandidate)
        c.tuple_of(
            self, "events", self.events, (CandidateBacked, CandidateIncluded, CandidateTimedOut)
        )
        c.instance(self, "state", self.state, ChainState)

    @property
    def rejects_inherent(self) -> bool:
        """Whether the runtime would refuse the whole inherent rather than drop a candidate:
        some candidate was dropped by one of ABORTING_RULES."""
        return any(d.rule in ABORTING_RULES for d in self.dropped_candidates)


Pending = dict[int, tuple[PendingCandidate, ...]]
_NO_BACKERS = BitVec()


def _free_failed(
    pending: Pending, failed: Callable[[PendingCandidate], bool]
) -> tuple[list[PendingCandidate], Pending]:
    # `free_failed_cores`: per para, the first failed candidate and every one after it leave.
    freed: list[PendingCandidate] = []
    out: Pending = {}
    for para in sorted(pending):
        chain = pending[para]
        cut = next((i for i, p in enumerate(chain) if failed(p)), len(chain))
        freed.extend(chain[cut:])
        out[para] = chain[:cut]
    return freed, out


def _freed(p: PendingCandidate) -> FreedCandidate:
    return FreedCandidate(p.para_id, p.hash, p.core)


def availability_timeout_check_required(state: ChainState) -> bool:
    """`availability_timeout_check_required` (E.2.7): whether block `now + 1` lies within the
    first `paras_availability_period` blocks of its group rotation. Only then does the runtime
    look for time-outs, and a candidate times out when `backed_in_number + period <= now`."""
    after = state.now + 1
    last = state.group_rotation(after).last_rotation_at()
    return after < last + state.config.paras_availability_period


def _enact(
    state: ChainState, pending: Pending, bitfields: tuple[SignedAvailabilityBitfield, ...]
) -> tuple[list[PendingCandidate], Pending]:
    # `update_pending_availability_and_get_freed_cores` (E.2.5): each kept bitfield's set bits
    # vote for the candidate on that core; per para, the longest prefix of candidates with
    # `supermajority_threshold(n)` votes is enacted, and a later candidate, however available,
    # waits for its predecessors.
    n = len(state.validators)
    votes: dict[int, int] = {}
    for bf in bitfields:
        for core in bf.payload.iter_ones():
            votes[core] = votes.get(core, 0) | 1 << bf.validator_index
    need = supermajority_threshold(n)
    enacted: list[PendingCandidate] = []
    out: Pending = {}
    for para in sorted(pending):
        chain: list[PendingCandidate] = []
        last = -1
        for i, p in enumerate(pending[para]):
            new = votes.pop(p.core, 0)
            if new & ~p.availability_votes.as_int():
                p = replace(p, availability_votes=BitVec(p.availability_votes.as_int() | new, n))
            if p.availability_votes.count_ones() >= need and last == i - 1:
                last = i
            chain.append(p)
        enacted.extend(chain[: last + 1])
        out[para] = tuple(chain[last + 1 :])
    return enacted, out


def _check_backing(
    state: ChainState, kept: KeptCandidate, verify: SignatureCheck
) -> tuple[tuple[str, str] | None, int, BitVec]:
    # `process_candidates` / `check_backing_votes` (E.2.8 c-d): the group of the core at the
    # scheduling parent's number + 1; `check_candidate_backing` on the bits without the core
    # index: as many bits as the group, no more votes than the group, each vote paired in order
    # with a set bit and signed in `SigningContext{scheduling_parent, session}`, no vote left
    # unpaired; then the threshold. Gives the problem, or None with the group and the backers
    # (one bit per validator).
    group_index = state.group_assigned_to_core(kept.core, kept.scheduling_parent_number + 1)
    if group_index is None:
        return (CANDIDATE_NO_BACKING_GROUP, f"no group for core {kept.core}"), 0, _NO_BACKERS
    group = state.validator_groups[group_index]
    bc = kept.candidate
    bits, _ = split_injected_core_index(bc.validator_indices)
    votes = bc.validity_votes
    if len(bits) != len(group) or len(votes) > len(group):
        detail = f"{len(bits)} bits and {len(votes)} votes for a group of {len(group)}"
        return (VALIDATOR_INDICES_GROUP, detail), 0, _NO_BACKERS
    h = bc.hash()
    ctx = SigningContext(state.session_index, scheduling_parent(bc.candidate.descriptor))
    backers = 0
    signed = 0
    for pos, vote in zip(bits.iter_ones(), votes, strict=False):
        v = group[pos]
        kind = 1 if isinstance(vote, Implicit) else 2
        if not verify(compact_statement_payload(kind, h, ctx), vote.signature, state.validators[v]):
            return (BACKING_SIGNATURE, f"vote of validator {v} (position {pos})"), 0, _NO_BACKERS
        signed += 1
        backers |= 1 << v
    if signed != len(votes):
        detail = f"{len(votes)} votes for {bits.count_ones()} set bits"
        return (VALIDATOR_INDICES_GROUP, detail), 0, _NO_BACKERS
    need = backing_threshold(len(group), state.config.minimum_backing_votes)
    if signed < need:
        return (BACKING_THRESHOLD, f"{signed} votes, {need} needed"), 0, _NO_BACKERS
    return None, group_index, BitVec(backers, len(state.validators))


def _process(
    state: ChainState,
    pending: Pending,
    kept: tuple[KeptCandidate, ...],
    verify: SignatureCheck,
) -> tuple[list[KeptCandidate], list[DroppedCandidate], list[CandidateBacked], Pending]:
    # `process_candidates` (E.2.8), after sanitisation did its checks of step a (the same data,
    # so they cannot fail again): the backing of each candidate, then the push to the back of
    # its para's pending list and a CandidateBacked event. A failure drops the candidate and
    # the rest of its para (in Rust it fails the whole inherent, see ABORTING_RULES).
    out = dict(pending)
    accepted: list[KeptCandidate] = []
    dropped: list[DroppedCandidate] = []
    events: list[CandidateBacked] = []
    failed: dict[int, int] = {}
    n = len(state.validators)
    for k in kept:
        receipt = k.candidate.candidate
        para = receipt.descriptor.para_id
        if para in failed:
            detail = f"candidate {failed[para]} before it was dropped"
            dropped.append(
                DroppedCandidate(
                    k.index, para, receipt.hash(), CANDIDATE_PREDECESSOR_DROPPED, detail
                )
            )
            continue
        problem, group_index, backers = _check_backing(state, k, verify)
        if problem is not None:
            dropped.append(DroppedCandidate(k.index, para, receipt.hash(), *problem))
            failed[para] = k.index
            continue
        out[para] = (
            *out.get(para, ()),
            PendingCandidate(
                k.core,
                receipt.hash(),
                receipt.descriptor,
                receipt.commitments,
                BitVec.zeros(n),
                k.relay_parent_number,
                backers,
                state.now,
                group_index,
            ),
        )
        accepted.append(k)
        events.append(
            CandidateBacked(receipt.to_plain(), receipt.commitments.head_data, k.core, group_index)
        )
    return accepted, dropped, events, out


def include(
    state: ChainState,
    inherent: ParachainsInherentData,
    concluded_invalid: frozenset[bytes] = frozenset(),
    *,
    verify: SignatureCheck = verify_signature,
) -> InclusionOutcome:
    """The inclusion step of a relay block (E.2.1 steps 8 to 17) on `state`:

    8-9. the pending candidates in `concluded_invalid` (disputes of the current session that
       concluded against them) leave their cores with their successors;
    10. the bitfields are sanitised (sanitize.py, `sanitize_bitfields`);
    11. their votes are added, and each para's available prefix is enacted: head and most
       recent context updated, CandidateIncluded emitted;
    12. if block `now + 1` is within the first `paras_availability_period` blocks of its
       rotation, every candidate backed `paras_availability_period` or more blocks ago times
       out with its successors (CandidateTimedOut);
    14-15. the backed candidates are sanitised against the cores left free (sanitize.py);
    16-17. their backing is checked and they are pushed pending availability (CandidateBacked).

    The disputes themselves (import, weight, freezing), the weight limit, code upgrades, and
    the messaging checks and effects are not modelled; the claim queue, allowed parents and
    block number of the next state are the caller's to advance. Bad data is never raised: each
    dropped item carries one rule. Raises only on arguments of the wrong type."""
    if not isinstance(state, ChainState):
        raise UnsupportedType(f"include: state {state!r} is not a ChainState")
    if not isinstance(inherent, ParachainsInherentData):
        raise UnsupportedType(f"include: inherent {inherent!r} is not a ParachainsInherentData")
    if not isinstance(concluded_invalid, frozenset | set) or any(
        type(h) is not bytes or len(h) != 32 for h in concluded_invalid
    ):
        raise InvalidRecord(
            "include", "concluded_invalid", concluded_invalid, "must be a set of 32-byte hashes"
        )
    pending: Pending = dict(state.pending)
    disputed, pending = _free_failed(pending, lambda p: p.hash in concluded_invalid)
    bitfields, dropped_bitfields = sanitize_bitfields(
        state, inherent.bitfields, frozenset(p.core for p in disputed), verify
    )
    enacted, pending = _enact(state, pending, bitfields)
    heads = dict(state.para_heads)
    contexts = dict(state.most_recent_context)
    events: list[AnyCandidateEvent] = []
    for p in enacted:
        heads[p.para_id] = p.commitments.head_data
        contexts[p.para_id] = p.relay_parent_number
        events.append(
            CandidateIncluded(p.receipt(), p.commitments.head_data, p.core, p.backing_group)
        )
    timed_out: list[PendingCandidate] = []
    if availability_timeout_check_required(state):
        period = state.config.paras_availability_period
        timed_out, pending = _free_failed(
            pending, lambda p: p.backed_in_number + period <= state.now
        )
    events.extend(
        CandidateTimedOut(p.receipt(), p.commitments.head_data, p.core) for p in timed_out
    )
    middle = replace(
        state,
        pending=pmap({para: chain for para, chain in pending.items() if chain}),
        para_heads=pmap(heads),
        most_recent_context=pmap(contexts),
    )
    kept, dropped = sanitize_backed_candidates(
        middle,
        inherent.backed_candidates,
        frozenset(p.hash for p in disputed),
        eligible_cores(middle),
    )
    accepted, late_drops, backed, pending = _process(middle, pending, kept, verify)
    events.extend(backed)
    return InclusionOutcome(
        bitfields=bitfields,
        dropped_bitfields=dropped_bitfields,
        candidates=tuple(accepted),
        dropped_candidates=tuple(sorted((*dropped, *late_drops), key=lambda d: d.index)),
        disputed=tuple(_freed(p) for p in disputed),
        enacted=tuple(_freed(p) for p in enacted),
        timed_out=tuple(_freed(p) for p in timed_out),
        events=tuple(events),
        state=replace(
            middle, pending=pmap({para: chain for para, chain in pending.items() if chain})
        ),
    )
