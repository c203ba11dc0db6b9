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
# extension) of small dict buckets, copied on write; an update copies one bucket (at most a few
# entries: the bucket count doubles as the map grows) and sets one pvector slot, about 0.5 us.
# Buckets are never mutated after creation. What still grows with a table's size is memory
# traffic, not work: a pvector update copies a 32-slot node and so touches 32 sibling buckets,
# and CPython's young-generation collection traverses the newest pvector whole (a C object
# whose traversal visits every slot). Votes keep the caller's SignedStatement rather than a new
# tuple, so a run of imports allocates little that survives and those collections stay rare.
# bench/bench_table.py measures it.
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

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

# Buckets start few (a relay parent's table is small, and every node of a simulation keeps one)
# and double when they hold more than _LOAD entries on average, so an update copies a bucket of a
# few entries whatever the table's size and the cost per statement stays flat.
#
# A map is a plain tuple `(buckets, length, mask)`, read and written by the functions below: one
# is built per import, and a tuple display costs a fraction of any class's constructor. Equal
# contents give equal tuples: placement depends only on a key's hash and the length (the bucket
# count doubles at fixed lengths, and nothing is ever removed).
_FIRST_BUCKETS = 8  # a power of two
_LOAD = 4

_HMap = tuple[PVector[dict[Any, Any]], int, int]
# Shared by every empty table: nothing ever changes a map in place.
_EMPTY_HMAP: _HMap = (pvector([{}] * _FIRST_BUCKETS), 0, _FIRST_BUCKETS - 1)


def _hget(m: _HMap, key: object) -> Any:
    return m[0][hash(key) & m[2]].get(key)


def _hset(m: _HMap, key: object, value: object) -> _HMap:
    buckets, length, mask = m
    i = hash(key) & mask
    old = buckets[i]
    if key in old:
        return (buckets.set(i, {**old, key: value}), length, mask)
    length += 1
    if length > _LOAD * (mask + 1):
        return _hdoubled(m, key, value)
    return (buckets.set(i, {**old, key: value}), length, mask)


def _hdoubled(m: _HMap, key: object, value: object) -> _HMap:
    # O(n), once per doubling: O(1) per insert in the linear use every caller makes (import into
    # the newest table); only a caller inserting again and again into one old table that sits
    # just below a doubling would pay it each time.
    mask = 2 * m[2] + 1
    buckets: list[dict[Any, Any]] = [{} for _ in range(mask + 1)]
    for k, v in _hitems(m):
        buckets[hash(k) & mask][k] = v
    buckets[hash(key) & mask][key] = value
    return (pvector(buckets), m[1] + 1, mask)


def _hitems(m: _HMap) -> Iterator[tuple[Any, Any]]:
    for bucket in m[0]:
        yield from bucket.items()


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

    `groups` maps a group id to the validator indices in it: a para id in the seeds' design,
    a core index under today's rules. `allow_multiple_seconded`
    is the current network's switch letting one validator second several candidates
    (polkadot-sdk@0669c628 polkadot/statement-table/src/generic.rs, `Config`).
    `max_evidence_per_validator` bounds the misbehaviour records kept per offender (at least 1);
    further offences by that validator are only counted (`Table.excess_misbehaviors`).

    `seconder_groups` says which group a seconded candidate joins. None (the seeds' design): its
    para id. Otherwise it maps a validator to the group id of every candidate it seconds (today:
    the core its backing group serves, E.4.3.3, where Rust's `import_statement` takes that core
    as an argument); a validator absent from it belongs to no group, and a Seconded joining a
    candidate already in another group is an unauthorised statement, as Rust's `validity_vote`
    checks every vote, the seconder's included, against the candidate's group.
    """

    groups: Mapping[int, tuple[int, ...]]
    minimum_backing_votes: int | None = None
    allow_multiple_seconded: bool = False
    max_evidence_per_validator: int = MAX_EVIDENCE_PER_VALIDATOR
    seconder_groups: Mapping[int, int] | None = None
    _members: Mapping[int, frozenset[int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _seconders: Mapping[int, int] | None = field(
        default=None, init=False, repr=False, compare=False
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
        if self.seconder_groups is not None:
            seconders = {int(v): int(g) for v, g in dict(self.seconder_groups).items()}
            object.__setattr__(self, "seconder_groups", pmap(seconders))
            object.__setattr__(self, "_seconders", seconders)

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


# A candidate's record in the table, a plain tuple `(group_id, candidate, votes, valid_votes)`:
# one is built per vote, and a tuple display is several times cheaper than any record class.
# `votes` maps a validator to its signed statement (a dict never mutated once stored): keeping
# the caller's record allocates nothing per vote, so a long run of imports gives the collector's
# youngest generation almost nothing to count (a `(kind, signature)` tuple per vote set off a
# young collection every few hundred votes, each traversing the newest bucket vector whole).
# `valid_votes` counts Issued + Valid votes, kept so the quorum check is O(1).
_CandidateData = tuple[int, CommittedCandidateReceipt, Mapping[int, SignedStatement], int]
# What only misbehaviour changes, `(log, evidence, excess)`: the log in detection order, the same
# records by offender (the replay check and the cap read it), offences beyond the cap counted.
_Bad = tuple[PVector[tuple[int, Misbehavior]], PMap[int, tuple[Misbehavior, ...]], PMap[int, int]]
_NO_BAD: _Bad = (pvector(), pmap(), pmap())

# One Summary is built per vote: building it through its slots skips the frozen dataclass's
# object.__setattr__ per field, a quarter of an import's cost (bench/bench_table.py).
_new_object = object.__new__
_set_hash = Summary.__dict__["candidate_hash"].__set__
_set_group = Summary.__dict__["group_id"].__set__
_set_votes = Summary.__dict__["validity_votes"].__set__


def _summary(candidate_hash: bytes, group_id: int, validity_votes: int) -> Summary:
    s: Summary = _new_object(Summary)
    _set_hash(s, candidate_hash)
    _set_group(s, group_id)
    _set_votes(s, validity_votes)
    return s


class Table:
    """The statement table of one relay parent (generic.rs `Table`). `Table()` is empty."""

    __slots__ = ("_bad", "_candidates", "_proposals")

    _candidates: _HMap  # candidate hash -> _CandidateData
    _proposals: _HMap  # validator -> the Seconded statements it signed, first first
    _bad: _Bad

    def __init__(self) -> None:
        self._candidates = _EMPTY_HMAP
        self._proposals = _EMPTY_HMAP
        self._bad = _NO_BAD

    def __eq__(self, other: object) -> bool:
        # The evidence map is the log by offender: comparing the log compares it. Proposals are
        # not compared: a sender's proposals are exactly the candidates it has a Seconded vote on,
        # which the candidates' votes already hold, and their arrival order (kept for the first
        # proposal, the one MultipleCandidates evidence names) is read only when the context
        # forbids multiple Seconded, where a sender has one proposal at most. Comparing it made
        # the same statements in another order give unequal tables when multiple Seconded are
        # allowed.
        return isinstance(other, Table) and (
            self._bad[0] == other._bad[0]
            and self._bad[2] == other._bad[2]
            and self._candidates == other._candidates
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Table(candidates={self._candidates[1]}, seconders={self._proposals[1]},"
            f" misbehaviors={len(self._bad[0])})"
        )

    @property
    def misbehaviors(self) -> PMap[int, tuple[Misbehavior, ...]]:
        """Validator index -> its misbehaviours, oldest first, at most
        `max_evidence_per_validator` each (generic.rs `get_misbehavior`)."""
        return self._bad[1]

    @property
    def excess_misbehaviors(self) -> PMap[int, int]:
        """Validator index -> offences detected after its evidence reached the cap: counted, not
        kept (a replay of one of them counts again: telling it apart would mean keeping it)."""
        return self._bad[2]

    @property
    def excess_count(self) -> int:
        """All offences counted beyond the cap; a mark, like `misbehavior_count`."""
        return sum(self._bad[2].values())

    @property
    def misbehavior_count(self) -> int:
        """How many misbehaviours were detected so far; a mark for `misbehaviors_since`."""
        return len(self._bad[0])

    def misbehaviors_since(self, mark: int) -> tuple[tuple[int, Misbehavior], ...]:
        """`(validator_index, misbehaviour)` detected after `mark`, in detection order: the pure
        form of `drain_misbehaviors` (generic.rs); the caller keeps the mark."""
        return tuple(self._bad[0][mark:])

    def candidate(self, candidate_hash: bytes) -> CommittedCandidateReceipt | None:
        """The candidate first seconded under this hash (generic.rs `get_candidate`)."""
        data: _CandidateData | None = _hget(self._candidates, candidate_hash)
        return None if data is None else data[1]

    def candidate_hashes(self) -> tuple[bytes, ...]:
        """Every seconded candidate's hash, sorted."""
        return tuple(sorted(h for h, _ in _hitems(self._candidates)))

    def votes(self, candidate_hash: bytes) -> tuple[tuple[int, AnyStatement, bytes], ...]:
        """Every recorded vote on a candidate, `(validator, statement, signature)`, by validator."""
        data: _CandidateData | None = _hget(self._candidates, candidate_hash)
        if data is None:
            return ()
        votes = data[2]
        return tuple((v, votes[v].statement, votes[v].signature) for v in sorted(votes))


def _table(candidates: _HMap, proposals: _HMap, bad: _Bad) -> Table:
    # Table has no __init__ arguments: a new one is built empty of fields and filled here (slot
    # stores, half the cost of the descriptors' __set__ calls).
    t: Table = _new_object(Table)
    t._candidates = candidates
    t._proposals = proposals
    t._bad = bad
    return t


def _seconded(signed: SignedStatement) -> CommittedCandidateReceipt:
    statement = signed.statement
    assert type(statement) is Seconded, "a recorded proposal is a Seconded statement"
    return statement.candidate


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
            f" while the table held {table._candidates[1]} candidates"
        )
    statement = signed_statement.statement
    if type(statement) is Seconded:
        return _import_candidate(table, context, signed_statement, statement.candidate)
    # A Valid or Invalid vote: the hot path, written out in full (each function call it saves
    # is ~3% of an import; bench/bench_table.py). The same rule as _validity_vote, for a
    # candidate already in the table.
    digest = statement.candidate_hash
    buckets, length, mask = table._candidates
    i = hash(digest) & mask
    bucket = buckets[i]
    data: _CandidateData | None = bucket.get(digest)
    if data is None:
        return table, None  # a vote on a candidate never seconded here is dropped (D.3)
    group_id, candidate, votes, valid_votes = data
    sender = signed_statement.validator_index
    members = context._members.get(group_id)
    kind = _KIND_OF[type(statement)]
    if members is None or sender not in members or sender in votes:
        return _validity_vote(table, context, signed_statement, data, digest, kind, None)
    if kind == _VALID:
        valid_votes += 1
    record = (group_id, candidate, {**votes, sender: signed_statement}, valid_votes)
    new: Table = _new_object(Table)
    new._candidates = (buckets.set(i, {**bucket, digest: record}), length, mask)
    new._proposals = table._proposals
    new._bad = table._bad
    return new, _summary(digest, group_id, valid_votes)


def _import_candidate(
    table: Table,
    ctx: TableContext,
    signed: SignedStatement,
    candidate: CommittedCandidateReceipt,
) -> tuple[Table, Summary | None]:
    sender = signed.validator_index
    seconders = ctx._seconders
    # A validator outside every group seconds into group -1, which has no members.
    group = candidate.descriptor.para_id if seconders is None else seconders.get(sender, -1)
    if not ctx.is_member_of(sender, group):
        return _reject(table, ctx, sender, UnauthorizedStatement(signed))
    digest = candidate.hash()
    proposals: tuple[SignedStatement, ...] | None = _hget(table._proposals, sender)
    new_proposals: tuple[SignedStatement, ...] | None = (signed,)
    if proposals:
        if any(_seconded(p).hash() == digest for p in proposals):
            new_proposals = None  # the same candidate again: a vote question, not a proposal
        elif ctx.allow_multiple_seconded:
            new_proposals = (*proposals, signed)
        else:
            first = proposals[0]
            return _reject(
                table,
                ctx,
                sender,
                MultipleCandidates(
                    (_seconded(first), first.signature), (candidate, signed.signature), sender
                ),
            )
    data: _CandidateData | None = _hget(table._candidates, digest)
    if data is None:
        data = (group, candidate, {}, 0)
    return _validity_vote(table, ctx, signed, data, digest, _ISSUED, new_proposals)


def _validity_vote(
    table: Table,
    ctx: TableContext,
    signed: SignedStatement,
    data: _CandidateData,
    digest: bytes,
    kind: int,
    new_proposals: tuple[SignedStatement, ...] | None,
) -> tuple[Table, Summary | None]:
    group_id, candidate, votes, valid_votes = data
    sender = signed.validator_index
    # The seeds' Seconded joins its own para's group, whose membership _import_candidate just
    # checked; with seconder groups it may join a candidate another group seconded first.
    if (kind != _ISSUED or ctx._seconders is not None) and not ctx.is_member_of(sender, group_id):
        return _reject(table, ctx, sender, UnauthorizedStatement(signed))
    old = votes.get(sender)
    if old is not None:
        old_kind = _KIND_OF[type(old.statement)]
        if old_kind == kind and old.signature == signed.signature:
            return table, None  # an exact duplicate
        return _reject(
            table,
            ctx,
            sender,
            _conflict(data, digest, sender, (old_kind, old.signature), (kind, signed.signature)),
        )
    valid_votes += kind != _INVALID
    record = (group_id, candidate, {**votes, sender: signed}, valid_votes)
    candidates = _hset(table._candidates, digest, record)
    proposals = table._proposals
    if new_proposals is not None:
        proposals = _hset(proposals, sender, new_proposals)
    return _table(candidates, proposals, table._bad), _summary(digest, group_id, valid_votes)


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
            Seconded(data[1]) if old_kind == _ISSUED else _STATEMENT_OF[old_kind](digest)
        )
        return DoubleSign(_DOUBLE_SIGN[old_kind], statement, old_sig, new_sig, sender)
    # The first signature is always the lower kind's (Issued < Valid < Invalid), as the Rust node
    # always puts the Issued one first whatever the arrival order (generic.rs `validity_vote`).
    (_, first), (_, second) = sorted((old, new))
    return ValidityDoubleVote(
        _DOUBLE_VOTE[frozenset((old_kind, new_kind))], data[1], first, second, sender
    )


def _reject(
    table: Table, ctx: TableContext, sender: int, misbehavior: Misbehavior
) -> tuple[Table, None]:
    # A record names the offender, the kind and every statement involved, so an equal record is
    # the same offence again: the table stays as it was (no new evidence, nothing to report).
    log, evidence, excess = table._bad
    kept = evidence.get(sender, ())
    if misbehavior in kept:
        return table, None
    if len(kept) >= ctx.max_evidence_per_validator:
        excess = excess.set(sender, excess.get(sender, 0) + 1)
        return _table(table._candidates, table._proposals, (log, evidence, excess)), None
    log = log.append((sender, misbehavior))
    evidence = evidence.set(sender, (*kept, misbehavior))
    return _table(table._candidates, table._proposals, (log, evidence, excess)), None


def attested_candidate(
    table: Table, candidate_hash: bytes, context: TableContext
) -> AttestedCandidate | None:
    """The candidate with all its validity votes if it is backable, else None
    (generic.rs `attested_candidate`).

    Backable: seconded, and its distinct Seconded/Valid votes reach `context.requisite_votes`.
    Invalid votes neither count nor subtract; they stay evidence for disputes (docs/backing.md).
    """
    data: _CandidateData | None = _hget(table._candidates, candidate_hash)
    if data is None:
        return None
    group_id, candidate, votes, valid_votes = data
    if valid_votes < context.requisite_votes(group_id):
        return None
    attestations = tuple(
        (v, Implicit(s.signature) if type(s.statement) is Seconded else Explicit(s.signature))
        for v, s in sorted(votes.items())
        if type(s.statement) is not Invalid
    )
    return AttestedCandidate(group_id, candidate, attestations)


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
