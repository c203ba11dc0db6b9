from __future__ import annotations

import json

import pytest
import sr25519

from backable.core import (
    ApprovalChecking,
    ApprovalCheckingMultipleCandidates,
    BackingSeconded,
    BackingValid,
    BitVec,
    CandidateDescriptor,
    Invalid,
    InvalidExplicit,
    Seconded,
    SigningContext,
    UnsupportedType,
    Valid,
    ValidExplicit,
    bitfield_signing_payload,
    check_collator_signature,
    collator_signature_payload,
    dispute_statement_signing_payload,
    statement_signing_payload,
    verify_signature,
)
from tests.builders import descriptor
from tests.conftest import SHARED_DATA

H = bytes(range(32))
CTX = SigningContext(session_index=7, parent_hash=b"\xaa" * 32)


def _vectors() -> list[dict[str, object]]:
    path = SHARED_DATA / "derived" / "sr25519_collator_signature_vectors.json"
    return json.loads(path.read_text())["vectors"]  # type: ignore[no-any-return]


def _descriptor_from_vector(v: dict[str, object]) -> CandidateDescriptor:
    msg = bytes.fromhex(str(v["message"])[2:])
    return CandidateDescriptor(
        para_id=int.from_bytes(msg[32:36], "little"),
        relay_parent=msg[0:32],
        collator=bytes.fromhex(str(v["public_key"])[2:]),
        persisted_validation_data_hash=msg[36:68],
        pov_hash=msg[68:100],
        erasure_root=bytes(32),
        signature=bytes.fromhex(str(v["signature"])[2:]),
        para_head=bytes(32),
        validation_code_hash=msg[100:132],
    )


def test_all_real_collator_signatures_verify_and_the_negatives_fail() -> None:
    vectors = _vectors()
    positives = [v for v in vectors if v["expected"]]
    negatives = [v for v in vectors if not v["expected"]]
    assert (len(positives), len(negatives)) == (311, 5)
    for v in vectors:
        descriptor = _descriptor_from_vector(v)
        assert collator_signature_payload(descriptor) == bytes.fromhex(str(v["message"])[2:])
        assert check_collator_signature(descriptor) is v["expected"], v


def test_only_a_v1_descriptor_has_a_collator_signature_to_check() -> None:
    # V2/V3 (and unknown versions) keep other fields where V1 had key and signature, and
    # polkadot-sdk's `check_collator_signature` returns Ok for them without a check.
    from backable.core import candidate_descriptor_v2, candidate_descriptor_v3

    h = b"\x03" * 32
    assert check_collator_signature(candidate_descriptor_v2(1, h, 0, 0, h, h, h, h, h))
    assert check_collator_signature(
        candidate_descriptor_v3(1, h, 0, 0, h, h, h, h, h, b"\xaa" * 32, 0)
    )
    unknown = descriptor(collator=b"\x07" + bytes(31), signature=bytes(64))
    assert check_collator_signature(unknown)
    # A V1 descriptor with a bad signature still fails: the check is not skipped for it.
    assert not check_collator_signature(descriptor())
    assert not check_collator_signature(descriptor(signature=bytes(64)))


def test_the_collator_payload_is_132_bytes_in_reference_order() -> None:
    d = descriptor(para_id=2000)
    assert collator_signature_payload(d) == (
        b"\x01" * 32 + (2000).to_bytes(4, "little") + b"\x03" * 32 + b"\x04" * 32 + b"\x08" * 32
    )


def test_statement_payloads_are_bkng_kind_hash_then_context() -> None:
    tail = (7).to_bytes(4, "little") + b"\xaa" * 32
    assert statement_signing_payload(Valid(H), CTX) == b"BKNG\x02" + H + tail
    assert statement_signing_payload(Invalid(H), CTX) == b"BKNG\x03" + H + tail
    assert len(statement_signing_payload(Valid(H), CTX)) == 73


def test_a_seconded_statement_signs_its_candidate_hash_not_the_receipt() -> None:
    from backable.core import CandidateCommitments, CommittedCandidateReceipt

    candidate = CommittedCandidateReceipt(descriptor(), CandidateCommitments(head_data=b"x"))
    payload = statement_signing_payload(Seconded(candidate), CTX)
    assert payload == b"BKNG\x01" + candidate.hash() + CTX.scale()


def test_bitfield_payload_has_no_magic() -> None:
    # Reference A.9: bits [1,0,1] -> 0x0c 0x05, then the context.
    assert bitfield_signing_payload(BitVec.from_bools([1, 0, 1]), CTX) == b"\x0c\x05" + CTX.scale()


def test_dispute_payloads_follow_reference_a11() -> None:
    session = (3).to_bytes(4, "little")
    assert dispute_statement_signing_payload(ValidExplicit(), H, 3) == b"DISP\x01" + H + session
    assert dispute_statement_signing_payload(InvalidExplicit(), H, 3) == b"DISP\x00" + H + session
    assert dispute_statement_signing_payload(ApprovalChecking(), H, 3) == b"APPR" + H + session
    backing = dispute_statement_signing_payload(BackingSeconded(b"\xbb" * 32), H, 3)
    assert backing == statement_signing_payload(Valid(H), SigningContext(3, b"\xbb" * 32)).replace(
        b"BKNG\x02", b"BKNG\x01", 1
    )
    one = ApprovalCheckingMultipleCandidates((H,))
    assert dispute_statement_signing_payload(one, H, 3) == b"APPR" + H + session


RELAY_PARENT = b"\xbb" * 32
H2 = bytes(range(32, 64))
H3 = bytes(range(64, 96))
SESSION_3 = b"\x03\x00\x00\x00"


@pytest.mark.parametrize(
    ("statement", "payload"),
    [
        # a backing vote reused as a dispute vote signs the backing payload: "BKNG", the compact
        # statement's index (Seconded 1, Valid 2), the candidate, then the signing context built
        # from the session and the relay parent the kind carries
        (BackingSeconded(RELAY_PARENT), b"BKNG\x01" + H + SESSION_3 + RELAY_PARENT),
        (BackingValid(RELAY_PARENT), b"BKNG\x02" + H + SESSION_3 + RELAY_PARENT),
        # an approval of several candidates: "APPR", the SCALE vector of hashes, the session
        (ApprovalCheckingMultipleCandidates((H, H2)), b"APPR\x08" + H + H2 + SESSION_3),
        (ApprovalCheckingMultipleCandidates((H2, H, H3)), b"APPR\x0c" + H2 + H + H3 + SESSION_3),
        # no candidate at all is still the vector form (length 0), not the one-candidate form
        (ApprovalCheckingMultipleCandidates(()), b"APPR\x00" + SESSION_3),
    ],
)
def test_backing_and_multi_candidate_dispute_payloads_are_pinned_byte_for_byte(
    statement: object, payload: bytes
) -> None:
    assert dispute_statement_signing_payload(statement, H, 3) == payload  # type: ignore[arg-type]


def test_verify_signature_accepts_a_real_signature_and_refuses_a_flipped_bit() -> None:
    public, secret = sr25519.pair_from_seed(b"\x11" * 32)
    signature = sr25519.sign((public, secret), b"message")
    assert verify_signature(b"message", signature, public)
    assert not verify_signature(b"messagf", signature, public)
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    assert not verify_signature(b"message", flipped, public)


@pytest.mark.parametrize(
    ("message", "signature", "public"),
    [
        (b"m", b"short", b"\x00" * 32),
        (b"m", b"\x00" * 64, b"short"),
        (b"m", b"\x00" * 64, b"\x00" * 32),
        ("text", b"\x00" * 64, b"\x00" * 32),
        (b"m", None, b"\x00" * 32),
        (b"m", b"\x00" * 64, None),
        (b"m", b"\x00" * 64, bytearray(32)),
        (b"m", b"\xff" * 64, b"\xff" * 32),
    ],
)
def test_verify_signature_never_raises_on_malformed_input(
    message: object, signature: object, public: object
) -> None:
    assert verify_signature(message, signature, public) is False  # type: ignore[arg-type]


def test_signing_a_non_statement_is_the_callers_mistake() -> None:
    ctx = SigningContext(1, H)
    with pytest.raises(UnsupportedType, match=r"statement_signing_payload: .* is not a statement"):
        statement_signing_payload(ValidExplicit(), ctx)  # type: ignore[arg-type]
    with pytest.raises(UnsupportedType, match="is not a dispute statement"):
        dispute_statement_signing_payload(Valid(H), H, 1)  # type: ignore[arg-type]
