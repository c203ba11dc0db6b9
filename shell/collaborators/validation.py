# Candidate validation as the backing subsystem sees it (polkadot@c4ee9d46
# node/core/backing/src/lib.rs, `validate_and_make_available`): a Protocol, and
# `InMemoryValidation`, which stands in for PVF execution with a per-para Python validation
# function over the PoV and the persisted validation data. The checks around the execution are the
# node's: validation data from the chain must match the descriptor, the PoV hash, the collator
# signature and the code hash must hold, the PoV must fit, and the outputs must match the receipt.
# The verdict is the backing job's own event: `CandidateValid` or `CandidateInvalid`.
#
# The validation functions run, by default, in worker processes under a hard time limit
# (`PvfWorkerPool`), as the node runs PVFs: a function that loops is killed at the limit and never
# holds the event loop. The outcome maps as the node's does where the node has a verdict
# (polkadot-sdk@f9af07d5 polkadot/node/core/pvf/src/execute/queue.rs, `handle_job_finish`):
# past the time limit the candidate is invalid ("hard timeout", the node's
# `InvalidCandidate::HardTimeout`, "treated as definitely-invalid"). A function that raises and a
# worker that dies give no verdict here: the function is a Python stand-in for the PVF, so its
# exception is a bug of ours or of the host rather than the candidate's trap, and a death (killed
# from outside, out of memory) says nothing about the candidate; both raise
# `ValidationCouldNotRun` naming the cause, and the job issues no statement (the node's
# `ValidationFailed`, as for its internal errors). The node itself votes Invalid on an
# ambiguous worker death in backing; README, "Where the seeds and the Rust node differ".
# `in_process=True` calls the functions in the event loop's thread instead: for trusted, instant
# functions (the simulation's toy validation, tests), without a time limit.
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

from .pvf_workers import (
    DEFAULT_BACKING_EXECUTION_TIMEOUT,
    ExecutionFailed,
    ExecutionTimedOut,
    PvfWorkerPool,
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
    """Validation from chain state with Python functions standing in for PVFs.

    By default the functions run in a pool of `workers` worker processes (default min(2, CPU
    count), started on first use) under a hard time limit of `timeout` seconds (default 2, the
    node's backing limit); they must then be picklable (module-level), else the constructor raises
    `InvalidValidationSetting`. Close the pool with `close()` or `async with`. With
    `in_process=True` they are called directly, without a time limit (trusted, instant functions).
    """

    def __init__(
        self,
        runtime: RuntimeApi,
        functions: Mapping[int, ValidationFunction],
        *,
        in_process: bool = False,
        workers: int | None = None,
        timeout: float = DEFAULT_BACKING_EXECUTION_TIMEOUT,
    ) -> None:
        self.runtime = runtime
        self.functions = functions
        self.runs = 0
        self.signatures_verified = 0  # collator signatures checked
        self.pool: PvfWorkerPool | None = (
            None if in_process else PvfWorkerPool(functions, workers=workers, timeout=timeout)
        )

    def start(self) -> None:
        """Start the worker processes now rather than on the first validation."""
        if self.pool is not None:
            self.pool.start()

    def close(self) -> None:
        """Stop the worker processes (nothing to do in process); idempotent."""
        if self.pool is not None:
            self.pool.close()

    async def __aenter__(self) -> InMemoryValidation:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    async def _execute(
        self, para_id: int, function: ValidationFunction, pov: PoV, pvd: PersistedValidationData
    ) -> CandidateCommitments | str | None:
        # The function's outputs, None for a block it rejects, or "hard timeout".
        try:
            if self.pool is None:
                result = function(pov, pvd)
            else:
                result = await self.pool.execute(para_id, pov, pvd)
        except ExecutionTimedOut:
            return "hard timeout"
        except ExecutionFailed as e:
            raise ValidationCouldNotRun(str(e)) from e
        except Exception as e:  # in process: the function's bug is not the candidate's verdict
            raise ValidationCouldNotRun(
                f"the validation function for para {para_id} raised {type(e).__name__}: {e}"
            ) from e
        if result is not None and not isinstance(result, CandidateCommitments):
            raise ValidationCouldNotRun(
                f"the validation function for para {para_id} returned "
                f"{type(result).__name__}, not CandidateCommitments or None"
            )
        return result

    async def _validation_data(
        self,
        relay_parent: bytes,
        candidate: CandidateReceipt,
        given: PersistedValidationData | None = None,
    ) -> tuple[PersistedValidationData, bytes] | str:
        # The validation data and code the descriptor was built on, or why there are none.
        # Under today's rules the backer is given the validation data (the candidate builds on
        # a parent head prospective parachains knows, not necessarily the chain's): it must be
        # what the descriptor commits to; the code is the para's current code.
        d = candidate.descriptor
        if given is not None:
            if given.hash() != d.persisted_validation_data_hash:
                return "BadParent: the given validation data is not the descriptor's"
            code = await self.runtime.validation_code(
                relay_parent, d.para_id, OccupiedCoreAssumption.FREE
            )
            if code is None:
                raise ValidationCouldNotRun(f"no validation code for para {d.para_id}")
            return given, code
        for assumption in _ASSUMPTIONS:
            pvd = await self.runtime.persisted_validation_data(relay_parent, d.para_id, assumption)
            if pvd is not None and pvd.hash() == d.persisted_validation_data_hash:
                code = await self.runtime.validation_code(relay_parent, d.para_id, assumption)
                if code is None:
                    raise ValidationCouldNotRun(f"no validation code for para {d.para_id}")
                return pvd, code
        return "BadParent: no validation data on chain matches the descriptor"

    async def validate(
        self,
        relay_parent: bytes,
        candidate: CandidateReceipt,
        pov: PoV,
        validation_data: PersistedValidationData | None = None,
    ) -> CandidateValid | CandidateInvalid:
        self.runs += 1
        d = candidate.descriptor
        h = candidate.hash()
        try:
            found = await self._validation_data(relay_parent, candidate, validation_data)
        except RuntimeApiError as e:
            raise ValidationCouldNotRun(str(e)) from e
        except ValidationCouldNotRun:
            raise
        except Exception as e:  # a runtime bug is an internal error, never a verdict
            raise ValidationCouldNotRun(f"the runtime API raised {type(e).__name__}: {e}") from e
        if isinstance(found, str):
            return CandidateInvalid(h, found)
        pvd, code = found
        if len(encode(pov)) > pvd.max_pov_size:
            return CandidateInvalid(h, f"ParamsTooLarge: PoV of {len(encode(pov))} bytes")
        if pov.hash() != d.pov_hash:
            return CandidateInvalid(h, "PoVHashMismatch")
        self.signatures_verified += 1
        if not check_collator_signature(d):
            return CandidateInvalid(h, "BadSignature: collator signature")
        if blake2_256(code) != d.validation_code_hash:
            return CandidateInvalid(h, "CodeHashMismatch")
        function = self.functions.get(d.para_id)
        if function is None:
            raise ValidationCouldNotRun(f"no validation function for para {d.para_id}")
        commitments = await self._execute(d.para_id, function, pov, pvd)
        if isinstance(commitments, str):
            return CandidateInvalid(h, commitments)
        if commitments is None:
            return CandidateInvalid(h, "ExecutionError: the validation function rejected the block")
        if blake2_256(commitments.head_data) != d.para_head:
            return CandidateInvalid(h, "ParaHeadHashMismatch")
        if commitments.hash() != candidate.commitments_hash:
            return CandidateInvalid(h, "CommitmentsHashMismatch")
        return CandidateValid(h, commitments, pvd)
