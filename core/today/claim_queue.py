# The claim queue and the core a candidate is committed to (E.1.4 step 4, E.1.5, E.1.6). The
# runtime API `claim_queue()` maps each core to the paras it will serve, next block first
# (`BTreeMap<CoreIndex, VecDeque<ParaId>>`); its transpose maps a para to the cores it holds at
# each depth. A V2/V3 candidate names its core twice, in its descriptor and through a SelectCore
# signal into the transposed queue; `check_core_index` holds them to each other, and
# `parse_ump_signals` runs the whole check. `BackedCandidate` carries the core a third time, in
# eight bits appended to `validator_indices`; the two helpers at the end add and split them.
# polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs: `TransposedClaimQueue`,
# `transpose_claim_queue`, `CommittedCandidateReceiptV2::parse_ump_signals` and
# `check_core_index`, `BackedCandidate::new` (`inject_core_index`) and
# `validator_indices_and_core_index`; V3's signal requirement: PR #10472.
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from ..errors import InvalidRecord
from ..records import _checks as c
from ..records.bitvec import BitVec
from ..records.candidate import (
    CandidateCommitments,
    CandidateDescriptor,
    CommittedCandidateReceipt,
)
from ..records.scale import Reader, ScaleError, encode_compact, u32
from .descriptor import DescriptorVersion, descriptor_version, internal_version, raw_core_index
from .ump_signals import (
    DEFAULT_CLAIM_QUEUE_OFFSET,
    CandidateReceiptError,
    UmpSignalError,
    UmpSignals,
    ump_signals,
)

__all__ = [
    "CORE_INDEX_BITS",
    "ClaimQueue",
    "TransposedClaimQueue",
    "check_core_index",
    "committed_core_index",
    "inject_core_index",
    "parse_ump_signals",
    "split_injected_core_index",
    "transpose_claim_queue",
]

# `BackedCandidate::new` appends the core index as one byte's worth of bits.
CORE_INDEX_BITS = 8


def _pairs(record: str, field: str, value: Any) -> list[tuple[Any, Any]]:
    # A mapping, or a sequence of (key, value) pairs, as a list of pairs.
    if isinstance(value, Mapping):
        return list(value.items())
    if not isinstance(value, tuple | list):
        raise InvalidRecord(record, field, value, "must be a mapping or (key, value) pairs")
    for i, item in enumerate(value):
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise InvalidRecord(record, f"{field}[{i}]", item, "must be a (key, value) pair")
    return [(item[0], item[1]) for item in value]


def _u32s(
    record: str, field: str, value: Any, kinds: tuple[type, ...] = (tuple, list)
) -> tuple[int, ...]:
    accepted = isinstance(value, kinds)  # kept apart so that `value` stays Any for mypy
    if not accepted:
        raise InvalidRecord(record, field, value, "must be a sequence of u32s")
    for item in value:
        if type(item) is not int or not 0 <= item < 1 << 32:
            raise InvalidRecord(record, field, item, "must be an int in 0..2**32-1")
    return tuple(value)


# A transposed queue's cores may come as a set: their order is fixed by sorting.
_CORE_SETS = (tuple, list, frozenset, set)


def _sorted_unique_keys(record: str, field: str, pairs: list[tuple[Any, Any]]) -> None:
    pairs.sort(key=lambda kv: kv[0])
    for (a, _), (b, _) in pairwise(pairs):
        if a == b:
            raise InvalidRecord(record, field, a, "appears twice as a key")


def _read_u32(r: Reader) -> int:
    return r.u32()


@dataclass(frozen=True, slots=True)
class ClaimQueue:
    """The claim queue (E.1.6): for each core, the paras it serves, position 0 for the block
    built on top of the queried one. Held as (core, paras) pairs in ascending core order, so
    equal queues are equal records; built from a mapping or pairs in any order (a core given
    twice is refused). SCALE as Rust's `BTreeMap<CoreIndex, VecDeque<ParaId>>`."""

    entries: tuple[tuple[int, tuple[int, ...]], ...] = ()

    def __post_init__(self) -> None:
        pairs = _pairs("ClaimQueue", "entries", self.entries)
        for i, (core, paras) in enumerate(pairs):
            c.u32(self, f"entries[{i}].core", core)
            pairs[i] = (core, _u32s("ClaimQueue", f"entries[{core}]", paras))
        _sorted_unique_keys("ClaimQueue", "entries", pairs)
        object.__setattr__(self, "entries", tuple(pairs))

    @classmethod
    def from_mapping(cls, queue: Mapping[int, Iterable[int]]) -> ClaimQueue:
        return cls(tuple((core, tuple(paras)) for core, paras in queue.items()))

    def cores(self) -> tuple[int, ...]:
        return tuple(core for core, _ in self.entries)

    def paras(self, core: int) -> tuple[int, ...]:
        """The paras `core` serves, next block first; empty for a core not in the queue."""
        for known, paras in self.entries:
            if known == core:
                return paras
        return ()

    def as_dict(self) -> dict[int, tuple[int, ...]]:
        return dict(self.entries)

    def scale(self) -> bytes:
        parts = [encode_compact(len(self.entries))]
        for core, paras in self.entries:
            parts.append(u32(core) + encode_compact(len(paras)))
            parts.extend(u32(para) for para in paras)
        return b"".join(parts)

    @classmethod
    def read(cls, r: Reader) -> ClaimQueue:
        n = r.length(5)
        entries: list[tuple[int, tuple[int, ...]]] = []
        for _ in range(n):
            at = r.pos
            core = r.u32()
            if entries and core <= entries[-1][0]:
                # A BTreeMap encodes in ascending key order; anything else would not re-encode.
                raise ScaleError(at, f"claim queue cores not strictly ascending ({core})")
            entries.append((core, r.vec(_read_u32, 4)))
        return cls(tuple(entries))

    def __repr__(self) -> str:
        return f"ClaimQueue({self.as_dict()!r})"


@dataclass(frozen=True, slots=True)
class TransposedClaimQueue:
    """The claim queue by para (`TransposedClaimQueue`, a
    `BTreeMap<ParaId, BTreeMap<u8, BTreeSet<CoreIndex>>>`): for each para, each depth it holds a
    claim at, the cores, ascending. Held as nested (key, value) tuples in ascending key order
    with sorted core tuples, so it is immutable and equal by value. No wire form: it is derived
    from a ClaimQueue."""

    entries: tuple[tuple[int, tuple[tuple[int, tuple[int, ...]], ...]], ...] = ()

    def __post_init__(self) -> None:
        name = "TransposedClaimQueue"
        paras = _pairs(name, "entries", self.entries)
        for i, (para, depths) in enumerate(paras):
            c.u32(self, f"entries[{i}].para", para)
            levels = _pairs(name, f"entries[{para}]", depths)
            for j, (depth, cores) in enumerate(levels):
                if type(depth) is not int or not 0 <= depth < 256:
                    raise InvalidRecord(name, f"entries[{para}].depth", depth, "must be a u8")
                found = _u32s(name, f"entries[{para}][{depth}]", cores, _CORE_SETS)
                if len(set(found)) != len(found):
                    raise InvalidRecord(name, f"entries[{para}][{depth}]", cores, "a core twice")
                levels[j] = (depth, tuple(sorted(found)))
            _sorted_unique_keys(name, f"entries[{para}]", levels)
            paras[i] = (para, tuple(levels))
        _sorted_unique_keys(name, "entries", paras)
        object.__setattr__(self, "entries", tuple(paras))

    @classmethod
    def from_mapping(
        cls, by_para: Mapping[int, Mapping[int, Iterable[int]]]
    ) -> TransposedClaimQueue:
        return cls(
            tuple(
                (para, tuple((depth, tuple(cores)) for depth, cores in depths.items()))
                for para, depths in by_para.items()
            )
        )

    def paras(self) -> tuple[int, ...]:
        return tuple(para for para, _ in self.entries)

    def depths(self, para: int) -> tuple[tuple[int, tuple[int, ...]], ...]:
        """`para`'s (depth, cores) pairs, ascending by depth; empty for a para without claims."""
        for known, depths in self.entries:
            if known == para:
                return depths
        return ()

    def cores_at(self, para: int, depth: int) -> tuple[int, ...]:
        """The cores assigned to `para` at claim-queue `depth`, ascending; empty if none."""
        for known, cores in self.depths(para):
            if known == depth:
                return cores
        return ()

    def as_dict(self) -> dict[int, dict[int, tuple[int, ...]]]:
        return {para: dict(depths) for para, depths in self.entries}

    def __repr__(self) -> str:
        return f"TransposedClaimQueue({self.as_dict()!r})"


def transpose_claim_queue(cq: ClaimQueue) -> TransposedClaimQueue:
    """`transpose_claim_queue` (E.1.4): every core at every depth it serves a para goes into
    that para's set at that depth. Rust keys the depth as `depth as u8`, so a queue longer than
    256 folds depth 256 onto 0; mirrored here (real queues are 3 to 5 long)."""
    out: dict[int, dict[int, set[int]]] = {}
    for core, paras in cq.entries:
        for depth, para in enumerate(paras):
            out.setdefault(para, {}).setdefault(depth & 0xFF, set()).add(core)
    return TransposedClaimQueue.from_mapping(out)


def _error(kind: UmpSignalError, detail: str, **data: int) -> CandidateReceiptError:
    return CandidateReceiptError(kind, detail, **data)


def check_core_index(
    descriptor: CandidateDescriptor,
    signals: UmpSignals,
    transposed: TransposedClaimQueue,
    para_id: int,
) -> int | CandidateReceiptError:
    """`check_core_index` (E.1.4 step 4): the core the candidate is committed to, or why not.

    The cores `para_id` holds at the SelectCore's claim-queue offset (depth 0 without one) must
    not be empty (`NoAssignment`). With a selector the committed core is the selector-th of them
    in ascending order, modulo their number; without one and a single core, that core; without
    one and several, nothing more can be checked than that the descriptor's core is among them
    (`InvalidCoreIndex` if not), and that core is returned. The committed core must be the
    descriptor's (`CoreIndexMismatch`, carrying both). The descriptor's core is read from its
    bytes 37..39 whatever its version, as Rust reads the raw field; `InvalidSelectedCore` cannot
    arise (the modulo always lands inside the set)."""
    select = signals.select_core
    depth = DEFAULT_CLAIM_QUEUE_OFFSET if select is None else select.claim_queue_offset
    cores = transposed.cores_at(para_id, depth)
    if not cores:
        return _error(
            UmpSignalError.NoAssignment,
            f"para {para_id} holds no core at claim-queue depth {depth}",
        )
    own = raw_core_index(descriptor)
    if select is None:
        if len(cores) > 1:
            if own in cores:
                return own
            return _error(
                UmpSignalError.InvalidCoreIndex,
                f"descriptor core {own} is not among para {para_id}'s cores {list(cores)}",
            )
        selector = 0
    else:
        selector = select.core_selector
    committed = cores[selector % len(cores)]
    if committed != own:
        return _error(
            UmpSignalError.CoreIndexMismatch,
            f"the commitments select core {committed}, the descriptor names core {own}",
            descriptor_core=own,
            commitments_core=committed,
        )
    return committed


def parse_ump_signals(
    receipt: CommittedCandidateReceipt, transposed: TransposedClaimQueue
) -> UmpSignals | CandidateReceiptError:
    """`parse_ump_signals` (E.1.4, E.2.3): the candidate's signals when its descriptor and
    commitments agree with the transposed claim queue (taken at the scheduling parent), else the
    first broken rule. In order: the signals must parse (`ump_signals`); a V1 descriptor may not
    carry any (`UMPSignalWithV1Decriptor`) and is otherwise done with; an unknown version is
    `UnknownVersion`; a V3 descriptor must carry a SelectCore (`NoUMPSignalWithV3Descriptor`,
    PR #10472); then `check_core_index` for the descriptor's para."""
    signals = ump_signals(receipt.commitments)
    if isinstance(signals, CandidateReceiptError):
        return signals
    descriptor = receipt.descriptor
    version = descriptor_version(descriptor)
    if version is DescriptorVersion.V1:
        if signals.is_empty():
            return signals
        return _error(
            UmpSignalError.UMPSignalWithV1Decriptor,
            "a V1 descriptor's commitments carry UMP signals",
        )
    if version is DescriptorVersion.UNKNOWN:
        raw = internal_version(descriptor)
        return _error(
            UmpSignalError.UnknownVersion,
            f"internal version {raw} is not a known descriptor version",
            unknown_version=raw,
        )
    if version is DescriptorVersion.V3 and signals.select_core is None:
        return _error(
            UmpSignalError.NoUMPSignalWithV3Descriptor,
            "a V3 descriptor's commitments carry no SelectCore signal",
        )
    core = check_core_index(descriptor, signals, transposed, descriptor.para_id)
    if isinstance(core, CandidateReceiptError):
        return core
    return signals


def committed_core_index(
    commitments: CandidateCommitments, assigned_cores: Iterable[int]
) -> int | None:
    """The core the commitments' SelectCore picks among `assigned_cores` (the para's cores at
    the signal's depth): the selector-th in ascending order, modulo their number. None without
    cores, without a SelectCore, or when the signals do not parse (the older
    `CandidateCommitments::committed_core_index`)."""
    cores = sorted(set(assigned_cores))
    signals = ump_signals(commitments)
    if not cores or isinstance(signals, CandidateReceiptError) or signals.select_core is None:
        return None
    return cores[signals.select_core.core_selector % len(cores)]


def inject_core_index(group_bits: BitVec, core_index: int) -> BitVec:
    """`validator_indices` as `BackedCandidate::new` builds it (E.1.5): the backing group's bits,
    then the core index as 8 bits, least significant first. Rust truncates a core beyond 255
    (`as u8`); here it is the caller's mistake (InvalidRecord)."""
    if not isinstance(group_bits, BitVec):
        raise InvalidRecord("BackedCandidate", "group_bits", group_bits, "must be a BitVec")
    if type(core_index) is not int or not 0 <= core_index < 1 << CORE_INDEX_BITS:
        raise InvalidRecord(
            "BackedCandidate", "core_index", core_index, "must be 0..255 to fit the 8 bits"
        )
    return group_bits.concat(BitVec(core_index, CORE_INDEX_BITS))


def split_injected_core_index(bits: BitVec) -> tuple[BitVec, int | None]:
    """`validator_indices_and_core_index` (2025+, E.1.5): when the vector is longer than 8
    bits, its last 8 are the core index and the rest the group's bits; otherwise all of it is
    the group's and there is no core. The runtime accepts the split only when the group part is
    as long as the backing group, which is for the caller to check."""
    offset = max(len(bits) - CORE_INDEX_BITS, 0)
    if offset > 0:
        return bits.slice(0, offset), bits.slice(offset, len(bits)).as_int()
    return bits, None
