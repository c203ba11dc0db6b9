# BitVec: an immutable bit vector held in one Python int, with SCALE encoding equal to Rust's
# `BitVec<u8, Lsb0>` (compact bit count, then ceil(n/8) bytes, bit i in bit i%8 of byte i//8).
# Availability bitfields, core availability and backing indices are all BitVecs; keeping them in
# an int makes popcount (`int.bit_count`) and bit tests cost a fraction of a microsecond.
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import SupportsIndex

from ..errors import InvalidRecord, LengthMismatch
from .scale import Reader, ScaleError, encode_compact

__all__ = ["BitVec"]

_MAX_BITS = 1 << 32


class BitVec:
    """An immutable vector of `len` bits; bit 0 is the lowest bit of `as_int()`."""

    __slots__ = ("_bits", "_len")

    _bits: int
    _len: int

    def __init__(self, bits: int = 0, length: int = 0) -> None:
        if isinstance(length, bool) or not isinstance(length, int) or not 0 <= length < _MAX_BITS:
            raise InvalidRecord("BitVec", "length", length, "must be an int in 0..2**32-1")
        if isinstance(bits, bool) or not isinstance(bits, int) or bits < 0:
            raise InvalidRecord("BitVec", "bits", bits, "must be a non-negative int")
        if bits >> length:
            raise InvalidRecord("BitVec", "bits", bits, f"has bits set beyond length {length}")
        object.__setattr__(self, "_bits", bits)
        object.__setattr__(self, "_len", length)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("BitVec is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("BitVec is immutable")

    # construction -------------------------------------------------------------------------

    @classmethod
    def zeros(cls, n: int) -> BitVec:
        return cls(0, n)

    @classmethod
    def ones(cls, n: int) -> BitVec:
        return cls((1 << n) - 1, n)

    @classmethod
    def from_bools(cls, values: Iterable[object]) -> BitVec:
        bits = 0
        n = 0
        for n, v in enumerate(values, 1):
            if v:
                bits |= 1 << (n - 1)
        return cls(bits, n)

    @classmethod
    def from_str(cls, text: str) -> BitVec:
        """Parse `"0110"`, bit 0 first (the order of `str(b)`)."""
        if text.strip("01"):
            raise InvalidRecord("BitVec", "text", text, "may hold only the characters 0 and 1")
        return cls(int(text[::-1], 2) if text else 0, len(text))

    @classmethod
    def from_indices(cls, n: int, indices: Iterable[int]) -> BitVec:
        bits = 0
        for i in indices:
            if not 0 <= i < n:
                raise InvalidRecord("BitVec", "index", i, f"outside a vector of {n} bits")
            bits |= 1 << i
        return cls(bits, n)

    # queries ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index: SupportsIndex) -> bool:
        i = index.__index__()
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError(f"bit {index.__index__()} outside a BitVec of {self._len} bits")
        return bool(self._bits >> i & 1)

    def get(self, index: int) -> bool:
        """Bit `index`, or False beyond the end (Rust's `get(i).unwrap_or(false)`)."""
        return 0 <= index < self._len and bool(self._bits >> index & 1)

    def __iter__(self) -> Iterator[bool]:
        bits = self._bits
        for i in range(self._len):
            yield bool(bits >> i & 1)

    def count_ones(self) -> int:
        return self._bits.bit_count()

    def any(self) -> bool:
        return self._bits != 0

    def iter_ones(self) -> Iterator[int]:
        """Indices of the set bits, ascending."""
        bits = self._bits
        while bits:
            low = bits & -bits
            yield low.bit_length() - 1
            bits ^= low

    def as_int(self) -> int:
        return self._bits

    # derived vectors ----------------------------------------------------------------------

    def set(self, index: int, value: bool = True) -> BitVec:
        if not 0 <= index < self._len:
            raise IndexError(f"bit {index} outside a BitVec of {self._len} bits")
        if value:
            return BitVec(self._bits | 1 << index, self._len)
        return BitVec(self._bits & ~(1 << index), self._len)

    def slice(self, start: int, stop: int) -> BitVec:
        """Bits `start..stop` as a new vector (bounds clamped like a Python slice)."""
        start, stop, _ = slice(start, stop).indices(self._len)
        n = max(0, stop - start)
        return BitVec((self._bits >> start) & ((1 << n) - 1), n)

    def concat(self, other: BitVec) -> BitVec:
        return BitVec(self._bits | other._bits << self._len, self._len + other._len)

    def _same_len(self, other: BitVec, op: str) -> None:
        if other._len != self._len:
            raise LengthMismatch(f"BitVec {op}: lengths differ ({self._len} and {other._len})")

    def __or__(self, other: BitVec) -> BitVec:
        self._same_len(other, "|")
        return BitVec(self._bits | other._bits, self._len)

    def __and__(self, other: BitVec) -> BitVec:
        self._same_len(other, "&")
        return BitVec(self._bits & other._bits, self._len)

    # value semantics ----------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BitVec):
            return NotImplemented
        return self._len == other._len and self._bits == other._bits

    def __hash__(self) -> int:
        return hash((self._bits, self._len))

    def __str__(self) -> str:
        return format(self._bits, f"0{self._len}b")[::-1] if self._len else ""

    def __repr__(self) -> str:
        if self._len <= 64:
            return f"BitVec('{self}')"
        return f"BitVec(len={self._len}, ones={self.count_ones()})"

    def __reduce__(self) -> tuple[type[BitVec], tuple[int, int]]:
        return (BitVec, (self._bits, self._len))

    # SCALE --------------------------------------------------------------------------------

    def scale(self) -> bytes:
        return encode_compact(self._len) + self._bits.to_bytes((self._len + 7) // 8, "little")

    @classmethod
    def read(cls, r: Reader) -> BitVec:
        start = r.pos
        n = r.compact()
        raw = r.take((n + 7) // 8)
        bits = int.from_bytes(raw, "little")
        if bits >> n:
            # parity-scale-codec drops these bits silently; we refuse them so that every
            # decoded value re-encodes to the bytes it came from.
            raise ScaleError(start, f"bit vector of {n} bits has non-zero padding bits")
        return cls(bits, n)
