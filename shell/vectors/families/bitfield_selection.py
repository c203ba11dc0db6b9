# Bitfield selection (core/provisioner/bitfield_selection.py; implementers' guide, "Provisioner",
# "Bitfield Selection"; `select_availability_bitfields`, polkadot@c4ee9d46
# node/core/provisioner/src/lib.rs, the same logic in polkadot-sdk@0b38109e): which signed
# bitfields of those collected go into the block. The node's and the seed's rules are one here.
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from backable.core import (
    BitVec,
    CoreState,
    FreeCore,
    ScheduledCore,
    SignedAvailabilityBitfield,
    encode,
    select_availability_bitfields,
)
from backable.core.records.cores import AnyCoreState

from ..build import cases_in_order, make_case, stand_in_occupied, table
from ..chain import real_blocks
from ..drawing import distinct, drawn
from ..family import Case, Family, Json
from ..fields import hex_of, record_hex, records_field

__all__ = ["FAMILY"]

_INPUT = table(
    ("`cores`", "list of hex",
     "each a tagged `polkadot_primitives::v9::CoreState<H256, u32>` (0 = Occupied,"
     " 1 = Scheduled, 2 = Free), core 0 first"),
    ("`bitfields`", "list of hex",
     "each a `polkadot_primitives::v9::UncheckedSignedAvailabilityBitfield` (payload"
     " `BitVec<u8, Lsb0>`, validator index u32, 64-byte signature), in arrival order"),
)
_OUTPUT = table(
    ("`selected`", "list of objects", "the bitfields kept, by ascending validator index"),
    ("`selected[i].validator_index`", "integer", "its signer"),
    ("`selected[i].input_index`", "integer",
     "the position in `bitfields` of the first input whose bytes equal the kept bitfield's"
     " (the kept one is always the first of equal copies)"),
    ("`selected[i].bitfield`", "hex", "the kept bitfield, as in the input"),
)

SCHEMA = f"""\
Which of the signed availability bitfields collected for a relay parent go into the block
(implementers' guide, "Provisioner", "Bitfield Selection"; `select_availability_bitfields` in
polkadot@c4ee9d46 `node/core/provisioner/src/lib.rs`, unchanged in polkadot-sdk).

The rule, over the bitfields in input (arrival) order: a bitfield whose bit length is not the
number of cores is dropped; a bitfield with a bit set at a core that is not occupied (scheduled
or free) is dropped; of one validator's remaining bitfields the one with strictly more set bits
replaces the one kept so far, so on a tie the first seen stays (a dropped bitfield never
replaces anything). At most one bitfield per validator comes out, sorted by validator index.
Signatures are not checked.

Input:

{_INPUT}

Output:

{_OUTPUT}

Profile: `seeds` (the seed's and the network's rules are the same). Chain cases: each real
block's bitfields, (a) over one stand-in occupied core per bit (all are kept), and (b) the same
with the lowest core that some bitfield votes for scheduled instead (every bitfield voting for
it is dropped).
"""


def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
    cores = cast(list[AnyCoreState], records_field(data, "cores", CoreState))
    bitfields = records_field(data, "bitfields", SignedAvailabilityBitfield)
    first_index: dict[bytes, int] = {}
    for i, bitfield in enumerate(bitfields):
        first_index.setdefault(encode(bitfield), i)
    selected = []
    for bitfield in select_availability_bitfields(cores, bitfields):
        raw = encode(bitfield)
        selected.append({"validator_index": bitfield.validator_index,
                         "input_index": first_index[raw], "bitfield": hex_of(raw)})
    return {"selected": cast(list[Json], selected)}


def _input(
    cores: Sequence[AnyCoreState], bitfields: Sequence[SignedAvailabilityBitfield]
) -> dict[str, Json]:
    return {
        "cores": [record_hex(core, CoreState) for core in cores],
        "bitfields": [record_hex(b) for b in bitfields],
    }


def _bf(bits: str, validator_index: int, salt: int = 0) -> SignedAvailabilityBitfield:
    return SignedAvailabilityBitfield(BitVec.from_str(bits), validator_index, bytes([salt]) * 64)


_OCC = stand_in_occupied(0, 4)
_CORES = (_OCC, _OCC, FreeCore(), _OCC)

# (name, what it checks, cores, bitfields in arrival order)
_SCENARIOS: tuple[tuple[str, str, tuple[AnyCoreState, ...],
                        tuple[SignedAvailabilityBitfield, ...]], ...] = (
    ("sorted-by-validator-index", "one bitfield per validator, output by validator index",
     _CORES, (_bf("1100", 2), _bf("0001", 0), _bf("1000", 1))),
    ("strictly-more-ones-wins-later", "a later bitfield with more ones replaces the first",
     _CORES, (_bf("1000", 0, 1), _bf("1101", 0, 2))),
    ("strictly-more-ones-wins-earlier", "an earlier bitfield with more ones stays",
     _CORES, (_bf("1101", 0, 2), _bf("1000", 0, 1))),
    ("tie-keeps-first-seen", "equal popcounts: the first seen stays",
     _CORES, (_bf("1000", 0, 1), _bf("0100", 0, 2))),
    ("tie-keeps-first-seen-reversed", "equal popcounts, the other order",
     _CORES, (_bf("0100", 0, 2), _bf("1000", 0, 1))),
    ("identical-duplicates", "the same bitfield twice: the first copy's index",
     _CORES, (_bf("0001", 1), _bf("1000", 0), _bf("0001", 1))),
    ("length-one-short-dropped", "three bits for four cores", _CORES, (_bf("110", 0),)),
    ("length-one-long-dropped", "five bits for four cores", _CORES, (_bf("11000", 0),)),
    ("bit-on-free-core-dropped", "a set bit on a free core",
     (_OCC, FreeCore()), (_bf("01", 0), _bf("10", 1))),
    ("bit-on-scheduled-core-dropped", "a set bit on a scheduled core",
     (_OCC, ScheduledCore(3)), (_bf("01", 0), _bf("10", 1))),
    ("invalid-with-more-ones-never-displaces-valid", "valid first, then invalid with more ones",
     _CORES, (_bf("1000", 0), _bf("1110", 0))),
    ("invalid-first-then-valid", "invalid with more ones first, then a valid one",
     _CORES, (_bf("1110", 0), _bf("1000", 0))),
    ("wrong-length-then-valid", "a wrong length first, then a valid one of one validator",
     _CORES, (_bf("11111", 3), _bf("0001", 3))),
    ("all-zero-kept", "a bitfield with no bit set is kept", _CORES, (_bf("0000", 5),)),
    ("no-cores-empty-bitfield-kept", "no cores: only an empty bitfield fits",
     (), (_bf("", 1), _bf("1", 2))),
    ("all-cores-free-zero-bitfield", "free cores accept only zero bits",
     (FreeCore(), FreeCore()), (_bf("00", 0), _bf("01", 1), _bf("10", 2))),
    ("three-bitfields-of-one-validator", "one, three then two ones: the three stays",
     _CORES, (_bf("1000", 4, 1), _bf("1101", 4, 2), _bf("1100", 4, 3))),
    ("mixed-validators-and-conflicts", "several validators, several bitfields each",
     _CORES, (_bf("1000", 2, 1), _bf("0001", 1, 1), _bf("1001", 2, 2), _bf("0100", 1, 2),
              _bf("1101", 0), _bf("0010", 1, 3), _bf("1101", 2, 3))),
    ("validator-index-u32-max", "the largest validator index is an ordinary key",
     _CORES, (_bf("0001", 2**32 - 1), _bf("1000", 0))),
    ("no-bitfields", "nothing collected", _CORES, ()),
    ("tie-on-a-later-invalid-one", "a later bitfield of equal popcount on a free core",
     _CORES, (_bf("1000", 0, 1), _bf("0010", 0, 2))),
    ("more-ones-on-all-occupied", "more ones, all on occupied cores, replaces",
     _CORES, (_bf("0001", 7), _bf("1101", 7))),
)


def _boundary_cases() -> list[Case]:
    return [make_case(evaluate, name, what, "boundary", "seeds", _input(cores, bitfields))
            for name, what, cores, bitfields in _SCENARIOS]


def _strategy(st: Any) -> Any:
    def inputs(draw: Any) -> dict[str, Json]:
        n_cores = draw(st.integers(0, 6))
        cores: list[AnyCoreState] = []
        for _ in range(n_cores):
            kind = draw(st.sampled_from(("occupied", "occupied", "scheduled", "free")))
            if kind == "free":
                cores.append(FreeCore())
            elif kind == "scheduled":
                cores.append(ScheduledCore(draw(st.integers(0, 3))))
            else:
                cores.append(replace(_OCC, availability=BitVec.zeros(draw(st.integers(0, 5)))))
        bitfields = []
        for _ in range(draw(st.integers(0, 12))):
            length = draw(st.sampled_from((n_cores, n_cores, n_cores, n_cores + 1,
                                           max(0, n_cores - 1))))
            bits = draw(st.integers(0, (1 << length) - 1))
            signer = draw(st.integers(0, 4))  # few signers: conflicts are common
            bitfields.append(SignedAvailabilityBitfield(BitVec(bits, length), signer,
                                                        bytes([draw(st.integers(0, 2))]) * 64))
        return _input(cores, bitfields)

    return st.composite(inputs)()


def _generated_cases() -> list[Case]:
    cases: list[Case] = []
    for data in distinct(drawn(_strategy, 70, seed=16_03)):
        n = len(cast(list[Json], data["bitfields"]))
        cases.append(make_case(evaluate, f"generated-{len(cases):03d}",
                               f"{n} bitfields over drawn cores", "generated", "seeds", data))
    return cases


def _chain_cases(chain_data: Path) -> list[Case]:
    cases: list[Case] = []
    for block in real_blocks(chain_data):
        cores: list[AnyCoreState] = [
            stand_in_occupied(c, block.n_validators) for c in range(block.n_cores)
        ]
        bitfields = block.inherent.bitfields
        cases.append(make_case(
            evaluate, f"{block.chain}-{block.number}-all-occupied",
            f"{block.chain} block {block.number}: its bitfields, every core occupied",
            "chain", "seeds", _input(cores, bitfields),
        ))
        # The lowest core some bitfield votes for, made scheduled: those votes now drop theirs.
        k = min(c for c in range(block.n_cores) if any(b.payload.get(c) for b in bitfields))
        cores[k] = ScheduledCore(k)
        cases.append(make_case(
            evaluate, f"{block.chain}-{block.number}-first-voted-core-scheduled",
            f"{block.chain} block {block.number}: its bitfields, core {k} (the lowest with"
            " votes) scheduled",
            "chain", "seeds", _input(cores, bitfields),
        ))
    return cases


def cases(chain_data: Path | None) -> tuple[Case, ...]:
    return cases_in_order(_boundary_cases, _generated_cases, _chain_cases, chain_data)


FAMILY = Family(
    name="bitfield_selection",
    summary="one signed bitfield per validator: length, occupied cores, most ones, first seen",
    schema=SCHEMA,
    evaluate=evaluate,
    cases=cases,
)
