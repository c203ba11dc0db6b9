# What `backable simulate` reports: the parameters, a row per relay block, and the totals. Plain
# data (dataclasses of ints, floats, strings, lists and dicts) so it renders as a table, as JSON
# and as a plot. Timing fields are the only ones that may differ between two runs of one seed;
# `without_timing()` drops them so runs can be compared byte for byte. `SimulationError` is what
# the simulation raises for parameters that describe no network.
from __future__ import annotations

import copy
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any, overload

from backable.core import BackableError

__all__ = [
    "ADVERSARY_KINDS",
    "BlockRow",
    "InclusionRow",
    "Inclusions",
    "DETECTABLE_KINDS",
    "MAX_SEED",
    "MAX_U32",
    "SimParams",
    "SimReport",
    "SimulationError",
    "TIMING_FIELDS",
    "UNDETECTED_APART",
    "UNDETECTED_LOST",
    "UNDETECTED_UNEXPLAINED",
]

# Adversary flags: a fraction of validators behaving so (off = 0.0).
ADVERSARY_KINDS = (
    "double_vote",  # Seconded and Valid, or Valid and Invalid, on one candidate
    "second_two",  # seconding two different candidates at one relay parent
    "vouch_invalid",  # seconding and voting Valid for invalid candidates
    "out_of_group",  # statements on candidates of a group they are not in
    "forge",  # statements with forged signatures
    "withhold_statements",  # never sharing their statements
    "withhold_bitfields",  # never sending availability bitfields
)

# Misbehaviour the pipeline must detect, by the kind it is reported as.
DETECTABLE_KINDS = (
    "ValidityDoubleVote",
    "MultipleCandidates",
    "UnauthorizedStatement",
    "DoubleSign",
    "ForgedSignature",
)

# Why an injected offence went undetected (`SimReport.misbehaviour_undetected`): the network
# lost every copy of a statement it needs; or the nodes it reached lacked the statement it
# contradicts (or the Seconded of the candidate it votes on), lost on the way to them. Anything
# else would be a bug: the tests require none.
UNDETECTED_LOST = "every copy of the offending statement was lost in the network"
UNDETECTED_APART = "no node it reached had the statement it contradicts"
UNDETECTED_UNEXPLAINED = "unexplained"

# The largest seed: relay block hashes commit to the seed as 8 little-endian bytes (chain.py's
# `relay_hash`), so a seed is a u64. Counts and block numbers are the chain's u32s.
MAX_SEED = 2**64 - 1
MAX_U32 = 2**32 - 1

TIMING_FIELDS = ("wall_seconds", "assembly_ms", "assembly_ms_median", "assembly_ms_max")


class SimulationError(BackableError, RuntimeError):
    """The parameters cannot describe a network (the CLI validates before this)."""


@dataclass
class SimParams:
    validators: int = 300
    cores: int = 60
    group_size: int = 5
    blocks: int = 30
    seed: int = 0
    rotation_frequency: int = 10
    availability_timeout: int = 4  # blocks an occupied core waits before it times out
    bitfield_loss: float = 0.0
    statement_loss: float = 0.0
    chunk_loss: float = 0.0  # chance a validator outside the backing group lacks its chunk
    code_upgrade_rate: float = 0.05  # chance a collation carries new validation code
    minimum_backing_votes: int | None = None
    protocol: str = "legacy"  # "legacy" (the seeds' synchronous backing) or "async" (today's)
    cores_per_para: int = 1  # cores each para holds in the claim queue (more than 1: async only)
    adversaries: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(ADVERSARY_KINDS, 0.0)
    )


@dataclass(slots=True)  # one per block / inclusion: kept small, a long run holds many
class BlockRow:
    """One relay block: what happened while it was built."""

    number: int
    author: int
    seconded: int = 0
    backed: int = 0  # backed candidates in the block's inherent
    included: int = 0  # candidates that became available in this block
    timed_out: int = 0
    code_upgrades: int = 0
    bitfields: int = 0
    occupied_cores: int = 0
    available_cores: int = 0
    assembly_ms: float = 0.0


@dataclass(slots=True)  # one per block / inclusion: kept small, a long run holds many
class InclusionRow:
    """A candidate that became available: enough to check the pipeline's invariants."""

    block: int  # the block in which it became available
    core: int
    para: int
    backed_at: int
    votes: int  # validity votes carried by its backed candidate
    group_size: int
    threshold: int  # backing votes its group needed
    availability: int  # validators whose bits were set when it became available
    validators: int
    scheduled_when_backed: bool  # its para was scheduled on the core (free or freed) then
    invalid: bool


_INCLUSION_FIELDS = tuple(f.name for f in fields(InclusionRow))
_INCLUSION_FLAGS = frozenset(("scheduled_when_backed", "invalid"))
# An unsigned array type of four bytes (C's unsigned int on every platform Python runs on, but
# checked rather than assumed).
_U32 = "I" if array("I").itemsize == 4 else "L"
_RANGE = {"B": (0, 255), _U32: (0, 2**32 - 1), "q": (-(2**63), 2**63 - 1)}


def _fits(typecode: str, value: int) -> bool:
    low, high = _RANGE[typecode]
    return low <= value <= high


class Inclusions:
    """The report's inclusion rows, held as columns of machine integers (an `array` per field):
    a 1,000-block run at the defaults holds ~29,000 of them, and as objects they were the one
    part of a run's memory that grew with its length (~180 bytes each, and small objects kept
    alive among short-lived ones fragment the allocator's arenas); as columns, 38 bytes. Reads
    give `InclusionRow`s back; equality, `len`, indexing, slicing and iteration behave as for a
    list of them."""

    __slots__ = ("_columns",)

    def __init__(self, rows: Iterable[InclusionRow] = ()) -> None:
        # Each column as narrow as its values: one byte for a flag, four for the u32s (block and
        # core numbers, para ids, counts) a row holds; a column is widened to signed 64-bit the
        # first time a value does not fit, so nothing is ever refused.
        self._columns = tuple(
            array("B" if name in _INCLUSION_FLAGS else _U32) for name in _INCLUSION_FIELDS
        )
        for row in rows:
            self.append(row)

    def append(self, row: InclusionRow) -> None:
        values = [int(getattr(row, name)) for name in _INCLUSION_FIELDS]
        pairs = tuple(zip(self._columns, values, strict=True))
        if any(not _fits(column.typecode, v) for column, v in pairs):
            if any(not _fits("q", v) for v in values):
                raise OverflowError(f"an inclusion row's value does not fit in 64 bits: {row}")
            self._columns = tuple(
                column if _fits(column.typecode, v) else array("q", column) for column, v in pairs
            )
        for column, value in zip(self._columns, values, strict=True):
            column.append(value)

    def __len__(self) -> int:
        return len(self._columns[0])

    def _row(self, i: int) -> InclusionRow:
        values: dict[str, Any] = {
            name: bool(column[i]) if name in _INCLUSION_FLAGS else column[i]
            for name, column in zip(_INCLUSION_FIELDS, self._columns, strict=True)
        }
        return InclusionRow(**values)

    @overload
    def __getitem__(self, index: int) -> InclusionRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[InclusionRow]: ...
    def __getitem__(self, index: int | slice) -> InclusionRow | list[InclusionRow]:
        if isinstance(index, slice):
            return [self._row(i) for i in range(len(self))[index]]
        return self._row(range(len(self))[index])  # IndexError and negative indices as a list's

    def __iter__(self) -> Iterator[InclusionRow]:
        return (self._row(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Inclusions):
            return self._columns == other._columns
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like the list it stands for

    def __repr__(self) -> str:
        return f"Inclusions({list(self)!r})"

    def to_dicts(self) -> list[dict[str, Any]]:
        return [asdict(row) for row in self]


def _plain(value: Any) -> Any:
    if isinstance(value, Inclusions):
        return value.to_dicts()
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return copy.deepcopy(value)


@dataclass
class SimReport:
    params: SimParams
    blocks: list[BlockRow] = field(default_factory=list)
    # totals
    seconded: int = 0
    backed: int = 0
    included: int = 0
    timed_out: int = 0
    code_upgrades: int = 0
    mean_blocks_backing_to_inclusion: float | None = None
    # Mean seconds between consecutive inclusions of one para (relay block = 6 s), counted from
    # each para's first inclusion; None before any para is included twice.
    parablock_time_seconds: float | None = None
    backed_per_block: float = 0.0  # candidates backed per relay block, mean over the blocks run
    # core index -> blocks in which that core's candidate became available
    availability_per_core: list[int] = field(default_factory=list)
    misbehaviour_detected: dict[str, int] = field(default_factory=dict)
    misbehaviour_injected: dict[str, int] = field(default_factory=dict)
    # kind -> reason -> injected offences no node detected (detected + these == injected)
    misbehaviour_undetected: dict[str, dict[str, int]] = field(default_factory=dict)
    evidence_verified: int = 0
    evidence_unverified: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    invalid_seconded: int = 0  # invalid candidates that some validator seconded
    invalid_backed: int = 0
    invalid_included: int = 0
    # groups where adversaries reach a third or more, and what got through there
    groups_with_adversaries_at_or_over_a_third: int = 0
    invalid_included_in_such_groups: int = 0
    invalid_included_elsewhere: int = 0
    inherent_problems: list[str] = field(default_factory=list)
    inclusions: Inclusions = field(default_factory=Inclusions)
    # backed candidates placed on a core that already held one (the runtime would refuse)
    core_conflicts: int = 0
    # The sr25519 work the run did, the floor of its cost. "signed": every signing, by the
    # nodes (statements), the collators, the bitfield signers and the adversaries (a forger
    # signs genuinely, then sends random bytes instead: its forged signatures are no signing and
    # are not counted). "verified": every check, forged signatures included: statements by the
    # nodes, collator signatures by validation, bitfields by their distribution, the inherent by
    # `check_inherent`, the evidence by the tally. Counted by the keystores (`Keystore.signed`,
    # `.verified`) and `InMemoryValidation.signatures_verified`.
    signatures: dict[str, int] = field(default_factory=lambda: {"signed": 0, "verified": 0})
    stopped_early: str | None = None
    assembly_ms_median: float | None = None
    assembly_ms_max: float | None = None
    wall_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain data (as `dataclasses.asdict` gives, which would deep-copy the inclusions'
        columns rather than give their rows)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    def without_timing(self) -> dict[str, Any]:
        """The report with every timing field removed: equal for two runs of one seed."""

        def strip(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: strip(v) for k, v in value.items() if k not in TIMING_FIELDS}
            if isinstance(value, list):
                return [strip(v) for v in value]
            return value

        result: dict[str, Any] = strip(self.to_dict())
        return result
