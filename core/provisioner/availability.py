# Availability: the seed's transverse check of whether the signed bitfields make an occupied
# core's candidate available (implementers' guide, "Provisioner", "Determining Bitfield
# Availability"; polkadot@c4ee9d46 node/core/provisioner/src/lib.rs,
# `bitfields_indicate_availability`). What belongs here: the one-core check of the API, and the
# all-cores pass that transposes the bitfields once per request; the threshold formulas they
# apply live in core/thresholds.py.
from __future__ import annotations

from collections.abc import Callable, Sequence

from ..records.bitvec import BitVec
from ..records.cores import AnyCoreState, OccupiedCore
from ..records.statements import SignedAvailabilityBitfield
from ..thresholds import AvailabilityThreshold, availability_threshold_met

__all__ = [
    "availability_counts",
    "bitfields_indicate_availability",
    "cores_availability",
]


def bitfields_indicate_availability(
    core_index: int,
    bitfields: Sequence[SignedAvailabilityBitfield],
    availability: BitVec,
    threshold: AvailabilityThreshold = availability_threshold_met,
) -> bool:
    """Whether `bitfields` make the core at `core_index` available ("Provisioner" guide page;
    the node's `bitfields_indicate_availability`).

    Start from a copy of the occupied core's `availability` (one bit per validator), OR in each
    bitfield's bit for this core at the signer's validator index, then apply `threshold` (the
    seed's `3 * ones >= 2 * len` by default). A signer index outside the availability vector
    makes the core unavailable; a bitfield shorter than `core_index` contributes a 0.
    """
    n = len(availability)
    av = availability.as_int()
    for bf in bitfields:
        v = bf.validator_index
        if v >= n:
            return False
        if bf.payload.as_int() >> core_index & 1:
            av |= 1 << v
    return threshold(av.bit_count(), n)


def availability_counts(
    cores: Sequence[AnyCoreState], bitfields: Sequence[SignedAvailabilityBitfield]
) -> tuple[int | None, ...]:
    """For each core, the number of validators whose availability bit is set once the bitfields
    are ORed in (the count the seed's transverse check compares with its threshold).

    `None` for a core that is not occupied, or whose availability vector is shorter than some
    signer's index (the seed's check calls such a core unavailable, as the node's
    `bitfields_indicate_availability` does). Bits of a
    bitfield beyond the number of cores are ignored, a shorter bitfield contributes zeros.
    """
    n_cores = len(cores)
    # Several bitfields from one signer OR together, as they do in the seed's loop.
    rows: dict[int, int] = {}
    mask = (1 << n_cores) - 1
    for bf in bitfields:
        v = bf.validator_index
        rows[v] = rows.get(v, 0) | (bf.payload.as_int() & mask)
    max_v = max(rows, default=-1)
    columns = _transpose(rows, max_v, n_cores)
    out: list[int | None] = []
    for c, core in enumerate(cores):
        if not isinstance(core, OccupiedCore):
            out.append(None)
            continue
        avail = core.availability
        if max_v >= len(avail):
            out.append(None)
            continue
        out.append((columns(c) | avail.as_int()).bit_count())
    return tuple(out)


def cores_availability(
    cores: Sequence[AnyCoreState],
    bitfields: Sequence[SignedAvailabilityBitfield],
    threshold: AvailabilityThreshold = availability_threshold_met,
) -> tuple[bool, ...]:
    """`bitfields_indicate_availability` for every core at once, False for cores not occupied.

    Equal, core by core, to calling the one-core check above with each occupied core's
    availability, but the bitfields are transposed once instead of walked once per core.
    """
    out: list[bool] = []
    for core, ones in zip(cores, availability_counts(cores, bitfields), strict=True):
        if ones is None or not isinstance(core, OccupiedCore):
            out.append(False)
        else:
            out.append(threshold(ones, len(core.availability)))
    return tuple(out)


def _transpose(rows: dict[int, int], max_v: int, n_cores: int) -> Callable[[int], int]:
    # Transpose the validators x cores bit matrix once: each row (validator v, from max_v down to
    # 0) is written as its binary string, most significant core first, and the rows are joined.
    # Column c is then the strided slice starting at n_cores - 1 - c, and since the first row is
    # the highest validator, `int(column, 2)` has validator v at bit v. Formatting, joining,
    # slicing and parsing all run in C, which is what makes 1000 x 200 cost about a millisecond.
    if max_v < 0 or n_cores == 0:
        return _no_votes
    fmt = f"0{n_cores}b"
    zero = "0" * n_cores
    get = rows.get
    text = "".join([format(r, fmt) if (r := get(v)) else zero for v in range(max_v, -1, -1)])

    def column(c: int) -> int:
        col = text[n_cores - 1 - c :: n_cores]
        return int(col, 2) if "1" in col else 0

    return column


def _no_votes(c: int) -> int:
    return 0
