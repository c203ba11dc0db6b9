from __future__ import annotations

import pytest

from backable.core import (
    BitVec,
    CoreState,
    DecodeError,
    Explicit,
    Implicit,
    InvalidRecord,
    PoV,
    ScheduledCore,
    SigningContext,
    UnsupportedType,
    decode,
    encode,
)
from backable.core.errors import BackableError
from backable.core.records.codec import decode_using
from backable.core.records.scale import Reader


def test_decode_error_is_a_value_error_naming_type_and_offset() -> None:
    with pytest.raises(DecodeError) as info:
        decode(SigningContext, b"\x01\x00\x00\x00" + b"\x00" * 10)
    error = info.value
    assert isinstance(error, ValueError)
    assert isinstance(error, BackableError)
    assert error.type_name == "SigningContext"
    assert error.offset == 4
    assert str(error) == "cannot decode SigningContext: need 32 bytes, 10 left at byte offset 4"


def test_a_value_the_record_refuses_becomes_a_decode_error() -> None:
    # A PoV cannot refuse anything, but a core's collator option can be malformed.
    with pytest.raises(DecodeError, match="option tag 0x02"):
        decode(ScheduledCore, b"\x01\x00\x00\x00\x02")


def test_decode_accepts_bytearray_and_memoryview() -> None:
    raw = encode(PoV(b"abc"))
    assert decode(PoV, bytearray(raw)) == PoV(b"abc")
    assert decode(PoV, memoryview(raw)) == PoV(b"abc")


def test_decode_of_a_non_bytes_value_is_the_callers_type_error() -> None:
    with pytest.raises(UnsupportedType, match="data must be bytes") as info:
        decode(PoV, "00")  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError) and isinstance(info.value, BackableError)


def test_decode_of_a_type_without_a_scale_form_is_a_type_error() -> None:
    with pytest.raises(UnsupportedType, match="has no SCALE form"):
        decode(int, b"")


def test_encode_of_a_non_record_is_a_type_error() -> None:
    with pytest.raises(UnsupportedType, match="no SCALE form"):
        encode(42)
    with pytest.raises(UnsupportedType, match="not a core state"):
        encode(PoV(b""), CoreState)


def test_invalid_record_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        PoV("text")  # type: ignore[arg-type]
    assert issubclass(InvalidRecord, BackableError)


def _raises_after_one_byte(error: Exception) -> object:
    def reader(r: Reader) -> object:
        r.u8()
        raise error

    return reader


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            InvalidRecord("PoV", "block_data", "x", "must be bytes"),
            "PoV.block_data = 'x': must be bytes",
        ),
        (ValueError("bad"), "ValueError: bad"),
        (IndexError("gone"), "IndexError: gone"),
        (OverflowError("big"), "OverflowError: big"),
    ],
)
def test_whatever_a_reader_raises_is_a_decode_error_at_the_readers_position(
    error: Exception, reason: str
) -> None:
    # decode's contract (nothing but DecodeError escapes for bytes input) holds for any reader:
    # a record refusing what was read, or an error nothing should raise, names where it stood.
    with pytest.raises(DecodeError) as info:
        decode_using("Thing", _raises_after_one_byte(error), b"\x00\x00")  # type: ignore[arg-type]
    assert (info.value.type_name, info.value.offset, info.value.reason) == ("Thing", 1, reason)


def test_trailing_bytes_are_reported_where_the_record_ended() -> None:
    with pytest.raises(DecodeError) as info:
        decode(BitVec, encode(BitVec.from_str("101")) + b"\x00\x00")
    assert (info.value.type_name, info.value.offset, info.value.reason) == (
        "BitVec",
        2,
        "2 trailing bytes",
    )


def test_an_enum_variant_asked_for_by_its_own_type_must_be_the_one_the_bytes_hold() -> None:
    with pytest.raises(DecodeError) as info:
        decode(Explicit, encode(Implicit(bytes(64))))
    assert (info.value.type_name, info.value.offset, info.value.reason) == (
        "Explicit",
        0,
        "the bytes hold a Implicit, not a Explicit",
    )


def test_the_callers_type_errors_name_the_type_and_the_value_whole() -> None:
    with pytest.raises(UnsupportedType) as info:
        decode(5, b"")
    assert str(info.value) == "decode: 5 has no SCALE form"
    with pytest.raises(UnsupportedType) as info:
        decode(PoV, "x")  # type: ignore[arg-type]
    assert str(info.value) == "decode(PoV): data must be bytes, not str"
    with pytest.raises(UnsupportedType) as info:
        encode(42)
    assert str(info.value) == "encode: int has no SCALE form"
