# The runtime's filters of bitfields and backed candidates (core/today/sanitize.py): one test per
# drop reason, run through `include` on the fixtures' chain state with real sr25519 signatures.
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
import sr25519

from backable.core import (
    BackedCandidate,
    BitVec,
    CandidateCommitments,
    ChainState,
    ClaimQueue,
    CommittedCandidateReceipt,
    Explicit,
    Implicit,
    NodeFeature,
    PersistedValidationData,
    RelayParentInfo,
    SelectCore,
    SigningContext,
    blake2_256,
    candidate_descriptor_v3,
    commitments_with_signals,
    eligible_cores,
    include,
    node_features,
    sanitize_backed_candidates,
    scheduling_parent,
)
from backable.core.records.signing import compact_statement_payload
from backable.core.today import sanitize as s
from properties.today_strategies import (
    CODE,
    HEADS,
    KEYS,
    MAX_POV,
    NOW,
    SESSION,
    back,
    bitfield,
    h,
    inherent,
    pending,
    receipt,
    root,
    state,
    v1_receipt,
)
from tests.builders import refusal

STATE = state()


def rules(outcome) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(d.index, d.rule) for d in outcome.dropped_candidates]


def chain_of(para: int, cores: tuple[int, ...], chain: object = STATE, **kw: object) -> list:  # type: ignore[type-arg]
    """Candidates of `para` chained from its head onto `cores`, backed by their groups."""
    out = []
    tip = HEADS[para]
    for i, core in enumerate(cores):
        head = tip + bytes([i])
        out.append(back(chain, receipt(para, tip, head, core=core, **kw), core))  # type: ignore[arg-type]
        tip = head
    return out


# -- bitfields ---------------------------------------------------------------------------------


def test_a_bitfield_of_the_wrong_length_is_dropped() -> None:
    out = include(STATE, inherent((bitfield(STATE, "1000", 0),)))
    assert [(d.index, d.rule) for d in out.dropped_bitfields] == [(0, s.BITFIELD_LENGTH)]
    assert out.bitfields == ()


def test_a_bitfield_voting_for_a_core_freed_by_a_dispute_is_dropped() -> None:
    disputed = pending(receipt(1000, HEADS[1000], b"x", core=0), 0)
    chain = state(pending={1000: (disputed,)})
    fields = (bitfield(chain, "100", 0), bitfield(chain, "010", 1))
    out = include(chain, inherent(fields), frozenset({disputed.hash}))
    assert [(d.index, d.rule) for d in out.dropped_bitfields] == [(0, s.BITFIELD_DISPUTED_CORE)]
    assert out.bitfields == (fields[1],)
    assert [f.candidate_hash for f in out.disputed] == [disputed.hash]


def test_bitfields_must_be_strictly_ascending_by_validator() -> None:
    fields = (bitfield(STATE, "000", 2), bitfield(STATE, "000", 2), bitfield(STATE, "000", 1))
    out = include(STATE, inherent(fields))
    assert [(d.index, d.rule) for d in out.dropped_bitfields] == [
        (1, s.BITFIELD_NOT_ASCENDING),
        (2, s.BITFIELD_NOT_ASCENDING),
    ]


def test_a_bitfield_of_a_validator_past_the_set_is_dropped() -> None:
    bf = replace(bitfield(STATE, "000", 0), validator_index=6)
    out = include(STATE, inherent((bf,)))
    assert [(d.index, d.rule) for d in out.dropped_bitfields] == [(0, s.BITFIELD_UNKNOWN_VALIDATOR)]


def test_a_bad_signature_drops_the_bitfield_but_still_uses_up_its_index() -> None:
    # Rust sets `last_index` after the signature check whatever its result, so a genuine
    # bitfield of the same validator after a forged one is dropped as not ascending.
    forged = bitfield(STATE, "000", 3, signer=4)
    genuine = bitfield(STATE, "000", 3)
    out = include(STATE, inherent((forged, genuine, bitfield(STATE, "000", 4))))
    assert [(d.index, d.rule) for d in out.dropped_bitfields] == [
        (0, s.BITFIELD_SIGNATURE),
        (1, s.BITFIELD_NOT_ASCENDING),
    ]
    assert [bf.validator_index for bf in out.bitfields] == [4]


def test_a_disabled_validators_bitfield_is_kept() -> None:
    chain = state(disabled=frozenset({0}))
    out = include(chain, inherent((bitfield(chain, "000", 0),)))
    assert len(out.bitfields) == 1 and out.dropped_bitfields == ()


# -- candidates, step 1 ------------------------------------------------------------------------


def _with_descriptor(bc: BackedCandidate, **fields: object) -> CommittedCandidateReceipt:
    d = replace(bc.candidate.descriptor, **fields)  # type: ignore[arg-type]
    return CommittedCandidateReceipt(d, bc.candidate.commitments)


def test_an_unknown_descriptor_version_is_dropped() -> None:
    (bc,) = chain_of(1000, (0,))
    d = bc.candidate.descriptor
    committed = _with_descriptor(bc, collator=b"\x05" + d.collator[1:])
    out = include(STATE, inherent(candidates=(back(STATE, committed, 0),)))
    assert rules(out) == [(0, s.CANDIDATE_VERSION)]
    assert "unknown" in out.dropped_candidates[0].detail


def test_a_v3_descriptor_is_dropped_while_node_feature_4_is_off() -> None:
    (bc,) = chain_of(1000, (0,))
    d = bc.candidate.descriptor
    v3 = candidate_descriptor_v3(
        1000,
        d.relay_parent,
        0,
        7,
        d.persisted_validation_data_hash,
        d.pov_hash,
        d.erasure_root,
        d.para_head,
        d.validation_code_hash,
        h(NOW - 1),
        7,
    )
    committed = CommittedCandidateReceipt(v3, bc.candidate.commitments)
    out = include(STATE, inherent(candidates=(back(STATE, committed, 0),)))
    assert rules(out) == [(0, s.CANDIDATE_VERSION)]


def test_a_v2_candidate_of_another_session_is_dropped() -> None:
    (bc,) = chain_of(1000, (0,), session=8)
    out = include(STATE, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_SESSION)]


def test_signals_that_do_not_parse_drop_the_candidate_with_the_rust_error_kind() -> None:
    (bc,) = chain_of(1000, (0,))
    commitments = CandidateCommitments(
        upward_messages=(b"", b"\x09"), head_data=HEADS[1000] + b"\x00"
    )
    committed = CommittedCandidateReceipt(bc.candidate.descriptor, commitments)
    out = include(STATE, inherent(candidates=(back(STATE, committed, 0),)))
    assert rules(out) == [(0, s.CANDIDATE_UMP_SIGNALS)]
    assert out.dropped_candidates[0].detail.startswith("UmpSignalDecode")


def test_a_core_the_commitments_do_not_select_is_a_core_index_mismatch() -> None:
    committed = receipt(1000, HEADS[1000], b"n", core=1, selector=0)
    out = include(STATE, inherent(candidates=(back(STATE, committed, 1),)))
    assert rules(out) == [(0, s.CANDIDATE_UMP_SIGNALS)]
    assert out.dropped_candidates[0].detail.startswith("CoreIndexMismatch")


def test_a_v1_candidate_with_a_signal_is_dropped_by_the_parse() -> None:
    committed = v1_receipt(1000, HEADS[1000], b"n")
    from backable.core import ApprovedPeer, commitments_with_signals

    commitments = commitments_with_signals(committed.commitments, (ApprovedPeer(b"peer"),))
    bc = back(STATE, CommittedCandidateReceipt(committed.descriptor, commitments), 0)
    out = include(STATE, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_UMP_SIGNALS)]
    assert out.dropped_candidates[0].detail.startswith("UMPSignalWithV1Decriptor")


def test_a_v2_candidate_without_select_core_is_dropped() -> None:
    (bc,) = chain_of(1000, (0,))
    bare = CandidateCommitments(head_data=bc.candidate.commitments.head_data)
    committed = CommittedCandidateReceipt(bc.candidate.descriptor, bare)
    out = include(STATE, inherent(candidates=(back(STATE, committed, 0),)))
    assert rules(out) == [(0, s.CANDIDATE_NO_SELECT_CORE)]


def test_select_core_is_dropped_while_node_feature_3_is_off() -> None:
    chain = state(node_features=node_features())
    out = include(chain, inherent(candidates=tuple(chain_of(1000, (0,), chain))))
    assert rules(out) == [(0, s.CANDIDATE_V2_DISABLED)]


def test_a_relay_parent_outside_the_allowed_ones_is_dropped() -> None:
    committed = receipt(1000, HEADS[1000], b"n", core=0, relay_parent=NOW - 9)
    old = state(parents=(NOW - 1, NOW - 9))
    bc = back(old, committed, 0)
    out = include(STATE, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_DISALLOWED_RELAY_PARENT)]


def test_a_scheduling_parent_outside_the_allowed_ones_is_dropped() -> None:
    (bc,) = chain_of(1000, (0,))
    chain = replace(STATE, allowed_scheduling_parents={})
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_DISALLOWED_SCHEDULING_PARENT)]


def test_a_v1_candidate_meets_the_scheduling_parent_check_in_the_chain_step() -> None:
    bc = back(STATE, v1_receipt(1000, HEADS[1000], b"n"), 0)
    chain = replace(STATE, allowed_scheduling_parents={})
    out = include(chain, inherent(candidates=(bc, bc)))
    assert rules(out) == [
        (0, s.CANDIDATE_DISALLOWED_SCHEDULING_PARENT),
        (1, s.CANDIDATE_PREDECESSOR_DROPPED),
    ]


def test_the_claim_queue_offset_must_reach_the_block_being_built() -> None:
    (bc,) = chain_of(1000, (0,), offset=1)
    out = include(STATE, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_CLAIM_QUEUE_OFFSET)]


# -- candidates, the chain ---------------------------------------------------------------------


def test_a_para_without_a_head_is_unknown() -> None:
    chain = replace(STATE, para_heads={2000: HEADS[2000]})
    bc = back(chain, v1_receipt(1000, HEADS[1000], b"n"), 0)
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_UNKNOWN_PARA)]


def test_a_candidate_given_twice_is_a_duplicate() -> None:
    (bc,) = chain_of(1000, (0,))
    out = include(STATE, inherent(candidates=(bc, bc)))
    assert rules(out) == [(1, s.CANDIDATE_DUPLICATE)]
    assert [k.index for k in out.candidates] == [0]


def test_a_relay_parent_older_than_the_paras_latest_context_is_dropped() -> None:
    chain = replace(STATE, most_recent_context={1000: NOW - 1, 2000: 10})
    (bc,) = chain_of(1000, (0,), chain, relay_parent=NOW - 2)
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_RELAY_PARENT_BACKWARDS)]


def test_a_candidate_not_built_on_the_latest_head_drops_its_successors_too() -> None:
    first = back(STATE, receipt(1000, b"other head", b"a", core=0), 0)
    second = back(STATE, receipt(1000, b"a", b"b", core=1), 1)
    out = include(STATE, inherent(candidates=(first, second)))
    assert rules(out) == [
        (0, s.CANDIDATE_VALIDATION_DATA_HASH),
        (1, s.CANDIDATE_PREDECESSOR_DROPPED),
    ]
    assert "candidate 0" in out.dropped_candidates[1].detail


def test_a_para_without_current_code_is_unscheduled() -> None:
    chain = replace(STATE, code_hashes={2000: b"\xc2" * 32})
    out = include(chain, inherent(candidates=tuple(chain_of(1000, (0,), chain))))
    assert rules(out) == [(0, s.CANDIDATE_UNSCHEDULED)]


def test_the_validation_code_must_be_the_paras_current_code() -> None:
    chain = replace(STATE, code_hashes={1000: b"\xee" * 32, 2000: b"\xc2" * 32})
    out = include(chain, inherent(candidates=tuple(chain_of(1000, (0,), chain))))
    assert rules(out) == [(0, s.CANDIDATE_VALIDATION_CODE_HASH)]


def test_the_descriptors_para_head_must_hash_the_head_data() -> None:
    (bc,) = chain_of(1000, (0,))
    committed = _with_descriptor(bc, para_head=b"\x01" * 32)
    out = include(STATE, inherent(candidates=(back(STATE, committed, 0),)))
    assert rules(out) == [(0, s.CANDIDATE_PARA_HEAD)]


def test_a_head_larger_than_the_configuration_allows_is_dropped() -> None:
    chain = state(max_head_data_size=4)
    out = include(chain, inherent(candidates=tuple(chain_of(1000, (0,), chain))))
    assert rules(out) == [(0, s.CANDIDATE_HEAD_DATA_TOO_LARGE)]


# -- candidates: disputes, cores, disabled validators ------------------------------------------


def test_a_candidate_freed_by_a_dispute_cannot_be_backed_again_in_the_block() -> None:
    (bc,) = chain_of(1000, (0,))
    p = pending(bc.candidate, 0)
    chain = state(pending={1000: (p,)})
    out = include(chain, inherent(candidates=(bc,)), frozenset({p.hash}))
    assert rules(out) == [(0, s.CANDIDATE_CONCLUDED_INVALID)]


def test_a_para_whose_cores_are_all_occupied_has_no_eligible_core() -> None:
    held = pending(receipt(2000, HEADS[2000], b"p", core=2), 2)
    chain = state(pending={2000: (held,)})
    bc = back(chain, receipt(2000, b"p", b"q", core=2), 2)
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_NO_ELIGIBLE_CORE)]
    assert eligible_cores(chain) == {1000: (0, 1)}


def test_once_a_paras_cores_are_taken_its_later_candidates_are_dropped() -> None:
    candidates = chain_of(2000, (2, 2))
    out = include(STATE, inherent(candidates=tuple(candidates)))
    assert rules(out) == [(1, s.CANDIDATE_CORES_EXHAUSTED)]


def test_a_candidate_with_neither_a_committed_nor_an_injected_core_is_dropped() -> None:
    bc = back(STATE, v1_receipt(1000, HEADS[1000], b"n"), 0, inject=None)
    out = include(STATE, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_CORE_UNKNOWN)]


def test_two_candidates_committing_to_one_core_keep_only_the_first() -> None:
    first = back(STATE, receipt(1000, HEADS[1000], b"a", core=0), 0)
    second = back(STATE, receipt(1000, b"a", b"b", core=0), 0)
    out = include(STATE, inherent(candidates=(first, second)))
    assert rules(out) == [(1, s.CANDIDATE_CORE_NOT_ELIGIBLE)]


def test_with_a_disabled_validator_a_core_without_a_group_is_an_invalid_assignment() -> None:
    chain = state(groups=((0, 1), (2, 3)), n_validators=4, disabled=frozenset({3}))
    bc = back(chain, receipt(2000, HEADS[2000], b"n", core=2), 2)
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_INVALID_ASSIGNMENT)]


GROUPS3 = ((0, 1, 2), (3, 4, 5), (6, 7, 8))


def test_a_disabled_vote_past_the_end_of_the_votes_is_where_rust_panics() -> None:
    # Core 0 at block 20 is served by group 2 = (6, 7, 8). Votes from positions 1 and 2; the
    # disabled validator 8 sits at position 2, and `remove(2)` on two votes is out of bounds.
    chain = state(n_validators=9, groups=GROUPS3, disabled=frozenset({8}))
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0), 0, (1, 2))
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_DISABLED_VOTE_INDEX)]
    assert out.rejects_inherent


def test_any_disabled_validator_holds_every_candidate_to_the_threshold() -> None:
    chain = state(disabled=frozenset({0}))
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0), 0, (0,))
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_DISABLED_FILTER_THRESHOLD)]
    assert not out.rejects_inherent


def test_a_step_one_drop_leaves_the_successor_to_fail_the_chain() -> None:
    first, second = chain_of(1000, (0, 1))
    bad = back(STATE, receipt(1000, HEADS[1000], HEADS[1000] + b"\x00", core=0, offset=2), 0)
    out = include(STATE, inherent(candidates=(bad, second)))
    assert rules(out) == [
        (0, s.CANDIDATE_CLAIM_QUEUE_OFFSET),
        (1, s.CANDIDATE_VALIDATION_DATA_HASH),
    ]
    assert first.hash() != bad.hash()


def test_sanitize_backed_candidates_refuses_something_that_is_not_a_candidate() -> None:
    (bc,) = chain_of(1000, (0,))
    assert refusal(
        lambda: sanitize_backed_candidates(STATE, (bc, "nope"), frozenset(), {})  # type: ignore[arg-type]
    ) == ("ParachainsInherentData", "backed_candidates[1]", "nope", "type")


def test_kept_candidates_come_in_para_order_whatever_the_input_order() -> None:
    late = chain_of(2000, (2,))
    early = chain_of(1000, (0, 1))
    kept, dropped = sanitize_backed_candidates(
        STATE, (*late, *early), frozenset(), eligible_cores(STATE)
    )
    assert dropped == ()
    assert [(k.index, k.core, k.para_id) for k in kept] == [
        (1, 0, 1000),
        (2, 1, 1000),
        (0, 2, 2000),
    ]
    assert kept[0].relay_parent_number == NOW - 1 == kept[0].scheduling_parent_number
    assert BitVec.from_str("11") == kept[0].candidate.validator_indices.slice(0, 2)


def test_a_v1_candidate_meets_the_relay_parent_check_in_the_chain_step() -> None:
    committed = v1_receipt(1000, HEADS[1000], b"n", relay_parent=NOW - 9)
    bc = back(state(parents=(NOW - 1, NOW - 9)), committed, 0)
    out = include(STATE, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_DISALLOWED_RELAY_PARENT)]


def test_a_committed_candidate_without_core_bits_keeps_none_after_the_disabled_filter() -> None:
    chain = state(disabled=frozenset({5}), minimum_backing_votes=1)
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0), 0, inject=None)
    kept, dropped = sanitize_backed_candidates(chain, (bc,), frozenset(), eligible_cores(chain))
    assert dropped == ()
    # Group (4, 5) backs core 0 at block 20: validator 5's bit and vote are gone, no core bits.
    assert kept[0].candidate.validator_indices == BitVec.from_str("10")
    assert kept[0].candidate.validity_votes == bc.validity_votes[:1]


# -- the rules at their edges ------------------------------------------------------------------


def test_a_bitfield_is_dropped_naming_exactly_the_disputed_cores_it_votes_for() -> None:
    # Disputes free cores 1 and 2 (para 1000's second candidate, para 2000's only one); core 0
    # keeps its candidate, so a vote for core 0 alone is kept.
    first = pending(receipt(1000, HEADS[1000], b"a", core=0), 0)
    freed_second = pending(receipt(1000, b"a", b"b", core=1), 1)
    freed_other = pending(receipt(2000, HEADS[2000], b"c", core=2), 2)
    chain = state(pending={1000: (first, freed_second), 2000: (freed_other,)})
    fields = (bitfield(chain, "111", 0), bitfield(chain, "100", 1), bitfield(chain, "001", 2))
    out = include(chain, inherent(fields), frozenset({freed_second.hash, freed_other.hash}))
    assert out.dropped_bitfields == (
        s.DroppedBitfield(0, 0, s.BITFIELD_DISPUTED_CORE, "bits on cores [1, 2]"),
        s.DroppedBitfield(2, 2, s.BITFIELD_DISPUTED_CORE, "bits on cores [2]"),
    )
    assert out.bitfields == (fields[1],)


def test_a_v1_candidate_with_a_select_core_signal_is_dropped_by_the_parse() -> None:
    # SelectCore sends it down the V2 path of step 1: a V1 descriptor names no session, so its
    # relay parent is looked up (and found) in the current one, and the parse then refuses it.
    committed = v1_receipt(1000, HEADS[1000], b"n")
    commitments = commitments_with_signals(committed.commitments, (SelectCore(0, 0),))
    bc = back(STATE, CommittedCandidateReceipt(committed.descriptor, commitments), 0)
    out = include(STATE, inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_UMP_SIGNALS)]
    assert out.dropped_candidates[0].detail.startswith("UMPSignalWithV1Decriptor")


FEATURES_V3 = node_features(
    NodeFeature.ELASTIC_SCALING_MVP,
    NodeFeature.CANDIDATE_RECEIPT_V2,
    NodeFeature.CANDIDATE_RECEIPT_V3,
)


def _v3_receipt() -> CommittedCandidateReceipt:
    # Para 1000's next block on core 0: relay parent 15 of the previous session, scheduled at
    # block 19 of the current one (claim-queue offset 0 reaches block 20).
    head = HEADS[1000] + b"\x00"
    pvd = PersistedValidationData(HEADS[1000], 15, root(15), MAX_POV)
    d = candidate_descriptor_v3(
        1000,
        h(15),
        0,
        SESSION - 1,
        pvd.hash(),
        b"\x04" * 32,
        bytes(32),
        blake2_256(head),
        CODE[1000],
        h(NOW - 1),
        SESSION,
    )
    signals = (SelectCore(0, 0),)
    return CommittedCandidateReceipt(
        d, commitments_with_signals(CandidateCommitments(head_data=head), signals)
    )


def _back_in_scheduling_context(
    chain: ChainState, committed: CommittedCandidateReceipt, core: int
) -> BackedCandidate:
    # `back` signs in the relay parent's context; a V3 candidate's group is the one at its
    # scheduling parent's number + 1, and its votes are signed in the scheduling parent's context.
    sp = scheduling_parent(committed.descriptor)
    at = chain.allowed_scheduling_parents[sp].number + 1
    group = chain.validator_groups[chain.group_assigned_to_core(core, at) or 0]
    ctx = SigningContext(SESSION, sp)
    votes: list[Implicit | Explicit] = []
    for rank, v in enumerate(group):
        kind = 1 if rank == 0 else 2
        signature = sr25519.sign(KEYS[v], compact_statement_payload(kind, committed.hash(), ctx))
        votes.append(Implicit(signature) if kind == 1 else Explicit(signature))
    bits = BitVec.from_indices(len(group), range(len(group))).concat(BitVec(core, 8))
    return BackedCandidate(committed, tuple(votes), bits)


def _with_relay_parent_15(session: int) -> ChainState:
    # Node feature bit 4 on, and relay block 15 allowed as a relay parent of `session` only.
    chain = state(node_features=FEATURES_V3)
    parents = dict(chain.allowed_relay_parents)
    parents[session] = {**parents.get(session, {}), h(15): RelayParentInfo(15, root(15))}
    return replace(chain, allowed_relay_parents=parents)


def test_a_v3_candidates_relay_parent_is_looked_up_in_its_own_session() -> None:
    chain = _with_relay_parent_15(SESSION - 1)
    bc = _back_in_scheduling_context(chain, _v3_receipt(), 0)
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == []
    (kept,) = out.candidates
    assert (kept.core, kept.relay_parent_number, kept.scheduling_parent_number) == (0, 15, NOW - 1)
    assert out.state.pending[1000][0].relay_parent_number == 15
    # The same block known only in the current session is not the candidate's relay parent.
    out = include(_with_relay_parent_15(SESSION), inherent(candidates=(bc,)))
    assert rules(out) == [(0, s.CANDIDATE_DISALLOWED_RELAY_PARENT)]


def test_only_the_head_of_each_cores_claim_queue_is_eligible() -> None:
    queue = ClaimQueue.from_mapping({0: (2000, 1000), 1: (1000,), 2: ()})
    assert eligible_cores(state(claim_queue=queue)) == {1000: (1,), 2000: (0,)}


def test_a_para_without_an_eligible_core_leaves_the_next_para_its_core() -> None:
    candidates = (*chain_of(1000, (0,)), *chain_of(2000, (2,)))
    kept, dropped = sanitize_backed_candidates(STATE, candidates, frozenset(), {2000: (2,)})
    assert [(d.index, d.rule) for d in dropped] == [(0, s.CANDIDATE_NO_ELIGIBLE_CORE)]
    assert [(k.index, k.core) for k in kept] == [(1, 2)]


def test_a_para_whose_cores_run_out_leaves_the_next_para_its_core() -> None:
    candidates = (*chain_of(1000, (0, 1, 0)), *chain_of(2000, (2,)))
    kept, dropped = sanitize_backed_candidates(
        STATE, candidates, frozenset(), eligible_cores(STATE)
    )
    assert [(d.index, d.rule) for d in dropped] == [(2, s.CANDIDATE_CORES_EXHAUSTED)]
    assert [(k.index, k.core) for k in kept] == [(0, 0), (1, 1), (3, 2)]


def test_a_candidate_without_a_core_drops_its_successor_but_not_the_next_para() -> None:
    no_core = back(STATE, v1_receipt(1000, HEADS[1000], b"n"), 0, inject=None)
    successor = back(STATE, receipt(1000, b"n", b"m", core=1), 1)
    candidates = (no_core, successor, *chain_of(2000, (2,)))
    kept, dropped = sanitize_backed_candidates(
        STATE, candidates, frozenset(), eligible_cores(STATE)
    )
    assert [(d.index, d.rule) for d in dropped] == [
        (0, s.CANDIDATE_CORE_UNKNOWN),
        (1, s.CANDIDATE_PREDECESSOR_DROPPED),
    ]
    assert [(k.index, k.core) for k in kept] == [(2, 2)]


def test_every_para_is_held_to_the_chain_whatever_an_earlier_para_did() -> None:
    chain = replace(STATE, code_hashes={1000: CODE[1000], 2000: b"\xee" * 32})
    foreign = back(chain, receipt(1000, b"other head", b"a", core=0), 0)
    candidates = (foreign, *chain_of(2000, (2,), chain))
    kept, dropped = sanitize_backed_candidates(
        chain, candidates, frozenset(), eligible_cores(chain)
    )
    assert [(d.index, d.rule) for d in dropped] == [
        (0, s.CANDIDATE_VALIDATION_DATA_HASH),
        (1, s.CANDIDATE_VALIDATION_CODE_HASH),
    ]
    assert kept == ()


@pytest.mark.parametrize(("limit", "kept"), [(10, True), (9, False)])
def test_a_head_of_exactly_the_maximum_size_is_allowed(limit: int, kept: bool) -> None:
    chain = state(max_head_data_size=limit)
    (bc,) = chain_of(1000, (0,), chain)  # the head is HEADS[1000] and one byte: 10 bytes
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == ([] if kept else [(0, s.CANDIDATE_HEAD_DATA_TOO_LARGE)])


@pytest.mark.parametrize("relay_parent", [NOW - 1, NOW - 2])
def test_an_injected_core_must_fit_the_group_at_the_scheduling_parent_plus_one(
    relay_parent: int,
) -> None:
    # Groups of 2, 2 and 3 validators: core 0 is served by group 1 at block 19 and by group 2
    # from block 20, so the bits fit only the group at relay parent + 1.
    chain = state(n_validators=7, groups=((0, 1), (2, 3), (4, 5, 6)))
    bc = back(chain, v1_receipt(1000, HEADS[1000], b"n", relay_parent=relay_parent), 0)
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == []
    assert [(k.index, k.core) for k in out.candidates] == [(0, 0)]


def test_the_disabled_filter_clears_the_group_at_the_scheduling_parent_plus_one() -> None:
    # Relay parent 18: core 0 is served by group 1 = (2, 3) at block 19, by (4, 5) from 20.
    chain = state(disabled=frozenset({2}), minimum_backing_votes=1)
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0, relay_parent=NOW - 2), 0)
    kept, dropped = sanitize_backed_candidates(chain, (bc,), frozenset(), eligible_cores(chain))
    assert dropped == ()
    assert kept[0].candidate.validator_indices == BitVec.from_str("01").concat(BitVec(0, 8))
    assert kept[0].candidate.validity_votes == bc.validity_votes[1:]


def test_disabled_votes_are_removed_highest_position_first() -> None:
    # Group (6, 7, 8) backs core 0 at block 20 and all three vote; 6 and 7 are disabled.
    # Removing position 1, then position 0, leaves 8's vote beside 8's bit.
    chain = state(
        n_validators=9, groups=GROUPS3, disabled=frozenset({6, 7}), minimum_backing_votes=1
    )
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0), 0)
    out = include(chain, inherent(candidates=(bc,)))
    (kept,) = out.candidates
    assert kept.candidate.validator_indices == BitVec.from_str("001").concat(BitVec(0, 8))
    assert kept.candidate.validity_votes == bc.validity_votes[2:]


@pytest.mark.parametrize(
    ("positions", "minimum", "kept"),
    [((0, 1), 3, False), ((0, 1, 2), 3, True), ((0, 1, 2), 5, True), ((0,), 1, True)],
)
def test_with_a_disabled_validator_the_threshold_is_the_lesser_of_group_size_and_minimum(
    positions: tuple[int, ...], minimum: int, kept: bool
) -> None:
    # Validator 0 is disabled, outside group (6, 7, 8), which backs core 0 at block 20.
    chain = state(
        n_validators=9, groups=GROUPS3, disabled=frozenset({0}), minimum_backing_votes=minimum
    )
    bc = back(chain, receipt(1000, HEADS[1000], b"n", core=0), 0, positions)
    out = include(chain, inherent(candidates=(bc,)))
    assert rules(out) == ([] if kept else [(0, s.CANDIDATE_DISABLED_FILTER_THRESHOLD)])


# -- what a drop tells the user ----------------------------------------------------------------

Case = tuple[ChainState, tuple[BackedCandidate, ...], frozenset[bytes]]
NOTHING: frozenset[bytes] = frozenset()
OLD_PARENTS = state(parents=(NOW - 1, NOW - 9))
NO_SCHEDULING_PARENTS = replace(STATE, allowed_scheduling_parents={})
# Relay block 11 (`h(NOW - 9)`) is no allowed relay parent of session 7; relay block 19
# (`h(NOW - 1)`) is the scheduling parent of every candidate below.
BLOCK_11 = "0xbb86848574fcfed7.. in session 7"
BLOCK_19 = "0x687a1c88f4e737a6.."


def _one(
    chain: ChainState, committed: CommittedCandidateReceipt, signed_in: ChainState | None = None
) -> Case:
    # `committed` alone, backed on core 0 in `signed_in` (default `chain`), sanitised on `chain`.
    return chain, (back(signed_in or chain, committed, 0),), NOTHING


def _chain_on(chain: ChainState, *, signed_in: ChainState = STATE) -> Case:
    return chain, tuple(chain_of(1000, (0,), signed_in)), NOTHING


def _without_signals() -> Case:
    (bc,) = chain_of(1000, (0,))
    bare = CandidateCommitments(head_data=bc.candidate.commitments.head_data)
    return _one(STATE, CommittedCandidateReceipt(bc.candidate.descriptor, bare))


def _freed_by_a_dispute() -> Case:
    (bc,) = chain_of(1000, (0,))
    p = pending(bc.candidate, 0)
    return state(pending={1000: (p,)}), (bc,), frozenset({p.hash})


def _off_the_latest_head() -> Case:
    first = back(STATE, receipt(1000, b"other head", b"a", core=0), 0)
    return STATE, (first, back(STATE, receipt(1000, b"a", b"b", core=1), 1)), NOTHING


NO_V2 = state(node_features=node_features())
NEW_CODE = replace(STATE, code_hashes={1000: b"\xee" * 32, 2000: b"\xc2" * 32})


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            _without_signals,
            [(0, s.CANDIDATE_NO_SELECT_CORE, "a V2 candidate without a SelectCore signal")],
            id="no-select-core",
        ),
        pytest.param(
            lambda: _chain_on(NO_V2, signed_in=NO_V2),
            [(0, s.CANDIDATE_V2_DISABLED, "SelectCore while node feature 3 is off")],
            id="v2-disabled",
        ),
        pytest.param(
            lambda: _one(
                STATE, receipt(1000, HEADS[1000], b"n", core=0, relay_parent=11), OLD_PARENTS
            ),
            [(0, s.CANDIDATE_DISALLOWED_RELAY_PARENT, BLOCK_11)],
            id="relay-parent-step-1",
        ),
        pytest.param(
            lambda: _chain_on(NO_SCHEDULING_PARENTS),
            [(0, s.CANDIDATE_DISALLOWED_SCHEDULING_PARENT, BLOCK_19)],
            id="scheduling-parent-step-1",
        ),
        pytest.param(
            lambda: (STATE, tuple(chain_of(1000, (0,))) * 2, NOTHING),
            [(1, s.CANDIDATE_DUPLICATE, "the same candidate appeared earlier")],
            id="duplicate",
        ),
        pytest.param(
            lambda: _one(STATE, v1_receipt(1000, HEADS[1000], b"n", relay_parent=11), OLD_PARENTS),
            [(0, s.CANDIDATE_DISALLOWED_RELAY_PARENT, BLOCK_11)],
            id="relay-parent-chain-step",
        ),
        pytest.param(
            lambda: _one(NO_SCHEDULING_PARENTS, v1_receipt(1000, HEADS[1000], b"n"), STATE),
            [(0, s.CANDIDATE_DISALLOWED_SCHEDULING_PARENT, BLOCK_19)],
            id="scheduling-parent-chain-step",
        ),
        pytest.param(
            _off_the_latest_head,
            [
                (0, s.CANDIDATE_VALIDATION_DATA_HASH, "not built on the para's latest head"),
                (1, s.CANDIDATE_PREDECESSOR_DROPPED, "candidate 0 before it was dropped"),
            ],
            id="validation-data-hash",
        ),
        pytest.param(
            lambda: _chain_on(NEW_CODE, signed_in=NEW_CODE),
            [(0, s.CANDIDATE_VALIDATION_CODE_HASH, "not the para's current code")],
            id="validation-code-hash",
        ),
        pytest.param(
            lambda: _one(STATE, _with_descriptor(chain_of(1000, (0,))[0], para_head=b"\x01" * 32)),
            [(0, s.CANDIDATE_PARA_HEAD, "descriptor para_head is not the hash of the head data")],
            id="para-head",
        ),
        pytest.param(
            _freed_by_a_dispute,
            [(0, s.CANDIDATE_CONCLUDED_INVALID, "freed by a dispute concluded invalid")],
            id="concluded-invalid",
        ),
        pytest.param(
            lambda: (
                STATE,
                (back(STATE, v1_receipt(1000, HEADS[1000], b"n"), 0, inject=None),),
                NOTHING,
            ),
            [(0, s.CANDIDATE_CORE_UNKNOWN, "neither a committed nor an injected core")],
            id="core-unknown",
        ),
    ],
)
def test_a_dropped_candidate_is_reported_whole_with_its_detail_for_people(
    build: Callable[[], Case], expected: list[tuple[int, str, str]]
) -> None:
    chain, candidates, concluded = build()
    out = include(chain, inherent(candidates=candidates), concluded)
    assert out.dropped_candidates == tuple(
        s.DroppedCandidate(i, 1000, candidates[i].hash(), rule, detail)
        for i, rule, detail in expected
    )


# -- the records -------------------------------------------------------------------------------

U32 = "must be an int in 0..2**32-1"
(BACKED,) = chain_of(1000, (0,))
VALID: dict[type, dict[str, object]] = {
    s.DroppedBitfield: {"index": 0, "validator_index": 1, "rule": "r", "detail": "d"},
    s.DroppedCandidate: {
        "index": 0,
        "para_id": 1000,
        "candidate_hash": BACKED.hash(),
        "rule": "r",
        "detail": "d",
    },
    s.KeptCandidate: {
        "index": 0,
        "candidate": BACKED,
        "core": 0,
        "relay_parent_number": NOW - 1,
        "scheduling_parent_number": NOW - 1,
    },
}


@pytest.mark.parametrize(
    ("record", "field", "bad", "reason"),
    [
        (s.DroppedBitfield, "index", -1, U32),
        (s.DroppedBitfield, "validator_index", 1 << 32, U32),
        (s.DroppedBitfield, "rule", None, "must be a str"),
        (s.DroppedBitfield, "detail", b"d", "must be a str"),
        (s.DroppedCandidate, "index", -1, U32),
        (s.DroppedCandidate, "para_id", 1 << 32, U32),
        (s.DroppedCandidate, "candidate_hash", b"\x01" * 31, "must be 32 bytes"),
        (s.DroppedCandidate, "rule", 1, "must be a str"),
        (s.DroppedCandidate, "detail", None, "must be a str"),
        (s.KeptCandidate, "index", -1, U32),
        (s.KeptCandidate, "candidate", BACKED.candidate, "must be a BackedCandidate"),
        (s.KeptCandidate, "core", 1 << 32, U32),
        (s.KeptCandidate, "relay_parent_number", -1, U32),
        (s.KeptCandidate, "scheduling_parent_number", "19", U32),
    ],
)
def test_the_outcome_records_refuse_a_field_of_the_wrong_type_or_range(
    record: type, field: str, bad: object, reason: str
) -> None:
    fields = {**VALID[record], field: bad}
    assert refusal(lambda: record(**fields)) == (record.__name__, field, bad, reason)
    assert record(**VALID[record]) == record(**VALID[record])
