# One para's fragment chain (core/prospective/fragment_chain.py): the scope, populating the best
# chain, the fork choice (pending availability first, then the lowest candidate hash), every
# FragmentChainError of the potential checks, seconding, backing and the reorganisation it may
# cause, carrying a chain over to a new leaf, and `find_backable_chain`. Scenarios re-expressed
# from polkadot-sdk's prospective-parachains fragment_chain/tests.rs
# (`test_populate_and_check_potential`, `test_find_ancestor_path_and_find_backable_chain`, ...)
# for the 2026 chain, whose scope is a set of scheduling parents.
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from backable.core import (
    BackableCandidateRef,
    CandidateEntry,
    CandidateState,
    CandidateStorage,
    Constraints,
    FragmentChain,
    FragmentChainError,
    FragmentChainErrorKind,
    FragmentNode,
    FragmentValidityErrorKind,
    ModificationError,
    ModificationErrorKind,
    PendingAvailability,
    RelayChainBlockInfo,
    Scope,
    head_data_hash,
)
from tests.builders import refusal
from tests.prospective_builders import backed, block, constraints, entry, entry_where

K = FragmentChainErrorKind
X, Y, Z = block(0, 1), block(1, 2), block(2, 3)
ALL = frozenset({X.hash, Y.hash, Z.hash})
BASE = constraints(0, (0,), b"\x0a")


def scope(
    base: Constraints = BASE,
    pending: tuple[PendingAvailability, ...] = (),
    max_backable_len: int = 4,
    scheduling: frozenset[bytes] = ALL,
) -> Scope:
    return Scope(base, pending, max_backable_len, scheduling)


def populate(s: Scope, *entries: CandidateEntry) -> FragmentChain:
    """A chain at scope `s` offered `entries` (polkadot-sdk's test `populate`): the best chain is
    populated, ineligible forks trimmed, and the rest kept unconnected if it has potential."""
    offered = FragmentChain(s, (), CandidateStorage.of(entries))
    return FragmentChain.init(s, CandidateStorage()).populate_from_previous(offered)


def unconnected(chain: FragmentChain) -> set[bytes]:
    return set(chain.unconnected.by_candidate_hash)


def kind(problem: FragmentChainError | None) -> FragmentChainErrorKind | None:
    return None if problem is None else problem.kind


def pending(e: CandidateEntry, relay_parent: RelayChainBlockInfo) -> PendingAvailability:
    return PendingAvailability(e.candidate_hash, relay_parent)


# A -> B -> C, all backed, on relay parents X, Y, Z (as in polkadot-sdk's tests).
A = backed(X, b"\x0a", b"\x0b")
B = backed(Y, b"\x0b", b"\x0c")
C = backed(Z, b"\x0c", b"\x0d")


# -- the scope ---------------------------------------------------------------------------------


def test_a_scope_counts_pending_candidates_on_top_of_its_backable_length() -> None:
    s = scope(pending=(pending(A, X), pending(B, Y)), max_backable_len=3)
    assert s.max_chain_len == 5
    assert s.pending(A.candidate_hash) == pending(A, X)
    assert s.pending(C.candidate_hash) is None


def test_a_scope_refuses_a_pending_candidate_twice_and_a_negative_length() -> None:
    assert refusal(lambda: scope(pending=(pending(A, X), pending(A, X)))) == (
        "Scope",
        "pending_availability",
        (pending(A, X), pending(A, X)),
        "a candidate twice",
    )
    assert refusal(lambda: scope(max_backable_len=-1)) == (
        "Scope",
        "max_backable_len",
        -1,
        "must be a non-negative int",
    )
    assert refusal(lambda: scope(scheduling=frozenset({b"short"}))) == (
        "Scope",
        "scheduling_scope[]",
        b"short",
        "must be 32 bytes",
    )
    assert refusal(lambda: scope(scheduling=X.hash)) == (  # type: ignore[arg-type]
        "Scope",
        "scheduling_scope",
        X.hash,
        "must be a set of hashes",
    )
    assert scope(scheduling=[X.hash]).scheduling_scope == frozenset({X.hash})  # type: ignore[arg-type]


# -- the records refuse malformed fields -------------------------------------------------------

NODE = populate(scope(), A).chain[0]
BAD = b"short"


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: FragmentChainError("Cycle"),  # type: ignore[arg-type]
            ("FragmentChainError", "kind", "Cycle", "must be a FragmentChainErrorKind"),
        ),
        *(
            (
                lambda name=name: FragmentChainError(K.Cycle, **{name: BAD}),  # type: ignore[arg-type]
                ("FragmentChainError", name, BAD, "must be 32 bytes"),
            )
            for name in ("candidate_hash", "block_hash", "pending_relay_parent")
        ),
        (
            lambda: FragmentChainError(K.ComputeConstraints, modification="m"),  # type: ignore[arg-type]
            ("FragmentChainError", "modification", "m", "must be a ModificationError"),
        ),
        (
            lambda: FragmentChainError(K.CheckAgainstConstraints, validity="v"),  # type: ignore[arg-type]
            ("FragmentChainError", "validity", "v", "must be a FragmentValidityError"),
        ),
        (
            lambda: Scope("base", (), 4, ALL),  # type: ignore[arg-type]
            ("Scope", "base_constraints", "base", "must be a Constraints"),
        ),
        (
            lambda: Scope(BASE, ("p",), 4, ALL),  # type: ignore[arg-type]
            ("Scope", "pending_availability[0]", "p", "must be a PendingAvailability"),
        ),
        (
            lambda: PendingAvailability(BAD, X),
            ("PendingAvailability", "candidate_hash", BAD, "must be 32 bytes"),
        ),
        (
            lambda: PendingAvailability(A.candidate_hash, "X"),  # type: ignore[arg-type]
            ("PendingAvailability", "relay_parent", "X", "must be a RelayChainBlockInfo"),
        ),
        (
            lambda: FragmentNode("e", NODE.fragment, NODE.cumulative_modifications),  # type: ignore[arg-type]
            ("FragmentNode", "entry", "e", "must be a CandidateEntry"),
        ),
        (
            lambda: FragmentNode(A, "f", NODE.cumulative_modifications),  # type: ignore[arg-type]
            ("FragmentNode", "fragment", "f", "must be a Fragment"),
        ),
        (
            lambda: FragmentNode(A, NODE.fragment, "m"),  # type: ignore[arg-type]
            (
                "FragmentNode",
                "cumulative_modifications",
                "m",
                "must be a ConstraintModifications",
            ),
        ),
        (
            lambda: FragmentChain("s", (), CandidateStorage()),  # type: ignore[arg-type]
            ("FragmentChain", "scope", "s", "must be a Scope"),
        ),
        (
            lambda: FragmentChain(scope(), "c"),  # type: ignore[arg-type]
            ("FragmentChain", "chain", "c", "must be a tuple"),
        ),
        (
            lambda: FragmentChain(scope(), ("n",)),  # type: ignore[arg-type]
            ("FragmentChain", "chain[0]", "n", "must be a FragmentNode"),
        ),
        (
            lambda: FragmentChain(scope(), (), "u"),  # type: ignore[arg-type]
            ("FragmentChain", "unconnected", "u", "must be a CandidateStorage"),
        ),
        (
            lambda: BackableCandidateRef(BAD, X.hash),
            ("BackableCandidateRef", "candidate_hash", BAD, "must be 32 bytes"),
        ),
        (
            lambda: BackableCandidateRef(A.candidate_hash, BAD),
            ("BackableCandidateRef", "scheduling_parent", BAD, "must be 32 bytes"),
        ),
    ],
)
def test_each_record_refuses_a_malformed_field_naming_it(
    build: Callable[[], object], expected: tuple[str, str, object, str]
) -> None:
    assert refusal(build) == expected


def test_well_formed_records_keep_the_optional_data_of_their_variant() -> None:
    late = FragmentChainError(
        K.RelayParentPrecedesCandidatePendingAvailability,
        block_hash=X.hash,
        pending_relay_parent=Y.hash,
    )
    assert (late.block_hash, late.pending_relay_parent, late.candidate_hash) == (
        X.hash,
        Y.hash,
        None,
    )
    underflow = ModificationError(
        ModificationErrorKind.DmpMessagesUnderflow, remaining=0, submitted=2
    )
    assert FragmentChainError(K.ComputeConstraints, modification=underflow).modification == (
        underflow
    )
    assert FragmentNode(A, NODE.fragment, NODE.cumulative_modifications) == NODE
    # A chain given as a list is frozen into a tuple, as every record's tuple fields are.
    node = populate(scope(), A).chain[0]
    listed = FragmentChain(scope(), [node])  # type: ignore[arg-type]
    assert listed.chain == (node,) and listed.candidate_hashes() == (A.candidate_hash,)


# -- populating the chain ----------------------------------------------------------------------


def test_an_empty_storage_gives_an_empty_chain() -> None:
    chain = FragmentChain.init(scope(), CandidateStorage())
    assert chain.candidate_hashes() == () and len(chain.unconnected) == 0
    assert chain.find_backable_chain((), 2) == ()


def test_backed_candidates_building_on_each_other_form_the_chain() -> None:
    chain = populate(scope(), A, B, C)
    assert chain.candidate_hashes() == (A.candidate_hash, B.candidate_hash, C.candidate_hash)
    assert len(chain) == 3 and unconnected(chain) == set()
    assert [n.cumulative_modifications.required_parent for n in chain.chain] == [
        b"\x0b",
        b"\x0c",
        b"\x0d",
    ]
    assert chain.chain[2].cumulative_modifications.dmp_messages_processed == 3


def test_the_chain_stops_at_its_length_and_keeps_the_rest_as_potential() -> None:
    for length, in_chain in ((0, ()), (1, (A,)), (2, (A, B)), (3, (A, B, C)), (5, (A, B, C))):
        chain = populate(scope(max_backable_len=length), A, B, C)
        assert chain.candidate_hashes() == tuple(e.candidate_hash for e in in_chain)
        rest = {e.candidate_hash for e in (A, B, C)} - set(chain.candidate_hashes())
        assert unconnected(chain) == rest
        empty = FragmentChain.init(scope(max_backable_len=length), CandidateStorage())
        assert all(empty.can_add_candidate_as_potential(e) is None for e in (A, B, C))


def test_init_drops_what_does_not_fit() -> None:
    chain = FragmentChain.init(scope(max_backable_len=1), CandidateStorage.of([A, B, C]))
    assert chain.candidate_hashes() == (A.candidate_hash,)
    assert len(chain.unconnected) == 0


def test_a_wrong_required_parent_leaves_everything_unconnected_with_potential() -> None:
    chain = populate(scope(constraints(0, (0,), b"\x0e")), A, B, C)
    assert chain.candidate_hashes() == ()
    assert unconnected(chain) == {A.candidate_hash, B.candidate_hash, C.candidate_hash}


def test_a_relay_parent_below_the_minimum_is_not_in_scope_nor_are_its_descendants() -> None:
    chain = populate(scope(constraints(1, (0,), b"\x0a")), A, B, C)
    assert chain.candidate_hashes() == () and unconnected(chain) == set()
    assert chain.can_add_candidate_as_potential(A) == FragmentChainError(
        K.RelayParentNotInScope, block_hash=X.hash
    )
    # Taken alone, B and C still have potential: nothing says A has none.
    assert chain.can_add_candidate_as_potential(B) is None
    assert chain.can_add_candidate_as_potential(C) is None


def test_a_scheduling_parent_out_of_scope_keeps_the_candidate_and_its_descendants_out() -> None:
    chain = populate(scope(scheduling=frozenset({Y.hash, Z.hash})), A, B, C)
    assert chain.candidate_hashes() == () and unconnected(chain) == set()
    assert chain.can_add_candidate_as_potential(A) == FragmentChainError(
        K.SchedulingParentNotInScope, block_hash=X.hash
    )
    assert chain.can_add_candidate_as_potential(B) is None
    only_z = populate(scope(scheduling=frozenset({Z.hash})), A, B, C)
    assert kind(only_z.can_add_candidate_as_potential(B)) is K.SchedulingParentNotInScope
    assert only_z.can_add_candidate_as_potential(C) is None


def test_a_candidate_closing_a_cycle_never_joins_the_chain() -> None:
    back_to_a = backed(Z, b"\x0c", b"\x0a")
    chain = populate(scope(), A, B, back_to_a)
    assert chain.candidate_hashes() == (A.candidate_hash, B.candidate_hash)
    assert unconnected(chain) == set()
    assert chain.can_add_candidate_as_potential(back_to_a) == FragmentChainError(K.Cycle)
    # Without A and B in the chain, nothing shows the cycle.
    assert populate(scope()).can_add_candidate_as_potential(back_to_a) is None


def test_a_second_path_to_a_head_in_the_chain_is_refused() -> None:
    chain = populate(scope(), A, B)
    elsewhere = entry(Z, b"\x99", b"\x0c")
    assert chain.can_add_candidate_as_potential(elsewhere) == FragmentChainError(K.MultiplePaths)


def test_the_relay_parent_may_not_move_backwards_along_the_chain() -> None:
    c_on_x = backed(X, b"\x0c", b"\x0d", 0)
    chain = populate(scope(), A, B, c_on_x)
    assert chain.candidate_hashes() == (A.candidate_hash, B.candidate_hash)
    assert unconnected(chain) == set()
    assert chain.can_add_candidate_as_potential(c_on_x) == FragmentChainError(
        K.RelayParentMovedBackwards
    )
    relay_parents = [n.relay_parent_number for n in populate(scope(), A, B, C).chain]
    assert relay_parents == sorted(relay_parents)


def test_an_unconnected_candidate_may_have_an_older_relay_parent() -> None:
    # It might later replace B through a reorganisation.
    loose = backed(X, b"\x0d", b"\x0e", 0)
    chain = populate(scope(), A, B, loose)
    assert chain.candidate_hashes() == (A.candidate_hash, B.candidate_hash)
    assert unconnected(chain) == {loose.candidate_hash}


def test_nothing_may_precede_the_relay_parent_of_a_pending_candidate() -> None:
    a_on_y = backed(Y, b"\x0a", b"\x0b")
    loose = backed(X, b"\x0d", b"\x0e", 0)
    chain = populate(scope(pending=(pending(a_on_y, Y),)), a_on_y, B, loose)
    assert chain.candidate_hashes() == (a_on_y.candidate_hash, B.candidate_hash)
    assert unconnected(chain) == set()
    assert chain.can_add_candidate_as_potential(loose) == FragmentChainError(
        K.RelayParentPrecedesCandidatePendingAvailability,
        block_hash=X.hash,
        pending_relay_parent=Y.hash,
    )


def test_no_fork_of_a_pending_candidate_is_accepted_whatever_its_hash() -> None:
    a_on_y = backed(Y, b"\x0a", b"\x0b")
    fork = entry_where(lambda e: e.candidate_hash < a_on_y.candidate_hash, Y, b"\x0a", b"\xb2", 0)
    chain = populate(
        scope(pending=(pending(a_on_y, Y),)), a_on_y, B, replace(fork, state=CandidateState.BACKED)
    )
    assert chain.candidate_hashes() == (a_on_y.candidate_hash, B.candidate_hash)
    assert unconnected(chain) == set()
    assert chain.can_add_candidate_as_potential(fork) == FragmentChainError(
        K.ForkWithCandidatePendingAvailability, candidate_hash=a_on_y.candidate_hash
    )


def test_pending_candidates_come_first_whatever_the_fork_choice() -> None:
    # A fork of A with a lower hash would win between two backed candidates; pending A wins.
    fork = entry_where(
        lambda e: e.candidate_hash < A.candidate_hash,
        X,
        b"\x0a",
        b"\xb2",
        state=CandidateState.BACKED,
    )
    chain = populate(scope(pending=(pending(A, X),)), A, fork, B)
    assert chain.candidate_hashes()[:2] == (A.candidate_hash, B.candidate_hash)
    free = populate(scope(), A, fork, B)
    assert free.candidate_hashes() == (fork.candidate_hash,)


def test_pending_candidates_fill_the_chain_in_order() -> None:
    for chain_of_pending in (
        (pending(A, X),),
        (pending(A, X), pending(B, Y)),
        (pending(A, X), pending(B, Y), pending(C, Z)),
    ):
        chain = populate(scope(pending=chain_of_pending, max_backable_len=3), A, B, C)
        assert chain.candidate_hashes() == (A.candidate_hash, B.candidate_hash, C.candidate_hash)
        assert unconnected(chain) == set()


def test_a_pending_candidate_needs_no_scheduling_parent_in_scope() -> None:
    chain = populate(
        scope(pending=(pending(A, X),), scheduling=frozenset({Y.hash, Z.hash})), A, B, C
    )
    assert chain.candidate_hashes() == (A.candidate_hash, B.candidate_hash, C.candidate_hash)


def test_a_pending_candidate_may_be_older_than_the_minimum_relay_parent() -> None:
    # Its own relay parent is its minimum: the runtime already accepted it.
    chain = populate(scope(constraints(1, (0,), b"\x0a"), pending=(pending(A, X),)), A, B, C)
    assert chain.candidate_hashes() == (A.candidate_hash, B.candidate_hash, C.candidate_hash)


def test_pending_candidates_whose_relay_parents_go_backwards_are_not_chained() -> None:
    a_claims_1 = pending(A, RelayChainBlockInfo(X.hash, 1, X.storage_root))
    b_claims_0 = pending(B, RelayChainBlockInfo(Y.hash, 0, Y.storage_root))
    chain = populate(scope(pending=(a_claims_1, b_claims_0), scheduling=frozenset()), A, B, C)
    assert chain.candidate_hashes() == ()
    assert unconnected(chain) == set()
    # With their scheduling parents in scope, the pending ones are still never kept
    # unconnected (they belong in the chain only); C, unconnected, is, whatever the order of
    # the hashes (here one after A's).
    c = entry_where(
        lambda e: e.candidate_hash > A.candidate_hash,
        Z,
        b"\x0c",
        b"\x0d",
        state=CandidateState.BACKED,
    )
    in_scope = populate(scope(pending=(a_claims_1, b_claims_0)), A, B, c)
    assert in_scope.candidate_hashes() == ()
    assert unconnected(in_scope) == {c.candidate_hash}


def test_a_pending_candidate_is_checked_against_the_relay_parent_its_record_names() -> None:
    # The runtime's record gives the pending candidate's relay parent; validation data naming
    # another storage root for that block does not fit it, so the chain cannot start there.
    elsewhere = RelayChainBlockInfo(X.hash, X.number, b"\x55" * 32)
    chain = populate(scope(pending=(pending(A, elsewhere),)), A, B, C)
    assert chain.candidate_hashes() == ()
    assert populate(scope(pending=(pending(A, X),)), A, B, C).candidate_hashes() == (
        A.candidate_hash,
        B.candidate_hash,
        C.candidate_hash,
    )


def test_candidates_whose_outputs_break_the_constraints_stay_out() -> None:
    bad_watermark = backed(Z, b"\x0c", b"\x0d", 1000)
    chain = populate(scope(), A, B, bad_watermark)
    assert chain.candidate_hashes() == (A.candidate_hash, B.candidate_hash)
    problem = chain.can_add_candidate_as_potential(bad_watermark)
    assert problem is not None and problem.kind is K.CheckAgainstConstraints
    assert (
        problem.validity is not None
        and problem.validity.kind is FragmentValidityErrorKind.OutputsInvalid
    )
    assert problem.validity.modification is not None
    assert problem.validity.modification.kind is ModificationErrorKind.DisallowedHrmpWatermark


def test_an_unconnected_candidate_is_held_to_its_commitments_only() -> None:
    loose = entry(Z, b"\x77", b"\x78", 1000)  # a watermark no constraints allow
    chain = populate(scope())
    assert chain.can_add_candidate_as_potential(loose) is None
    big = replace(
        loose,
        candidate=replace(loose.candidate, validation_code_hash=b"\x01" * 32),
    )
    problem = chain.can_add_candidate_as_potential(big)
    assert problem is not None and problem.validity is not None
    assert problem.validity.kind is FragmentValidityErrorKind.ValidationCodeMismatch


def test_scheduling_parents_need_not_advance_along_the_chain() -> None:
    first = backed(Y, b"\x0a", b"\x0b", scheduling_parent=Z.hash)
    second = backed(Y, b"\x0b", b"\x0c", scheduling_parent=X.hash)
    chain = populate(scope(), first, second)
    assert chain.candidate_hashes() == (first.candidate_hash, second.candidate_hash)


def test_a_v3_candidate_may_have_a_relay_parent_outside_the_scheduling_scope() -> None:
    old = block(5, 0x50)
    v3 = backed(old, b"\x0a", b"\x0b", scheduling_parent=Z.hash)
    chain = populate(scope(constraints(5, (5,), b"\x0a")), v3)
    assert chain.candidate_hashes() == (v3.candidate_hash,)
    assert chain.find_backable_chain((), 1) == (BackableCandidateRef(v3.candidate_hash, Z.hash),)


def test_a_cycle_among_unconnected_candidates_is_walked_once() -> None:
    there = entry(X, b"\x0a", b"\x0b")
    back = entry(X, b"\x0b", b"\x0a")
    chain = populate(scope(), there, back)
    assert chain.candidate_hashes() == ()
    assert unconnected(chain) == {there.candidate_hash, back.candidate_hash}


def test_an_ineligible_subtree_beside_a_cycle_is_trimmed_whole() -> None:
    # Under 0x0b: `back` returns to the visited 0x0a, `lost` (scheduling parent out of scope)
    # has no potential, so neither has `below`, its child, though alone it would.
    there = entry(X, b"\x0a", b"\x0b")
    back = entry(Y, b"\x0b", b"\x0a")
    lost = entry_where(
        lambda e: e.candidate_hash > back.candidate_hash,
        Y,
        b"\x0b",
        b"\x0c",
        scheduling_parent=block(7).hash,
    )
    below = entry(Z, b"\x0c", b"\x0d")
    chain = populate(scope(), there, back, lost, below)
    assert chain.candidate_hashes() == ()
    assert unconnected(chain) == {there.candidate_hash, back.candidate_hash}
    assert chain.can_add_candidate_as_potential(below) is None


def _backed_below_b(
    relay_parent: RelayChainBlockInfo = Y,
    head: bytes = b"\xd0",
    hrmp_watermark: int | None = None,
    **options: object,
) -> Callable[[], CandidateEntry]:
    # A backed sibling of B (on 0x0b) with a lower hash, so the fork choice would prefer it.
    return lambda: entry_where(
        lambda e: e.candidate_hash < B.candidate_hash,
        relay_parent,
        b"\x0b",
        head,
        hrmp_watermark,
        CandidateState.BACKED,
        **options,
    )


@pytest.mark.parametrize(
    ("build", "problem"),
    [
        (_backed_below_b(scheduling_parent=block(7).hash), K.SchedulingParentNotInScope),
        (_backed_below_b(head=b"\x0a"), K.Cycle),
        (_backed_below_b(relay_parent=X, hrmp_watermark=0), K.RelayParentMovedBackwards),
        (_backed_below_b(hrmp_watermark=1000), K.CheckAgainstConstraints),
    ],
    ids=["out of scope", "cycle", "relay parent backwards", "constraints"],
)
def test_an_ineligible_child_with_a_lower_hash_leaves_the_chain_to_its_eligible_sibling(
    build: Callable[[], CandidateEntry], problem: FragmentChainErrorKind
) -> None:
    a_on_y = backed(Y, b"\x0a", b"\x0b")
    sibling = build()
    chain = populate(scope(), a_on_y, B, sibling)
    assert chain.candidate_hashes() == (a_on_y.candidate_hash, B.candidate_hash)
    assert unconnected(chain) == set()
    assert kind(chain.can_add_candidate_as_potential(sibling)) is problem


def test_a_chain_whose_nodes_no_longer_fit_its_base_stops_and_reports_it() -> None:
    # Only a chain given another scope by hand gets here: its own operations never build one.
    chain = populate(scope(), A, B)
    starved = replace(chain, scope=scope(constraints(0, (0,), b"\x0a", dmp_remaining_messages=())))
    assert starved.check_potential_lightweight(
        Z.hash, Z, bytes(32), B.output_head_data_hash, None
    ) == FragmentChainError(
        K.ComputeConstraints,
        modification=ModificationError(
            ModificationErrorKind.DmpMessagesUnderflow, remaining=0, submitted=2
        ),
    )
    c = entry(Z, b"\x0c", b"\x0d")
    waiting = replace(starved, unconnected=CandidateStorage.of([c]))
    backed_c = waiting.candidate_backed(c.candidate_hash)
    assert backed_c.candidate_hashes() == (A.candidate_hash, B.candidate_hash)
    assert unconnected(backed_c) == set()


@pytest.mark.parametrize(
    ("call", "name", "value", "reason"),
    [
        (
            lambda chain: chain.can_add_candidate_as_potential("e"),
            "entry",
            "e",
            "must be a CandidateEntry",
        ),
        (
            lambda chain: chain.try_adding_seconded_candidate("e"),
            "entry",
            "e",
            "must be a CandidateEntry",
        ),
        (
            lambda chain: chain.populate_from_previous("p"),
            "previous",
            "p",
            "must be a FragmentChain",
        ),
    ],
)
def test_the_operations_refuse_an_argument_of_the_wrong_type_naming_it(
    call: Callable[[FragmentChain], object], name: str, value: object, reason: str
) -> None:
    chain = populate(scope(), A)
    assert refusal(lambda: call(chain)) == ("FragmentChain", name, value, reason)


def test_init_refuses_what_is_not_a_scope_or_a_storage() -> None:
    assert refusal(lambda: FragmentChain.init("scope", CandidateStorage())) == (  # type: ignore[arg-type]
        "FragmentChain",
        "scope",
        "scope",
        "must be a Scope",
    )
    assert refusal(lambda: FragmentChain.init(scope(), (A,))) == (  # type: ignore[arg-type]
        "FragmentChain",
        "pending_availability",
        (A,),
        "must be a CandidateStorage",
    )


# -- the fork choice ---------------------------------------------------------------------------


def test_between_backed_forks_the_lowest_candidate_hash_wins() -> None:
    one = backed(X, b"\x0a", b"\xb1")
    two = entry_where(
        lambda e: e.candidate_hash > one.candidate_hash,
        X,
        b"\x0a",
        b"\xb2",
        state=CandidateState.BACKED,
    )
    low, high = sorted((one, two), key=lambda e: e.candidate_hash)
    chain = populate(scope(), high, low)
    assert chain.candidate_hashes() == (low.candidate_hash,)
    assert unconnected(chain) == set()
    assert chain.can_add_candidate_as_potential(high) == FragmentChainError(
        K.ForkChoiceRule, candidate_hash=low.candidate_hash
    )


def test_between_two_pending_forks_the_lowest_candidate_hash_still_wins() -> None:
    # No runtime gives two pending candidates on one head, but a scope may say so: the choice
    # stays deterministic (ascending hash order, as everywhere in the module), whatever the
    # order of the scope's pending list.
    fork = entry_where(
        lambda e: e.candidate_hash != A.candidate_hash,
        X,
        b"\x0a",
        b"\xb2",
        state=CandidateState.BACKED,
    )
    low, high = sorted((A, fork), key=lambda e: e.candidate_hash)
    for listed in ((low, high), (high, low)):
        s = scope(pending=tuple(pending(e, X) for e in listed))
        chain = populate(s, A, fork)
        assert chain.candidate_hashes() == (low.candidate_hash,)
        assert unconnected(chain) == set()


def test_backing_a_lower_hash_fork_later_reorganises_the_chain() -> None:
    high = backed(X, b"\x0a", b"\xb1")
    low = entry_where(lambda e: e.candidate_hash < high.candidate_hash, X, b"\x0a", b"\xb2")
    chain = populate(scope(), high)
    assert chain.candidate_hashes() == (high.candidate_hash,)
    chain, problem = chain.try_adding_seconded_candidate(low)
    assert problem is None and unconnected(chain) == {low.candidate_hash}
    chain = chain.candidate_backed(low.candidate_hash)
    assert chain.candidate_hashes() == (low.candidate_hash,)
    assert unconnected(chain) == set()


def test_a_seconded_fork_with_a_higher_hash_is_refused() -> None:
    low = backed(X, b"\x0a", b"\xb1")
    high = entry_where(lambda e: e.candidate_hash > low.candidate_hash, X, b"\x0a", b"\xb2")
    chain = populate(scope(), low)
    same, problem = chain.try_adding_seconded_candidate(high)
    assert same is chain
    assert problem == FragmentChainError(K.ForkChoiceRule, candidate_hash=low.candidate_hash)


# -- a chain of forks, seconding, backing and moving on (polkadot-sdk's larger scenario) -------


def test_forks_trimmed_and_kept_through_backing_pending_and_inclusion() -> None:
    s = scope(max_backable_len=3)
    d = backed(Z, b"\x0d", b"\x0e")
    f = entry(Z, b"\x0f", b"\xf1", 1000)
    chain = populate(s, A, B, C)
    assert chain.can_add_candidate_as_potential(d) is None
    assert chain.can_add_candidate_as_potential(f) is None
    # A1 forks A with a higher hash, with a subtree B1 -> {C1, C2} under it.
    a1 = entry_where(
        lambda e: e.candidate_hash > A.candidate_hash,
        X,
        b"\x0a",
        b"\xb1",
        state=CandidateState.BACKED,
    )
    b1 = entry(X, b"\xb1", b"\xc1", 0)
    c1 = backed(X, b"\xc1", b"\xd1", 0)
    c2 = entry(X, b"\xc1", b"\xd2", 0)
    assert chain.can_add_candidate_as_potential(a1) == FragmentChainError(
        K.ForkChoiceRule, candidate_hash=A.candidate_hash
    )
    # A2 forks A with a lower hash; B2, backed, builds on it.
    a2 = entry_where(lambda e: e.candidate_hash < A.candidate_hash, X, b"\x0a", b"\xb3")
    b2 = backed(Y, b"\xb3", b"\xb4")
    chain = populate(s, A, B, C, d, f, a1, b1, c1, c2, a2, b2)
    assert chain.candidate_hashes() == (A.candidate_hash, B.candidate_hash, C.candidate_hash)
    assert unconnected(chain) == {
        d.candidate_hash,
        f.candidate_hash,
        a2.candidate_hash,
        b2.candidate_hash,
    }
    assert kind(chain.can_add_candidate_as_potential(A)) is K.CandidateAlreadyKnown
    assert kind(chain.can_add_candidate_as_potential(f)) is K.CandidateAlreadyKnown

    # Backing A2 reorganises the chain: A2 -> B2; only F, truly unconnected, stays.
    reorganised = chain.candidate_backed(a2.candidate_hash)
    assert reorganised.candidate_hashes() == (a2.candidate_hash, b2.candidate_hash)
    assert unconnected(reorganised) == {f.candidate_hash}
    assert kind(reorganised.can_add_candidate_as_potential(a1)) is K.ForkChoiceRule
    assert kind(reorganised.can_add_candidate_as_potential(A)) is K.ForkChoiceRule

    # E, F's parent, arrives seconded: it changes nothing in the chain.
    e = entry(Z, b"\x0e", b"\x0f")
    chain = populate(s, A, B, C, d, f, a1, b1, c1, c2, a2, b2, e)
    assert chain.candidate_hashes() == (A.candidate_hash, B.candidate_hash, C.candidate_hash)
    assert unconnected(chain) == {
        d.candidate_hash,
        f.candidate_hash,
        a2.candidate_hash,
        b2.candidate_hash,
        e.candidate_hash,
    }

    # A, B and C go pending availability: A2 and B2 are trimmed.
    on_chain = scope(pending=(pending(A, X), pending(B, Y), pending(C, Z)), max_backable_len=0)
    chain = populate(on_chain, A, B, C, d, f, a1, b1, c1, c2, a2, b2, e)
    assert chain.candidate_hashes() == (A.candidate_hash, B.candidate_hash, C.candidate_hash)
    assert unconnected(chain) == {d.candidate_hash, f.candidate_hash, e.candidate_hash}
    assert kind(chain.can_add_candidate_as_potential(A)) is K.CandidateAlreadyKnown

    # A, B and C are included: the next leaf's chain starts at 0x0d and takes D.
    included = scope(constraints(0, (0,), b"\x0d"), max_backable_len=2)
    moved = FragmentChain.init(included, CandidateStorage()).populate_from_previous(chain)
    assert moved.candidate_hashes() == (d.candidate_hash,)
    assert unconnected(moved) == {e.candidate_hash, f.candidate_hash}

    # Backing E chains it; F, whose watermark is invalid, is dropped.
    moved = moved.candidate_backed(e.candidate_hash)
    assert moved.candidate_hashes() == (d.candidate_hash, e.candidate_hash)
    assert unconnected(moved) == set()
    assert kind(moved.can_add_candidate_as_potential(f)) is K.CheckAgainstConstraints


# -- seconding and backing ---------------------------------------------------------------------


def test_a_seconded_candidate_joins_the_unconnected_storage_never_the_chain() -> None:
    chain = FragmentChain.init(scope(), CandidateStorage())
    a = entry(X, b"\x0a", b"\x0b")
    added, problem = chain.try_adding_seconded_candidate(a)
    assert problem is None
    assert added.candidate_hashes() == () and unconnected(added) == {a.candidate_hash}
    assert chain.candidate_hashes() == () and unconnected(chain) == set()  # unchanged
    again, known = added.try_adding_seconded_candidate(a)
    assert again is added and known == FragmentChainError(K.CandidateAlreadyKnown)


def test_backing_a_candidate_keeps_its_lower_hash_seconded_sibling_as_potential() -> None:
    # The sibling may still replace it once backed (the fork choice), so it stays unconnected.
    high = entry(Y, b"\x0b", b"\x0c")
    low = entry_where(lambda e: e.candidate_hash < high.candidate_hash, Y, b"\x0b", b"\xc9")
    chain = populate(scope(), A)
    for e in (high, low):
        chain, problem = chain.try_adding_seconded_candidate(e)
        assert problem is None
    chain = chain.candidate_backed(high.candidate_hash)
    assert chain.candidate_hashes() == (A.candidate_hash, high.candidate_hash)
    assert unconnected(chain) == {low.candidate_hash}


def test_a_backed_candidate_cannot_be_introduced_directly() -> None:
    chain = FragmentChain.init(scope(), CandidateStorage())
    same, problem = chain.try_adding_seconded_candidate(A)
    assert same is chain and problem == FragmentChainError(K.IntroduceBackedCandidate)


def test_a_seconded_candidate_without_potential_is_refused_and_nothing_changes() -> None:
    chain = FragmentChain.init(scope(scheduling=frozenset({Y.hash})), CandidateStorage())
    a = entry(X, b"\x0a", b"\x0b")
    same, problem = chain.try_adding_seconded_candidate(a)
    assert same is chain
    assert problem == FragmentChainError(K.SchedulingParentNotInScope, block_hash=X.hash)


def test_backing_the_candidate_that_builds_on_the_required_parent_starts_the_chain() -> None:
    a = entry(X, b"\x0a", b"\x0b")
    chain, _ = FragmentChain.init(scope(), CandidateStorage()).try_adding_seconded_candidate(a)
    assert not chain.is_candidate_backed(a.candidate_hash)
    chain = chain.candidate_backed(a.candidate_hash)
    assert chain.candidate_hashes() == (a.candidate_hash,)
    assert chain.is_candidate_backed(a.candidate_hash)
    assert chain.candidate_backed(a.candidate_hash) is chain
    assert chain.candidate_backed(bytes(32)) is chain


def test_an_unconnected_candidate_joins_once_its_parent_is_backed() -> None:
    a, b, c = (entry(X, b"\x0a", b"\x0b"), entry(Y, b"\x0b", b"\x0c"), entry(Z, b"\x0c", b"\x0d"))
    chain = FragmentChain.init(scope(), CandidateStorage())
    for e in (c, b, a):
        chain, problem = chain.try_adding_seconded_candidate(e)
        assert problem is None
    chain = chain.candidate_backed(c.candidate_hash)
    chain = chain.candidate_backed(b.candidate_hash)
    assert chain.candidate_hashes() == ()
    assert chain.is_candidate_backed(b.candidate_hash) and chain.contains_unconnected_candidate(
        b.candidate_hash
    )
    chain = chain.candidate_backed(a.candidate_hash)
    assert chain.candidate_hashes() == (a.candidate_hash, b.candidate_hash, c.candidate_hash)
    assert unconnected(chain) == set()


def test_backing_a_candidate_on_a_middle_head_rebuilds_the_chain_from_there() -> None:
    b_high = B
    b_low = entry_where(lambda e: e.candidate_hash < B.candidate_hash, Y, b"\x0b", b"\xc9")
    chain = populate(scope(), A, b_high, C)
    chain, problem = chain.try_adding_seconded_candidate(b_low)
    assert problem is None
    chain = chain.candidate_backed(b_low.candidate_hash)
    assert chain.candidate_hashes() == (A.candidate_hash, b_low.candidate_hash)
    # B and C lost to the fork: they are trimmed.
    assert unconnected(chain) == set()


def test_backing_trims_only_below_the_backed_candidates_parent() -> None:
    # `candidate_backed` trims the forks from the candidate's parent head down, as Rust does.
    # X, a lower-hash fork of A, and N, on A, both output 0x0c; Y builds on 0x0c. Backing N
    # chains it: X is now a second path to 0x0c and is dropped, but Y, a child of the chain's
    # new tip, keeps its potential and stays unconnected.
    x = entry_where(lambda e: e.candidate_hash < A.candidate_hash, X, b"\x0a", b"\x0c")
    n = entry(Y, b"\x0b", b"\x0c")
    y = entry(Z, b"\x0c", b"\x0d")
    chain = populate(scope(), A)
    for e in (x, n, y):
        chain, problem = chain.try_adding_seconded_candidate(e)
        assert problem is None
    chain = chain.candidate_backed(n.candidate_hash)
    assert chain.candidate_hashes() == (A.candidate_hash, n.candidate_hash)
    assert unconnected(chain) == {y.candidate_hash}
    assert chain.can_add_candidate_as_potential(x) == FragmentChainError(K.MultiplePaths)


def test_backing_a_chain_candidate_changes_nothing_even_if_also_listed_unconnected() -> None:
    # Only a chain built by hand lists a candidate in both places; its operations never do.
    chain = populate(scope(), A)
    seconded_a = replace(A, state=CandidateState.SECONDED)
    both = replace(chain, unconnected=CandidateStorage.of([seconded_a]))
    assert both.candidate_backed(A.candidate_hash) == both


def test_a_para_holding_three_cores_gets_a_backable_chain_of_three() -> None:
    d = backed(Z, b"\x0d", b"\x0e")
    chain = populate(scope(max_backable_len=3), A, B, C, d)
    assert len(chain) == 3
    assert chain.find_backable_chain((), 3) == tuple(
        BackableCandidateRef(e.candidate_hash, e.scheduling_parent) for e in (A, B, C)
    )
    assert unconnected(chain) == {d.candidate_hash}


# -- the lightweight (hypothetical) check: every variant --------------------------------------


def test_the_lightweight_check_names_each_problem() -> None:
    a_on_y = backed(Y, b"\x0a", b"\x0b")
    chain = populate(scope(), A, B)
    light = chain.check_potential_lightweight
    assert (
        kind(light(X.hash, None, A.candidate_hash, b"\x00" * 32, None)) is K.CandidateAlreadyKnown
    )
    seconded = entry(Z, b"\x77", b"\x78")
    with_seconded, _ = chain.try_adding_seconded_candidate(seconded)
    assert with_seconded.check_potential_lightweight(
        Z.hash, None, seconded.candidate_hash, seconded.parent_head_data_hash, None
    ) == FragmentChainError(K.CandidateAlreadyKnown)
    assert light(block(9).hash, None, C.candidate_hash, C.parent_head_data_hash, None) == (
        FragmentChainError(K.SchedulingParentNotInScope, block_hash=block(9).hash)
    )
    same = head_data_hash(b"\x77")
    assert kind(light(Z.hash, None, C.candidate_hash, same, same)) is K.ZeroLengthCycle
    low, high = bytes(32), b"\xff" * 32
    assert light(Z.hash, None, high, A.parent_head_data_hash, None) == FragmentChainError(
        K.ForkChoiceRule, candidate_hash=A.candidate_hash
    )
    assert light(Z.hash, None, low, A.parent_head_data_hash, None) is None
    pending_chain = populate(scope(pending=(pending(a_on_y, Y),)), a_on_y)
    assert pending_chain.check_potential_lightweight(
        Z.hash, None, low, A.parent_head_data_hash, None
    ) == FragmentChainError(
        K.ForkWithCandidatePendingAvailability, candidate_hash=a_on_y.candidate_hash
    )
    loose = head_data_hash(b"\x99")
    assert kind(light(Z.hash, None, low, loose, A.parent_head_data_hash)) is K.Cycle
    assert kind(light(Z.hash, None, low, loose, B.output_head_data_hash)) is K.MultiplePaths
    # Without a relay parent the relay-parent rules are not looked at.
    assert light(Z.hash, None, low, B.output_head_data_hash, None) is None
    assert kind(light(Z.hash, X, low, B.output_head_data_hash, None)) is K.RelayParentMovedBackwards
    assert light(Z.hash, Y, low, B.output_head_data_hash, None) is None
    assert (
        kind(pending_chain.check_potential_lightweight(Z.hash, X, low, loose, None))
        is K.RelayParentPrecedesCandidatePendingAvailability
    )
    strict = populate(scope(constraints(2, (0,), b"\x0a")))
    assert strict.check_potential_lightweight(Z.hash, Y, low, loose, None) == FragmentChainError(
        K.RelayParentNotInScope, block_hash=Y.hash
    )


def test_the_relay_parent_minimum_is_checked_before_the_move_backwards() -> None:
    strict = populate(scope(constraints(1, (0,), b"\x0a")), backed(Y, b"\x0a", b"\x0b"))
    on_it = head_data_hash(b"\x0b")
    assert kind(strict.check_potential_lightweight(Z.hash, X, bytes(32), on_it, None)) is (
        K.RelayParentNotInScope
    )


# -- queries -----------------------------------------------------------------------------------


def test_head_data_is_found_by_hash_in_the_scope_the_chain_and_the_storage() -> None:
    loose = entry(Z, b"\x77", b"\x78")
    chain, _ = populate(scope(), A, B).try_adding_seconded_candidate(loose)
    assert chain.get_head_data_by_hash(head_data_hash(b"\x0a")) == b"\x0a"
    assert chain.get_head_data_by_hash(head_data_hash(b"\x0b")) == b"\x0b"
    assert chain.get_head_data_by_hash(head_data_hash(b"\x0c")) == b"\x0c"
    assert chain.get_head_data_by_hash(head_data_hash(b"\x77")) == b"\x77"
    assert chain.get_head_data_by_hash(head_data_hash(b"\x78")) == b"\x78"
    assert chain.get_head_data_by_hash(head_data_hash(b"\x79")) is None


def test_a_chain_built_by_hand_must_link_each_node_to_the_previous_head() -> None:
    chain = populate(scope(), A, B)
    assert refusal(lambda: replace(chain, chain=chain.chain[1:])) == (
        "FragmentChain",
        "chain[0]",
        chain.chain[1],
        "does not build on the previous head",
    )


def test_a_chain_built_by_hand_may_not_close_a_cycle_nor_so_repeat_a_candidate() -> None:
    # A (0a -> 0b), B (0b -> 0c), then a node back to 0a, after which A could come again.
    chain = populate(scope(), A, B)
    at_c = scope(constraints(required_parent=b"\x0c"))
    back = populate(at_c, backed(Y, b"\x0c", b"\x0a")).chain[0]
    cycle = (*chain.chain, back)
    assert refusal(lambda: replace(chain, chain=cycle)) == (
        "FragmentChain",
        "chain[2]",
        back,
        "outputs a head already in the chain",
    )
    assert refusal(lambda: replace(chain, chain=(*cycle, chain.chain[0])))[1] == "chain[2]"
    # A cycle back to a head some node output (0x0b, A's), not only to the required parent.
    back_to_b = populate(at_c, backed(Y, b"\x0c", b"\x0b")).chain[0]
    assert refusal(lambda: replace(chain, chain=(*chain.chain, back_to_b))) == (
        "FragmentChain",
        "chain[2]",
        back_to_b,
        "outputs a head already in the chain",
    )


def test_a_chain_built_by_hand_may_not_claim_one_candidate_hash_twice() -> None:
    # B's heads with A's hash: the links hold, the hashes repeat (an entry cannot check its own
    # hash, it keeps no receipt), and every lookup by hash would find one node for two.
    chain = populate(scope(), A, B)
    b = chain.chain[1]
    twin = replace(b, entry=replace(b.entry, candidate_hash=A.candidate_hash))
    assert refusal(lambda: replace(chain, chain=(chain.chain[0], twin))) == (
        "FragmentChain",
        "chain[1]",
        twin,
        "repeats a candidate of the chain",
    )


# -- find_backable_chain -----------------------------------------------------------------------

ROOT_HEAD = b"\xff"


def six_candidates() -> list[CandidateEntry]:
    # Candidate 0 builds on the required parent, candidate i on candidate i - 1, all on block X.
    heads = [ROOT_HEAD, *(bytes([i]) for i in range(6))]
    return [entry(X, heads[i], heads[i + 1], 0) for i in range(6)]


def refs(candidates: list[CandidateEntry], indices: range) -> tuple[BackableCandidateRef, ...]:
    return tuple(BackableCandidateRef(candidates[i].candidate_hash, X.hash) for i in indices)


def seconded_chain(s: Scope, candidates: list[CandidateEntry]) -> FragmentChain:
    chain = FragmentChain.init(s, CandidateStorage())
    for e in candidates:
        chain, problem = chain.try_adding_seconded_candidate(e)
        assert problem is None
    return chain


def test_find_backable_chain_on_an_empty_chain_gives_nothing() -> None:
    chain = FragmentChain.init(
        scope(constraints(0, (0,), ROOT_HEAD), max_backable_len=10), CandidateStorage()
    )
    assert chain.find_backable_chain((), 2) == ()
    assert chain.find_backable_chain((bytes(32),), 2) == ()


def test_only_backed_candidates_connected_to_the_root_are_backable() -> None:
    cs = six_candidates()
    chain = seconded_chain(scope(constraints(0, (0,), ROOT_HEAD), max_backable_len=6), cs)
    assert len(chain) == 0 and len(chain.unconnected) == 6
    for i in (5, 3, 4, 1):
        chain = chain.candidate_backed(cs[i].candidate_hash)
        assert all(chain.find_backable_chain((), n) == () for n in range(10))
    chain = chain.candidate_backed(cs[0].candidate_hash)
    assert chain.find_backable_chain((), 1) == refs(cs, range(1))
    assert all(chain.find_backable_chain((), n) == refs(cs, range(2)) for n in range(2, 10))
    chain = chain.candidate_backed(cs[2].candidate_hash)
    assert len(chain) == 6
    for n in range(10):
        assert chain.find_backable_chain((), n) == refs(cs, range(min(n, 6)))


def test_find_backable_chain_skips_the_ancestors_that_form_a_path_from_the_root() -> None:
    cs = six_candidates()
    chain = seconded_chain(scope(constraints(0, (0,), ROOT_HEAD), max_backable_len=6), cs)
    for e in reversed(cs):
        chain = chain.candidate_backed(e.candidate_hash)
    h = [e.candidate_hash for e in cs]
    find = chain.find_backable_chain
    assert find((), 0) == ()
    assert find((), 5) == refs(cs, range(5))
    assert find((), 7) == refs(cs, range(6))
    # An ancestor not in the chain is ignored; so are ancestors off the path from the root.
    assert find((bytes(32),), 4) == refs(cs, range(4))
    assert find((h[1], bytes(32)), 4) == refs(cs, range(4))
    assert find((h[0], bytes(32)), 4) == refs(cs, range(1, 5))
    assert find((h[1], h[2]), 4) == refs(cs, range(4))
    # A path in any order.
    assert find((h[2], h[0], h[1]), 2) == refs(cs, range(3, 5))
    assert all(find((h[2], h[0], h[1]), n) == refs(cs, range(3, 6)) for n in range(3, 10))
    # A gap (a candidate timed out): the path stops at it.
    assert find((h[0], h[2]), 3) == refs(cs, range(1, 4))
    assert find((h[0], h[1], h[3]), 4) == refs(cs, range(2, 6))
    assert find((h[0], h[1], h[3]), 0) == ()


def test_find_backable_chain_stops_at_a_candidate_pending_availability() -> None:
    cs = six_candidates()
    s = scope(constraints(0, (0,), ROOT_HEAD), (pending(cs[3], X),), 5)
    chain = populate(s, *(replace(e, state=CandidateState.BACKED) for e in cs))
    assert chain.find_backable_chain((cs[0].candidate_hash, cs[1].candidate_hash), 3) == refs(
        cs, range(2, 3)
    )


@pytest.mark.parametrize("count", [-1, True, 1.0])
def test_find_backable_chain_refuses_a_count_that_is_not_a_non_negative_int(count: object) -> None:
    assert refusal(lambda: populate(scope()).find_backable_chain((), count)) == (  # type: ignore[arg-type]
        "FragmentChain",
        "count",
        count,
        "must be a non-negative int",
    )


# -- carrying a chain over to a new leaf -------------------------------------------------------


def test_a_chain_is_carried_over_to_the_next_leaf() -> None:
    c = entry(Z, b"\x0c", b"\x0d")
    previous, _ = populate(scope(), A, B).try_adding_seconded_candidate(c)
    # At the new leaf A is pending availability; B stays backed; C stays seconded.
    new_scope = scope(pending=(pending(A, X),))
    fresh = FragmentChain.init(new_scope, CandidateStorage.of([A]))
    carried = fresh.populate_from_previous(previous)
    assert carried.candidate_hashes() == (A.candidate_hash, B.candidate_hash)
    assert unconnected(carried) == {c.candidate_hash}
    assert carried.scope == new_scope


def test_a_seconded_child_of_a_candidate_gone_pending_is_trimmed_on_carry_over_as_in_rust() -> None:
    # Rust's `populate_from_previous` offers the previous chain's backed candidate again; now
    # pending and already in the new chain, it fails its own fork check in
    # `trim_uneligible_forks`, which removes it from the storage with its subtree: the seconded
    # child is lost at the new leaf. Mirrored here, not endorsed.
    child = entry(Y, b"\x0b", b"\x0c")
    previous, _ = populate(scope(), A).try_adding_seconded_candidate(child)
    assert unconnected(previous) == {child.candidate_hash}
    new_scope = scope(pending=(pending(A, X),))
    carried = FragmentChain.init(new_scope, CandidateStorage.of([A])).populate_from_previous(
        previous
    )
    assert carried.candidate_hashes() == (A.candidate_hash,)
    assert unconnected(carried) == set()
    assert carried.can_add_candidate_as_potential(child) is None


def test_candidates_that_were_pending_are_not_carried_over() -> None:
    previous = populate(scope(pending=(pending(A, X),)), A, B)
    included = scope(constraints(0, (0,), b"\x0b"))
    carried = FragmentChain.init(included, CandidateStorage()).populate_from_previous(previous)
    assert carried.candidate_hashes() == (B.candidate_hash,)
    assert not carried.contains(A.candidate_hash) and unconnected(carried) == set()


def test_a_carried_over_candidate_may_not_precede_the_new_chains_pending_head() -> None:
    a_on_y = backed(Y, b"\x0a", b"\x0b")
    b_on_x = backed(X, b"\x0b", b"\x0c", 0)
    s = scope(pending=(pending(a_on_y, Y),))
    started = FragmentChain.init(s, CandidateStorage.of([a_on_y]))
    assert started.candidate_hashes() == (a_on_y.candidate_hash,)
    carried = started.populate_from_previous(populate(scope(), b_on_x))
    assert carried.candidate_hashes() == (a_on_y.candidate_hash,)
    assert unconnected(carried) == set()
    assert carried.can_add_candidate_as_potential(b_on_x) == FragmentChainError(
        K.RelayParentPrecedesCandidatePendingAvailability,
        block_hash=X.hash,
        pending_relay_parent=Y.hash,
    )


def test_a_candidate_hash_already_in_the_chain_is_never_taken_again() -> None:
    # An entry built by hand may name A's hash with other heads (the record checks the heads,
    # not the hash): building on A's output, it must not put A's hash in the chain twice.
    started = FragmentChain.init(scope(), CandidateStorage.of([A]))
    same_hash = replace(B, candidate_hash=A.candidate_hash)
    carried = started.populate_from_previous(populate(scope(), same_hash))
    assert carried.candidate_hashes() == (A.candidate_hash,)


def test_candidates_out_of_the_new_scope_are_dropped_when_carried_over() -> None:
    previous = populate(scope(), A, B)
    carried = FragmentChain.init(
        scope(scheduling=frozenset({Z.hash})), CandidateStorage()
    ).populate_from_previous(previous)
    assert carried.candidate_hashes() == () and unconnected(carried) == set()
