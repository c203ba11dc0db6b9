# Node features (core/today/node_features.py): the bit of each feature, a bit beyond the vector
# being off, and the builder's vector as the genesis JSON writes it.
from __future__ import annotations

from backable.core import BitVec, NodeFeature, encode, node_feature_enabled
from backable.core import node_features as build
from tests.builders import refusal


def test_each_feature_has_the_bit_of_the_reference_table() -> None:
    assert [(f.name, int(f)) for f in NodeFeature] == [
        ("ENABLE_ASSIGNMENTS_V2", 0),
        ("ELASTIC_SCALING_MVP", 1),
        ("AVAILABILITY_CHUNK_MAPPING", 2),
        ("CANDIDATE_RECEIPT_V2", 3),
        ("CANDIDATE_RECEIPT_V3", 4),
    ]


def test_a_feature_is_enabled_when_its_bit_is_set() -> None:
    features = BitVec.from_str("01010")
    assert node_feature_enabled(features, NodeFeature.ELASTIC_SCALING_MVP)
    assert node_feature_enabled(features, NodeFeature.CANDIDATE_RECEIPT_V2)
    assert not node_feature_enabled(features, NodeFeature.ENABLE_ASSIGNMENTS_V2)
    assert not node_feature_enabled(features, NodeFeature.CANDIDATE_RECEIPT_V3)


def test_a_bit_beyond_the_vector_is_off() -> None:
    # A configuration written before bit 4 existed has only four bits.
    assert not node_feature_enabled(BitVec.from_str("1111"), NodeFeature.CANDIDATE_RECEIPT_V3)
    assert not node_feature_enabled(BitVec(), NodeFeature.ENABLE_ASSIGNMENTS_V2)


def test_receipts_v2_and_v3_give_five_bits_in_byte_0x18() -> None:
    features = build(NodeFeature.CANDIDATE_RECEIPT_V2, NodeFeature.CANDIDATE_RECEIPT_V3)
    assert (len(features), features.as_int()) == (5, 0x18)  # genesis JSON {"bits": 5, "data": [24]}
    assert encode(features) == b"\x14\x18"


def test_the_builder_sets_exactly_the_features_given() -> None:
    assert build() == BitVec()
    assert build(NodeFeature.ENABLE_ASSIGNMENTS_V2) == BitVec.from_str("1")
    assert build(NodeFeature.AVAILABILITY_CHUNK_MAPPING, NodeFeature.ELASTIC_SCALING_MVP) == (
        BitVec.from_str("011")
    )
    everything = build(*NodeFeature)
    assert all(node_feature_enabled(everything, f) for f in NodeFeature)


def test_a_feature_that_is_not_a_node_feature_is_the_callers_mistake() -> None:
    assert refusal(lambda: build(NodeFeature.ELASTIC_SCALING_MVP, 3)) == (  # type: ignore[arg-type]
        "NodeFeatures",
        "feature",
        3,
        "must be a NodeFeature",
    )
