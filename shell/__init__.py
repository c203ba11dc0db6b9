"""backable's imperative shell: everything that does I/O, holds secrets, keeps time or draws
randomness around the pure core.

- ``overseer/``: the message bus, the per-relay-parent job lifecycle, signals and messages.
- ``subsystems/``: the Candidate Backing and Provisioner drivers of the core's job machines,
  in the seeds' form and today's (with Prospective Parachains).
- ``collaborators/``: runtime API, validation, availability store, network, dispute coordinator
  and keystore, each a Protocol with an in-memory implementation.
- ``sim/``: the simulation behind ``backable simulate``; ``cli/``: the command line.
- ``node.py``: one validator's overseer with both subsystems, wired to its collaborators.

The overseer's signals are the core's records, re-exported here for convenience; the messages are
``ToJob`` envelopes around the core's own job events (import those from ``backable.core``).
"""

from __future__ import annotations

from backable.core import ActivatedLeaf, ActiveLeavesUpdate, Conclude

from .collaborators.availability_store import (
    AvailabilityStore,
    AvailableData,
    InMemoryAvailabilityStore,
    InvalidErasureRoot,
    stand_in_erasure_root,
)
from .collaborators.dispute_coordinator import DisputeCoordinator, InMemoryDisputeCoordinator
from .collaborators.keystore import Keystore, KeystoreError
from .collaborators.network import (
    InProcessNetwork,
    InvalidNetworkSetting,
    Network,
    PeerStopped,
    PoVFetchError,
)
from .collaborators.pvf_workers import InvalidValidationSetting, PvfWorkerPool
from .collaborators.runtime_api import InMemoryChain, RelayBlockState, RuntimeApi, RuntimeApiError
from .collaborators.today_runtime import InMemoryTodayChain, TodayBlockState
from .collaborators.validation import CandidateValidation, InMemoryValidation, ValidationCouldNotRun
from .node import PROTOCOLS, Node
from .overseer.bus import Overseer, OverseerError, SubsystemNotRunning
from .overseer.messages import CANDIDATE_BACKING, PROVISIONER, BackingError, ProvisionerError, ToJob
from .sim.collator import TOY_VALIDATION_CODE, Collation, Collator, toy_validation_function
from .subsystems.async_backing import AsyncBackingSubsystem
from .subsystems.async_provisioner import AsyncProvisionerSubsystem
from .subsystems.backing import CandidateBackingSubsystem
from .subsystems.prospective import ProspectiveParachainsSubsystem
from .subsystems.provisioner import ProvisionerSubsystem

__all__ = [
    "AsyncBackingSubsystem",
    "AsyncProvisionerSubsystem",
    "InMemoryTodayChain",
    "PROTOCOLS",
    "ProspectiveParachainsSubsystem",
    "TodayBlockState",
    "CANDIDATE_BACKING",
    "PROVISIONER",
    "TOY_VALIDATION_CODE",
    "ActivatedLeaf",
    "ActiveLeavesUpdate",
    "AvailabilityStore",
    "AvailableData",
    "CandidateBackingSubsystem",
    "CandidateValidation",
    "Collation",
    "Collator",
    "Conclude",
    "DisputeCoordinator",
    "InMemoryAvailabilityStore",
    "InMemoryChain",
    "InMemoryDisputeCoordinator",
    "InMemoryValidation",
    "InProcessNetwork",
    "InvalidErasureRoot",
    "InvalidNetworkSetting",
    "InvalidValidationSetting",
    "Keystore",
    "KeystoreError",
    "Network",
    "Node",
    "Overseer",
    "OverseerError",
    "PeerStopped",
    "PoVFetchError",
    "BackingError",
    "ProvisionerError",
    "ProvisionerSubsystem",
    "PvfWorkerPool",
    "RelayBlockState",
    "RuntimeApi",
    "RuntimeApiError",
    "SubsystemNotRunning",
    "ToJob",
    "ValidationCouldNotRun",
    "stand_in_erasure_root",
    "toy_validation_function",
]
