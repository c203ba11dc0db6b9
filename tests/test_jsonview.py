from __future__ import annotations

import json

import pytest
from pyrsistent import PMap, pmap, pvector

from backable.core import (
    BitVec,
    CandidateCommitments,
    Explicit,
    FreeCore,
    Implicit,
    OccupiedCoreAssumption,
    OutboundHrmpMessage,
    SigningContext,
    UnsupportedType,
    decode_paras_inherent_extrinsic,
)
from backable.shell.cli.example_block import example_block_bytes
from backable.shell.cli.jsonview import to_json


def test_bytes_become_prefixed_hex() -> None:
    assert to_json(b"\x00\xab") == "0x00ab"
    assert to_json(b"") == "0x"


def test_a_bitvec_becomes_its_bit_string_bit_zero_first() -> None:
    assert to_json(BitVec.from_str("1101")) == "1101"


def test_an_enum_member_becomes_its_name() -> None:
    assert to_json(OccupiedCoreAssumption.TIMED_OUT) == "TIMED_OUT"


def test_a_plain_record_becomes_its_fields_without_a_kind() -> None:
    assert to_json(SigningContext(3, b"\x01" * 32)) == {
        "session_index": 3,
        "parent_hash": "0x" + "01" * 32,
    }


def test_enum_variants_carry_their_kind() -> None:
    assert to_json(Implicit(b"\x02" * 64)) == {"kind": "Implicit", "signature": "0x" + "02" * 64}
    explicit = to_json(Explicit(b"\x02" * 64))
    assert isinstance(explicit, dict) and explicit["kind"] == "Explicit"


def test_a_record_without_fields_is_its_kind() -> None:
    assert to_json(FreeCore()) == {"kind": "FreeCore"}


def test_private_cached_fields_are_left_out() -> None:
    commitments = CandidateCommitments(
        horizontal_messages=(OutboundHrmpMessage(7, b"hi"),), head_data=b"\x01"
    )
    commitments.hash()  # fills the private cache
    assert to_json(commitments) == {
        "upward_messages": [],
        "horizontal_messages": [{"recipient": 7, "data": "0x6869"}],
        "new_validation_code": None,
        "head_data": "0x01",
        "processed_downward_messages": 0,
        "hrmp_watermark": 0,
    }


def test_mapping_keys_become_text() -> None:
    assert to_json({1: b"\x01", "a": 2}) == {"1": "0x01", "a": 2}
    keyed: PMap[tuple[int, bytes], bool] = pmap({(4, b"\xff"): True})
    assert to_json(keyed) == {'[4, "0xff"]': True}


def test_persistent_vectors_and_sets_become_lists() -> None:
    assert to_json(pvector([1, b"\x02"])) == [1, "0x02"]
    assert to_json(frozenset({2, 1})) == [1, 2]


def test_a_value_with_no_json_form_is_a_type_error() -> None:
    with pytest.raises(UnsupportedType, match="object has no JSON form"):
        to_json(object())


def test_the_whole_example_inherent_serialises() -> None:
    inherent = decode_paras_inherent_extrinsic(example_block_bytes())
    text = json.dumps(to_json(inherent))
    data = json.loads(text)
    assert len(data["bitfields"]) == len(inherent.bitfields)
    assert data["backed_candidates"][0]["candidate"]["descriptor"]["para_id"] == 2000
