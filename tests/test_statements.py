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
