# A JSON view of the core's records, for people and tools reading the command line's output:
# one generic walk over dataclasses, so a new record needs no code here. Bytes become "0x" hex,
# bit vectors their bit string (bit 0 first, as `str(BitVec)`), enum variants carry their class
# name under "kind". It is a view, not a codec: SCALE stays the only wire form.
from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Mapping
from typing import Any

from backable.core import BitVec, UnsupportedType

__all__ = ["JsonValue", "to_json"]

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]


def to_json(value: object) -> JsonValue:
    """A JSON-ready form of a record (or of anything built from records, tuples and mappings).

    Dataclasses become objects of their public fields in declaration order; those that are
    variants of a tagged enum (they carry a `TAG`) or have no fields also get `"kind"`, their
    class name, so `Implicit` and `Explicit` stay distinguishable. Bytes become `"0x…"` hex,
    a `BitVec` its bit string, an `enum.Enum` its name, mapping keys their JSON text.
    Raises TypeError on a value with no JSON form.
    """
    # Enums first: an IntEnum is also an int, and its name is what a reader wants.
    if isinstance(value, enum.Enum):
        return value.name
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return "0x" + bytes(value).hex()
    if isinstance(value, BitVec):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _record(value)
    if isinstance(value, Mapping):
        return {_key(k): to_json(v) for k, v in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value, key=repr) if isinstance(value, frozenset | set) else value
        return [to_json(v) for v in items]
    # pyrsistent's vectors and other sequences the records may hold.
    if hasattr(value, "__iter__") and hasattr(value, "__len__"):
        return [to_json(v) for v in value]
    raise UnsupportedType(f"to_json: {type(value).__name__} has no JSON form")


def _record(record: Any) -> dict[str, JsonValue]:
    # Private fields (a cached hash, say) are implementation, not data.
    fields = [f for f in dataclasses.fields(record) if not f.name.startswith("_")]
    out: dict[str, JsonValue] = {}
    if hasattr(type(record), "TAG") or not fields:
        out["kind"] = type(record).__name__
    for f in fields:
        out[f.name] = to_json(getattr(record, f.name))
    return out


def _key(key: object) -> str:
    # JSON keys are strings; others (ints, a (session, candidate_hash) tuple) in their JSON text.
    shown = to_json(key)
    return shown if isinstance(shown, str) else json.dumps(shown)
