# Candidate validation as the backing subsystem sees it (polkadot@c4ee9d46
# node/core/backing/src/lib.rs, `validate_and_make_available`): a Protocol, and
# `InMemoryValidation`, which stands in for PVF execution with a per-para Python validation
# function over the PoV and the persisted validation data. The checks around the execution are the
# node's: validation data from the chain must match the descriptor, the PoV hash, the collator
# signature and the code hash must hold, the PoV must fit, and the outputs must match the receipt.
# The verdict is the backing job's own event: `CandidateValid` or `CandidateInvalid`.
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from backable.core import (
    BackableError,
    CandidateCommitments,
    CandidateInvalid,
    CandidateReceipt,
    CandidateValid,
    OccupiedCoreAssumption,
    PersistedValidationData,
    PoV,
    blake2_256,
    check_collator_signature,
    encode,
)

from .runtime_api import RuntimeApi, RuntimeApiError

__all__ = [
    "CandidateValidation",
    "InMemoryValidation",
    "ValidationCouldNotRun",
    "ValidationFunction",
]


class ValidationCouldNotRun(BackableError, RuntimeError):
    """An internal failure: no verdict on the candidate (the job issues no statement)."""


class CandidateValidation(Protocol):
    async def validate(
        self, relay_parent: bytes, candidate: CandidateReceipt, pov: PoV
    ) -> CandidateValid | CandidateInvalid:
        """The verdict on `candidate` with `pov`; raises `ValidationCouldNotRun` when there is
        none (an internal failure)."""


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
    ) -> tuple[PersistedValidationData, bytes] | str:
        # The validation data and code the descriptor was built on, or why there are none.
        d = candidate.descriptor
        for assumption in _ASSUMPTIONS:
            pvd = await self.runtime.persisted_validation_data(relay_parent, d.para_id, assumption)
            if pvd is not None and pvd.hash() == d.persisted_validation_data_hash:
                code = await self.runtime.validation_code(relay_parent, d.para_id, assumption)
                if code is None:
                    raise ValidationCouldNotRun(f"no validation code for para {d.para_id}")
                return pvd, code
        return "BadParent: no validation data on chain matches the descriptor"

    async def validate(
        self, relay_parent: bytes, candidate: CandidateReceipt, pov: PoV
    ) -> CandidateValid | CandidateInvalid:
        self.runs += 1
        d = candidate.descriptor
        h = candidate.hash()
        try:
            found = await self._validation_data(relay_parent, candidate)
        except RuntimeApiError as e:
            raise ValidationCouldNotRun(str(e)) from e
        if isinstance(found, str):
            return CandidateInvalid(h, found)
        pvd, code = found
        if len(encode(pov)) > pvd.max_pov_size:
            return CandidateInvalid(h, f"ParamsTooLarge: PoV of {len(encode(pov))} bytes")
        if pov.hash() != d.pov_hash:
            return CandidateInvalid(h, "PoVHashMismatch")
        if not check_collator_signature(d):
            return CandidateInvalid(h, "BadSignature: collator signature")
        if blake2_256(code) != d.validation_code_hash:
            return CandidateInvalid(h, "CodeHashMismatch")
        function = self.functions.get(d.para_id)
        if function is None:
            raise ValidationCouldNotRun(f"no validation function for para {d.para_id}")
        commitments = function(pov, pvd)
        if commitments is None:
            return CandidateInvalid(h, "ExecutionError: the validation function rejected the block")
        if blake2_256(commitments.head_data) != d.para_head:
            return CandidateInvalid(h, "ParaHeadHashMismatch")
        if commitments.hash() != candidate.commitments_hash:
            return CandidateInvalid(h, "CommitmentsHashMismatch")
        return CandidateValid(h, commitments, pvd)
