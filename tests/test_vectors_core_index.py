# The `core_index` vector family (shell/vectors/families/core_index.py): hand-picked candidates
# whose core follows from RFC-103's rules (the selector-th of the para's cores at the offset,
# ascending, modulo their number; the descriptor's core; the eight appended bits), the real
# elastic-scaling blocks' injected core indices against the independent decoder's
# (the derived files beside the real blocks), the cases' shape and stability, and refusals of
# input off the schema.
from __future__ import annotations

import json

from backable.shell.vectors.families.core_index import FAMILY
from tests.vector_family_checks import (
    DERIVED,
    case_named,
    check_deterministic,
    check_off_schema_refused,
    check_well_formed,
    expected_of,
    family_cases,
)


def accepted(name: str) -> object:
    return expected_of(FAMILY, name)["parse_ump_signals"]


def test_a_selector_is_taken_modulo_the_paras_cores_in_ascending_order() -> None:
    # Cores 1, 5, 9 at depth 0: selector 4 -> 4 % 3 = 1 -> core 5; selector 2 -> core 9.
    assert expected_of(FAMILY, "v2-selector-taken-modulo")["committed_core_index"] == 5
    assert expected_of(FAMILY, "v2-selector-in-ascending-core-order")["committed_core_index"] == 9


def test_the_claim_queue_offset_picks_the_depth() -> None:
    assert expected_of(FAMILY, "v2-claim-queue-offset-1")["committed_core_index"] == 0
    assert expected_of(FAMILY, "v2-claim-queue-offset-2")["committed_core_index"] == 2
    assert accepted("v2-no-assignment-at-the-offset") == {"error": "NoAssignment"}


def test_a_disagreeing_descriptor_is_a_mismatch_carrying_both_cores() -> None:
    assert accepted("v2-select-core-mismatch") == {
        "error": "CoreIndexMismatch", "descriptor_core": 4, "commitments_core": 3
    }
    assert accepted("v2-no-select-core-single-core-mismatch") == {
        "error": "CoreIndexMismatch", "descriptor_core": 6, "commitments_core": 3
    }


def test_without_a_selector_several_cores_only_check_membership() -> None:
    assert expected_of(FAMILY, "v2-no-select-core-among-several")["committed_core_index"] == 9
    assert accepted("v2-no-select-core-not-among-several") == {"error": "InvalidCoreIndex"}


def test_v1_and_unknown_versions_are_judged_before_any_core() -> None:
    assert accepted("v1-without-signals") == {"ok": True}
    assert expected_of(FAMILY, "v1-without-signals")["committed_core_index"] is None
    assert accepted("v1-with-a-signal-is-refused") == {"error": "UMPSignalWithV1Decriptor"}
    assert accepted("unknown-version-is-refused") == {"error": "UnknownVersion",
                                                       "unknown_version": 7}


def test_signal_errors_come_in_the_rules_order() -> None:
    assert accepted("signal-that-does-not-decode") == {"error": "UmpSignalDecode"}
    assert accepted("second-separator-is-a-bad-signal") == {"error": "UmpSignalDecode"}
    assert accepted("duplicate-select-core") == {"error": "DuplicateUMPSignal"}
    assert accepted("three-signals") == {"error": "TooManyUMPSignals"}
    assert expected_of(FAMILY, "separator-with-nothing-after")["ump_signals"] == {"signals": []}
    assert expected_of(FAMILY, "select-core-and-approved-peer")["ump_signals"] == {
        "signals": [
            {"ApprovedPeer": "0x121212"},
            {"SelectCore": {"core_selector": 0, "claim_queue_offset": 0}},
        ]
    }


def test_the_last_eight_bits_of_a_longer_vector_are_the_core() -> None:
    # 11 bits 1,0,1 | 1,0,1,0,0,0,0,0: group bits 1,0,1 (compact 3 = 0x0c, byte 0x05), core 5.
    assert expected_of(FAMILY, "split-group-of-3-core-5")["split_validator_indices"] == {
        "group_bits": "0x0c05", "core_index": 5
    }
    assert expected_of(FAMILY, "split-8-bits-is-all-group")["split_validator_indices"] == {
        "group_bits": "0x20ff", "core_index": None
    }
    assert expected_of(FAMILY, "split-9-bits")["split_validator_indices"] == {
        "group_bits": "0x0400", "core_index": 255
    }


def test_the_real_injected_core_indices_are_the_independent_decoders() -> None:
    cases = {c.name: c for c in family_cases(FAMILY, True) if c.source == "chain"}
    checked = 0
    for path in sorted(DERIVED.glob("paras_inherent_*.json")):
        derived = json.loads(path.read_text())
        if not derived["elastic_scaling_validator_indices_extension_detected"]:
            continue
        for candidate in derived["backed_candidates"]:
            case = cases[f"chain-{derived['block']}-candidate-{candidate['position']}"]
            split = case.expected["split_validator_indices"]
            assert isinstance(split, dict)
            assert split["core_index"] == candidate["core_index_from_validator_indices"]
            group = candidate["group_bits"]
            bits = int(group[::-1], 2) if group else 0
            compact = bytes([len(group) << 2])
            raw = compact + bits.to_bytes((len(group) + 7) // 8, "little")
            assert split["group_bits"] == "0x" + raw.hex()
            assert case.expected["parse_ump_signals"] == {"ok": True}
            checked += 1
    assert checked == len(cases) == 30


def test_the_cases_are_well_formed_and_come_from_all_three_sources() -> None:
    counts = check_well_formed(FAMILY, family_cases(FAMILY, True))
    assert counts["boundary"] >= 25 and counts["generated"] >= 60 and counts["chain"] == 30
    assert {c.profile for c in family_cases(FAMILY, True)} == {"network"}


def test_the_cases_are_the_same_every_time() -> None:
    check_deterministic(FAMILY)


def test_input_off_the_schema_is_refused_naming_the_field() -> None:
    check_off_schema_refused(FAMILY, case_named(FAMILY, "split-group-of-3-core-5"))
