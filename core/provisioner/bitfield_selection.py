# Bitfield selection (implementers' guide, "Provisioner", "Bitfield Selection"; polkadot@c4ee9d46
# node/core/provisioner/src/lib.rs, `select_availability_bitfields`): which of the signed
# availability bitfields collected for a relay parent go into the block. What belongs here: that
# rule alone. Signatures are not checked here; bitfield distribution checked them upstream.
from __future__ import annotations

from collections.abc import Sequence

from ..records.cores import AnyCoreState, OccupiedCore
from ..records.statements import SignedAvailabilityBitfield

__all__ = ["select_availability_bitfields"]


def select_availability_bitfields(
    cores: Sequence[AnyCoreState], bitfields: Sequence[SignedAvailabilityBitfield]
) -> tuple[SignedAvailabilityBitfield, ...]:
    """The seed's bitfield selection ("Provisioner"; the node's `select_availability_bitfields`).

    At most one bitfield per validator; its length must equal the number of cores; it may set
    bits only on occupied cores; on conflict the bitfield with strictly more 1-bits wins and a tie
    keeps the first seen. Output sorted by validator index.
    """
    n_cores = len(cores)
    occupied = 0
    for i, core in enumerate(cores):
        if isinstance(core, OccupiedCore):
            occupied |= 1 << i
    unoccupied = ((1 << n_cores) - 1) & ~occupied
    # validator index -> the bitfield kept for it, and its bits; only valid bitfields ever
    # enter, so an invalid one can never displace a valid one (the node tests "better" first,
    # then validity: same result). Popcounts are taken only when one validator sent two.
    # BitVec's fields are read directly: this loop runs once per validator per block, and two
    # method calls per bitfield were a third of its cost (bench/bench_provisioner.py).
    chosen: dict[int, SignedAvailabilityBitfield] = {}
    kept: dict[int, int] = {}
    for bf in bitfields:
        payload = bf.payload
        if payload._len != n_cores:
            continue
        bits = payload._bits
        if bits & unoccupied:
            continue
        v = bf.validator_index
        if v in kept and kept[v].bit_count() >= bits.bit_count():
            continue
        kept[v] = bits
        chosen[v] = bf
    return tuple(map(chosen.__getitem__, sorted(chosen)))
