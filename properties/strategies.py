# A composite hypothesis strategy for every record, passing every field explicitly (st.builds
# cannot guess which values are valid). Rule-specific strategies live beside their properties.
# Those the installed package already ships (the vectors draw with them) are imported from it.
from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from pyrsistent import pmap

from backable.core import (
    Active,
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
    CandidateVotes,
    ClaimQueue,
    CommittedCandidateReceipt,
    ConcludedAgainst,
    ConcludedFor,
    Confirmed,
    DigestConsensus,
    DigestOther,
    DigestPreRuntime,
    DigestRuntimeEnvironmentUpdated,
    DigestSeal,
    DisputeState,
    DisputeStatementSet,
    FreeCore,
    GroupRotationInfo,
    Header,
    Invalid,
    InvalidExplicit,
    OccupiedCore,
    OccupiedCoreAssumption,
    OutboundHrmpMessage,
    ParachainsInherentData,
    PersistedValidationData,
    PoV,
    ProvisionerInherentData,
    ScheduledCore,
    Seconded,
    SelectCore,
    SignedAvailabilityBitfield,
    SignedStatement,
    SigningContext,
    Valid,
    ValidExplicit,
)
from backable.shell.vectors.record_strategies import attestations, bitvecs

u32s = st.integers(0, 2**32 - 1)
small_u32s = st.integers(0, 1_000)
u64s = st.integers(0, 2**64 - 1)
hashes = st.binary(min_size=32, max_size=32)
keys = hashes
signatures = st.binary(min_size=64, max_size=64)
blobs = st.binary(max_size=64)


@st.composite
def descriptors(draw: st.DrawFn) -> CandidateDescriptor:
    return CandidateDescriptor(
        para_id=draw(u32s),
        relay_parent=draw(hashes),
        collator=draw(keys),
        persisted_validation_data_hash=draw(hashes),
        pov_hash=draw(hashes),
        erasure_root=draw(hashes),
        signature=draw(signatures),
        para_head=draw(hashes),
        validation_code_hash=draw(hashes),
    )


@st.composite
def hrmp_messages(draw: st.DrawFn) -> OutboundHrmpMessage:
    return OutboundHrmpMessage(recipient=draw(u32s), data=draw(blobs))


@st.composite
def commitments(draw: st.DrawFn) -> CandidateCommitments:
    return CandidateCommitments(
        upward_messages=tuple(draw(st.lists(blobs, max_size=3))),
        horizontal_messages=tuple(draw(st.lists(hrmp_messages(), max_size=3))),
        new_validation_code=draw(st.none() | blobs),
        head_data=draw(blobs),
        processed_downward_messages=draw(u32s),
        hrmp_watermark=draw(u32s),
    )


@st.composite
def receipts(draw: st.DrawFn) -> CandidateReceipt:
    return CandidateReceipt(descriptor=draw(descriptors()), commitments_hash=draw(hashes))


@st.composite
def committed_receipts(draw: st.DrawFn) -> CommittedCandidateReceipt:
    return CommittedCandidateReceipt(
        descriptor=draw(descriptors()), commitments=draw(commitments())
    )


@st.composite
def validation_data(draw: st.DrawFn) -> PersistedValidationData:
    return PersistedValidationData(
        parent_head=draw(blobs),
        relay_parent_number=draw(u32s),
        relay_parent_storage_root=draw(hashes),
        max_pov_size=draw(u32s),
    )


@st.composite
def povs(draw: st.DrawFn) -> PoV:
    return PoV(block_data=draw(st.binary(max_size=256)))


@st.composite
def scheduled_cores(draw: st.DrawFn) -> ScheduledCore:
    return ScheduledCore(para_id=draw(u32s), collator=draw(st.none() | keys))


@st.composite
def occupied_cores(draw: st.DrawFn) -> OccupiedCore:
    return OccupiedCore(
        next_up_on_available=draw(st.none() | scheduled_cores()),
        occupied_since=draw(u32s),
        time_out_at=draw(u32s),
        next_up_on_time_out=draw(st.none() | scheduled_cores()),
        availability=draw(bitvecs()),
        group_responsible=draw(u32s),
        candidate_hash=draw(hashes),
        candidate_descriptor=draw(descriptors()),
    )


def core_states() -> st.SearchStrategy[Any]:
    return st.one_of(occupied_cores(), scheduled_cores(), st.just(FreeCore()))


@st.composite
def rotation_infos(draw: st.DrawFn) -> GroupRotationInfo:
    return GroupRotationInfo(
        session_start_block=draw(u32s),
        group_rotation_frequency=draw(u32s),
        now=draw(u32s),
    )


@st.composite
def signing_contexts(draw: st.DrawFn) -> SigningContext:
    return SigningContext(session_index=draw(u32s), parent_hash=draw(hashes))


def statements() -> st.SearchStrategy[Any]:
    return st.one_of(
        committed_receipts().map(Seconded),
        hashes.map(Valid),
        hashes.map(Invalid),
    )


@st.composite
def signed_statements(draw: st.DrawFn) -> SignedStatement:
    return SignedStatement(
        statement=draw(statements()), validator_index=draw(u32s), signature=draw(signatures)
    )


@st.composite
def signed_bitfields(draw: st.DrawFn) -> SignedAvailabilityBitfield:
    return SignedAvailabilityBitfield(
        payload=draw(bitvecs()), validator_index=draw(u32s), signature=draw(signatures)
    )


@st.composite
def backed_candidates(draw: st.DrawFn) -> BackedCandidate:
    return BackedCandidate(
        candidate=draw(committed_receipts()),
        validity_votes=tuple(draw(st.lists(attestations(), max_size=5))),
        validator_indices=draw(bitvecs(max_len=13)),
    )


def valid_kinds() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.just(ValidExplicit()),
        hashes.map(BackingSeconded),
        hashes.map(BackingValid),
        st.just(ApprovalChecking()),
        st.lists(hashes, max_size=3).map(lambda h: ApprovalCheckingMultipleCandidates(tuple(h))),
    )


def dispute_statements() -> st.SearchStrategy[Any]:
    return st.one_of(valid_kinds(), st.just(InvalidExplicit()))


@st.composite
def dispute_statement_sets(draw: st.DrawFn) -> DisputeStatementSet:
    votes = draw(st.lists(st.tuples(dispute_statements(), u32s, signatures), max_size=4))
    return DisputeStatementSet(
        candidate_hash=draw(hashes), session=draw(u32s), statements=tuple(votes)
    )


@st.composite
def dispute_states(draw: st.DrawFn) -> DisputeState:
    n = draw(st.integers(0, 40))
    return DisputeState(
        validators_for=draw(bitvecs(n, n)),
        validators_against=draw(bitvecs(n, n)),
        start=draw(u32s),
        concluded_at=draw(st.none() | u32s),
    )


def dispute_statuses() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.just(Active()),
        u64s.map(ConcludedFor),
        u64s.map(ConcludedAgainst),
        st.just(Confirmed()),
    )


@st.composite
def candidate_votes(draw: st.DrawFn) -> CandidateVotes:
    valid = draw(st.dictionaries(u32s, st.tuples(valid_kinds(), signatures), max_size=4))
    invalid = draw(
        st.dictionaries(u32s, st.tuples(st.just(InvalidExplicit()), signatures), max_size=4)
    )
    return CandidateVotes(
        candidate_receipt=draw(receipts()), valid=pmap(valid), invalid=pmap(invalid)
    )


def digest_items() -> st.SearchStrategy[Any]:
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
        parent_hash=draw(hashes),
        number=draw(u32s),
        state_root=draw(hashes),
        extrinsics_root=draw(hashes),
        digest=tuple(draw(st.lists(digest_items(), max_size=4))),
    )


@st.composite
def provisioner_inherent_data(draw: st.DrawFn) -> ProvisionerInherentData:
    return ProvisionerInherentData(
        bitfields=tuple(draw(st.lists(signed_bitfields(), max_size=3))),
        backed_candidates=tuple(draw(st.lists(backed_candidates(), max_size=2))),
        disputes=tuple(draw(st.lists(dispute_statement_sets(), max_size=2))),
    )


@st.composite
def parachains_inherent_data(draw: st.DrawFn) -> ParachainsInherentData:
    base = draw(provisioner_inherent_data())
    return base.with_parent_header(draw(headers()))


assumptions = st.sampled_from(list(OccupiedCoreAssumption))

# -- today's records (core/today/) --------------------------------------------------------------

u8s = st.integers(0, 255)


@st.composite
def select_cores(draw: st.DrawFn) -> SelectCore:
    return SelectCore(core_selector=draw(u8s), claim_queue_offset=draw(u8s))


@st.composite
def approved_peers(draw: st.DrawFn) -> ApprovedPeer:
    return ApprovedPeer(peer_id=draw(st.binary(max_size=64)))


def ump_signal_values() -> st.SearchStrategy[Any]:
    return st.one_of(select_cores(), approved_peers())


@st.composite
def claim_queues(draw: st.DrawFn) -> ClaimQueue:
    # A handful of paras so that cores share them, as on a real chain.
    paras = st.sampled_from([1000, 2000, 2004, 2**32 - 1]) | u32s
    queue = draw(st.dictionaries(u32s, st.lists(paras, max_size=5), max_size=5))
    return ClaimQueue.from_mapping(queue)


def candidate_backed_events() -> st.SearchStrategy[CandidateBacked]:
    return st.builds(CandidateBacked, receipts(), blobs, u32s, u32s)


def candidate_included_events() -> st.SearchStrategy[CandidateIncluded]:
    return st.builds(CandidateIncluded, receipts(), blobs, u32s, u32s)


def candidate_timed_out_events() -> st.SearchStrategy[CandidateTimedOut]:
    return st.builds(CandidateTimedOut, receipts(), blobs, u32s)


def candidate_events() -> st.SearchStrategy[Any]:
    return st.one_of(
        candidate_backed_events(), candidate_included_events(), candidate_timed_out_events()
    )


# Every wire record with its strategy: what the round-trip and totality properties range over.
RECORD_STRATEGIES: dict[type, st.SearchStrategy[Any]] = {
    BitVec: bitvecs(),
    CandidateDescriptor: descriptors(),
    OutboundHrmpMessage: hrmp_messages(),
    CandidateCommitments: commitments(),
    CandidateReceipt: receipts(),
    CommittedCandidateReceipt: committed_receipts(),
    PersistedValidationData: validation_data(),
    PoV: povs(),
    ScheduledCore: scheduled_cores(),
    OccupiedCore: occupied_cores(),
    OccupiedCoreAssumption: assumptions,
    GroupRotationInfo: rotation_infos(),
    SigningContext: signing_contexts(),
    SignedStatement: signed_statements(),
    SignedAvailabilityBitfield: signed_bitfields(),
    BackedCandidate: backed_candidates(),
    DisputeStatementSet: dispute_statement_sets(),
    DisputeState: dispute_states(),
    CandidateVotes: candidate_votes(),
    Header: headers(),
    ProvisionerInherentData: provisioner_inherent_data(),
    ParachainsInherentData: parachains_inherent_data(),
    ClaimQueue: claim_queues(),
}
