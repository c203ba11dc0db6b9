# UMP signals (core/today/ump_signals.py): the two signals' SCALE forms, every outcome of
# `ump_signals` (each error kind it returns, in Rust's order of checks), the XCM messages before
# the separator, building signals into commitments, and the error record's own rules.
from __future__ import annotations

from collections.abc import Callable

import pytest

from backable.core import (
    UMP_SEPARATOR,
    ApprovedPeer,
    CandidateCommitments,
    CandidateReceiptError,
    DecodeError,
    SelectCore,
    UMPSignal,
    UmpSignalError,
    UmpSignals,
    commitments_with_signals,
    decode,
    encode,
    ump_signals,
    xcm_messages,
)
from tests.builders import refusal

XCM = (b"\x00" * 256, b"\xff" * 256)
CORE = SelectCore(core_selector=0, claim_queue_offset=1)
PEER = ApprovedPeer(b"\x01\x02\x03")


def with_messages(*messages: bytes) -> CandidateCommitments:
    return CandidateCommitments(upward_messages=messages, head_data=b"head")


def error_kind(result: UmpSignals | CandidateReceiptError) -> UmpSignalError:
    assert isinstance(result, CandidateReceiptError), result
    return result.kind


# -- wire forms --------------------------------------------------------------------------------


def test_select_core_is_index_zero_then_the_selector_and_the_offset() -> None:
    assert encode(SelectCore(1, 2)) == b"\x00\x01\x02"
    assert encode(SelectCore(255, 0), UMPSignal) == b"\x00\xff\x00"
    assert UMPSignal.write(SelectCore(1, 2)) == b"\x00\x01\x02"
    assert decode(UMPSignal, b"\x00\x01\x02") == SelectCore(1, 2)
    assert decode(SelectCore, b"\x00\x01\x02") == SelectCore(1, 2)


def test_approved_peer_is_index_one_then_a_byte_vector() -> None:
    assert encode(PEER) == b"\x01\x0c\x01\x02\x03"
    assert decode(UMPSignal, b"\x01\x0c\x01\x02\x03") == PEER
    assert decode(ApprovedPeer, encode(ApprovedPeer(b""))) == ApprovedPeer(b"")
    longest = ApprovedPeer(b"\x07" * 64)
    assert encode(longest) == b"\x01\x01\x01" + b"\x07" * 64  # compact 64 takes two bytes
    assert decode(ApprovedPeer, encode(longest)) == longest


def test_a_variant_decodes_only_as_itself() -> None:
    with pytest.raises(DecodeError, match="hold a SelectCore, not a ApprovedPeer"):
        decode(ApprovedPeer, b"\x00\x01\x02")
    with pytest.raises(DecodeError, match="unknown UMPSignal variant index 2"):
        decode(UMPSignal, b"\x02")


def test_the_strict_decoder_refuses_trailing_bytes_and_long_peer_ids() -> None:
    with pytest.raises(DecodeError, match="1 trailing bytes"):
        decode(UMPSignal, b"\x00\x01\x02\x03")
    with pytest.raises(DecodeError, match="65 bytes exceeds 64") as info:
        decode(UMPSignal, b"\x01\x05\x01" + b"\x00" * 65)
    assert info.value.offset == 1


U8 = "must be an int in 0..255"


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: SelectCore(256, 0), ("SelectCore", "core_selector", 256, U8)),
        (lambda: SelectCore(-1, 0), ("SelectCore", "core_selector", -1, U8)),
        (lambda: SelectCore(0, -1), ("SelectCore", "claim_queue_offset", -1, U8)),
        (lambda: SelectCore(0, 256), ("SelectCore", "claim_queue_offset", 256, U8)),
        (lambda: SelectCore(0, True), ("SelectCore", "claim_queue_offset", True, U8)),
        (
            lambda: ApprovedPeer(b"\x00" * 65),
            ("ApprovedPeer", "peer_id", b"\x00" * 65, "must be at most 64 bytes"),
        ),
        (lambda: ApprovedPeer("peer"), ("ApprovedPeer", "peer_id", "peer", "must be bytes")),
    ],
)
def test_a_signal_field_out_of_range_is_the_callers_mistake(
    build: Callable[[], object], expected: tuple[str, str, object, str]
) -> None:
    assert refusal(build) == expected


# -- ump_signals: what parses ------------------------------------------------------------------


def test_no_separator_means_no_signals() -> None:
    assert ump_signals(with_messages(*XCM)) == UmpSignals()
    assert ump_signals(with_messages()) == UmpSignals()


def test_a_separator_with_nothing_after_it_means_no_signals() -> None:
    result = ump_signals(with_messages(*XCM, UMP_SEPARATOR))
    assert result == UmpSignals()
    assert isinstance(result, UmpSignals) and result.is_empty()


def test_a_select_core_signal_alone() -> None:
    assert ump_signals(with_messages(*XCM, UMP_SEPARATOR, encode(CORE))) == UmpSignals(
        select_core=CORE, signals=(CORE,)
    )


def test_an_approved_peer_signal_alone() -> None:
    assert ump_signals(with_messages(UMP_SEPARATOR, encode(PEER))) == UmpSignals(
        approved_peer=PEER, signals=(PEER,)
    )


def test_both_signals_in_either_order_keep_their_message_order() -> None:
    first = ump_signals(with_messages(*XCM, UMP_SEPARATOR, encode(PEER), encode(CORE)))
    assert first == UmpSignals(select_core=CORE, approved_peer=PEER, signals=(PEER, CORE))
    second = ump_signals(with_messages(*XCM, UMP_SEPARATOR, encode(CORE), encode(PEER)))
    assert second == UmpSignals(select_core=CORE, approved_peer=PEER, signals=(CORE, PEER))


def test_bytes_after_a_well_formed_signal_are_not_looked_at() -> None:
    # `UMPSignal::decode`, not `decode_all`: Rust reads the signal and ignores the rest.
    assert ump_signals(with_messages(UMP_SEPARATOR, b"\x00\x03\x01\xde\xad")) == UmpSignals(
        select_core=SelectCore(3, 1)
    )
    assert ump_signals(with_messages(UMP_SEPARATOR, encode(PEER) + b"\x00")) == UmpSignals(
        approved_peer=PEER
    )


def test_only_the_first_empty_message_is_the_separator() -> None:
    result = ump_signals(with_messages(UMP_SEPARATOR, encode(CORE), UMP_SEPARATOR))
    assert error_kind(result) is UmpSignalError.UmpSignalDecode


# -- ump_signals: each error -------------------------------------------------------------------


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x0c\x00\x0d\xc8",  # a SCALE Vec<u8> [0, 13, 200]: index 12 is no UMPSignal
        b"\x02",
        b"\x00\x01",  # SelectCore cut short
        b"\x01\x0c\x01\x02",  # a peer id shorter than its length
        b"\x01\x05\x01" + b"\x00" * 65,  # a peer id of 65 bytes
        b"\x01\x03",  # a non-canonical compact length
    ],
)
def test_a_message_after_the_separator_that_is_no_signal_is_a_decode_error(garbage: bytes) -> None:
    result = ump_signals(with_messages(UMP_SEPARATOR, encode(PEER), garbage))
    assert error_kind(result) is UmpSignalError.UmpSignalDecode
    assert isinstance(result, CandidateReceiptError)
    assert result.detail == f"signal 1 (0x{garbage.hex()}) is not a UMPSignal"


def test_two_signals_of_one_kind_are_a_duplicate() -> None:
    peers = with_messages(UMP_SEPARATOR, encode(PEER), encode(ApprovedPeer(b"\x04\x05")))
    assert ump_signals(peers) == CandidateReceiptError(
        UmpSignalError.DuplicateUMPSignal, "signal 1 is a second ApprovedPeer"
    )
    cores = with_messages(UMP_SEPARATOR, encode(CORE), encode(SelectCore(1, 1)))
    assert ump_signals(cores) == CandidateReceiptError(
        UmpSignalError.DuplicateUMPSignal, "signal 1 is a second SelectCore"
    )


def test_a_third_message_after_the_separator_is_too_many() -> None:
    result = ump_signals(with_messages(UMP_SEPARATOR, encode(PEER), encode(CORE), encode(PEER)))
    assert result == CandidateReceiptError(
        UmpSignalError.TooManyUMPSignals,
        "3 messages follow the separator; at most 2 signals are allowed",
    )
    trailing_separator = with_messages(
        UMP_SEPARATOR, encode(PEER), encode(CORE), UMP_SEPARATOR, UMP_SEPARATOR
    )
    assert ump_signals(trailing_separator) == CandidateReceiptError(
        UmpSignalError.TooManyUMPSignals,
        "4 messages follow the separator; at most 2 signals are allowed",
    )


def test_the_second_signal_is_judged_before_the_count() -> None:
    bad_second = with_messages(UMP_SEPARATOR, encode(PEER), b"\x09", encode(CORE))
    assert error_kind(ump_signals(bad_second)) is UmpSignalError.UmpSignalDecode
    duplicate_second = with_messages(UMP_SEPARATOR, encode(PEER), encode(PEER), encode(CORE))
    assert error_kind(ump_signals(duplicate_second)) is UmpSignalError.DuplicateUMPSignal


# -- the XCM messages --------------------------------------------------------------------------


def test_the_xcm_messages_are_those_before_the_separator() -> None:
    assert xcm_messages(with_messages(*XCM, UMP_SEPARATOR, encode(CORE))) == XCM
    assert xcm_messages(with_messages(*XCM)) == XCM
    assert xcm_messages(with_messages(UMP_SEPARATOR, encode(CORE))) == ()


# -- building signals into commitments ---------------------------------------------------------


def test_signals_are_appended_after_a_separator() -> None:
    built = commitments_with_signals(with_messages(*XCM), [PEER, CORE])
    assert built.upward_messages == (*XCM, b"", b"\x01\x0c\x01\x02\x03", b"\x00\x00\x01")
    assert built.head_data == b"head"
    assert ump_signals(built) == UmpSignals(CORE, PEER, (PEER, CORE))
    assert xcm_messages(built) == XCM


def test_no_signals_leave_the_commitments_as_they_are() -> None:
    original = with_messages(*XCM)
    assert commitments_with_signals(original, []) is original


@pytest.mark.parametrize(
    ("messages", "signals", "expected"),
    [
        (
            (*XCM, UMP_SEPARATOR),
            [CORE],
            (
                "CandidateCommitments",
                "upward_messages",
                (*XCM, UMP_SEPARATOR),
                "already hold a separator (an empty message)",
            ),
        ),
        (
            XCM,
            [CORE, SelectCore(1, 1)],
            ("UmpSignals", "signals[1]", SelectCore(1, 1), "a second signal of this kind"),
        ),
        (
            XCM,
            [CORE, PEER, CORE],
            ("UmpSignals", "signals", (CORE, PEER, CORE), "at most 2 signals are allowed"),
        ),
        (
            XCM,
            [CORE, b"\x00\x00\x00"],
            ("UmpSignals", "signals[1]", b"\x00\x00\x00", "must be a SelectCore or ApprovedPeer"),
        ),
    ],
)
def test_signals_that_could_not_parse_back_are_the_callers_mistake(
    messages: tuple[bytes, ...], signals: list[object], expected: tuple[str, str, object, str]
) -> None:
    commitments = with_messages(*messages)

    def build() -> object:
        return commitments_with_signals(commitments, signals)  # type: ignore[arg-type]

    assert refusal(build) == expected


# -- the records -------------------------------------------------------------------------------


def test_the_error_kinds_are_rusts_variants_in_rusts_order() -> None:
    assert [kind.name for kind in UmpSignalError] == [
        "InvalidCoreIndex",
        "CoreIndexMismatch",
        "InvalidSelectedCore",
        "UmpSignalDecode",
        "NoAssignment",
        "UnknownVersion",
        "TooManyUMPSignals",
        "DuplicateUMPSignal",
        "UMPSignalWithV1Decriptor",
        "NoUMPSignalWithV3Descriptor",
    ]
    assert all(kind.name == kind.value for kind in UmpSignalError)


def test_a_core_mismatch_carries_both_cores_and_an_unknown_version_its_byte() -> None:
    mismatch = CandidateReceiptError(
        UmpSignalError.CoreIndexMismatch, "x", descriptor_core=1, commitments_core=0
    )
    assert (mismatch.descriptor_core, mismatch.commitments_core) == (1, 0)
    unknown = CandidateReceiptError(UmpSignalError.UnknownVersion, "x", unknown_version=0)
    assert unknown.unknown_version == 0


MISMATCH = UmpSignalError.CoreIndexMismatch
BOTH = "CoreIndexMismatch carries both the descriptor's and the commitments' core"
U32 = "must be an int in 0..2**32-1"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"kind": "NoAssignment"}, ("kind", "NoAssignment", "must be a UmpSignalError")),
        ({"detail": 5}, ("detail", 5, "must be a str")),
        ({"descriptor_core": -1}, ("descriptor_core", -1, U32)),
        ({"descriptor_core": 2**32}, ("descriptor_core", 2**32, U32)),
        ({"commitments_core": 2**32}, ("commitments_core", 2**32, U32)),
        ({"unknown_version": 256}, ("unknown_version", 256, U8)),
        ({"kind": MISMATCH, "descriptor_core": 1}, ("commitments_core", None, BOTH)),
        ({"kind": MISMATCH, "commitments_core": 0}, ("commitments_core", 0, BOTH)),
        (
            {"kind": UmpSignalError.UnknownVersion},
            ("unknown_version", None, "UnknownVersion carries the internal version byte"),
        ),
    ],
)
def test_a_receipt_error_refuses_fields_its_kind_cannot_carry(
    fields: dict[str, object], expected: tuple[str, object, str]
) -> None:
    args = {"kind": UmpSignalError.NoAssignment, "detail": "x", **fields}
    assert refusal(lambda: CandidateReceiptError(**args)) == (  # type: ignore[arg-type]
        "CandidateReceiptError",
        *expected,
    )


def test_signals_built_from_the_two_fields_put_select_core_first() -> None:
    assert UmpSignals(select_core=CORE, approved_peer=PEER).signals == (CORE, PEER)
    assert UmpSignals().signals == ()
    assert UmpSignals.from_signals([PEER]) == UmpSignals(approved_peer=PEER)


@pytest.mark.parametrize(
    ("select_core", "approved_peer", "signals"),
    [
        (CORE, None, (PEER,)),
        (None, None, (CORE,)),
        (CORE, PEER, (CORE,)),
        (CORE, None, (CORE, CORE)),
    ],
)
def test_signals_that_disagree_with_the_two_fields_are_refused(
    select_core: SelectCore | None,
    approved_peer: ApprovedPeer | None,
    signals: tuple[SelectCore | ApprovedPeer, ...],
) -> None:
    assert refusal(lambda: UmpSignals(select_core, approved_peer, signals)) == (
        "UmpSignals",
        "signals",
        signals,
        "must hold exactly the select_core and approved_peer given, once each",
    )


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: UmpSignals(select_core=PEER), ("select_core", PEER, "must be a SelectCore")),
        (
            lambda: UmpSignals(approved_peer=CORE),
            ("approved_peer", CORE, "must be a ApprovedPeer"),
        ),
        (
            lambda: UmpSignals(signals=(CORE, b"\x00")),
            ("signals[1]", b"\x00", "must be a SelectCore or ApprovedPeer"),
        ),
        (
            lambda: UmpSignals.from_signals([PEER, PEER]),
            ("signals[1]", PEER, "a second signal of this kind"),
        ),
    ],
)
def test_the_fields_hold_signals_of_their_own_kind(
    build: Callable[[], object], expected: tuple[str, object, str]
) -> None:
    assert refusal(build) == ("UmpSignals", *expected)
