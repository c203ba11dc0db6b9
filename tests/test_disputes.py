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
from tests.builders import decode_failure, refusal
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


# -- refused records name the record, the field, the value and the reason (issue 13) ----------

U32_REASON = "must be an int in 0..2**32-1"
U64_REASON = "must be an int in 0..2**64-1"
VOTE_REASON = "must be (kind, 64-byte signature)"


def _receipt() -> CandidateReceipt:
    return CandidateReceipt(_descriptor(), H)


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: DisputeState("110", BitVec.zeros(3), 1),  # type: ignore[arg-type]
            ("DisputeState", "validators_for", "110", "must be a BitVec"),
        ),
        (
            lambda: DisputeState(BitVec.zeros(3), "001", 1),  # type: ignore[arg-type]
            ("DisputeState", "validators_against", "001", "must be a BitVec"),
        ),
        (
            lambda: DisputeState(BitVec.zeros(3), BitVec.zeros(4), 1),
            (
                "DisputeState",
                "validators_against",
                BitVec.zeros(4),
                "must have as many bits as validators_for (3)",
            ),
        ),
        (
            lambda: DisputeState(BitVec.zeros(3), BitVec.zeros(3), -1),
            ("DisputeState", "start", -1, U32_REASON),
        ),
        (
            lambda: DisputeState(BitVec.zeros(3), BitVec.zeros(3), 1, 1 << 32),
            ("DisputeState", "concluded_at", 1 << 32, U32_REASON),
        ),
        (lambda: ConcludedFor(-1), ("ConcludedFor", "at", -1, U64_REASON)),
        (lambda: ConcludedFor(1 << 64), ("ConcludedFor", "at", 1 << 64, U64_REASON)),
        (lambda: ConcludedAgainst(-1), ("ConcludedAgainst", "at", -1, U64_REASON)),
        (lambda: ConcludedAgainst(1 << 64), ("ConcludedAgainst", "at", 1 << 64, U64_REASON)),
        (lambda: ConcludedFor("7"), ("ConcludedFor", "at", "7", U64_REASON)),  # type: ignore[arg-type]
    ],
)
def test_a_refused_dispute_record_names_its_record_field_value_and_reason(
    build: object, expected: tuple[str, str, object, str]
) -> None:
    assert refusal(build) == expected  # type: ignore[arg-type]


def test_a_conclusion_time_may_use_the_whole_u64_range() -> None:
    assert ConcludedFor((1 << 64) - 1).at == (1 << 64) - 1
    assert ConcludedAgainst(0).at == 0


@pytest.mark.parametrize(
    ("valid", "invalid", "expected"),
    [
        (
            [(1, (ValidExplicit(), SIG))],
            {},
            ("valid", [(1, (ValidExplicit(), SIG))], "must be a mapping"),
        ),
        ({}, (), ("invalid", (), "must be a mapping")),
        ({1 << 32: (ValidExplicit(), SIG)}, {}, ("valid", 1 << 32, "keys must be u32 indices")),
        ({-1: (ValidExplicit(), SIG)}, {}, ("valid", -1, "keys must be u32 indices")),
        ({}, {"1": (InvalidExplicit(), SIG)}, ("invalid", "1", "keys must be u32 indices")),
        (
            {1: (ValidExplicit(), b"short")},
            {},
            ("valid[1]", (ValidExplicit(), b"short"), VOTE_REASON),
        ),
        (
            {1: (ValidExplicit(), SIG, 0)},
            {},
            ("valid[1]", (ValidExplicit(), SIG, 0), VOTE_REASON),
        ),
        ({1: [ValidExplicit(), SIG]}, {}, ("valid[1]", [ValidExplicit(), SIG], VOTE_REASON)),
        ({}, {2: (ValidExplicit(), SIG)}, ("invalid[2]", (ValidExplicit(), SIG), VOTE_REASON)),
    ],
)
def test_candidate_votes_refuse_a_bad_vote_map_naming_the_map_or_the_vote(
    valid: object, invalid: object, expected: tuple[str, object, str]
) -> None:
    assert refusal(lambda: CandidateVotes(_receipt(), valid, invalid)) == (  # type: ignore[arg-type]
        "CandidateVotes",
        *expected,
    )


def test_candidate_votes_need_a_candidate_receipt() -> None:
    assert refusal(lambda: CandidateVotes("receipt", {}, {})) == (  # type: ignore[arg-type]
        "CandidateVotes",
        "candidate_receipt",
        "receipt",
        "must be a CandidateReceipt",
    )


def test_candidate_votes_keep_the_persistent_maps_they_are_given_without_copying() -> None:
    valid = pmap({(1 << 32) - 1: (ValidExplicit(), SIG)})
    invalid = pmap({0: (InvalidExplicit(), SIG)})
    votes = CandidateVotes(_receipt(), valid, invalid)
    assert votes.valid is valid
    assert votes.invalid is invalid


def _vote(index: int, kind: bytes = b"\x00") -> bytes:
    return index.to_bytes(4, "little") + kind + SIG


@pytest.mark.parametrize(
    ("record_type", "data", "expected"),
    [
        (DisputeStatement, b"\x02\x00", (0, "unknown DisputeStatement variant index 2")),
        (DisputeStatus, b"\x04", (0, "unknown DisputeStatus variant index 4")),
        (
            DisputeState,
            b"\x0c\x00\x10\x00" + b"\x01\x00\x00\x00\x00",
            (0, "validators_for and validators_against differ in length"),
        ),
        (
            # two votes announced, the bytes of one (70) left: refused at the length prefix
            DisputeStatementSet,
            H + b"\x09\x00\x00\x00" + b"\x08" + b"\x00\x00" + _vote(3)[:4] + SIG,
            (36, "length 2 exceeds the 70 bytes left"),
        ),
    ],
)
def test_undecodable_dispute_bytes_name_the_type_offset_and_reason(
    record_type: object, data: bytes, expected: tuple[int, str]
) -> None:
    assert decode_failure(record_type, data) == (record_type.__name__, *expected)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("maps", "at", "reason"),
    [
        # a repeated key is no BTreeMap either: refused at the second key
        (
            b"\x08" + _vote(2) + _vote(2) + b"\x00",
            1 + 69,
            "vote map keys not strictly ascending (2 after 2)",
        ),
        # two valid votes announced, one vote and the empty invalid map left (70 bytes)
        (b"\x08" + _vote(2) + b"\x00", 0, "length 2 exceeds the 70 bytes left"),
        # the invalid map's kind has one variant, Explicit = 0
        (
            b"\x00" + b"\x04" + _vote(3, b"\x01"),
            1 + 1 + 4,
            "unknown InvalidDisputeStatementKind variant index 1",
        ),
    ],
)
def test_undecodable_candidate_votes_name_the_offset_and_reason(
    maps: bytes, at: int, reason: str
) -> None:
    receipt = encode(_receipt())
    assert decode_failure(CandidateVotes, receipt + maps) == (
        "CandidateVotes",
        len(receipt) + at,
        reason,
    )


VOTE_TRIPLE_REASON = "must be (dispute statement, u32 validator index, 64-byte signature)"


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: DisputeStatementSet(H[:31], 1, ()),
            ("candidate_hash", H[:31], "must be 32 bytes"),
        ),
        (lambda: DisputeStatementSet(H, -1, ()), ("session", -1, U32_REASON)),
        (lambda: DisputeStatementSet(H, 1, "x"), ("statements", "x", "must be a tuple")),  # type: ignore[arg-type]
        (
            lambda: DisputeStatementSet(H, 1, (["vote"],)),  # type: ignore[arg-type]
            ("statements[0]", ["vote"], "must be a tuple"),
        ),
        (
            lambda: DisputeStatementSet(H, 1, ((ValidExplicit(), 1, b"short"),)),
            ("statements[0]", (ValidExplicit(), 1, b"short"), VOTE_TRIPLE_REASON),
        ),
        (
            lambda: DisputeStatementSet(
                H, 1, ((ValidExplicit(), 2, SIG), (ValidExplicit(), "1", SIG))
            ),  # type: ignore[arg-type]
            ("statements[1]", (ValidExplicit(), "1", SIG), VOTE_TRIPLE_REASON),
        ),
        (
            lambda: DisputeStatementSet(H, 1, ((ValidExplicit(), 1, SIG, 0),)),  # type: ignore[arg-type]
            ("statements[0]", (ValidExplicit(), 1, SIG, 0), VOTE_TRIPLE_REASON),
        ),
        (
            lambda: DisputeStatementSet(H, 1, ((ValidExplicit(), 1 << 32, SIG),)),
            ("statements[0]", (ValidExplicit(), 1 << 32, SIG), VOTE_TRIPLE_REASON),
        ),
    ],
)
def test_a_refused_statement_set_names_the_field_or_the_vote_and_why(
    build: object, expected: tuple[str, object, str]
) -> None:
    assert refusal(build) == ("DisputeStatementSet", *expected)  # type: ignore[arg-type]


def test_the_highest_u32_validator_index_is_a_valid_vote_index() -> None:
    vote = (InvalidExplicit(), (1 << 32) - 1, SIG)
    assert DisputeStatementSet(H, 1, (vote,)).statements == (vote,)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x00\x05", (1, "unknown ValidDisputeStatementKind variant index 5")),
        # two candidate hashes announced, one left: refused at the length prefix
        (b"\x00\x04\x08" + H, (2, "length 2 exceeds the 32 bytes left")),
    ],
)
def test_an_undecodable_valid_kind_names_the_offset_and_reason(
    data: bytes, expected: tuple[int, str]
) -> None:
    assert decode_failure(DisputeStatement, data) == ("DisputeStatement", *expected)


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: BackingSeconded(b"\x01" * 31),
            ("BackingSeconded", "relay_parent", b"\x01" * 31, "must be 32 bytes"),
        ),
        (
            lambda: BackingValid("parent"),  # type: ignore[arg-type]
            ("BackingValid", "relay_parent", "parent", "must be 32 bytes"),
        ),
        (
            lambda: ApprovalCheckingMultipleCandidates("hashes"),  # type: ignore[arg-type]
            ("ApprovalCheckingMultipleCandidates", "candidate_hashes", "hashes", "must be a tuple"),
        ),
        (
            lambda: ApprovalCheckingMultipleCandidates((H, H[:31])),
            (
                "ApprovalCheckingMultipleCandidates",
                "candidate_hashes[1]",
                H[:31],
                "must be 32 bytes",
            ),
        ),
    ],
)
def test_a_refused_valid_kind_names_its_record_field_value_and_reason(
    build: object, expected: tuple[str, str, object, str]
) -> None:
    assert refusal(build) == expected  # type: ignore[arg-type]


def test_a_multiple_candidates_approval_given_a_list_keeps_the_hashes_as_a_tuple() -> None:
    kind = ApprovalCheckingMultipleCandidates([H, b"\x43" * 32])  # type: ignore[arg-type]
    assert kind.candidate_hashes == (H, b"\x43" * 32)
