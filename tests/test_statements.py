from __future__ import annotations

import pytest

from backable.core import (
    BitVec,
    CandidateCommitments,
    CommittedCandidateReceipt,
    DecodeError,
    Explicit,
    Implicit,
    Invalid,
    InvalidRecord,
    Seconded,
    SignedAvailabilityBitfield,
    SignedStatement,
    SigningContext,
    Statement,
    Valid,
    ValidityAttestation,
    decode,
    encode,
)
from backable.core.records.scale import Reader
from tests.builders import decode_failure, refusal
from tests.builders import descriptor as _descriptor

H = b"\x42" * 32
SIG = b"\x99" * 64


def test_the_signing_context_encodes_session_index_first() -> None:
    ctx = SigningContext(session_index=1, parent_hash=H)
    assert encode(ctx) == b"\x01\x00\x00\x00" + H


def test_statements_are_tagged_1_2_3() -> None:
    candidate = CommittedCandidateReceipt(_descriptor(), CandidateCommitments())
    assert encode(Seconded(candidate)) == b"\x01" + encode(candidate)
    assert encode(Valid(H)) == b"\x02" + H
    assert encode(Invalid(H)) == b"\x03" + H
    for s in (Seconded(candidate), Valid(H), Invalid(H)):
        assert decode(Statement, encode(s)) == s


def test_every_statement_has_a_candidate_hash() -> None:
    candidate = CommittedCandidateReceipt(_descriptor(), CandidateCommitments())
    assert Seconded(candidate).candidate_hash == candidate.hash()
    assert Valid(H).candidate_hash == H
    assert Invalid(H).candidate_hash == H


def test_a_signed_statement_is_payload_then_index_then_signature() -> None:
    signed = SignedStatement(Valid(H), 5, SIG)
    assert encode(signed) == b"\x02" + H + b"\x05\x00\x00\x00" + SIG
    assert decode(SignedStatement, encode(signed)) == signed
    assert signed.candidate_hash == H


def test_an_unknown_statement_index_is_refused() -> None:
    with pytest.raises(DecodeError, match="unknown Statement variant index 4"):
        decode(Statement, b"\x04" + H)


def test_attestations_use_indices_1_and_2() -> None:
    assert encode(Implicit(SIG)) == b"\x01" + SIG
    assert encode(Explicit(SIG)) == b"\x02" + SIG
    assert decode(ValidityAttestation, b"\x02" + SIG) == Explicit(SIG)
    with pytest.raises(DecodeError, match="variant index 0"):
        decode(ValidityAttestation, b"\x00" + SIG)


def test_decoding_a_variant_class_checks_the_variant() -> None:
    assert decode(Explicit, b"\x02" + SIG) == Explicit(SIG)
    with pytest.raises(DecodeError, match="the bytes hold a Implicit, not a Explicit"):
        decode(Explicit, b"\x01" + SIG)


def test_a_signed_bitfield_encodes_like_unchecked_signed() -> None:
    bitfield = SignedAvailabilityBitfield(BitVec.from_str("101"), 2, SIG)
    assert encode(bitfield) == b"\x0c\x05" + b"\x02\x00\x00\x00" + SIG


def test_a_statement_needs_a_statement_and_a_64_byte_signature() -> None:
    with pytest.raises(InvalidRecord, match=r"SignedStatement\.statement"):
        SignedStatement(H, 0, SIG)  # type: ignore[arg-type]
    with pytest.raises(InvalidRecord, match=r"SignedStatement\.signature"):
        SignedStatement(Valid(H), 0, SIG[:63])
    with pytest.raises(InvalidRecord, match=r"SignedStatement\.validator_index"):
        SignedStatement(Valid(H), 2**32, SIG)


# -- refusals, the variants' readers and reprs (issue 13) -------------------------------------


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: SigningContext(-1, H),
            ("SigningContext", "session_index", -1, "must be an int in 0..2**32-1"),
        ),
        (
            lambda: SigningContext(1, H[:31]),
            ("SigningContext", "parent_hash", H[:31], "must be 32 bytes"),
        ),
        (
            lambda: Seconded(H),  # type: ignore[arg-type]
            ("Seconded", "candidate", H, "must be a CommittedCandidateReceipt"),
        ),
        (lambda: Valid(H + H), ("Valid", "candidate_hash", H + H, "must be 32 bytes")),
        (lambda: Invalid(H[:1]), ("Invalid", "candidate_hash", H[:1], "must be 32 bytes")),
    ],
)
def test_a_refused_statement_record_names_its_record_field_value_and_reason(
    build: object, expected: tuple[str, str, object, str]
) -> None:
    assert refusal(build) == expected  # type: ignore[arg-type]


def test_each_statement_or_attestation_class_reads_its_tagged_enum_from_a_reader() -> None:
    seconded = Seconded(CommittedCandidateReceipt(_descriptor(), CandidateCommitments()))
    for cls in (Seconded, Valid, Invalid):
        assert cls.read(Reader(b"\x02" + H)) == Valid(H)
        assert cls.read(Reader(b"\x03" + H)) == Invalid(H)
        assert cls.read(Reader(encode(seconded, Statement))) == seconded
    for cls in (Implicit, Explicit):
        assert cls.read(Reader(b"\x01" + SIG)) == Implicit(SIG)
        assert cls.read(Reader(b"\x02" + SIG)) == Explicit(SIG)


def test_signed_reprs_show_the_kind_and_the_first_eight_bytes_of_hash_and_signature() -> None:
    signature = bytes(range(64))
    assert repr(SignedStatement(Valid(bytes(range(32))), 7, signature)) == (
        "SignedStatement(Valid(0x0001020304050607..), validator_index=7,"
        " signature=0x0001020304050607..)"
    )
    assert repr(SignedAvailabilityBitfield(BitVec.from_str("101"), 3, signature)) == (
        "SignedAvailabilityBitfield(payload=BitVec('101'), validator_index=3,"
        " signature=0x0001020304050607..)"
    )


@pytest.mark.parametrize("tag", [0, 3])
def test_an_unknown_attestation_index_names_the_type_the_offset_and_the_index(tag: int) -> None:
    assert decode_failure(ValidityAttestation, bytes((tag,)) + SIG) == (
        "ValidityAttestation",
        0,
        f"unknown ValidityAttestation variant index {tag}",
    )


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: Implicit(SIG[:63]), ("Implicit", "signature", SIG[:63], "must be 64 bytes")),
        (lambda: Explicit("sig"), ("Explicit", "signature", "sig", "must be 64 bytes")),  # type: ignore[arg-type]
        (
            lambda: SignedAvailabilityBitfield("101", 1, SIG),  # type: ignore[arg-type]
            ("SignedAvailabilityBitfield", "payload", "101", "must be a BitVec"),
        ),
        (
            lambda: SignedAvailabilityBitfield(BitVec(), 1 << 32, SIG),
            (
                "SignedAvailabilityBitfield",
                "validator_index",
                1 << 32,
                "must be an int in 0..2**32-1",
            ),
        ),
        (
            lambda: SignedAvailabilityBitfield(BitVec(), 1, SIG + b"\x00"),
            ("SignedAvailabilityBitfield", "signature", SIG + b"\x00", "must be 64 bytes"),
        ),
    ],
)
def test_a_refused_attestation_or_bitfield_names_its_record_field_value_and_reason(
    build: object, expected: tuple[str, str, object, str]
) -> None:
    assert refusal(build) == expected  # type: ignore[arg-type]
