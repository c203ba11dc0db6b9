# Fixtures and strategies for the statement table and the backing job: deterministic candidates,
# validator keys, real sr25519 signatures (cached: signing costs tens of microseconds) and fake
# ones for tests where the table never looks at them.
from __future__ import annotations

from functools import cache

import sr25519
from hypothesis import strategies as st

from backable.core import (
    CandidateCommitments,
    CandidateDescriptor,
    CommittedCandidateReceipt,
    Invalid,
    Seconded,
    SignedStatement,
    SigningContext,
    Valid,
    statement_signing_payload,
)
from backable.core.records.statements import AnyStatement

CONTEXT = SigningContext(7, b"\x11" * 32)


@cache
def keypair(validator_index: int) -> tuple[bytes, bytes]:
    return sr25519.pair_from_seed(bytes([validator_index % 256, validator_index // 256]) * 16)


def public_key(validator_index: int) -> bytes:
    return keypair(validator_index)[0]


@cache
def candidate(para_id: int, nonce: int = 0, head: bytes = b"") -> CommittedCandidateReceipt:
    """A distinct, deterministic committed candidate of `para_id` for each `(nonce, head)`."""
    descriptor = CandidateDescriptor(
        para_id=para_id,
        relay_parent=CONTEXT.parent_hash,
        collator=b"\xc0" * 32,
        persisted_validation_data_hash=b"\x01" * 32,
        pov_hash=b"\x02" * 32,
        erasure_root=b"\x03" * 32,
        signature=b"\x04" * 64,
        para_head=bytes([nonce % 256]) * 32,
        validation_code_hash=b"\x05" * 32,
    )
    commitments = CandidateCommitments(head_data=head or nonce.to_bytes(4, "little"))
    return CommittedCandidateReceipt(descriptor, commitments)


def fake_signature(validator_index: int, tag: int = 0) -> bytes:
    return bytes([validator_index % 256, tag % 256]) * 32


def fake(statement: AnyStatement, validator_index: int, tag: int = 0) -> SignedStatement:
    """A statement with a made-up signature (the table never checks signatures)."""
    return SignedStatement(statement, validator_index, fake_signature(validator_index, tag))


@cache
def signed(
    statement: AnyStatement, validator_index: int, copy: int = 0, context: SigningContext = CONTEXT
) -> SignedStatement:
    """A really signed statement; `copy` > 0 gives another, different signature of the same one
    (sr25519 signatures are randomised)."""
    pub, secret = keypair(validator_index)
    payload = statement_signing_payload(statement, context)
    return SignedStatement(statement, validator_index, sr25519.sign((pub, secret), payload))


# Strategies --------------------------------------------------------------------------------

PARAS = (100, 200)
GROUPS = {100: (0, 1, 2, 3, 4), 200: (5, 6, 7)}
CANDIDATES = tuple(candidate(p, n) for p in PARAS for n in range(3))


@st.composite
def statements(draw: st.DrawFn, validators: int = 9) -> SignedStatement:
    """A really signed statement from a small world: 2 paras, 3 candidates each, 9 validators
    (8 in groups, 1 outside), two signatures available per statement (double signing)."""
    c = draw(st.sampled_from(CANDIDATES))
    kind = draw(st.sampled_from((Seconded, Valid, Invalid)))
    statement: AnyStatement = Seconded(c) if kind is Seconded else kind(c.hash())
    v = draw(st.integers(0, validators - 1))
    return signed(statement, v, draw(st.integers(0, 1)))
