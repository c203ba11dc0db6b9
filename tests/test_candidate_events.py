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
    decode,
    encode,
)
from tests.builders import descriptor, refusal

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


U32 = "must be an int in 0..2**32-1"


@pytest.mark.parametrize("kind", [CandidateBacked, CandidateIncluded])
@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ((descriptor(), b"", 0, 0), ("receipt", descriptor(), "must be a CandidateReceipt")),
        ((RECEIPT, "head", 0, 0), ("head_data", "head", "must be bytes")),
        ((RECEIPT, b"", 2**32, 0), ("core_index", 2**32, U32)),
        ((RECEIPT, b"", 0, -1), ("group_index", -1, U32)),
    ],
)
def test_a_group_event_refuses_a_bad_field_naming_it(
    kind: type, fields: tuple[object, ...], expected: tuple[object, ...]
) -> None:
    assert refusal(lambda: kind(*fields)) == (kind.__name__, *expected)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ((descriptor(), b"", 0), ("receipt", descriptor(), "must be a CandidateReceipt")),
        ((RECEIPT, "head", 0), ("head_data", "head", "must be bytes")),
        ((RECEIPT, b"", -1), ("core_index", -1, U32)),
    ],
)
def test_a_timed_out_event_refuses_a_bad_field_naming_it(
    fields: tuple[object, ...], expected: tuple[object, ...]
) -> None:
    assert refusal(lambda: CandidateTimedOut(*fields)) == ("CandidateTimedOut", *expected)
