# The `signing_payloads` vector family (shell/vectors/families/signing_payloads.py): payloads of
# hand-picked cases written out from the primitives' rules (magic, index, hash, context), the real
# blocks' collator payloads against the real signature vectors
# (`sr25519_collator_signature_vectors.json` beside the real blocks), the cases' shape and
# stability, and refusals of input off the schema.
from __future__ import annotations

import json
import re

import pytest

from backable.shell.vectors.families.signing_payloads import FAMILY, seconded_statement
from backable.shell.vectors.family import VectorInputError
from tests.vector_family_checks import (
    DERIVED,
    case_named,
    check_deterministic,
    check_off_schema_refused,
    check_well_formed,
    expected_of,
    family_cases,
)

H = seconded_statement().candidate_hash  # the candidate the boundary statements are about
CONTEXT = (7).to_bytes(4, "little") + b"\x11" * 32  # SigningContext(7, 0x11 * 32)


def payload(name: str) -> bytes:
    text = expected_of(FAMILY, name)["payload"]
    assert isinstance(text, str)
    return bytes.fromhex(text[2:])


def test_statements_sign_magic_index_candidate_hash_and_context_in_73_bytes() -> None:
    for name, index in (
        ("statement-seconded-signs-the-candidate-hash", 1),
        ("statement-valid", 2),
        ("statement-invalid", 3),
    ):
        assert payload(name) == b"BKNG" + bytes([index]) + H + CONTEXT
        assert len(payload(name)) == 73


def test_the_largest_session_is_four_ff_bytes_in_the_context() -> None:
    assert payload("statement-session-u32-max")[37:41] == b"\xff\xff\xff\xff"


def test_a_bitfield_signs_its_scale_bytes_then_the_context_without_magic() -> None:
    # 9 bits, ((1 << 9) - 1) // 5 = 102 = 0b001100110: compact 9 = 0x24, then 0x66 0x00.
    assert payload("bitfield-of-9-bits") == b"\x24\x66\x00" + CONTEXT
    assert payload("bitfield-of-0-bits") == b"\x00" + CONTEXT


def test_dispute_votes_sign_their_kinds_payloads() -> None:
    session = (9).to_bytes(4, "little")
    assert payload("dispute-valid-explicit") == b"DISP\x01" + H + session
    assert payload("dispute-invalid-explicit") == b"DISP\x00" + H + session
    backing = (9).to_bytes(4, "little") + b"\x22" * 32
    assert payload("dispute-backing-seconded") == b"BKNG\x01" + H + backing
    assert payload("dispute-backing-valid") == b"BKNG\x02" + H + backing
    assert payload("dispute-approval-checking") == b"APPR" + H + session
    assert payload("dispute-approval-multiple-of-one") == payload("dispute-approval-checking")
    assert payload("dispute-approval-multiple-of-none") == b"APPR\x00" + session
    three = H + bytes(range(32)) + b"\x33" * 32
    assert payload("dispute-approval-multiple-of-three") == b"APPR\x0c" + three + session


def test_a_collator_signs_132_bytes_and_only_a_v1_signature_is_checked() -> None:
    signed = expected_of(FAMILY, "collator-v1-signed")
    assert signed["collator_signature_valid"] is True
    assert payload("collator-v1-signed") == (
        b"\x01" * 32 + (2000).to_bytes(4, "little") + b"\x03" * 32 + b"\x04" * 32 + b"\x08" * 32
    )
    assert expected_of(FAMILY, "collator-v1-payload-changed")["collator_signature_valid"] is False
    v2 = expected_of(FAMILY, "collator-v2-has-nothing-to-check")
    assert v2["collator_signature_valid"] is True
    assert case_named(FAMILY, "collator-v2-has-nothing-to-check").profile == "network"


def test_the_real_collator_payloads_are_the_signed_messages_and_their_signatures_verify() -> None:
    vectors = json.loads((DERIVED / "sr25519_collator_signature_vectors.json").read_text())
    messages: dict[int, set[str]] = {}
    for vector in vectors["vectors"]:
        if vector["expected"] is True and vector["source"].startswith("sidecar mock block"):
            messages.setdefault(vector["block"], set()).add(vector["message"])
    chain = [c for c in family_cases(FAMILY, True) if c.source == "chain"]
    assert len(chain) == 148
    found: dict[int, set[str]] = {}
    for case in chain:
        block = int(case.name.split("-")[1])
        message = case.expected["payload"]
        assert isinstance(message, str) and len(message) == 2 + 2 * 132
        assert case.expected["collator_signature_valid"] is True, case.name
        found.setdefault(block, set()).add(message)
    assert found == messages


def test_the_cases_are_well_formed_and_come_from_all_three_sources() -> None:
    counts = check_well_formed(FAMILY, family_cases(FAMILY, True))
    assert counts["boundary"] >= 20 and counts["generated"] >= 60 and counts["chain"] == 148


def test_the_cases_are_the_same_every_time() -> None:
    check_deterministic(FAMILY)


def test_a_session_past_u32_and_an_unknown_kind_are_refused_by_name() -> None:
    dispute = case_named(FAMILY, "dispute-valid-explicit").input
    with pytest.raises(VectorInputError, match=re.escape("input.session: expected a u32")):
        FAMILY.evaluate({**dispute, "session": 2**32})
    with pytest.raises(VectorInputError, match=re.escape("input.kind")):
        FAMILY.evaluate({**dispute, "kind": "approval"})


def test_input_off_the_schema_is_refused_naming_the_field() -> None:
    for name in (
        "statement-valid",
        "bitfield-of-9-bits",
        "dispute-backing-valid",
        "collator-v1-signed",
    ):
        check_off_schema_refused(FAMILY, case_named(FAMILY, name))
