# Builders shared by the tests of today's backing job and selection (tests/test_async_job.py,
# test_async_setup.py, test_async_events.py, test_async_backable.py, test_async_selection.py)
# and the async backing job machine (properties/test_async_job_machine.py). The default world
# follows the `TestState` of polkadot-sdk@013cd85d polkadot/node/core/backing/src/tests/mod.rs:
# six validators, groups [2, 0, 3, 5] and [1] (validator 4 in none), para 1 on core 0 and para 2
# on core 1, rotation every 100 blocks from block 0 seen at block 1 (no rotation yet),
# `minimum_backing_votes` 2 (the node's LEGACY_MIN_BACKING_VOTES), session 1, scheduling parent
# 0x05..05; we are validator 0.
# Candidates are V1 (their relay parent schedules them) unless a test builds a V3 one.
from __future__ import annotations

from collections.abc import Sequence

from backable.core import (
    AsyncBackingJobState,
    AsyncBackingSetup,
    BitVec,
    CandidateCommitments,
    ClaimQueue,
    CommittedCandidateReceipt,
    GroupRotationInfo,
    PersistedValidationData,
    PoV,
    SigningContext,
    async_backing_setup,
    new_async_backing_job,
)
from properties.backing_strategies import public_key
from tests.builders import descriptor

PARENT = b"\x05" * 32
CONTEXT = SigningContext(1, PARENT)
VALIDATORS = tuple(public_key(i) for i in range(6))
GROUPS: tuple[tuple[int, ...], ...] = ((2, 0, 3, 5), (1,))
ROTATION = GroupRotationInfo(0, 100, 1)
CLAIMS = ClaimQueue({0: (1,), 1: (2,)})
MBV = 2
ROOT = b"\x0b" * 32


def setup(
    groups: Sequence[Sequence[int]] = GROUPS,
    rotation: GroupRotationInfo = ROTATION,
    claims: ClaimQueue = CLAIMS,
    minimum_backing_votes: int = MBV,
    max_evidence: int = 8,
) -> AsyncBackingSetup:
    return async_backing_setup(groups, rotation, claims, minimum_backing_votes, max_evidence)


def job(
    validator_index: int | None = 0,
    disabled: frozenset[int] = frozenset(),
    world: AsyncBackingSetup | None = None,
    node_features: BitVec | None = None,
    **options: object,
) -> AsyncBackingJobState:
    return new_async_backing_job(
        CONTEXT,
        VALIDATORS,
        setup() if world is None else world,
        validator_index,
        disabled,
        node_features,
        **options,  # type: ignore[arg-type]
    )


def validation_data(parent_head: bytes = b"\x07\x08\x09") -> PersistedValidationData:
    return PersistedValidationData(parent_head, 0, ROOT, 1024)


def candidate(
    para: int,
    head: bytes,
    parent_head: bytes = b"\x07\x08\x09",
    *,
    code: bytes | None = None,
    block: bytes | None = None,
    relay_parent: bytes = PARENT,
) -> tuple[CommittedCandidateReceipt, PersistedValidationData, PoV]:
    """A V1 candidate of `para` building `head` on `parent_head`, with the validation data and
    the PoV its descriptor commits to (the PoV's data defaults to the head)."""
    pvd = validation_data(parent_head)
    pov = PoV(head if block is None else block)
    commitments = CandidateCommitments(head_data=head, new_validation_code=code)
    d = descriptor(
        para_id=para,
        relay_parent=relay_parent,
        persisted_validation_data_hash=pvd.hash(),
        pov_hash=pov.hash(),
    )
    return CommittedCandidateReceipt(d, commitments), pvd, pov
