# Vector family `signing_payloads`: the exact bytes a validator or a collator signs. A backing
# statement's compact payload with its signing context, an availability bitfield's payload, a
# dispute vote's payload for every kind of dispute statement, and the collator's 132 bytes with
# whether the descriptor's collator signature verifies. The rules are core/records/signing.py's
# (polkadot@c4ee9d46 primitives: v0.rs `CompactStatement::signing_payload`, v1/signed.rs
# `payload_data`, v1/mod.rs `DisputeStatement::payload_data` and `collator_signature_payload`;
# `check_collator_signature` of polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs). This
# module only translates JSON to records and back.
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import cast

import sr25519

from backable.core import (
    ApprovalChecking,
    ApprovalCheckingMultipleCandidates,
    BackingSeconded,
    BackingValid,
    BitVec,
    CandidateDescriptor,
    DescriptorVersion,
    DisputeStatement,
    Invalid,
    InvalidExplicit,
    Seconded,
    SigningContext,
    Valid,
    ValidExplicit,
    bitfield_signing_payload,
    candidate_descriptor_v2,
    check_collator_signature,
    collator_signature_payload,
    descriptor_version,
    dispute_statement_signing_payload,
    encode,
    statement_signing_payload,
)
from backable.core.records.disputes import AnyDisputeStatement
from backable.core.records.statements import AnyStatement, Statement

from ..build import cases_in_order, make_case
from ..drawing import drawn
from ..family import Case, CaseSource, Family, Json, Profile, VectorInputError
from ..fields import hex_of, int_field, record_field, str_field
from ._json import hash_field

__all__ = [
    "FAMILY",
    "bitfield_input",
    "boundary_cases",
    "collator_input",
    "dispute_input",
    "payload_input",
    "seconded_statement",
    "statement_input",
]


def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
    kind = str_field(data, "kind")
    if kind == "statement":
        statement = cast(AnyStatement, record_field(data, "statement", Statement))
        context = record_field(data, "signing_context", SigningContext)
        return {"payload": hex_of(statement_signing_payload(statement, context))}
    if kind == "bitfield":
        bitfield = record_field(data, "bitfield", BitVec)
        context = record_field(data, "signing_context", SigningContext)
        return {"payload": hex_of(bitfield_signing_payload(bitfield, context))}
    if kind == "dispute":
        vote = cast(
            AnyDisputeStatement, record_field(data, "dispute_statement", DisputeStatement)
        )
        candidate_hash = hash_field(data, "candidate_hash")
        session = int_field(data, "session")
        if session >= 2**32:
            raise VectorInputError(f"input.session: expected a u32, got {session}")
        payload = dispute_statement_signing_payload(vote, candidate_hash, session)
        return {"payload": hex_of(payload)}
    if kind == "collator":
        descriptor = record_field(data, "descriptor", CandidateDescriptor)
        return {
            "payload": hex_of(collator_signature_payload(descriptor)),
            "collator_signature_valid": check_collator_signature(descriptor),
        }
    raise VectorInputError(
        f'input.kind: expected "statement", "bitfield", "dispute" or "collator", got {kind!r}'
    )


# -- cases -------------------------------------------------------------------------------------


def payload_input(kind: str, **fields: Json) -> dict[str, Json]:
    return {"kind": kind, **fields}


def statement_input(statement: AnyStatement, context: SigningContext) -> dict[str, Json]:
    return payload_input(
        "statement", statement=hex_of(encode(statement)), signing_context=hex_of(encode(context))
    )


def bitfield_input(bits: BitVec, context: SigningContext) -> dict[str, Json]:
    return payload_input(
        "bitfield", bitfield=hex_of(encode(bits)), signing_context=hex_of(encode(context))
    )


def dispute_input(
    vote: AnyDisputeStatement, candidate_hash: bytes, session: int
) -> dict[str, Json]:
    return payload_input(
        "dispute",
        dispute_statement=hex_of(encode(vote)),
        candidate_hash=hex_of(candidate_hash),
        session=session,
    )


def collator_input(descriptor: CandidateDescriptor) -> dict[str, Json]:
    return payload_input("collator", descriptor=hex_of(encode(descriptor)))


def _case(
    name: str, description: str, source: CaseSource, profile: Profile, data: dict[str, Json]
) -> Case:
    return make_case(evaluate, name, description, source, profile, data)


def _b(name: str, description: str, data: dict[str, Json], profile: Profile = "seeds") -> Case:
    return _case(name, description, "boundary", profile, data)


_H = bytes(range(32))
_CONTEXT = SigningContext(7, b"\x11" * 32)
# A collator key pair from a fixed seed, so that a V1 descriptor it signed is a stable case.
_COLLATOR_SEED = b"\x2a" * 32


def seconded_statement() -> Seconded:
    from .statement_table import candidate

    return Seconded(candidate(1000, 1))


def _signed_v1_descriptor() -> CandidateDescriptor:
    # sr25519 signatures are randomised: this one was made once from the key below and is kept
    # as data, so the case's bytes do not change from one export to the next.
    public, _ = sr25519.pair_from_seed(_COLLATOR_SEED)
    return CandidateDescriptor(
        para_id=2000,
        relay_parent=b"\x01" * 32,
        collator=public,
        persisted_validation_data_hash=b"\x03" * 32,
        pov_hash=b"\x04" * 32,
        erasure_root=b"\x05" * 32,
        signature=bytes.fromhex(_SIGNED_V1_SIGNATURE),
        para_head=b"\x07" * 32,
        validation_code_hash=b"\x08" * 32,
    )


# sr25519.sign(pair_from_seed(0x2a * 32), collator_signature_payload(the descriptor above)).
_SIGNED_V1_SIGNATURE = (
    "4c1b76088b8ad3f3a3e8a7ecc4d311af6ddf549eefb2d1278969e9e7bedb1f20"
    "2cfcb2aa996e067bcbe8aee4cb1dc747046af3808787a502a4bbb11cff6d7286"
)


def boundary_cases() -> list[Case]:
    seconded = seconded_statement()
    h = seconded.candidate_hash
    cases = [
        _b("statement-seconded-signs-the-candidate-hash",
           "a Seconded is signed over its candidate's hash, not the receipt: 73 bytes",
           statement_input(seconded, _CONTEXT)),
        _b("statement-valid", "a Valid: BKNG, 2, the hash, the context",
           statement_input(Valid(h), _CONTEXT)),
        _b("statement-invalid", "the seeds' Invalid: BKNG, 3, the hash, the context",
           statement_input(Invalid(h), _CONTEXT)),
        _b("statement-session-zero", "session 0 in the signing context",
           statement_input(Valid(h), SigningContext(0, _H))),
        _b("statement-session-u32-max", "the largest session in the signing context",
           statement_input(Valid(h), SigningContext(2**32 - 1, _H))),
    ]
    for n in (0, 1, 8, 9, 59, 80, 100):
        bits = BitVec(((1 << n) - 1) // 5, n)
        cases.append(_b(f"bitfield-of-{n}-bits",
                        f"a bitfield of {n} bits: its SCALE form then the context, no magic",
                        bitfield_input(bits, _CONTEXT)))
    votes: list[tuple[str, str, AnyDisputeStatement]] = [
        ("valid-explicit", "DISP, 1, the hash, the session", ValidExplicit()),
        ("invalid-explicit", "DISP, 0, the hash, the session", InvalidExplicit()),
        ("backing-seconded", "a backing Seconded's own payload, with the relay parent it names",
         BackingSeconded(b"\x22" * 32)),
        ("backing-valid", "a backing Valid's own payload, with the relay parent it names",
         BackingValid(b"\x22" * 32)),
        ("approval-checking", "APPR, the hash, the session", ApprovalChecking()),
        ("approval-multiple-of-none", "APPR, a compact 0, the session",
         ApprovalCheckingMultipleCandidates(())),
        ("approval-multiple-of-one", "one candidate: byte-identical to a plain approval vote",
         ApprovalCheckingMultipleCandidates((h,))),
        ("approval-multiple-of-three", "APPR, compact 3, the three hashes, the session",
         ApprovalCheckingMultipleCandidates((h, _H, b"\x33" * 32))),
    ]
    for name, description, vote in votes:
        cases.append(_b(f"dispute-{name}", description, dispute_input(vote, h, 9)))
    v2 = candidate_descriptor_v2(2000, b"\x01" * 32, 3, 7, b"\x03" * 32, b"\x04" * 32,
                                 b"\x05" * 32, b"\x07" * 32, b"\x08" * 32)
    signed = _signed_v1_descriptor()
    forged = CandidateDescriptor(
        signed.para_id, signed.relay_parent, signed.collator,
        signed.persisted_validation_data_hash, b"\x44" * 32, signed.erasure_root,
        signed.signature, signed.para_head, signed.validation_code_hash,
    )
    cases += [
        _b("collator-v1-signed", "a V1 descriptor its collator signed: the signature verifies",
           collator_input(signed)),
        _b("collator-v1-payload-changed",
           "the same signature over another PoV hash: it does not verify", collator_input(forged)),
        _b("collator-v2-has-nothing-to-check",
           "a V2 descriptor holds no collator key or signature: the check passes",
           collator_input(v2), "network"),
    ]
    return cases


def _generated_cases() -> list[Case]:
    from .. import record_strategies as rs
    from ..record_strategies import st

    cases: list[Case] = []
    for i, (statement, context) in enumerate(
        drawn(lambda _: st.tuples(rs.statements(), rs.signing_contexts()), 20, 16_301)
    ):
        cases.append(_case(f"generated-statement-{i:02d}", "a seeded statement and context",
                           "generated", "seeds", statement_input(statement, context)))
    for i, (bits, context) in enumerate(
        drawn(lambda _: st.tuples(rs.bitvecs(max_len=200), rs.signing_contexts()), 15, 16_302)
    ):
        cases.append(_case(f"generated-bitfield-{i:02d}", "a seeded bitfield and context",
                           "generated", "seeds", bitfield_input(bits, context)))
    for i, (vote, candidate_hash, session) in enumerate(
        drawn(lambda _: st.tuples(rs.dispute_statements(), rs.hashes, rs.u32s), 20, 16_303)
    ):
        cases.append(_case(f"generated-dispute-{i:02d}", "a seeded dispute vote",
                           "generated", "seeds", dispute_input(vote, candidate_hash, session)))
    descriptors = drawn(lambda _: rs.descriptors(), 10, 16_304)
    descriptors += drawn(lambda _: rs.v2_descriptors(), 6, 16_305)
    for i, descriptor in enumerate(descriptors):
        profile: Profile = (
            "seeds" if descriptor_version(descriptor) is DescriptorVersion.V1 else "network"
        )
        cases.append(_case(f"generated-collator-{i:02d}",
                           "a seeded descriptor: its collator payload and signature check",
                           "generated", profile, collator_input(descriptor)))
    return cases


def _chain_cases(chain_data: Path) -> list[Case]:
    from ..chain import real_blocks

    cases: list[Case] = []
    for block in real_blocks(chain_data):
        for i, backed in enumerate(block.inherent.backed_candidates):
            descriptor = backed.candidate.descriptor
            cases.append(_case(
                f"chain-{block.number}-collator-{i}",
                f"block {block.number} ({block.chain}), backed candidate {i} (para"
                f" {descriptor.para_id}): the collator's signed payload and its real signature",
                "chain", "seeds", collator_input(descriptor)))
    return cases


def cases(chain_data: Path | None) -> tuple[Case, ...]:
    return cases_in_order(boundary_cases, _generated_cases, _chain_cases, chain_data)


SCHEMA = """\
The exact bytes each signature covers (signatures are sr25519, schnorrkel with the signing
context `b"substrate"`).

**Input**, by `kind` (string):

- `"statement"`: `statement` (hex, SCALE `polkadot_node_primitives::Statement`: 1
  `Seconded(CommittedCandidateReceipt)`, 2 `Valid(CandidateHash)`, and the seeds' 3
  `Invalid(CandidateHash)`) and `signing_context` (hex, SCALE
  `polkadot_primitives::SigningContext`: session index u32 LE, then the parent hash).
- `"bitfield"`: `bitfield` (hex, SCALE `BitVec<u8, Lsb0>`, the `AvailabilityBitfield`) and
  `signing_context` (hex, as above).
- `"dispute"`: `dispute_statement` (hex, SCALE `polkadot_primitives::DisputeStatement`: 0
  `Valid(kind)` with kind 0 `Explicit`, 1 `BackingSeconded(relay_parent)`, 2
  `BackingValid(relay_parent)`, 3 `ApprovalChecking`, 4
  `ApprovalCheckingMultipleCandidates(Vec<CandidateHash>)`; 1 `Invalid(kind)` with kind 0
  `Explicit`), `candidate_hash` (hex, 32 bytes) and `session` (int, u32).
- `"collator"`: `descriptor` (hex, SCALE `polkadot_primitives::CandidateDescriptorV2`, the same
  292 bytes as v1's `CandidateDescriptor`).

**Rule**

- Statement (`CompactStatement::signing_payload`): `"BKNG"`, the compact statement's index (1
  Seconded, 2 Valid, 3 the seeds' Invalid), the candidate hash (for a Seconded, the hash of its
  receipt, never the receipt), then the signing context's SCALE bytes: 73 bytes.
- Bitfield (`Signed::payload_data`): the bit vector's SCALE bytes, then the signing context's.
- Dispute (`DisputeStatement::payload_data`): explicit votes sign `"DISP"`, one byte (1 valid,
  0 invalid), the candidate hash, the session (u32 LE); backing votes sign the backing
  statement's payload (Seconded 1, Valid 2) under `SigningContext{session, relay_parent}`;
  approval votes sign `"APPR"`, the candidate hash, the session; a multiple-candidates approval
  signs `"APPR"`, the compact count and the hashes, the session, except that with exactly one
  hash it signs what a plain approval vote signs.
- Collator (`collator_signature_payload`): relay parent, para id (u32 LE), persisted validation
  data hash, PoV hash, validation code hash: 132 bytes. Only a V1 descriptor carries a collator
  key (bytes 36..68) and signature (bytes 164..228): for it the signature must verify over the
  payload; for any other version there is nothing to check and the answer is true
  (`check_collator_signature`). The version is the `descriptor_versions` family's.

**Output**

- `payload` (hex): the signed bytes.
- `collator_signature_valid` (bool, `"collator"` only): as above.

**Profiles**

`seeds` for everything but the V2 descriptors' collator check (`network`). Chain: the collator
payloads of every backed candidate of the six real blocks, whose real signatures verify.
"""

FAMILY = Family(
    name="signing_payloads",
    summary="the bytes validators and collators sign: statements, bitfields, disputes, collators",
    schema=SCHEMA,
    evaluate=evaluate,
    cases=cases,
)
