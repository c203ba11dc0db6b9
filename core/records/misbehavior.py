# Misbehaviour evidence from the statement table, as data (polkadot@c4ee9d46
# statement-table/src/generic.rs, `Misbehavior`; implementers' guide, "Candidate Backing": "Invalid
# statements that conflict ..."). Each record keeps both conflicting statements' signatures and the
# accused validator's index, so that a third party holding the signing context and the validator's
# key can check it with `statement_signing_payload` and `verify_signature`: `signed_statements()`
# rebuilds the `SignedStatement`s that were signed.
#
# The seed keeps the early node's Invalid statement, so the Invalid conflicts of polkadot@8dd1e0d3
# (IssuedAndInvalidity, ValidityAndInvalidity, DoubleSign Invalidity) are all here.
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import ClassVar, Union

from ..errors import InvalidRecord
from . import _checks as c
from .candidate import CommittedCandidateReceipt
from .statements import AnyStatement, Invalid, Seconded, SignedStatement, Valid

__all__ = [
    "DoubleSign",
    "DoubleSignKind",
    "Misbehavior",
    "MultipleCandidates",
    "UnauthorizedStatement",
    "ValidityDoubleVote",
    "ValidityDoubleVoteKind",
]


class ValidityDoubleVoteKind(Enum):
    """Which two contradictory votes one validator gave on one candidate."""

    ISSUED_AND_VALIDITY = "issued_and_validity"  # Seconded, then also Valid (or the reverse)
    ISSUED_AND_INVALIDITY = "issued_and_invalidity"  # Seconded and Invalid
    VALIDITY_AND_INVALIDITY = "validity_and_invalidity"  # Valid and Invalid


class DoubleSignKind(Enum):
    """Which statement one validator signed twice with different signatures."""

    SECONDED = "seconded"
    VALID = "valid"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class MultipleCandidates:
    """A validator seconded two different candidates at one relay parent (generic.rs).

    `first` and `second` are `(candidate, signature)`; `validator_index` is the accused.
    """

    first: tuple[CommittedCandidateReceipt, bytes]
    second: tuple[CommittedCandidateReceipt, bytes]
    validator_index: int

    def __post_init__(self) -> None:
        for name in ("first", "second"):
            pair = getattr(self, name)
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise InvalidRecord(
                    "MultipleCandidates", name, pair, "must be a (candidate, signature) pair"
                )
            c.instance(self, name, pair[0], CommittedCandidateReceipt)
            c.sig64(self, name, pair[1])
        c.u32(self, "validator_index", self.validator_index)

    @property
    def accused(self) -> int:
        return self.validator_index

    def signed_statements(self) -> tuple[SignedStatement, ...]:
        """The two Seconded statements, as the accused signed them."""
        v = self.validator_index
        return (
            SignedStatement(Seconded(self.first[0]), v, self.first[1]),
            SignedStatement(Seconded(self.second[0]), v, self.second[1]),
        )


@dataclass(frozen=True, slots=True)
class UnauthorizedStatement:
    """A statement from a validator outside the candidate's group (generic.rs)."""

    statement: SignedStatement

    def __post_init__(self) -> None:
        c.instance(self, "statement", self.statement, SignedStatement)

    @property
    def accused(self) -> int:
        return self.statement.validator_index

    def signed_statements(self) -> tuple[SignedStatement, ...]:
        """The one offending statement; its conflict is with the group assignment."""
        return (self.statement,)


@dataclass(frozen=True, slots=True)
class ValidityDoubleVote:
    """Two contradictory votes by one validator on one candidate (generic.rs, with the
    variants of polkadot@8dd1e0d3).

    `first_signature` signs the first-named statement of `kind` (Seconded for the ISSUED kinds,
    Valid for VALIDITY_AND_INVALIDITY), `second_signature` the second-named one.
    """

    kind: ValidityDoubleVoteKind
    candidate: CommittedCandidateReceipt
    first_signature: bytes
    second_signature: bytes
    validator_index: int

    ISSUED_AND_VALIDITY: ClassVar[ValidityDoubleVoteKind] = (
        ValidityDoubleVoteKind.ISSUED_AND_VALIDITY
    )
    ISSUED_AND_INVALIDITY: ClassVar[ValidityDoubleVoteKind] = (
        ValidityDoubleVoteKind.ISSUED_AND_INVALIDITY
    )
    VALIDITY_AND_INVALIDITY: ClassVar[ValidityDoubleVoteKind] = (
        ValidityDoubleVoteKind.VALIDITY_AND_INVALIDITY
    )

    def __post_init__(self) -> None:
        c.instance(self, "kind", self.kind, ValidityDoubleVoteKind)
        c.instance(self, "candidate", self.candidate, CommittedCandidateReceipt)
        c.sig64(self, "first_signature", self.first_signature)
        c.sig64(self, "second_signature", self.second_signature)
        c.u32(self, "validator_index", self.validator_index)

    @property
    def accused(self) -> int:
        return self.validator_index

    def signed_statements(self) -> tuple[SignedStatement, ...]:
        """The two statements in the order the kind names them."""
        h = self.candidate.hash()
        first: AnyStatement
        second: AnyStatement
        if self.kind is ValidityDoubleVoteKind.ISSUED_AND_VALIDITY:
            first, second = Seconded(self.candidate), Valid(h)
        elif self.kind is ValidityDoubleVoteKind.ISSUED_AND_INVALIDITY:
            first, second = Seconded(self.candidate), Invalid(h)
        else:
            first, second = Valid(h), Invalid(h)
        v = self.validator_index
        return (
            SignedStatement(first, v, self.first_signature),
            SignedStatement(second, v, self.second_signature),
        )


_DOUBLE_SIGN_KIND = {Seconded: DoubleSignKind.SECONDED, Valid: DoubleSignKind.VALID,
                     Invalid: DoubleSignKind.INVALID}


@dataclass(frozen=True, slots=True)
class DoubleSign:
    """One statement signed twice with different signatures (generic.rs); older first."""

    kind: DoubleSignKind
    statement: AnyStatement
    first_signature: bytes
    second_signature: bytes
    validator_index: int

    SECONDED: ClassVar[DoubleSignKind] = DoubleSignKind.SECONDED
    VALID: ClassVar[DoubleSignKind] = DoubleSignKind.VALID
    INVALID: ClassVar[DoubleSignKind] = DoubleSignKind.INVALID

    def __post_init__(self) -> None:
        c.instance(self, "kind", self.kind, DoubleSignKind)
        c.instance(self, "statement", self.statement, (Seconded, Valid, Invalid))
        if _DOUBLE_SIGN_KIND[type(self.statement)] is not self.kind:
            raise InvalidRecord(
                "DoubleSign", "kind", self.kind, f"does not match a {type(self.statement).__name__}"
            )
        c.sig64(self, "first_signature", self.first_signature)
        c.sig64(self, "second_signature", self.second_signature)
        c.u32(self, "validator_index", self.validator_index)

    @property
    def accused(self) -> int:
        return self.validator_index

    def signed_statements(self) -> tuple[SignedStatement, ...]:
        v = self.validator_index
        return (
            SignedStatement(self.statement, v, self.first_signature),
            SignedStatement(self.statement, v, self.second_signature),
        )


Misbehavior = Union[  # noqa: UP007
    MultipleCandidates, UnauthorizedStatement, ValidityDoubleVote, DoubleSign
]
