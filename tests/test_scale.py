from __future__ import annotations

import pytest

from backable.core.records.scale import Reader, ScaleError, encode_bytes, encode_compact


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, "00"),
        (1, "04"),
        (63, "fc"),
        (64, "0101"),
        (16383, "fdff"),
        (16384, "02000100"),
        (2**30 - 1, "feffffff"),
        (2**30, "0300000040"),
        (2**32 - 1, "03ffffffff"),
    ],
)
def test_compact_integers_match_parity_scale_codec(value: int, encoded: str) -> None:
    assert encode_compact(value).hex() == encoded
    r = Reader(bytes.fromhex(encoded))
    assert r.compact() == value
    assert r.remaining() == 0


@pytest.mark.parametrize("raw", ["0100", "02000000", "0300000000", "03ffffff00"])
def test_non_canonical_compacts_are_refused(raw: str) -> None:
    with pytest.raises(ScaleError, match="non-canonical"):
        Reader(bytes.fromhex(raw)).compact()


@pytest.mark.parametrize(
    ("raw", "bits", "reason"),
    [
        ("0100", 32, "non-canonical compact integer"),
        ("02000000", 32, "non-canonical compact integer"),
        ("0300000000", 32, "non-canonical compact integer"),
        ("07ffffffff00", 64, "non-canonical compact integer"),
        ("070000000001", 32, "compact integer of 5 bytes exceeds 32 bits"),
    ],
)
def test_a_refused_compact_is_reported_at_its_first_byte_with_the_reason(
    raw: str, bits: int, reason: str
) -> None:
    # After one byte of something else: the offset is the compact's own start, not the input's.
    r = Reader(b"\xaa" + bytes.fromhex(raw))
    r.u8()
    with pytest.raises(ScaleError) as info:
        r.compact(bits)
    assert (info.value.offset, info.value.reason) == (1, reason)


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (2**32, "070000000001"),  # five bytes: (5 - 4) << 2 | 3
        (2**40 - 1, "07ffffffffff"),
        (2**40, "0b000000000001"),  # six bytes
        (2**48, "0f00000000000001"),  # seven bytes: 2**48 needs 49 bits
        (2**64 - 1, "13ffffffffffffffff"),  # eight bytes: (8 - 4) << 2 | 3 = 0x13
    ],
)
def test_u64_compacts_take_as_many_bytes_as_the_value_needs(value: int, encoded: str) -> None:
    assert encode_compact(value).hex() == encoded
    assert Reader(bytes.fromhex(encoded)).compact(64) == value


def test_reading_a_byte_past_the_end_names_the_offset_and_what_was_missing() -> None:
    r = Reader(b"\x01")
    assert r.u8() == 1
    with pytest.raises(ScaleError) as info:
        r.u8()
    assert (info.value.offset, info.value.reason) == (1, "need 1 byte, 0 left")
    with pytest.raises(ScaleError) as info:
        Reader(b"").u8()
    assert (info.value.offset, info.value.reason) == (0, "need 1 byte, 0 left")


def test_a_compact_wider_than_u32_is_refused_where_u32_is_expected() -> None:
    with pytest.raises(ScaleError, match="exceeds 32 bits"):
        Reader(bytes.fromhex("070000000001")).compact()


def test_a_u64_compact_reads_eight_bytes() -> None:
    assert Reader(bytes.fromhex("13ffffffffffffffff")).compact(64) == 2**64 - 1


def test_bytes_are_length_prefixed() -> None:
    assert encode_bytes(b"abc") == b"\x0cabc"
    assert Reader(b"\x0cabc").bytes_vec() == b"abc"


def test_a_vector_longer_than_its_input_fails_before_reading_items() -> None:
    with pytest.raises(ScaleError, match="exceeds"):
        Reader(b"\xfd\xff\x00").vec(lambda r: r.u8())


def test_option_and_bool_tags_other_than_zero_or_one_are_refused() -> None:
    with pytest.raises(ScaleError, match="option tag"):
        Reader(b"\x02").option(lambda r: r.u8())
    with pytest.raises(ScaleError, match="bool"):
        Reader(b"\x02").bool()


def test_a_bad_option_tag_is_reported_at_the_tags_offset_with_its_value() -> None:
    r = Reader(b"\x07\x07\x03")
    r.u8()
    with pytest.raises(ScaleError) as info:
        r.option(lambda r: r.u8())
    assert (info.value.offset, info.value.reason) == (1, "option tag 0x07 is neither 0 nor 1")


def test_reading_past_the_end_reports_the_offset() -> None:
    r = Reader(b"\x01\x02\x03")
    r.u8()
    with pytest.raises(ScaleError) as info:
        r.u32()
    assert info.value.offset == 1


@pytest.mark.parametrize(
    ("raw", "bits"),
    [
        ("fd00", 32),  # 63, the largest one-byte value, in the two-byte form
        ("feff0000", 32),  # 16383, the largest two-byte value, in the four-byte form
        ("03ffffff3f", 32),  # 2**30 - 1, the largest four-byte value, in the big-integer form
        ("07ffffffff00", 64),  # 2**32 - 1 in five bytes: its top byte is zero
        ("13ffffffffffffff00", 64),  # 2**56 - 1 in eight bytes: its top byte is zero
    ],
)
def test_each_compact_form_refuses_the_largest_value_of_the_form_below(raw: str, bits: int) -> None:
    with pytest.raises(ScaleError, match="non-canonical"):
        Reader(bytes.fromhex(raw)).compact(bits)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("0101", 64), ("02000100", 16384), ("0300000040", 2**30), ("070000000001", 2**32)],
)
def test_each_compact_form_takes_the_smallest_value_that_needs_it(raw: str, value: int) -> None:
    assert Reader(bytes.fromhex(raw)).compact(64) == value


def test_a_bool_is_one_byte_0_or_1_and_any_other_byte_names_its_offset() -> None:
    r = Reader(b"\x00\x01\x02")
    assert r.bool() is False
    assert r.bool() is True
    with pytest.raises(ScaleError) as info:
        r.bool()
    assert (info.value.offset, info.value.reason) == (2, "bool byte 0x02 is neither 0 nor 1")
