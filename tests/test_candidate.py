from __future__ import annotations

import dataclasses

import pytest

from backable.core import (
    BackedCandidate,
    BitVec,
    CandidateCommitments,
    CandidateReceipt,
    CommittedCandidateReceipt,
    Explicit,
    InvalidRecord,
    OutboundHrmpMessage,
    PersistedValidationData,
    PoV,
    blake2_256,
    decode,
    decode_paras_inherent_extrinsic,
    encode,
)
from tests.builders import decode_failure, descriptor, refusal
from tests.conftest import REAL_BLOCKS, inherent_bytes, load_derived


@pytest.mark.parametrize("block", REAL_BLOCKS)
def test_candidate_and_commitments_hashes_equal_the_independent_decoder(block: str) -> None:
    data = decode_paras_inherent_extrinsic(inherent_bytes(block))
    derived = load_derived(block)["backed_candidates"]
    assert len(data.backed_candidates) == len(derived)
    for backed, expected in zip(data.backed_candidates, derived, strict=True):
        candidate = backed.candidate
        assert "0x" + candidate.commitments.hash().hex() == expected["commitments_hash"]
        assert "0x" + candidate.hash().hex() == expected["candidate_hash"]
        assert "0x" + encode(candidate.descriptor).hex() == expected["descriptor_scale"]
        assert "0x" + encode(candidate.commitments).hex() == expected["commitments_scale"]
        assert "0x" + encode(candidate.to_plain()).hex() == expected["candidate_receipt_scale"]
        assert candidate.descriptor.para_id == expected["para_id"]


def test_the_candidate_hash_is_the_hash_of_descriptor_and_commitments_hash() -> None:
    commitments = CandidateCommitments(head_data=b"head", hrmp_watermark=7)
    committed = CommittedCandidateReceipt(descriptor(), commitments)
    expected = blake2_256(encode(descriptor()) + blake2_256(encode(commitments)))
    assert committed.hash() == expected
    assert committed.to_plain() == CandidateReceipt(descriptor(), blake2_256(encode(commitments)))
    assert committed.to_plain().hash() == expected
    # never the hash of the committed receipt's own encoding (`CommittedCandidateReceipt::hash`,
    # polkadot@c4ee9d46 primitives/src/v1/mod.rs)
    assert committed.hash() != blake2_256(encode(committed))


def test_a_descriptor_encodes_to_292_bytes_in_field_order() -> None:
    raw = encode(descriptor())
    assert len(raw) == 292
    assert raw[:4] == (1000).to_bytes(4, "little")
    assert raw[4:36] == b"\x01" * 32
    assert raw[164:228] == b"\x06" * 64
    assert raw[260:] == b"\x08" * 32


def test_commitments_encode_every_field_in_rust_order() -> None:
    commitments = CandidateCommitments(
        upward_messages=(b"u",),
        horizontal_messages=(OutboundHrmpMessage(2000, b"h"),),
        new_validation_code=b"code",
        head_data=b"hd",
        processed_downward_messages=3,
        hrmp_watermark=9,
    )
    assert encode(commitments).hex() == (
        "04"
        + "0475"  # one upward message "u"
        + "04"
        + "d0070000"
        + "0468"  # one HRMP message to 2000, "h"
        + "01"
        + "10636f6465"  # Some(code)
        + "086864"  # head data
        + "03000000"
        + "09000000"
    )
    assert decode(CandidateCommitments, encode(commitments)) == commitments


def test_commitments_default_to_empty_and_zero() -> None:
    assert encode(CandidateCommitments()) == bytes.fromhex("000000000000000000000000")


def test_pov_and_validation_data_hash_their_scale_encoding() -> None:
    pov = PoV(b"block")
    assert pov.hash() == blake2_256(b"\x14block")
    pvd = PersistedValidationData(b"", 0, bytes(32), 0)
    assert pvd.hash() == blake2_256(b"\x00" + bytes(4) + bytes(32) + bytes(4))


def test_hash_caching_does_not_affect_equality_or_hashing() -> None:
    a = CommittedCandidateReceipt(descriptor(), CandidateCommitments())
    b = CommittedCandidateReceipt(descriptor(), CandidateCommitments())
    a.hash()
    assert a == b
    assert hash(a) == hash(b)


def test_lists_are_frozen_into_tuples() -> None:
    commitments = CandidateCommitments(upward_messages=[b"a", b"b"])  # type: ignore[arg-type]
    assert commitments.upward_messages == (b"a", b"b")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("para_id", -1, r"CandidateDescriptor\.para_id = -1: must be an int in 0\.\.2\*\*32-1"),
        ("para_id", 2**32, r"para_id"),
        ("relay_parent", b"\x01" * 31, r"CandidateDescriptor\.relay_parent = .*must be 32 bytes"),
        ("signature", b"\x00" * 32, r"signature .*must be 64 bytes"),
        ("collator", "00" * 32, r"collator .*must be 32 bytes"),
    ],
)
def test_a_bad_field_names_the_record_the_field_and_the_value(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(InvalidRecord, match=message):
        descriptor(**{field: value})


def test_records_are_frozen() -> None:
    d = descriptor()
    with pytest.raises(AttributeError):
        d.para_id = 5  # type: ignore[misc]


def test_reprs_are_short_and_readable() -> None:
    assert repr(descriptor()).startswith("CandidateDescriptor(para_id=1000, relay_parent=0x0101")
    assert repr(PoV(b"x" * 1000)) == "PoV(block_data=<1000 bytes>)"


# -- refused records name record, field, value and reason; hashes are cached (issue 13) -------

U32_REASON = "must be an int in 0..2**32-1"
ROOT = b"\x0a" * 32


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: PersistedValidationData("head", 1, ROOT, 5),  # type: ignore[arg-type]
            ("PersistedValidationData", "parent_head", "head", "must be bytes"),
        ),
        (
            lambda: PersistedValidationData(b"head", -1, ROOT, 5),
            ("PersistedValidationData", "relay_parent_number", -1, U32_REASON),
        ),
        (
            lambda: PersistedValidationData(b"head", 1, ROOT[:31], 5),
            ("PersistedValidationData", "relay_parent_storage_root", ROOT[:31], "must be 32 bytes"),
        ),
        (
            lambda: PersistedValidationData(b"head", 1, ROOT, 1 << 32),
            ("PersistedValidationData", "max_pov_size", 1 << 32, U32_REASON),
        ),
        (
            lambda: PoV(bytearray(b"block")),  # type: ignore[arg-type]
            ("PoV", "block_data", bytearray(b"block"), "must be bytes"),
        ),
        (
            lambda: CandidateReceipt("descriptor", ROOT),  # type: ignore[arg-type]
            ("CandidateReceipt", "descriptor", "descriptor", "must be a CandidateDescriptor"),
        ),
        (
            lambda: CandidateReceipt(descriptor(), ROOT + b"\x00"),
            ("CandidateReceipt", "commitments_hash", ROOT + b"\x00", "must be 32 bytes"),
        ),
        (
            lambda: OutboundHrmpMessage(1 << 32, b"h"),
            ("OutboundHrmpMessage", "recipient", 1 << 32, U32_REASON),
        ),
        (
            lambda: OutboundHrmpMessage(2000, "h"),  # type: ignore[arg-type]
            ("OutboundHrmpMessage", "data", "h", "must be bytes"),
        ),
    ],
)
def test_a_refused_candidate_record_names_its_record_field_value_and_reason(
    build: object, expected: tuple[str, str, object, str]
) -> None:
    assert refusal(build) == expected  # type: ignore[arg-type]


def test_each_candidate_hash_is_computed_once_and_kept() -> None:
    # The records cache their hash (the `_hash` slot): the same bytes object comes back.
    commitments = CandidateCommitments(head_data=b"head")
    receipt = CandidateReceipt(descriptor(), commitments.hash())
    committed = CommittedCandidateReceipt(descriptor(), commitments)
    for record in (commitments, receipt, committed):
        first = record.hash()
        assert record.hash() is first
    assert committed.hash() == receipt.hash() == blake2_256(receipt.scale())


def test_a_descriptor_repr_shows_the_first_eight_bytes_of_each_hash() -> None:
    d = descriptor(relay_parent=bytes(range(32)), collator=bytes(range(32, 64)))
    assert repr(d) == (
        "CandidateDescriptor(para_id=1000, relay_parent=0x0001020304050607..,"
        " collator=0x2021222324252627.., pov_hash=0x0404040404040404..)"
    )


def _committed() -> CommittedCandidateReceipt:
    return CommittedCandidateReceipt(descriptor(), CandidateCommitments())


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: BackedCandidate("receipt", (), BitVec()),  # type: ignore[arg-type]
            ("candidate", "receipt", "must be a CommittedCandidateReceipt"),
        ),
        (
            lambda: BackedCandidate(_committed(), "votes", BitVec()),  # type: ignore[arg-type]
            ("validity_votes", "votes", "must be a tuple"),
        ),
        (
            lambda: BackedCandidate(_committed(), (ROOT,), BitVec()),  # type: ignore[arg-type]
            ("validity_votes[0]", ROOT, "must be a Implicit or Explicit"),
        ),
        (
            lambda: BackedCandidate(_committed(), (Explicit(b"\x06" * 64),), "1"),  # type: ignore[arg-type]
            ("validator_indices", "1", "must be a BitVec"),
        ),
    ],
)
def test_a_refused_backed_candidate_names_the_field_the_value_and_the_reason(
    build: object, expected: tuple[str, object, str]
) -> None:
    assert refusal(build) == ("BackedCandidate", *expected)  # type: ignore[arg-type]


def test_two_votes_followed_by_an_empty_bitfield_fill_their_input_exactly() -> None:
    # A vote takes 65 bytes and the indices at least 1: the early length check must let the
    # smallest backed candidate with votes through.
    votes = (Explicit(b"\x06" * 64), Explicit(b"\x07" * 64))
    backed = BackedCandidate(_committed(), votes, BitVec())
    assert decode(BackedCandidate, encode(backed)) == backed


def test_more_votes_than_the_input_holds_are_refused_at_their_length_prefix() -> None:
    head = encode(_committed())
    assert decode_failure(BackedCandidate, head + b"\x04" + b"\x00" * 64) == (
        "BackedCandidate",
        len(head),
        "length 1 exceeds the 64 bytes left",
    )


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: descriptor(erasure_root=ROOT[:31]),
            ("CandidateDescriptor", "erasure_root", ROOT[:31], "must be 32 bytes"),
        ),
        (
            lambda: descriptor(signature=b"\x06" * 63),
            ("CandidateDescriptor", "signature", b"\x06" * 63, "must be 64 bytes"),
        ),
        (
            lambda: CandidateCommitments(new_validation_code="code"),  # type: ignore[arg-type]
            ("CandidateCommitments", "new_validation_code", "code", "must be bytes"),
        ),
        (
            lambda: CandidateCommitments(head_data="head"),  # type: ignore[arg-type]
            ("CandidateCommitments", "head_data", "head", "must be bytes"),
        ),
        (
            lambda: descriptor(para_head=None),
            ("CandidateDescriptor", "para_head", None, "must be 32 bytes"),
        ),
        (
            lambda: CandidateCommitments(processed_downward_messages=-1),
            ("CandidateCommitments", "processed_downward_messages", -1, U32_REASON),
        ),
    ],
)
def test_a_refused_descriptor_or_commitments_field_is_named_with_its_value_and_reason(
    build: object, expected: tuple[str, str, object, str]
) -> None:
    assert refusal(build) == expected  # type: ignore[arg-type]


_HASH_FIELDS = (
    "relay_parent",
    "collator",
    "persisted_validation_data_hash",
    "pov_hash",
    "erasure_root",
    "para_head",
    "validation_code_hash",
)


@pytest.mark.parametrize(
    ("record", "field", "reason"),
    [
        ("CandidateDescriptor", "para_id", "must be an int in 0..2**32-1"),
        *(("CandidateDescriptor", name, "must be 32 bytes") for name in _HASH_FIELDS),
        ("CandidateDescriptor", "signature", "must be 64 bytes"),
        ("CandidateCommitments", "upward_messages", "must be a tuple"),
        ("CandidateCommitments", "horizontal_messages", "must be a tuple"),
        ("CandidateCommitments", "new_validation_code", "must be bytes"),
        ("CandidateCommitments", "head_data", "must be bytes"),
        ("CandidateCommitments", "processed_downward_messages", "must be an int in 0..2**32-1"),
        ("CandidateCommitments", "hrmp_watermark", "must be an int in 0..2**32-1"),
        ("CommittedCandidateReceipt", "descriptor", "must be a CandidateDescriptor"),
        ("CommittedCandidateReceipt", "commitments", "must be a CandidateCommitments"),
    ],
)
def test_every_field_of_the_candidate_records_is_refused_by_name(
    record: str, field: str, reason: str
) -> None:
    # Every field, one at a time, given a value of the wrong kind: the refusal names the record,
    # that field, the value and why (the contract of a refused record, asserted whole).
    valid = {
        "CandidateDescriptor": descriptor(),
        "CandidateCommitments": CandidateCommitments(),
        "CommittedCandidateReceipt": _committed(),
    }[record]
    assert refusal(lambda: dataclasses.replace(valid, **{field: "x"})) == (
        record,
        field,
        "x",
        reason,
    )


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        # Two HRMP messages take at least 5 bytes each (a u32 recipient and an empty body):
        # with 10 bytes left the length passes and the error comes after both messages...
        (10, ("CandidateCommitments", 12, "need 1 byte, 0 left")),
        # ...with 9 it is refused up front, at the length itself.
        (9, ("CandidateCommitments", 1, "length 2 exceeds the 9 bytes left")),
    ],
)
def test_an_hrmp_vector_is_refused_up_front_only_when_its_smallest_messages_cannot_fit(
    left: int, expected: tuple[str, int, str]
) -> None:
    assert decode_failure(CandidateCommitments, b"\x00\x08" + bytes(left)) == expected
