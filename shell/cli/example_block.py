# The example relay block the package ships (shell/data/example_block.json), and the deterministic
# builder that makes it: `python -m shell.example_block` regenerates the file.
#
# Everything is derived from fixed dev keys (`//Validator0`..`//Validator9`, `//Collator<para>`)
# and fixed labels, so the only thing that changes on regeneration is the signatures: sr25519
# draws a random nonce, so each run signs differently, and every signature still verifies.
#
# What is real: collator signatures over `collator_signature_payload`, validity votes over
# `statement_signing_payload`, bitfield signatures over `bitfield_signing_payload`, the PoV and
# persisted-validation-data hashes, `para_head` (the hash of the committed head data), the
# validation code hash, and the BABE seals (by the author's dev key over the pre-seal hash).
# What is a labelled stand-in: state roots, erasure roots (no erasure coding here) and the block's
# `extrinsicsRoot` (a blake2-256 of the extrinsics, not Substrate's ordered trie root). Tools read
# only extrinsic 1, the `ParaInherent.enter` extrinsic; extrinsic 0 is a well-formed
# `Timestamp.set` so the block has the shape of a real one.
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from backable.core import (
    BackedCandidate,
    BitVec,
    CandidateCommitments,
    CandidateDescriptor,
    CommittedCandidateReceipt,
    DigestPreRuntime,
    DigestSeal,
    Explicit,
    Header,
    Implicit,
    OutboundHrmpMessage,
    ParachainsInherentData,
    PersistedValidationData,
    PoV,
    Seconded,
    SignedAvailabilityBitfield,
    SigningContext,
    Valid,
    blake2_256,
    collator_signature_payload,
    encode_paras_inherent_extrinsic,
)
from backable.core.records.scale import encode_compact, u32, u64
from backable.core.records.statements import AnyValidityAttestation

from ..collaborators.keystore import Keystore

__all__ = [
    "EXAMPLE",
    "EXAMPLE_BLOCK_RESOURCE",
    "ExampleChain",
    "build_example_block",
    "build_example_inherent",
    "example_block_bytes",
    "load_example_block",
    "main",
]

EXAMPLE_BLOCK_RESOURCE = "data/example_block.json"

_BABE = b"BABE"
_SLOT_MS = 6_000
_TIMESTAMP_CALL = b"\x03\x00"  # Timestamp pallet 3, call `set` 0, as on Polkadot
_EXTRINSIC_V4_UNSIGNED = b"\x04"
_MAX_POV_SIZE = 5 * 1024 * 1024  # Polkadot's configured max_pov_size


@dataclass(frozen=True, slots=True)
class ExampleChain:
    """The chain facts the example block was built from; the block itself does not carry them.

    `groups[g]` lists validator indices; core `k` is served by group `k` (no rotation yet).
    `availability[k]` lists the validators whose bitfield sets bit `k` (cores 0 and 1 hold
    candidates backed in an earlier block; cores 2 and 3 are free). `backed[k]` lists, for a
    candidate backed on core `k` in this block, the voting group positions: the first seconded
    (an Implicit vote), the others sent Valid (Explicit votes).
    """

    session_index: int
    parent_number: int
    timestamp_ms: int
    validator_uris: tuple[str, ...]
    groups: tuple[tuple[int, ...], ...]
    paras: tuple[int, ...]
    availability: tuple[tuple[int, ...], ...]
    backed: tuple[tuple[int, tuple[int, ...]], ...]
    inject_core_index: bool

    @property
    def n_cores(self) -> int:
        """One core per para."""
        return len(self.paras)

    def validators(self) -> tuple[bytes, ...]:
        """The validators' public keys, by validator index."""
        return Keystore.from_uris(self.validator_uris).public_keys()

    def collator_uri(self, para_id: int) -> str:
        """The secret URI of the collator that signs this para's candidates."""
        return f"//Collator{para_id}"

    def group_of_core(self, core: int) -> tuple[int, ...]:
        """The validator indices backing `core` (group `core`: no rotation in the example)."""
        return self.groups[core]


# The scenario, in one place: 10 validators, 4 cores in groups of 3, 3, 2, 2; core 0 becomes
# available in this block (8 of 10 bits, above 2/3) and takes a new candidate, core 1 stays
# pending (5 of 10), cores 2 and 3 are free and take fresh candidates. Every backed candidate
# carries elastic scaling's 8 core-index bits, as the network has done since 2024.
EXAMPLE = ExampleChain(
    session_index=42,
    parent_number=1_000,
    timestamp_ms=1_735_689_600_000,  # 2025-01-01T00:00:00Z
    validator_uris=tuple(f"//Validator{i}" for i in range(10)),
    groups=((0, 1, 2), (3, 4, 5), (6, 7), (8, 9)),
    paras=(2000, 2001, 2002, 2003),
    availability=((0, 1, 2, 3, 4, 5, 6, 7), (0, 2, 4, 6, 8), (), ()),
    backed=((0, (0, 1, 2)), (2, (1, 0)), (3, (0, 1))),
    inject_core_index=True,
)


def _label(text: str) -> bytes:
    # A stand-in 32-byte value that says what it stands for.
    return blake2_256(b"backable example: " + text.encode())


def _timestamp_extrinsic(ms: int) -> bytes:
    # `Timestamp.set(now: Compact<u64>)`, unsigned v4, like extrinsic 0 of every real block.
    body = _EXTRINSIC_V4_UNSIGNED + _TIMESTAMP_CALL + encode_compact(ms)
    return encode_compact(len(body)) + body


def _babe_pre_digest(authority_index: int, slot: int) -> DigestPreRuntime:
    # BABE `PreDigest::SecondaryPlain { authority_index: u32, slot: u64 }` (variant 2).
    return DigestPreRuntime(_BABE, b"\x02" + u32(authority_index) + u64(slot))


def _sealed_header(keys: Keystore, author: bytes, unsealed: Header) -> Header:
    # BABE seals the hash of the header without its seal, signed by the slot's author.
    seal = DigestSeal(_BABE, keys.sign(author, unsealed.hash()))
    return replace(unsealed, digest=(*unsealed.digest, seal))


def _parent_header(chain: ExampleChain, keys: Keystore) -> Header:
    slot = (chain.timestamp_ms - _SLOT_MS) // _SLOT_MS
    author_index = slot % len(chain.validator_uris)
    unsealed = Header(
        parent_hash=_label(f"relay block {chain.parent_number - 1}"),
        number=chain.parent_number,
        state_root=_label(f"relay state root {chain.parent_number}"),
        extrinsics_root=_label(f"relay extrinsics root {chain.parent_number}"),
        digest=(_babe_pre_digest(author_index, slot),),
    )
    return _sealed_header(keys, keys.public_keys()[author_index], unsealed)


def _para_head(para_id: int, number: int) -> bytes:
    # A parachain head is its own block header; ours is a relay-style header of the para.
    return Header(
        parent_hash=_label(f"para {para_id} block {number - 1}"),
        number=number,
        state_root=_label(f"para {para_id} state root {number}"),
        extrinsics_root=_label(f"para {para_id} extrinsics root {number}"),
    ).scale()


def _candidate(
    chain: ExampleChain, keys: Keystore, collator: bytes, para_id: int, parent: Header
) -> CommittedCandidateReceipt:
    para_number = 500 + para_id % 100
    validation_code = b"\x00asm\x01\x00\x00\x00" + f"example para {para_id}".encode()
    pvd = PersistedValidationData(
        parent_head=_para_head(para_id, para_number - 1),
        relay_parent_number=parent.number,
        relay_parent_storage_root=parent.state_root,
        max_pov_size=_MAX_POV_SIZE,
    )
    pov = PoV(f"para {para_id} block {para_number}: transactions".encode() * 4)
    head_data = _para_head(para_id, para_number)
    upward = (f"para {para_id} to relay".encode(),) if para_id % 2 == 0 else ()
    horizontal = (
        (OutboundHrmpMessage(chain.paras[0], f"para {para_id} to para {chain.paras[0]}".encode()),)
        if para_id != chain.paras[0]
        else ()
    )
    commitments = CandidateCommitments(
        upward_messages=upward,
        horizontal_messages=horizontal,
        new_validation_code=None,
        head_data=head_data,
        processed_downward_messages=1 if para_id == chain.paras[0] else 0,
        hrmp_watermark=parent.number,
    )
    unsigned = CandidateDescriptor(
        para_id=para_id,
        relay_parent=parent.hash(),
        collator=collator,
        persisted_validation_data_hash=pvd.hash(),
        pov_hash=pov.hash(),
        erasure_root=_label(f"erasure root of para {para_id} block {para_number}"),
        signature=bytes(64),
        para_head=blake2_256(head_data),
        validation_code_hash=blake2_256(validation_code),
    )
    # The payload excludes the signature field, so sign the unsigned descriptor and fill it in.
    signature = keys.sign(collator, collator_signature_payload(unsigned))
    return CommittedCandidateReceipt(replace(unsigned, signature=signature), commitments)


def _backed(
    chain: ExampleChain,
    keys: Keystore,
    validators: tuple[bytes, ...],
    context: SigningContext,
    core: int,
    voters: tuple[int, ...],
    candidate: CommittedCandidateReceipt,
) -> BackedCandidate:
    group = chain.group_of_core(core)
    seconder = voters[0]
    signed: dict[int, AnyValidityAttestation] = {}
    for position in voters:
        validator_index = group[position]
        public = validators[validator_index]
        if position == seconder:
            s = keys.sign_statement(public, Seconded(candidate), context, validator_index)
            signed[position] = Implicit(s.signature)
        else:
            s = keys.sign_statement(public, Valid(candidate.hash()), context, validator_index)
            signed[position] = Explicit(s.signature)
    # Votes go in group-position order, matching the set bits of validator_indices.
    votes = tuple(signed[p] for p in sorted(signed))
    bits = BitVec.from_indices(len(group), voters)
    if chain.inject_core_index:
        bits = bits.concat(BitVec(core, 8))
    return BackedCandidate(candidate, votes, bits)


def build_example_inherent(chain: ExampleChain = EXAMPLE) -> ParachainsInherentData:
    """The example's parachains inherent: bitfields, backed candidates, no disputes, parent.

    Deterministic apart from the sr25519 signatures (random nonces).
    """
    keys = Keystore.from_uris(chain.validator_uris)
    validators = keys.public_keys()
    collators = {p: keys.add_uri(chain.collator_uri(p)) for p in chain.paras}
    parent = _parent_header(chain, keys)
    context = SigningContext(chain.session_index, parent.hash())

    bitfields: list[SignedAvailabilityBitfield] = []
    for index, public in enumerate(validators):
        bits = BitVec.from_bools(index in chain.availability[k] for k in range(chain.n_cores))
        bitfields.append(keys.sign_bitfield(public, bits, context, index))

    backed = []
    for core, voters in chain.backed:
        para = chain.paras[core]
        candidate = _candidate(chain, keys, collators[para], para, parent)
        backed.append(_backed(chain, keys, validators, context, core, voters, candidate))

    return ParachainsInherentData(
        bitfields=tuple(bitfields),
        backed_candidates=tuple(backed),
        disputes=(),
        parent_header=parent,
    )


def _logs_json(header: Header) -> list[dict[str, Any]]:
    # The sidecar form the real blocks use: {"type", "index", "value": [engine, data]}.
    out: list[dict[str, Any]] = []
    for item in header.digest:
        if isinstance(item, DigestPreRuntime | DigestSeal):
            kind = "PreRuntime" if isinstance(item, DigestPreRuntime) else "Seal"
            value = ["0x" + item.engine.hex(), "0x" + item.data.hex()]
            out.append({"type": kind, "index": str(item.TAG), "value": value})
    return out


def build_example_block(chain: ExampleChain = EXAMPLE) -> dict[str, Any]:
    """The example relay block in the JSON form of the real blocks in shared/data/polkadot/raw:
    `{"header": {...}, "extrinsics": ["0x<Timestamp.set>", "0x<ParaInherent.enter>"]}`."""
    inherent = build_example_inherent(chain)
    parent = inherent.parent_header
    extrinsics = [
        _timestamp_extrinsic(chain.timestamp_ms),
        encode_paras_inherent_extrinsic(inherent),
    ]
    keys = Keystore.from_uris(chain.validator_uris)
    slot = chain.timestamp_ms // _SLOT_MS
    author_index = slot % len(chain.validator_uris)
    header = _sealed_header(
        keys,
        keys.public_keys()[author_index],
        Header(
            parent_hash=parent.hash(),
            number=parent.number + 1,
            state_root=_label(f"relay state root {parent.number + 1}"),
            # A stand-in: blake2-256 of the extrinsics, not Substrate's ordered trie root.
            extrinsics_root=blake2_256(b"".join(extrinsics)),
            digest=(_babe_pre_digest(author_index, slot),),
        ),
    )
    return {
        "header": {
            "parentHash": "0x" + header.parent_hash.hex(),
            "number": header.number,
            "stateRoot": "0x" + header.state_root.hex(),
            "extrinsicsRoot": "0x" + header.extrinsics_root.hex(),
            "logs": _logs_json(header),
        },
        "extrinsics": ["0x" + x.hex() for x in extrinsics],
    }


def load_example_block() -> dict[str, Any]:
    """The shipped example block (shell/data/example_block.json), parsed."""
    text = resources.files("backable.shell").joinpath(EXAMPLE_BLOCK_RESOURCE).read_text("utf-8")
    block: dict[str, Any] = json.loads(text)
    return block


def example_block_bytes() -> bytes:
    """The shipped example block's `ParaInherent.enter` extrinsic (extrinsic 1), raw."""
    raw: str = load_example_block()["extrinsics"][1]
    return bytes.fromhex(raw.removeprefix("0x"))


def main(argv: list[str] | None = None) -> int:
    """Regenerate shell/data/example_block.json (or write to the path given)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path(__file__).parents[1] / "data" / "example_block.json"
    target.write_text(json.dumps(build_example_block(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
