# The whole provisioning pass over data the shell already fetched (polkadot@c4ee9d46
# node/core/provisioner/src/lib.rs, `send_inherent_data`): select the
# bitfields, compute every core's availability once, select the candidates and the disputes, and
# wrap them as `ProvisionerInherentData`. What belongs here: the order of those steps, nothing else.
from __future__ import annotations

from collections.abc import Sequence

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

__all__ = ["assemble_inherent_data"]


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
    selected = select_availability_bitfields(cores, bitfields)
    available = cores_availability(cores, selected, threshold)
    backed = select_candidates_given_availability(
        cores, available, candidates, block_number, validation_data
    )
    chosen_disputes = (
        ()
        if disputes is None
        else select_disputes(
            disputes.recent, disputes.onchain, disputes.votes, disputes.now, max_dispute_votes
        )
    )
    return ProvisionerInherentData(selected, backed, chosen_disputes)
