# The prospective-parachains state (core/prospective/view.py): the scheduling scope of a leaf,
# the chain length from the claim queue, activating leaves (pending candidates first, chains
# carried over from the parent leaf), pruning, and each message as a pure step. Scenarios
# re-expressed from polkadot-sdk's prospective-parachains src/tests.rs (a para on several cores
# backing a chain as long, candidates introduced under ancestors, membership on leaves).
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from backable.core import (
    BackableCandidateRef,
    CommittedCandidateReceipt,
    Constraints,
    HypotheticalComplete,
    HypotheticalIncomplete,
    LeafActivation,
    PersistedValidationData,
    ProspectiveParachains,
    RelayAncestor,
    RelayChainBlockInfo,
    TransposedClaimQueue,
    UnexpectedAncestor,
    head_data_hash,
    max_backable_len,
    scheduling_scope,
)
from tests.builders import refusal
from tests.prospective_builders import PARA, block, constraints, receipt

OTHER = 3000
B10, B9, B8, B7 = block(10), block(9), block(8), block(7)
HEAD = b"\x0a"


def queue(*cores: int, para: int = PARA) -> TransposedClaimQueue:
    return TransposedClaimQueue.from_mapping({para: {0: cores}})


def activation(
    leaf: RelayChainBlockInfo = B10,
    ancestors: tuple[RelayChainBlockInfo, ...] = (B9, B8),
    *,
    session: int = 1,
    ancestor_sessions: tuple[int, ...] | None = None,
    lookahead: int = 3,
    claim_queue: TransposedClaimQueue | None = None,
    constraints_by_para: dict[int, Constraints] | None = None,
    pending: dict[int, tuple[CommittedCandidateReceipt, ...]] | None = None,
    relay_parents: tuple[RelayChainBlockInfo, ...] | None = None,
) -> LeafActivation:
    sessions = ancestor_sessions or (session,) * len(ancestors)
    known = relay_parents if relay_parents is not None else (leaf, *ancestors)
    return LeafActivation(
        leaf.hash,
        leaf.number,
        session,
        lookahead,
        tuple(RelayAncestor(a.hash, a.number, s) for a, s in zip(ancestors, sessions, strict=True)),
        claim_queue if claim_queue is not None else queue(0, 1, 2),
        constraints_by_para
        if constraints_by_para is not None
        else {PARA: constraints(0, (0,), HEAD)},
        pending or {},
        {info.hash: info for info in known},
    )


def started(leaf: LeafActivation | None = None) -> ProspectiveParachains:
    state, problem = ProspectiveParachains().activate_leaf(leaf or activation())
    assert problem is None
    return state


def seconded(
    relay_parent: RelayChainBlockInfo, parent: bytes, head: bytes, **options: object
) -> tuple[CommittedCandidateReceipt, PersistedValidationData]:
    pvd, r = receipt(relay_parent, parent, head, **options)  # type: ignore[arg-type]
    return r, pvd


# -- the scope and the chain length ------------------------------------------------------------


def test_the_scheduling_scope_is_the_leaf_and_its_consecutive_ancestors() -> None:
    assert scheduling_scope(B10.hash, 10, [(B9.hash, 9), (B8.hash, 8)]) == frozenset(
        {B10.hash, B9.hash, B8.hash}
    )
    assert scheduling_scope(B10.hash, 10, []) == frozenset({B10.hash})
    # Genesis itself may be the last ancestor; only going below it is unexpected.
    genesis = block(0, 0x55)
    assert scheduling_scope(B10.hash, 1, [(genesis.hash, 0)]) == frozenset({B10.hash, genesis.hash})


def test_ancestors_that_skip_a_block_or_go_below_genesis_are_unexpected() -> None:
    assert scheduling_scope(B10.hash, 10, [(B8.hash, 8)]) == UnexpectedAncestor(8, 10)
    assert scheduling_scope(B10.hash, 0, [(B9.hash, 99999)]) == UnexpectedAncestor(99999, 0)
    assert scheduling_scope(B10.hash, 5, [(B9.hash, 4), (B7.hash, 2), (B8.hash, 3)]) == (
        UnexpectedAncestor(2, 4)
    )


def test_the_chain_length_is_the_number_of_distinct_cores_in_the_claim_queue() -> None:
    cq = TransposedClaimQueue.from_mapping(
        {PARA: {0: (0, 1), 1: (1, 4), 2: (4,)}, OTHER: {0: (2,)}}
    )
    assert max_backable_len(cq, PARA) == 3
    assert max_backable_len(cq, OTHER) == 1
    assert max_backable_len(cq, 4000) == 0


# -- activating leaves -------------------------------------------------------------------------


def test_an_activated_leaf_gets_a_chain_per_scheduled_para_with_constraints() -> None:
    cq = TransposedClaimQueue.from_mapping({PARA: {0: (0,)}, OTHER: {1: (1,)}, 4000: {0: (2,)}})
    state = started(
        activation(
            claim_queue=cq,
            constraints_by_para={PARA: constraints(), OTHER: constraints(), 5000: constraints()},
        )
    )
    view = state.per_scheduling_parent[B10.hash]
    assert set(view.fragment_chains) == {PARA, OTHER}
    assert view.scheduling_scope == frozenset({B10.hash, B9.hash, B8.hash})
    assert view.session_index == 1
    assert state.active_leaves == frozenset({B10.hash})
    assert view.fragment_chains[PARA].scope.max_backable_len == 1


def test_a_scheduled_para_without_constraints_does_not_stop_the_paras_after_it() -> None:
    cq = TransposedClaimQueue.from_mapping({1000: {0: (1,)}, PARA: {0: (0,)}})
    view = started(activation(claim_queue=cq)).per_scheduling_parent[B10.hash]
    assert set(view.fragment_chains) == {PARA}


def test_the_scope_stops_at_the_lookahead_and_at_a_session_change() -> None:
    short = started(activation(lookahead=2)).per_scheduling_parent[B10.hash]
    assert short.scheduling_scope == frozenset({B10.hash, B9.hash})
    changed = started(activation(ancestor_sessions=(1, 0))).per_scheduling_parent[B10.hash]
    assert changed.scheduling_scope == frozenset({B10.hash, B9.hash})
    alone = started(activation(lookahead=1)).per_scheduling_parent[B10.hash]
    assert alone.scheduling_scope == frozenset({B10.hash})
    none = started(activation(lookahead=0)).per_scheduling_parent[B10.hash]
    assert none.scheduling_scope == frozenset({B10.hash})


def test_a_leaf_with_unexpected_ancestors_is_skipped() -> None:
    state = ProspectiveParachains()
    same, problem = state.activate_leaf(activation(ancestors=(B9, B7)))
    assert same is state and problem == UnexpectedAncestor(7, 9)


def test_pending_candidates_head_the_chain_with_their_validation_data_rebuilt() -> None:
    _, a = receipt(B8, HEAD, b"\x0b")
    _, b = receipt(B9, b"\x0b", b"\x0c")
    state = started(activation(pending={PARA: (a, b)}))
    chain = state.per_scheduling_parent[B10.hash].fragment_chains[PARA]
    assert chain.candidate_hashes() == (a.hash(), b.hash())
    assert [p.candidate_hash for p in chain.scope.pending_availability] == [a.hash(), b.hash()]
    assert chain.scope.max_chain_len == 5
    # Pending candidates are never offered for backing.
    assert state.get_backable_candidates(B10.hash, PARA, 5) == ()


def test_pending_candidates_stop_at_the_first_unknown_relay_parent() -> None:
    _, a = receipt(B8, HEAD, b"\x0b")
    _, b = receipt(B7, b"\x0b", b"\x0c")
    _, c = receipt(B9, b"\x0c", b"\x0d")
    state = started(activation(pending={PARA: (a, b, c)}))
    chain = state.per_scheduling_parent[B10.hash].fragment_chains[PARA]
    assert chain.candidate_hashes() == (a.hash(),)


def test_pending_candidates_stop_at_the_first_whose_validation_data_does_not_match() -> None:
    _, a = receipt(B8, HEAD, b"\x0b")
    _, wrong_parent = receipt(B9, b"\x99", b"\x0c")
    state = started(activation(pending={PARA: (a, wrong_parent)}))
    chain = state.per_scheduling_parent[B10.hash].fragment_chains[PARA]
    assert chain.candidate_hashes() == (a.hash(),)
    assert [p.candidate_hash for p in chain.scope.pending_availability] == [a.hash()]


def test_a_para_holding_three_cores_gets_a_backable_chain_of_three() -> None:
    state = started()
    made = [
        seconded(B8, HEAD, b"\x0b"),
        seconded(B9, b"\x0b", b"\x0c"),
        seconded(B10, b"\x0c", b"\x0d"),
        seconded(B10, b"\x0d", b"\x0e"),
    ]
    for r, pvd in made:
        state, added = state.introduce_seconded(r, pvd)
        assert added
        state = state.candidate_backed(PARA, r.hash())
    expected = tuple(BackableCandidateRef(r.hash(), r.descriptor.relay_parent) for r, _ in made[:3])
    assert state.get_backable_candidates(B10.hash, PARA, 3) == expected
    assert state.get_backable_candidates(B10.hash, PARA, 5) == expected
    assert state.get_backable_candidates(B10.hash, PARA, 2, [made[0][0].hash()]) == expected[1:]


def test_the_parent_leafs_chain_is_carried_over() -> None:
    first = started(activation(B9, (B8, B7)))
    made = [seconded(B8, HEAD, b"\x0b"), seconded(B9, b"\x0b", b"\x0c")]
    for r, pvd in made:
        first, _ = first.introduce_seconded(r, pvd)
    first = first.candidate_backed(PARA, made[0][0].hash())
    state, problem = first.activate_leaf(activation())
    assert problem is None
    chain = state.per_scheduling_parent[B10.hash].fragment_chains[PARA]
    assert chain.candidate_hashes() == (made[0][0].hash(),)
    assert chain.contains_unconnected_candidate(made[1][0].hash())
    state = state.candidate_backed(PARA, made[1][0].hash())
    assert state.get_backable_candidates(B10.hash, PARA, 3) == (
        BackableCandidateRef(made[0][0].hash(), B8.hash),
        BackableCandidateRef(made[1][0].hash(), B9.hash),
    )


def test_a_candidate_gone_pending_at_the_new_leaf_heads_its_chain() -> None:
    first = started(activation(B9, (B8, B7)))
    r, pvd = seconded(B8, HEAD, b"\x0b")
    first, _ = first.introduce_seconded(r, pvd)
    first = first.candidate_backed(PARA, r.hash())
    state, _ = first.activate_leaf(activation(pending={PARA: (r,)}))
    chain = state.per_scheduling_parent[B10.hash].fragment_chains[PARA]
    assert chain.candidate_hashes() == (r.hash(),)
    assert state.get_backable_candidates(B10.hash, PARA, 3) == ()
    # A child introduced now builds on it.
    child, child_pvd = seconded(B10, b"\x0b", b"\x0c")
    state, added = state.introduce_seconded(child, child_pvd)
    assert added
    state = state.candidate_backed(PARA, child.hash())
    assert state.get_backable_candidates(B10.hash, PARA, 3, [r.hash()]) == (
        BackableCandidateRef(child.hash(), B10.hash),
    )


def test_no_chain_is_carried_over_from_a_parent_in_another_session() -> None:
    first = started(activation(B9, (B8, B7)))
    r, pvd = seconded(B9, HEAD, b"\x0b")
    first, _ = first.introduce_seconded(r, pvd)
    state, _ = first.activate_leaf(activation(ancestor_sessions=(0, 0), session=1))
    chain = state.per_scheduling_parent[B10.hash].fragment_chains[PARA]
    assert not chain.contains_unconnected_candidate(r.hash())


# -- pruning -----------------------------------------------------------------------------------


def test_views_survive_while_an_active_leaf_reaches_them() -> None:
    first = started(activation(B9, (B8, B7)))
    second, _ = first.activate_leaf(activation())
    assert set(second.per_scheduling_parent) == {B9.hash, B10.hash}
    only_new = second.deactivate_leaves([B9.hash])
    assert only_new.active_leaves == frozenset({B10.hash})
    assert set(only_new.per_scheduling_parent) == {B9.hash, B10.hash}
    assert only_new.deactivate_leaves([B10.hash]) == ProspectiveParachains()


def test_a_view_no_leaf_reaches_is_pruned() -> None:
    first = started(activation(B9, (B8, B7)))
    far = block(30)
    state, _ = first.activate_leaf(activation(far, (block(29), block(28))))
    assert set(state.per_scheduling_parent) == {B9.hash, far.hash}
    pruned = state.deactivate_leaves([B9.hash])
    assert set(pruned.per_scheduling_parent) == {far.hash}
    assert pruned.active_leaves == frozenset({far.hash})
    assert pruned.get_backable_candidates(far.hash, PARA, 1) == ()
    # Activating a leaf that prunes an old view keeps every active leaf active.
    moved, _ = pruned.activate_leaf(activation(block(40), (block(39),)))
    assert set(moved.per_scheduling_parent) == {far.hash, block(40).hash}
    assert moved.active_leaves == frozenset({far.hash, block(40).hash})


# -- the messages ------------------------------------------------------------------------------


def test_a_seconded_candidate_is_added_under_every_view_that_can_take_it() -> None:
    first = started(activation(B9, (B8, B7)))
    state, _ = first.activate_leaf(activation())
    r, pvd = seconded(B9, HEAD, b"\x0b")
    state, added = state.introduce_seconded(r, pvd)
    assert added
    for leaf in (B9.hash, B10.hash):
        assert (
            state.per_scheduling_parent[leaf]
            .fragment_chains[PARA]
            .contains_unconnected_candidate(r.hash())
        )
    again, known = state.introduce_seconded(r, pvd)
    assert known and again is state


def test_a_candidate_with_an_unverifiable_relay_parent_is_added_nowhere() -> None:
    state = started()
    unknown = block(11, 0x77)
    r, pvd = seconded(unknown, HEAD, b"\x0b", scheduling_parent=B10.hash)
    assert state.introduce_seconded(r, pvd) == (state, False)
    lying = RelayChainBlockInfo(B9.hash, 9, b"\x01" * 32)
    r, pvd = seconded(lying, HEAD, b"\x0b")
    assert state.introduce_seconded(r, pvd) == (state, False)
    r, pvd = seconded(B9, HEAD, b"\x0b")
    other_pov = replace(pvd, max_pov_size=5)
    r2 = replace(
        r, descriptor=replace(r.descriptor, persisted_validation_data_hash=other_pov.hash())
    )
    assert state.introduce_seconded(r2, other_pov) == (state, False)


def test_a_candidate_whose_validation_data_does_not_match_is_added_nowhere() -> None:
    state = started()
    r, pvd = seconded(B9, HEAD, b"\x0b")
    assert state.introduce_seconded(r, replace(pvd, parent_head=b"\x99")) == (state, False)


def test_a_candidate_of_an_unscheduled_para_is_added_nowhere() -> None:
    state = started()
    r, pvd = seconded(B9, HEAD, b"\x0b", para=OTHER)
    assert state.introduce_seconded(r, pvd) == (state, False)


def test_a_candidate_without_potential_is_added_nowhere() -> None:
    state = started()
    r, pvd = seconded(B9, HEAD, b"\x0b", scheduling_parent=block(30).hash)
    assert state.introduce_seconded(r, pvd) == (state, False)


def test_backing_an_unknown_candidate_changes_nothing() -> None:
    state = started()
    assert state.candidate_backed(PARA, bytes(32)) is state
    assert state.candidate_backed(OTHER, bytes(32)) is state
    r, pvd = seconded(B9, HEAD, b"\x0b")
    state, _ = state.introduce_seconded(r, pvd)
    backed = state.candidate_backed(PARA, r.hash())
    assert backed.candidate_backed(PARA, r.hash()) is backed
    # A backed candidate still waiting, unconnected, for its parent is not backed again.
    orphan, orphan_pvd = seconded(B9, b"\x77", b"\x78")
    waiting, added = backed.introduce_seconded(orphan, orphan_pvd)
    assert added
    waiting = waiting.candidate_backed(PARA, orphan.hash())
    chain = waiting.per_scheduling_parent[B10.hash].fragment_chains[PARA]
    assert chain.contains_unconnected_candidate(orphan.hash())
    assert chain.is_candidate_backed(orphan.hash())
    assert waiting.candidate_backed(PARA, orphan.hash()) is waiting


def test_backing_reaches_every_view_past_those_that_do_not_schedule_the_para() -> None:
    # B9's view (whose key sorts first) has no chain for PARA; B10's does.
    first = started(
        activation(
            B9,
            (B8, B7),
            claim_queue=queue(0, para=OTHER),
            constraints_by_para={OTHER: constraints()},
        )
    )
    state, _ = first.activate_leaf(activation())
    assert sorted(state.per_scheduling_parent) == [B9.hash, B10.hash]
    assert PARA not in state.per_scheduling_parent[B9.hash].fragment_chains
    r, pvd = seconded(B9, HEAD, b"\x0b")
    state, added = state.introduce_seconded(r, pvd)
    assert added
    state = state.candidate_backed(PARA, r.hash())
    assert state.get_backable_candidates(B10.hash, PARA, 1) == (
        BackableCandidateRef(r.hash(), B9.hash),
    )


def test_backable_candidates_need_an_active_leaf_and_a_scheduled_para() -> None:
    first = started(activation(B9, (B8, B7)))
    r, pvd = seconded(B9, HEAD, b"\x0b")
    first, _ = first.introduce_seconded(r, pvd)
    first = first.candidate_backed(PARA, r.hash())
    state, _ = first.activate_leaf(activation())
    state = state.deactivate_leaves([B9.hash])
    assert state.get_backable_candidates(B9.hash, PARA, 1) == ()
    assert state.get_backable_candidates(B10.hash, OTHER, 1) == ()
    assert state.get_backable_candidates(B10.hash, PARA, 1) == (
        BackableCandidateRef(r.hash(), B9.hash),
    )
    assert state.get_backable_candidates(block(40).hash, PARA, 1) == ()


def test_hypothetical_membership_lists_the_leaves_that_could_take_a_candidate() -> None:
    first = started(activation(B9, (B8, B7)))
    state, _ = first.activate_leaf(activation())
    r, pvd = seconded(B9, HEAD, b"\x0b")
    complete = HypotheticalComplete(r, pvd)
    incomplete = HypotheticalIncomplete(r.hash(), PARA, head_data_hash(HEAD), B9.hash)
    out_of_scope = HypotheticalIncomplete(bytes(32), PARA, head_data_hash(HEAD), block(30).hash)
    other_para = HypotheticalIncomplete(bytes(32), OTHER, head_data_hash(HEAD), B9.hash)
    both = (B10.hash, B9.hash) if B10.hash < B9.hash else (B9.hash, B10.hash)
    assert state.get_hypothetical_membership([complete, incomplete, out_of_scope, other_para]) == (
        both,
        both,
        (),
        (),
    )
    assert state.get_hypothetical_membership([complete], B10.hash) == ((B10.hash,),)
    # Already known counts as a member.
    state, _ = state.introduce_seconded(r, pvd)
    assert state.get_hypothetical_membership([complete, incomplete]) == (both, both)


def test_hypothetical_membership_of_a_complete_candidate_needs_its_relay_parent_and_entry() -> None:
    state = started()
    unknown = block(11, 0x77)
    r, pvd = seconded(unknown, HEAD, b"\x0b", scheduling_parent=B10.hash)
    assert state.get_hypothetical_membership([HypotheticalComplete(r, pvd)]) == ((),)
    r_cycle, pvd_cycle = seconded(B9, b"\x0c", b"\x0c")
    assert state.get_hypothetical_membership([HypotheticalComplete(r_cycle, pvd_cycle)]) == ((),)
    r_other, pvd_other = seconded(B9, HEAD, b"\x0b", para=OTHER)
    assert state.get_hypothetical_membership([HypotheticalComplete(r_other, pvd_other)]) == ((),)
    # Verified and well formed, but scheduled under a block out of the leaf's scope.
    r_far, pvd_far = seconded(B9, HEAD, b"\x0b", scheduling_parent=block(30).hash)
    assert state.get_hypothetical_membership([HypotheticalComplete(r_far, pvd_far)]) == ((),)


def test_an_advertised_fork_of_the_chain_is_a_member_only_under_the_fork_choice_rule() -> None:
    state = started()
    r, pvd = seconded(B9, HEAD, b"\x0b")
    state, _ = state.introduce_seconded(r, pvd)
    state = state.candidate_backed(PARA, r.hash())
    assert state.per_scheduling_parent[B10.hash].fragment_chains[PARA].contains(r.hash())
    parent = head_data_hash(HEAD)
    lower, higher = bytes(32), b"\xff" * 32
    assert lower < r.hash() < higher
    assert state.get_hypothetical_membership(
        [
            HypotheticalIncomplete(r.hash(), PARA, parent, B10.hash),
            HypotheticalIncomplete(lower, PARA, parent, B10.hash),
            HypotheticalIncomplete(higher, PARA, parent, B10.hash),
            HypotheticalIncomplete(higher, PARA, head_data_hash(b"\x0b"), B10.hash),
        ]
    ) == ((B10.hash,), (B10.hash,), (), (B10.hash,))


# -- refusals ----------------------------------------------------------------------------------

H32, U32, MAPPING = "must be 32 bytes", "must be an int in 0..2**32-1", "must be a mapping"


def _complete() -> HypotheticalComplete:
    r, pvd = seconded(B9, HEAD, b"\x0b")
    return HypotheticalComplete(r, pvd)


VALID: dict[str, Callable[[], Any]] = {
    "UnexpectedAncestor": lambda: UnexpectedAncestor(8, 10),
    "RelayAncestor": lambda: RelayAncestor(B9.hash, 9, 1),
    "HypotheticalComplete": _complete,
    "HypotheticalIncomplete": lambda: HypotheticalIncomplete(
        bytes(32), PARA, head_data_hash(HEAD), B9.hash
    ),
    "LeafActivation": activation,
    "SchedulingParentView": lambda: started().per_scheduling_parent[B10.hash],
    "ProspectiveParachains": started,
}
_AS_GIVEN = object()


def bad(
    record: str, field: str, value: object, reason: str, named: str = "", shown: object = _AS_GIVEN
) -> tuple[str, str, object, str, str, object]:
    """A refusal case: `value` given for `field`, refused naming `named` (the field by default)
    and `shown` (the value by default) for `reason`."""
    return (record, field, value, reason, named or field, value if shown is _AS_GIVEN else shown)


UA, RA, HC, HI = (
    "UnexpectedAncestor",
    "RelayAncestor",
    "HypotheticalComplete",
    "HypotheticalIncomplete",
)
LA, SPV, PP = "LeafActivation", "SchedulingParentView", "ProspectiveParachains"


@pytest.mark.parametrize(
    ("record", "field", "value", "reason", "named", "shown"),
    [
        bad(UA, "number", -1, U32),
        bad(UA, "prev", -1, U32),
        bad(RA, "hash", b"\x01", H32),
        bad(RA, "number", -1, U32),
        bad(RA, "session_index", -1, U32),
        bad(HC, "receipt", "x", "must be a CommittedCandidateReceipt"),
        bad(HC, "persisted_validation_data", "x", "must be a PersistedValidationData"),
        bad(HI, "candidate_hash", b"\x01", H32),
        bad(HI, "candidate_para", -1, U32),
        bad(HI, "parent_head_data_hash", b"\x01", H32),
        bad(HI, "scheduling_parent", b"\x01", H32),
        bad(LA, "hash", b"\x01", H32),
        bad(LA, "number", -1, U32),
        bad(LA, "session_index", -1, U32),
        bad(LA, "scheduling_lookahead", -1, U32),
        bad(LA, "ancestors", ("x",), "must be a RelayAncestor", "ancestors[0]", "x"),
        bad(LA, "claim_queue", "x", "must be a TransposedClaimQueue"),
        bad(LA, "constraints", [PARA], MAPPING),
        bad(LA, "constraints", {-1: "x"}, U32, "constraints key", -1),
        bad(LA, "constraints", {PARA: "x"}, "must be a Constraints", f"constraints[{PARA}]", "x"),
        bad(LA, "pending", [PARA], MAPPING),
        bad(LA, "pending", {-1: ()}, U32, "pending key", -1),
        bad(
            LA, "pending", {PARA: ("x",)}, "must be a tuple of receipts", f"pending[{PARA}]", ("x",)
        ),
        bad(LA, "relay_parents", [B9], MAPPING),
        bad(
            LA,
            "relay_parents",
            {B9.hash: "x"},
            "must be a RelayChainBlockInfo",
            "relay_parents[]",
            "x",
        ),
        bad(LA, "relay_parents", {B9.hash: B10}, "not the info's hash", "", B9.hash),
        bad(SPV, "fragment_chains", [PARA], MAPPING),
        bad(SPV, "fragment_chains", {-1: "x"}, U32, "fragment_chains key", -1),
        bad(
            SPV,
            "fragment_chains",
            {PARA: "x"},
            "must be a FragmentChain",
            f"fragment_chains[{PARA}]",
            "x",
        ),
        bad(SPV, "scheduling_scope", {B10.hash}, "a frozenset"),
        bad(SPV, "session_index", -1, U32),
        bad(SPV, "relay_parents", [B9], MAPPING),
        bad(SPV, "relay_parents", {B9.hash: B10}, "not the info's hash", "", B9.hash),
        bad(PP, "per_scheduling_parent", [B10.hash], MAPPING),
        bad(PP, "per_scheduling_parent", {b"\x01": "x"}, H32, "per_scheduling_parent key", b"\x01"),
        bad(
            PP,
            "per_scheduling_parent",
            {B10.hash: "x"},
            "must be a SchedulingParentView",
            "per_scheduling_parent[]",
            "x",
        ),
        bad(PP, "active_leaves", {B10.hash}, "a frozenset of viewed blocks"),
        bad(PP, "active_leaves", frozenset({B9.hash}), "a frozenset of viewed blocks"),
    ],
)
def test_the_records_of_the_state_refuse_a_bad_field_naming_record_field_and_value(
    record: str, field: str, value: object, reason: str, named: str, shown: object
) -> None:
    valid = VALID[record]()
    assert type(valid).__name__ == record
    assert refusal(lambda: replace(valid, **{field: value})) == (record, named, shown, reason)


def test_the_state_refuses_what_is_not_a_leaf_activation_or_a_hypothetical_candidate() -> None:
    state = started()
    assert refusal(lambda: state.activate_leaf("x")) == (  # type: ignore[arg-type]
        "ProspectiveParachains",
        "leaf",
        "x",
        "must be a LeafActivation",
    )
    assert refusal(
        lambda: state.get_hypothetical_membership(["x"])  # type: ignore[list-item]
    ) == ("ProspectiveParachains", "candidates[]", "x", "not a hypothetical candidate")


def test_nodes_activating_one_leaf_share_its_chains_and_what_they_carry_over() -> None:
    # Every node of a network activates the same leaf object; the chains are computed once
    # (identity_cache.py), and a node that has seen candidates still gets its own chain.
    parent, leaf = activation(B9, (B8, B7)), activation()
    a, b = started(parent), started(parent)
    assert a.per_scheduling_parent[B9.hash] == b.per_scheduling_parent[B9.hash]
    r, pvd = seconded(B8, HEAD, b"\x0b")
    seen, _ = b.introduce_seconded(r, pvd)
    a, _ = a.activate_leaf(leaf)
    again, _ = started(parent).activate_leaf(leaf)
    seen, _ = seen.activate_leaf(leaf)
    shared = a.per_scheduling_parent[B10.hash].fragment_chains[PARA]
    assert again.per_scheduling_parent[B10.hash].fragment_chains[PARA] is shared
    own = seen.per_scheduling_parent[B10.hash].fragment_chains[PARA]
    assert own.contains_unconnected_candidate(r.hash())
    assert not shared.contains_unconnected_candidate(r.hash())
