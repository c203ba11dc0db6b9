"""Today's protocol (2024-2026) beside the seeds' design: descriptor versions, UMP signals, the
claim queue, node features, candidate events.

The seeds' records stay in ``records/``; this folder reads today's meaning into the same bytes
(a V2 or V3 descriptor is the 292-byte ``CandidateDescriptor``) and holds the pure helpers the
runtime's inclusion step and the node build on (polkadot-sdk ``polkadot/primitives/src/v9/mod.rs``;
RFC-103; PRs #5322, #5423, #7955, #10472, #11290).

- ``descriptor.py``: version classification, the V2/V3 fields, builders, version acceptance.
- ``ump_signals.py``: the ``UMPSignal`` enum, the separator, parsing signals out of commitments.
- ``claim_queue.py``: the claim queue, its transpose, the committed core index.
- ``node_features.py``: the configuration's node-feature bits.
- ``events.py``: the runtime's ``CandidateEvent``.
- ``chain_state.py``: the chain state the inclusion step reads and writes.
- ``sanitize.py``: the runtime's filters of bitfields and backed candidates, with named rules.
- ``inclusion.py``: ``include``, the inclusion step of one relay block.
"""
