# Candidate entries and the storage that holds them: a candidate as prospective parachains keeps
# it (its hashes, its relay and scheduling parents, the prospective candidate, seconded or
# backed) and a shapeless, indexed set of such entries, the fragment chain's unconnected
# storage. What belongs here: building an entry from a receipt (refusals returned as data), and
# the storage's persistent updates and lookups. The chain that takes entries from a storage is
# fragment_chain.py's.
#
# Sources: `polkadot/node/core/prospective-parachains/src/fragment_chain/mod.rs` of polkadot-sdk,
# 2026 version (M-fc26: `CandidateEntry`, `CandidateEntryError`, `CandidateState`,
# `CandidateStorage`); head-data hashes as `HeadData::hash` (BLAKE2b-256 of the bytes) of
# polkadot-sdk@040da5df polkadot/parachain/src/primitives.rs. Where Rust iterates a hash set
# (children of a head, a head's candidates), this module goes in ascending hash order.
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum

from pyrsistent import PMap as _PMapType
from pyrsistent import pmap
from pyrsistent.typing import PMap

from ..errors import InvalidRecord
from ..records import _checks as c
from ..records.candidate import CommittedCandidateReceipt, PersistedValidationData
from ..records.hashing import blake2_256
from ..today.descriptor import scheduling_parent
from .constraints import ProspectiveCandidate, RelayChainBlockInfo

__all__ = [
    "CandidateEntry",
    "CandidateEntryError",
    "CandidateState",
    "CandidateStorage",
    "head_data_hash",
]


def _argument(owner: str, name: str, value: object, kind: type) -> None:
    # The caller's mistake in a classmethod's argument, named as a record field would be.
    if not isinstance(value, kind):
        raise InvalidRecord(owner, name, value, f"must be a {kind.__name__}")


def head_data_hash(head_data: bytes) -> bytes:
    """`HeadData::hash`: BLAKE2b-256 of the head data's bytes (not of their SCALE form)."""
    return blake2_256(head_data)


class CandidateState(Enum):
    """A candidate is considered once seconded; only backed ones may enter the chain."""

    SECONDED = "Seconded"
    BACKED = "Backed"


class CandidateEntryError(Enum):
    """Why a receipt and validation data make no entry (`CandidateEntryError`): the data's hash
    is not the descriptor's, or the candidate's output head is its parent head (a cycle of
    length zero)."""

    PersistedValidationDataMismatch = "PersistedValidationDataMismatch"
    ZeroLengthCycle = "ZeroLengthCycle"


@dataclass(frozen=True, slots=True)
class CandidateEntry:
    """A candidate as the fragment chain keeps it (`CandidateEntry`): its hash, the hashes of
    its parent and output heads, its relay parent (execution context) and scheduling parent
    (which equals the relay parent before V3), its para, the prospective candidate and its
    state. Build one from a receipt with `CandidateEntry.new`, which returns the peer's
    mistakes as data; constructing the record directly refuses (InvalidRecord) head hashes
    that are not those of the candidate's heads, and a parent head equal to the output head."""

    candidate_hash: bytes
    parent_head_data_hash: bytes
    output_head_data_hash: bytes
    relay_parent: bytes
    scheduling_parent: bytes
    para_id: int
    candidate: ProspectiveCandidate
    state: CandidateState

    def __post_init__(self) -> None:
        c.hash32(self, "candidate_hash", self.candidate_hash)
        c.hash32(self, "relay_parent", self.relay_parent)
        c.hash32(self, "scheduling_parent", self.scheduling_parent)
        c.u32(self, "para_id", self.para_id)
        c.instance(self, "candidate", self.candidate, ProspectiveCandidate)
        c.instance(self, "state", self.state, CandidateState)
        parent = head_data_hash(self.candidate.persisted_validation_data.parent_head)
        output = head_data_hash(self.candidate.commitments.head_data)
        if self.parent_head_data_hash != parent:
            raise InvalidRecord(
                "CandidateEntry",
                "parent_head_data_hash",
                self.parent_head_data_hash,
                "must be the hash of the validation data's parent head",
            )
        if self.output_head_data_hash != output:
            raise InvalidRecord(
                "CandidateEntry",
                "output_head_data_hash",
                self.output_head_data_hash,
                "must be the hash of the commitments' head data",
            )
        if parent == output:
            raise InvalidRecord(
                "CandidateEntry", "output_head_data_hash", output, "equals the parent head's"
            )

    @classmethod
    def new(
        cls,
        receipt: CommittedCandidateReceipt,
        persisted_validation_data: PersistedValidationData,
        state: CandidateState = CandidateState.SECONDED,
    ) -> CandidateEntry | CandidateEntryError:
        """`CandidateEntry::new`: the entry for `receipt` built on `persisted_validation_data`,
        or why there is none: the data's hash is not the descriptor's
        (PersistedValidationDataMismatch), or the output head is the parent head
        (ZeroLengthCycle), checked in that order."""
        _argument("CandidateEntry", "receipt", receipt, CommittedCandidateReceipt)
        pvd = persisted_validation_data
        _argument("CandidateEntry", "persisted_validation_data", pvd, PersistedValidationData)
        _argument("CandidateEntry", "state", state, CandidateState)
        descriptor = receipt.descriptor
        if pvd.hash() != descriptor.persisted_validation_data_hash:
            return CandidateEntryError.PersistedValidationDataMismatch
        parent = head_data_hash(pvd.parent_head)
        output = head_data_hash(receipt.commitments.head_data)
        if parent == output:
            return CandidateEntryError.ZeroLengthCycle
        return cls(
            receipt.hash(),
            parent,
            output,
            descriptor.relay_parent,
            scheduling_parent(descriptor),
            descriptor.para_id,
            ProspectiveCandidate(
                receipt.commitments, pvd, descriptor.pov_hash, descriptor.validation_code_hash
            ),
            state,
        )

    def relay_parent_info(self) -> RelayChainBlockInfo:
        """The relay parent as the candidate's validation data names it (number, storage
        root)."""
        pvd = self.candidate.persisted_validation_data
        return RelayChainBlockInfo(
            self.relay_parent, pvd.relay_parent_number, pvd.relay_parent_storage_root
        )

    def __repr__(self) -> str:
        return (
            f"CandidateEntry(0x{self.candidate_hash.hex()[:12]}, para={self.para_id},"
            f" {self.state.value}, parent=0x{self.parent_head_data_hash.hex()[:8]},"
            f" output=0x{self.output_head_data_hash.hex()[:8]})"
        )


def _storage(
    by_hash: PMap[bytes, CandidateEntry],
    by_parent: PMap[bytes, frozenset[bytes]],
    by_output: PMap[bytes, frozenset[bytes]],
) -> CandidateStorage:
    # A storage derived from a valid one by `add`/`remove`/`mark_backed`: its indexes are right
    # by construction, so the O(n) check of `__post_init__` is skipped.
    new = object.__new__(CandidateStorage)
    object.__setattr__(new, "by_candidate_hash", by_hash)
    object.__setattr__(new, "by_parent_head", by_parent)
    object.__setattr__(new, "by_output_head", by_output)
    return new


def _index_add(
    index: PMap[bytes, frozenset[bytes]], head: bytes, candidate: bytes
) -> PMap[bytes, frozenset[bytes]]:
    return index.set(head, index.get(head, frozenset()) | {candidate})


def _index_remove(
    index: PMap[bytes, frozenset[bytes]], head: bytes, candidate: bytes
) -> PMap[bytes, frozenset[bytes]]:
    rest = index[head] - {candidate}
    return index.set(head, rest) if rest else index.remove(head)


@dataclass(frozen=True, slots=True)
class CandidateStorage:
    """A set of candidate entries with no shape assumed (`CandidateStorage`): they may form
    trees, cycles or nothing at all. Indexed by candidate hash and by parent and output head
    hash. Build one with `CandidateStorage.of(entries)`; the two head indexes must agree with
    the entries (InvalidRecord otherwise)."""

    by_candidate_hash: PMap[bytes, CandidateEntry] = field(default_factory=pmap)
    by_parent_head: PMap[bytes, frozenset[bytes]] = field(default_factory=pmap)
    by_output_head: PMap[bytes, frozenset[bytes]] = field(default_factory=pmap)

    def __post_init__(self) -> None:
        entries = self.by_candidate_hash
        if not isinstance(entries, _PMapType):
            entries = pmap(entries)
            object.__setattr__(self, "by_candidate_hash", entries)
        parents: dict[bytes, set[bytes]] = {}
        outputs: dict[bytes, set[bytes]] = {}
        for key, entry in entries.items():
            c.instance(self, f"by_candidate_hash[{key!r}]", entry, CandidateEntry)
            if key != entry.candidate_hash:
                raise InvalidRecord("CandidateStorage", "by_candidate_hash", key, "wrong key")
            parents.setdefault(entry.parent_head_data_hash, set()).add(key)
            outputs.setdefault(entry.output_head_data_hash, set()).add(key)
        for name, expected in (("by_parent_head", parents), ("by_output_head", outputs)):
            given = {k: set(v) for k, v in dict(getattr(self, name)).items()}
            if given != expected:
                raise InvalidRecord("CandidateStorage", name, given, "disagrees with the entries")
            object.__setattr__(self, name, pmap({k: frozenset(v) for k, v in expected.items()}))

    @classmethod
    def of(cls, entries: Iterable[CandidateEntry]) -> CandidateStorage:
        """A storage holding `entries`; a hash given twice keeps its last entry."""
        by_hash = {e.candidate_hash: e for e in entries}
        parents: dict[bytes, set[bytes]] = {}
        outputs: dict[bytes, set[bytes]] = {}
        for key, entry in by_hash.items():
            parents.setdefault(entry.parent_head_data_hash, set()).add(key)
            outputs.setdefault(entry.output_head_data_hash, set()).add(key)
        return cls(
            pmap(by_hash),
            pmap({k: frozenset(v) for k, v in parents.items()}),
            pmap({k: frozenset(v) for k, v in outputs.items()}),
        )

    def __len__(self) -> int:
        return len(self.by_candidate_hash)

    def contains(self, candidate_hash: bytes) -> bool:
        return candidate_hash in self.by_candidate_hash

    def get(self, candidate_hash: bytes) -> CandidateEntry | None:
        return self.by_candidate_hash.get(candidate_hash)

    def entries(self) -> tuple[CandidateEntry, ...]:
        """Every entry, in ascending candidate-hash order."""
        return tuple(self.by_candidate_hash[h] for h in sorted(self.by_candidate_hash))

    def add(self, entry: CandidateEntry) -> CandidateStorage:
        """The storage with `entry` added. A hash already here leaves the storage unchanged
        (Rust's `CandidateAlreadyKnown`, which every caller either checked for first with
        `contains` or ignores)."""
        c.instance(self, "entry", entry, CandidateEntry)
        key = entry.candidate_hash
        if key in self.by_candidate_hash:
            return self
        return _storage(
            self.by_candidate_hash.set(key, entry),
            _index_add(self.by_parent_head, entry.parent_head_data_hash, key),
            _index_add(self.by_output_head, entry.output_head_data_hash, key),
        )

    def remove(self, candidate_hash: bytes) -> CandidateStorage:
        """The storage without that candidate; itself if the candidate is not here."""
        entry = self.by_candidate_hash.get(candidate_hash)
        if entry is None:
            return self
        return _storage(
            self.by_candidate_hash.remove(candidate_hash),
            _index_remove(self.by_parent_head, entry.parent_head_data_hash, candidate_hash),
            _index_remove(self.by_output_head, entry.output_head_data_hash, candidate_hash),
        )

    def mark_backed(self, candidate_hash: bytes) -> CandidateStorage:
        """The storage with that candidate in the Backed state; itself if it is not here."""
        entry = self.by_candidate_hash.get(candidate_hash)
        if entry is None or entry.state is CandidateState.BACKED:
            return self
        backed = replace(entry, state=CandidateState.BACKED)
        return _storage(
            self.by_candidate_hash.set(candidate_hash, backed),
            self.by_parent_head,
            self.by_output_head,
        )

    def possible_backed_children(self, parent_head_hash: bytes) -> tuple[CandidateEntry, ...]:
        """The backed entries building on that head, in ascending candidate-hash order."""
        found = (
            self.by_candidate_hash[h] for h in sorted(self.by_parent_head.get(parent_head_hash, ()))
        )
        return tuple(e for e in found if e.state is CandidateState.BACKED)

    def head_data_by_hash(self, head_hash: bytes) -> bytes | None:
        """The head data with that hash, from a candidate that outputs it or else one that
        builds on it; None if no entry names it."""
        outputs = self.by_output_head.get(head_hash)
        if outputs:
            return self.by_candidate_hash[min(outputs)].candidate.commitments.head_data
        parents = self.by_parent_head.get(head_hash)
        if parents:
            entry = self.by_candidate_hash[min(parents)]
            return entry.candidate.persisted_validation_data.parent_head
        return None
