from __future__ import annotations

import pytest

from backable.core import (
    BARE_EXTRINSIC_VERSIONS,
    EXTRINSIC_FORMAT_VERSION,
    LEGACY_EXTRINSIC_FORMAT_VERSION,
    BackedCandidate,
    BitVec,
    CandidateCommitments,
    CommittedCandidateReceipt,
    DecodeError,
    DisputeStatementSet,
    Explicit,
    Header,
    InvalidRecord,
    ParachainsInherentData,
    ProvisionerInherentData,
    SignedAvailabilityBitfield,
    decode,
    decode_paras_inherent_extrinsic,
    encode,
    encode_paras_inherent_extrinsic,
)
from tests.builders import decode_failure, descriptor, refusal
from tests.conftest import REAL_BLOCKS, inherent_bytes, load_block, load_derived


@pytest.mark.parametrize("block", REAL_BLOCKS)
def test_every_real_block_decodes_and_reencodes_to_the_original_bytes(block: str) -> None:
    raw = inherent_bytes(block)
    data = decode_paras_inherent_extrinsic(raw)
    assert encode_paras_inherent_extrinsic(data) == raw


@pytest.mark.parametrize("block", REAL_BLOCKS)
def test_bitfields_equal_the_independent_decoder(block: str) -> None:
    data = decode_paras_inherent_extrinsic(inherent_bytes(block))
    derived = load_derived(block)
    assert len(data.bitfields) == derived["n_bitfields"]
    for bitfield, expected in zip(data.bitfields, derived["bitfields"], strict=True):
        assert bitfield.validator_index == expected["validator_index"]
        assert bitfield.payload == BitVec.from_str(expected["bits"])
        assert "0x" + bitfield.signature.hex() == expected["signature"]
        assert len(bitfield.payload) == derived["n_cores_from_bitfield_length"]


@pytest.mark.parametrize("block", REAL_BLOCKS)
def test_parent_header_is_the_blocks_parent(block: str) -> None:
    data = decode_paras_inherent_extrinsic(inherent_bytes(block))
    header = load_block(block)["header"]
    assert data.parent_header.number == header["number"] - 1
    assert "0x" + data.parent_header.hash().hex() == header["parentHash"]
    assert data.disputes == ()


@pytest.mark.parametrize("block", REAL_BLOCKS)
def test_backing_bits_equal_the_independent_decoder(block: str) -> None:
    data = decode_paras_inherent_extrinsic(inherent_bytes(block))
    for backed, expected in zip(
        data.backed_candidates, load_derived(block)["backed_candidates"], strict=True
    ):
        assert str(backed.validator_indices) == expected["validator_indices_bits"]
        kinds = [type(v).__name__ for v in backed.validity_votes]
        assert kinds == [v["kind"] for v in expected["validity_votes"]]
        if expected.get("core_index_from_validator_indices") is not None:
            group = len(expected["group_bits"])
            bits, core = backed.validator_indices_and_core_index(group)
            assert core == expected["core_index_from_validator_indices"]
            assert str(bits) == expected["group_bits"]


def test_the_runtime_form_is_the_node_form_followed_by_the_parent_header() -> None:
    data = decode_paras_inherent_extrinsic(inherent_bytes("22939322"))
    node = ProvisionerInherentData(data.bitfields, data.backed_candidates, data.disputes)
    assert encode(data) == encode(node) + encode(data.parent_header)
    assert node.with_parent_header(data.parent_header) == data
    assert decode(ProvisionerInherentData, encode(node)) == node


def test_an_extrinsic_with_another_call_index_is_refused_by_name() -> None:
    raw = bytearray(inherent_bytes("22939322"))
    at = raw.index(b"\x04\x36\x00")
    raw[at + 1] = 0x35
    with pytest.raises(DecodeError, match=r"call index 0x3500 is not ParaInherent\.enter"):
        decode_paras_inherent_extrinsic(bytes(raw))


def test_a_truncated_block_is_a_decode_error_with_an_offset() -> None:
    raw = inherent_bytes("22939322")
    with pytest.raises(DecodeError, match="offset"):
        decode_paras_inherent_extrinsic(raw[:-10])
    body = raw[raw.index(b"\x04\x36\x00") + 3 :]
    with pytest.raises(DecodeError, match="ParachainsInherentData: need"):
        decode(ParachainsInherentData, body[:-10])


def test_trailing_bytes_are_a_decode_error() -> None:
    header = Header(b"\x00" * 32, 5, b"\x01" * 32, b"\x02" * 32)
    with pytest.raises(DecodeError, match="1 trailing bytes"):
        decode(Header, encode(header) + b"\x00")


def test_repr_of_inherent_data_counts_instead_of_dumping() -> None:
    data = decode_paras_inherent_extrinsic(inherent_bytes("22939322"))
    assert repr(data).startswith("ParachainsInherentData(bitfields=297, backed_candidates=6")


# --- the extrinsic's format version and call index --------------------------------------------


def _preamble_at(raw: bytes) -> int:
    return raw.index(b"\x04\x36\x00")  # the byte after the compact length, in these blocks


def test_the_format_versions_are_sp_runtimes_legacy_4_and_current_5() -> None:
    assert (LEGACY_EXTRINSIC_FORMAT_VERSION, EXTRINSIC_FORMAT_VERSION) == (4, 5)
    assert BARE_EXTRINSIC_VERSIONS == (4, 5)


@pytest.mark.parametrize("block", REAL_BLOCKS)
def test_a_real_inherent_rewritten_as_format_version_5_decodes_to_the_same_data(block: str) -> None:
    raw = inherent_bytes(block)
    v5 = bytearray(raw)
    v5[_preamble_at(raw)] = 0x05
    data = decode_paras_inherent_extrinsic(raw)
    assert decode_paras_inherent_extrinsic(bytes(v5)) == data
    assert encode_paras_inherent_extrinsic(data, version=5) == bytes(v5)


def test_encoding_writes_the_legacy_version_4_unless_told() -> None:
    raw = inherent_bytes("22939322")
    data = decode_paras_inherent_extrinsic(raw)
    assert encode_paras_inherent_extrinsic(data) == raw
    assert encode_paras_inherent_extrinsic(data, version=4) == raw


@pytest.mark.parametrize(
    "preamble",
    [0x84, 0x85, 0x44, 0x45, 0x03, 0x06, 0x00, 0x3F],
    ids=lambda b: f"0x{b:02x}",
)
def test_a_signed_or_general_preamble_or_another_version_is_refused_by_name(preamble: int) -> None:
    # 0x84 signed v4, 0x45 general v5: transactions, never an inherent; 3 and 6 no version known.
    raw = bytearray(inherent_bytes("22939322"))
    raw[_preamble_at(bytes(raw))] = preamble
    with pytest.raises(
        DecodeError, match=f"preamble 0x{preamble:02x} is not a bare extrinsic of format version"
    ):
        decode_paras_inherent_extrinsic(bytes(raw))


def test_an_inherent_under_another_call_index_decodes_when_that_index_is_given() -> None:
    data = decode_paras_inherent_extrinsic(inherent_bytes("22939322"))
    moved = encode_paras_inherent_extrinsic(data, call_index=b"\x33\x01")
    assert moved[_preamble_at(inherent_bytes("22939322")) + 1 :].startswith(b"\x33\x01")
    assert decode_paras_inherent_extrinsic(moved, call_index=b"\x33\x01") == data
    with pytest.raises(
        DecodeError, match=r"call index 0x3301 is not ParaInherent\.enter \(0x3600\)"
    ):
        decode_paras_inherent_extrinsic(moved)
    with pytest.raises(
        DecodeError, match=r"call index 0x3600 is not ParaInherent\.enter \(0x3301\)"
    ):
        decode_paras_inherent_extrinsic(inherent_bytes("22939322"), call_index=b"\x33\x01")


@pytest.mark.parametrize("call_index", [b"\x36", b"\x36\x00\x00", "3600", bytearray(b"\x36\x00")])
def test_a_call_index_that_is_not_two_bytes_is_the_callers_mistake(call_index: object) -> None:
    raw = inherent_bytes("22939322")
    data = decode_paras_inherent_extrinsic(raw)
    with pytest.raises(InvalidRecord, match="call_index"):
        decode_paras_inherent_extrinsic(raw, call_index=call_index)  # type: ignore[arg-type]
    with pytest.raises(InvalidRecord, match="call_index"):
        encode_paras_inherent_extrinsic(data, call_index=call_index)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", [3, 6, 0x84, True, "5"])
def test_only_versions_4_and_5_can_be_written(version: object) -> None:
    data = decode_paras_inherent_extrinsic(inherent_bytes("22939322"))
    with pytest.raises(InvalidRecord, match="must be 4 or 5"):
        encode_paras_inherent_extrinsic(data, version=version)  # type: ignore[arg-type]


# -- exact refusals and the decoders' length checks (issue 13) --------------------------------

SIG = b"\x99" * 64


def test_writing_another_version_names_the_extrinsic_the_field_and_the_version() -> None:
    data = ParachainsInherentData((), (), (), Header(b"\x00" * 32, 5, b"\x01" * 32, b"\x02" * 32))
    assert refusal(lambda: encode_paras_inherent_extrinsic(data, version=6)) == (
        "ParasInherentExtrinsic",
        "version",
        6,
        "must be 4 or 5 (a bare extrinsic)",
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"bitfields": "x"}, ("bitfields", "x", "must be a tuple")),
        (
            {"bitfields": (SIG,)},
            ("bitfields[0]", SIG, "must be a SignedAvailabilityBitfield"),
        ),
        ({"backed_candidates": "x"}, ("backed_candidates", "x", "must be a tuple")),
        ({"backed_candidates": [SIG]}, ("backed_candidates[0]", SIG, "must be a BackedCandidate")),
        ({"disputes": "x"}, ("disputes", "x", "must be a tuple")),
        ({"disputes": (SIG,)}, ("disputes[0]", SIG, "must be a DisputeStatementSet")),
    ],
)
def test_provisioner_inherent_data_refuses_a_bad_field_naming_it(
    fields: dict[str, object], expected: tuple[str, object, str]
) -> None:
    assert refusal(lambda: ProvisionerInherentData(**fields)) == (  # type: ignore[arg-type]
        "ProvisionerInherentData",
        *expected,
    )


def test_the_smallest_bitfields_and_dispute_sets_fill_their_input_exactly() -> None:
    # An empty bitfield signed takes 69 bytes and an empty dispute set 37: the decoder's
    # early length checks must let vectors of exactly that size through.
    bitfield = SignedAvailabilityBitfield(BitVec(), 1, SIG)
    dispute = DisputeStatementSet(b"\x07" * 32, 2, ())
    for data in (
        ProvisionerInherentData(bitfields=(bitfield, bitfield, bitfield)),
        ProvisionerInherentData(disputes=(dispute,)),
    ):
        assert decode(ProvisionerInherentData, encode(data)) == data
    assert len(encode(bitfield)) == 69
    assert len(encode(dispute)) == 37


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # one bitfield announced, 67 bytes left: refused at the length prefix, before reading
        (b"\x04" + b"\x00" * 67, (0, "length 1 exceeds the 67 bytes left")),
        (b"\x00\x04" + b"\x00" * 10, (1, "length 1 exceeds the 10 bytes left")),
        (b"\x00\x00\x04" + b"\x00" * 10, (2, "length 1 exceeds the 10 bytes left")),
    ],
)
def test_a_vector_longer_than_its_input_is_refused_at_its_length_prefix(
    data: bytes, expected: tuple[int, str]
) -> None:
    assert decode_failure(ProvisionerInherentData, data) == ("ProvisionerInherentData", *expected)


def test_a_backed_candidate_repr_shows_para_hash_prefix_votes_and_indices() -> None:
    candidate = CommittedCandidateReceipt(descriptor(), CandidateCommitments())
    backed = BackedCandidate(candidate, (Explicit(SIG),), BitVec.from_str("01"))
    assert repr(backed) == (
        f"BackedCandidate(para_id=1000, hash=0x{candidate.hash().hex()[:16]}.., votes=1,"
        " validator_indices=BitVec('01'))"
    )


HEADER = Header(b"\x00" * 32, 5, b"\x01" * 32, b"\x02" * 32)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"bitfields": "x"}, ("bitfields", "x", "must be a tuple")),
        ({"bitfields": (SIG,)}, ("bitfields[0]", SIG, "must be a SignedAvailabilityBitfield")),
        ({"backed_candidates": "x"}, ("backed_candidates", "x", "must be a tuple")),
        ({"backed_candidates": (SIG,)}, ("backed_candidates[0]", SIG, "must be a BackedCandidate")),
        ({"disputes": "x"}, ("disputes", "x", "must be a tuple")),
        ({"disputes": (SIG,)}, ("disputes[0]", SIG, "must be a DisputeStatementSet")),
        ({"parent_header": SIG}, ("parent_header", SIG, "must be a Header")),
    ],
)
def test_parachains_inherent_data_refuses_a_bad_field_naming_it(
    fields: dict[str, object], expected: tuple[str, object, str]
) -> None:
    values: dict[str, object] = {
        "bitfields": (),
        "backed_candidates": (),
        "disputes": (),
        "parent_header": HEADER,
    }
    values.update(fields)
    assert refusal(lambda: ParachainsInherentData(**values)) == (  # type: ignore[arg-type]
        "ParachainsInherentData",
        *expected,
    )


def test_parachains_inherent_data_given_lists_keeps_them_as_tuples() -> None:
    bitfield = SignedAvailabilityBitfield(BitVec(), 1, SIG)
    dispute = DisputeStatementSet(b"\x07" * 32, 2, ())
    data = ParachainsInherentData([bitfield], [], [dispute], HEADER)  # type: ignore[arg-type]
    assert (data.bitfields, data.backed_candidates, data.disputes) == ((bitfield,), (), (dispute,))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x04" + b"\x00" * 67, (0, "length 1 exceeds the 67 bytes left")),
        (b"\x00\x04" + b"\x00" * 10, (1, "length 1 exceeds the 10 bytes left")),
        (b"\x00\x00\x04" + b"\x00" * 10, (2, "length 1 exceeds the 10 bytes left")),
    ],
)
def test_a_vector_of_the_runtime_form_longer_than_its_input_is_refused_at_its_length_prefix(
    data: bytes, expected: tuple[int, str]
) -> None:
    assert decode_failure(ParachainsInherentData, data) == ("ParachainsInherentData", *expected)


def test_many_of_the_smallest_bitfields_or_dispute_sets_before_the_header_decode() -> None:
    # 101 bitfields of 69 bytes, or 99 dispute sets of 37, followed by the 98-byte header: the
    # early length checks must not ask more of each item than the smallest one takes.
    bitfield = SignedAvailabilityBitfield(BitVec(), 1, SIG)
    dispute = DisputeStatementSet(b"\x07" * 32, 2, ())
    assert len(encode(HEADER)) == 98
    for data in (
        ParachainsInherentData((bitfield,) * 101, (), (), HEADER),
        ParachainsInherentData((), (), (dispute,) * 99, HEADER),
    ):
        assert decode(ParachainsInherentData, encode(data)) == data


def _extrinsic_failure(raw: bytes, **kwargs: bytes) -> tuple[str, int, str]:
    with pytest.raises(DecodeError) as info:
        decode_paras_inherent_extrinsic(raw, **kwargs)
    error = info.value
    return (error.type_name, error.offset, error.reason)


EMPTY = ParachainsInherentData((), (), (), HEADER)


@pytest.mark.parametrize(
    ("raw", "kwargs", "expected"),
    [
        # the length prefix (104: version, call, three empty vectors, header) must cover the rest
        (
            encode_paras_inherent_extrinsic(EMPTY) + b"\x00",
            {},
            (0, "extrinsic length prefix 104 but 105 bytes follow"),
        ),
        (
            b"\x10\x84\x36\x00\x00",
            {},
            (
                1,
                "extrinsic preamble 0x84 is not a bare extrinsic of format version 4 or 5"
                " (0x04, 0x05)",
            ),
        ),
        (
            b"\x10\x05\x36\x01\x00",
            {},
            (2, "call index 0x3601 is not ParaInherent.enter (0x3600)"),
        ),
        (
            b"\x10\x04\x36\x00\x00",
            {"call_index": b"\x33\x01"},
            (2, "call index 0x3600 is not ParaInherent.enter (0x3301)"),
        ),
    ],
)
def test_a_refused_extrinsic_names_the_extrinsic_the_offset_and_the_reason(
    raw: bytes, kwargs: dict[str, bytes], expected: tuple[int, str]
) -> None:
    assert _extrinsic_failure(raw, **kwargs) == ("ParaInherent.enter extrinsic", *expected)


@pytest.mark.parametrize("call_index", [b"\x36", "3600"])
def test_a_bad_call_index_is_refused_naming_the_extrinsic_the_field_and_the_value(
    call_index: object,
) -> None:
    expected = (
        "ParasInherentExtrinsic",
        "call_index",
        call_index,
        "must be 2 bytes (pallet, call)",
    )
    assert (
        refusal(
            lambda: decode_paras_inherent_extrinsic(b"", call_index=call_index)  # type: ignore[arg-type]
        )
        == expected
    )
    assert (
        refusal(
            lambda: encode_paras_inherent_extrinsic(EMPTY, call_index=call_index)  # type: ignore[arg-type]
        )
        == expected
    )


@pytest.mark.parametrize("record", [ParachainsInherentData, ProvisionerInherentData])
@pytest.mark.parametrize(
    ("left", "offset", "reason"),
    [
        # A backed candidate takes at least 300 bytes: with exactly 300 left its vector's length
        # passes and the candidate is read until the bytes run out...
        (300, 302, "need 4 bytes, 0 left"),
        # ...with 299 the length is refused up front.
        (299, 1, "length 1 exceeds the 299 bytes left"),
    ],
)
def test_a_backed_candidate_vector_is_refused_up_front_only_when_300_bytes_each_cannot_fit(
    record: type, left: int, offset: int, reason: str
) -> None:
    data = b"\x00\x04" + bytes(left)  # no bitfields, then one backed candidate claimed
    assert decode_failure(record, data) == (record.__name__, offset, reason)
