from __future__ import annotations

import pytest

from backable.core import BitVec, DecodeError, InvalidRecord, LengthMismatch, decode, encode


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
