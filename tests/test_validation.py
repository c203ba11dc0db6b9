from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from backable.core import CandidateInvalid, CandidateValid, PoV
from backable.shell.collaborators.validation import InMemoryValidation, ValidationCouldNotRun
from backable.shell.sim.collator import toy_validation_function
from tests.shell_fixtures import PARAS, RP, chain, collator, validation_data


def _validate(receipt, pov, functions=None):  # type: ignore[no-untyped-def]
    runtime = chain()
    v = InMemoryValidation(
        runtime,
        functions if functions is not None else dict.fromkeys(PARAS, toy_validation_function),
        in_process=True,
    )
    return asyncio.run(v.validate(RP, receipt, pov))


def test_a_good_candidate_is_valid_with_its_commitments_and_validation_data() -> None:
    c = collator(100).collate(RP, validation_data(100), 6)
    assert _validate(c.receipt, c.pov) == CandidateValid(
        c.candidate_hash, c.committed.commitments, validation_data(100)
    )


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("pov", "PoVHashMismatch"),
        ("signature", "BadSignature"),
        ("pvd", "BadParent"),
        ("commitments", "CommitmentsHashMismatch"),
        ("invalid", "ExecutionError"),
    ],
)
def test_each_check_around_execution_names_its_failure(tamper: str, reason: str) -> None:
    c = collator(100).collate(RP, validation_data(100), 6, invalid=tamper == "invalid")
    receipt, pov = c.receipt, c.pov
    d = receipt.descriptor
    if tamper == "pov":
        pov = PoV(pov.block_data + b"!")
    elif tamper == "signature":
        receipt = replace(receipt, descriptor=replace(d, signature=bytes(64)))
    elif tamper == "pvd":
        receipt = replace(receipt, descriptor=replace(d, persisted_validation_data_hash=bytes(32)))
    elif tamper == "commitments":
        receipt = replace(receipt, commitments_hash=bytes(32))
    result = _validate(receipt, pov)
    assert isinstance(result, CandidateInvalid) and result.reason.startswith(reason)
    assert result.candidate_hash == receipt.hash()


def test_a_para_without_a_validation_function_cannot_be_validated() -> None:
    c = collator(100).collate(RP, validation_data(100), 6)
    with pytest.raises(ValidationCouldNotRun, match="no validation function for para 100"):
        _validate(c.receipt, c.pov, functions={})


def _raising(pov: PoV, pvd: object) -> None:
    raise KeyError("bug")


def test_in_process_a_function_that_raises_is_could_not_run_not_a_verdict() -> None:
    c = collator(100).collate(RP, validation_data(100), 6)
    with pytest.raises(ValidationCouldNotRun, match="para 100 raised KeyError: 'bug'"):
        _validate(c.receipt, c.pov, functions={100: _raising})


def test_in_process_a_function_returning_something_else_is_could_not_run() -> None:
    c = collator(100).collate(RP, validation_data(100), 6)
    with pytest.raises(ValidationCouldNotRun, match="returned int, not CandidateCommitments"):
        _validate(c.receipt, c.pov, functions={100: lambda pov, pvd: 7})


def test_a_runtime_api_bug_is_could_not_run_not_a_verdict() -> None:
    c = collator(100).collate(RP, validation_data(100), 6)
    runtime = chain()

    async def broken(*args: object) -> None:
        raise AttributeError("no such block")

    runtime.persisted_validation_data = broken  # type: ignore[method-assign]
    v = InMemoryValidation(runtime, {100: toy_validation_function}, in_process=True)
    with pytest.raises(ValidationCouldNotRun, match="runtime API raised AttributeError"):
        asyncio.run(v.validate(RP, c.receipt, c.pov))
