# The runtime API the subsystems query (as the node's backing job start and provisioner's
# `send_inherent_data` do), as a Protocol, and `InMemoryChain`,
# the in-memory relay chain the simulation and the tests use. Each relay parent has a snapshot of
# what the runtime would answer at that block.
#
# Bounded memory: the call log keeps the last `CALL_LOG_LIMIT` calls (a test reads what was just
# asked) while `call_counts` keeps every call's total by name; blocks are kept until the owner
# prunes them with `prune(keep_from_number)` (the simulation does as blocks go by: a real node's
# runtime state of old blocks is pruned likewise). Every pruned block and forgotten log entry is
# counted in `pruned`.
from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from backable.core import (
    DisputeState,
    GroupRotationInfo,
    OccupiedCoreAssumption,
    PersistedValidationData,
)
from backable.core.errors import BackableError
from backable.core.records.cores import AnyCoreState

__all__ = ["CALL_LOG_LIMIT", "InMemoryChain", "RelayBlockState", "RuntimeApi", "RuntimeApiError"]

CALL_LOG_LIMIT = 1024  # calls the log keeps, newest last; `call_counts` keeps the totals


class RuntimeApiError(BackableError, LookupError):
    """The runtime could not answer (unknown relay parent, or a failure injected by a test)."""


class RuntimeApi(Protocol):
    async def validators(self, relay_parent: bytes) -> tuple[bytes, ...]: ...

    async def validator_groups(
        self, relay_parent: bytes
    ) -> tuple[tuple[tuple[int, ...], ...], GroupRotationInfo]: ...

    async def availability_cores(self, relay_parent: bytes) -> tuple[AnyCoreState, ...]: ...

    async def session_index_for_child(self, relay_parent: bytes) -> int: ...

    async def persisted_validation_data(
        self, relay_parent: bytes, para_id: int, assumption: OccupiedCoreAssumption
    ) -> PersistedValidationData | None: ...

    async def validation_code(
        self, relay_parent: bytes, para_id: int, assumption: OccupiedCoreAssumption
    ) -> bytes | None: ...

    async def block_number(self, relay_parent: bytes) -> int | None: ...

    async def minimum_backing_votes(self, relay_parent: bytes) -> int | None: ...

    async def onchain_disputes(
        self, relay_parent: bytes
    ) -> Mapping[tuple[int, bytes], DisputeState]: ...


@dataclass(frozen=True)
class RelayBlockState:
    """What the runtime answers at one relay block."""

    number: int
    validators: tuple[bytes, ...]
    groups: tuple[tuple[int, ...], ...]
    rotation: GroupRotationInfo
    cores: tuple[AnyCoreState, ...]
    session_index: int
    validation_data: Mapping[tuple[int, OccupiedCoreAssumption], PersistedValidationData]
    validation_code: Mapping[int, bytes] = field(default_factory=dict)
    minimum_backing_votes: int | None = None
    disputes: Mapping[tuple[int, bytes], DisputeState] = field(default_factory=dict)


class InMemoryChain:
    """A RuntimeApi over snapshots added with `add_block`. `fail_on` makes calls raise.

    `calls` holds the last `CALL_LOG_LIMIT` calls as (name, relay parent); `call_counts` every
    call's total by name. `prune(keep_from_number)` drops older blocks; `pruned` counts the
    blocks dropped and the log entries forgotten."""

    def __init__(self) -> None:
        self.blocks: dict[bytes, RelayBlockState] = {}
        self.fail_on: set[str] = set()
        self.calls: deque[tuple[str, bytes]] = deque(maxlen=CALL_LOG_LIMIT)
        self.call_counts: Counter[str] = Counter()
        self.pruned: Counter[str] = Counter()

    def add_block(self, relay_parent: bytes, state: RelayBlockState) -> None:
        self.blocks[relay_parent] = state

    def prune(self, keep_from_number: int) -> int:
        """Forget every block numbered below `keep_from_number` (calls at them then fail as for
        an unknown relay parent); returns how many were dropped."""
        old = [rp for rp, state in self.blocks.items() if state.number < keep_from_number]
        for rp in old:
            del self.blocks[rp]
        self.pruned["relay blocks"] += len(old)
        return len(old)

    def _at(self, call: str, relay_parent: bytes) -> RelayBlockState:
        if len(self.calls) == self.calls.maxlen:
            self.pruned["call log entries"] += 1  # the oldest entry makes room for this one
        self.calls.append((call, relay_parent))
        self.call_counts[call] += 1
        if call in self.fail_on:
            raise RuntimeApiError(f"runtime API {call} failed at 0x{relay_parent.hex()[:16]}")
        state = self.blocks.get(relay_parent)
        if state is None:
            raise RuntimeApiError(
                f"runtime API {call}: unknown relay parent 0x{relay_parent.hex()}"
            )
        return state

    async def validators(self, relay_parent: bytes) -> tuple[bytes, ...]:
        return self._at("validators", relay_parent).validators

    async def validator_groups(
        self, relay_parent: bytes
    ) -> tuple[tuple[tuple[int, ...], ...], GroupRotationInfo]:
        state = self._at("validator_groups", relay_parent)
        return state.groups, state.rotation

    async def availability_cores(self, relay_parent: bytes) -> tuple[AnyCoreState, ...]:
        return self._at("availability_cores", relay_parent).cores

    async def session_index_for_child(self, relay_parent: bytes) -> int:
        return self._at("session_index_for_child", relay_parent).session_index

    async def persisted_validation_data(
        self, relay_parent: bytes, para_id: int, assumption: OccupiedCoreAssumption
    ) -> PersistedValidationData | None:
        state = self._at("persisted_validation_data", relay_parent)
        return state.validation_data.get((para_id, assumption))

    async def validation_code(
        self, relay_parent: bytes, para_id: int, assumption: OccupiedCoreAssumption
    ) -> bytes | None:
        return self._at("validation_code", relay_parent).validation_code.get(para_id)

    async def block_number(self, relay_parent: bytes) -> int | None:
        state = self.blocks.get(relay_parent)
        return None if state is None else state.number

    async def minimum_backing_votes(self, relay_parent: bytes) -> int | None:
        return self._at("minimum_backing_votes", relay_parent).minimum_backing_votes

    async def onchain_disputes(
        self, relay_parent: bytes
    ) -> Mapping[tuple[int, bytes], DisputeState]:
        return self._at("onchain_disputes", relay_parent).disputes
