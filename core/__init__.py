"""backable's pure core: Polkadot's parachain-host records with their SCALE forms, hashes and
signature payloads, and the rules of Candidate Backing and the Provisioner as pure functions and
pure job machines. Nothing here does I/O, reads a clock, draws randomness or logs.

- ``records/``: the wire types, their SCALE forms, hashes and signing payloads, and misbehaviour
  evidence.
- ``backing/``: the statement table, group assignment and the backing job; beside them, the
  backing job under today's rules (``async_*.py``).
- ``provisioner/``: availability, bitfield/candidate/dispute selection, the provisioning pass, the
  inherent check and the provisioning job; today's candidate selection (``async_selection.py``).
- ``today/``: today's protocol beside the seeds' design: descriptor versions, UMP signals, the
  claim queue, node features, candidate events.
- ``thresholds.py`` (every threshold formula, once), ``signals.py`` (the overseer's signals),
  ``errors.py`` (the ``BackableError`` family).

Every public name is importable from here: ``from backable.core import select_candidates``.
"""
from __future__ import annotations

from .errors import BackableError, DecodeError, InvalidRecord, LengthMismatch, UnsupportedType
from .records.backed import BackedCandidate
from .records.bitvec import BitVec
from .records.candidate import (
    CandidateCommitments,
    CandidateDescriptor,
    CandidateReceipt,
    CommittedCandidateReceipt,
    OutboundHrmpMessage,
    PersistedValidationData,
    PoV,
)
from .records.codec import decode, encode
from .records.cores import (
    CoreState,
    FreeCore,
    GroupRotationInfo,
    OccupiedCore,
    OccupiedCoreAssumption,
    ScheduledCore,
)
from .records.disputes import (
    Active,
    ApprovalChecking,
    ApprovalCheckingMultipleCandidates,
    BackingSeconded,
    BackingValid,
    CandidateVotes,
    ConcludedAgainst,
    ConcludedFor,
    Confirmed,
    DisputeState,
    DisputeStatement,
    DisputeStatementSet,
    DisputeStatus,
    InvalidDisputeStatementKind,
    InvalidExplicit,
    ValidDisputeStatementKind,
    ValidExplicit,
)
from .records.hashing import blake2_256
from .records.header import (
    DigestConsensus,
    DigestItem,
    DigestOther,
    DigestPreRuntime,
    DigestRuntimeEnvironmentUpdated,
    DigestSeal,
    Header,
)
from .records.inherent import (
    BARE_EXTRINSIC_VERSIONS,
    EXTRINSIC_FORMAT_VERSION,
    LEGACY_EXTRINSIC_FORMAT_VERSION,
    PARAS_INHERENT_CALL_INDEX,
    ParachainsInherentData,
    ProvisionerInherentData,
    decode_paras_inherent_extrinsic,
    encode_paras_inherent_extrinsic,
)
from .records.signing import (
    BACKING_STATEMENT_MAGIC,
    bitfield_signing_payload,
    check_collator_signature,
    collator_signature_payload,
    dispute_statement_signing_payload,
    statement_signing_payload,
    verify_signature,
)
from .records.statements import (
    Explicit,
    Implicit,
    Invalid,
    Seconded,
    SignedAvailabilityBitfield,
    SignedStatement,
    SigningContext,
    Statement,
    Valid,
    ValidityAttestation,
)
from .signals import ActivatedLeaf, ActiveLeavesUpdate, Conclude
from .thresholds import (
    AvailabilityThreshold,
    availability_threshold_met,
    backing_threshold,
    runtime_availability_threshold_met,
    supermajority_threshold,
)

__all__ = [
    "BACKING_STATEMENT_MAGIC",
    "BARE_EXTRINSIC_VERSIONS",
    "EXTRINSIC_FORMAT_VERSION",
    "LEGACY_EXTRINSIC_FORMAT_VERSION",
    "PARAS_INHERENT_CALL_INDEX",
    "ActivatedLeaf",
    "Active",
    "ActiveLeavesUpdate",
    "ApprovalChecking",
    "ApprovalCheckingMultipleCandidates",
    "BackableError",
    "BackedCandidate",
    "BackingSeconded",
    "BackingValid",
    "BitVec",
    "CandidateCommitments",
    "CandidateDescriptor",
    "CandidateReceipt",
    "CandidateVotes",
    "CommittedCandidateReceipt",
    "Conclude",
    "ConcludedAgainst",
    "ConcludedFor",
    "Confirmed",
    "CoreState",
    "DecodeError",
    "DigestConsensus",
    "DigestItem",
    "DigestOther",
    "DigestPreRuntime",
    "DigestRuntimeEnvironmentUpdated",
    "DigestSeal",
    "DisputeState",
    "DisputeStatement",
    "DisputeStatementSet",
    "DisputeStatus",
    "Explicit",
    "FreeCore",
    "GroupRotationInfo",
    "Header",
    "Implicit",
    "Invalid",
    "InvalidDisputeStatementKind",
    "InvalidExplicit",
    "InvalidRecord",
    "LengthMismatch",
    "OccupiedCore",
    "OccupiedCoreAssumption",
    "OutboundHrmpMessage",
    "ParachainsInherentData",
    "PersistedValidationData",
    "PoV",
    "ProvisionerInherentData",
    "ScheduledCore",
    "Seconded",
    "SignedAvailabilityBitfield",
    "SignedStatement",
    "SigningContext",
    "Statement",
    "UnsupportedType",
    "Valid",
    "ValidDisputeStatementKind",
    "ValidExplicit",
    "ValidityAttestation",
    "bitfield_signing_payload",
    "blake2_256",
    "check_collator_signature",
    "collator_signature_payload",
    "decode",
    "decode_paras_inherent_extrinsic",
    "dispute_statement_signing_payload",
    "encode",
    "encode_paras_inherent_extrinsic",
    "statement_signing_payload",
    "verify_signature",
]

# Candidate Backing: misbehaviour evidence and the statement table (implementers' guide,
# "Candidate Backing"; polkadot@c4ee9d46 node/core/backing/src/lib.rs and
# statement-table/src/generic.rs).
from .backing.table import (
    MAX_EVIDENCE_PER_VALIDATOR,
    AttestedCandidate,
    Summary,
    Table,
    TableContext,
    TableError,
    attested_candidate,
    attested_to_backed,
    import_statement,
)
from .records.misbehavior import (
    DoubleSign,
    DoubleSignKind,
    Misbehavior,
    MultipleCandidates,
    UnauthorizedStatement,
    ValidityDoubleVote,
    ValidityDoubleVoteKind,
)

__all__ += [
    "MAX_EVIDENCE_PER_VALIDATOR",
    "AttestedCandidate",
    "DoubleSign",
    "DoubleSignKind",
    "Misbehavior",
    "MultipleCandidates",
    "Summary",
    "Table",
    "TableContext",
    "TableError",
    "UnauthorizedStatement",
    "ValidityDoubleVote",
    "ValidityDoubleVoteKind",
    "attested_candidate",
    "attested_to_backed",
    "backing_threshold",
    "import_statement",
]

# Provisioner: availability, bitfield/candidate/dispute selection, the inherent check and the
# provisioning job machine (implementers' guide, "Provisioner", full and early forms;
# polkadot@c4ee9d46 node/core/provisioner/src/lib.rs).
from .provisioner.assemble import assemble_inherent_data  # noqa: E402
from .provisioner.availability import (  # noqa: E402
    availability_counts,
    bitfields_indicate_availability,
    cores_availability,
)
from .provisioner.bitfield_selection import select_availability_bitfields  # noqa: E402
from .provisioner.candidate_selection import (  # noqa: E402
    core_assumption,
    select_candidates,
    validation_data_keys,
)
from .provisioner.dispute_selection import DisputeInputs, DisputeSelectionError, select_disputes  # noqa: E402
from .provisioner.inherent_check import InherentProblem, check_inherent  # noqa: E402
from .provisioner.job import (  # noqa: E402
    ReceiveBackedCandidate,
    ReceiveBitfield,
    ReceiveDispute,
    ReceiveMisbehaviourReport,
    RequestInherentData,
    Subscribe,
    SubscriberClosed,
)

__all__ += [
    "AvailabilityThreshold",
    "DisputeInputs",
    "DisputeSelectionError",
    "InherentProblem",
    "ReceiveBackedCandidate",
    "ReceiveBitfield",
    "ReceiveDispute",
    "ReceiveMisbehaviourReport",
    "RequestInherentData",
    "Subscribe",
    "SubscriberClosed",
    "assemble_inherent_data",
    "availability_counts",
    "availability_threshold_met",
    "bitfields_indicate_availability",
    "check_inherent",
    "core_assumption",
    "cores_availability",
    "runtime_availability_threshold_met",
    "select_availability_bitfields",
    "select_candidates",
    "select_disputes",
    "supermajority_threshold",
    "validation_data_keys",
]

# Candidate Backing: group assignment and the backing job machine (implementers' guide,
# "Candidate Backing"; polkadot@c4ee9d46 node/core/backing/src/lib.rs).
from .backing.events import (  # noqa: E402
    CandidateInvalid,
    CandidateValid,
    GetBackedCandidates,
    ReceiveStatement,
    Second,
)
from .backing.groups import Assignment, local_assignment, validator_groups  # noqa: E402
from .backing.job import (  # noqa: E402
    EARLY_VOTE_LIMIT,
    EARLY_VOTES_PER_VALIDATOR,
    BackingJobError,
    BackingJobState,
    new_backing_job,
)
from .backing.job import step as backing_step  # noqa: E402

__all__ += [
    "EARLY_VOTES_PER_VALIDATOR",
    "EARLY_VOTE_LIMIT",
    "Assignment",
    "BackingJobError",
    "BackingJobState",
    "CandidateInvalid",
    "CandidateValid",
    "GetBackedCandidates",
    "ReceiveStatement",
    "Second",
    "backing_step",
    "local_assignment",
    "new_backing_job",
    "validator_groups",
]

# Today's protocol (2024-2026): descriptor versions, UMP signals, the claim queue and the core a
# candidate commits to, node features, candidate events (polkadot-sdk@88db6842
# polkadot/primitives/src/v9/mod.rs; RFC-103; PRs #7955, #10472, #11290).
from .today.claim_queue import (  # noqa: E402
    CORE_INDEX_BITS,
    ClaimQueue,
    TransposedClaimQueue,
    check_core_index,
    committed_core_index,
    inject_core_index,
    parse_ump_signals,
    split_injected_core_index,
    transpose_claim_queue,
)
from .today.descriptor import (  # noqa: E402
    DescriptorVersion,
    VersionRejected,
    VersionRejection,
    candidate_descriptor_v2,
    candidate_descriptor_v3,
    check_version_acceptance,
    descriptor_core_index,
    descriptor_session_index,
    descriptor_version,
    internal_version,
    old_style_descriptor_version,
    raw_core_index,
    scheduling_parent,
    scheduling_session,
)
from .today.events import (  # noqa: E402
    CandidateBacked,
    CandidateEvent,
    CandidateIncluded,
    CandidateTimedOut,
)
from .today.node_features import NodeFeature, node_feature_enabled, node_features  # noqa: E402
from .today.ump_signals import (  # noqa: E402
    DEFAULT_CLAIM_QUEUE_OFFSET,
    MAX_APPROVED_PEER_ID_LEN,
    UMP_SEPARATOR,
    ApprovedPeer,
    CandidateReceiptError,
    SelectCore,
    UMPSignal,
    UmpSignalError,
    UmpSignals,
    commitments_with_signals,
    ump_signals,
    xcm_messages,
)

__all__ += [
    "CORE_INDEX_BITS",
    "DEFAULT_CLAIM_QUEUE_OFFSET",
    "MAX_APPROVED_PEER_ID_LEN",
    "UMP_SEPARATOR",
    "ApprovedPeer",
    "CandidateBacked",
    "CandidateEvent",
    "CandidateIncluded",
    "CandidateReceiptError",
    "CandidateTimedOut",
    "ClaimQueue",
    "DescriptorVersion",
    "NodeFeature",
    "SelectCore",
    "TransposedClaimQueue",
    "UMPSignal",
    "UmpSignalError",
    "UmpSignals",
    "VersionRejected",
    "VersionRejection",
    "candidate_descriptor_v2",
    "candidate_descriptor_v3",
    "check_core_index",
    "check_version_acceptance",
    "committed_core_index",
    "commitments_with_signals",
    "descriptor_core_index",
    "descriptor_session_index",
    "descriptor_version",
    "inject_core_index",
    "internal_version",
    "node_feature_enabled",
    "node_features",
    "old_style_descriptor_version",
    "parse_ump_signals",
    "raw_core_index",
    "scheduling_parent",
    "scheduling_session",
    "split_injected_core_index",
    "transpose_claim_queue",
    "ump_signals",
    "xcm_messages",
]

# Today's inclusion step (E.2.1 steps 8-17): the chain state it reads, the sanitisation of
# bitfields and backed candidates, and `include` (polkadot-sdk@00c84144 inclusion/mod.rs,
# polkadot-sdk@00d7c710 paras_inherent/mod.rs, polkadot-sdk@b3f7f01c scheduler.rs).
from .today.chain_state import (  # noqa: E402
    ChainState,
    HostConfiguration,
    PendingCandidate,
    RelayParentInfo,
    SchedulingParentInfo,
)
from .today.inclusion import (  # noqa: E402
    ABORTING_RULES,
    FreedCandidate,
    InclusionOutcome,
    availability_timeout_check_required,
    include,
)
from .today.sanitize import (  # noqa: E402
    DroppedBitfield,
    DroppedCandidate,
    KeptCandidate,
    eligible_cores,
    sanitize_backed_candidates,
    sanitize_bitfields,
)

__all__ += [
    "ABORTING_RULES",
    "ChainState",
    "DroppedBitfield",
    "DroppedCandidate",
    "FreedCandidate",
    "HostConfiguration",
    "InclusionOutcome",
    "KeptCandidate",
    "PendingCandidate",
    "RelayParentInfo",
    "SchedulingParentInfo",
    "availability_timeout_check_required",
    "eligible_cores",
    "include",
    "sanitize_backed_candidates",
    "sanitize_bitfields",
]

# Prospective parachains (E.3): the inclusion emulator, fragment chains and the per-leaf views as
# pure data (polkadot-sdk@04d67296 polkadot/node/subsystem-util/src/inclusion_emulator/mod.rs;
# polkadot-sdk@00c84144 polkadot/node/core/prospective-parachains/src/lib.rs and its 2026
# fragment_chain/mod.rs).
from .prospective.candidates import (  # noqa: E402
    CandidateEntry,
    CandidateEntryError,
    CandidateState,
    CandidateStorage,
    head_data_hash,
)
from .prospective.constraints import (  # noqa: E402
    ConstraintModifications,
    Constraints,
    Fragment,
    FragmentValidityError,
    FragmentValidityErrorKind,
    HrmpWatermarkUpdate,
    ModificationError,
    ModificationErrorKind,
    ProspectiveCandidate,
    RelayChainBlockInfo,
    UpgradeRestriction,
    apply_modifications,
    check_against_constraints,
    fragment,
    validate_commitments,
)
from .prospective.fragment_chain import (  # noqa: E402
    BackableCandidateRef,
    FragmentChain,
    FragmentChainError,
    FragmentChainErrorKind,
    FragmentNode,
    PendingAvailability,
    Scope,
)
from .prospective.view import (  # noqa: E402
    HypotheticalCandidate,
    HypotheticalComplete,
    HypotheticalIncomplete,
    LeafActivation,
    ProspectiveParachains,
    RelayAncestor,
    SchedulingParentView,
    UnexpectedAncestor,
    max_backable_len,
    scheduling_scope,
)

__all__ += [
    "BackableCandidateRef",
    "CandidateEntry",
    "CandidateEntryError",
    "CandidateState",
    "CandidateStorage",
    "ConstraintModifications",
    "Constraints",
    "Fragment",
    "FragmentChain",
    "FragmentChainError",
    "FragmentChainErrorKind",
    "FragmentNode",
    "FragmentValidityError",
    "FragmentValidityErrorKind",
    "HrmpWatermarkUpdate",
    "HypotheticalCandidate",
    "HypotheticalComplete",
    "HypotheticalIncomplete",
    "LeafActivation",
    "ModificationError",
    "ModificationErrorKind",
    "PendingAvailability",
    "ProspectiveCandidate",
    "ProspectiveParachains",
    "RelayAncestor",
    "RelayChainBlockInfo",
    "SchedulingParentView",
    "Scope",
    "UnexpectedAncestor",
    "UpgradeRestriction",
    "apply_modifications",
    "check_against_constraints",
    "fragment",
    "head_data_hash",
    "max_backable_len",
    "scheduling_scope",
    "validate_commitments",
]

# Candidate Backing and the Provisioner under today's rules (E.4, E.5), beside the seeds' job
# and selection: cores and groups from the claim queue, the backing job of a scheduling parent
# and its dialogue with prospective parachains, and the selection over prospective parachains'
# chains (polkadot-sdk@320318ab polkadot/node/core/backing/src/lib.rs; polkadot-sdk@0b38109e
# polkadot/node/core/provisioner/src/lib.rs).
from .backing.async_backable import backable_candidate, get_backable_candidates  # noqa: E402
from .backing.async_events import (  # noqa: E402
    CandidateBackedToDistribution,
    CandidateBackedToProspective,
    CheckHypotheticalMembership,
    GetBackableCandidates,
    HypotheticalMembershipAnswered,
    IntroduceSecondedCandidate,
    ReplyBackableCandidates,
    SecondedCandidateIntroduced,
    SecondedToCollatorProtocol,
    StatementDropped,
    StatementDropReason,
)
from .backing.async_job import (  # noqa: E402
    AsyncBackingJobError,
    AsyncBackingJobState,
    new_async_backing_job,
)
from .backing.async_job import step as async_backing_step  # noqa: E402
from .backing.async_setup import (  # noqa: E402
    AsyncBackingSetup,
    AsyncSetupError,
    async_backing_setup,
)
from .provisioner.assemble import assemble_with  # noqa: E402
from .provisioner.async_selection import (  # noqa: E402
    AncestorState,
    BackableRequest,
    assemble_async_inherent_data,
    backable_requests,
    select_backable_candidates,
)

__all__ += [
    "AncestorState",
    "AsyncBackingJobError",
    "AsyncBackingJobState",
    "AsyncBackingSetup",
    "AsyncSetupError",
    "BackableRequest",
    "CandidateBackedToDistribution",
    "CandidateBackedToProspective",
    "CheckHypotheticalMembership",
    "GetBackableCandidates",
    "HypotheticalMembershipAnswered",
    "IntroduceSecondedCandidate",
    "ReplyBackableCandidates",
    "SecondedCandidateIntroduced",
    "SecondedToCollatorProtocol",
    "StatementDropReason",
    "StatementDropped",
    "assemble_async_inherent_data",
    "assemble_with",
    "async_backing_setup",
    "async_backing_step",
    "backable_candidate",
    "backable_requests",
    "get_backable_candidates",
    "new_async_backing_job",
    "select_backable_candidates",
]
