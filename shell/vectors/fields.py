# How a family reads its JSON input and writes its JSON output: records as SCALE bytes in hex
# ("0x..."), plain parameters as JSON ints, bools, strings and lists. Every reader names the field
# it could not use (VectorInputError), so an adapter author sees which part of a request was off.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from backable.core import decode, encode
from backable.core.errors import BackableError

from .family import Json, VectorInputError

__all__ = [
    "bool_field",
    "hex_field",
    "hex_of",
    "int_field",
    "list_field",
    "record_field",
    "record_hex",
    "records_field",
    "str_field",
]

T = TypeVar("T")


def _get(data: Mapping[str, Json], name: str) -> Json:
    if name not in data:
        raise VectorInputError(f"input.{name}: missing")
    return data[name]


def int_field(data: Mapping[str, Json], name: str, *, minimum: int = 0) -> int:
    value = _get(data, name)
    # bool is an int in Python; a JSON true is not a number.
    if isinstance(value, bool) or not isinstance(value, int):
        raise VectorInputError(f"input.{name}: expected an integer, got {value!r}")
    if value < minimum:
        raise VectorInputError(f"input.{name}: expected at least {minimum}, got {value}")
    return value


def bool_field(data: Mapping[str, Json], name: str) -> bool:
    value = _get(data, name)
    if not isinstance(value, bool):
        raise VectorInputError(f"input.{name}: expected true or false, got {value!r}")
    return value


def str_field(data: Mapping[str, Json], name: str) -> str:
    value = _get(data, name)
    if not isinstance(value, str):
        raise VectorInputError(f"input.{name}: expected a string, got {value!r}")
    return value


def list_field(data: Mapping[str, Json], name: str) -> list[Json]:
    value = _get(data, name)
    if not isinstance(value, list):
        raise VectorInputError(f"input.{name}: expected a list, got {value!r}")
    return value


def _bytes_of(text: Json, where: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("0x"):
        raise VectorInputError(f"{where}: expected hex bytes starting 0x, got {text!r}")
    try:
        return bytes.fromhex(text[2:])
    except ValueError:
        raise VectorInputError(f"{where}: not hex: {text!r}") from None


def hex_field(data: Mapping[str, Json], name: str) -> bytes:
    return _bytes_of(_get(data, name), f"input.{name}")


def _record_of(record_type: type[T], text: Json, where: str) -> T:
    raw = _bytes_of(text, where)
    try:
        return decode(record_type, raw)
    except BackableError as e:
        raise VectorInputError(f"{where}: not a {record_type.__name__}: {e}") from None


def record_field(data: Mapping[str, Json], name: str, record_type: type[T]) -> T:
    """The record whose SCALE bytes are the hex string `data[name]`."""
    return _record_of(record_type, _get(data, name), f"input.{name}")


def records_field(data: Mapping[str, Json], name: str, record_type: type[T]) -> list[T]:
    """The records whose SCALE bytes are the hex strings of the list `data[name]`."""
    return [
        _record_of(record_type, item, f"input.{name}[{i}]")
        for i, item in enumerate(list_field(data, name))
    ]


def hex_of(raw: bytes) -> str:
    return "0x" + raw.hex()


def record_hex(record: Any, as_type: type | None = None) -> str:
    """A record's SCALE bytes as the vectors carry them."""
    return hex_of(encode(record, as_type))
