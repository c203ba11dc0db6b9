# The statement table (polkadot@c4ee9d46 `statement-table/src/generic.rs`), persistent: every
# import returns a new Table and leaves the old one as it was. The node's side of it
# (`TableContext`, `group_quorum`, `table_attested_to_backed`) is node/core/backing/src/lib.rs.
#
# Rules of this module:
# - Statements are Seconded, Valid and the seed's Invalid (the early node's rules, polkadot@8dd1e0d3
#   statement-table/src/generic.rs). Signatures are not checked here: the shell checks them
#   before importing.
# - Misbehaviour is evidence data appended to a log, never raised; the offending statement is not
#   applied (the Rust node keeps a misbehaving Seconded's proposal; see docs/backing.md).
# - One record per offence: a replay of a misbehaving statement builds a record equal to one
#   kept and returns the very same table. Evidence is bounded per offender
#   (`TableContext.max_evidence_per_validator`); beyond it an offence is counted, not kept, so a
#   peer cannot make the table grow without bound. Parity's node keeps one report per offence
#   because its statement distribution hands each statement to backing once; here the table
#   itself refuses the replay, whoever delivers it.
# - The quorum counts distinct Seconded/Valid votes; Invalid votes never count and never subtract.
# - Nothing here iterates a hash map to produce output: votes and misbehaviours come out sorted by
#   validator index, or in detection order.
#
# Representation. pyrsistent's pmap costs ~2.5 us per `set` (pure Python), which alone put the
# table far beyond 3x a mutable dict. `_HMap` is a two-level persistent map: a pvector (C
# extension) of small dict buckets, copied on write; an update copies one bucket (~10 entries)
# and sets one pvector slot, about 0.5 us. Buckets are never mutated after creation.
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, TypeVar, Union

from pyrsistent import PMap, PVector, pmap, pvector

from ..errors import BackableError
from ..records.backed import BackedCandidate
from ..records.bitvec import BitVec
from ..records.candidate import CommittedCandidateReceipt
from ..records.misbehavior import (
    DoubleSign,
    DoubleSignKind,
    Misbehavior,
    MultipleCandidates,
    UnauthorizedStatement,
    ValidityDoubleVote,
    ValidityDoubleVoteKind,
)
from ..records.statements import (
    AnyStatement,
    Explicit,
    Implicit,
    Invalid,
    Seconded,
    SignedStatement,
    Valid,
)
from ..thresholds import backing_threshold

__all__ = [
    "MAX_EVIDENCE_PER_VALIDATOR",
    "AttestedCandidate",
    "Summary",
    "Table",
    "TableContext",
    "TableError",
    "attested_candidate",
    "attested_to_backed",
    "import_statement",
]

K = TypeVar("K")
V = TypeVar("V")

_BUCKETS = 256  # a power of two; ~40 entries per bucket at 10,000 candidates


class _HMap(Generic[K, V]):
    """A persistent hash map: a pvector of dict buckets, copy-on-write (see the header)."""

    __slots__ = ("_buckets", "_len")

    def __init__(self, buckets: PVector[dict[K, V]], length: int) -> None:
        self._buckets = buckets
        self._len = length

    def get(self, key: K) -> V | None:
        return self._buckets[hash(key) & (_BUCKETS - 1)].get(key)

    def set(self, key: K, value: V) -> _HMap[K, V]:
        i = hash(key) & (_BUCKETS - 1)
        old = self._buckets[i]
        grown = key not in old
        return _HMap(self._buckets.set(i, {**old, key: value}), self._len + grown)

    def __len__(self) -> int:
        return self._len

    def items(self) -> Iterator[tuple[K, V]]:
        for bucket in self._buckets:
            yield from bucket.items()

    def __eq__(self, other: object) -> bool:
        # Bucket placement depends only on the key's hash, so equal contents give equal buckets.
        return (
            isinstance(other, _HMap)
            and self._len == other._len
            and (self._buckets == other._buckets)
        )

    __hash__ = None  # type: ignore[assignment]


_EMPTY_BUCKETS: PVector[dict[Any, Any]] = pvector([{}] * _BUCKETS)

# Vote kinds stored per validator and candidate: (kind, signature).
_ISSUED, _VALID, _INVALID = 0, 1, 2
_KIND_OF = {Seconded: _ISSUED, Valid: _VALID, Invalid: _INVALID}
_STATEMENT_OF: dict[int, type[Valid] | type[Invalid]] = {_VALID: Valid, _INVALID: Invalid}
_DOUBLE_SIGN = {
    _ISSUED: DoubleSignKind.SECONDED,
    _VALID: DoubleSignKind.VALID,
    _INVALID: DoubleSignKind.INVALID,
}
_DOUBLE_VOTE = {
    frozenset((_ISSUED, _VALID)): ValidityDoubleVoteKind.ISSUED_AND_VALIDITY,
    frozenset((_ISSUED, _INVALID)): ValidityDoubleVoteKind.ISSUED_AND_INVALIDITY,
    frozenset((_VALID, _INVALID)): ValidityDoubleVoteKind.VALIDITY_AND_INVALIDITY,
}


class TableError(BackableError, TypeError):
    """The table was called with something that is not a statement table input."""


# Evidence records kept per offender and relay parent: enough to prove and report several kinds
# of offence, few enough that 1 MB candidates in out-of-group Seconded statements cost at most a
# few MB per peer. Further offences are counted in `Table.excess_misbehaviors`.
MAX_EVIDENCE_PER_VALIDATOR = 8


_NEVER = 1 << 64  # threshold of a groupless para: never backable (node: `requisite_votes`)


@dataclass(frozen=True, slots=True)
class TableContext:
    """The table's read-only view of the world (the node's `TableContext`, the `Context` trait).

    `groups` maps a para id to the validator indices assigned to it. `allow_multiple_seconded`
    is the current network's switch letting one validator second several candidates
    (polkadot-sdk@0669c628 polkadot/statement-table/src/generic.rs, `Config`).
    `max_evidence_per_validator` bounds the misbehaviour records kept per offender (at least 1);
    further offences by that validator are only counted (`Table.excess_misbehaviors`).
    """

    groups: Mapping[int, tuple[int, ...]]
    minimum_backing_votes: int | None = None
    allow_multiple_seconded: bool = False
    max_evidence_per_validator: int = MAX_EVIDENCE_PER_VALIDATOR
    _members: Mapping[int, frozenset[int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if type(self.max_evidence_per_validator) is not int or self.max_evidence_per_validator < 1:
            raise TableError(
                "TableContext: max_evidence_per_validator must be an int of at least 1, not"
                f" {self.max_evidence_per_validator!r}"
            )
        groups = pmap({int(p): tuple(g) for p, g in dict(self.groups).items()})
        object.__setattr__(self, "groups", groups)
        # Membership is the hottest lookup of an import: keep it a plain dict of frozensets.
        object.__setattr__(self, "_members", {p: frozenset(g) for p, g in groups.items()})

    def is_member_of(self, validator_index: int, para_id: int) -> bool:
        members = self._members.get(para_id)
        return members is not None and validator_index in members

    def requisite_votes(self, para_id: int) -> int:
        """`backing_threshold` of the para's group; a para without a group is never backable."""
        group = self.groups.get(para_id)
        if group is None:
            return _NEVER
        return backing_threshold(len(group), self.minimum_backing_votes)


@dataclass(frozen=True, slots=True)
class Summary:
    """What a new vote changed (generic.rs). `validity_votes` counts the candidate's distinct
    Seconded/Valid votes, the number compared with the threshold (Invalid votes excluded)."""

    candidate_hash: bytes
    group_id: int
    validity_votes: int


@dataclass(frozen=True, slots=True)
class AttestedCandidate:
    """A candidate with at least the threshold of validity votes (generic.rs `attested_candidate`);
    `validity_votes` holds every recorded validity vote, sorted by validator index."""

    group_id: int
    candidate: CommittedCandidateReceipt
    validity_votes: tuple[tuple[int, Implicit | Explicit], ...]


class _CandidateData(NamedTuple):
    # A NamedTuple, not a frozen dataclass: one is built per vote and the dataclass's
    # object.__setattr__ per field cost a third of an import.
    group_id: int
    candidate: CommittedCandidateReceipt
    votes: Mapping[int, tuple[int, bytes]]  # a dict never mutated once stored
    valid_votes: int  # Issued + Valid votes, kept so the quorum check is O(1)


_Outcome = Union[Misbehavior, None]  # noqa: UP007

# One Summary and one _CandidateData are built per vote: building them through their slots and
# tuple.__new__ skips the frozen dataclass's object.__setattr__ per field and the NamedTuple's
# generated __new__, a quarter of an import's cost (bench/bench_table.py).
_new_object = object.__new__
_set_hash = Summary.__dict__["candidate_hash"].__set__
_set_group = Summary.__dict__["group_id"].__set__
_set_votes = Summary.__dict__["validity_votes"].__set__
_new_tuple = tuple.__new__


def _summary(candidate_hash: bytes, group_id: int, validity_votes: int) -> Summary:
    s: Summary = _new_object(Summary)
    _set_hash(s, candidate_hash)
    _set_group(s, group_id)
    _set_votes(s, validity_votes)
    return s


def _candidate_data(
    group_id: int,
    candidate: CommittedCandidateReceipt,
    votes: Mapping[int, tuple[int, bytes]],
    valid_votes: int,
) -> _CandidateData:
    data: _CandidateData = _new_tuple(_CandidateData, (group_id, candidate, votes, valid_votes))
    return data


class Table:
    """The statement table of one relay parent (generic.rs `Table`). `Table()` is empty."""

    __slots__ = ("_candidates", "_evidence", "_excess", "_log", "_proposals")

    _candidates: _HMap[bytes, _CandidateData]
    _proposals: _HMap[int, tuple[tuple[bytes, bytes], ...]]
    _log: PVector[tuple[int, Misbehavior]]
    # The same records as `_log`, by offender: the replay check and the cap read this.
    _evidence: PMap[int, tuple[Misbehavior, ...]]
    _excess: PMap[int, int]  # offences beyond the cap, counted per offender

    def __init__(self) -> None:
        self._candidates = _HMap(_EMPTY_BUCKETS, 0)
        self._proposals = _HMap(_EMPTY_BUCKETS, 0)
        self._log = pvector()
        self._evidence = pmap()
        self._excess = pmap()

    @classmethod
    def _make(
        cls,
        candidates: _HMap[bytes, _CandidateData],
        proposals: _HMap[int, tuple[tuple[bytes, bytes], ...]],
        log: PVector[tuple[int, Misbehavior]],
        evidence: PMap[int, tuple[Misbehavior, ...]],
        excess: PMap[int, int],
    ) -> Table:
        t = cls.__new__(cls)
        t._candidates = candidates
        t._proposals = proposals
        t._log = log
        t._evidence = evidence
        t._excess = excess
        return t

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Table) and (
            self._log == other._log
            and self._excess == other._excess
            and self._candidates == other._candidates
            and self._proposals == other._proposals
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Table(candidates={len(self._candidates)}, seconders={len(self._proposals)},"
            f" misbehaviors={len(self._log)})"
        )

    @property
    def misbehaviors(self) -> PMap[int, tuple[Misbehavior, ...]]:
        """Validator index -> its misbehaviours, oldest first, at most
        `max_evidence_per_validator` each (generic.rs `get_misbehavior`)."""
        return self._evidence

    @property
    def excess_misbehaviors(self) -> PMap[int, int]:
        """Validator index -> offences detected after its evidence reached the cap: counted, not
        kept (a replay of one of them counts again: telling it apart would mean keeping it)."""
        return self._excess

    @property
    def excess_count(self) -> int:
        """All offences counted beyond the cap; a mark, like `misbehavior_count`."""
        return sum(self._excess.values())

    @property
    def misbehavior_count(self) -> int:
        """How many misbehaviours were detected so far; a mark for `misbehaviors_since`."""
        return len(self._log)

    def misbehaviors_since(self, mark: int) -> tuple[tuple[int, Misbehavior], ...]:
        """`(validator_index, misbehaviour)` detected after `mark`, in detection order: the pure
        form of `drain_misbehaviors` (generic.rs); the caller keeps the mark."""
        return tuple(self._log[mark:])

    def candidate(self, candidate_hash: bytes) -> CommittedCandidateReceipt | None:
        """The candidate first seconded under this hash (generic.rs `get_candidate`)."""
        data = self._candidates.get(candidate_hash)
        return None if data is None else data.candidate

    def candidate_hashes(self) -> tuple[bytes, ...]:
        """Every seconded candidate's hash, sorted."""
        return tuple(sorted(h for h, _ in self._candidates.items()))

    def votes(self, candidate_hash: bytes) -> tuple[tuple[int, AnyStatement, bytes], ...]:
        """Every recorded vote on a candidate, `(validator, statement, signature)`, by validator."""
        data = self._candidates.get(candidate_hash)
        if data is None:
            return ()
        out: list[tuple[int, AnyStatement, bytes]] = []
        for v in sorted(data.votes):
            kind, sig = data.votes[v]
            st: AnyStatement = (
                Seconded(data.candidate) if kind == _ISSUED else _STATEMENT_OF[kind](candidate_hash)
            )
            out.append((v, st, sig))
        return tuple(out)


def import_statement(
    table: Table, context: TableContext, signed_statement: SignedStatement
) -> tuple[Table, Summary | None]:
    """Import one signed statement (generic.rs `import_statement`, with the seed's Invalid rules).

    Returns the new table and a `Summary` when the statement is a new vote. A duplicate, or a
    Valid/Invalid for an unknown candidate, returns the same table and None (the backing job
    holds such early votes until the Seconded comes). Misbehaviour (D.4) is appended to
    `table.misbehaviors` and the statement is not applied; an offence already recorded returns
    the same table, and one beyond `context.max_evidence_per_validator` is only counted
    (`excess_misbehaviors`). The signature is not checked: the caller (the shell) checks it
    first.
    """
    if type(signed_statement) is not SignedStatement:
        raise TableError(
            f"import_statement: expected a SignedStatement, got {type(signed_statement).__name__}"
            f" while the table held {len(table._candidates)} candidates"
        )
    statement = signed_statement.statement
    sender = signed_statement.validator_index
    sig = signed_statement.signature
    if type(statement) is Seconded:
        return _import_candidate(table, context, signed_statement, statement.candidate, sender, sig)
    digest = statement.candidate_hash
    data = table._candidates.get(digest)
    if data is None:
        return table, None  # a vote on a candidate never seconded here is dropped (D.3)
    return _validity_vote(
        table, context, signed_statement, data, digest, sender, _KIND_OF[type(statement)], sig, None
    )


def _import_candidate(
    table: Table,
    ctx: TableContext,
    signed: SignedStatement,
    candidate: CommittedCandidateReceipt,
    sender: int,
    sig: bytes,
) -> tuple[Table, Summary | None]:
    group = candidate.descriptor.para_id
    if not ctx.is_member_of(sender, group):
        return _reject(table, ctx, sender, UnauthorizedStatement(signed))
    digest = candidate.hash()
    proposals = table._proposals.get(sender)
    new_proposals: tuple[tuple[bytes, bytes], ...] | None = ((digest, sig),)
    if proposals:
        if any(d == digest for d, _ in proposals):
            new_proposals = None  # the same candidate again: a vote question, not a proposal
        elif ctx.allow_multiple_seconded:
            new_proposals = (*proposals, (digest, sig))
        else:
            old_digest, old_sig = proposals[0]
            old = table._candidates.get(old_digest)
            assert old is not None, "a recorded proposal always has its candidate in the table"
            return _reject(
                table,
                ctx,
                sender,
                MultipleCandidates((old.candidate, old_sig), (candidate, sig), sender),
            )
    data = table._candidates.get(digest)
    if data is None:
        data = _CandidateData(group, candidate, {}, 0)
    return _validity_vote(table, ctx, signed, data, digest, sender, _ISSUED, sig, new_proposals)


def _validity_vote(
    table: Table,
    ctx: TableContext,
    signed: SignedStatement,
    data: _CandidateData,
    digest: bytes,
    sender: int,
    kind: int,
    sig: bytes,
    new_proposals: tuple[tuple[bytes, bytes], ...] | None,
) -> tuple[Table, Summary | None]:
    if kind != _ISSUED and not ctx.is_member_of(sender, data.group_id):
        return _reject(table, ctx, sender, UnauthorizedStatement(signed))
    old = data.votes.get(sender)
    if old is not None:
        if old == (kind, sig):
            return table, None  # an exact duplicate
        return _reject(table, ctx, sender, _conflict(data, digest, sender, old, (kind, sig)))
    votes = {**data.votes, sender: (kind, sig)}
    valid_votes = data.valid_votes + (kind != _INVALID)
    candidates = table._candidates.set(
        digest, _candidate_data(data.group_id, data.candidate, votes, valid_votes)
    )
    proposals = table._proposals
    if new_proposals is not None:
        proposals = proposals.set(sender, new_proposals)
    return (
        Table._make(candidates, proposals, table._log, table._evidence, table._excess),
        _summary(digest, data.group_id, valid_votes),
    )


def _conflict(
    data: _CandidateData,
    digest: bytes,
    sender: int,
    old: tuple[int, bytes],
    new: tuple[int, bytes],
) -> Misbehavior:
    (old_kind, old_sig), (new_kind, new_sig) = old, new
    if old_kind == new_kind:
        statement: AnyStatement = (
            Seconded(data.candidate) if old_kind == _ISSUED else _STATEMENT_OF[old_kind](digest)
        )
        return DoubleSign(_DOUBLE_SIGN[old_kind], statement, old_sig, new_sig, sender)
    # The first signature is always the lower kind's (Issued < Valid < Invalid), as the Rust node
    # always puts the Issued one first whatever the arrival order (generic.rs `validity_vote`).
    (_, first), (_, second) = sorted((old, new))
    return ValidityDoubleVote(
        _DOUBLE_VOTE[frozenset((old_kind, new_kind))], data.candidate, first, second, sender
    )


def _reject(
    table: Table, ctx: TableContext, sender: int, misbehavior: Misbehavior
) -> tuple[Table, None]:
    # A record names the offender, the kind and every statement involved, so an equal record is
    # the same offence again: the table stays as it was (no new evidence, nothing to report).
    kept = table._evidence.get(sender, ())
    if misbehavior in kept:
        return table, None
    if len(kept) >= ctx.max_evidence_per_validator:
        excess = table._excess.set(sender, table._excess.get(sender, 0) + 1)
        return (
            Table._make(table._candidates, table._proposals, table._log, table._evidence, excess),
            None,
        )
    log = table._log.append((sender, misbehavior))
    evidence = table._evidence.set(sender, (*kept, misbehavior))
    return (
        Table._make(table._candidates, table._proposals, log, evidence, table._excess),
        None,
    )


def attested_candidate(
    table: Table, candidate_hash: bytes, context: TableContext
) -> AttestedCandidate | None:
    """The candidate with all its validity votes if it is backable, else None
    (generic.rs `attested_candidate`).

    Backable: seconded, and its distinct Seconded/Valid votes reach `context.requisite_votes`.
    Invalid votes neither count nor subtract; they stay evidence for disputes (docs/backing.md).
    """
    data = table._candidates.get(candidate_hash)
    if data is None or data.valid_votes < context.requisite_votes(data.group_id):
        return None
    votes = tuple(
        (v, Implicit(sig) if kind == _ISSUED else Explicit(sig))
        for v, (kind, sig) in sorted(data.votes.items())
        if kind != _INVALID
    )
    return AttestedCandidate(data.group_id, data.candidate, votes)


def attested_to_backed(
    attested: AttestedCandidate, group: tuple[int, ...]
) -> BackedCandidate | None:
    """A `BackedCandidate` from an attested one (the node's `table_attested_to_backed`): votes
    ordered by the voter's
    position in `group`, one bit per group member. None if a voter is not in the group (the Rust
    node's "logic error")."""
    position = {v: i for i, v in enumerate(group)}
    placed: list[tuple[int, Implicit | Explicit]] = []
    for v, attestation in attested.validity_votes:
        pos = position.get(v)
        if pos is None:
            return None
        placed.append((pos, attestation))
    placed.sort(key=lambda p: p[0])
    return BackedCandidate(
        attested.candidate,
        tuple(a for _, a in placed),
        BitVec.from_indices(len(group), (p for p, _ in placed)),
    )
