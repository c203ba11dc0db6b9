# The runtime's candidate events (core/today/events.py): the three variants' SCALE forms with
# their indices, decoding through the enum and as each variant, and their fields' ranges.
from __future__ import annotations

import pytest

from backable.core import (
    CandidateBacked,
    CandidateEvent,
    CandidateIncluded,
    CandidateReceipt,
    CandidateTimedOut,
    DecodeError,
    InvalidRecord,
    decode,
    encode,
)
from tests.builders import descriptor

RECEIPT = CandidateReceipt(descriptor(), b"\x09" * 32)
TAIL = b"\x0c" + b"hd!" + (5).to_bytes(4, "little")  # head data Vec<u8>, then the core (u32)


def test_candidate_backed_is_index_0_receipt_head_core_group() -> None:
    event = CandidateBacked(RECEIPT, b"hd!", 5, 2)
    assert encode(event) == b"\x00" + encode(RECEIPT) + TAIL + (2).to_bytes(4, "little")
    assert len(encode(event)) == 1 + 324 + 4 + 4 + 4


def test_candidate_included_is_index_1_with_the_same_fields() -> None:
    event = CandidateIncluded(RECEIPT, b"hd!", 5, 2)
    assert encode(event) == b"\x01" + encode(RECEIPT) + TAIL + (2).to_bytes(4, "little")


def test_candidate_timed_out_is_index_2_without_a_group() -> None:
    event = CandidateTimedOut(RECEIPT, b"hd!", 5)
    assert encode(event) == b"\x02" + encode(RECEIPT) + TAIL


@pytest.mark.parametrize(
    "event",
    [
        CandidateBacked(RECEIPT, b"", 0, 0),
        CandidateIncluded(RECEIPT, b"\x01" * 100, 2**32 - 1, 7),
        CandidateTimedOut(RECEIPT, b"head", 3),
    ],
)
def test_every_event_decodes_through_the_enum_and_as_itself(event: object) -> None:
    raw = encode(event)
    assert decode(CandidateEvent, raw) == event
    assert encode(event, CandidateEvent) == raw
    assert CandidateEvent.write(event) == raw  # type: ignore[arg-type]
    assert decode(type(event), raw) == event


def test_backed_and_included_are_different_events_with_equal_fields() -> None:
    backed = CandidateBacked(RECEIPT, b"h", 1, 1)
    included = CandidateIncluded(RECEIPT, b"h", 1, 1)
    assert backed != included
    assert not isinstance(included, CandidateBacked)
    with pytest.raises(DecodeError, match="hold a CandidateIncluded, not a CandidateBacked"):
        decode(CandidateBacked, encode(included))


def test_an_unknown_index_or_a_cut_event_does_not_decode() -> None:
    with pytest.raises(DecodeError, match="unknown CandidateEvent variant index 3"):
        decode(CandidateEvent, b"\x03" + encode(RECEIPT) + TAIL)
    with pytest.raises(DecodeError, match="need 4 bytes"):
        decode(CandidateEvent, b"\x00" + encode(RECEIPT) + TAIL)  # no group index


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: CandidateBacked(RECEIPT, b"", 2**32, 0), "core_index"),
        (lambda: CandidateIncluded(RECEIPT, b"", 0, -1), "group_index"),
        (lambda: CandidateTimedOut(RECEIPT, "head", 0), "head_data"),  # type: ignore[arg-type]
        (lambda: CandidateTimedOut(descriptor(), b"", 0), "receipt"),  # type: ignore[arg-type]
    ],
)
def test_a_field_out_of_range_is_the_callers_mistake(build: object, field: str) -> None:
    with pytest.raises(InvalidRecord) as info:
        build()  # type: ignore[operator]
    assert info.value.field == field
