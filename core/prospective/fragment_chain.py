# One para's fragment chain under one scheduling parent: the best chain of backed candidates
# (the candidates pending availability first, then backed candidates each building on the one
# before) and the unconnected storage of seconded or backed candidates that may join it later.
# What belongs here: the scope, the chain and its pure operations (populate, add a seconded
# candidate, back one, carry over to a new leaf, answer "what can be backed next"), and the fork
# choice; the entries and their storage are candidates.py's. Each operation returns a new chain;
# a refusal is returned as a `FragmentChainError` naming the Rust variant, the chain unchanged.
#
# Sources: `polkadot/node/core/prospective-parachains/src/fragment_chain/mod.rs` of polkadot-sdk,
# 2026 version (M-fc26: `SchedulingScope`, `Scope`, `PendingAvailability`,
# `FragmentNode`, `BackedChain`, `FragmentChain::{init, populate_from_previous,
# candidate_backed, can_add_candidate_as_potential, can_add_candidate_as_potential_hypothetical,
# try_adding_seconded_candidate, find_backable_chain, check_potential_lightweight,
# check_potential, trim_uneligible_forks, populate_chain, revert_to}`, `fork_selection_rule`);
# the push invariant of polkadot-sdk@3deac5f3 `.../fragment_chain/backed_chain.rs` (M-bc26).
#
# Where Rust walks a hash map (children of a head, the storage when re-adding candidates), this
# module walks in ascending candidate-hash order, so every result is deterministic. The Rust
# error variants `ParentCandidateNotFound` (the chain and its indexes are one value here, they
# cannot disagree) and `CandidateEntry` (`CandidateEntry.new` returns its own
# `CandidateEntryError`, candidates.py) have no counterpart.
from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from pyrsistent import pmap
from pyrsistent.typing import PMap

from ..errors import InvalidRecord
from ..records import _checks as c
from .candidates import CandidateEntry, CandidateState, CandidateStorage, head_data_hash
from .constraints import (
    ConstraintModifications,
    Constraints,
    Fragment,
    FragmentValidityError,
    ModificationError,
    RelayChainBlockInfo,
    apply_modifications,
    check_against_constraints,
    fragment,
    validate_commitments,
)

__all__ = [
    "BackableCandidateRef",
    "FragmentChain",
    "FragmentChainError",
    "FragmentChainErrorKind",
    "FragmentNode",
    "PendingAvailability",
    "Scope",
]


class FragmentChainErrorKind(Enum):
    """The variants of Rust's fragment-chain `Error` that can arise here, by name.
    ComputeConstraints arises only for a chain given, by hand, a scope its nodes do not fit."""

    CandidateAlreadyKnown = "CandidateAlreadyKnown"
    ZeroLengthCycle = "ZeroLengthCycle"
    Cycle = "Cycle"
    MultiplePaths = "MultiplePaths"
    IntroduceBackedCandidate = "IntroduceBackedCandidate"
    RelayParentPrecedesCandidatePendingAvailability = (
        "RelayParentPrecedesCandidatePendingAvailability"
    )
    ForkWithCandidatePendingAvailability = "ForkWithCandidatePendingAvailability"
    ForkChoiceRule = "ForkChoiceRule"
    ComputeConstraints = "ComputeConstraints"
    CheckAgainstConstraints = "CheckAgainstConstraints"
    RelayParentMovedBackwards = "RelayParentMovedBackwards"
    RelayParentNotInScope = "RelayParentNotInScope"
    SchedulingParentNotInScope = "SchedulingParentNotInScope"


@dataclass(frozen=True, slots=True)
class FragmentChainError:
    """Why a candidate cannot join a fragment chain, with the variant's data:

    - `candidate_hash`: the chain's candidate the newcomer forks from
      (ForkWithCandidatePendingAvailability, ForkChoiceRule).
    - `block_hash`: the candidate's relay parent (RelayParentNotInScope,
      RelayParentPrecedesCandidatePendingAvailability) or scheduling parent
      (SchedulingParentNotInScope); `pending_relay_parent`: the relay parent of the last
      candidate pending availability (RelayParentPrecedesCandidatePendingAvailability).
    - `modification`: ComputeConstraints' ModificationError; `validity`:
      CheckAgainstConstraints' FragmentValidityError.
    """

    kind: FragmentChainErrorKind
    candidate_hash: bytes | None = None
    block_hash: bytes | None = None
    pending_relay_parent: bytes | None = None
    modification: ModificationError | None = None
    validity: FragmentValidityError | None = None

    def __post_init__(self) -> None:
        c.instance(self, "kind", self.kind, FragmentChainErrorKind)
        for name in ("candidate_hash", "block_hash", "pending_relay_parent"):
            value = getattr(self, name)
            if value is not None:
                c.hash32(self, name, value)
        if self.modification is not None:
            c.instance(self, "modification", self.modification, ModificationError)
        if self.validity is not None:
            c.instance(self, "validity", self.validity, FragmentValidityError)


_Kind = FragmentChainErrorKind
_ALREADY_KNOWN = FragmentChainError(_Kind.CandidateAlreadyKnown)


def _frozen_hashes(value: Any) -> frozenset[bytes]:
    return value if isinstance(value, frozenset) else frozenset(value)


def _argument(owner: str, name: str, value: object, kind: type) -> None:
    # The caller's mistake in a classmethod's argument, named as a record field would be.
    if not isinstance(value, kind):
        raise InvalidRecord(owner, name, value, f"must be a {kind.__name__}")


@dataclass(frozen=True, slots=True)
class PendingAvailability:
    """A candidate already on chain, pending availability (`PendingAvailability`): its hash and
    relay parent. It heads the chain whatever the scope says of its relay parent."""

    candidate_hash: bytes
    relay_parent: RelayChainBlockInfo

    def __post_init__(self) -> None:
        c.hash32(self, "candidate_hash", self.candidate_hash)
        c.instance(self, "relay_parent", self.relay_parent, RelayChainBlockInfo)


@dataclass(frozen=True, slots=True)
class Scope:
    """What one para's chain may hold under one scheduling parent (Rust's `Scope` with the
    shared `SchedulingScope` folded in):

    - `base_constraints`: the constraints after the para's last included candidate.
    - `pending_availability`: the candidates pending availability, in chain order.
    - `max_backable_len`: how many candidates may follow them (the distinct cores the para
      holds in the claim queue); `max_chain_len` adds the pending ones, as Rust's `Scope::new`.
    - `scheduling_scope`: the relay blocks a candidate's scheduling parent may be (the leaf and
      its allowed ancestors).
    """

    base_constraints: Constraints
    pending_availability: tuple[PendingAvailability, ...]
    max_backable_len: int
    scheduling_scope: frozenset[bytes]
    _pending: PMap[bytes, PendingAvailability] = field(
        default=pmap(), init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        c.instance(self, "base_constraints", self.base_constraints, Constraints)
        c.tuple_of(self, "pending_availability", self.pending_availability, PendingAvailability)
        if type(self.max_backable_len) is not int or self.max_backable_len < 0:
            raise InvalidRecord(
                "Scope", "max_backable_len", self.max_backable_len, "must be a non-negative int"
            )
        scope = self.scheduling_scope
        if not isinstance(scope, frozenset | set | tuple | list):
            raise InvalidRecord("Scope", "scheduling_scope", scope, "must be a set of hashes")
        for member in scope:
            c.hash32(self, "scheduling_scope[]", member)
        object.__setattr__(self, "scheduling_scope", _frozen_hashes(scope))
        pending = {p.candidate_hash: p for p in self.pending_availability}
        if len(pending) != len(self.pending_availability):
            raise InvalidRecord(
                "Scope", "pending_availability", self.pending_availability, "a candidate twice"
            )
        object.__setattr__(self, "_pending", pmap(pending))

    @property
    def max_chain_len(self) -> int:
        return self.max_backable_len + len(self.pending_availability)

    def pending(self, candidate_hash: bytes) -> PendingAvailability | None:
        """The candidate's pending-availability record, if it is one."""
        return self._pending.get(candidate_hash)


@dataclass(frozen=True, slots=True)
class FragmentNode:
    """One link of the best chain (`FragmentNode`): the backed entry, its fragment, and the
    modifications of the whole chain up to and including it."""

    entry: CandidateEntry
    fragment: Fragment
    cumulative_modifications: ConstraintModifications

    def __post_init__(self) -> None:
        c.instance(self, "entry", self.entry, CandidateEntry)
        c.instance(self, "fragment", self.fragment, Fragment)
        c.instance(
            self, "cumulative_modifications", self.cumulative_modifications, ConstraintModifications
        )

    @property
    def candidate_hash(self) -> bytes:
        return self.entry.candidate_hash

    @property
    def parent_head_data_hash(self) -> bytes:
        return self.entry.parent_head_data_hash

    @property
    def output_head_data_hash(self) -> bytes:
        return self.entry.output_head_data_hash

    @property
    def scheduling_parent(self) -> bytes:
        return self.entry.scheduling_parent

    @property
    def relay_parent_number(self) -> int:
        return self.fragment.relay_parent.number


@dataclass(frozen=True, slots=True)
class BackableCandidateRef:
    """A candidate the provisioner may back next (`BackableCandidateRef`): its hash and its
    scheduling parent, whose claim queue and group assignment apply to it."""

    candidate_hash: bytes
    scheduling_parent: bytes

    def __post_init__(self) -> None:
        c.hash32(self, "candidate_hash", self.candidate_hash)
        c.hash32(self, "scheduling_parent", self.scheduling_parent)


def _better(a: CandidateEntry, b: CandidateEntry, scope: Scope) -> bool:
    # The fork choice (`fork_selection_rule` with the pending-availability override): a
    # candidate pending availability beats any other; between others the lower hash wins.
    a_pending, b_pending = scope.pending(a.candidate_hash), scope.pending(b.candidate_hash)
    if (a_pending is None) != (b_pending is None):
        return a_pending is not None
    return a.candidate_hash < b.candidate_hash


@dataclass(frozen=True, slots=True)
class FragmentChain:
    """One para's fragment chain under one scheduling parent (`FragmentChain`): the `scope`,
    the best `chain` (pending-availability candidates first, then backed candidates, each
    building on the previous output head, relay parents never decreasing, at most
    `scope.max_chain_len` long) and the `unconnected` storage of candidates that may join later.

    Immutable: every operation returns a new chain. Start one with `FragmentChain.init`."""

    scope: Scope
    chain: tuple[FragmentNode, ...] = ()
    unconnected: CandidateStorage = field(default_factory=CandidateStorage)
    _by_parent: PMap[bytes, int] = field(default=pmap(), init=False, repr=False, compare=False)
    _by_output: PMap[bytes, int] = field(default=pmap(), init=False, repr=False, compare=False)
    _hashes: frozenset[bytes] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        c.instance(self, "scope", self.scope, Scope)
        c.tuple_of(self, "chain", self.chain, FragmentNode)
        c.instance(self, "unconnected", self.unconnected, CandidateStorage)
        expected = head_data_hash(self.scope.base_constraints.required_parent)
        heads = {expected}
        hashes: set[bytes] = set()
        for i, node in enumerate(self.chain):
            # BackedChain's push invariant (M-bc26): each node builds on the previous output.
            if node.parent_head_data_hash != expected:
                raise InvalidRecord(
                    "FragmentChain", f"chain[{i}]", node, "does not build on the previous head"
                )
            # Nor does a chain ever close a cycle (Rust refuses the candidate that would, as
            # `Cycle` or `ZeroLengthCycle`): an output head already in the chain would let a
            # hand-built chain repeat a candidate, and the lookups by head below keep one node
            # per head.
            if node.output_head_data_hash in heads:
                raise InvalidRecord(
                    "FragmentChain", f"chain[{i}]", node, "outputs a head already in the chain"
                )
            # Linked heads alone do not rule out a repeated hash: an entry's hash is not checked
            # against a receipt (the entry, like Rust's, keeps none), so two may claim one.
            if node.candidate_hash in hashes:
                raise InvalidRecord(
                    "FragmentChain", f"chain[{i}]", node, "repeats a candidate of the chain"
                )
            expected = node.output_head_data_hash
            heads.add(expected)
            hashes.add(node.candidate_hash)
        object.__setattr__(
            self, "_by_parent", pmap({n.parent_head_data_hash: i for i, n in enumerate(self.chain)})
        )
        object.__setattr__(
            self, "_by_output", pmap({n.output_head_data_hash: i for i, n in enumerate(self.chain)})
        )
        object.__setattr__(self, "_hashes", frozenset(hashes))

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def init(cls, scope: Scope, pending_availability: CandidateStorage) -> FragmentChain:
        """`FragmentChain::init`: a chain populated from `pending_availability` alone (the
        storage of the candidates pending availability, in the Backed state); what does not fit
        is dropped, and the unconnected storage starts empty."""
        _argument("FragmentChain", "scope", scope, Scope)
        _argument("FragmentChain", "pending_availability", pending_availability, CandidateStorage)
        nodes, _ = _populate(scope, (), pending_availability)
        return cls(scope, nodes)

    def populate_from_previous(self, previous: FragmentChain) -> FragmentChain:
        """`FragmentChain::populate_from_previous`: this chain (fresh from `init` at a new
        leaf) with the candidates of `previous` (the chain of the leaf's parent) carried over.
        Its unconnected candidates and its chain's candidates that were not pending
        availability there are offered to the new chain: the chain is populated from them,
        forks no longer eligible are trimmed, and the rest stays unconnected if it still has
        potential. As in Rust, a candidate backed in `previous`'s chain that is pending
        availability here is offered too: already in this chain, it fails its own fork check
        while forks are trimmed, and goes with its subtree, so its seconded (not yet backed)
        children are not carried over."""
        c.instance(self, "previous", previous, FragmentChain)
        storage = previous.unconnected
        for node in previous.chain:
            if previous.scope.pending(node.candidate_hash) is None:
                storage = storage.add(node.entry)
        nodes, storage = _populate(self.scope, self.chain, storage)
        populated = replace(self, chain=nodes)
        storage = populated._trim_uneligible_forks(storage, None)
        return populated._keep_potential(storage)

    # -- queries -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.chain)

    def candidate_hashes(self) -> tuple[bytes, ...]:
        """The best chain's candidates, in chain order."""
        return tuple(node.candidate_hash for node in self.chain)

    def contains(self, candidate_hash: bytes) -> bool:
        """Whether the candidate is in the best chain."""
        return candidate_hash in self._hashes

    def contains_unconnected_candidate(self, candidate_hash: bytes) -> bool:
        return self.unconnected.contains(candidate_hash)

    def is_candidate_backed(self, candidate_hash: bytes) -> bool:
        """Whether the candidate is in the chain, or unconnected and backed."""
        entry = self.unconnected.get(candidate_hash)
        return self.contains(candidate_hash) or (
            entry is not None and entry.state is CandidateState.BACKED
        )

    def get_head_data_by_hash(self, head_hash: bytes) -> bytes | None:
        """The head data with that hash: the required parent, else a head of the chain, else
        one the unconnected candidates name; None if unknown."""
        required = self.scope.base_constraints.required_parent
        if head_data_hash(required) == head_hash:
            return required
        at = self._by_parent.get(head_hash)
        if at is not None:
            return self.chain[at].entry.candidate.persisted_validation_data.parent_head
        at = self._by_output.get(head_hash)
        if at is not None:
            return self.chain[at].entry.candidate.commitments.head_data
        return self.unconnected.head_data_by_hash(head_hash)

    def find_backable_chain(
        self, ancestors: Iterable[bytes], count: int
    ) -> tuple[BackableCandidateRef, ...]:
        """`find_backable_chain`: up to `count` candidates to back next, in chain order. The
        `ancestors` (candidates the caller already has, pending availability or about to be)
        are skipped from the front of the chain for as long as each next node is among them
        (any order; an ancestor off that path is ignored). The answer stops before the first
        candidate pending availability. `count == 0` gives nothing."""
        if type(count) is not int or count < 0:
            raise InvalidRecord("FragmentChain", "count", count, "must be a non-negative int")
        if count == 0:
            return ()
        remaining = set(ancestors)
        base = len(self.chain)
        for index, node in enumerate(self.chain):
            if node.candidate_hash not in remaining:
                base = index
                break
            remaining.discard(node.candidate_hash)
        found: list[BackableCandidateRef] = []
        for node in self.chain[base : base + count]:
            if self.scope.pending(node.candidate_hash) is not None:
                break
            found.append(BackableCandidateRef(node.candidate_hash, node.scheduling_parent))
        return tuple(found)

    # -- the potential checks ----------------------------------------------------------------

    def check_potential_lightweight(
        self,
        scheduling_parent: bytes,
        relay_parent: RelayChainBlockInfo | None,
        candidate_hash: bytes,
        parent_head_hash: bytes,
        output_head_hash: bytes | None,
    ) -> FragmentChainError | None:
        """The check for a hypothetical candidate that may be incomplete
        (`can_add_candidate_as_potential_hypothetical`, E.3.4), first failure returned, in
        order: the candidate is not already in the chain or unconnected
        (CandidateAlreadyKnown); its scheduling parent is in scope
        (SchedulingParentNotInScope); its parent head is not its output head (ZeroLengthCycle);
        if a chain candidate builds on the same parent, that one is not pending availability
        (ForkWithCandidatePendingAvailability) and does not have a lower hash (ForkChoiceRule);
        its output is not a parent head in the chain (Cycle) nor an output there
        (MultiplePaths). With a relay parent also: it does not precede the last pending
        candidate's (RelayParentPrecedesCandidatePendingAvailability), it is not below the
        constraints' minimum (RelayParentNotInScope), and, building on a chain node, not below
        that node's (RelayParentMovedBackwards). Checks needing an output head are skipped when
        it is None. None: the candidate may join."""
        if self.contains(candidate_hash) or self.unconnected.contains(candidate_hash):
            return _ALREADY_KNOWN
        problem = self._lightweight(
            scheduling_parent, candidate_hash, parent_head_hash, output_head_hash
        )
        if problem is not None or relay_parent is None:
            return problem
        found = self._relay_parent_checks(relay_parent, parent_head_hash)
        return found if isinstance(found, FragmentChainError) else None

    def can_add_candidate_as_potential(self, entry: CandidateEntry) -> FragmentChainError | None:
        """`can_add_candidate_as_potential`: CandidateAlreadyKnown if the entry is in the chain
        or unconnected, else the full potential check: the lightweight checks with the entry's
        relay parent, then, when its parent is the required parent or a chain output, the whole
        `check_against_constraints` under the constraints it would build on, and otherwise
        (parent unknown yet) `validate_commitments` under the base constraints
        (CheckAgainstConstraints, carrying the FragmentValidityError)."""
        c.instance(self, "entry", entry, CandidateEntry)
        if self.contains(entry.candidate_hash) or self.unconnected.contains(entry.candidate_hash):
            return _ALREADY_KNOWN
        return self._check_potential(entry)

    def _lightweight(
        self,
        scheduling_parent: bytes,
        candidate_hash: bytes,
        parent_head_hash: bytes,
        output_head_hash: bytes | None,
    ) -> FragmentChainError | None:
        if scheduling_parent not in self.scope.scheduling_scope:
            return FragmentChainError(
                _Kind.SchedulingParentNotInScope, block_hash=scheduling_parent
            )
        if output_head_hash is not None and parent_head_hash == output_head_hash:
            return FragmentChainError(_Kind.ZeroLengthCycle)
        at = self._by_parent.get(parent_head_hash)
        if at is not None:
            other = self.chain[at].candidate_hash
            if self.scope.pending(other) is not None:
                return FragmentChainError(
                    _Kind.ForkWithCandidatePendingAvailability, candidate_hash=other
                )
            if other < candidate_hash:
                return FragmentChainError(_Kind.ForkChoiceRule, candidate_hash=other)
        if output_head_hash is not None:
            return self._cycle_or_invalid_tree(output_head_hash)
        return None

    def _cycle_or_invalid_tree(self, output_head_hash: bytes) -> FragmentChainError | None:
        # `check_cycles_or_invalid_tree`: an output that some chain node builds on closes a
        # cycle; one that a chain node already outputs is a second path to that state.
        if output_head_hash in self._by_parent:
            return FragmentChainError(_Kind.Cycle)
        if output_head_hash in self._by_output:
            return FragmentChainError(_Kind.MultiplePaths)
        return None

    def _relay_parent_checks(
        self, relay_parent: RelayChainBlockInfo, parent_head_hash: bytes
    ) -> FragmentChainError | tuple[bool, Constraints]:
        # The second half of `check_potential_lightweight`: the relay-parent rules, and the
        # constraints the candidate would build on with whether its parent is still unknown.
        for node in reversed(self.chain):
            pending = self.scope.pending(node.candidate_hash)
            if pending is not None:
                if relay_parent.number < pending.relay_parent.number:
                    return FragmentChainError(
                        _Kind.RelayParentPrecedesCandidatePendingAvailability,
                        block_hash=relay_parent.hash,
                        pending_relay_parent=pending.relay_parent.hash,
                    )
                break
        base = self.scope.base_constraints
        at = self._by_output.get(parent_head_hash)
        floor: int | None = None
        unconnected = False
        if at is not None:
            node = self.chain[at]
            constraints = apply_modifications(base, node.cumulative_modifications)
            if isinstance(constraints, ModificationError):
                # A chain's operations never build one whose nodes' modifications do not apply
                # to its base; a chain given another scope by hand may have one.
                return FragmentChainError(_Kind.ComputeConstraints, modification=constraints)
            floor = node.relay_parent_number
        else:
            constraints = base
            unconnected = head_data_hash(base.required_parent) != parent_head_hash
        if relay_parent.number < constraints.min_relay_parent_number:
            return FragmentChainError(_Kind.RelayParentNotInScope, block_hash=relay_parent.hash)
        if floor is not None and relay_parent.number < floor:
            return FragmentChainError(_Kind.RelayParentMovedBackwards)
        return unconnected, constraints

    def _check_potential(self, entry: CandidateEntry) -> FragmentChainError | None:
        # `check_potential`: the lightweight checks, then the constraints.
        problem = self._lightweight(
            entry.scheduling_parent,
            entry.candidate_hash,
            entry.parent_head_data_hash,
            entry.output_head_data_hash,
        )
        if problem is not None:
            return problem
        relay_parent = entry.relay_parent_info()
        found = self._relay_parent_checks(relay_parent, entry.parent_head_data_hash)
        if isinstance(found, FragmentChainError):
            return found
        unconnected, constraints = found
        candidate = entry.candidate
        invalid: FragmentValidityError | None
        if unconnected:
            invalid = validate_commitments(
                constraints, relay_parent, candidate.commitments, candidate.validation_code_hash
            )
        else:
            checked = check_against_constraints(
                relay_parent,
                constraints,
                candidate.commitments,
                candidate.validation_code_hash,
                candidate.persisted_validation_data,
            )
            invalid = checked if isinstance(checked, FragmentValidityError) else None
        if invalid is not None:
            return FragmentChainError(_Kind.CheckAgainstConstraints, validity=invalid)
        return None

    # -- the operations ----------------------------------------------------------------------

    def try_adding_seconded_candidate(
        self, entry: CandidateEntry
    ) -> tuple[FragmentChain, FragmentChainError | None]:
        """`try_adding_seconded_candidate`: a seconded candidate with potential joins the
        unconnected storage, never the chain itself (only backing moves it there). A backed
        entry is refused (IntroduceBackedCandidate), and so is any entry
        `can_add_candidate_as_potential` refuses. Returns the new chain and None, or this chain
        unchanged and the error."""
        c.instance(self, "entry", entry, CandidateEntry)
        if entry.state is CandidateState.BACKED:
            return self, FragmentChainError(_Kind.IntroduceBackedCandidate)
        problem = self.can_add_candidate_as_potential(entry)
        if problem is not None:
            return self, problem
        return replace(self, unconnected=self.unconnected.add(entry)), None

    def candidate_backed(self, candidate_hash: bytes) -> FragmentChain:
        """`candidate_backed`: the unconnected candidate becomes Backed, which may rebuild the
        chain. Nothing changes for a candidate already in the chain or unknown. If its parent
        head is the required parent, the whole chain goes back to storage; if it is the output
        of a chain node, the nodes after that one do; otherwise the candidate waits, backed, for
        its parent. Then the chain is populated again from all unconnected candidates, the forks
        from the candidate's parent on that lost their potential are trimmed, and the rest stays
        unconnected if it still has potential."""
        if self.contains(candidate_hash):
            return self
        entry = self.unconnected.get(candidate_hash)
        if entry is None:
            return self
        storage = self.unconnected.mark_backed(candidate_hash)
        parent = entry.parent_head_data_hash
        kept: tuple[FragmentNode, ...]
        if head_data_hash(self.scope.base_constraints.required_parent) == parent:
            kept, removed = (), self.chain
        elif parent in self._by_output:
            at = self._by_output[parent]
            kept, removed = self.chain[: at + 1], self.chain[at + 1 :]
        else:
            return replace(self, unconnected=storage)
        for node in removed:
            storage = storage.add(node.entry)
        nodes, storage = _populate(self.scope, kept, storage)
        populated = replace(self, chain=nodes, unconnected=CandidateStorage())
        storage = populated._trim_uneligible_forks(storage, parent)
        return populated._keep_potential(storage)

    def _trim_uneligible_forks(
        self, storage: CandidateStorage, start: bytes | None
    ) -> CandidateStorage:
        # `trim_uneligible_forks`: a breadth-first walk down the storage from `start` (or from
        # every chain node's parent head, or the required parent for an empty chain). A child is
        # kept only if its whole ancestry was kept and it has potential itself; a child that is
        # not is removed, and the walk goes on below it with "no potential", removing its
        # subtree. Heads already visited are not entered again (cycles, multiple paths).
        if start is not None:
            queue = deque([(start, True)])
        elif self.chain:
            queue = deque((node.parent_head_data_hash, True) for node in self.chain)
        else:
            queue = deque([(head_data_hash(self.scope.base_constraints.required_parent), True)])
        visited: set[bytes] = set()
        while queue:
            parent, parent_has_potential = queue.popleft()
            visited.add(parent)
            removed: list[bytes] = []
            for child_hash in sorted(storage.by_parent_head.get(parent, ())):
                child = storage.by_candidate_hash[child_hash]
                if child.output_head_data_hash in visited:
                    continue
                keep = parent_has_potential and self._check_potential(child) is None
                queue.append((child.output_head_data_hash, keep))
                if not keep:
                    removed.append(child_hash)
            for child_hash in removed:
                storage = storage.remove(child_hash)
        return storage

    def _keep_potential(self, storage: CandidateStorage) -> FragmentChain:
        # `populate_unconnected_potential_candidates`: what still has potential joins the
        # unconnected storage; candidates pending availability belong in the chain only.
        unconnected = self.unconnected
        for entry in storage.entries():
            # Rust's CandidateAlreadyKnown cannot arise here: the storage holds each hash once,
            # the unconnected storage it joins starts empty, and a chain member still in the
            # storage is pending availability (skipped) or was trimmed as a second path to its
            # own output.
            if self.scope.pending(entry.candidate_hash) is not None:
                continue
            if self._check_potential(entry) is None:
                unconnected = unconnected.add(entry)
        return replace(self, unconnected=unconnected)


def _populate(
    scope: Scope, nodes: tuple[FragmentNode, ...], storage: CandidateStorage
) -> tuple[tuple[FragmentNode, ...], CandidateStorage]:
    """`populate_chain`: extend the chain `nodes` from `storage` while it is shorter than
    `scope.max_chain_len`: at each step, among the backed candidates building on the current
    head, whose scheduling parent is in scope (pending ones excepted), whose output closes no
    cycle and opens no second path, whose relay parent does not move back (a first pending
    candidate may use its own, older one), and which pass `fragment` under the constraints so
    far (a pending one with its own relay parent as the minimum), take the best by the fork
    choice. Returns the chain and the storage without the candidates taken."""
    chain = list(nodes)
    parents = {node.parent_head_data_hash for node in chain}
    outputs = {node.output_head_data_hash for node in chain}
    hashes = {node.candidate_hash for node in chain}
    base = scope.base_constraints
    cumulative = chain[-1].cumulative_modifications if chain else ConstraintModifications()
    earliest = chain[-1].relay_parent_number if chain else base.min_relay_parent_number
    while len(chain) < scope.max_chain_len:
        child_constraints = apply_modifications(base, cumulative)
        if isinstance(child_constraints, ModificationError):
            break
        best: tuple[CandidateEntry, Fragment] | None = None
        required = head_data_hash(child_constraints.required_parent)
        for entry in storage.possible_backed_children(required):
            pending = scope.pending(entry.candidate_hash)
            if pending is None and entry.scheduling_parent not in scope.scheduling_scope:
                continue
            output = entry.output_head_data_hash
            if output in parents or output in outputs or entry.candidate_hash in hashes:
                continue
            relay_parent = entry.relay_parent_info() if pending is None else pending.relay_parent
            floor = pending.relay_parent.number if pending is not None and not chain else earliest
            if relay_parent.number < floor:
                continue
            constraints = child_constraints
            if pending is not None:
                constraints = replace(
                    child_constraints, min_relay_parent_number=pending.relay_parent.number
                )
            made = fragment(relay_parent, constraints, entry.candidate)
            if isinstance(made, FragmentValidityError):
                continue
            if best is None or _better(entry, best[0], scope):
                best = (entry, made)
        if best is None:
            break
        entry, made = best
        storage = storage.remove(entry.candidate_hash)
        cumulative = cumulative.stack(made.modifications)
        earliest = made.relay_parent.number
        chain.append(FragmentNode(entry, made, cumulative))
        parents.add(entry.parent_head_data_hash)
        outputs.add(entry.output_head_data_hash)
        hashes.add(entry.candidate_hash)
    return tuple(chain), storage
