# A family's JSON fields (shell/vectors/fields.py): each reader takes its field or names it in a
# VectorInputError; records travel as their SCALE bytes in hex.
from __future__ import annotations

import pytest

from backable.core import BitVec, CoreState, ScheduledCore, SignedAvailabilityBitfield
from backable.shell.vectors.family import VectorInputError
from backable.shell.vectors.fields import (
    bool_field,
    hex_field,
    hex_of,
    int_field,
    list_field,
    record_field,
    record_hex,
    records_field,
    str_field,
)

BITFIELD = SignedAvailabilityBitfield(BitVec.from_str("101"), 3, bytes(64))


def test_plain_fields_are_read_as_their_json_types() -> None:
    data = {"n": 3, "ok": False, "s": "x", "l": [1], "h": "0x0aff"}
    assert (int_field(data, "n"), bool_field(data, "ok"), str_field(data, "s")) == (3, False, "x")
    assert list_field(data, "l") == [1] and hex_field(data, "h") == b"\x0a\xff"


@pytest.mark.parametrize(
    ("reader", "value", "message"),
    [
        (int_field, True, "input.f: expected an integer, got True"),
        (int_field, -2, "input.f: expected at least 0, got -2"),
        (bool_field, 1, "input.f: expected true or false, got 1"),
        (str_field, 1, "input.f: expected a string, got 1"),
        (list_field, {}, "input.f: expected a list, got {}"),
        (hex_field, "0a", "input.f: expected hex bytes starting 0x, got '0a'"),
        (hex_field, "0xzz", "input.f: not hex: '0xzz'"),
    ],
)
def test_a_field_of_the_wrong_shape_is_named(reader: object, value: object, message: str) -> None:
    with pytest.raises(VectorInputError) as refused:
        reader({"f": value}, "f")  # type: ignore[operator]
    assert str(refused.value) == message
    with pytest.raises(VectorInputError, match=r"^input\.g: missing$"):
        reader({"f": value}, "g")  # type: ignore[operator]


def test_records_travel_as_scale_hex() -> None:
    # 3 bits 101: compact 3 = 0x0c, byte 0x05; validator 3; 64 zero bytes.
    assert record_hex(BITFIELD) == "0x0c05" + "03000000" + "00" * 64
    assert record_hex(ScheduledCore(7), CoreState) == "0x01" + "07000000" + "00"
    assert hex_of(b"\x01\x02") == "0x0102"
    data = {"b": record_hex(BITFIELD), "l": [record_hex(BITFIELD)] * 2}
    assert record_field(data, "b", SignedAvailabilityBitfield) == BITFIELD
    assert records_field(data, "l", SignedAvailabilityBitfield) == [BITFIELD, BITFIELD]


def test_bytes_that_are_no_record_are_named_with_their_position() -> None:
    with pytest.raises(VectorInputError, match=r"^input.l\[1\]: not a SignedAvailabilityBitfield"):
        records_field({"l": [record_hex(BITFIELD), "0x00"]}, "l", SignedAvailabilityBitfield)
