# The `records` vector family (shell/vectors/families/records.py): round trips and hashes of
# hand-picked records written out byte by byte from SCALE's rules and BLAKE2b-256 (hashlib, not
# the project's codec), refusals of bytes that are no record, the real blocks' candidate and
# commitments hashes against the independent decoder's (the derived files beside them), the
# cases' shape and stability, and refusals of input off the schema.
from __future__ import annotations

import json
from hashlib import blake2b

from backable.shell.vectors.families.records import FAMILY
from tests.vector_family_checks import (
    DERIVED,
    case_named,
    check_deterministic,
    check_off_schema_refused,
    check_well_formed,
    expected_of,
    family_cases,
)


def b2(data: bytes) -> str:
    return "0x" + blake2b(data, digest_size=32).hexdigest()


def input_bytes(name: str) -> bytes:
    text = case_named(FAMILY, name).input["bytes"]
    assert isinstance(text, str)
    return bytes.fromhex(text[2:])


def test_an_empty_pov_is_one_zero_byte_and_hashes_as_such() -> None:
    assert expected_of(FAMILY, "pov-of-0-bytes") == {
        "decodes": True, "encoding": "0x00", "hashes": {"pov_hash": b2(b"\x00")}
    }


def test_a_pov_of_64_bytes_takes_a_two_byte_compact_length() -> None:
    # 64 << 2 | 0b01 = 0x0101, little endian.
    body = bytes([64 % 251]) * 64
    assert expected_of(FAMILY, "pov-of-64-bytes") == {
        "decodes": True,
        "encoding": "0x0101" + body.hex(),
        "hashes": {"pov_hash": b2(b"\x01\x01" + body)},
    }


def test_a_header_numbered_2_to_the_30_takes_the_big_integer_compact_form() -> None:
    # Compact's fourth form: 0b11 with the byte count minus 4 above it, then the integer.
    raw = bytes(range(32)) + b"\x03\x00\x00\x00\x40" + b"\x0b" * 32 + b"\x0c" * 32 + b"\x00"
    assert input_bytes("header-number-1073741824") == raw
    assert expected_of(FAMILY, "header-number-1073741824")["hashes"] == {"block_hash": b2(raw)}


def test_a_bit_vector_of_nine_bits_takes_two_bytes_after_its_length() -> None:
    # ((1 << 9) - 1) // 3 = 0b010101010: compact 9 = 0x24, then 0xaa 0x00.
    assert expected_of(FAMILY, "bitvec-of-9-bits") == {
        "decodes": True, "encoding": "0x24aa00", "hashes": {}
    }


def test_a_committed_receipt_hashes_its_descriptor_with_its_commitments_hash() -> None:
    raw = input_bytes("committed-receipt")
    descriptor, commitments = raw[:292], raw[292:]
    commitments_hash = blake2b(commitments, digest_size=32).digest()
    assert expected_of(FAMILY, "committed-receipt") == {
        "decodes": True,
        "encoding": "0x" + raw.hex(),
        "hashes": {
            "candidate_hash": b2(descriptor + commitments_hash),
            "commitments_hash": "0x" + commitments_hash.hex(),
        },
    }
    # The plain receipt of the same candidate has the same candidate hash: its own bytes' hash.
    plain = input_bytes("receipt")
    assert plain == descriptor + commitments_hash
    assert expected_of(FAMILY, "receipt")["hashes"] == {"candidate_hash": b2(plain)}


def test_an_empty_but_present_new_code_is_some_not_none() -> None:
    raw = input_bytes("commitments-full")
    # two upward messages (0x08), 0x0102 and empty; one HRMP message to 2001 of one byte 0xaa;
    # Some(empty code) = 0x01 0x00; then the head data.
    assert raw.startswith(bytes.fromhex("08" "080102" "00" "04" "d1070000" "04aa" "0100"))
    assert expected_of(FAMILY, "commitments-full")["decodes"] is True


def test_bytes_that_are_no_record_are_refused_and_nothing_else_is_said() -> None:
    refusals = [c for c in family_cases(FAMILY, False) if c.name.startswith("refused-")]
    assert len(refusals) >= 10
    for case in refusals:
        assert case.expected == {"decodes": False}, case.name
    for case in family_cases(FAMILY, False):
        if case.name.endswith("-cut-short"):
            assert case.expected == {"decodes": False}, case.name


def test_every_decoded_record_encodes_back_to_its_own_bytes() -> None:
    for case in family_cases(FAMILY, True):
        if case.expected["decodes"]:
            assert case.expected["encoding"] == case.input["bytes"], case.name


def test_the_real_candidates_hashes_are_the_independent_decoders() -> None:
    cases = {c.name: c for c in family_cases(FAMILY, True)}
    checked = 0
    for path in sorted(DERIVED.glob("paras_inherent_*.json")):
        derived = json.loads(path.read_text())
        for candidate in derived["backed_candidates"]:
            prefix = f"chain-{derived['block']}-candidate-{candidate['position']}"
            committed = cases[f"{prefix}-committed-receipt"].expected["hashes"]
            assert committed == {
                "candidate_hash": candidate["candidate_hash"],
                "commitments_hash": candidate["commitments_hash"],
            }
            receipt = cases[f"{prefix}-receipt"]
            assert receipt.input["bytes"] == candidate["candidate_receipt_scale"]
            assert receipt.expected["hashes"] == {"candidate_hash": candidate["candidate_hash"]}
            checked += 1
    assert checked == 148


def test_the_real_parent_headers_hash_to_the_blocks_parent_hash() -> None:
    cases = {c.name: c for c in family_cases(FAMILY, True)}
    for path in sorted(DERIVED.glob("paras_inherent_*.json")):
        derived = json.loads(path.read_text())
        case = cases[f"chain-{derived['block']}-parent-header"]
        assert case.expected["hashes"] == {"block_hash": derived["header"]["parentHash"]}


def test_the_cases_are_well_formed_and_come_from_all_three_sources() -> None:
    counts = check_well_formed(FAMILY, family_cases(FAMILY, True))
    assert counts["boundary"] >= 40 and counts["generated"] >= 100 and counts["chain"] == 468


def test_the_cases_are_the_same_every_time() -> None:
    check_deterministic(FAMILY)


def test_input_off_the_schema_is_refused_naming_the_field() -> None:
    check_off_schema_refused(FAMILY, case_named(FAMILY, "committed-receipt"))
