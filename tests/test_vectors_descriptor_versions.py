# The `descriptor_versions` vector family (shell/vectors/families/descriptor_versions.py):
# hand-picked descriptors classified as RFC-103's rule says (reserved bytes, then the version
# byte), the real blocks' descriptors (all V1, as the independent decoder's view of them has a
# verifying collator signature for each), no case that could read as V3, the cases' shape and
# stability, and refusals of input off the schema.
from __future__ import annotations

import json

from backable.core import CandidateDescriptor, decode
from backable.shell.vectors.families.descriptor_versions import FAMILY, v3_ambiguous
from tests.vector_family_checks import (
    DERIVED,
    case_named,
    check_deterministic,
    check_off_schema_refused,
    check_well_formed,
    expected_of,
    family_cases,
)

RELAY_PARENT = "0x" + "01" * 32


def test_a_v2_descriptor_names_its_core_and_session() -> None:
    assert expected_of(FAMILY, "v2-core-and-session") == {
        "version": "V2",
        "internal_version": 0,
        "core_index": 3,
        "session_index": 7,
        "scheduling_parent": RELAY_PARENT,
        "scheduling_session": 7,
        "accepted": True,
    }


def test_one_non_zero_reserved_byte_makes_a_v1_descriptor_with_no_core_or_session() -> None:
    for name in (
        "v1-by-the-first-reserved1-byte",
        "v1-by-the-last-reserved1-byte",
        "v1-by-the-first-reserved2-byte",
        "v1-by-the-last-reserved2-byte",
    ):
        assert expected_of(FAMILY, name) == {
            "version": "V1",
            "internal_version": 0,
            "core_index": None,
            "session_index": None,
            "scheduling_parent": RELAY_PARENT,
            "scheduling_session": None,
            "accepted": True,
        }, name


def test_a_zero_collator_key_and_signature_read_as_v2() -> None:
    assert expected_of(FAMILY, "v2-all-zero")["version"] == "V2"


def test_an_unknown_version_keeps_its_fields_but_is_refused() -> None:
    assert expected_of(FAMILY, "unknown-version-2") == {
        "version": "Unknown",
        "internal_version": 2,
        "core_index": 3,
        "session_index": 7,
        "scheduling_parent": RELAY_PARENT,
        "scheduling_session": 7,
        "accepted": False,
    }


def test_no_case_holds_a_descriptor_that_could_read_as_v3() -> None:
    for case in family_cases(FAMILY, True):
        raw = case.input["descriptor"]
        assert isinstance(raw, str)
        assert not v3_ambiguous(decode(CandidateDescriptor, bytes.fromhex(raw[2:]))), case.name
        assert case.expected["version"] != "V3"


def test_every_real_descriptor_is_v1_as_its_verifying_collator_signature_says() -> None:
    chain = {c.name: c for c in family_cases(FAMILY, True) if c.source == "chain"}
    checked = 0
    for path in sorted(DERIVED.glob("paras_inherent_*.json")):
        derived = json.loads(path.read_text())
        for candidate in derived["backed_candidates"]:
            case = chain[f"chain-{derived['block']}-candidate-{candidate['position']}"]
            assert case.input["descriptor"] == candidate["descriptor_scale"]
            assert candidate["collator_signature_valid"] is True
            assert case.expected["version"] == "V1"
            assert case.expected["scheduling_parent"] == candidate["relay_parent"]
            checked += 1
    assert checked == len(chain) == 148


def test_the_cases_are_well_formed_and_come_from_all_three_sources() -> None:
    counts = check_well_formed(FAMILY, family_cases(FAMILY, True))
    assert counts["boundary"] >= 12 and counts["generated"] >= 60 and counts["chain"] == 148
    assert {c.profile for c in family_cases(FAMILY, True)} == {"network"}


def test_the_cases_are_the_same_every_time() -> None:
    check_deterministic(FAMILY)


def test_input_off_the_schema_is_refused_naming_the_field() -> None:
    check_off_schema_refused(FAMILY, case_named(FAMILY, "v2-core-and-session"))
