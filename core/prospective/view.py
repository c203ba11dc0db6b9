# The prospective-parachains subsystem's state as pure data: one view per retained scheduling
# parent (each active leaf and the ancestors in its scheduling scope), holding a fragment chain
# per para the claim queue schedules, and the subsystem's messages as pure steps on it. What
# belongs here: building a leaf's chains from what the runtime says at the leaf (claim queue,
# backing constraints, candidates pending availability, relay-parent info), carrying the parent
# leaf's chains over, pruning, and answering the messages. The runtime and chain API calls Rust
# makes are the caller's: their answers arrive in a `LeafActivation`.
#
# Sources: polkadot-sdk@00c84144 polkadot/node/core/prospective-parachains/src/lib.rs (M-pp26:
# `handle_active_leaves_update`, `preprocess_candidates_pending_availability`,
# `fetch_scheduling_parent_ancestors`, `verify_relay_parent_within_scope`,
# `handle_introduce_seconded_candidate`, `handle_candidate_backed`,
# `answer_get_backable_candidates`, `answer_hypothetical_membership_request`);
# `SchedulingScope::new` of `.../fragment_chain/mod.rs`, 2026 version (M-fc26);
# `transpose_claim_queue` of polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs.
#
# Simplified, and said where it matters: relay-parent info is one lookup per leaf keyed by hash
# (Rust asks the runtime per (session, hash) and caches by the leaf's session); the session's
# execution config (runtime API v17) is taken as unavailable, so `max_pov_size` is always the
# base constraints'. `GetProspectiveValidationData` is not modelled.
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Union

from pyrsistent import PMap as _PMapType
from pyrsistent import pmap
from pyrsistent.typing import PMap

from ..errors import InvalidRecord
from ..identity_cache import IdentityCache
from ..records import _checks as c
from ..records.candidate import CommittedCandidateReceipt, PersistedValidationData
from ..today.claim_queue import TransposedClaimQueue
from .candidates import CandidateEntry, CandidateEntryError, CandidateState, CandidateStorage
from .constraints import Constraints, RelayChainBlockInfo
from .fragment_chain import (
    BackableCandidateRef,
    FragmentChain,
    FragmentChainErrorKind,
    PendingAvailability,
    Scope,
)

__all__ = [
    "HypotheticalCandidate",
    "HypotheticalComplete",
    "HypotheticalIncomplete",
    "LeafActivation",
    "ProspectiveParachains",
    "RelayAncestor",
    "SchedulingParentView",
    "UnexpectedAncestor",
    "max_backable_len",
    "scheduling_scope",
]


@dataclass(frozen=True, slots=True)
class UnexpectedAncestor:
    """Ancestors that do not go back one block at a time (`UnexpectedAncestor`): the number
    found and the number it should have followed."""

    number: int
    prev: int

    def __post_init__(self) -> None:
        c.u32(self, "number", self.number)
        c.u32(self, "prev", self.prev)


def scheduling_scope(
    leaf_hash: bytes, leaf_number: int, ancestors: Iterable[tuple[bytes, int]]
) -> frozenset[bytes] | UnexpectedAncestor:
    """`SchedulingScope::new`: the leaf and its `ancestors` (hash, number), parent first, as
    the set of blocks a candidate's scheduling parent may be; UnexpectedAncestor at the first
    ancestor whose number is not one below the previous block's."""
    members = {leaf_hash}
    prev = leaf_number
    for ancestor, number in ancestors:
        if prev == 0 or number != prev - 1:
            return UnexpectedAncestor(number, prev)
        members.add(ancestor)
        prev = number
    return frozenset(members)


def max_backable_len(claim_queue: TransposedClaimQueue, para: int) -> int:
    """How many candidates of `para` may be backed ahead of those pending availability: the
    number of distinct cores the para holds at any depth of the claim queue (E.3.2 step 6, the
    `max_backable_chain_len` of `handle_active_leaves_update`). A para holding cores 0 and 1 at
    depth 0 and core 1 at depth 1 gets 2."""
    return len({core for _, cores in claim_queue.depths(para) for core in cores})


@dataclass(frozen=True, slots=True)
class RelayAncestor:
    """An ancestor of a new leaf: its hash, number, and the session of its child
    (`session_index_for_child`), which decides whether it may join the leaf's scope."""

    hash: bytes
    number: int
    session_index: int

    def __post_init__(self) -> None:
        c.hash32(self, "hash", self.hash)
        c.u32(self, "number", self.number)
        c.u32(self, "session_index", self.session_index)


def _pmap_field(record: object, field: str, value: Any) -> PMap[Any, Any]:
    if isinstance(value, _PMapType):
        return value
    if not isinstance(value, Mapping):
        raise InvalidRecord(type(record).__name__, field, value, "must be a mapping")
    return pmap(value)


def _relay_parents(record: object, value: Any) -> PMap[bytes, RelayChainBlockInfo]:
    lookup = _pmap_field(record, "relay_parents", value)
    for key, info in lookup.items():
        c.instance(record, "relay_parents[]", info, RelayChainBlockInfo)
        if key != info.hash:
            raise InvalidRecord(type(record).__name__, "relay_parents", key, "not the info's hash")
    return lookup


@dataclass(frozen=True, slots=True)
class LeafActivation:
    """What the runtime and chain API say at a new active leaf, the input of
    `ProspectiveParachains.activate_leaf`:

    - `hash`, `number`; `session_index`: `session_index_for_child(leaf)`.
    - `scheduling_lookahead`: the scheduler's lookahead; the scope takes up to one less
      ancestors.
    - `ancestors`: the leaf's ancestors, parent first (at least lookahead - 1 of them if the
      chain has them), each with its child's session.
    - `claim_queue`: the transposed claim queue at the leaf.
    - `constraints`: para -> backing constraints; a scheduled para without is skipped, as when
      the runtime answers None.
    - `pending`: para -> the candidates pending availability, in chain order.
    - `relay_parents`: hash -> relay-parent info the runtime gives at this leaf, for the
      pending candidates' relay parents and for verifying introduced candidates'.
    """

    hash: bytes
    number: int
    session_index: int
    scheduling_lookahead: int
    ancestors: tuple[RelayAncestor, ...]
    claim_queue: TransposedClaimQueue
    constraints: PMap[int, Constraints]
    pending: PMap[int, tuple[CommittedCandidateReceipt, ...]]
    relay_parents: PMap[bytes, RelayChainBlockInfo]

    def __post_init__(self) -> None:
        c.hash32(self, "hash", self.hash)
        c.u32(self, "number", self.number)
        c.u32(self, "session_index", self.session_index)
        c.u32(self, "scheduling_lookahead", self.scheduling_lookahead)
        c.tuple_of(self, "ancestors", self.ancestors, RelayAncestor)
        c.instance(self, "claim_queue", self.claim_queue, TransposedClaimQueue)
        constraints = _pmap_field(self, "constraints", self.constraints)
        for para, value in constraints.items():
            c.u32(self, "constraints key", para)
            c.instance(self, f"constraints[{para}]", value, Constraints)
        object.__setattr__(self, "constraints", constraints)
        pending = _pmap_field(self, "pending", self.pending)
        frozen: dict[int, tuple[CommittedCandidateReceipt, ...]] = {}
        for para, receipts in pending.items():
            c.u32(self, "pending key", para)
            if not isinstance(receipts, tuple | list) or not all(
                isinstance(r, CommittedCandidateReceipt) for r in receipts
            ):
                raise InvalidRecord(
                    "LeafActivation", f"pending[{para}]", receipts, "must be a tuple of receipts"
                )
            frozen[para] = tuple(receipts)
        object.__setattr__(self, "pending", pmap(frozen))
        object.__setattr__(self, "relay_parents", _relay_parents(self, self.relay_parents))


@dataclass(frozen=True, slots=True)
class SchedulingParentView:
    """What is kept per scheduling parent (Rust's `PerSchedulingParent`): the fragment chain of
    each scheduled para, the scheduling scope they share, the session, and the relay-parent
    info given at that block."""

    fragment_chains: PMap[int, FragmentChain]
    scheduling_scope: frozenset[bytes]
    session_index: int
    relay_parents: PMap[bytes, RelayChainBlockInfo]

    def __post_init__(self) -> None:
        chains = _pmap_field(self, "fragment_chains", self.fragment_chains)
        for para, chain in chains.items():
            c.u32(self, "fragment_chains key", para)
            c.instance(self, f"fragment_chains[{para}]", chain, FragmentChain)
        object.__setattr__(self, "fragment_chains", chains)
        if not isinstance(self.scheduling_scope, frozenset):
            raise InvalidRecord(
                "SchedulingParentView", "scheduling_scope", self.scheduling_scope, "a frozenset"
            )
        c.u32(self, "session_index", self.session_index)
        object.__setattr__(self, "relay_parents", _relay_parents(self, self.relay_parents))


@dataclass(frozen=True, slots=True)
class HypotheticalComplete:
    """A candidate known in full (`HypotheticalCandidate::Complete`): receipt and validation
    data."""

    receipt: CommittedCandidateReceipt
    persisted_validation_data: PersistedValidationData

    def __post_init__(self) -> None:
        c.instance(self, "receipt", self.receipt, CommittedCandidateReceipt)
        c.instance(
            self,
            "persisted_validation_data",
            self.persisted_validation_data,
            PersistedValidationData,
        )


@dataclass(frozen=True, slots=True)
class HypotheticalIncomplete:
    """A candidate known only from an advertisement (`HypotheticalCandidate::Incomplete`): its
    hash, para, parent head hash and scheduling parent."""

    candidate_hash: bytes
    candidate_para: int
    parent_head_data_hash: bytes
    scheduling_parent: bytes

    def __post_init__(self) -> None:
        c.hash32(self, "candidate_hash", self.candidate_hash)
        c.u32(self, "candidate_para", self.candidate_para)
        c.hash32(self, "parent_head_data_hash", self.parent_head_data_hash)
        c.hash32(self, "scheduling_parent", self.scheduling_parent)


HypotheticalCandidate = Union[HypotheticalComplete, HypotheticalIncomplete]  # noqa: UP007


def _verified(
    view: SchedulingParentView,
    receipt: CommittedCandidateReceipt,
    pvd: PersistedValidationData,
    chain: FragmentChain,
) -> bool:
    # `verify_relay_parent_within_scope`: the runtime must know the relay parent at this block,
    # with the number and storage root the validation data claims (else RelayParentOutOfScope),
    # and `max_pov_size` must be the session's, the base constraints' here (else
    # MaxPovSizeMismatch).
    info = view.relay_parents.get(receipt.descriptor.relay_parent)
    return (
        info is not None
        and info.number == pvd.relay_parent_number
        and info.storage_root == pvd.relay_parent_storage_root
        and pvd.max_pov_size == chain.scope.base_constraints.max_pov_size
    )


def _pending_storage(
    leaf: LeafActivation, constraints: Constraints, receipts: Sequence[CommittedCandidateReceipt]
) -> tuple[CandidateStorage, tuple[PendingAvailability, ...]]:
    # `preprocess_candidates_pending_availability`: each pending candidate's validation data is
    # rebuilt from the required parent (chained through the previous one's head), its relay
    # parent's info and the constraints' max_pov_size; the first candidate whose relay parent
    # is unknown, or whose entry cannot be built, ends the list.
    required = constraints.required_parent
    entries: list[CandidateEntry] = []
    pending: list[PendingAvailability] = []
    for receipt in receipts:
        info = leaf.relay_parents.get(receipt.descriptor.relay_parent)
        if info is None:
            break
        pvd = PersistedValidationData(
            required, info.number, info.storage_root, constraints.max_pov_size
        )
        entry = CandidateEntry.new(receipt, pvd, CandidateState.BACKED)
        if isinstance(entry, CandidateEntryError):
            break
        entries.append(entry)
        pending.append(PendingAvailability(entry.candidate_hash, info))
        required = receipt.commitments.head_data
    return CandidateStorage.of(entries), tuple(pending)


def _initial(leaf: LeafActivation, scope: frozenset[bytes]) -> PMap[int, FragmentChain]:
    # Each scheduled para's chain at `leaf` before anything is carried over: its candidates
    # pending availability, then room for `max_backable_len` more.
    chains: dict[int, FragmentChain] = {}
    for para in leaf.claim_queue.paras():
        constraints = leaf.constraints.get(para)
        if constraints is None:
            continue
        storage, pending = _pending_storage(leaf, constraints, leaf.pending.get(para, ()))
        para_scope = Scope(constraints, pending, max_backable_len(leaf.claim_queue, para), scope)
        chains[para] = FragmentChain.init(para_scope, storage)
    return pmap(chains)


def _carried_over(chain: FragmentChain, before: FragmentChain | None) -> FragmentChain:
    if before is None:
        return chain
    return _CARRIED_OVER.get_or_compute(
        (chain, before), None, partial(chain.populate_from_previous, before)
    )


# Both steps of a leaf's activation are pure functions of immutable inputs, and cached by their
# identity (identity_cache.py): every node of a network activates the same leaf from the same
# runtime answer, and for a para it has seen no candidate of, carries over the same chain; the
# first node computes, the others find the result. Sized for the leaves (and the paras x
# leaves) a network works on at once.
_INITIAL_CHAINS: IdentityCache[PMap[int, FragmentChain]] = IdentityCache(8)
_CARRIED_OVER: IdentityCache[FragmentChain] = IdentityCache(4096)


@dataclass(frozen=True, slots=True)
class ProspectiveParachains:
    """The subsystem's state (Rust's `View`): the view of each retained scheduling parent and
    the active leaves (each of which has a view). Every step returns a new state."""

    per_scheduling_parent: PMap[bytes, SchedulingParentView] = field(default_factory=pmap)
    active_leaves: frozenset[bytes] = frozenset()

    def __post_init__(self) -> None:
        views = _pmap_field(self, "per_scheduling_parent", self.per_scheduling_parent)
        for key, view in views.items():
            c.hash32(self, "per_scheduling_parent key", key)
            c.instance(self, "per_scheduling_parent[]", view, SchedulingParentView)
        object.__setattr__(self, "per_scheduling_parent", views)
        leaves = self.active_leaves
        if not isinstance(leaves, frozenset) or not leaves <= set(views):
            raise InvalidRecord(
                "ProspectiveParachains", "active_leaves", leaves, "a frozenset of viewed blocks"
            )

    # -- active leaves -----------------------------------------------------------------------

    def activate_leaf(
        self, leaf: LeafActivation
    ) -> tuple[ProspectiveParachains, UnexpectedAncestor | None]:
        """A new active leaf (E.3.2): its scope is the leaf and its ancestors while they share
        the leaf's session, at most `scheduling_lookahead - 1` of them (non-consecutive numbers:
        the leaf is skipped and UnexpectedAncestor returned, state unchanged). For each para the
        claim queue names at any depth and the runtime gave constraints for: the pending
        candidates start the chain (`FragmentChain.init`), up to `max_backable_len` more may
        follow, and the chain of the leaf's parent, if the parent is in the scope and has one,
        is carried over (`populate_from_previous`). Then views no active leaf's scope holds are
        pruned."""
        c.instance(self, "leaf", leaf, LeafActivation)
        ancestors: list[RelayAncestor] = []
        for ancestor in leaf.ancestors[: max(leaf.scheduling_lookahead - 1, 0)]:
            if ancestor.session_index != leaf.session_index:
                break
            ancestors.append(ancestor)
        scope = scheduling_scope(leaf.hash, leaf.number, ((a.hash, a.number) for a in ancestors))
        if isinstance(scope, UnexpectedAncestor):
            return self, scope
        previous = self.per_scheduling_parent.get(ancestors[0].hash) if ancestors else None
        chains = _INITIAL_CHAINS.get_or_compute((leaf,), scope, partial(_initial, leaf, scope))
        if previous is not None:
            chains = pmap(
                {
                    para: _carried_over(chain, previous.fragment_chains.get(para))
                    for para, chain in chains.items()
                }
            )
        view = SchedulingParentView(chains, scope, leaf.session_index, leaf.relay_parents)
        activated = ProspectiveParachains(
            self.per_scheduling_parent.set(leaf.hash, view), self.active_leaves | {leaf.hash}
        )
        return activated._pruned(), None

    def deactivate_leaves(self, leaves: Iterable[bytes]) -> ProspectiveParachains:
        """The leaves leave the active set; then every view no remaining active leaf's scope
        holds is dropped (so an ancestor's view survives while a leaf still reaches it)."""
        remaining = self.active_leaves - frozenset(leaves)
        return ProspectiveParachains(self.per_scheduling_parent, remaining)._pruned()

    def _pruned(self) -> ProspectiveParachains:
        keep: set[bytes] = set()
        for leaf in self.active_leaves:
            keep |= self.per_scheduling_parent[leaf].scheduling_scope
        drop = [h for h in self.per_scheduling_parent if h not in keep]
        if not drop:
            return self
        views = self.per_scheduling_parent.evolver()
        for h in drop:
            del views[h]
        return ProspectiveParachains(views.persistent(), self.active_leaves)

    # -- the messages ------------------------------------------------------------------------

    def introduce_seconded(
        self, receipt: CommittedCandidateReceipt, persisted_validation_data: PersistedValidationData
    ) -> tuple[ProspectiveParachains, bool]:
        """`IntroduceSecondedCandidate` (E.3.5) for the receipt's para: offered to the chain of
        that para under every retained scheduling parent (not only the leaves), where the relay
        parent checks out (known at that block with the validation data's number and storage
        root, and `max_pov_size` the base constraints'); added where
        `try_adding_seconded_candidate` accepts it. True if it was added, or already known,
        under at least one; a receipt the validation data does not match, or that is its own
        parent, is added nowhere."""
        entry = CandidateEntry.new(receipt, persisted_validation_data)
        if isinstance(entry, CandidateEntryError):
            return self, False
        para = entry.para_id
        added = False
        views = self.per_scheduling_parent.evolver()
        for key in sorted(self.per_scheduling_parent):
            view = self.per_scheduling_parent[key]
            chain = view.fragment_chains.get(para)
            if chain is None or not _verified(view, receipt, persisted_validation_data, chain):
                continue
            new_chain, problem = chain.try_adding_seconded_candidate(entry)
            if problem is None:
                views[key] = replace(
                    view, fragment_chains=view.fragment_chains.set(para, new_chain)
                )
            added = added or problem is None or problem.kind is _KNOWN
        if not views.is_dirty():
            return self, added
        return ProspectiveParachains(views.persistent(), self.active_leaves), added

    def candidate_backed(self, para: int, candidate_hash: bytes) -> ProspectiveParachains:
        """`CandidateBacked` (E.3.5): under every retained scheduling parent whose chain for
        `para` holds the candidate unconnected and not yet backed, `candidate_backed` is
        applied. Unknown candidates and unscheduled paras change nothing."""
        views = self.per_scheduling_parent.evolver()
        for key in sorted(self.per_scheduling_parent):
            view = self.per_scheduling_parent[key]
            chain = view.fragment_chains.get(para)
            if chain is None or chain.is_candidate_backed(candidate_hash):
                continue
            if chain.contains_unconnected_candidate(candidate_hash):
                new_chain = chain.candidate_backed(candidate_hash)
                views[key] = replace(
                    view, fragment_chains=view.fragment_chains.set(para, new_chain)
                )
        if not views.is_dirty():
            return self
        return ProspectiveParachains(views.persistent(), self.active_leaves)

    def get_backable_candidates(
        self, leaf: bytes, para: int, count: int, ancestors: Iterable[bytes] = ()
    ) -> tuple[BackableCandidateRef, ...]:
        """`GetBackableCandidates` (E.3.5): `find_backable_chain` of the para's chain at the
        active leaf; nothing for a leaf that is not active or a para it does not schedule."""
        view = self.per_scheduling_parent.get(leaf)
        if leaf not in self.active_leaves or view is None:
            return ()
        chain = view.fragment_chains.get(para)
        if chain is None:
            return ()
        return chain.find_backable_chain(ancestors, count)

    def get_hypothetical_membership(
        self,
        candidates: Sequence[HypotheticalCandidate],
        fragment_chain_relay_parent: bytes | None = None,
    ) -> tuple[tuple[bytes, ...], ...]:
        """`GetHypotheticalMembership` (E.3.5): for each candidate, the active leaves
        (ascending; only `fragment_chain_relay_parent` if given) whose chain for its para could
        take it. A complete candidate needs its relay parent verified at the leaf, an entry
        that builds, and `can_add_candidate_as_potential`; an incomplete one the lightweight
        check with no relay parent and no output head. Already known counts as a member."""
        leaves = sorted(
            leaf
            for leaf in self.active_leaves
            if fragment_chain_relay_parent is None or leaf == fragment_chain_relay_parent
        )
        answer: list[tuple[bytes, ...]] = []
        for candidate in candidates:
            answer.append(tuple(leaf for leaf in leaves if self._member(leaf, candidate)))
        return tuple(answer)

    def _member(self, leaf: bytes, candidate: HypotheticalCandidate) -> bool:
        view = self.per_scheduling_parent[leaf]
        if isinstance(candidate, HypotheticalComplete):
            receipt, pvd = candidate.receipt, candidate.persisted_validation_data
            chain = view.fragment_chains.get(receipt.descriptor.para_id)
            if chain is None or not _verified(view, receipt, pvd, chain):
                return False
            entry = CandidateEntry.new(receipt, pvd)
            if isinstance(entry, CandidateEntryError):
                return False
            problem = chain.can_add_candidate_as_potential(entry)
        elif isinstance(candidate, HypotheticalIncomplete):
            chain = view.fragment_chains.get(candidate.candidate_para)
            if chain is None:
                return False
            problem = chain.check_potential_lightweight(
                candidate.scheduling_parent,
                None,
                candidate.candidate_hash,
                candidate.parent_head_data_hash,
                None,
            )
        else:
            raise InvalidRecord(
                "ProspectiveParachains", "candidates[]", candidate, "not a hypothetical candidate"
            )
        return problem is None or problem.kind is _KNOWN


_KNOWN = FragmentChainErrorKind.CandidateAlreadyKnown
