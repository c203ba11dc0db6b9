# Misbehaviour evidence: each record yields the statements the accused really signed, so that a
# third party can check them with the signing context and the validator's key alone.
from __future__ import annotations

import pytest

from backable.core import (
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
from backable.core.records.misbehavior import Misbehavior
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


SIG, OTHER_SIG = b"\x01" * 64, b"\x02" * 64
_GOOD = {
    DoubleSign: dict(
        kind=DoubleSign.VALID,
        statement=Valid(H1),
        first_signature=SIG,
        second_signature=OTHER_SIG,
        validator_index=0,
    ),
    MultipleCandidates: dict(first=(C1, SIG), second=(C2, OTHER_SIG), validator_index=0),
    UnauthorizedStatement: dict(statement=SignedStatement(Valid(H1), 0, SIG)),
    ValidityDoubleVote: dict(
        kind=ValidityDoubleVote.ISSUED_AND_VALIDITY,
        candidate=C1,
        first_signature=SIG,
        second_signature=OTHER_SIG,
        validator_index=0,
    ),
}
BAD_FIELDS = [
    (DoubleSign, "kind", "valid", "DoubleSign.kind = 'valid': must be a DoubleSignKind"),
    (
        DoubleSign,
        "statement",
        5,
        "DoubleSign.statement = 5: must be a Seconded or Valid or Invalid",
    ),
    (
        DoubleSign,
        "statement",
        Invalid(H1),
        "DoubleSign.kind = <DoubleSignKind.VALID: 'valid'>: does not match a Invalid",
    ),
    (
        DoubleSign,
        "first_signature",
        b"\x01",
        "DoubleSign.first_signature = b'\\x01': must be 64 bytes",
    ),
    (DoubleSign, "second_signature", b"", "DoubleSign.second_signature = b'': must be 64 bytes"),
    (
        DoubleSign,
        "validator_index",
        -1,
        "DoubleSign.validator_index = -1: must be an int in 0..2**32-1",
    ),
    (
        MultipleCandidates,
        "first",
        "x",
        "MultipleCandidates.first = 'x': must be a (candidate, signature) pair",
    ),
    (
        MultipleCandidates,
        "second",
        (C1,),
        "MultipleCandidates.second = "
        + repr((C1,))[:77]
        + "...: must be a (candidate, signature) pair",
    ),
    (
        MultipleCandidates,
        "first",
        (5, SIG),
        "MultipleCandidates.first = 5: must be a CommittedCandidateReceipt",
    ),
    (
        MultipleCandidates,
        "second",
        (C2, b"\x01"),
        "MultipleCandidates.second = b'\\x01': must be 64 bytes",
    ),
    (
        MultipleCandidates,
        "validator_index",
        2**32,
        "MultipleCandidates.validator_index = 4294967296: must be an int in 0..2**32-1",
    ),
    (
        UnauthorizedStatement,
        "statement",
        Valid(H1),
        "UnauthorizedStatement.statement = "
        + repr(Valid(H1))[:77]
        + "...: must be a SignedStatement",
    ),
    (
        ValidityDoubleVote,
        "kind",
        "issued_and_validity",
        "ValidityDoubleVote.kind = 'issued_and_validity': must be a ValidityDoubleVoteKind",
    ),
    (
        ValidityDoubleVote,
        "candidate",
        H1,
        "ValidityDoubleVote.candidate = "
        + repr(H1)[:77]
        + "...: must be a CommittedCandidateReceipt",
    ),
    (
        ValidityDoubleVote,
        "first_signature",
        b"\x01",
        "ValidityDoubleVote.first_signature = b'\\x01': must be 64 bytes",
    ),
    (
        ValidityDoubleVote,
        "second_signature",
        SIG + b"\x00",
        "ValidityDoubleVote.second_signature = "
        + repr(SIG + b"\x00")[:77]
        + "...: must be 64 bytes",
    ),
    (
        ValidityDoubleVote,
        "validator_index",
        True,
        "ValidityDoubleVote.validator_index = True: must be an int in 0..2**32-1",
    ),
]


@pytest.mark.parametrize(
    ("record", "field", "value", "message"),
    BAD_FIELDS,
    ids=[f"{r.__name__}.{f}={v!r:.20}" for r, f, v, _ in BAD_FIELDS],
)
def test_a_bad_field_is_refused_with_record_field_and_value_named(
    record: type, field: str, value: object, message: str
) -> None:
    with pytest.raises(InvalidRecord) as refused:
        record(**{**_GOOD[record], field: value})
    assert str(refused.value) == message


@pytest.mark.parametrize("record", list(_GOOD), ids=lambda r: r.__name__)
def test_the_good_fields_make_a_record(record: type) -> None:
    built = record(**_GOOD[record])
    assert [getattr(built, f) for f in _GOOD[record]] == list(_GOOD[record].values())
