from __future__ import annotations

import pytest

from backable.core import BitVec, DecodeError, InvalidRecord, LengthMismatch, decode, encode
from backable.core.records.scale import Reader, ScaleError
from tests.builders import refusal


def test_bits_encode_lsb_first_with_a_compact_length() -> None:
    # Reference A.9: bits [1, 0, 1] encode as 0x0c 0x05.
    assert encode(BitVec.from_bools([1, 0, 1])) == bytes([0x0C, 0x05])


def test_nine_bits_take_two_bytes_and_bit_eight_is_the_low_bit_of_the_second() -> None:
    b = BitVec.from_indices(9, [0, 8])
    assert encode(b) == bytes([9 << 2, 0x01, 0x01])


def test_an_empty_vector_encodes_as_a_single_zero_byte() -> None:
    assert encode(BitVec.zeros(0)) == b"\x00"


def test_from_str_reads_bit_zero_first_and_str_writes_it_back() -> None:
    b = BitVec.from_str("0110")
    assert [b[i] for i in range(4)] == [False, True, True, False]
    assert str(b) == "0110"
    assert b.as_int() == 0b0110


def test_count_ones_and_iteration_agree() -> None:
    b = BitVec.from_str("1011001")
    assert b.count_ones() == 4
    assert list(b) == [True, False, True, True, False, False, True]
    assert list(b.iter_ones()) == [0, 2, 3, 6]


def test_get_beyond_the_end_is_false_but_indexing_raises() -> None:
    b = BitVec.ones(3)
    assert b.get(3) is False
    assert b[-1] is True
    with pytest.raises(IndexError):
        b[3]


def test_set_returns_a_new_vector_and_leaves_the_old_one() -> None:
    b = BitVec.zeros(4)
    c = b.set(2)
    assert str(b) == "0000"
    assert str(c) == "0010"
    assert str(c.set(2, False)) == "0000"


def test_slice_and_concat_split_off_and_rejoin_a_tail() -> None:
    b = BitVec.from_str("1111100011000100")
    head, tail = b.slice(0, 5), b.slice(5, 16)
    assert str(head) == "11111"
    assert head.concat(tail) == b


def test_or_and_and_need_equal_lengths() -> None:
    assert str(BitVec.from_str("1100") | BitVec.from_str("1010")) == "1110"
    assert str(BitVec.from_str("1100") & BitVec.from_str("1010")) == "1000"
    with pytest.raises(LengthMismatch, match=r"BitVec \|: lengths differ \(3 and 4\)") as info:
        BitVec.zeros(3) | BitVec.zeros(4)
    assert isinstance(info.value, ValueError)


def test_vectors_compare_by_value_and_hash_alike() -> None:
    assert BitVec.from_str("101") == BitVec(0b101, 3)
    assert hash(BitVec.from_str("101")) == hash(BitVec(0b101, 3))
    assert BitVec.from_str("10") != BitVec.from_str("100")


def test_a_vector_is_immutable() -> None:
    b = BitVec.zeros(2)
    with pytest.raises(AttributeError):
        b._bits = 3  # type: ignore[misc]


def test_bits_beyond_the_length_are_refused_with_the_field_named() -> None:
    with pytest.raises(InvalidRecord, match=r"BitVec\.bits"):
        BitVec(0b1000, 3)


LENGTH = "must be an int in 0..2**32-1"
BITS = "must be a non-negative int"


@pytest.mark.parametrize(
    ("bits", "length", "expected"),
    [
        (0, -1, ("BitVec", "length", -1, LENGTH)),
        (0, 1 << 32, ("BitVec", "length", 1 << 32, LENGTH)),
        (0, True, ("BitVec", "length", True, LENGTH)),
        (0, 3.0, ("BitVec", "length", 3.0, LENGTH)),
        (0, "3", ("BitVec", "length", "3", LENGTH)),
        (-1, 3, ("BitVec", "bits", -1, BITS)),
        (True, 3, ("BitVec", "bits", True, BITS)),
        (1.0, 3, ("BitVec", "bits", 1.0, BITS)),
        ("1", 3, ("BitVec", "bits", "1", BITS)),
        (0b1000, 3, ("BitVec", "bits", 0b1000, "has bits set beyond length 3")),
        (1, 0, ("BitVec", "bits", 1, "has bits set beyond length 0")),
    ],
)
def test_the_constructor_refuses_a_length_or_bits_naming_the_field_value_and_reason(
    bits: object, length: object, expected: tuple[str, str, object, str]
) -> None:
    # Both are checked before anything is stored: a bool is no int here, a length is a u32.
    assert refusal(lambda: BitVec(bits, length)) == expected  # type: ignore[arg-type]


def test_the_constructor_takes_every_length_a_u32_holds_and_bits_up_to_the_last() -> None:
    assert len(BitVec(0, (1 << 32) - 1)) == (1 << 32) - 1
    assert len(BitVec(0, 0)) == 0 and str(BitVec(0b111, 3)) == "111"
    assert BitVec(1 << 7, 8).get(7) and not BitVec(1 << 7, 8).get(6)


def test_non_zero_padding_bits_are_reported_at_the_vectors_offset() -> None:
    # The error points at the vector's first byte (its length prefix), wherever it starts.
    r = Reader(bytes([0xAA, 3 << 2, 0b1000_0000]))
    r.u8()
    with pytest.raises(ScaleError) as info:
        BitVec.read(r)
    assert (info.value.offset, info.value.reason) == (
        1,
        "bit vector of 3 bits has non-zero padding bits",
    )


def test_non_zero_padding_bits_are_a_decode_error() -> None:
    # Rust drops these silently; accepting them would break byte-exact re-encoding.
    with pytest.raises(DecodeError, match="padding"):
        decode(BitVec, bytes([3 << 2, 0b1000_0000]))


def test_a_truncated_vector_names_the_offset() -> None:
    with pytest.raises(DecodeError, match="offset 1"):
        decode(BitVec, bytes([16 << 2, 0xFF]))


def test_repr_shows_short_vectors_as_bit_strings() -> None:
    assert repr(BitVec.from_str("101")) == "BitVec('101')"
    assert repr(BitVec.zeros(100)) == "BitVec(len=100, ones=0)"


def test_from_indices_refuses_an_index_at_or_past_the_length_naming_the_index() -> None:
    with pytest.raises(InvalidRecord, match=r"index.*outside a vector of 4 bits"):
        BitVec.from_indices(4, [4])
    with pytest.raises(InvalidRecord, match=r"index.*outside a vector of 4 bits"):
        BitVec.from_indices(4, [-1])
    assert BitVec.from_indices(4, [3]) == BitVec.from_str("0001")
    assert BitVec.from_indices(0, []) == BitVec.zeros(0)


def test_any_is_whether_a_bit_is_set() -> None:
    assert not BitVec.zeros(5).any()
    assert not BitVec.zeros(0).any()
    assert BitVec.from_indices(5, [4]).any()
    assert BitVec.ones(1).any()


# -- exact behaviour at the edges (issue 13) ----------------------------------------------------


def test_get_reads_each_bit_in_range_and_false_outside_it() -> None:
    b = BitVec.from_str("1101")
    assert [b.get(i) for i in range(-1, 6)] == [False, True, True, False, True, False, False]


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: BitVec.from_str("0120"),
            ("BitVec", "text", "0120", "may hold only the characters 0 and 1"),
        ),
        (
            lambda: BitVec.from_str("0X1"),
            ("BitVec", "text", "0X1", "may hold only the characters 0 and 1"),
        ),
        (
            lambda: BitVec.from_indices(4, [1, 4]),
            ("BitVec", "index", 4, "outside a vector of 4 bits"),
        ),
        (
            lambda: BitVec.from_indices(4, [-1]),
            ("BitVec", "index", -1, "outside a vector of 4 bits"),
        ),
    ],
)
def test_a_refused_vector_names_the_text_or_index_that_was_wrong(
    build: object, expected: tuple[str, str, object, str]
) -> None:
    assert refusal(build) == expected  # type: ignore[arg-type]


def test_the_empty_string_and_no_values_are_the_empty_vector() -> None:
    assert BitVec.from_str("") == BitVec(0, 0)
    assert BitVec.from_bools([]) == BitVec(0, 0)
    assert str(BitVec()) == ""
    assert BitVec.from_bools([0, 0]) == BitVec(0, 2)
    assert BitVec.from_bools([0, 1]) == BitVec(0b10, 2)


def test_set_reaches_bit_zero_and_the_last_bit_and_names_an_index_outside() -> None:
    assert BitVec.zeros(3).set(0) == BitVec.from_str("100")
    assert BitVec.zeros(3).set(2) == BitVec.from_str("001")
    with pytest.raises(IndexError, match=r"^bit 3 outside a BitVec of 3 bits$"):
        BitVec.zeros(3).set(3)
    with pytest.raises(IndexError, match=r"^bit -1 outside a BitVec of 3 bits$"):
        BitVec.zeros(3).set(-1)


def test_indexing_outside_names_the_index_and_the_length() -> None:
    with pytest.raises(IndexError, match=r"^bit 3 outside a BitVec of 3 bits$"):
        BitVec.zeros(3)[3]
    with pytest.raises(IndexError, match=r"^bit -4 outside a BitVec of 3 bits$"):
        BitVec.zeros(3)[-4]


def test_an_empty_or_reversed_slice_is_the_empty_vector() -> None:
    b = BitVec.from_str("1111")
    assert b.slice(2, 2) == BitVec()
    assert b.slice(3, 1) == BitVec()


def test_and_names_the_operator_and_both_lengths_when_they_differ() -> None:
    with pytest.raises(LengthMismatch, match=r"^BitVec &: lengths differ \(3 and 4\)$"):
        BitVec.zeros(3) & BitVec.zeros(4)


def test_deleting_a_field_is_refused_as_immutable() -> None:
    b = BitVec.ones(2)
    with pytest.raises(AttributeError, match=r"^BitVec is immutable$"):
        del b._bits
    with pytest.raises(AttributeError, match=r"^BitVec is immutable$"):
        b._len = 3  # type: ignore[misc]
    assert b == BitVec.ones(2)


def test_distinct_vectors_hash_apart_so_sets_of_bitfields_stay_fast() -> None:
    # The hash is that of (bits, length): the eight one-bit vectors of 8 bits and the empty
    # vectors of lengths 0..7 all hash differently.
    assert len({hash(BitVec.from_indices(8, [i])) for i in range(8)}) == 8
    assert len({hash(BitVec.zeros(n)) for n in range(8)}) == 8


def test_repr_spells_out_up_to_64_bits_and_summarises_longer_vectors() -> None:
    assert repr(BitVec.ones(64)) == "BitVec('" + "1" * 64 + "')"
    assert repr(BitVec.ones(65)) == "BitVec(len=65, ones=65)"
