# What the provisioner hands the block author (`ProvisionerInherentData`) and what goes on chain
# (`ParachainsInherentData`; `InherentData` of polkadot@c4ee9d46 primitives/src/v1/mod.rs), plus
# the `ParaInherent.enter` extrinsic around it. That extrinsic is bare (no signature, no
# extension): its first byte after the length is the preamble, two type bits (0b00 for bare) over
# a six-bit format version, and sp-runtime's `generic/unchecked_extrinsic.rs` (`Preamble::decode`,
# polkadot-sdk master 2025) takes a bare extrinsic of version 4 (legacy) or 5 (current). Which
# of the two a relay-chain author writes for this inherent depends on the runtime, so both are
# read; we write 4, the form every block in our test data carries.
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidRecord
from . import _checks as c
from .backed import BackedCandidate
from .codec import decode_using
from .disputes import DisputeStatementSet
from .header import Header
from .scale import Reader, ScaleError, encode_compact
from .statements import SignedAvailabilityBitfield

__all__ = [
    "BARE_EXTRINSIC_VERSIONS",
    "EXTRINSIC_FORMAT_VERSION",
    "LEGACY_EXTRINSIC_FORMAT_VERSION",
    "PARAS_INHERENT_CALL_INDEX",
    "ParachainsInherentData",
    "ProvisionerInherentData",
    "decode_paras_inherent_extrinsic",
    "encode_paras_inherent_extrinsic",
]

# `ParaInherent` is pallet 54 on Polkadot and Kusama, `enter` its call 0.
PARAS_INHERENT_CALL_INDEX = b"\x36\x00"
LEGACY_EXTRINSIC_FORMAT_VERSION = 4
EXTRINSIC_FORMAT_VERSION = 5
# The preamble bytes of a bare extrinsic: the type bits are 0b00, so the byte is the version.
BARE_EXTRINSIC_VERSIONS = (LEGACY_EXTRINSIC_FORMAT_VERSION, EXTRINSIC_FORMAT_VERSION)


def _read_bitfield(r: Reader) -> SignedAvailabilityBitfield:
    return SignedAvailabilityBitfield.read(r)


def _read_backed(r: Reader) -> BackedCandidate:
    return BackedCandidate.read(r)


def _read_dispute_set(r: Reader) -> DisputeStatementSet:
    return DisputeStatementSet.read(r)


def _encode_vec(
    items: tuple[SignedAvailabilityBitfield, ...]
    | tuple[BackedCandidate, ...]
    | tuple[DisputeStatementSet, ...],
) -> bytes:
    return encode_compact(len(items)) + b"".join(i.scale() for i in items)


@dataclass(frozen=True, slots=True)
class ProvisionerInherentData:
    """The provisioner's answer to a block author: bitfields, backed candidates, disputes."""

    bitfields: tuple[SignedAvailabilityBitfield, ...] = ()
    backed_candidates: tuple[BackedCandidate, ...] = ()
    disputes: tuple[DisputeStatementSet, ...] = ()

    def __post_init__(self) -> None:
        c.tuple_of(self, "bitfields", self.bitfields, SignedAvailabilityBitfield)
        c.tuple_of(self, "backed_candidates", self.backed_candidates, BackedCandidate)
        c.tuple_of(self, "disputes", self.disputes, DisputeStatementSet)

    def scale(self) -> bytes:
        return (
            _encode_vec(self.bitfields)
            + _encode_vec(self.backed_candidates)
            + _encode_vec(self.disputes)
        )

    @classmethod
    def read(cls, r: Reader) -> ProvisionerInherentData:
        return cls(
            r.vec(_read_bitfield, 69), r.vec(_read_backed, 300), r.vec(_read_dispute_set, 37)
        )

    def with_parent_header(self, parent_header: Header) -> ParachainsInherentData:
        return ParachainsInherentData(
            self.bitfields, self.backed_candidates, self.disputes, parent_header
        )


@dataclass(frozen=True, slots=True)
class ParachainsInherentData:
    """The `ParaInherent.enter` argument as the runtime receives it (`InherentData` of
    polkadot@c4ee9d46 primitives/src/v1/mod.rs)."""

    bitfields: tuple[SignedAvailabilityBitfield, ...]
    backed_candidates: tuple[BackedCandidate, ...]
    disputes: tuple[DisputeStatementSet, ...]
    parent_header: Header

    def __post_init__(self) -> None:
        c.tuple_of(self, "bitfields", self.bitfields, SignedAvailabilityBitfield)
        c.tuple_of(self, "backed_candidates", self.backed_candidates, BackedCandidate)
        c.tuple_of(self, "disputes", self.disputes, DisputeStatementSet)
        c.instance(self, "parent_header", self.parent_header, Header)

    def scale(self) -> bytes:
        return (
            _encode_vec(self.bitfields)
            + _encode_vec(self.backed_candidates)
            + _encode_vec(self.disputes)
            + self.parent_header.scale()
        )

    @classmethod
    def read(cls, r: Reader) -> ParachainsInherentData:
        return cls(
            r.vec(_read_bitfield, 69),
            r.vec(_read_backed, 300),
            r.vec(_read_dispute_set, 37),
            Header.read(r),
        )

    def __repr__(self) -> str:
        return (
            f"ParachainsInherentData(bitfields={len(self.bitfields)},"
            f" backed_candidates={len(self.backed_candidates)}, disputes={len(self.disputes)},"
            f" parent_header={self.parent_header!r})"
        )


def _check_call_index(call_index: object) -> bytes:
    # A caller's mistake, raised before any decoding so that it is not mistaken for bad input.
    if type(call_index) is not bytes or len(call_index) != 2:
        raise InvalidRecord(
            "ParasInherentExtrinsic", "call_index", call_index, "must be 2 bytes (pallet, call)"
        )
    return call_index


class ParasInherentExtrinsic:
    """The bare extrinsic: compact length, preamble (format version 4 or 5), the two-byte call
    index (0x36 0x00 unless told otherwise), the data."""

    @staticmethod
    def write(
        data: ParachainsInherentData,
        version: int = LEGACY_EXTRINSIC_FORMAT_VERSION,
        call_index: bytes = PARAS_INHERENT_CALL_INDEX,
    ) -> bytes:
        if type(version) is not int or version not in BARE_EXTRINSIC_VERSIONS:
            raise InvalidRecord(
                "ParasInherentExtrinsic", "version", version, "must be 4 or 5 (a bare extrinsic)"
            )
        body = bytes((version,)) + _check_call_index(call_index) + data.scale()
        return encode_compact(len(body)) + body

    @staticmethod
    def read(r: Reader, call_index: bytes = PARAS_INHERENT_CALL_INDEX) -> ParachainsInherentData:
        start = r.pos
        n = r.compact()
        if n != r.remaining():
            raise ScaleError(start, f"extrinsic length prefix {n} but {r.remaining()} bytes follow")
        at = r.pos
        preamble = r.u8()
        if preamble not in BARE_EXTRINSIC_VERSIONS:
            raise ScaleError(
                at,
                f"extrinsic preamble {preamble:#04x} is not a bare extrinsic of format version 4"
                " or 5 (0x04, 0x05)",
            )
        at = r.pos
        call = r.take(2)
        if call != call_index:
            raise ScaleError(
                at, f"call index 0x{call.hex()} is not ParaInherent.enter (0x{call_index.hex()})"
            )
        return ParachainsInherentData.read(r)


def encode_paras_inherent_extrinsic(
    data: ParachainsInherentData,
    *,
    version: int = LEGACY_EXTRINSIC_FORMAT_VERSION,
    call_index: bytes = PARAS_INHERENT_CALL_INDEX,
) -> bytes:
    """The raw `ParaInherent.enter` extrinsic as it stands in a block body: bare, of extrinsic
    format `version` (4, the legacy form, by default; or 5), calling `call_index`."""
    return ParasInherentExtrinsic.write(data, version, call_index)


def decode_paras_inherent_extrinsic(
    raw: bytes, *, call_index: bytes = PARAS_INHERENT_CALL_INDEX
) -> ParachainsInherentData:
    """Decode a raw `ParaInherent.enter` extrinsic, bare of format version 4 or 5, whose call is
    `call_index` (Polkadot's and Kusama's 0x3600 by default); raises DecodeError on anything
    else, InvalidRecord if `call_index` is not two bytes."""
    expected = _check_call_index(call_index)
    return decode_using(
        "ParaInherent.enter extrinsic", lambda r: ParasInherentExtrinsic.read(r, expected), raw
    )
