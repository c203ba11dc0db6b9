# backable's imperative shell: everything that does I/O, holds secrets, keeps time or draws
# randomness around the pure core: the keystore, the overseer and the two subsystems' async
# drivers, the collaborators (runtime API, validation, availability store, network, dispute
# coordinator) with their in-memory implementations, and the command line.
from __future__ import annotations

from .collaborators.availability_store import (
    AvailabilityStore,
    AvailableData,
    InMemoryAvailabilityStore,
    InvalidErasureRoot,
    stand_in_erasure_root,
)
from .collaborators.dispute_coordinator import DisputeCoordinator, InMemoryDisputeCoordinator
from .collaborators.keystore import Keystore, KeystoreError
from .collaborators.network import InProcessNetwork, Network, PoVUnavailable
from .collaborators.runtime_api import InMemoryChain, RelayBlockState, RuntimeApi, RuntimeApiError
from .collaborators.validation import CandidateValidation, InMemoryValidation, ValidationCouldNotRun
from .node import Node
from .overseer.bus import Overseer, SubsystemNotRunning
from .overseer.messages import (
    CANDIDATE_BACKING,
    PROVISIONER,
    BackedCandidateDatum,
    BitfieldDatum,
    DisputeDatum,
    GetBackedCandidates,
    MisbehaviorDatum,
    ProvisionableData,
    ProvisionerError,
    RequestBlockAuthorshipData,
    RequestInherentData,
    Second,
    Statement,
)
from .overseer.signals import ActivatedLeaf, ActiveLeavesUpdate, Conclude
from .sim.collator import TOY_VALIDATION_CODE, Collation, Collator, toy_validation_function
from .subsystems.backing import CandidateBackingSubsystem
from .subsystems.provisioner import ProvisionerSubsystem

__all__ = [
    "CANDIDATE_BACKING",
    "PROVISIONER",
    "TOY_VALIDATION_CODE",
    "ActivatedLeaf",
    "ActiveLeavesUpdate",
    "AvailabilityStore",
    "AvailableData",
    "BackedCandidateDatum",
    "BitfieldDatum",
    "CandidateBackingSubsystem",
    "CandidateValidation",
    "Collation",
    "Collator",
    "Conclude",
    "DisputeCoordinator",
    "DisputeDatum",
    "GetBackedCandidates",
    "InMemoryAvailabilityStore",
    "InMemoryChain",
    "InMemoryDisputeCoordinator",
    "InMemoryValidation",
    "InProcessNetwork",
    "InvalidErasureRoot",
    "Keystore",
    "KeystoreError",
    "MisbehaviorDatum",
    "Network",
    "Node",
    "Overseer",
    "PoVUnavailable",
    "ProvisionableData",
    "ProvisionerError",
    "ProvisionerSubsystem",
    "RelayBlockState",
    "RequestBlockAuthorshipData",
    "RequestInherentData",
    "RuntimeApi",
    "RuntimeApiError",
    "Second",
    "Statement",
    "SubsystemNotRunning",
    "ValidationCouldNotRun",
    "stand_in_erasure_root",
    "toy_validation_function",
]
