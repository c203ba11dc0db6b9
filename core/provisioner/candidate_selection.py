# Candidate selection (seed 003 "Candidate Selection", reference B.6/B.7): for each core, the
# occupied-core assumption, the validation data fetched for it, and the backed candidate built on
# that data. What belongs here: that rule, over data the shell already fetched.
from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..records.backed import BackedCandidate
from ..records.candidate import PersistedValidationData
from ..records.cores import AnyCoreState, OccupiedCore, OccupiedCoreAssumption, ScheduledCore
from ..records.statements import SignedAvailabilityBitfield
from .availability import AvailabilityThreshold, availability_threshold_met, cores_availability

__all__ = ["ValidationDataMap", "core_assumption", "select_candidates", "validation_data_keys"]

ValidationDataMap = Mapping[tuple[int, OccupiedCoreAssumption], PersistedValidationData]


def core_assumption(
    core: AnyCoreState, available: bool, block_number: int
) -> tuple[ScheduledCore, OccupiedCoreAssumption] | None:
    """The para to fill a core with and the assumption to fetch its validation data under
    (seed 003; reference B.6), or None to skip the core.

    Scheduled -> Free. Occupied and available with `next_up_on_available` -> Included. Occupied,
    not available, `time_out_at == block_number` and `next_up_on_time_out` -> TimedOut. An
    available core with nothing next up does not fall through to the time-out branch.
    """
    if isinstance(core, ScheduledCore):
        return core, OccupiedCoreAssumption.FREE
    if isinstance(core, OccupiedCore):
        if available:
            nxt = core.next_up_on_available
            return None if nxt is None else (nxt, OccupiedCoreAssumption.INCLUDED)
        nxt = core.next_up_on_time_out
        if core.time_out_at != block_number or nxt is None:
            return None
        return nxt, OccupiedCoreAssumption.TIMED_OUT
    return None


def select_candidates(
    cores: Sequence[AnyCoreState],
    bitfields: Sequence[SignedAvailabilityBitfield],
    candidates: Sequence[BackedCandidate],
    block_number: int,
    validation_data: ValidationDataMap,
    threshold: AvailabilityThreshold = availability_threshold_met,
) -> tuple[BackedCandidate, ...]:
    """The seed's candidate selection (seed 003; reference B.6, with S-prov24's per-para rule).

    `bitfields` are the selected bitfields, `candidates` the backed candidates known for the relay
    parent (earlier ones win), `block_number` the block under production, `validation_data` maps
    `(para_id, assumption)` to the persisted validation data the runtime gave (a missing key skips
    the core). For each core in order: the assumption (`core_assumption`), the validation data and
    its hash, then the first candidate whose para id and validation-data hash match. At most one
    candidate per core and per para (the seed: "never two distinct parachain candidates included
    for the same parachain"), never one twice, output in core order, and at most one candidate
    carrying new validation code: the lowest core keeps it, later ones are dropped.
    """
    available = cores_availability(cores, bitfields, threshold)
    return select_candidates_given_availability(
        cores, available, candidates, block_number, validation_data
    )


def select_candidates_given_availability(
    cores: Sequence[AnyCoreState],
    available: Sequence[bool],
    candidates: Sequence[BackedCandidate],
    block_number: int,
    validation_data: ValidationDataMap,
) -> tuple[BackedCandidate, ...]:
    """`select_candidates` with each core's availability already computed (one bool per core,
    e.g. from `cores_availability`), so that the provisioning pass transposes bitfields once."""
    # (para id, validation-data hash) -> first candidate in input order
    by_key: dict[tuple[int, bytes], BackedCandidate] = {}
    for cand in candidates:
        d = cand.candidate.descriptor
        by_key.setdefault((d.para_id, d.persisted_validation_data_hash), cand)
    selected: list[BackedCandidate] = []
    paras: set[int] = set()
    code_taken = False
    for core, is_available in zip(cores, available, strict=True):
        choice = core_assumption(core, is_available, block_number)
        if choice is None:
            continue
        scheduled, assumption = choice
        para = scheduled.para_id
        if para in paras:
            continue
        pvd = validation_data.get((para, assumption))
        if pvd is None:
            continue
        found = by_key.get((para, pvd.hash()))
        if found is None:
            continue
        # The para counts as served even if the code rule below drops its candidate, as in the
        # node, where the code-upgrade filter runs after the per-para selection.
        # One candidate per para also means never one candidate twice: its hash covers the para.
        paras.add(para)
        if found.candidate.commitments.new_validation_code is not None:
            if code_taken:
                continue
            code_taken = True
        selected.append(found)
    return tuple(selected)


def validation_data_keys(
    cores: Sequence[AnyCoreState],
) -> tuple[tuple[int, OccupiedCoreAssumption], ...]:
    """Every `(para_id, assumption)` candidate selection may look up validation data under for
    `cores` (seed 003 "Candidate Selection"; reference B.6), in core order, without repeats: a
    scheduled core gives `(para, FREE)`; an occupied core gives `(next_up_on_available.para_id,
    INCLUDED)` and `(next_up_on_time_out.para_id, TIMED_OUT)` for those that are set; a free core
    gives nothing. What the shell fetches from the runtime before asking for inherent data.
    """
    keys: dict[tuple[int, OccupiedCoreAssumption], None] = {}
    for core in cores:
        if isinstance(core, ScheduledCore):
            keys[(core.para_id, OccupiedCoreAssumption.FREE)] = None
        elif isinstance(core, OccupiedCore):
            if core.next_up_on_available is not None:
                keys[(core.next_up_on_available.para_id, OccupiedCoreAssumption.INCLUDED)] = None
            if core.next_up_on_time_out is not None:
                keys[(core.next_up_on_time_out.para_id, OccupiedCoreAssumption.TIMED_OUT)] = None
    return tuple(keys)
