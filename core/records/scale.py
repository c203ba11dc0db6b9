# SCALE primitives (parity-scale-codec): fixed-width little-endian integers, the compact
# integer, length-prefixed bytes, options and vectors. The records build their encoders and
# decoders from these; nothing here knows a Polkadot type.
#
# Decoding is strict where parity-scale-codec is strict (non-canonical compacts, bad option
# tags) so that whatever decodes re-encodes to the same bytes.
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = [
    "Reader",
    "ScaleError",
    "encode_compact",
    "encode_bytes",
    "u32",
    "u64",
]

T = TypeVar("T")


class ScaleError(Exception):
    """Raised by Reader on malformed input; codec.decode turns it into DecodeError."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason


def u32(value: int) -> bytes:
    return value.to_bytes(4, "little")


def u64(value: int) -> bytes:
    return value.to_bytes(8, "little")


def encode_compact(value: int) -> bytes:
    """SCALE compact encoding of a non-negative integer (u32 and u64 ranges)."""
    if value < 1 << 6:
        return bytes((value << 2,))
    if value < 1 << 14:
        return ((value << 2) | 1).to_bytes(2, "little")
    if value < 1 << 30:
        return ((value << 2) | 2).to_bytes(4, "little")
    n = (value.bit_length() + 7) // 8
    return bytes((((n - 4) << 2) | 3,)) + value.to_bytes(n, "little")


def encode_bytes(data: bytes) -> bytes:
    """A `Vec<u8>`: compact length, then the bytes."""
    return encode_compact(len(data)) + data


class Reader:
    """A cursor over bytes. Every read checks bounds and raises ScaleError with the offset."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def take(self, n: int) -> bytes:
        start = self.pos
        end = start + n
        if end > len(self.data):
            raise ScaleError(start, f"need {n} bytes, {len(self.data) - start} left")
        self.pos = end
        return self.data[start:end]

    def u8(self) -> int:
        pos = self.pos
        if pos >= len(self.data):
            raise ScaleError(pos, "need 1 byte, 0 left")
        self.pos = pos + 1
        return self.data[pos]

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "little")

    def u64(self) -> int:
        return int.from_bytes(self.take(8), "little")

    def bool(self) -> bool:
        start = self.pos
        b = self.u8()
        if b > 1:
            raise ScaleError(start, f"bool byte {b:#04x} is neither 0 nor 1")
        return b == 1

    def compact(self, max_bits: int = 32) -> int:
        """A compact integer; rejects non-canonical forms and values above `max_bits`."""
        start = self.pos
        first = self.u8()
        mode = first & 3
        if mode == 0:
            return first >> 2
        if mode == 1:
            value = int.from_bytes(bytes((first,)) + self.take(1), "little") >> 2
            if value < 1 << 6:
                raise ScaleError(start, "non-canonical compact integer")
            return value
        if mode == 2:
            value = int.from_bytes(bytes((first,)) + self.take(3), "little") >> 2
            if value < 1 << 14:
                raise ScaleError(start, "non-canonical compact integer")
            return value
        n = (first >> 2) + 4
        if n * 8 > max_bits:
            raise ScaleError(start, f"compact integer of {n} bytes exceeds {max_bits} bits")
        value = int.from_bytes(self.take(n), "little")
        if value < 1 << 30 or value.bit_length() <= (n - 1) * 8:
            raise ScaleError(start, "non-canonical compact integer")
        return value

    def bytes_vec(self) -> bytes:
        """A `Vec<u8>`."""
        return self.take(self.compact())

    def length(self, min_item_size: int) -> int:
        """A vector's compact length, checked against what the input can still hold."""
        start = self.pos
        n = self.compact()
        if min_item_size and n * min_item_size > self.remaining():
            raise ScaleError(start, f"length {n} exceeds the {self.remaining()} bytes left")
        return n

    def vec(self, item: Callable[[Reader], T], min_item_size: int = 1) -> tuple[T, ...]:
        n = self.length(min_item_size)
        return tuple(item(self) for _ in range(n))

    def option(self, item: Callable[[Reader], T]) -> T | None:
        start = self.pos
        tag = self.u8()
        if tag == 0:
            return None
        if tag == 1:
            return item(self)
        raise ScaleError(start, f"option tag {tag:#04x} is neither 0 nor 1")

    def tag(self, allowed: int | tuple[int, ...], what: str) -> int:
        start = self.pos
        t = self.u8()
        ok = t in allowed if isinstance(allowed, tuple) else t < allowed
        if not ok:
            raise ScaleError(start, f"unknown {what} variant index {t}")
        return t
