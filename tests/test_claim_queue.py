# The claim queue and the committed core (core/today/claim_queue.py): the queue's record and
# SCALE form, its transpose, every outcome of `check_core_index` and `parse_ump_signals` (the
# scenarios of polkadot-sdk's primitives tests, re-expressed here), `committed_core_index`, and
# the core index injected into a backed candidate's validator bits (E.1.5's worked example).
from __future__ import annotations

import pytest

from backable.core import (
    UMP_SEPARATOR,
    ApprovedPeer,
    BackedCandidate,
    BitVec,
    CandidateCommitments,
    CandidateDescriptor,
    CandidateReceiptError,
    ClaimQueue,
    CommittedCandidateReceipt,
    DecodeError,
    Explicit,
    Implicit,
    SelectCore,
    TransposedClaimQueue,
    UmpSignalError,
    UmpSignals,
    candidate_descriptor_v2,
    candidate_descriptor_v3,
    check_core_index,
    committed_core_index,
    decode,
    encode,
    inject_core_index,
    parse_ump_signals,
    split_injected_core_index,
    transpose_claim_queue,
)
from tests.builders import decode_failure, descriptor, refusal

PARA = 1000
OTHER = 2000
H = b"\x03" * 32


def v2(core: int, para: int = PARA) -> CandidateDescriptor:
    return candidate_descriptor_v2(para, b"\x01" * 32, core, 1, H, H, H, H, H)


def v3(core: int, para: int = PARA) -> CandidateDescriptor:
    return candidate_descriptor_v3(para, b"\x01" * 32, core, 1, H, H, H, H, H, b"\xaa" * 32, 1)


def receipt(d: CandidateDescriptor, *messages: bytes) -> CommittedCandidateReceipt:
    return CommittedCandidateReceipt(d, CandidateCommitments(upward_messages=messages))


def transposed(queue: dict[int, tuple[int, ...]]) -> TransposedClaimQueue:
    return transpose_claim_queue(ClaimQueue.from_mapping(queue))


def kind(result: object) -> UmpSignalError:
    assert isinstance(result, CandidateReceiptError), result
    return result.kind


XCM = (b"\x00" * 256, b"\xff" * 256)
SELECT_0_1 = encode(SelectCore(0, 1))
PEER = encode(ApprovedPeer(b"\x01\x02\x03"))


# -- the claim queue ---------------------------------------------------------------------------


def test_a_claim_queue_is_equal_by_value_whatever_order_it_was_given_in() -> None:
    a = ClaimQueue({1: (OTHER,), 0: (PARA, OTHER)})
    b = ClaimQueue(((0, [PARA, OTHER]), (1, (OTHER,))))
    assert a == b
    assert a.entries == ((0, (PARA, OTHER)), (1, (OTHER,)))
    assert a.cores() == (0, 1)
    assert a.paras(0) == (PARA, OTHER)
    assert a.paras(7) == ()
    assert a.as_dict() == {0: (PARA, OTHER), 1: (OTHER,)}
    assert repr(a) == "ClaimQueue({0: (1000, 2000), 1: (2000,)})"
    assert hash(a) == hash(b)


def test_a_claim_queue_encodes_as_rusts_btreemap_of_vecdeques() -> None:
    cq = ClaimQueue.from_mapping({1: (OTHER,), 0: (PARA, OTHER)})
    assert encode(cq) == bytes.fromhex(
        "08"  # two cores
        "00000000"
        "08"
        "e8030000"
        "d0070000"  # core 0: [1000, 2000]
        "01000000"
        "04"
        "d0070000"  # core 1: [2000]
    )
    assert decode(ClaimQueue, encode(cq)) == cq
    assert encode(ClaimQueue()) == b"\x00"


def test_a_claim_queue_length_is_checked_against_the_bytes_left_before_reading() -> None:
    # Each core takes at least 5 bytes (u32 core, compact count), each para 4 (a u32): a length
    # the input cannot hold is refused at the length itself, before any entry is read.
    assert decode_failure(ClaimQueue, b"\x08" + bytes(9)) == (
        "ClaimQueue",
        0,
        "length 2 exceeds the 9 bytes left",
    )
    assert decode_failure(ClaimQueue, b"\x04" + bytes(4) + b"\x0c" + bytes(8)) == (
        "ClaimQueue",
        5,
        "length 3 exceeds the 8 bytes left",
    )
    # Exactly enough bytes: two cores serving nothing, one core serving two paras.
    empty = ClaimQueue({0: (), 1: ()})
    assert decode(ClaimQueue, encode(empty)) == empty
    assert len(encode(empty)) == 1 + 2 * 5
    two = ClaimQueue({0: (PARA, OTHER)})
    assert decode(ClaimQueue, encode(two)) == two


def test_a_claim_queue_whose_cores_are_not_ascending_does_not_decode() -> None:
    raw = bytes.fromhex("0801000000000000000000")
    with pytest.raises(DecodeError, match="not strictly ascending") as info:
        decode(ClaimQueue, raw)
    assert info.value.offset == 6
    with pytest.raises(DecodeError, match="not strictly ascending"):
        decode(ClaimQueue, bytes.fromhex("0801000000000100000000"))


U32 = "must be an int in 0..2**32-1"
PAIRS = "must be a mapping or (key, value) pairs"


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ({0: (PARA,), 2**32: (PARA,)}, ("entries[1].core", 2**32, U32)),
        ({0: (2**32,)}, ("entries[0]", 2**32, U32)),
        ({0: (PARA, -1)}, ("entries[0]", -1, U32)),
        ({0: {PARA}}, ("entries[0]", {PARA}, "must be a sequence of u32s")),
        (((0, (PARA,)), (0, (OTHER,))), ("entries", 0, "appears twice as a key")),
        (((0, (PARA,), 1),), ("entries[0]", (0, (PARA,), 1), "must be a (key, value) pair")),
        ("queue", ("entries", "queue", PAIRS)),
    ],
)
def test_a_claim_queue_refuses_what_rust_could_not_hold(
    entries: object, expected: tuple[str, object, str]
) -> None:
    assert refusal(lambda: ClaimQueue(entries)) == (  # type: ignore[arg-type]
        "ClaimQueue",
        *expected,
    )


# -- the transpose -----------------------------------------------------------------------------


def test_the_transpose_maps_each_para_and_depth_to_its_cores_ascending() -> None:
    t = transposed({2: (OTHER,), 0: (PARA, OTHER), 1: (PARA, PARA)})
    assert t.as_dict() == {PARA: {0: (0, 1), 1: (1,)}, OTHER: {0: (2,), 1: (0,)}}
    assert t.paras() == (PARA, OTHER)
    assert t.cores_at(PARA, 0) == (0, 1)
    assert t.cores_at(PARA, 2) == ()
    assert t.cores_at(3000, 0) == ()
    assert t.depths(OTHER) == ((0, (2,)), (1, (0,)))
    assert repr(t) == "TransposedClaimQueue({1000: {0: (0, 1), 1: (1,)}, 2000: {0: (2,), 1: (0,)}})"


def test_the_transpose_keys_depth_as_a_byte_like_rust() -> None:
    t = transposed({4: (PARA,) + (OTHER,) * 255 + (PARA,)})  # depth 256 wraps to 0
    assert t.cores_at(PARA, 0) == (4,)
    assert t.depths(PARA) == ((0, (4,)),)
    assert t.cores_at(OTHER, 255) == (4,)


def test_a_transposed_queue_is_built_from_sets_and_sorted() -> None:
    t = TransposedClaimQueue.from_mapping({OTHER: {1: {9, 3}}, PARA: {0: frozenset({2})}})
    assert t.entries == ((PARA, ((0, (2,)),)), (OTHER, ((1, (3, 9)),)))


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ({PARA: {256: (0,)}}, ("entries[1000].depth", 256, "must be a u8")),
        ({PARA: {0: (0, 0)}}, ("entries[1000][0]", (0, 0), "a core twice")),
        ({PARA: {0: (2**32,)}}, ("entries[1000][0]", 2**32, U32)),
        ({PARA: {0: "cores"}}, ("entries[1000][0]", "cores", "must be a sequence of u32s")),
        ({2**32: {0: (0,)}}, ("entries[0].para", 2**32, U32)),
        (((PARA, {0: (0,)}), (PARA, {1: (0,)})), ("entries", PARA, "appears twice as a key")),
        ({PARA: ((0, (1,)), (0, (2,)))}, ("entries[1000]", 0, "appears twice as a key")),
        ({PARA: 5}, ("entries[1000]", 5, PAIRS)),
        ({PARA: ((0,),)}, ("entries[1000][0]", (0,), "must be a (key, value) pair")),
        ("queue", ("entries", "queue", PAIRS)),
    ],
)
def test_a_transposed_queue_refuses_malformed_entries(
    entries: object, expected: tuple[str, object, str]
) -> None:
    assert refusal(lambda: TransposedClaimQueue(entries)) == (  # type: ignore[arg-type]
        "TransposedClaimQueue",
        *expected,
    )


# -- check_core_index --------------------------------------------------------------------------


def test_a_para_without_cores_at_the_depth_has_no_assignment() -> None:
    signals = UmpSignals(select_core=SelectCore(0, 1))
    assert kind(check_core_index(v2(0), signals, transposed({}), PARA)) is (
        UmpSignalError.NoAssignment
    )
    only_depth_0 = transposed({0: (PARA,)})
    assert kind(check_core_index(v2(0), signals, only_depth_0, PARA)) is (
        UmpSignalError.NoAssignment
    )
    empty_set = TransposedClaimQueue({PARA: {1: ()}})
    result = check_core_index(v2(0), signals, empty_set, PARA)
    assert kind(result) is UmpSignalError.NoAssignment
    assert isinstance(result, CandidateReceiptError)
    assert result.detail == "para 1000 holds no core at claim-queue depth 1"


def test_the_selector_picks_among_the_cores_in_ascending_order_modulo_their_number() -> None:
    t = transposed({7: (OTHER, PARA), 3: (OTHER, PARA), 5: (OTHER, PARA)})  # depth 1: 3, 5, 7
    for selector, core in [(0, 3), (1, 5), (2, 7), (3, 3), (253, 5), (255, 3)]:
        signals = UmpSignals(select_core=SelectCore(selector, 1))
        assert check_core_index(v2(core), signals, t, PARA) == core


def test_a_selected_core_other_than_the_descriptors_is_a_mismatch_naming_both() -> None:
    t = transposed({0: (PARA, PARA), 100: (PARA, PARA)})
    result = check_core_index(v2(1), UmpSignals(select_core=SelectCore(0, 1)), t, PARA)
    assert result == CandidateReceiptError(
        UmpSignalError.CoreIndexMismatch,
        "the commitments select core 0, the descriptor names core 1",
        descriptor_core=1,
        commitments_core=0,
    )


def test_without_a_selector_one_core_is_the_committed_core() -> None:
    t = transposed({4: (PARA,)})
    assert check_core_index(v2(4), UmpSignals(), t, PARA) == 4
    result = check_core_index(v2(5), UmpSignals(), t, PARA)
    assert kind(result) is UmpSignalError.CoreIndexMismatch
    assert isinstance(result, CandidateReceiptError)
    assert (result.descriptor_core, result.commitments_core) == (5, 4)


def test_without_a_selector_several_cores_only_need_to_include_the_descriptors() -> None:
    t = transposed({0: (PARA,), 100: (PARA,)})
    assert check_core_index(v2(100), UmpSignals(), t, PARA) == 100
    assert check_core_index(v2(0), UmpSignals(approved_peer=ApprovedPeer(b"p")), t, PARA) == 0
    result = check_core_index(v2(1), UmpSignals(), t, PARA)
    assert kind(result) is UmpSignalError.InvalidCoreIndex
    assert isinstance(result, CandidateReceiptError)
    assert result.detail == "descriptor core 1 is not among para 1000's cores [0, 100]"


def test_the_para_checked_is_the_one_given() -> None:
    t = transposed({0: (OTHER,)})
    assert check_core_index(v2(0, para=PARA), UmpSignals(), t, OTHER) == 0
    assert kind(check_core_index(v2(0, para=OTHER), UmpSignals(), t, PARA)) is (
        UmpSignalError.NoAssignment
    )


# -- parse_ump_signals: polkadot-sdk's scenarios -----------------------------------------------


def test_a_v2_receipt_without_signals_or_separator_passes() -> None:
    t = transposed({123: (PARA, PARA)})
    assert parse_ump_signals(receipt(v2(123), *XCM), t) == UmpSignals()
    assert parse_ump_signals(receipt(v2(123), *XCM, UMP_SEPARATOR), t) == UmpSignals()


def test_a_v2_receipt_with_each_combination_of_signals_passes() -> None:
    t = transposed({123: (PARA, PARA)})
    core = SelectCore(0, 1)
    peer = ApprovedPeer(b"\x01\x02\x03")
    cases = [
        ((SELECT_0_1,), UmpSignals(select_core=core)),
        ((PEER,), UmpSignals(approved_peer=peer)),
        ((PEER, SELECT_0_1), UmpSignals(core, peer, (peer, core))),
        ((SELECT_0_1, PEER), UmpSignals(core, peer, (core, peer))),
    ]
    for messages, expected in cases:
        assert parse_ump_signals(receipt(v2(123), *XCM, UMP_SEPARATOR, *messages), t) == expected


def test_a_core_selection_is_optional_for_v2_even_with_two_cores() -> None:
    # Elastic scaling's injected core index can still name the core (E.1.5).
    d = v2(0)
    assert parse_ump_signals(receipt(d), transposed({0: (PARA,)})) == UmpSignals()
    assert parse_ump_signals(receipt(d), transposed({0: (PARA,), 1: (PARA,)})) == UmpSignals()


def test_a_v1_receipt_may_not_carry_signals() -> None:
    t = transposed({0: (PARA,), 1: (PARA,)})
    result = parse_ump_signals(
        receipt(descriptor(), UMP_SEPARATOR, encode(SelectCore(1, 1)), PEER), t
    )
    assert result == CandidateReceiptError(
        UmpSignalError.UMPSignalWithV1Decriptor,
        "a V1 descriptor's commitments carry UMP signals",
    )


def test_a_v1_receipt_without_signals_is_not_checked_against_the_claim_queue() -> None:
    assert parse_ump_signals(receipt(descriptor(), *XCM), transposed({})) == UmpSignals()


def test_an_unknown_version_is_refused_with_its_version_byte() -> None:
    raw = bytearray(encode(v2(0)))
    raw[36] = 100
    d = decode(CandidateDescriptor, bytes(raw))
    result = parse_ump_signals(receipt(d), transposed({}))
    assert result == CandidateReceiptError(
        UmpSignalError.UnknownVersion,
        "internal version 100 is not a known descriptor version",
        unknown_version=100,
    )


def test_signals_that_do_not_parse_fail_before_the_version_is_looked_at() -> None:
    result = parse_ump_signals(
        receipt(descriptor(), UMP_SEPARATOR, b"\x0c\x00\x0d\xc8"), transposed({})
    )
    assert kind(result) is UmpSignalError.UmpSignalDecode


def test_the_invalid_commitment_scenarios() -> None:
    t = transposed({0: (PARA,)})
    garbage = receipt(v2(0), UMP_SEPARATOR, PEER, b"\x0c\x00\x0d\xc8")
    assert kind(parse_ump_signals(garbage, t)) is UmpSignalError.UmpSignalDecode

    two_cores = transposed({0: (PARA, PARA), 100: (PARA, PARA)})
    peer_only = (UMP_SEPARATOR, PEER)
    assert parse_ump_signals(receipt(v2(0), *peer_only), two_cores) == UmpSignals(
        approved_peer=ApprovedPeer(b"\x01\x02\x03")
    )
    assert kind(parse_ump_signals(receipt(v2(1), *peer_only), two_cores)) is (
        UmpSignalError.InvalidCoreIndex
    )
    selected = (UMP_SEPARATOR, PEER, SELECT_0_1)
    assert kind(parse_ump_signals(receipt(v2(0), *selected), transposed({}))) is (
        UmpSignalError.NoAssignment
    )
    mismatch = parse_ump_signals(receipt(v2(1), *selected), two_cores)
    assert isinstance(mismatch, CandidateReceiptError)
    assert (mismatch.kind, mismatch.descriptor_core, mismatch.commitments_core) == (
        UmpSignalError.CoreIndexMismatch,
        1,
        0,
    )
    two_peers = receipt(v2(0), UMP_SEPARATOR, PEER, encode(ApprovedPeer(b"\x04\x05")))
    assert kind(parse_ump_signals(two_peers, t)) is UmpSignalError.DuplicateUMPSignal
    three = receipt(v2(0), UMP_SEPARATOR, PEER, encode(SelectCore(0, 0)), PEER)
    assert kind(parse_ump_signals(three, t)) is UmpSignalError.TooManyUMPSignals


def test_a_v3_receipt_must_select_its_core() -> None:
    t = transposed({5: (PARA,)})
    select = encode(SelectCore(0, 0))
    assert parse_ump_signals(receipt(v3(5), UMP_SEPARATOR, select), t) == UmpSignals(
        select_core=SelectCore(0, 0)
    )
    for messages in [(), (UMP_SEPARATOR,), (UMP_SEPARATOR, PEER)]:
        result = parse_ump_signals(receipt(v3(5), *messages), t)
        assert result == CandidateReceiptError(
            UmpSignalError.NoUMPSignalWithV3Descriptor,
            "a V3 descriptor's commitments carry no SelectCore signal",
        )
    mismatch = parse_ump_signals(receipt(v3(6), UMP_SEPARATOR, select), t)
    assert kind(mismatch) is UmpSignalError.CoreIndexMismatch


# -- committed_core_index ----------------------------------------------------------------------


def test_the_committed_core_is_the_selector_th_assigned_core_in_ascending_order() -> None:
    commitments = CandidateCommitments(upward_messages=(UMP_SEPARATOR, encode(SelectCore(4, 0))))
    assert committed_core_index(commitments, [9, 2, 5, 2]) == 5  # 2, 5, 9 and 4 % 3 == 1


def test_there_is_no_committed_core_without_cores_a_selector_or_parsable_signals() -> None:
    selecting = CandidateCommitments(upward_messages=(UMP_SEPARATOR, encode(SelectCore(0, 0))))
    assert committed_core_index(selecting, []) is None
    assert committed_core_index(CandidateCommitments(), [1]) is None
    peer_only = CandidateCommitments(upward_messages=(UMP_SEPARATOR, PEER))
    assert committed_core_index(peer_only, [1]) is None
    broken = CandidateCommitments(upward_messages=(UMP_SEPARATOR, b"\x09"))
    assert committed_core_index(broken, [1]) is None


# -- the core index in a backed candidate (E.1.5) ----------------------------------------------


def test_the_worked_example_group_of_three_votes_at_0_and_2_core_5() -> None:
    group_bits = BitVec.from_indices(3, [0, 2])
    bits = inject_core_index(group_bits, 5)
    assert str(bits) == "101" + "10100000"
    assert encode(bits) == b"\x2c\x2d\x00"
    backed = BackedCandidate(receipt(v2(5)), (Implicit(b"\x11" * 64), Explicit(b"\x22" * 64)), bits)
    assert encode(backed).endswith(b"\x2c\x2d\x00")
    assert decode(BackedCandidate, encode(backed)) == backed
    assert split_injected_core_index(backed.validator_indices) == (group_bits, 5)
    assert backed.validator_indices_and_core_index(3) == (group_bits, 5)


def test_the_core_index_is_appended_least_significant_bit_first() -> None:
    assert str(inject_core_index(BitVec(), 255)) == "11111111"
    assert str(inject_core_index(BitVec.from_str("0"), 6)) == "0" + "01100000"


@pytest.mark.parametrize(
    ("group_bits", "core", "expected"),
    [
        (BitVec(), 256, ("core_index", 256, "must be 0..255 to fit the 8 bits")),
        (BitVec(), -1, ("core_index", -1, "must be 0..255 to fit the 8 bits")),
        (BitVec(), True, ("core_index", True, "must be 0..255 to fit the 8 bits")),
        ("101", 1, ("group_bits", "101", "must be a BitVec")),
    ],
)
def test_a_core_index_that_eight_bits_cannot_carry_is_the_callers_mistake(
    group_bits: object, core: object, expected: tuple[str, object, str]
) -> None:
    assert refusal(lambda: inject_core_index(group_bits, core)) == (  # type: ignore[arg-type]
        "BackedCandidate",
        *expected,
    )


def test_eight_bits_or_fewer_carry_no_core_index() -> None:
    for text in ["", "1", "10101010"]:
        bits = BitVec.from_str(text)
        assert split_injected_core_index(bits) == (bits, None)


def test_without_an_injected_core_the_last_eight_bits_are_still_read_as_one() -> None:
    # Rust's split does not know the group size: 9 group bits read as 1 bit and a core.
    bits = BitVec.from_str("010101010")
    assert split_injected_core_index(bits) == (BitVec.from_str("0"), 0b01010101)


def test_a_transposed_queue_takes_its_cores_as_a_set_and_sorts_them() -> None:
    # Rust holds each depth's cores as a BTreeSet: a set is the natural input, its order fixed
    # by sorting.
    for cores in ({3, 1}, frozenset({3, 1})):
        queue = TransposedClaimQueue(((5, ((0, cores),)),))
        assert queue.entries == ((5, ((0, (1, 3)),)),)
        assert queue.cores_at(5, 0) == (1, 3)
