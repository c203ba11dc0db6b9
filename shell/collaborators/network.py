# An in-process network between validators: statement distribution (gossip to every other
# registered validator) and PoV fetching from one named validator, with configurable loss and
# delay drawn from a seeded generator, so a run is reproducible. Every loss is counted.
#
# Bounded memory: a delayed delivery is a task kept until it is done, and at most `max_in_flight`
# are in flight; a statement beyond that is dropped and counted, as a real peer's bounded send
# queue drops (the counters are keyed by reason, a fixed set).
from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from backable.core import BackableError, PersistedValidationData, PoV, SignedStatement

__all__ = [
    "MAX_IN_FLIGHT",
    "InProcessNetwork",
    "InvalidNetworkSetting",
    "Network",
    "Peer",
    "PeerStopped",
    "PoVFetchError",
]


class PoVFetchError(BackableError, LookupError):
    """The validator asked did not serve the PoV (it lacks it, or the request was lost)."""


class PeerStopped(BackableError, RuntimeError):
    """Raised by a peer's statement handler when its node has stopped: counted, not delivered."""


class InvalidNetworkSetting(BackableError, ValueError):
    """An `InProcessNetwork` built with a setting out of its range."""


MAX_IN_FLIGHT = 10_000  # delayed deliveries in flight at once, across every peer

StatementHandler = Callable[[bytes, SignedStatement], Awaitable[None]]
"""Hands a statement to a peer's node; raises `PeerStopped` when that node no longer runs."""
Router = Callable[[int, bytes, SignedStatement], Iterable[int]]
PoVSource = Callable[[bytes], PoV | None]
# A candidate's validation data as a peer holds it (today's protocol: a Seconded travels with it).
ValidationDataSource = Callable[[bytes], PersistedValidationData | None]


class Network(Protocol):
    async def share_statement(
        self, from_validator: int, relay_parent: bytes, statement: SignedStatement
    ) -> None: ...

    async def fetch_pov(
        self, from_validator: int, relay_parent: bytes, candidate_hash: bytes, pov_hash: bytes
    ) -> PoV: ...


@dataclass
class Peer:
    deliver: StatementHandler
    pov_source: PoVSource
    validation_data_source: ValidationDataSource | None = None


@dataclass
class InProcessNetwork:
    """Gossip and request/response in one process. `loss` is a probability per delivery."""

    seed: int = 0
    statement_loss: float = 0.0
    pov_loss: float = 0.0
    delay: float = 0.0
    peers: dict[int, Peer] = field(default_factory=dict)
    stats: Counter[str] = field(default_factory=Counter)
    # Validators whose PoV requests fail regardless (a test's way to make one backer unhelpful).
    refuse_pov_from: set[int] = field(default_factory=set)
    # Validators whose statements never leave them (adversaries withholding statements).
    withhold_from: set[int] = field(default_factory=set)
    # Who receives a statement; None: every other registered validator (plain gossip).
    router: Router | None = None
    max_in_flight: int = MAX_IN_FLIGHT

    def __post_init__(self) -> None:
        for name, p in (("statement_loss", self.statement_loss), ("pov_loss", self.pov_loss)):
            if not 0.0 <= p <= 1.0:
                raise InvalidNetworkSetting(
                    f"InProcessNetwork: {name} must be within 0..1, not {p}"
                )
        self._rng = random.Random(self.seed)
        self._pending: set[asyncio.Task[None]] = set()

    def register(
        self,
        validator_index: int,
        deliver: StatementHandler,
        pov_source: PoVSource,
        validation_data_source: ValidationDataSource | None = None,
    ) -> None:
        self.peers[validator_index] = Peer(deliver, pov_source, validation_data_source)

    def validation_data(
        self, from_validator: int, candidate_hash: bytes
    ) -> PersistedValidationData | None:
        """The validation data of a candidate as `from_validator` holds it, None if it holds
        none (or serves none): what today's statement distribution fetches with a Seconded."""
        peer = self.peers.get(from_validator)
        if peer is None or peer.validation_data_source is None:
            self.stats["validation data unanswered"] += 1
            return None
        return peer.validation_data_source(candidate_hash)

    async def share_statement(
        self, from_validator: int, relay_parent: bytes, statement: SignedStatement
    ) -> None:
        if from_validator in self.withhold_from:
            self.stats["statements withheld"] += 1
            return
        targets = (
            sorted(self.peers)
            if self.router is None
            else sorted(set(self.router(from_validator, relay_parent, statement)))
        )
        for index in targets:
            if index == from_validator or index not in self.peers:
                continue
            if self.statement_loss and self._rng.random() < self.statement_loss:
                self.stats["statements lost"] += 1
                continue
            if self.delay and len(self._pending) >= self.max_in_flight:
                self.stats["statements dropped, too many in flight"] += 1
                continue
            self.stats["statements delivered"] += 1
            peer = self.peers[index]
            if self.delay:
                task = asyncio.create_task(self._later(peer.deliver, relay_parent, statement))
                self._pending.add(task)
                task.add_done_callback(self._pending.discard)
            else:
                await self._deliver(peer.deliver, relay_parent, statement)

    async def _later(
        self, deliver: StatementHandler, relay_parent: bytes, statement: SignedStatement
    ) -> None:
        await asyncio.sleep(self.delay)
        await self._deliver(deliver, relay_parent, statement)

    async def _deliver(
        self, deliver: StatementHandler, relay_parent: bytes, statement: SignedStatement
    ) -> None:
        try:
            await deliver(relay_parent, statement)
        except PeerStopped:
            self.stats["statements to stopped nodes"] += 1

    async def fetch_pov(
        self, from_validator: int, relay_parent: bytes, candidate_hash: bytes, pov_hash: bytes
    ) -> PoV:
        if self.delay:
            await asyncio.sleep(self.delay)
        peer = self.peers.get(from_validator)
        if peer is None or from_validator in self.refuse_pov_from:
            self.stats["pov requests refused"] += 1
            raise PoVFetchError(f"validator {from_validator} does not serve PoVs")
        if self.pov_loss and self._rng.random() < self.pov_loss:
            self.stats["pov requests lost"] += 1
            raise PoVFetchError(f"request to validator {from_validator} was lost")
        pov = peer.pov_source(candidate_hash)
        if pov is None or pov.hash() != pov_hash:
            self.stats["pov requests unanswered"] += 1
            raise PoVFetchError(f"validator {from_validator} lacks the PoV")
        self.stats["povs served"] += 1
        return pov

    async def drain(self) -> None:
        """Wait for delayed deliveries in flight."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    # -- read-only views for observers (the simulation) --

    def pending_count(self) -> int:
        """Delayed deliveries still in flight (0 when `delay` is 0)."""
        return len(self._pending)

    @property
    def counts(self) -> Mapping[str, int]:
        """Statements and PoVs delivered, lost, withheld or refused, counted by reason: a live
        read-only view of `stats`."""
        return MappingProxyType(self.stats)
