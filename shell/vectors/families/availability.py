# The transverse availability check, every core at once (core/provisioner/availability.py:
# `availability_counts`, `cores_availability`; implementers' guide, "Provisioner", "Determining
# Bitfield Availability"; `bitfields_indicate_availability`, polkadot@c4ee9d46
# node/core/provisioner/src/lib.rs). The chain cases put each real block's bitfields over
# stand-in occupied cores: their vote counts are the chain's own per-core availability counts.
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
    availability_counts,
    cores_availability,
)
from backable.core.records.cores import AnyCoreState

from ..build import (
    FORMULAS,
    cases_in_order,
    check_signers,
    formula_field,
    make_case,
    stand_in_occupied,
    table,
)
from ..chain import real_blocks
from ..drawing import distinct, drawn
from ..family import Case, Family, Json, Profile
from ..fields import record_hex, records_field

__all__ = ["FAMILY"]

_INPUT = table(
    ("`formula`", "string",
     '`"seeds"` (`3 * ones >= 2 * n`) or `"network"` (`ones >= n - (n - 1) / 3`)'),
    ("`cores`", "list of hex",
     "each a tagged `polkadot_primitives::v9::CoreState<H256, u32>` (0 = Occupied,"
     " 1 = Scheduled, 2 = Free), core 0 first"),
    ("`bitfields`", "list of hex",
     "each a `polkadot_primitives::v9::UncheckedSignedAvailabilityBitfield` (payload"
     " `BitVec<u8, Lsb0>`, validator index u32, 64-byte signature); signatures are not"
     " checked"),
)
_OUTPUT = table(
    ("`cores`", "list of objects", "one per input core, in input order"),
    ("`cores[i].votes`", "integer or null",
     "the count above; null for a core that is not occupied or whose availability vector is"
     " too short for some signer"),
    ("`cores[i].available`", "boolean",
     "whether the formula holds for (`votes`, length of `availability`); false when `votes`"
     " is null"),
)

SCHEMA = f"""\
For each availability core, how many validators have its candidate's chunk once the signed
bitfields are counted, and whether that makes the candidate available (the seed's transverse
2/3 check, implementers' guide "Provisioner", "Determining Bitfield Availability";
`bitfields_indicate_availability` in polkadot@c4ee9d46 `node/core/provisioner/src/lib.rs`).

The rule, for an occupied core at index `c`: start from a copy of the core's `availability`
vector (one bit per validator: the chunks the chain already knows of); for each bitfield, set
bit `validator_index` when the bitfield's bit `c` is set (a bitfield shorter than `c + 1` bits
sets nothing, and bits past the last core are ignored: bitfield selection only passes bitfields
of one bit per core, these cases also try others; several bitfields from one validator all
count, but a validator counts once). `votes` is the number of set bits; `available` applies the
formula of the `availability_threshold` family with `n` = the length of the core's
`availability` vector. If any bitfield's `validator_index` is not below that length, the core is
not available and `votes` is `null` (the node warns and answers "not available"). A scheduled or
free core has `votes` `null` and `available` false.

Input:

{_INPUT}

Every `validator_index` in the cases is at most 65,535 (this project's adapter refuses larger
ones as off the schema).

Output:

{_OUTPUT}

Profiles: a case's profile is its `formula`. Chain cases: for each of the six real blocks and
each formula, the block's own bitfields over one stand-in occupied core per bit of the
bitfields (availability all zeros, one bit per validator the bitfields show: highest signer
index + 1; nothing next up; an all-zero descriptor with para id and group equal to the core
index): the `votes` are the chain's per-core availability counts.
"""


def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
    rule = formula_field(data)
    cores = cast(list[AnyCoreState], records_field(data, "cores", CoreState))
    bitfields = records_field(data, "bitfields", SignedAvailabilityBitfield)
    check_signers(bitfields, "bitfields")
    counts = availability_counts(cores, bitfields)
    available = cores_availability(cores, bitfields, rule)
    return {
        "cores": [
            {"votes": votes, "available": ok} for votes, ok in zip(counts, available, strict=True)
        ]
    }


def _input(
    formula: str, cores: Sequence[AnyCoreState], bitfields: Sequence[SignedAvailabilityBitfield]
) -> dict[str, Json]:
    return {
        "formula": formula,
        "cores": [record_hex(core, CoreState) for core in cores],
        "bitfields": [record_hex(b) for b in bitfields],
    }


def _occupied(availability: str | BitVec) -> AnyCoreState:
    bits = availability if isinstance(availability, BitVec) else BitVec.from_str(availability)
    return replace(stand_in_occupied(0, 0), availability=bits)


def _bitfield(bits: str, validator_index: int, salt: int = 0) -> SignedAvailabilityBitfield:
    return SignedAvailabilityBitfield(BitVec.from_str(bits), validator_index, bytes([salt]) * 64)


# (name, what it checks, cores, bitfields); each is made under both formulas.
_SCENARIOS: tuple[tuple[str, str, tuple[AnyCoreState, ...],
                        tuple[SignedAvailabilityBitfield, ...]], ...] = (
    ("two-of-three-votes", "3 validators, 2 vote: the seed accepts, the runtime does not",
     (_occupied("000"),), (_bitfield("1", 0), _bitfield("1", 1))),
    ("n-divisible-by-3-at-two-thirds", "6 validators, 4 vote (exactly 2/3)",
     (_occupied("000000"),), tuple(_bitfield("1", v) for v in range(4))),
    ("n-divisible-by-3-above-two-thirds", "6 validators, 5 vote",
     (_occupied("000000"),), tuple(_bitfield("1", v) for v in range(5))),
    ("n-not-divisible-by-3-one-short", "7 validators, 4 vote (5 needed by both)",
     (_occupied("0000000"),), tuple(_bitfield("1", v) for v in range(4))),
    ("n-not-divisible-by-3-at-threshold", "7 validators, 5 vote",
     (_occupied("0000000"),), tuple(_bitfield("1", v) for v in range(5))),
    ("chain-bits-count", "one chunk already on chain plus three votes of six",
     (_occupied("100000"),), (_bitfield("1", 1), _bitfield("1", 2), _bitfield("1", 5))),
    ("chain-bit-and-vote-count-once", "a validator whose chunk is on chain also votes",
     (_occupied("110"),), (_bitfield("1", 1),)),
    ("signer-outside-availability", "a signer index equal to the vector's length: unknown",
     (_occupied("111"),), (_bitfield("1", 3),)),
    ("signer-at-last-index", "a signer at the vector's last index counts",
     (_occupied("000"),), (_bitfield("1", 2), _bitfield("1", 1))),
    ("signer-outside-one-core-only", "cores of different vector lengths: index 3 fits only one",
     (_occupied("00"), _occupied("0000")), (_bitfield("11", 3), _bitfield("01", 0))),
    ("scheduled-and-free-cores", "only occupied cores have counts",
     (_occupied("0000"), FreeCore(), _occupied("1000"), ScheduledCore(7)),
     (_bitfield("1010", 0), _bitfield("1000", 1), _bitfield("1010", 2), _bitfield("0010", 2))),
    ("bits-beyond-cores-ignored", "a bitfield longer than the cores",
     (_occupied("0000"),), (_bitfield("1111", 0), _bitfield("1111", 1), _bitfield("1", 2))),
    ("short-bitfield-sets-nothing", "a bitfield shorter than the core index",
     (_occupied("000"), _occupied("000")), (_bitfield("1", 0), _bitfield("1", 1),
                                             _bitfield("11", 2))),
    ("several-bitfields-of-one-validator", "one validator's bitfields all count, it counts once",
     (_occupied("000"), _occupied("000")),
     (_bitfield("10", 0), _bitfield("01", 0), _bitfield("11", 1), _bitfield("11", 1, 1))),
    ("no-bitfields", "each core counts only its chain bits",
     (_occupied("1"), _occupied("01"), _occupied("110")), ()),
    ("empty-availability-vector", "a core over zero validators, no bitfields: 0 of 0 holds",
     (_occupied(""),), ()),
    ("empty-availability-vector-with-a-signer", "any signer is outside a zero-length vector",
     (_occupied(""),), (_bitfield("1", 0),)),
    ("no-cores", "no cores, bitfields of length zero", (), (_bitfield("", 0),)),
    ("lone-bitfield-of-validator-zero", "one validator, its vote",
     (_occupied("0"),), (_bitfield("1", 0),)),
    ("every-validator-votes-every-core", "four validators, three cores, all set",
     (_occupied("0000"),) * 3, tuple(_bitfield("111", v) for v in range(4))),
    ("zero-bitfields-count-nothing", "bitfields with no bit set",
     (_occupied("000"),), tuple(_bitfield("0", v) for v in range(3))),
)


def _boundary_cases() -> list[Case]:
    cases: list[Case] = []
    for name, what, cores, bitfields in _SCENARIOS:
        for formula in FORMULAS:
            profile: Profile = "seeds" if formula == "seeds" else "network"
            cases.append(make_case(evaluate, f"{formula}-{name}", f"{formula} formula: {what}",
                                   "boundary", profile, _input(formula, cores, bitfields)))
    return cases


def _strategy(st: Any) -> Any:
    def inputs(draw: Any) -> dict[str, Json]:
        n = draw(st.integers(1, 9))
        n_cores = draw(st.integers(0, 6))
        cores: list[AnyCoreState] = []
        for _ in range(n_cores):
            kind = draw(st.sampled_from(("occupied", "occupied", "scheduled", "free")))
            if kind == "free":
                cores.append(FreeCore())
            elif kind == "scheduled":
                cores.append(ScheduledCore(draw(st.integers(0, 3))))
            else:
                length = draw(st.sampled_from((n, n, n, n - 1)))
                bits = draw(st.integers(0, (1 << length) - 1))
                cores.append(_occupied(BitVec(bits, length)))
        bitfields = []
        for salt in range(draw(st.integers(0, 3 * n))):
            length = draw(st.sampled_from((n_cores, n_cores, n_cores, n_cores + 1,
                                           max(0, n_cores - 1))))
            bits = draw(st.integers(0, (1 << length) - 1))
            signer = draw(st.integers(0, n))  # n itself is outside every vector
            bitfields.append(SignedAvailabilityBitfield(BitVec(bits, length), signer,
                                                        bytes([salt % 256]) * 64))
        return _input(draw(st.sampled_from(tuple(FORMULAS))), cores, bitfields)

    return st.composite(inputs)()


def _generated_cases() -> list[Case]:
    cases: list[Case] = []
    for data in distinct(drawn(_strategy, 70, seed=16_02)):
        formula = cast(str, data["formula"])
        profile: Profile = "seeds" if formula == "seeds" else "network"
        n_cores = len(cast(list[Json], data["cores"]))
        cases.append(make_case(
            evaluate, f"generated-{len(cases):03d}",
            f"{formula} formula, {n_cores} cores, drawn", "generated", profile, data,
        ))
    return cases


def _chain_cases(chain_data: Path) -> list[Case]:
    cases: list[Case] = []
    for block in real_blocks(chain_data):
        cores = [stand_in_occupied(c, block.n_validators) for c in range(block.n_cores)]
        for formula in FORMULAS:
            profile: Profile = "seeds" if formula == "seeds" else "network"
            cases.append(make_case(
                evaluate, f"{block.chain}-{block.number}-{formula}",
                f"{block.chain} block {block.number}: its {len(block.inherent.bitfields)}"
                f" bitfields over {block.n_cores} cores of {block.n_validators} validators,"
                f" {formula} formula",
                "chain", profile, _input(formula, cores, block.inherent.bitfields),
            ))
    return cases


def cases(chain_data: Path | None) -> tuple[Case, ...]:
    return cases_in_order(_boundary_cases, _generated_cases, _chain_cases, chain_data)


FAMILY = Family(
    name="availability",
    summary="the transverse availability check: per core, the votes and whether available",
    schema=SCHEMA,
    evaluate=evaluate,
    cases=cases,
)
