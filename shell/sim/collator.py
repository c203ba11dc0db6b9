# A toy parachain and its collator, for the simulation and the tests: real descriptors (PVD and
# PoV hashes, the stand-in erasure root, para head, validation code hash, an sr25519 collator
# signature) over a parachain whose rules fit in one function. Its validation function is what
# `InMemoryValidation` runs in place of the para's PVF.
#
# The toy para: a block is `b"BLOCK" ++ blake2(parent_head) ++ payload`; the new head is
# blake2(parent_head ++ block_data). A payload starting with b"INVALID" is rejected; one starting
# with b"UPGRADE:" carries new validation code. A payload starting with b"SELECT" and a byte n
# (then the rest as above) ends its upward messages with a UMP SelectCore(n, 0) signal.
from __future__ import annotations

from dataclasses import dataclass, replace

from backable.core import (
    CandidateCommitments,
    CandidateDescriptor,
    CandidateReceipt,
    CommittedCandidateReceipt,
    PersistedValidationData,
    PoV,
    SelectCore,
    blake2_256,
    candidate_descriptor_v2,
    collator_signature_payload,
    commitments_with_signals,
)

from ..collaborators.availability_store import ErasureRootFunction, stand_in_erasure_root
from ..collaborators.keystore import Keystore

__all__ = ["Collation", "Collator", "toy_validation_function", "TOY_VALIDATION_CODE"]

TOY_VALIDATION_CODE = b"\x00asm toy-parachain validation function v1"
_BLOCK = b"BLOCK"
_UPGRADE = b"UPGRADE:"
_INVALID = b"INVALID"
_SELECT = b"SELECT"


def toy_validation_function(
    pov: PoV, validation_data: PersistedValidationData
) -> CandidateCommitments | None:
    """The toy para's state transition: its outputs for a valid block, None for an invalid one."""
    block = pov.block_data
    prefix = _BLOCK + blake2_256(validation_data.parent_head)
    if not block.startswith(prefix):
        return None
    payload = block[len(prefix) :]
    selector: int | None = None
    if payload.startswith(_SELECT) and len(payload) > len(_SELECT):
        selector = payload[len(_SELECT)]
        payload = payload[len(_SELECT) + 1 :]
    if payload.startswith(_INVALID):
        return None
    code = payload[len(_UPGRADE) :] if payload.startswith(_UPGRADE) else None
    commitments = CandidateCommitments(
        head_data=blake2_256(validation_data.parent_head + block),
        new_validation_code=code,
        hrmp_watermark=validation_data.relay_parent_number,
    )
    if selector is None:
        return commitments
    return commitments_with_signals(commitments, (SelectCore(selector, 0),))


@dataclass(frozen=True)
class Collation:
    """What a collator hands a validator: the receipt to second, the full receipt, the PoV."""

    receipt: CandidateReceipt
    committed: CommittedCandidateReceipt
    pov: PoV

    @property
    def candidate_hash(self) -> bytes:
        return self.receipt.hash()


class Collator:
    """Builds signed candidates for one para with a key from `uri`."""

    def __init__(
        self,
        para_id: int,
        uri: str | None = None,
        erasure_root: ErasureRootFunction = stand_in_erasure_root,
    ) -> None:
        self.para_id = para_id
        self.keystore = Keystore()
        self.public = self.keystore.add_uri(uri or f"//Collator{para_id}")
        self.erasure_root = erasure_root

    def collate(
        self,
        relay_parent: bytes,
        validation_data: PersistedValidationData,
        n_validators: int,
        *,
        payload: bytes = b"",
        validation_code: bytes = TOY_VALIDATION_CODE,
        invalid: bool = False,
        new_code: bytes | None = None,
        core: tuple[int, int, int] | None = None,
    ) -> Collation:
        """A candidate on `validation_data`. `invalid` makes a block the para rejects (the
        descriptor is still well-formed and signed, so only validation can tell). `core`, as
        (core index, session, selector), makes a V2 descriptor committing to that core, with a
        UMP SelectCore signal (`selector`, claim queue offset 0) in the commitments (elastic
        scaling: each of a para's chained candidates commits to its own core)."""
        body = payload
        if invalid:
            body = _INVALID + payload
        elif new_code is not None:
            body = _UPGRADE + new_code
        if core is not None:
            body = _SELECT + bytes([core[2]]) + body
        block = _BLOCK + blake2_256(validation_data.parent_head) + body
        pov = PoV(block)
        commitments = toy_validation_function(pov, validation_data) or CandidateCommitments(
            head_data=blake2_256(validation_data.parent_head + block),
            hrmp_watermark=validation_data.relay_parent_number,
        )
        if invalid and core is not None:
            commitments = commitments_with_signals(commitments, (SelectCore(core[2], 0),))
        if core is not None:
            index, session, _ = core
            v2 = candidate_descriptor_v2(
                self.para_id,
                relay_parent,
                index,
                session,
                validation_data.hash(),
                pov.hash(),
                self.erasure_root(n_validators, pov, validation_data),
                blake2_256(commitments.head_data),
                blake2_256(validation_code),
            )
            committed_v2 = CommittedCandidateReceipt(v2, commitments)
            return Collation(committed_v2.to_plain(), committed_v2, pov)
        unsigned = CandidateDescriptor(
            para_id=self.para_id,
            relay_parent=relay_parent,
            collator=self.public,
            persisted_validation_data_hash=validation_data.hash(),
            pov_hash=pov.hash(),
            erasure_root=self.erasure_root(n_validators, pov, validation_data),
            signature=bytes(64),
            para_head=blake2_256(commitments.head_data),
            validation_code_hash=blake2_256(validation_code),
        )
        signature = self.keystore.sign(self.public, collator_signature_payload(unsigned))
        descriptor = replace(unsigned, signature=signature)
        committed = CommittedCandidateReceipt(descriptor, commitments)
        return Collation(committed.to_plain(), committed, pov)
