# Vector family `records`: a record's SCALE bytes decoded whole and encoded again (the bytes must
# come back unchanged, and bytes that are not the record must be refused), with the hashes that
# identify it: the candidate hash, the commitments hash, the persisted-validation-data hash, the
# PoV hash and the block hash, each BLAKE2b-256 (core/records/hashing.py). The records and their
# SCALE forms are core/records/'s and core/today/'s (polkadot@c4ee9d46 primitives/src/v1/mod.rs,
# polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs); the one entry point is
# core/records/codec.py's `decode` / `encode`. This module only translates JSON to records and
# back.
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backable.core import (
    BackedCandidate,
    BitVec,
    CandidateCommitments,
    CandidateDescriptor,
    CandidateEvent,
    CandidateReceipt,
    ClaimQueue,
    CommittedCandidateReceipt,
    CoreState,
    DecodeError,
    DisputeState,
    DisputeStatement,
    DisputeStatementSet,
    GroupRotationInfo,
    Header,
    OutboundHrmpMessage,
    ParachainsInherentData,
    PersistedValidationData,
    PoV,
    SignedAvailabilityBitfield,
    SignedStatement,
    SigningContext,
    UMPSignal,
    ValidityAttestation,
    decode,
    encode,
)
from backable.core.records.statements import Statement

from ..build import make_case
from ..drawing import drawn
from ..family import Case, CaseSource, Family, Json, Profile, VectorInputError
from ..fields import hex_field, hex_of, str_field

__all__ = ["FAMILY", "RECORD_TYPES", "VectorRecordType", "record_input"]


def _candidate_hashes(record: Any) -> dict[str, bytes]:
    return {"candidate_hash": record.hash(), "commitments_hash": record.commitments.hash()}


@dataclass(frozen=True, slots=True)
class VectorRecordType:
    """One record type the family decodes: the class (or tagged enum) the codec reads, the Rust
    type whose SCALE form it shares, and the hashes that identify a value of it."""

    python_type: Any
    rust_type: str
    hashes: Callable[[Any], dict[str, bytes]] | None = None


RECORD_TYPES: dict[str, VectorRecordType] = {
    "CandidateDescriptor": VectorRecordType(
        CandidateDescriptor, "polkadot_primitives::CandidateDescriptorV2<H256> (= v1's bytes)"
    ),
    "CandidateCommitments": VectorRecordType(
        CandidateCommitments,
        "polkadot_primitives::CandidateCommitments<u32>",
        lambda r: {"commitments_hash": r.hash()},
    ),
    "CandidateReceipt": VectorRecordType(
        CandidateReceipt,
        "polkadot_primitives::CandidateReceiptV2<H256>",
        lambda r: {"candidate_hash": r.hash()},
    ),
    "CommittedCandidateReceipt": VectorRecordType(
        CommittedCandidateReceipt,
        "polkadot_primitives::CommittedCandidateReceiptV2<H256>",
        lambda r: {"candidate_hash": r.hash(), "commitments_hash": r.commitments.hash()},
    ),
    "PersistedValidationData": VectorRecordType(
        PersistedValidationData,
        "polkadot_primitives::PersistedValidationData<H256, u32>",
        lambda r: {"persisted_validation_data_hash": r.hash()},
    ),
    "PoV": VectorRecordType(
        PoV, "polkadot_node_primitives::PoV", lambda r: {"pov_hash": r.hash()}
    ),
    "BackedCandidate": VectorRecordType(
        BackedCandidate,
        "polkadot_primitives::BackedCandidate<H256>",
        lambda r: _candidate_hashes(r.candidate),
    ),
    "OutboundHrmpMessage": VectorRecordType(
        OutboundHrmpMessage, "polkadot_core_primitives::OutboundHrmpMessage<u32>"
    ),
    "SignedAvailabilityBitfield": VectorRecordType(
        SignedAvailabilityBitfield, "polkadot_primitives::UncheckedSignedAvailabilityBitfield"
    ),
    "SignedStatement": VectorRecordType(
        SignedStatement,
        "polkadot_node_primitives::UncheckedSignedFullStatement, with the seeds' variant"
        " 3 = Invalid(CandidateHash)",
    ),
    "Statement": VectorRecordType(
        Statement,
        "polkadot_node_primitives::Statement (1 Seconded, 2 Valid), with the seeds' 3 Invalid",
    ),
    "SigningContext": VectorRecordType(SigningContext, "polkadot_primitives::SigningContext<H256>"),
    "ValidityAttestation": VectorRecordType(
        ValidityAttestation, "polkadot_primitives::ValidityAttestation"
    ),
    "DisputeStatement": VectorRecordType(DisputeStatement, "polkadot_primitives::DisputeStatement"),
    "DisputeStatementSet": VectorRecordType(
        DisputeStatementSet, "polkadot_primitives::DisputeStatementSet"
    ),
    "DisputeState": VectorRecordType(DisputeState, "polkadot_primitives::DisputeState<u32>"),
    "Header": VectorRecordType(
        Header, "sp_runtime::generic::Header<u32, BlakeTwo256>", lambda r: {"block_hash": r.hash()}
    ),
    "ParachainsInherentData": VectorRecordType(
        ParachainsInherentData, "polkadot_primitives::InherentData<Header>"
    ),
    "CoreState": VectorRecordType(CoreState, "polkadot_primitives::CoreState<H256, u32>"),
    "GroupRotationInfo": VectorRecordType(
        GroupRotationInfo, "polkadot_primitives::GroupRotationInfo<u32>"
    ),
    "ClaimQueue": VectorRecordType(
        ClaimQueue, "BTreeMap<CoreIndex, VecDeque<ParaId>> (runtime API claim_queue)"
    ),
    "UMPSignal": VectorRecordType(UMPSignal, "polkadot_primitives::UMPSignal"),
    "CandidateEvent": VectorRecordType(CandidateEvent, "polkadot_primitives::CandidateEvent<H256>"),
    "BitVec": VectorRecordType(BitVec, "bitvec::BitVec<u8, Lsb0>"),
}


def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
    name = str_field(data, "type")
    kind = RECORD_TYPES.get(name)
    if kind is None:
        raise VectorInputError(f"input.type: {name!r} is not one of {sorted(RECORD_TYPES)}")
    raw = hex_field(data, "bytes")
    try:
        record = decode(kind.python_type, raw)
    except DecodeError:
        return {"decodes": False}
    hashes: dict[str, Json] = {}
    if kind.hashes is not None:
        hashes = {key: hex_of(value) for key, value in sorted(kind.hashes(record).items())}
    encoded = encode(record, CoreState if kind.python_type is CoreState else None)
    return {"decodes": True, "encoding": hex_of(encoded), "hashes": hashes}


# -- cases -------------------------------------------------------------------------------------


def record_input(type_name: str, raw: bytes) -> dict[str, Json]:
    return {"type": type_name, "bytes": hex_of(raw)}


def _case(
    name: str, description: str, source: CaseSource, profile: Profile, data: dict[str, Json]
) -> Case:
    return make_case(evaluate, name, description, source, profile, data)


def _boundary(name: str, description: str, type_name: str, raw: bytes) -> Case:
    return _case(name, description, "boundary", "seeds", record_input(type_name, raw))


_H = bytes(range(32))


def _descriptor() -> CandidateDescriptor:
    return CandidateDescriptor(
        para_id=2000,
        relay_parent=_H,
        collator=b"\x02" * 32,
        persisted_validation_data_hash=b"\x03" * 32,
        pov_hash=b"\x04" * 32,
        erasure_root=b"\x05" * 32,
        signature=b"\x06" * 64,
        para_head=b"\x07" * 32,
        validation_code_hash=b"\x08" * 32,
    )


def _compact_cases() -> list[Case]:
    # SCALE's compact integer changes form at 2**6, 2**14 and 2**30: bit vectors, PoVs and
    # header numbers on each side of each step.
    cases = []
    for n in (0, 1, 7, 8, 9, 63, 64, 16383, 16384):
        bits = BitVec(((1 << n) - 1) // 3, n)  # ones and zeros alternating
        cases.append(_boundary(f"bitvec-of-{n}-bits", f"a bit vector of {n} bits (Lsb0)",
                               "BitVec", encode(bits)))
    for n in (0, 63, 64, 16383, 16384):
        cases.append(_boundary(f"pov-of-{n}-bytes",
                               f"a PoV of {n} bytes: its compact length prefix and hash",
                               "PoV", encode(PoV(bytes([n % 251]) * n))))
    for number in (0, 63, 64, 16383, 16384, 2**30 - 1, 2**30, 2**32 - 1):
        header = Header(_H, number, b"\x0b" * 32, b"\x0c" * 32, ())
        cases.append(_boundary(f"header-number-{number}",
                               f"a header numbered {number} (compact) and its block hash",
                               "Header", encode(header)))
    return cases


def _record_cases() -> list[Case]:
    d = _descriptor()
    empty = CandidateCommitments()
    full = CandidateCommitments(
        upward_messages=(b"\x01\x02", b""),
        horizontal_messages=(OutboundHrmpMessage(2001, b"\xaa"),),
        new_validation_code=b"",
        head_data=b"\x0a" * 64,
        processed_downward_messages=2**32 - 1,
        hrmp_watermark=7,
    )
    many = CandidateCommitments(upward_messages=tuple(bytes([i]) for i in range(64)))
    committed = CommittedCandidateReceipt(d, full)
    pvd = PersistedValidationData(b"\x0a\x0b", 2**32 - 1, b"\x0d" * 32, 5 * 1024 * 1024)
    return [
        _boundary("descriptor", "a descriptor: 292 bytes, no length prefix",
                  "CandidateDescriptor", encode(d)),
        _boundary("commitments-empty", "commitments with every list empty and no code",
                  "CandidateCommitments", encode(empty)),
        _boundary("commitments-full",
                  "commitments with messages, an empty new code (Some, not None), u32 max",
                  "CandidateCommitments", encode(full)),
        _boundary("commitments-64-upward-messages",
                  "64 upward messages: the vector's compact length takes two bytes",
                  "CandidateCommitments", encode(many)),
        _boundary("receipt", "a plain receipt: its hash is the candidate hash",
                  "CandidateReceipt", encode(committed.to_plain())),
        _boundary("committed-receipt",
                  "a committed receipt: its candidate hash is its plain receipt's, not the"
                  " hash of its own bytes", "CommittedCandidateReceipt", encode(committed)),
        _boundary("persisted-validation-data", "validation data and its hash",
                  "PersistedValidationData", encode(pvd)),
        _boundary("hrmp-message", "one outbound HRMP message", "OutboundHrmpMessage",
                  encode(OutboundHrmpMessage(1000, b"\x01\x02\x03"))),
    ]


def _refusals() -> list[Case]:
    d = encode(_descriptor())
    commitments = encode(CandidateCommitments(head_data=b"\x01"))
    return [
        _boundary("refused-empty-descriptor", "no bytes are no descriptor",
                  "CandidateDescriptor", b""),
        _boundary("refused-short-descriptor", "291 bytes are one short of a descriptor",
                  "CandidateDescriptor", d[:-1]),
        _boundary("refused-trailing-byte", "a descriptor followed by one more byte",
                  "CandidateDescriptor", d + b"\x00"),
        _boundary("refused-option-tag-2",
                  "the new validation code's option tag is neither 0 nor 1",
                  "CandidateCommitments", b"\x00\x00\x02" + commitments[3:]),
        _boundary("refused-non-canonical-compact",
                  "a length 0 written in compact's two-byte form (0x01 0x00)", "PoV", b"\x01\x00"),
        _boundary("refused-statement-tag-0", "statement variant 0 does not exist",
                  "Statement", b"\x00" + _H),
        _boundary("refused-statement-tag-4", "statement variant 4 does not exist",
                  "Statement", b"\x04" + _H),
        _boundary("refused-attestation-tag-0", "validity attestation variant 0 does not exist",
                  "ValidityAttestation", b"\x00" + b"\x01" * 64),
        _boundary("refused-core-state-tag-3", "core state variant 3 does not exist",
                  "CoreState", b"\x03"),
        _boundary("refused-truncated-bitvec", "a bit vector of 9 bits with one byte of data",
                  "BitVec", b"\x24\xff"),
        _boundary("refused-ump-signal-tag-2", "UMP signal variant 2 does not exist",
                  "UMPSignal", b"\x02\x00\x00"),
    ]


def _returning(strategy: Any) -> Callable[[Any], Any]:
    # `drawn` builds its strategy from hypothesis' module; this one is built already.
    return lambda _: strategy


def _generated_cases() -> list[Case]:
    from .. import record_strategies as rs

    strategies: dict[str, Any] = {
        "CandidateDescriptor": rs.descriptors(),
        "CandidateCommitments": rs.commitments(),
        "CandidateReceipt": rs.receipts(),
        "CommittedCandidateReceipt": rs.committed_receipts(),
        "PersistedValidationData": rs.persisted_validation_data(),
        "PoV": rs.povs(),
        "BackedCandidate": rs.backed_candidates(),
        "SignedAvailabilityBitfield": rs.signed_bitfields(),
        "SignedStatement": rs.signed_statements(),
        "SigningContext": rs.signing_contexts(),
        "ValidityAttestation": rs.attestations(),
        "DisputeStatement": rs.dispute_statements(),
        "DisputeStatementSet": rs.dispute_statement_sets(),
        "DisputeState": rs.dispute_states(),
        "Header": rs.headers(),
        "ParachainsInherentData": rs.inherent_data(),
        "CoreState": rs.core_states(),
        "GroupRotationInfo": rs.rotation_infos(),
        "ClaimQueue": rs.claim_queues(),
        "UMPSignal": rs.ump_signals(),
        "CandidateEvent": rs.candidate_events(),
        "BitVec": rs.bitvecs(),
    }
    cases: list[Case] = []
    for index, (name, strategy) in enumerate(sorted(strategies.items())):
        values = drawn(_returning(strategy), 5, 16_200 + index)
        for i, value in enumerate(values):
            raw = encode(value, CoreState if name == "CoreState" else None)
            cases.append(_case(f"generated-{name}-{i}", f"a seeded draw of a {name}",
                               "generated", "seeds", record_input(name, raw)))
        # The same bytes cut short by one: every record refuses them.
        if values:
            raw = encode(values[-1], CoreState if name == "CoreState" else None)
            if raw:
                cases.append(_case(f"generated-{name}-cut-short",
                                   f"a seeded {name}'s bytes without their last byte",
                                   "generated", "seeds", record_input(name, raw[:-1])))
    return cases


def _chain_cases(chain_data: Path) -> list[Case]:
    from ..chain import real_blocks

    cases: list[Case] = []
    for block in real_blocks(chain_data):
        inherent = block.inherent
        where = f"block {block.number} ({block.chain})"
        header = record_input("Header", encode(inherent.parent_header))
        cases.append(_case(f"chain-{block.number}-parent-header",
                           f"{where}: the inherent's parent header and its block hash",
                           "chain", "seeds", header))
        for i, backed in enumerate(inherent.backed_candidates):
            receipt = backed.candidate
            cases.append(_case(f"chain-{block.number}-candidate-{i}-committed-receipt",
                               f"{where}, backed candidate {i}: its committed receipt",
                               "chain", "seeds",
                               record_input("CommittedCandidateReceipt", encode(receipt))))
            cases.append(_case(f"chain-{block.number}-candidate-{i}-receipt",
                               f"{where}, backed candidate {i}: its plain receipt",
                               "chain", "seeds",
                               record_input("CandidateReceipt", encode(receipt.to_plain()))))
            cases.append(_case(f"chain-{block.number}-candidate-{i}-backed",
                               f"{where}, backed candidate {i} with its votes and bits",
                               "chain", "seeds", record_input("BackedCandidate", encode(backed))))
        for i, bitfield in enumerate(inherent.bitfields[:3]):
            cases.append(_case(f"chain-{block.number}-bitfield-{i}",
                               f"{where}: signed bitfield {i}", "chain", "seeds",
                               record_input("SignedAvailabilityBitfield", encode(bitfield))))
    return cases


def cases(chain_data: Path | None) -> tuple[Case, ...]:
    found = _compact_cases() + _record_cases() + _refusals() + _generated_cases()
    if chain_data is not None:
        found += _chain_cases(chain_data)
    return tuple(found)


def _type_table() -> str:
    rows = [f"| `{name}` | `{kind.rust_type}` |" for name, kind in sorted(RECORD_TYPES.items())]
    return "\n".join(["| `type` | SCALE form of |", "| --- | --- |", *rows])


SCHEMA = f"""\
Decodes a record's SCALE bytes and encodes the value again, and gives the hashes that identify
it. A decoder must read the whole input (Rust's `DecodeAll`): trailing bytes, truncated bytes,
an enum or option tag out of range and a compact integer not in its shortest form are all
refusals. Hashes are BLAKE2b-256: the candidate hash is the hash of the descriptor's bytes
followed by the commitments hash (for a committed receipt too, never the hash of its own
bytes); the commitments, validation-data and PoV hashes are of those records' bytes; the
block hash is the header's.

**Input**

- `type` (string): one of the names below.
- `bytes` (hex): the bytes to decode.

{_type_table()}

Enum types (`Statement`, `ValidityAttestation`, `DisputeStatement`, `CoreState`, `UMPSignal`,
`CandidateEvent`) carry their variant index as the first byte.

**Output**

- `decodes` (bool): whether the bytes are exactly one value of the type. When false, no other
  field.
- `encoding` (hex): the decoded value encoded again; always equal to `bytes`.
- `hashes` (object): only the keys that apply to the type: `candidate_hash` (CandidateReceipt,
  CommittedCandidateReceipt, BackedCandidate), `commitments_hash` (CandidateCommitments,
  CommittedCandidateReceipt, BackedCandidate), `persisted_validation_data_hash`
  (PersistedValidationData), `pov_hash` (PoV), `block_hash` (Header); an empty object for the
  other types.

**Cases**

Boundaries: every compact form (bit vectors, PoVs, header numbers on each side of 2^6, 2^14,
2^30), commitments with an empty but present new code, and refusals of each kind. Generated:
five seeded values of every type, and one of each cut short by a byte. Chain: every backed
candidate of the six real blocks (committed receipt, plain receipt, the backed candidate), each
block's parent header and first three bitfields. Not in the vectors: a bit vector whose unused
high bits are set, which this project refuses and Rust's decoder accepts (dropping them).

**Profiles**

`seeds` only: the byte layouts are the same on the network.
"""

FAMILY = Family(
    name="records",
    summary="SCALE round trips of every record, and the candidate, commitments, PVD, PoV hashes",
    schema=SCHEMA,
    evaluate=evaluate,
    cases=cases,
)
