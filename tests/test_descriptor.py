# Descriptor versions (core/today/descriptor.py): every branch of the classification, the V2/V3
# fields read in place, the builders' bytes laid out in full, and the version gate. Real blocks
# from 2023-2024 carry only V1 descriptors.
from __future__ import annotations

import pytest

from backable.core import (
    CandidateDescriptor,
    DescriptorVersion,
    InvalidRecord,
    VersionRejected,
    VersionRejection,
    candidate_descriptor_v2,
    candidate_descriptor_v3,
    check_version_acceptance,
    decode,
    decode_paras_inherent_extrinsic,
    descriptor_core_index,
    descriptor_session_index,
    descriptor_version,
    encode,
    internal_version,
    old_style_descriptor_version,
    raw_core_index,
    scheduling_parent,
    scheduling_session,
)
from tests.builders import descriptor, refusal
from tests.conftest import REAL_BLOCKS, inherent_bytes

RP = b"\x01" * 32
PVD, POV, ERASURE, HEAD, CODE = (bytes([b]) * 32 for b in (3, 4, 5, 7, 8))
SP = b"\xaa" * 32


def _raw(collator: bytes, signature: bytes) -> CandidateDescriptor:
    return descriptor(collator=collator, signature=signature)


def _collator(version: int, core: int, session: int, byte43: int = 0, tail: bytes = bytes(24)):
    return (
        bytes([version])
        + core.to_bytes(2, "little")
        + session.to_bytes(4, "little")
        + (bytes([byte43]) + tail)
    )


# The fields both builders take; V3 adds its scheduling parent and session.
V2_ARGS: dict[str, object] = {
    "para_id": 2000,
    "relay_parent": RP,
    "core_index": 5,
    "session_index": 7,
    "persisted_validation_data_hash": PVD,
    "pov_hash": POV,
    "erasure_root": ERASURE,
    "para_head": HEAD,
    "validation_code_hash": CODE,
}


def v2(**overrides: object) -> CandidateDescriptor:
    return candidate_descriptor_v2(**{**V2_ARGS, **overrides})  # type: ignore[arg-type]


def v3(**overrides: object) -> CandidateDescriptor:
    args = {**V2_ARGS, "scheduling_parent": SP, "scheduling_session": 9, **overrides}
    return candidate_descriptor_v3(**args)  # type: ignore[arg-type]


# -- classification ----------------------------------------------------------------------------


def test_a_non_zero_byte_in_reserved1_makes_a_v1_descriptor() -> None:
    for at in (7, 20, 31):  # descriptor bytes 43, 56, 67
        collator = bytearray(_collator(0, 1, 1))
        collator[at] = 0x01
        d = _raw(bytes(collator), bytes(64))
        assert descriptor_version(d) is DescriptorVersion.V1
        assert old_style_descriptor_version(d) is DescriptorVersion.V1


def test_a_non_zero_byte_in_reserved2_makes_a_v1_descriptor() -> None:
    for at in (0, 40, 63):  # descriptor bytes 164, 204, 227
        signature = bytearray(64)
        signature[at] = 0x80
        d = _raw(_collator(0, 1, 1), bytes(signature))
        assert descriptor_version(d) is DescriptorVersion.V1


def test_zero_reserved_bytes_and_version_zero_make_a_v2_descriptor() -> None:
    d = _raw(_collator(0, 3, 9), bytes(64))
    assert descriptor_version(d) is DescriptorVersion.V2
    assert old_style_descriptor_version(d) is DescriptorVersion.V2


def test_version_one_with_a_scheduling_parent_and_nothing_else_reserved_is_v3() -> None:
    d = _raw(_collator(1, 3, 9, byte43=2), SP + bytes(32))
    assert descriptor_version(d) is DescriptorVersion.V3
    # Nodes before V3 read the same bytes as V1 (they see non-zero reserved bytes).
    assert old_style_descriptor_version(d) is DescriptorVersion.V1


def test_any_other_version_with_zero_reserved_bytes_is_unknown() -> None:
    for version in (1, 2, 100, 255):
        d = _raw(_collator(version, 3, 9), bytes(64))
        assert descriptor_version(d) is DescriptorVersion.UNKNOWN
        assert internal_version(d) == version


def test_v3_needs_version_one() -> None:
    for version in (0, 2):
        d = _raw(_collator(version, 3, 9), SP + bytes(32))
        assert descriptor_version(d) is DescriptorVersion.V1


def test_v3_needs_the_rest_of_the_reserved_bytes_zero() -> None:
    low = bytearray(_collator(1, 3, 9))
    low[8] = 1  # descriptor byte 44
    assert descriptor_version(_raw(bytes(low), SP + bytes(32))) is DescriptorVersion.V1
    high = SP + bytes(31) + b"\x01"  # descriptor byte 227
    assert descriptor_version(_raw(_collator(1, 3, 9), high)) is DescriptorVersion.V1


def test_a_v1_descriptor_built_from_a_collator_key_is_v1() -> None:
    assert descriptor_version(descriptor()) is DescriptorVersion.V1


# -- fields ------------------------------------------------------------------------------------


def test_v2_fields_are_read_from_the_bytes_without_changing_them() -> None:
    raw = bytearray(292)
    raw[0:4] = (2000).to_bytes(4, "little")
    raw[4:36] = RP
    raw[36] = 0
    raw[37:39] = (0x1234).to_bytes(2, "little")
    raw[39:43] = (0xDEADBEEF).to_bytes(4, "little")
    raw[68:100] = PVD
    raw[228:260] = HEAD
    d = decode(CandidateDescriptor, bytes(raw))
    assert descriptor_version(d) is DescriptorVersion.V2
    assert descriptor_core_index(d) == 0x1234
    assert descriptor_session_index(d) == 0xDEADBEEF
    assert raw_core_index(d) == 0x1234
    assert scheduling_parent(d) == RP
    assert scheduling_session(d) == 0xDEADBEEF
    assert encode(d) == bytes(raw)


def test_a_v1_descriptor_has_no_core_and_no_session() -> None:
    d = descriptor(collator=_collator(0, 3, 9, byte43=1))
    assert descriptor_core_index(d) is None
    assert descriptor_session_index(d) is None
    assert scheduling_session(d) is None
    assert scheduling_parent(d) == d.relay_parent
    assert raw_core_index(d) == 3  # the raw field stays readable, as Rust's check reads it


def test_an_unknown_version_still_has_a_core_and_a_session() -> None:
    d = _raw(_collator(9, 300, 12), bytes(64))
    assert descriptor_core_index(d) == 300
    assert descriptor_session_index(d) == 12
    assert scheduling_session(d) == 12
    assert scheduling_parent(d) == RP


def test_v3_fields_are_the_scheduling_parent_and_the_session_plus_its_offset() -> None:
    d = _raw(_collator(1, 4, 40, byte43=3), SP + bytes(32))
    assert descriptor_core_index(d) == 4
    assert descriptor_session_index(d) == 40
    assert scheduling_parent(d) == SP
    assert scheduling_session(d) == 43


def test_a_v3_scheduling_session_beyond_u32_names_no_session() -> None:
    d = _raw(_collator(1, 4, 2**32 - 1, byte43=1), SP + bytes(32))
    assert descriptor_session_index(d) == 2**32 - 1
    assert scheduling_session(d) is None
    at_limit = _raw(_collator(1, 4, 2**32 - 2, byte43=1), SP + bytes(32))
    assert scheduling_session(at_limit) == 2**32 - 1


# -- builders ----------------------------------------------------------------------------------


def test_a_v2_descriptor_is_laid_out_byte_by_byte() -> None:
    raw = encode(v2(core_index=0x0102, session_index=0x03040506))
    expected = b"".join(
        (
            (2000).to_bytes(4, "little"),  # 0..4 para id
            RP,  # 4..36 relay parent
            b"\x00",  # 36 version
            b"\x02\x01",  # 37..39 core index, u16 LE
            b"\x06\x05\x04\x03",  # 39..43 session index, u32 LE
            bytes(25),  # 43..68 reserved1
            PVD,  # 68..100
            POV,  # 100..132
            ERASURE,  # 132..164
            bytes(64),  # 164..228 reserved2
            HEAD,  # 228..260
            CODE,  # 260..292
        )
    )
    assert len(raw) == 292
    assert raw == expected
    for i, (got, want) in enumerate(zip(raw, expected, strict=True)):
        assert got == want, f"byte {i}"


def test_a_v3_descriptor_is_laid_out_byte_by_byte() -> None:
    raw = encode(v3(core_index=0x0102, session_index=0x03040506, scheduling_session=0x03040508))
    expected = b"".join(
        (
            (2000).to_bytes(4, "little"),
            RP,
            b"\x01",  # 36 version 1
            b"\x02\x01",
            b"\x06\x05\x04\x03",
            b"\x02",  # 43 scheduling session offset
            bytes(24),  # 44..68
            PVD,
            POV,
            ERASURE,
            SP,  # 164..196 scheduling parent
            bytes(32),  # 196..228
            HEAD,
            CODE,
        )
    )
    assert raw == expected


def test_built_descriptors_classify_as_built() -> None:
    assert descriptor_version(v2()) is DescriptorVersion.V2
    assert descriptor_version(v3()) is DescriptorVersion.V3
    assert scheduling_session(v3(session_index=7, scheduling_session=7)) == 7
    assert scheduling_session(v3(session_index=7, scheduling_session=262)) == 262


def test_the_largest_v2_core_and_session_fit() -> None:
    d = v2(core_index=2**16 - 1, session_index=2**32 - 1)
    assert (descriptor_core_index(d), descriptor_session_index(d)) == (2**16 - 1, 2**32 - 1)


V2_CORE = "must be an int in 0..2**16-1 (a V2 core index has two bytes)"
V3_CORE = "must be an int in 0..2**16-1 (a V3 core index has two bytes)"
U32 = "must be an int in 0..2**32-1"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("core_index", 2**16, V2_CORE),
        ("core_index", -1, V2_CORE),
        ("core_index", True, V2_CORE),
        ("core_index", "5", V2_CORE),
        ("session_index", 2**32, U32),
        ("session_index", -1, U32),
    ],
)
def test_a_v2_field_out_of_range_is_the_callers_mistake(
    field: str, value: object, reason: str
) -> None:
    assert refusal(lambda: v2(**{field: value})) == ("CandidateDescriptor", field, value, reason)


def test_a_malformed_hash_in_a_v2_descriptor_is_refused_by_the_record() -> None:
    with pytest.raises(InvalidRecord, match="relay_parent"):
        v2(relay_parent=b"\x01" * 31)
    with pytest.raises(InvalidRecord, match="para_id"):
        v2(para_id=2**32)


OFFSET = "must be session_index (7) to session_index + 255: it is kept as a one-byte offset"
ZERO_SP = "must not be zero: a zero scheduling parent does not read as V3"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("scheduling_session", 6, OFFSET),
        ("scheduling_session", 7 + 256, OFFSET),
        ("scheduling_session", 2**32, U32),
        ("scheduling_session", -1, U32),
        ("scheduling_parent", bytes(32), ZERO_SP),
        ("scheduling_parent", b"\xaa" * 31, "must be 32 bytes"),
        ("scheduling_parent", "aa" * 32, "must be 32 bytes"),
        ("core_index", 2**16, V3_CORE),
        ("core_index", -1, V3_CORE),
        ("session_index", 2**32, U32),
        ("session_index", -1, U32),
    ],
)
def test_a_v3_field_that_cannot_be_expressed_is_the_callers_mistake(
    field: str, value: object, reason: str
) -> None:
    assert refusal(lambda: v3(**{field: value})) == ("CandidateDescriptor", field, value, reason)


# -- the version gate --------------------------------------------------------------------------


def test_v1_and_v2_are_accepted_whether_or_not_v3_is_enabled() -> None:
    for enabled in (False, True):
        assert check_version_acceptance(descriptor(), enabled) is None
        assert check_version_acceptance(v2(), enabled) is None


def test_v3_is_accepted_only_when_the_v3_node_feature_is_on() -> None:
    assert check_version_acceptance(v3(), True) is None
    assert check_version_acceptance(v3(), False) == VersionRejected(
        VersionRejection.V3_NOT_ENABLED, DescriptorVersion.V3, DescriptorVersion.V1, 1
    )


def test_an_unknown_version_is_never_accepted() -> None:
    d = _raw(_collator(7, 0, 0), bytes(64))
    expected = VersionRejected(
        VersionRejection.UNKNOWN_VERSION, DescriptorVersion.UNKNOWN, DescriptorVersion.UNKNOWN, 7
    )
    assert check_version_acceptance(d, True) == expected
    assert check_version_acceptance(d, False) == expected


REJECTED = {
    "reason": VersionRejection.UNKNOWN_VERSION,
    "version": DescriptorVersion.UNKNOWN,
    "old_style": DescriptorVersion.UNKNOWN,
    "internal_version": 7,
}


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("reason", "unknown", "must be a VersionRejection"),
        ("version", "v3", "must be a DescriptorVersion"),
        ("old_style", VersionRejection.UNKNOWN_VERSION, "must be a DescriptorVersion"),
        ("internal_version", 256, "must be a u8"),
        ("internal_version", -1, "must be a u8"),
        ("internal_version", True, "must be a u8"),
    ],
)
def test_a_version_rejection_validates_its_fields(field: str, value: object, reason: str) -> None:
    fields = {**REJECTED, field: value}
    assert refusal(lambda: VersionRejected(**fields)) == (  # type: ignore[arg-type]
        "VersionRejected",
        field,
        value,
        reason,
    )


def test_a_version_rejection_takes_any_byte_as_the_internal_version() -> None:
    # The record holds the raw u8, whatever the gate would make of it.
    for byte in (0, 255):
        fields = {**REJECTED, "internal_version": byte}
        assert VersionRejected(**fields).internal_version == byte  # type: ignore[arg-type]


# -- real blocks -------------------------------------------------------------------------------


@pytest.mark.parametrize("block", REAL_BLOCKS)
def test_every_descriptor_in_the_real_blocks_is_v1(block: str) -> None:
    data = decode_paras_inherent_extrinsic(inherent_bytes(block))
    assert data.backed_candidates
    for backed in data.backed_candidates:
        d = backed.candidate.descriptor
        assert descriptor_version(d) is DescriptorVersion.V1
        assert old_style_descriptor_version(d) is DescriptorVersion.V1
        assert descriptor_core_index(d) is None
        assert check_version_acceptance(d, False) is None
