from __future__ import annotations

import pytest
from pyrsistent import pmap

from backable.core import (
    Active,
    ApprovalChecking,
    ApprovalCheckingMultipleCandidates,
    BackingSeconded,
    BackingValid,
    BitVec,
    CandidateReceipt,
    CandidateVotes,
    ConcludedAgainst,
    ConcludedFor,
    Confirmed,
    DecodeError,
    DisputeState,
    DisputeStatement,
    DisputeStatementSet,
    DisputeStatus,
    InvalidExplicit,
    InvalidRecord,
    ValidExplicit,
    decode,
    encode,
)
from tests.builders import descriptor as _descriptor

H = b"\x42" * 32
SIG = b"\x99" * 64


@pytest.mark.parametrize(
    ("statement", "encoded"),
    [
        (ValidExplicit(), b"\x00\x00"),
        (BackingSeconded(H), b"\x00\x01" + H),
        (BackingValid(H), b"\x00\x02" + H),
        (ApprovalChecking(), b"\x00\x03"),
        (ApprovalCheckingMultipleCandidates((H, H)), b"\x00\x04\x08" + H + H),
        (InvalidExplicit(), b"\x01\x00"),
    ],
)
def test_dispute_statements_nest_the_kind_inside_valid_or_invalid(
    statement: object, encoded: bytes
) -> None:
    assert encode(statement) == encoded
    assert decode(DisputeStatement, encoded) == statement


def test_a_statement_set_lists_statement_index_signature_triples() -> None:
    s = DisputeStatementSet(H, 9, ((ValidExplicit(), 3, SIG), (InvalidExplicit(), 4, SIG)))
    raw = encode(s)
    assert (
        raw
        == H
        + b"\x09\x00\x00\x00"
        + b"\x08"
        + b"\x00\x00\x03\x00\x00\x00"
        + SIG
        + b"\x01\x00\x04\x00\x00\x00"
        + SIG
    )
    assert decode(DisputeStatementSet, raw) == s


def test_a_malformed_vote_triple_is_refused_with_its_position() -> None:
    with pytest.raises(InvalidRecord, match=r"statements\[0\]"):
        DisputeStatementSet(H, 0, ((ValidExplicit(), -1, SIG),))


def test_dispute_state_needs_equal_length_vectors() -> None:
    with pytest.raises(InvalidRecord, match="validators_against"):
        DisputeState(BitVec.zeros(3), BitVec.zeros(4), 1)
    state = DisputeState(BitVec.from_str("110"), BitVec.from_str("001"), 5, 9)
    assert decode(DisputeState, encode(state)) == state


@pytest.mark.parametrize(
    ("status", "confirmed_concluded", "at"),
    [
        (Active(), False, None),
        (Confirmed(), True, None),
        (ConcludedFor(7), True, 7),
        (ConcludedAgainst(8), True, 8),
    ],
)
def test_dispute_status_reports_confirmation_and_conclusion(
    status: object, confirmed_concluded: bool, at: int | None
) -> None:
    assert status.is_confirmed_concluded() is confirmed_concluded  # type: ignore[attr-defined]
    assert status.concluded_at() == at  # type: ignore[attr-defined]
    assert decode(DisputeStatus, encode(status)) == status


def test_candidate_votes_encode_as_btree_maps_in_key_order() -> None:
    receipt = CandidateReceipt(_descriptor(), H)
    votes = CandidateVotes(receipt, {5: (BackingValid(H), SIG), 2: (ValidExplicit(), SIG)}, {})  # type: ignore[arg-type]
    assert isinstance(votes.valid, type(pmap()))
    raw = encode(votes)
    assert (
        raw
        == encode(receipt)
        + b"\x08"
        + b"\x02\x00\x00\x00\x00"
        + SIG
        + b"\x05\x00\x00\x00\x02"
        + H
        + SIG
        + b"\x00"
    )
    assert decode(CandidateVotes, raw) == votes


def test_candidate_votes_with_unsorted_keys_do_not_decode() -> None:
    receipt = CandidateReceipt(_descriptor(), H)
    raw = (
        encode(receipt)
        + b"\x08"
        + b"\x05\x00\x00\x00\x00"
        + SIG
        + b"\x02\x00\x00\x00\x00"
        + SIG
        + b"\x00"
    )
    with pytest.raises(DecodeError, match="not strictly ascending"):
        decode(CandidateVotes, raw)


def test_candidate_votes_refuse_an_invalid_kind_among_valid_votes() -> None:
    receipt = CandidateReceipt(_descriptor(), H)
    with pytest.raises(InvalidRecord, match=r"valid\[1\]"):
        CandidateVotes(receipt, pmap({1: (InvalidExplicit(), SIG)}), pmap())  # type: ignore[arg-type]
