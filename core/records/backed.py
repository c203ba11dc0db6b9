# BackedCandidate: a committed receipt with its validity votes and the bits of the group members
# who gave them (polkadot@c4ee9d46 primitives/src/v1/mod.rs, `BackedCandidate`). Since 2024 the
# chain may append 8 bits holding the core index, as `inject_core_index` of polkadot-sdk@008dd419
# polkadot/primitives/src/v9/mod.rs does (elastic scaling); construction accepts either form
# and `check_inherent` judges the lengths.
from __future__ import annotations

from dataclasses import dataclass

from . import _checks as c
from .bitvec import BitVec
from .candidate import CandidateReceipt, CommittedCandidateReceipt
from .scale import Reader, encode_compact
from .statements import AnyValidityAttestation, Explicit, Implicit, ValidityAttestation

__all__ = ["BackedCandidate"]


def _read_attestation(r: Reader) -> AnyValidityAttestation:
    return ValidityAttestation.read(r)


@dataclass(frozen=True, slots=True)
class BackedCandidate:
    candidate: CommittedCandidateReceipt
    validity_votes: tuple[AnyValidityAttestation, ...]
    validator_indices: BitVec

    def __post_init__(self) -> None:
        c.instance(self, "candidate", self.candidate, CommittedCandidateReceipt)
        c.tuple_of(self, "validity_votes", self.validity_votes, (Implicit, Explicit))
        c.instance(self, "validator_indices", self.validator_indices, BitVec)

    def hash(self) -> bytes:
        """The candidate hash."""
        return self.candidate.hash()

    def receipt(self) -> CandidateReceipt:
        return self.candidate.to_plain()

    def validator_indices_and_core_index(self, group_size: int) -> tuple[BitVec, int | None]:
        """Split off elastic scaling's 8 core-index bits (present when `group_size + 8` long)."""
        bits = self.validator_indices
        if len(bits) == group_size + 8:
            return bits.slice(0, group_size), bits.slice(group_size, group_size + 8).as_int()
        return bits, None

    def scale(self) -> bytes:
        parts = [self.candidate.scale(), encode_compact(len(self.validity_votes))]
        parts.extend(v.scale() for v in self.validity_votes)
        parts.append(self.validator_indices.scale())
        return b"".join(parts)

    @classmethod
    def read(cls, r: Reader) -> BackedCandidate:
        return cls(
            CommittedCandidateReceipt.read(r),
            r.vec(_read_attestation, 65),
            BitVec.read(r),
        )

    def __repr__(self) -> str:
        return (
            f"BackedCandidate(para_id={self.candidate.descriptor.para_id},"
            f" hash=0x{self.hash().hex()[:16]}.., votes={len(self.validity_votes)},"
            f" validator_indices={self.validator_indices!r})"
        )
