# The whole provisioning pass over data the shell already fetched (polkadot@c4ee9d46
# node/core/provisioner/src/lib.rs, `send_inherent_data`): select the
# bitfields, compute every core's availability once, select the candidates and the disputes, and
# wrap them as `ProvisionerInherentData`. What belongs here: the order of those steps, nothing else.
# `assemble_with` is the same pass with the candidate selection passed in, so that today's
# selection (async_selection.py) shares it.
from __future__ import annotations

from collections.abc import Callable, Sequence

from ..records.backed import BackedCandidate
from ..records.cores import AnyCoreState
from ..records.inherent import ProvisionerInherentData
from ..records.statements import SignedAvailabilityBitfield
from ..thresholds import AvailabilityThreshold, availability_threshold_met
from .availability import cores_availability
from .bitfield_selection import select_availability_bitfields
from .candidate_selection import ValidationDataMap, select_candidates_given_availability
from .dispute_selection import (
    MAX_DISPUTE_VOTES_FORWARDED_TO_RUNTIME,
    DisputeInputs,
    select_disputes,
)

__all__ = ["CandidateChooser", "assemble_inherent_data", "assemble_with"]

CandidateChooser = Callable[[tuple[bool, ...]], tuple[BackedCandidate, ...]]
"""Chooses the backed candidates given each core's availability under the selected bitfields."""


def assemble_inherent_data(
    cores: Sequence[AnyCoreState],
    bitfields: Sequence[SignedAvailabilityBitfield],
    candidates: Sequence[BackedCandidate],
    block_number: int,
    validation_data: ValidationDataMap,
    disputes: DisputeInputs | None = None,
    *,
    max_dispute_votes: int = MAX_DISPUTE_VOTES_FORWARDED_TO_RUNTIME,
    threshold: AvailabilityThreshold = availability_threshold_met,
) -> ProvisionerInherentData:
    """The provisioner's answer to a block author (implementers' guide, "Provisioner", "Block
    Production"; the node's `send_inherent_data`).

    `cores` are the availability cores at the relay parent, `bitfields` and `candidates` all that
    was collected for it (in arrival order), `block_number` the number of the block under
    production, `validation_data` the persisted validation data per `(para, assumption)`, and
    `disputes` what the dispute coordinator and the runtime reported, with `now` (None: no
    disputes). The candidates are chosen with the *selected* bitfields, as in the node.
    """
    return assemble_with(
        cores,
        bitfields,
        lambda available: select_candidates_given_availability(
            cores, available, candidates, block_number, validation_data
        ),
        disputes,
        max_dispute_votes=max_dispute_votes,
        threshold=threshold,
    )


def assemble_with(
    cores: Sequence[AnyCoreState],
    bitfields: Sequence[SignedAvailabilityBitfield],
    choose_candidates: CandidateChooser,
    disputes: DisputeInputs | None = None,
    *,
    max_dispute_votes: int = MAX_DISPUTE_VOTES_FORWARDED_TO_RUNTIME,
    threshold: AvailabilityThreshold = availability_threshold_met,
) -> ProvisionerInherentData:
    """The provisioning pass with the candidate selection given: the bitfields are selected,
    every core's availability is computed once from the selected ones, `choose_candidates`
    picks the backed candidates from that availability (one bool per core), and the disputes
    are selected as in `assemble_inherent_data`."""
    selected = select_availability_bitfields(cores, bitfields)
    available = cores_availability(cores, selected, threshold)
    backed = choose_candidates(available)
    chosen_disputes = (
        ()
        if disputes is None
        else select_disputes(
            disputes.recent, disputes.onchain, disputes.votes, disputes.now, max_dispute_votes
        )
    )
    return ProvisionerInherentData(selected, backed, chosen_disputes)
