# The runtime's candidate events (E.2.9): `CandidateEvent::{CandidateBacked = 0,
# CandidateIncluded = 1, CandidateTimedOut = 2}`, each with the plain receipt, the head data (a
# `Vec<u8>`) and the core (u32), the first two also with the backing group (u32). Today's
# receipts are V2 receipts, byte for byte the one `CandidateReceipt` record.
# polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs, `CandidateEvent`. These are the
# chain's events, read from a relay block; the backing job's inputs and outputs, in
# core/backing/events.py, are a different family.
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Union

from ..records import _checks as c
from ..records.candidate import CandidateReceipt
from ..records.scale import Reader, encode_bytes, u32

__all__ = [
    "AnyCandidateEvent",
    "CandidateBacked",
    "CandidateEvent",
    "CandidateIncluded",
    "CandidateTimedOut",
]


@dataclass(frozen=True, slots=True)
class _GroupEvent:
    # CandidateBacked and CandidateIncluded share one shape and differ only in their index; a
    # private base keeps either from being an instance of the other.
    receipt: CandidateReceipt
    head_data: bytes
    core_index: int
    group_index: int

    TAG: ClassVar[int] = -1

    def __post_init__(self) -> None:
        c.instance(self, "receipt", self.receipt, CandidateReceipt)
        c.any_bytes(self, "head_data", self.head_data)
        c.u32(self, "core_index", self.core_index)
        c.u32(self, "group_index", self.group_index)

    def scale(self) -> bytes:
        return b"".join(
            (
                bytes((self.TAG,)),
                self.receipt.scale(),
                encode_bytes(self.head_data),
                u32(self.core_index),
                u32(self.group_index),
            )
        )


@dataclass(frozen=True, slots=True)
class CandidateBacked(_GroupEvent):
    """A candidate was backed in this block and now occupies `core_index`; `group_index` is the
    group that backed it (index 0)."""

    TAG: ClassVar[int] = 0


@dataclass(frozen=True, slots=True)
class CandidateIncluded(_GroupEvent):
    """A candidate became available and was enacted in this block, freeing `core_index`;
    `group_index` is the group that backed it (index 1)."""

    TAG: ClassVar[int] = 1


@dataclass(frozen=True, slots=True)
class CandidateTimedOut:
    """A candidate was not made available in time and left its core (index 2)."""

    receipt: CandidateReceipt
    head_data: bytes
    core_index: int

    TAG: ClassVar[int] = 2

    def __post_init__(self) -> None:
        c.instance(self, "receipt", self.receipt, CandidateReceipt)
        c.any_bytes(self, "head_data", self.head_data)
        c.u32(self, "core_index", self.core_index)

    def scale(self) -> bytes:
        return b"".join(
            (
                b"\x02",
                self.receipt.scale(),
                encode_bytes(self.head_data),
                u32(self.core_index),
            )
        )


AnyCandidateEvent = Union[CandidateBacked, CandidateIncluded, CandidateTimedOut]  # noqa: UP007
CANDIDATE_EVENT_TYPES = (CandidateBacked, CandidateIncluded, CandidateTimedOut)


class CandidateEvent:
    """The tagged `CandidateEvent` enum: `decode(CandidateEvent, b)` gives one of the three."""

    @staticmethod
    def write(event: AnyCandidateEvent) -> bytes:
        return event.scale()

    @staticmethod
    def read(r: Reader) -> AnyCandidateEvent:
        tag = r.tag(3, "CandidateEvent")
        receipt = CandidateReceipt.read(r)
        head_data = r.bytes_vec()
        core_index = r.u32()
        if tag == 2:
            return CandidateTimedOut(receipt, head_data, core_index)
        if tag == 1:
            return CandidateIncluded(receipt, head_data, core_index, r.u32())
        return CandidateBacked(receipt, head_data, core_index, r.u32())
