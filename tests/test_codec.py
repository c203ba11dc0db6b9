from __future__ import annotations

import pytest

from backable.core import (
    CoreState,
    DecodeError,
    InvalidRecord,
    PoV,
    ScheduledCore,
    SigningContext,
    UnsupportedType,
    decode,
    encode,
)
from backable.core.errors import BackableError


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
