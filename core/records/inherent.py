# What the provisioner hands the block author (`ProvisionerInherentData`) and what goes on chain
# (`ParachainsInherentData`; `InherentData` of polkadot@c4ee9d46 primitives/src/v1/mod.rs), plus
# the `ParaInherent.enter` extrinsic around it.
from __future__ import annotations

from dataclasses import dataclass

from . import _checks as c
from .backed import BackedCandidate
from .codec import decode_using
from .disputes import DisputeStatementSet
from .header import Header
from .scale import Reader, ScaleError, encode_compact
from .statements import SignedAvailabilityBitfield

__all__ = [
    "PARAS_INHERENT_CALL_INDEX",
    "ParachainsInherentData",
    "ProvisionerInherentData",
    "decode_paras_inherent_extrinsic",
    "encode_paras_inherent_extrinsic",
]

# `ParaInherent` is pallet 54 on Polkadot and Kusama, `enter` its call 0.
PARAS_INHERENT_CALL_INDEX = b"\x36\x00"
_EXTRINSIC_VERSION_UNSIGNED = 0x04


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


class ParasInherentExtrinsic:
    """The unsigned extrinsic: compact length, version 0x04, call index 0x36 0x00, the data."""

    @staticmethod
    def write(data: ParachainsInherentData) -> bytes:
        body = bytes((_EXTRINSIC_VERSION_UNSIGNED,)) + PARAS_INHERENT_CALL_INDEX + data.scale()
        return encode_compact(len(body)) + body

    @staticmethod
    def read(r: Reader) -> ParachainsInherentData:
        start = r.pos
        n = r.compact()
        if n != r.remaining():
            raise ScaleError(start, f"extrinsic length prefix {n} but {r.remaining()} bytes follow")
        at = r.pos
        version = r.u8()
        if version != _EXTRINSIC_VERSION_UNSIGNED:
            raise ScaleError(at, f"extrinsic version {version:#04x} is not unsigned v4 (0x04)")
        at = r.pos
        call = r.take(2)
        if call != PARAS_INHERENT_CALL_INDEX:
            raise ScaleError(at, f"call index 0x{call.hex()} is not ParaInherent.enter (0x3600)")
        return ParachainsInherentData.read(r)


def encode_paras_inherent_extrinsic(data: ParachainsInherentData) -> bytes:
    """The raw `ParaInherent.enter` extrinsic as it stands in a block body."""
    return ParasInherentExtrinsic.write(data)


def decode_paras_inherent_extrinsic(raw: bytes) -> ParachainsInherentData:
    """Decode a raw `ParaInherent.enter` extrinsic; raises DecodeError on anything else."""
    return decode_using("ParaInherent.enter extrinsic", ParasInherentExtrinsic.read, raw)
