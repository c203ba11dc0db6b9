# Field checks shared by the records' __post_init__: lengths of hashes, keys and signatures,
# integer ranges, and the element types of tuples. Each failure names record, field and value.
from __future__ import annotations

from typing import Any, TypeVar

from ..errors import InvalidRecord

T = TypeVar("T")

_U32 = 1 << 32
_U64 = 1 << 64


def fixed_bytes(record: object, field: str, value: object, length: int) -> None:
    if type(value) is not bytes or len(value) != length:
        raise InvalidRecord(type(record).__name__, field, value, f"must be {length} bytes")


def hash32(record: object, field: str, value: object) -> None:
    if type(value) is not bytes or len(value) != 32:
        raise InvalidRecord(type(record).__name__, field, value, "must be 32 bytes")


def sig64(record: object, field: str, value: object) -> None:
    if type(value) is not bytes or len(value) != 64:
        raise InvalidRecord(type(record).__name__, field, value, "must be 64 bytes")


def any_bytes(record: object, field: str, value: object) -> None:
    if type(value) is not bytes:
        raise InvalidRecord(type(record).__name__, field, value, "must be bytes")


def u32(record: object, field: str, value: object) -> None:
    if type(value) is not int or not 0 <= value < _U32:
        raise InvalidRecord(type(record).__name__, field, value, "must be an int in 0..2**32-1")


def u64(record: object, field: str, value: object) -> None:
    if type(value) is not int or not 0 <= value < _U64:
        raise InvalidRecord(type(record).__name__, field, value, "must be an int in 0..2**64-1")


def instance(record: object, field: str, value: object, kind: type | tuple[type, ...]) -> None:
    if not isinstance(value, kind):
        name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise InvalidRecord(type(record).__name__, field, value, f"must be a {name}")


def tuple_of(record: object, field: str, value: Any, kind: type | tuple[type, ...]) -> None:
    """Check a tuple field's items; a list is accepted and frozen into a tuple in place."""
    if type(value) is not tuple:
        if not isinstance(value, list | tuple):
            raise InvalidRecord(type(record).__name__, field, value, "must be a tuple")
        value = tuple(value)
        object.__setattr__(record, field, value)
    for i, item in enumerate(value):
        if not isinstance(item, kind):
            name = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise InvalidRecord(type(record).__name__, f"{field}[{i}]", item, f"must be a {name}")


def tuple_of_bytes(record: object, field: str, value: Any) -> None:
    tuple_of(record, field, value, bytes)
