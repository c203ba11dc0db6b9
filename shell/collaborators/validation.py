# Candidate validation as the backing subsystem sees it (polkadot@c4ee9d46
# node/core/backing/src/lib.rs, `validate_and_make_available`): a Protocol, and
# `InMemoryValidation`, which stands in for PVF execution with a per-para Python validation
# function over the PoV and the persisted validation data. The checks around the execution are the
# node's: validation data from the chain must match the descriptor, the PoV hash, the collator
# signature and the code hash must hold, the PoV must fit, and the outputs must match the receipt.
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from backable.core import (
    CandidateCommitments,
    CandidateReceipt,
    OccupiedCoreAssumption,
    PersistedValidationData,
    PoV,
    blake2_256,
    check_collator_signature,
    encode,
)
from backable.core.errors import BackableError

from .runtime_api import RuntimeApi, RuntimeApiError

__all__ = [
    "CandidateValidation",
    "InMemoryValidation",
    "Invalid",
    "Valid",
    "ValidationCouldNotRun",
    "ValidationFunction",
]


@dataclass(frozen=True)
class Valid:
    commitments: CandidateCommitments
    validation_data: PersistedValidationData


@dataclass(frozen=True)
class Invalid:
    reason: str


class ValidationCouldNotRun(BackableError, RuntimeError):
    """An internal failure: no verdict on the candidate (the job issues no statement)."""


class CandidateValidation(Protocol):
    async def validate(
        self, relay_parent: bytes, candidate: CandidateReceipt, pov: PoV
    ) -> Valid | Invalid: ...


# A para's validation function: its outputs for a valid block, or None for an invalid one.
ValidationFunction = Callable[[PoV, PersistedValidationData], CandidateCommitments | None]

_ASSUMPTIONS = (
    OccupiedCoreAssumption.INCLUDED,
    OccupiedCoreAssumption.TIMED_OUT,
    OccupiedCoreAssumption.FREE,
)


class InMemoryValidation:
    """Validation from chain state with Python functions standing in for PVFs."""

    def __init__(self, runtime: RuntimeApi, functions: Mapping[int, ValidationFunction]) -> None:
        self.runtime = runtime
        self.functions = functions
        self.runs = 0

    async def _validation_data(
        self, relay_parent: bytes, candidate: CandidateReceipt
    ) -> tuple[PersistedValidationData, bytes] | Invalid:
        d = candidate.descriptor
        for assumption in _ASSUMPTIONS:
            pvd = await self.runtime.persisted_validation_data(relay_parent, d.para_id, assumption)
            if pvd is not None and pvd.hash() == d.persisted_validation_data_hash:
                code = await self.runtime.validation_code(relay_parent, d.para_id, assumption)
                if code is None:
                    raise ValidationCouldNotRun(f"no validation code for para {d.para_id}")
                return pvd, code
        return Invalid("BadParent: no validation data on chain matches the descriptor")

    async def validate(
        self, relay_parent: bytes, candidate: CandidateReceipt, pov: PoV
    ) -> Valid | Invalid:
        self.runs += 1
        d = candidate.descriptor
        try:
            found = await self._validation_data(relay_parent, candidate)
        except RuntimeApiError as e:
            raise ValidationCouldNotRun(str(e)) from e
        if isinstance(found, Invalid):
            return found
        pvd, code = found
        if len(encode(pov)) > pvd.max_pov_size:
            return Invalid(f"ParamsTooLarge: PoV of {len(encode(pov))} bytes")
        if pov.hash() != d.pov_hash:
            return Invalid("PoVHashMismatch")
        if not check_collator_signature(d):
            return Invalid("BadSignature: collator signature")
        if blake2_256(code) != d.validation_code_hash:
            return Invalid("CodeHashMismatch")
        function = self.functions.get(d.para_id)
        if function is None:
            raise ValidationCouldNotRun(f"no validation function for para {d.para_id}")
        commitments = function(pov, pvd)
        if commitments is None:
            return Invalid("ExecutionError: the validation function rejected the block")
        if blake2_256(commitments.head_data) != d.para_head:
            return Invalid("ParaHeadHashMismatch")
        if commitments.hash() != candidate.commitments_hash:
            return Invalid("CommitmentsHashMismatch")
        return Valid(commitments, pvd)
