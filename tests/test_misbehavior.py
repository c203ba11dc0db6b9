# Misbehaviour evidence: each record yields the statements the accused really signed, so that a
# third party can check them with the signing context and the validator's key alone.
from __future__ import annotations

import pytest

from core import (
    DoubleSign,
    Invalid,
    InvalidRecord,
    MultipleCandidates,
    Seconded,
    SignedStatement,
    Table,
    TableContext,
    UnauthorizedStatement,
    Valid,
    ValidityDoubleVote,
    import_statement,
    statement_signing_payload,
    verify_signature,
)
from core.misbehavior import Misbehavior
from properties.backing_strategies import CONTEXT, candidate, public_key, signed

C1, C2 = candidate(1, 1), candidate(1, 2)
H1 = C1.hash()
CTX = TableContext({1: (0, 1, 2)})


def verifies(statement: SignedStatement, accused: int) -> bool:
    payload = statement_signing_payload(statement.statement, CONTEXT)
    return statement.validator_index == accused and verify_signature(
        payload, statement.signature, public_key(accused)
    )


def detect(*statements: SignedStatement) -> Misbehavior:
    table = Table()
    for s in statements:
        table, _ = import_statement(table, CTX, s)
    ((_, found),) = table.misbehaviors_since(0)
    return found


CASES = {
    "multiple candidates": (signed(Seconded(C1), 0), signed(Seconded(C2), 0)),
    "double seconded": (signed(Seconded(C1), 0), signed(Seconded(C1), 0, 1)),
    "double valid": (signed(Seconded(C1), 0), signed(Valid(H1), 1), signed(Valid(H1), 1, 1)),
    "double invalid": (
        signed(Seconded(C1), 0), signed(Invalid(H1), 1), signed(Invalid(H1), 1, 1)
    ),
    "issued and valid": (signed(Seconded(C1), 0), signed(Valid(H1), 0)),
    "issued and invalid": (signed(Seconded(C1), 0), signed(Invalid(H1), 0)),
    "valid and invalid": (signed(Seconded(C1), 0), signed(Invalid(H1), 2), signed(Valid(H1), 2)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_conflict_yields_two_statements_signed_by_the_accused(case: str) -> None:
    found = detect(*CASES[case])
    first, second = found.signed_statements()
    assert verifies(first, found.accused) and verifies(second, found.accused)
    assert first != second


def test_valid_and_invalid_names_the_valid_statement_first() -> None:
    found = detect(*CASES["valid and invalid"])
    assert isinstance(found, ValidityDoubleVote)
    first, second = found.signed_statements()
    assert (first.statement, second.statement) == (Valid(H1), Invalid(H1))


def test_multiple_candidates_keeps_the_accused_index() -> None:
    found = detect(*CASES["multiple candidates"])
    assert isinstance(found, MultipleCandidates)
    assert found.validator_index == found.accused == 0
    assert [s.statement for s in found.signed_statements()] == [Seconded(C1), Seconded(C2)]


def test_an_unauthorized_statement_yields_itself() -> None:
    outsider = signed(Seconded(C1), 5)
    found = detect(outsider)
    assert found == UnauthorizedStatement(outsider)
    assert found.signed_statements() == (outsider,)
    assert verifies(outsider, found.accused)


def test_a_double_sign_kind_must_match_its_statement() -> None:
    with pytest.raises(InvalidRecord, match=r"DoubleSign\.kind"):
        DoubleSign(DoubleSign.VALID, Invalid(H1), b"\x01" * 64, b"\x02" * 64, 0)


def test_multiple_candidates_needs_candidate_signature_pairs() -> None:
    with pytest.raises(InvalidRecord, match=r"MultipleCandidates\.first"):
        MultipleCandidates(C1, (C2, b"\x01" * 64), 0)  # type: ignore[arg-type]
