# Hypothesis strategies for the records the "generated" cases of the statement-table, records,
# signing-payload, descriptor, core-index, inherent-check and fragment-chain families draw from
# (drawing.py makes the draws reproducible). Hypothesis is an optional dependency (the `vectors`
# extra): only a family's `cases` imports this module, never its evaluation, and without
# hypothesis the import is `GeneratorMissing`, which the export reports in one line.
from __future__ import annotations

from typing import Any

from backable.core import (
    ApprovalChecking,
    ApprovalCheckingMultipleCandidates,
    ApprovedPeer,
    BackedCandidate,
    BackingSeconded,
    BackingValid,
    BitVec,
    CandidateBacked,
    CandidateCommitments,
    CandidateDescriptor,
    CandidateIncluded,
    CandidateReceipt,
    CandidateTimedOut,
    ClaimQueue,
    CommittedCandidateReceipt,
    DigestConsensus,
    DigestOther,
    DigestPreRuntime,
    DigestRuntimeEnvironmentUpdated,
    DigestSeal,
    DisputeState,
    DisputeStatementSet,
    Explicit,
    FreeCore,
    GroupRotationInfo,
    Header,
    Implicit,
    Invalid,
    InvalidExplicit,
    OccupiedCore,
    OutboundHrmpMessage,
    ParachainsInherentData,
    PersistedValidationData,
    PoV,
    ScheduledCore,
    Seconded,
    SelectCore,
    SignedAvailabilityBitfield,
    SignedStatement,
    SigningContext,
    Valid,
    ValidExplicit,
    candidate_descriptor_v2,
)

from .drawing import GeneratorMissing

try:
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - the test environment has hypothesis
    raise GeneratorMissing(
        "making the generated cases needs hypothesis: pip install 'backable[vectors]'"
    ) from None

__all__ = [
    "attestations",
    "backed_candidates",
    "bitvecs",
    "blobs",
    "candidate_events",
    "claim_queues",
    "commitments",
    "committed_receipts",
    "core_states",
    "descriptors",
    "dispute_statement_sets",
    "dispute_statements",
    "dispute_states",
    "hashes",
    "headers",
    "inherent_data",
    "persisted_validation_data",
    "povs",
    "receipts",
    "rotation_infos",
    "signatures",
    "signed_bitfields",
    "signed_statements",
    "signing_contexts",
    "st",
    "statements",
    "u32s",
    "ump_signals",
    "v2_descriptors",
]

u32s = st.integers(0, 2**32 - 1)
hashes = st.binary(min_size=32, max_size=32)
signatures = st.binary(min_size=64, max_size=64)
blobs = st.binary(max_size=40)


@st.composite
def bitvecs(draw: st.DrawFn, min_len: int = 0, max_len: int = 80) -> BitVec:
    n = draw(st.integers(min_len, max_len))
    return BitVec(draw(st.integers(0, (1 << n) - 1)), n)


@st.composite
def descriptors(draw: st.DrawFn) -> CandidateDescriptor:
    """Any 292 bytes of descriptor: random collator and signature bytes read as V1."""
    return CandidateDescriptor(
        para_id=draw(u32s),
        relay_parent=draw(hashes),
        collator=draw(hashes),
        persisted_validation_data_hash=draw(hashes),
        pov_hash=draw(hashes),
        erasure_root=draw(hashes),
        signature=draw(signatures),
        para_head=draw(hashes),
        validation_code_hash=draw(hashes),
    )


@st.composite
def v2_descriptors(
    draw: st.DrawFn, para_ids: st.SearchStrategy[int] = u32s, max_core: int = 2**16 - 1
) -> CandidateDescriptor:
    """A V2 descriptor as `CandidateDescriptorV2::new` builds it."""
    return candidate_descriptor_v2(
        draw(para_ids),
        draw(hashes),
        draw(st.integers(0, max_core)),
        draw(u32s),
        draw(hashes),
        draw(hashes),
        draw(hashes),
        draw(hashes),
        draw(hashes),
    )


@st.composite
def commitments(
    draw: st.DrawFn, upward: st.SearchStrategy[tuple[bytes, ...]] | None = None
) -> CandidateCommitments:
    ump = upward if upward is not None else st.lists(blobs, max_size=3).map(tuple)
    hrmp = st.lists(st.builds(OutboundHrmpMessage, u32s, blobs), max_size=2).map(tuple)
    return CandidateCommitments(
        upward_messages=draw(ump),
        horizontal_messages=draw(hrmp),
        new_validation_code=draw(st.none() | blobs),
        head_data=draw(blobs),
        processed_downward_messages=draw(u32s),
        hrmp_watermark=draw(u32s),
    )


@st.composite
def committed_receipts(
    draw: st.DrawFn,
    descriptor: st.SearchStrategy[CandidateDescriptor] | None = None,
    commitment: st.SearchStrategy[CandidateCommitments] | None = None,
) -> CommittedCandidateReceipt:
    return CommittedCandidateReceipt(
        draw(descriptor if descriptor is not None else descriptors()),
        draw(commitment if commitment is not None else commitments()),
    )


@st.composite
def receipts(draw: st.DrawFn) -> CandidateReceipt:
    return CandidateReceipt(draw(descriptors()), draw(hashes))


@st.composite
def persisted_validation_data(draw: st.DrawFn) -> PersistedValidationData:
    return PersistedValidationData(draw(blobs), draw(u32s), draw(hashes), draw(u32s))


@st.composite
def povs(draw: st.DrawFn) -> PoV:
    return PoV(draw(st.binary(max_size=120)))


def attestations() -> st.SearchStrategy[Any]:
    return st.one_of(signatures.map(Implicit), signatures.map(Explicit))


@st.composite
def backed_candidates(draw: st.DrawFn) -> BackedCandidate:
    return BackedCandidate(
        draw(committed_receipts()),
        tuple(draw(st.lists(attestations(), max_size=4))),
        draw(bitvecs(max_len=14)),
    )


@st.composite
def signing_contexts(draw: st.DrawFn) -> SigningContext:
    return SigningContext(draw(u32s), draw(hashes))


def statements() -> st.SearchStrategy[Any]:
    return st.one_of(
        committed_receipts().map(Seconded), hashes.map(Valid), hashes.map(Invalid)
    )


@st.composite
def signed_statements(draw: st.DrawFn) -> SignedStatement:
    return SignedStatement(draw(statements()), draw(u32s), draw(signatures))


@st.composite
def signed_bitfields(draw: st.DrawFn) -> SignedAvailabilityBitfield:
    return SignedAvailabilityBitfield(draw(bitvecs()), draw(u32s), draw(signatures))


def dispute_statements() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.just(ValidExplicit()),
        hashes.map(BackingSeconded),
        hashes.map(BackingValid),
        st.just(ApprovalChecking()),
        st.lists(hashes, max_size=3).map(lambda h: ApprovalCheckingMultipleCandidates(tuple(h))),
        st.just(InvalidExplicit()),
    )


@st.composite
def dispute_statement_sets(draw: st.DrawFn) -> DisputeStatementSet:
    votes = draw(st.lists(st.tuples(dispute_statements(), u32s, signatures), max_size=3))
    return DisputeStatementSet(draw(hashes), draw(u32s), tuple(votes))


@st.composite
def dispute_states(draw: st.DrawFn) -> DisputeState:
    n = draw(st.integers(0, 40))
    return DisputeState(
        draw(bitvecs(n, n)), draw(bitvecs(n, n)), draw(u32s), draw(st.none() | u32s)
    )


def _digest_items() -> st.SearchStrategy[Any]:
    engines = st.binary(min_size=4, max_size=4)
    return st.one_of(
        st.builds(DigestPreRuntime, engines, blobs),
        st.builds(DigestConsensus, engines, blobs),
        st.builds(DigestSeal, engines, blobs),
        st.builds(DigestOther, blobs),
        st.just(DigestRuntimeEnvironmentUpdated()),
    )


@st.composite
def headers(draw: st.DrawFn) -> Header:
    return Header(
        draw(hashes),
        draw(u32s),
        draw(hashes),
        draw(hashes),
        tuple(draw(st.lists(_digest_items(), max_size=3))),
    )


@st.composite
def inherent_data(draw: st.DrawFn) -> ParachainsInherentData:
    return ParachainsInherentData(
        tuple(draw(st.lists(signed_bitfields(), max_size=2))),
        tuple(draw(st.lists(backed_candidates(), max_size=2))),
        tuple(draw(st.lists(dispute_statement_sets(), max_size=1))),
        draw(headers()),
    )


@st.composite
def _scheduled_cores(draw: st.DrawFn) -> ScheduledCore:
    return ScheduledCore(draw(u32s), draw(st.none() | hashes))


@st.composite
def _occupied_cores(draw: st.DrawFn) -> OccupiedCore:
    return OccupiedCore(
        draw(st.none() | _scheduled_cores()),
        draw(u32s),
        draw(u32s),
        draw(st.none() | _scheduled_cores()),
        draw(bitvecs()),
        draw(u32s),
        draw(hashes),
        draw(descriptors()),
    )


def core_states() -> st.SearchStrategy[Any]:
    return st.one_of(_occupied_cores(), _scheduled_cores(), st.just(FreeCore()))


@st.composite
def rotation_infos(draw: st.DrawFn) -> GroupRotationInfo:
    return GroupRotationInfo(draw(u32s), draw(u32s), draw(u32s))


@st.composite
def claim_queues(
    draw: st.DrawFn, paras: st.SearchStrategy[int] = u32s, max_core: int = 300
) -> ClaimQueue:
    cores = draw(st.lists(st.integers(0, max_core), unique=True, max_size=5))
    return ClaimQueue(
        tuple((core, tuple(draw(st.lists(paras, max_size=4)))) for core in cores)
    )


def ump_signals() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(SelectCore, st.integers(0, 255), st.integers(0, 255)),
        st.binary(max_size=64).map(ApprovedPeer),
    )


def candidate_events() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(CandidateBacked, receipts(), blobs, u32s, u32s),
        st.builds(CandidateIncluded, receipts(), blobs, u32s, u32s),
        st.builds(CandidateTimedOut, receipts(), blobs, u32s),
    )
