# The dispute coordinator as the two subsystems see it: backing imports every statement it sees
# (implementers' guide, "Candidate Backing"), the provisioner asks for recent disputes and their
# votes ("Provisioner"; `select_disputes` of polkadot@c4ee9d46 and polkadot@247e4a73).
# The in-memory version records imported backing statements; a candidate with votes on both sides
# becomes an `Active` dispute. Backing votes become `BackingSeconded`/`BackingValid` dispute votes
# (their signatures are valid dispute signatures, see `DisputeStatement::payload_data` in
# primitives/src/v1/mod.rs); the seed's `Invalid` statement
# has no dispute-vote form on chain, so it marks the dispute but adds no vote.
#
# Bounded memory: a record is kept for the candidate of every imported statement, so the owner
# releases them as relay parents leave (`forget_relay_parent`: the undisputed records first
# imported there; a dispute stays, it is what the provisioner still selects) and as sessions
# leave the window (`prune_sessions_before`); and no more than `capacity` records are ever kept
# (past that the oldest is evicted, disputed or not). Every release is counted in `pruned`.
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from pyrsistent import pmap

from backable.core import (
    Active,
    BackingSeconded,
    BackingValid,
    CandidateReceipt,
    CandidateVotes,
    Invalid,
    Seconded,
    SignedStatement,
)
from backable.core.records.disputes import AnyDisputeStatus, AnyValidKind

__all__ = ["DISPUTE_RECORDS_CAPACITY", "DisputeCoordinator", "InMemoryDisputeCoordinator"]

DISPUTE_RECORDS_CAPACITY = 4096  # candidate records one in-memory coordinator keeps at most

Key = tuple[int, bytes]


class DisputeCoordinator(Protocol):
    async def import_statement(
        self,
        candidate_receipt: CandidateReceipt,
        session: int,
        relay_parent: bytes,
        statement: SignedStatement,
    ) -> None: ...

    async def recent_disputes(self) -> Mapping[Key, AnyDisputeStatus]: ...

    async def candidate_votes(self, keys: tuple[Key, ...]) -> Mapping[Key, CandidateVotes]: ...


@dataclass
class _Record:
    receipt: CandidateReceipt
    relay_parent: bytes  # where its first statement was imported
    valid: dict[int, tuple[AnyValidKind, bytes]] = field(default_factory=dict)
    invalid_from: set[int] = field(default_factory=set)

    def disputed(self) -> bool:
        return bool(self.valid) and bool(self.invalid_from)


class InMemoryDisputeCoordinator:
    """Records of imported statements by (session, candidate hash), oldest first; at most
    `capacity` of them. `pruned` counts every record released, by reason."""

    def __init__(self, capacity: int = DISPUTE_RECORDS_CAPACITY) -> None:
        self.capacity = capacity
        self.records: dict[Key, _Record] = {}
        self.imported = 0
        self.pruned: Counter[str] = Counter()

    def forget_relay_parent(self, relay_parent: bytes) -> int:
        """Release the undisputed records first imported at `relay_parent` (it left the view:
        no more statements come for its candidates); returns how many."""
        gone = [
            key
            for key, record in self.records.items()
            if record.relay_parent == relay_parent and not record.disputed()
        ]
        for key in gone:
            del self.records[key]
        self.pruned["undisputed, relay parent left"] += len(gone)
        return len(gone)

    def prune_sessions_before(self, session: int) -> int:
        """Release every record of a session before `session` (out of the dispute window);
        returns how many."""
        gone = [key for key in self.records if key[0] < session]
        for key in gone:
            del self.records[key]
        self.pruned["session left the window"] += len(gone)
        return len(gone)

    async def import_statement(
        self,
        candidate_receipt: CandidateReceipt,
        session: int,
        relay_parent: bytes,
        statement: SignedStatement,
    ) -> None:
        self.imported += 1
        key = (session, candidate_receipt.hash())
        record = self.records.get(key)
        if record is None:
            record = self.records[key] = _Record(candidate_receipt, relay_parent)
            while len(self.records) > self.capacity:
                del self.records[next(iter(self.records))]
                self.pruned["evicted over capacity"] += 1
        s = statement.statement
        if isinstance(s, Invalid):
            record.invalid_from.add(statement.validator_index)
            return
        kind: AnyValidKind = (
            BackingSeconded(relay_parent) if isinstance(s, Seconded) else BackingValid(relay_parent)
        )
        record.valid.setdefault(statement.validator_index, (kind, statement.signature))

    async def recent_disputes(self) -> Mapping[Key, AnyDisputeStatus]:
        return {key: Active() for key, record in sorted(self.records.items()) if record.disputed()}

    async def candidate_votes(self, keys: tuple[Key, ...]) -> Mapping[Key, CandidateVotes]:
        out: dict[Key, CandidateVotes] = {}
        for key in keys:
            record = self.records.get(key)
            if record is not None:
                out[key] = CandidateVotes(record.receipt, pmap(record.valid), pmap())
        return out
