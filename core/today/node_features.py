# Node features: the bits of `HostConfiguration.node_features` (a `BitVec<u8, Lsb0>`), each a
# protocol change the whole validator set switches on at a session boundary
# (`configuration::set_node_feature`). Bits 0 to 3 are `node_features::FeatureIndex` of
# polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs; bit 4, `CandidateReceiptV3`, is named
# by PR #10472's tests and zombienet helpers (PR #11333: "`CandidateReceiptV3` node feature (bit
# 4)"), its entry in the source enum was not read [unconfirmed name].
from __future__ import annotations

from enum import IntEnum

from ..errors import InvalidRecord
from ..records.bitvec import BitVec

__all__ = ["NodeFeature", "node_feature_enabled", "node_features"]


class NodeFeature(IntEnum):
    """The index of each node feature bit (E.1.7)."""

    ENABLE_ASSIGNMENTS_V2 = 0  # approval tranche-0 assignments in one certificate
    ELASTIC_SCALING_MVP = 1  # core index appended to `validator_indices` (now always injected)
    AVAILABILITY_CHUNK_MAPPING = 2  # RFC-47 systematic chunks
    CANDIDATE_RECEIPT_V2 = 3  # RFC-103 descriptors and UMP signals
    CANDIDATE_RECEIPT_V3 = 4  # V3 descriptors (PR #10472) [unconfirmed name]


def node_feature_enabled(features: BitVec, feature: NodeFeature) -> bool:
    """Whether `feature`'s bit is set. A bit beyond the vector's end is off: a configuration
    written before a feature existed has a shorter vector (Rust's `get(i)` giving None)."""
    return features.get(int(feature))


def node_features(*features: NodeFeature) -> BitVec:
    """The vector with exactly `features` set, as long as its highest bit needs
    (`set_node_feature` grows the vector to the index it sets); empty for no feature. Bits 3
    and 4 give 5 bits, byte 0x18, the genesis JSON's `{"bits": 5, "data": [24]}`."""
    for feature in features:
        if not isinstance(feature, NodeFeature):
            raise InvalidRecord("NodeFeatures", "feature", feature, "must be a NodeFeature")
    length = max((int(f) + 1 for f in features), default=0)
    return BitVec.from_indices(length, (int(f) for f in features))
