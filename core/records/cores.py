# Availability cores as the runtime reports them (occupied, scheduled, free), the occupied-core
# assumption used to fetch validation data, and group rotation (polkadot@c4ee9d46
# primitives/src/v1/mod.rs: `CoreState`, `OccupiedCore`, `GroupRotationInfo`). `CoreState` is the
# tagged SCALE enum (Occupied = 0, Scheduled = 1, Free = 2); the two structs also encode bare.
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar, Union

from ..errors import UnsupportedType
from . import _checks as c
from .bitvec import BitVec
from .candidate import CandidateDescriptor
from .scale import Reader, u32

__all__ = [
    "CoreState",
    "FreeCore",
    "GroupRotationInfo",
    "OccupiedCore",
    "OccupiedCoreAssumption",
    "ScheduledCore",
]


class OccupiedCoreAssumption(IntEnum):
    """How to treat an occupied core when fetching validation data (SCALE 0, 1, 2)."""

    INCLUDED = 0
    TIMED_OUT = 1
    FREE = 2

    def scale(self) -> bytes:
        return bytes((self.value,))

    @classmethod
    def read(cls, r: Reader) -> OccupiedCoreAssumption:
        return cls(r.tag(3, "OccupiedCoreAssumption"))


@dataclass(frozen=True, slots=True)
class ScheduledCore:
    para_id: int
    collator: bytes | None = None

    TAG: ClassVar[int] = 1

    def __post_init__(self) -> None:
        c.u32(self, "para_id", self.para_id)
        if self.collator is not None:
            c.hash32(self, "collator", self.collator)

    def scale(self) -> bytes:
        col = self.collator
        return u32(self.para_id) + (b"\x00" if col is None else b"\x01" + col)

    @classmethod
    def read(cls, r: Reader) -> ScheduledCore:
        return cls(r.u32(), r.option(_read_hash))


def _read_hash(r: Reader) -> bytes:
    return r.take(32)


def _read_scheduled(r: Reader) -> ScheduledCore:
    return ScheduledCore.read(r)


@dataclass(frozen=True, slots=True)
class OccupiedCore:
    next_up_on_available: ScheduledCore | None
    occupied_since: int
    time_out_at: int
    next_up_on_time_out: ScheduledCore | None
    availability: BitVec
    group_responsible: int
    candidate_hash: bytes
    candidate_descriptor: CandidateDescriptor

    TAG: ClassVar[int] = 0

    def __post_init__(self) -> None:
        if self.next_up_on_available is not None:
            c.instance(self, "next_up_on_available", self.next_up_on_available, ScheduledCore)
        c.u32(self, "occupied_since", self.occupied_since)
        c.u32(self, "time_out_at", self.time_out_at)
        if self.next_up_on_time_out is not None:
            c.instance(self, "next_up_on_time_out", self.next_up_on_time_out, ScheduledCore)
        c.instance(self, "availability", self.availability, BitVec)
        c.u32(self, "group_responsible", self.group_responsible)
        c.hash32(self, "candidate_hash", self.candidate_hash)
        c.instance(self, "candidate_descriptor", self.candidate_descriptor, CandidateDescriptor)

    @property
    def para_id(self) -> int:
        return self.candidate_descriptor.para_id

    def scale(self) -> bytes:
        a, t = self.next_up_on_available, self.next_up_on_time_out
        return b"".join(
            (
                b"\x00" if a is None else b"\x01" + a.scale(),
                u32(self.occupied_since),
                u32(self.time_out_at),
                b"\x00" if t is None else b"\x01" + t.scale(),
                self.availability.scale(),
                u32(self.group_responsible),
                self.candidate_hash,
                self.candidate_descriptor.scale(),
            )
        )

    @classmethod
    def read(cls, r: Reader) -> OccupiedCore:
        return cls(
            r.option(_read_scheduled),
            r.u32(),
            r.u32(),
            r.option(_read_scheduled),
            BitVec.read(r),
            r.u32(),
            r.take(32),
            CandidateDescriptor.read(r),
        )


@dataclass(frozen=True, slots=True)
class FreeCore:
    """A core with nothing scheduled and nothing pending."""

    TAG: ClassVar[int] = 2

    def scale(self) -> bytes:
        return b""

    @classmethod
    def read(cls, r: Reader) -> FreeCore:
        return cls()


AnyCoreState = Union[OccupiedCore, ScheduledCore, FreeCore]  # noqa: UP007


class CoreState:
    """The tagged enum `CoreState`: use with `encode(core, CoreState)` / `decode(CoreState, b)`."""

    VARIANTS: ClassVar[tuple[type[OccupiedCore], type[ScheduledCore], type[FreeCore]]] = (
        OccupiedCore,
        ScheduledCore,
        FreeCore,
    )

    @staticmethod
    def write(core: AnyCoreState) -> bytes:
        if not isinstance(core, OccupiedCore | ScheduledCore | FreeCore):
            raise UnsupportedType(f"CoreState: {core!r} is not a core state")
        return bytes((core.TAG,)) + core.scale()

    @staticmethod
    def read(r: Reader) -> AnyCoreState:
        tag = r.tag(3, "CoreState")
        return CoreState.VARIANTS[tag].read(r)


@dataclass(frozen=True, slots=True)
class GroupRotationInfo:
    """When groups rotate across cores (polkadot@c4ee9d46 primitives/src/v1/mod.rs)."""

    session_start_block: int
    group_rotation_frequency: int
    now: int

    def __post_init__(self) -> None:
        c.u32(self, "session_start_block", self.session_start_block)
        c.u32(self, "group_rotation_frequency", self.group_rotation_frequency)
        c.u32(self, "now", self.now)

    def _rotations(self) -> int:
        # Rust's saturating_sub: a `now` before the session start means no rotation yet.
        return max(0, self.now - self.session_start_block) // self.group_rotation_frequency

    def group_for_core(self, core_index: int, n_cores: int) -> int:
        """The backing group responsible for `core_index` at block `now`."""
        if self.group_rotation_frequency == 0:
            return core_index
        if n_cores == 0:
            return 0
        return (core_index + self._rotations()) % n_cores

    def core_for_group(self, group_index: int, n_cores: int) -> int:
        """The core that group `group_index` serves at block `now` (inverse of group_for_core)."""
        if self.group_rotation_frequency == 0:
            return group_index
        if n_cores == 0:
            return 0
        rotations = self._rotations() % n_cores
        return (group_index + n_cores - rotations) % n_cores

    def next_rotation_at(self) -> int:
        """The block of the next rotation (`now` itself when groups never rotate)."""
        if self.group_rotation_frequency == 0:
            return self.now
        cur = self.now + self.group_rotation_frequency
        return cur - max(0, cur - self.session_start_block) % self.group_rotation_frequency

    def last_rotation_at(self) -> int:
        """The block of the last rotation (`now` itself when groups never rotate)."""
        if self.group_rotation_frequency == 0:
            return self.now
        return (
            self.now - max(0, self.now - self.session_start_block) % self.group_rotation_frequency
        )

    def scale(self) -> bytes:
        return u32(self.session_start_block) + u32(self.group_rotation_frequency) + u32(self.now)

    @classmethod
    def read(cls, r: Reader) -> GroupRotationInfo:
        return cls(r.u32(), r.u32(), r.u32())
