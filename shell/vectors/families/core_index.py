# Vector family `core_index`: which core a candidate is for under today's rules, from its three
# sources. The UMP signals at the end of its upward messages (a SelectCore picks among the cores
# the claim queue gives its para), the core index a V2 descriptor names (the two must agree), and
# the eight bits `BackedCandidate::new` appends to `validator_indices`. The rules are
# core/today/ump_signals.py's `ump_signals` and core/today/claim_queue.py's `parse_ump_signals`,
# `check_core_index`, `transpose_claim_queue` and `split_injected_core_index` (polkadot-sdk@88db6842
# polkadot/primitives/src/v9/mod.rs; RFC-103; PRs #5423, #7955). This module only translates
# JSON to records and back.
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from backable.core import (
    ApprovedPeer,
    BitVec,
    CandidateCommitments,
    CandidateReceiptError,
    ClaimQueue,
    CommittedCandidateReceipt,
    DescriptorVersion,
    SelectCore,
    UmpSignals,
    check_core_index,
    commitments_with_signals,
    descriptor_version,
    encode,
    parse_ump_signals,
    split_injected_core_index,
    transpose_claim_queue,
    ump_signals,
)
from backable.core.today.ump_signals import AnyUMPSignal

from ..build import cases_in_order, make_case
from ..drawing import drawn
from ..family import Case, CaseSource, Family, Json, Profile, VectorInputError
from ..fields import hex_of, record_field
from .descriptor_versions import raw_descriptor, v2, v3_ambiguous

__all__ = ["FAMILY", "boundary_cases", "core_index_input"]


def _signal_json(signal: AnyUMPSignal) -> Json:
    if isinstance(signal, SelectCore):
        return {
            "SelectCore": {
                "core_selector": signal.core_selector,
                "claim_queue_offset": signal.claim_queue_offset,
            }
        }
    return {"ApprovedPeer": hex_of(signal.peer_id)}


def _error_json(error: CandidateReceiptError) -> dict[str, Json]:
    out: dict[str, Json] = {"error": error.kind.value}
    if error.descriptor_core is not None and error.commitments_core is not None:
        out["descriptor_core"] = error.descriptor_core
        out["commitments_core"] = error.commitments_core
    if error.unknown_version is not None:
        out["unknown_version"] = error.unknown_version
    return out


def _signals_json(signals: UmpSignals | CandidateReceiptError) -> Json:
    if isinstance(signals, CandidateReceiptError):
        return _error_json(signals)
    found: list[Json] = [_signal_json(s) for s in signals.signals]
    return {"signals": found}


def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
    receipt = record_field(data, "candidate", CommittedCandidateReceipt)
    queue = record_field(data, "claim_queue", ClaimQueue)
    if "validator_indices" not in data:
        raise VectorInputError("input.validator_indices: missing")
    bits = None if data["validator_indices"] is None else record_field(
        data, "validator_indices", BitVec
    )
    transposed = transpose_claim_queue(queue)
    parsed = parse_ump_signals(receipt, transposed)
    committed: int | None = None
    descriptor = receipt.descriptor
    if not isinstance(parsed, CandidateReceiptError) and (
        descriptor_version(descriptor) is DescriptorVersion.V2
    ):
        core = check_core_index(descriptor, parsed, transposed, descriptor.para_id)
        assert isinstance(core, int), "parse_ump_signals accepted it, so its core check passed"
        committed = core
    split: Json = None
    if bits is not None:
        group_bits, injected = split_injected_core_index(bits)
        split = {"group_bits": hex_of(encode(group_bits)), "core_index": injected}
    accepted: Json = (
        _error_json(parsed) if isinstance(parsed, CandidateReceiptError) else {"ok": True}
    )
    return {
        "ump_signals": _signals_json(ump_signals(receipt.commitments)),
        "parse_ump_signals": accepted,
        "committed_core_index": committed,
        "split_validator_indices": split,
    }


# -- cases -------------------------------------------------------------------------------------


def core_index_input(
    receipt: CommittedCandidateReceipt, queue: ClaimQueue, bits: BitVec | None
) -> dict[str, Json]:
    return {
        "candidate": hex_of(encode(receipt)),
        "claim_queue": hex_of(encode(queue)),
        "validator_indices": None if bits is None else hex_of(encode(bits)),
    }


def _case(
    name: str, description: str, source: CaseSource, profile: Profile, data: dict[str, Json]
) -> Case:
    return make_case(evaluate, name, description, source, profile, data)


PARA = 2000  # the para of the descriptor builders
_XCM = (b"\x05\x06",)


def _with(messages: tuple[bytes, ...]) -> CandidateCommitments:
    return CandidateCommitments(upward_messages=messages, head_data=b"\x01")


def _signalled(*signals: AnyUMPSignal) -> CandidateCommitments:
    return commitments_with_signals(_with(_XCM), signals)


def boundary_cases() -> list[Case]:
    v1 = raw_descriptor(b"\xd4" * 32, b"\x9e" * 64)
    one = ClaimQueue.from_mapping({3: (PARA, 1000)})
    three = ClaimQueue.from_mapping({1: (PARA,), 4: (1000,), 5: (PARA,), 9: (PARA,)})
    deep = ClaimQueue.from_mapping({0: (1000, PARA), 2: (1000, 1000, PARA)})
    items: list[tuple[str, str, CommittedCandidateReceipt, ClaimQueue, BitVec | None]] = [
        ("v1-without-signals", "a V1 candidate without signals: accepted, no committed core",
         CommittedCandidateReceipt(v1, _with(_XCM)), one, None),
        ("v1-with-a-signal-is-refused", "a V1 candidate may not carry UMP signals",
         CommittedCandidateReceipt(v1, _signalled(SelectCore(0, 0))), one, None),
        ("unknown-version-is-refused", "internal version 7: UnknownVersion carrying 7",
         CommittedCandidateReceipt(raw_descriptor(b"\x07" + bytes(31), bytes(64)),
                                   _signalled(SelectCore(0, 0))), one, None),
        ("v2-select-core-matches", "SelectCore(0, 0) on the para's one core 3, descriptor core 3",
         CommittedCandidateReceipt(v2(3, 1), _signalled(SelectCore(0, 0))), one, None),
        ("v2-select-core-mismatch", "the commitments select core 3, the descriptor names 4",
         CommittedCandidateReceipt(v2(4, 1), _signalled(SelectCore(0, 0))), one, None),
        ("v2-selector-taken-modulo", "selector 4 among cores 1, 5, 9 picks the second (5)",
         CommittedCandidateReceipt(v2(5, 1), _signalled(SelectCore(4, 0))), three, None),
        ("v2-selector-in-ascending-core-order", "selector 2 among cores 1, 5, 9 is core 9",
         CommittedCandidateReceipt(v2(9, 1), _signalled(SelectCore(2, 0))), three, None),
        ("v2-claim-queue-offset-1", "offset 1 looks at depth 1, where the para holds core 0",
         CommittedCandidateReceipt(v2(0, 1), _signalled(SelectCore(0, 1))), deep, None),
        ("v2-claim-queue-offset-2", "offset 2 looks at depth 2: core 2",
         CommittedCandidateReceipt(v2(2, 1), _signalled(SelectCore(7, 2))), deep, None),
        ("v2-no-assignment-at-the-offset", "nothing for the para at depth 0: NoAssignment",
         CommittedCandidateReceipt(v2(0, 1), _signalled(SelectCore(0, 0))), deep, None),
        ("v2-no-select-core-single-core", "no SelectCore and one core at depth 0: that core",
         CommittedCandidateReceipt(v2(3, 1), _with(_XCM)), one, None),
        ("v2-no-select-core-single-core-mismatch",
         "no SelectCore, one core 3, descriptor core 6: CoreIndexMismatch",
         CommittedCandidateReceipt(v2(6, 1), _with(_XCM)), one, None),
        ("v2-no-select-core-among-several", "no SelectCore, cores 1, 5, 9, descriptor core 9: ok",
         CommittedCandidateReceipt(v2(9, 1), _with(_XCM)), three, None),
        ("v2-no-select-core-not-among-several",
         "no SelectCore, cores 1, 5, 9, descriptor core 4: InvalidCoreIndex",
         CommittedCandidateReceipt(v2(4, 1), _with(_XCM)), three, None),
        ("separator-with-nothing-after", "an empty message last: no signals",
         CommittedCandidateReceipt(v2(3, 1), _with((*_XCM, b""))), one, None),
        ("select-core-and-approved-peer", "both signals, ApprovedPeer first",
         CommittedCandidateReceipt(v2(3, 1), _with((*_XCM, b"", encode(ApprovedPeer(b"\x12" * 3)),
                                                    encode(SelectCore(0, 0))))), one, None),
        ("signal-that-does-not-decode", "a signal message with variant 9: UmpSignalDecode",
         CommittedCandidateReceipt(v2(3, 1), _with((*_XCM, b"", b"\x09"))), one, None),
        ("second-separator-is-a-bad-signal",
         "only the first empty message separates: a second is a signal that does not decode",
         CommittedCandidateReceipt(v2(3, 1), _with((*_XCM, b"", encode(SelectCore(0, 0)), b""))),
         one, None),
        ("signal-with-trailing-bytes", "bytes after a well-formed signal are not looked at",
         CommittedCandidateReceipt(
             v2(3, 1), _with((*_XCM, b"", encode(SelectCore(0, 0)) + b"\xff"))
         ), one, None),
        ("duplicate-select-core", "two SelectCore signals: DuplicateUMPSignal",
         CommittedCandidateReceipt(v2(3, 1), _with((*_XCM, b"", encode(SelectCore(0, 0)),
                                                    encode(SelectCore(1, 0))))), one, None),
        ("three-signals", "three messages after the separator: TooManyUMPSignals",
         CommittedCandidateReceipt(v2(3, 1), _with((*_XCM, b"", encode(SelectCore(0, 0)),
                                                    encode(ApprovedPeer(b"")), b"\x00\x00\x00"))),
         one, None),
    ]
    cases = [
        _case(name, description, "boundary", "network", core_index_input(receipt, queue, bits))
        for name, description, receipt, queue, bits in items
    ]
    plain = CommittedCandidateReceipt(v1, _with(_XCM))
    splits = [
        ("split-group-of-3-core-5", "11 bits 1,0,1 | 1,0,1,0,0,0,0,0: group bits 101, core 5",
         BitVec.from_str("10110100000")),
        ("split-8-bits-is-all-group", "8 bits or fewer carry no core index",
         BitVec.from_str("11111111")),
        ("split-9-bits", "9 bits: one group bit, then core 255", BitVec.from_str("011111111")),
        ("split-empty", "no bits at all", BitVec.from_str("")),
        ("split-group-of-5-core-35", "13 bits as block 22887036 carries them: core 35",
         BitVec.from_str("1111111000100")),
    ]
    cases += [
        _case(name, description, "boundary", "network", core_index_input(plain, one, bits))
        for name, description, bits in splits
    ]
    return cases


def _generated_cases() -> list[Case]:
    from .. import record_strategies as rs
    from ..record_strategies import st

    paras = st.sampled_from((PARA, PARA, PARA, 1000, 3000))

    @st.composite
    def world(draw: st.DrawFn) -> tuple[CommittedCandidateReceipt, ClaimQueue, BitVec | None]:
        cores = draw(st.lists(st.integers(0, 7), unique=True, min_size=1, max_size=5))
        queue = ClaimQueue(tuple(
            (core, tuple(draw(st.lists(paras, min_size=1, max_size=3)))) for core in cores
        ))
        if draw(st.integers(0, 4)) == 0:
            descriptor = draw(rs.descriptors())
        else:
            # The descriptor's core is often one the queue has, so that it may be the one.
            descriptor = v2(draw(st.sampled_from(cores) | st.integers(0, 7)), draw(rs.u32s))
        signals: list[AnyUMPSignal] = []
        if draw(st.integers(0, 4)):
            offset = draw(st.sampled_from((0, 0, 0, 1, 2)))
            signals.append(SelectCore(draw(st.integers(0, 5)), offset))
        if draw(st.integers(0, 3)) == 0:
            signals.append(ApprovedPeer(draw(st.binary(max_size=4))))
        commitments = commitments_with_signals(_with(_XCM), draw(st.permutations(signals)))
        bits = draw(st.none() | rs.bitvecs(max_len=20))
        return CommittedCandidateReceipt(descriptor, commitments), queue, bits

    cases: list[Case] = []
    for i, (receipt, queue, bits) in enumerate(drawn(lambda _: world(), 70, 16_501)):
        if v3_ambiguous(receipt.descriptor):
            continue
        cases.append(_case(f"generated-{i:03d}",
                           "a seeded candidate, claim queue and validator_indices",
                           "generated", "network", core_index_input(receipt, queue, bits)))
    return cases


def _chain_cases(chain_data: Path) -> list[Case]:
    from ..chain import real_blocks

    cases: list[Case] = []
    for block in real_blocks(chain_data):
        found = []
        for backed in block.inherent.backed_candidates:
            _, core = split_injected_core_index(backed.validator_indices)
            if core is not None:
                found.append((core, backed))
        if not found:
            continue
        # The claim queue the block's candidates imply: each on its injected core, at depth 0.
        queue = ClaimQueue(tuple(
            (core, (backed.candidate.descriptor.para_id,)) for core, backed in found
        ))
        for i, backed in enumerate(block.inherent.backed_candidates):
            para = backed.candidate.descriptor.para_id
            cases.append(_case(
                f"chain-{block.number}-candidate-{i}",
                f"block {block.number} ({block.chain}), backed candidate {i} (para {para}):"
                " its injected core index", "chain", "network",
                core_index_input(backed.candidate, queue, backed.validator_indices)))
    return cases


def cases(chain_data: Path | None) -> tuple[Case, ...]:
    return cases_in_order(boundary_cases, _generated_cases, _chain_cases, chain_data)


SCHEMA = """\
The core a candidate is for, from its three sources under today's rules (RFC-103;
`CandidateCommitments::ump_signals`, `CommittedCandidateReceiptV2::parse_ump_signals` and
`check_core_index`, `transpose_claim_queue`, `BackedCandidate::validator_indices_and_core_index`
in polkadot-sdk `polkadot/primitives/src/v9/mod.rs`).

**Input**

- `candidate` (hex): SCALE `polkadot_primitives::CommittedCandidateReceiptV2`.
- `claim_queue` (hex): SCALE `BTreeMap<CoreIndex, VecDeque<ParaId>>` (the runtime API
  `claim_queue`; cores ascending, each with its paras, depth 0 first).
- `validator_indices` (hex or null): SCALE `BitVec<u8, Lsb0>`, a backed candidate's
  `validator_indices`.

**Rule**

- Signals (`ump_signals`): the upward messages after the first empty one; none is no signal.
  The first two must each decode as a `UMPSignal` (0 `SelectCore(u8 selector, u8 offset)`, 1
  `ApprovedPeer(BoundedVec<u8, 64>)`; bytes after a well-formed signal are ignored), else
  `UmpSignalDecode`; a second signal of a kind already seen is `DuplicateUMPSignal`; a third
  message is `TooManyUMPSignals`; checked in that order.
- `parse_ump_signals`, with the claim queue transposed (para -> depth -> ascending cores): the
  signals' error first; a V1 descriptor (the `descriptor_versions` family's rule) with signals
  is `UMPSignalWithV1Decriptor` (Rust's spelling), without them accepted; an unknown version is
  `UnknownVersion`; then `check_core_index` for the descriptor's para: the cores at depth
  `offset` (0 without a SelectCore) must not be empty (`NoAssignment`); with a SelectCore the
  core is the `selector % n`-th of them, ascending; without one and a single core, that core;
  without one and several, the descriptor's core (u16 at bytes 37..39) must be among them
  (`InvalidCoreIndex`) and is the answer; otherwise the core must equal the descriptor's
  (`CoreIndexMismatch` carrying both).
- The injected core index: a bit vector longer than 8 bits splits into its first `len - 8`
  bits (the group's) and the last 8, read as a u8 least significant bit first; 8 bits or fewer
  carry no core.

**Output**

- `ump_signals` (object): `{"signals": [...]}` in message order, each `{"SelectCore":
  {"core_selector": int, "claim_queue_offset": int}}` or `{"ApprovedPeer": hex}`; or
  `{"error": name}`.
- `parse_ump_signals` (object): `{"ok": true}`, or `{"error": name}` with, for
  `CoreIndexMismatch`, `"descriptor_core"` and `"commitments_core"` (ints) and, for
  `UnknownVersion`, `"unknown_version"` (int). Error names are Rust's
  `CommittedCandidateReceiptError` variants.
- `committed_core_index` (int or null): for an accepted V2 candidate, the core
  `check_core_index` gives; null otherwise.
- `split_validator_indices` (object or null, null when the input's is null):
  `{"group_bits": hex (BitVec), "core_index": int or null}`.

**Profiles**

`network` only. No V3 descriptor and none that could read as V3 (see `descriptor_versions`).
Chain: the backed candidates of blocks 22887036 (Polkadot) and 22939322 (Kusama), whose
`validator_indices` end with the 8 core-index bits; the claim queue is the one the block implies
(each candidate's para on its injected core at depth 0).
"""

FAMILY = Family(
    name="core_index",
    summary="a candidate's core from its UMP signals, its V2 descriptor and injected bits",
    schema=SCHEMA,
    evaluate=evaluate,
    cases=cases,
)
