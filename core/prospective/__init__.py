"""Prospective parachains (node side, 2024-2026): the inclusion emulator and the fragment chains
the node keeps per para and per scheduling parent, as pure data and pure operations
(polkadot-sdk `polkadot/node/subsystem-util/src/inclusion_emulator/mod.rs`,
`polkadot/node/core/prospective-parachains/src/{lib.rs, fragment_chain/mod.rs}`).

- ``constraints.py``: constraints, their modifications, fragments and the checks of a candidate
  against constraints.
- ``candidates.py``: candidate entries and the unconnected storage that holds them.
- ``fragment_chain.py``: the scope, the fragment chain with its fork choice, and the backable
  chain.
- ``view.py``: the per-leaf views and the subsystem's messages as pure steps.
"""

from .candidates import (
    CandidateEntry,
    CandidateEntryError,
    CandidateState,
    CandidateStorage,
    head_data_hash,
)
from .constraints import (
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
from .fragment_chain import (
    BackableCandidateRef,
    FragmentChain,
    FragmentChainError,
    FragmentChainErrorKind,
    FragmentNode,
    PendingAvailability,
    Scope,
)
from .view import (
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

__all__ = [
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
