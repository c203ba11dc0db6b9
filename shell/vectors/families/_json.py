# JSON readers that the families of statement tables, backing, inherent checks, records,
# signing payloads, descriptors, core indices and fragment chains share, beside fields.py's: an
# object nested in the input (its fields named with their whole path, "input.groups[2].group_id"),
# optional values, lists of ints and of 32-byte hashes, and the one place where a record the
# input describes is refused (InvalidRecord) and turned into the adapter's VectorInputError.
# No module here defines FAMILY: `all_families()` imports it and passes it by.
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from backable.core import InvalidRecord

from ..family import Json, VectorInputError
from ..fields import hex_field, int_field, list_field

__all__ = [
    "hash_field",
    "hash_list_field",
    "int_list_field",
    "object_at",
    "object_field",
    "opt_int_field",
    "records_built",
]

T = TypeVar("T")


def object_at(value: Json, where: str) -> dict[str, Json]:
    """The JSON object `value` found at `where` ("groups[2]"), its keys prefixed with that path
    so that fields.py's readers name a nested field in full ("input.groups[2].group_id")."""
    if not isinstance(value, dict):
        raise VectorInputError(f"input.{where}: expected an object, got {value!r}")
    return {f"{where}.{key}": item for key, item in value.items()}


def object_field(data: Mapping[str, Json], name: str) -> dict[str, Json]:
    """The object at `data[name]`, prefixed as `object_at` does."""
    if name not in data:
        raise VectorInputError(f"input.{name}: missing")
    return object_at(data[name], name)


def opt_int_field(data: Mapping[str, Json], name: str, *, minimum: int = 0) -> int | None:
    """An integer or null (a missing field is an error, as everywhere in the schema)."""
    if name in data and data[name] is None:
        return None
    return int_field(data, name, minimum=minimum)


def int_list_field(
    data: Mapping[str, Json], name: str, *, maximum: int = 2**32 - 1
) -> list[int]:
    """A list of integers in 0..maximum (u32 by default)."""
    out: list[int] = []
    for i, item in enumerate(list_field(data, name)):
        value = int_field({f"{name}[{i}]": item}, f"{name}[{i}]")
        if value > maximum:
            raise VectorInputError(f"input.{name}[{i}]: expected at most {maximum}, got {value}")
        out.append(value)
    return out


def hash_field(data: Mapping[str, Json], name: str) -> bytes:
    """32 bytes as "0x" and 64 hex digits."""
    raw = hex_field(data, name)
    if len(raw) != 32:
        raise VectorInputError(f"input.{name}: expected 32 bytes, got {len(raw)}")
    return raw


def hash_list_field(data: Mapping[str, Json], name: str) -> list[bytes]:
    return [
        hash_field({f"{name}[{i}]": item}, f"{name}[{i}]")
        for i, item in enumerate(list_field(data, name))
    ]


def records_built(where: str, build: Callable[[], T]) -> T:
    """`build()`, with a record it refuses (values a JSON schema cannot rule out, such as a core
    index too wide for its bits) reported as the input's fault at `where`."""
    try:
        return build()
    except InvalidRecord as e:
        raise VectorInputError(f"input.{where}: {e}") from None
