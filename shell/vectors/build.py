# What the provisioner families share to build their cases: a case whose `expected` is the
# family's own output for the case's JSON input, the availability formula as a JSON parameter,
# the limit on validator indices an availability input may carry, and the stand-in occupied cores
# the chain cases put under a real block's bitfields.
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from backable.core import (
    BitVec,
    CandidateDescriptor,
    OccupiedCore,
    SignedAvailabilityBitfield,
    availability_threshold_met,
    runtime_availability_threshold_met,
)
from backable.core.thresholds import AvailabilityThreshold

from .family import Case, CaseSource, Json, Profile, VectorInputError
from .fields import str_field

__all__ = [
    "FORMULAS",
    "MAX_VALIDATOR_INDEX",
    "cases_in_order",
    "check_signers",
    "formula_field",
    "make_case",
    "stand_in_occupied",
    "table",
]

# The two availability formulas by their JSON name, which is also the profile of a case using
# it: the seed's `3 * ones >= 2 * n` and the runtime's `ones >= n - (n - 1) / 3`.
FORMULAS: Mapping[str, AvailabilityThreshold] = {
    "seeds": availability_threshold_met,
    "network": runtime_availability_threshold_met,
}

# The availability check transposes the bitfields once per request, in time proportional to
# the highest signer index times the cores; a request claiming a signer past this bound is
# refused rather than served slowly. Real networks have about 1,000 validators.
MAX_VALIDATOR_INDEX = 65_535


def formula_field(data: Mapping[str, Json]) -> AvailabilityThreshold:
    """The availability threshold named by `data["formula"]` ("seeds" or "network")."""
    name = str_field(data, "formula")
    if name not in FORMULAS:
        raise VectorInputError(f'input.formula: expected "seeds" or "network", got {name!r}')
    return FORMULAS[name]


def check_signers(bitfields: Sequence[SignedAvailabilityBitfield], field: str) -> None:
    """Refuse a bitfield signed by a validator index above `MAX_VALIDATOR_INDEX`."""
    for i, bitfield in enumerate(bitfields):
        if bitfield.validator_index > MAX_VALIDATOR_INDEX:
            raise VectorInputError(
                f"input.{field}[{i}]: validator_index {bitfield.validator_index} is above"
                f" {MAX_VALIDATOR_INDEX}, the largest these vectors use"
            )


def table(*rows: tuple[str, str, str]) -> str:
    """A markdown table of fields for a family's schema: name, JSON type, meaning."""
    lines = ["| field | JSON type | meaning |", "| --- | --- | --- |"]
    lines += [f"| {name} | {kind} | {meaning} |" for name, kind, meaning in rows]
    return "\n".join(lines)


def make_case(
    evaluate: Callable[[Mapping[str, Json]], Mapping[str, Json]],
    name: str,
    description: str,
    source: CaseSource,
    profile: Profile,
    data: dict[str, Json],
) -> Case:
    """A case whose expected output is `evaluate(data)`: the project's rule for the input."""
    return Case(name, description, source, profile, data, evaluate(data))


def stand_in_occupied(core_index: int, n_validators: int) -> OccupiedCore:
    """An occupied core standing in for one the chain's state would show: nobody's chunk yet on
    chain (availability all zeros over `n_validators`), nothing next up, para id and group equal
    to the core index, an all-zero descriptor. Only the availability vector's length and bits
    matter to the availability check and bitfield selection."""
    zero = bytes(32)
    descriptor = CandidateDescriptor(core_index, zero, zero, zero, zero, zero, bytes(64), zero,
                                     zero)
    return OccupiedCore(None, 0, 0, None, BitVec.zeros(n_validators), core_index, zero,
                        descriptor)


def cases_in_order(
    boundary: Callable[[], list[Case]],
    generated: Callable[[], list[Case]],
    chain: Callable[[Path], list[Case]],
    chain_data: Path | None,
) -> tuple[Case, ...]:
    """A family's cases in the export's order: the boundaries, the generated ones, then those
    derived from the real blocks when `chain_data` names their folder."""
    made = boundary() + generated()
    if chain_data is not None:
        made += chain(chain_data)
    return tuple(made)
