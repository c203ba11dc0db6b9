# The library's exceptions. Exceptions are for callers who break the contract; a peer's
# misbehaviour is never raised, it is returned as evidence data (see core/records/misbehavior.py).
from __future__ import annotations

__all__ = ["BackableError", "DecodeError", "InvalidRecord", "LengthMismatch", "UnsupportedType"]


class BackableError(Exception):
    """Abstract base of every exception this library raises on purpose."""


class InvalidRecord(BackableError, ValueError):
    """A record was built with a field of the wrong type, length or range."""

    def __init__(self, record: str, field: str, value: object, reason: str) -> None:
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"{record}.{field} = {shown}: {reason}")
        self.record = record
        self.field = field
        self.value = value
        self.reason = reason


class DecodeError(BackableError, ValueError):
    """Bytes that are not the SCALE encoding of the requested type."""

    def __init__(self, type_name: str, offset: int, reason: str) -> None:
        super().__init__(f"cannot decode {type_name}: {reason} at byte offset {offset}")
        self.type_name = type_name
        self.offset = offset
        self.reason = reason


class UnsupportedType(BackableError, TypeError):
    """A function was given a value of a type it does not take (a record with no SCALE form, a
    non-statement to sign, an unknown event); the message names the function and the value.
    Also a TypeError, so callers catching that keep working."""


class LengthMismatch(BackableError, ValueError):
    """Two values that must be of one length are not (e.g. the operands of a BitVec `|`); the
    message names the operation and both lengths."""
