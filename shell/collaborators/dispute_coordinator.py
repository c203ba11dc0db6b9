# The dispute coordinator as the two subsystems see it: backing imports every statement it sees
# (implementers' guide, "Candidate Backing"), the provisioner asks for recent disputes and their
# votes ("Provisioner"; `select_disputes` of polkadot@c4ee9d46 and polkadot@247e4a73).
# The in-memory version records imported backing statements; a candidate with votes on both sides
# becomes an `Active` dispute. Backing votes become `BackingSeconded`/`BackingValid` dispute votes
# (their signatures are valid dispute signatures, see `DisputeStatement::payload_data` in
# primitives/src/v1/mod.rs); the seed's `Invalid` statement
# has no dispute-vote form on chain, so it marks the dispute but adds no vote.
from __future__ import annotations

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

__all__ = ["DisputeCoordinator", "InMemoryDisputeCoordinator"]

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
    valid: dict[int, tuple[AnyValidKind, bytes]] = field(default_factory=dict)
    invalid_from: set[int] = field(default_factory=set)


class InMemoryDisputeCoordinator:
    def __init__(self) -> None:
        self.records: dict[Key, _Record] = {}
        self.imported = 0

    async def import_statement(
        self,
        candidate_receipt: CandidateReceipt,
        session: int,
        relay_parent: bytes,
        statement: SignedStatement,
    ) -> None:
        self.imported += 1
        key = (session, candidate_receipt.hash())
        record = self.records.setdefault(key, _Record(candidate_receipt))
        s = statement.statement
        if isinstance(s, Invalid):
            record.invalid_from.add(statement.validator_index)
            return
        kind: AnyValidKind = (
            BackingSeconded(relay_parent) if isinstance(s, Seconded) else BackingValid(relay_parent)
        )
        record.valid.setdefault(statement.validator_index, (kind, statement.signature))

    async def recent_disputes(self) -> Mapping[Key, AnyDisputeStatus]:
        return {
            key: Active()
            for key, record in sorted(self.records.items())
            if record.valid and record.invalid_from
        }

    async def candidate_votes(self, keys: tuple[Key, ...]) -> Mapping[Key, CandidateVotes]:
        out: dict[Key, CandidateVotes] = {}
        for key in keys:
            record = self.records.get(key)
            if record is not None:
                out[key] = CandidateVotes(record.receipt, pmap(record.valid), pmap())
        return out
