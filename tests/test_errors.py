"""The library's exceptions (core/errors.py): what each message says, what each keeps, and which
built-in exceptions each also is, so that callers catching those keep working."""

from __future__ import annotations

import pytest

from backable.core.errors import (
    BackableError,
    DecodeError,
    InvalidRecord,
    LengthMismatch,
    UnsupportedType,
)


def test_invalid_record_names_the_record_the_field_the_value_and_the_reason() -> None:
    e = InvalidRecord("CandidateDescriptor", "para_id", -1, "must be a u32")
    assert str(e) == "CandidateDescriptor.para_id = -1: must be a u32"
    assert (e.record, e.field, e.value, e.reason) == (
        "CandidateDescriptor",
        "para_id",
        -1,
        "must be a u32",
    )
    assert isinstance(e, BackableError) and isinstance(e, ValueError)


def test_invalid_record_shows_a_value_of_80_characters_whole() -> None:
    value = "x" * 78  # repr adds the two quotes: 80 characters
    assert len(repr(value)) == 80
    e = InvalidRecord("R", "f", value, "why")
    assert str(e) == f"R.f = {value!r}: why"


def test_invalid_record_cuts_a_longer_value_to_77_characters_and_an_ellipsis() -> None:
    value = b"\xab" * 32  # repr: 130 characters
    e = InvalidRecord("R", "f", value, "why")
    shown = repr(value)[:77] + "..."
    assert len(shown) == 80
    assert str(e) == f"R.f = {shown}: why"
    assert e.value is value  # the whole value is kept, only the message is cut

    just_over = "x" * 79  # repr: 81 characters
    assert str(InvalidRecord("R", "f", just_over, "why")) == f"R.f = {repr(just_over)[:77]}...: why"


def test_decode_error_names_the_type_the_reason_and_the_offset() -> None:
    e = DecodeError("BitVec", 7, "length prefix beyond the input")
    assert str(e) == "cannot decode BitVec: length prefix beyond the input at byte offset 7"
    assert (e.type_name, e.offset, e.reason) == ("BitVec", 7, "length prefix beyond the input")
    assert isinstance(e, BackableError) and isinstance(e, ValueError)


@pytest.mark.parametrize(
    ("error", "builtin"),
    [(UnsupportedType, TypeError), (LengthMismatch, ValueError)],
)
def test_each_error_is_also_the_builtin_callers_catch(
    error: type[BackableError], builtin: type[Exception]
) -> None:
    e = error("bitvec |: lengths 3 and 4")
    assert isinstance(e, BackableError) and isinstance(e, builtin)
    assert str(e) == "bitvec |: lengths 3 and 4"
