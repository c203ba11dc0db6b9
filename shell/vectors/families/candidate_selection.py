# Candidate selection (core/provisioner/candidate_selection.py: `select_candidates`,
# `core_assumption`; implementers' guide, "Provisioner", "Candidate Selection";
# `select_candidates` in polkadot@c4ee9d46 node/core/provisioner/src/lib.rs, with the one
# candidate per para of polkadot-sdk@0b38109e): for each core the occupied-core assumption, the
# validation data under it, and the first backed candidate built on that data.
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from backable.core import (
    BackedCandidate,
    BitVec,
    CandidateCommitments,
    CandidateDescriptor,
    CommittedCandidateReceipt,
    CoreState,
    Explicit,
    FreeCore,
    OccupiedCore,
    OccupiedCoreAssumption,
    PersistedValidationData,
    ScheduledCore,
    SignedAvailabilityBitfield,
    core_assumption,
    cores_availability,
    encode,
    select_candidates,
    validation_data_keys,
)
from backable.core.records.cores import AnyCoreState

from ..build import FORMULAS, check_signers, formula_field, make_case, table
from ..drawing import distinct, drawn
from ..family import Case, Family, Json, Profile, VectorInputError
from ..fields import (
    hex_of,
    int_field,
    list_field,
    record_field,
    record_hex,
    records_field,
    str_field,
)

__all__ = ["FAMILY"]

_U32_MAX = 2**32 - 1

# Rust's variant names of `OccupiedCoreAssumption`, as the vectors spell them.
_ASSUMPTIONS = {
    "Included": OccupiedCoreAssumption.INCLUDED,
    "TimedOut": OccupiedCoreAssumption.TIMED_OUT,
    "Free": OccupiedCoreAssumption.FREE,
}
_NAMES = {value: name for name, value in _ASSUMPTIONS.items()}

_INPUT = table(
    ("`formula`", "string",
     '`"seeds"` or `"network"`, the availability threshold (see `availability_threshold`)'),
    ("`cores`", "list of hex",
     "each a tagged `polkadot_primitives::v9::CoreState<H256, u32>` (0 = Occupied,"
     " 1 = Scheduled, 2 = Free), core 0 first"),
    ("`bitfields`", "list of hex",
     "the selected bitfields, each a"
     " `polkadot_primitives::v9::UncheckedSignedAvailabilityBitfield`; validator indices at"
     " most 65,535"),
    ("`candidates`", "list of hex",
     "the backed candidates known for the relay parent, in arrival order, each a"
     " `polkadot_primitives::v9::BackedCandidate<H256>`"),
    ("`block_number`", "integer", "the number of the block under production (u32)"),
    ("`validation_data`", "list of objects",
     "what the runtime answers for `persisted_validation_data(para_id, assumption)`; a pair"
     " absent here is `None`; each pair at most once; in any order"),
    ("`validation_data[i].para_id`", "integer", "u32"),
    ("`validation_data[i].assumption`", "string",
     '`"Included"`, `"TimedOut"` or `"Free"` (`OccupiedCoreAssumption`)'),
    ("`validation_data[i].data`", "hex",
     "a `polkadot_primitives::v9::PersistedValidationData<H256, u32>`"),
)
_OUTPUT = table(
    ("`assumptions`", "list",
     'one per core, in core order: `{"para_id": integer, "assumption": string}` for the para'
     " and assumption the core's state gives (before the per-para, data and candidate checks),"
     " or `null` when it gives none"),
    ("`selected`", "list of objects", "the chosen candidates, in core order"),
    ("`selected[i].input_index`", "integer",
     "the position in `candidates` of the first input whose bytes equal the chosen"
     " candidate's"),
    ("`selected[i].para_id`", "integer", "its descriptor's para id"),
    ("`selected[i].backed_candidate`", "hex", "the chosen candidate, as in the input"),
)

SCHEMA = f"""\
Which backed candidates the block author puts on which cores (implementers' guide,
"Provisioner", "Candidate Selection"; `select_candidates` in polkadot@c4ee9d46
`node/core/provisioner/src/lib.rs`, with the one-candidate-per-para rule of polkadot-sdk@0b38109e,
the same file).

The rule, core by core in index order. First the core's para and assumption: a scheduled core
gives its para under `Free`; an occupied core that the bitfields make available (the
`availability` family's check, under `formula`) gives `next_up_on_available` under `Included`,
or nothing when that is unset (it does not fall through to the time-out branch); an occupied
core that is not available gives `next_up_on_time_out` under `TimedOut` only when `time_out_at`
equals `block_number` exactly, else nothing; a free core gives nothing. Then: a para already
served by a lower core is skipped; the validation data for (para, assumption) is looked up in
`validation_data` (no entry: the core is skipped); the first candidate in input order whose
descriptor has that para id and whose `persisted_validation_data_hash` equals the BLAKE2b-256 of
the data's SCALE bytes is chosen (none: the core is skipped). A chosen candidate marks its para
as served; if it carries new validation code and a lower core's chosen candidate already did,
it is dropped (its para stays served). The output is in core order.

Input:

{_INPUT}

Output:

{_OUTPUT}

Profiles: a case's profile is its `formula`; the cases that exercise the difference between the
formulas come in both. No chain cases: a block carries the hash of each candidate's validation
data, not the data, so its candidates cannot be matched.
"""


def _entry(
    item: Json, i: int
) -> tuple[tuple[int, OccupiedCoreAssumption], PersistedValidationData]:
    where = f"validation_data[{i}]"
    if not isinstance(item, dict):
        raise VectorInputError(f"input.{where}: expected an object, got {item!r}")
    try:
        para = int_field(item, "para_id")
        name = str_field(item, "assumption")
        data = record_field(item, "data", PersistedValidationData)
    except VectorInputError as e:
        # The readers name the entry's own field; say which entry it is.
        raise VectorInputError(str(e).replace("input.", f"input.{where}.", 1)) from None
    if para > _U32_MAX:
        raise VectorInputError(f"input.{where}.para_id: expected at most {_U32_MAX}, got {para}")
    if name not in _ASSUMPTIONS:
        raise VectorInputError(
            f'input.{where}.assumption: expected "Included", "TimedOut" or "Free", got {name!r}'
        )
    return (para, _ASSUMPTIONS[name]), data


def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
    rule = formula_field(data)
    cores = cast(list[AnyCoreState], records_field(data, "cores", CoreState))
    bitfields = records_field(data, "bitfields", SignedAvailabilityBitfield)
    check_signers(bitfields, "bitfields")
    candidates = records_field(data, "candidates", BackedCandidate)
    block_number = int_field(data, "block_number")
    if block_number > _U32_MAX:
        raise VectorInputError(f"input.block_number: expected at most {_U32_MAX}")
    validation_data: dict[tuple[int, OccupiedCoreAssumption], PersistedValidationData] = {}
    for i, item in enumerate(list_field(data, "validation_data")):
        key, value = _entry(item, i)
        if key in validation_data:
            raise VectorInputError(
                f"input.validation_data[{i}]: a second entry for para {key[0]}, {_NAMES[key[1]]}"
            )
        validation_data[key] = value
    available = cores_availability(cores, bitfields, rule)
    assumptions: list[Json] = []
    for core, is_available in zip(cores, available, strict=True):
        choice = core_assumption(core, is_available, block_number)
        assumptions.append(
            None if choice is None
            else {"para_id": choice[0].para_id, "assumption": _NAMES[choice[1]]}
        )
    first_index: dict[bytes, int] = {}
    for i, candidate in enumerate(candidates):
        first_index.setdefault(encode(candidate), i)
    selected: list[Json] = []
    for candidate in select_candidates(cores, bitfields, candidates, block_number,
                                       validation_data, rule):
        raw = encode(candidate)
        selected.append({"input_index": first_index[raw],
                         "para_id": candidate.candidate.descriptor.para_id,
                         "backed_candidate": hex_of(raw)})
    return {"assumptions": assumptions, "selected": selected}


# -- building inputs -----------------------------------------------------------------------------

_BLOCK = 128
_ZERO = bytes(32)


def _pvd(n: int) -> PersistedValidationData:
    """Validation data number `n` (distinct data, so distinct hashes, for distinct n)."""
    return PersistedValidationData(n.to_bytes(4, "little"), n, _ZERO, 5 << 20)


def _backed(
    para: int, data: int = 0, *, code: bytes | None = None, salt: int = 0
) -> BackedCandidate:
    descriptor = CandidateDescriptor(para, _ZERO, _ZERO, _pvd(data).hash(),
                                     salt.to_bytes(32, "big"), _ZERO, bytes(64), _ZERO, _ZERO)
    commitments = CandidateCommitments(new_validation_code=code,
                                       head_data=salt.to_bytes(4, "little"))
    return BackedCandidate(CommittedCandidateReceipt(descriptor, commitments),
                           (Explicit(bytes(64)),), BitVec.ones(1))


def _occ(availability: str | BitVec, *, on_available: int | None = None,
         on_time_out: int | None = None, time_out_at: int = 0, para: int = 0) -> OccupiedCore:
    bits = availability if isinstance(availability, BitVec) else BitVec.from_str(availability)
    descriptor = CandidateDescriptor(para, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, bytes(64), _ZERO,
                                     _ZERO)
    return OccupiedCore(
        None if on_available is None else ScheduledCore(on_available), 0, time_out_at,
        None if on_time_out is None else ScheduledCore(on_time_out), bits, 0, _ZERO, descriptor,
    )


def _bf(bits: str, validator_index: int) -> SignedAvailabilityBitfield:
    return SignedAvailabilityBitfield(BitVec.from_str(bits), validator_index, bytes(64))


_FREE = OccupiedCoreAssumption.FREE
_INCLUDED = OccupiedCoreAssumption.INCLUDED
_TIMED_OUT = OccupiedCoreAssumption.TIMED_OUT


@dataclass(frozen=True, slots=True)
class _Choice:
    name: str
    what: str
    cores: tuple[AnyCoreState, ...]
    candidates: tuple[BackedCandidate, ...]
    validation_data: Mapping[tuple[int, OccupiedCoreAssumption], PersistedValidationData]
    bitfields: tuple[SignedAvailabilityBitfield, ...] = ()
    block_number: int = _BLOCK
    formulas: tuple[str, ...] = ("seeds",)


def _input(
    formula: str,
    cores: Sequence[AnyCoreState],
    bitfields: Sequence[SignedAvailabilityBitfield],
    candidates: Sequence[BackedCandidate],
    block_number: int,
    validation_data: Mapping[tuple[int, OccupiedCoreAssumption], PersistedValidationData],
) -> dict[str, Json]:
    return {
        "formula": formula,
        "cores": [record_hex(core, CoreState) for core in cores],
        "bitfields": [record_hex(b) for b in bitfields],
        "candidates": [record_hex(c) for c in candidates],
        "block_number": block_number,
        "validation_data": [
            {"para_id": para, "assumption": _NAMES[assumption], "data": record_hex(vd)}
            for (para, assumption), vd in sorted(validation_data.items())
        ],
    }


_NONE3 = "000"
_ALL3 = "111"
_UP1, _UP2 = _backed(1, code=b"\x01"), _backed(2, code=b"\x02")

_SCENARIOS: tuple[_Choice, ...] = (
    _Choice("scheduled-core-takes-free", "a scheduled core: its para under Free",
              (ScheduledCore(5),), (_backed(5),), {(5, _FREE): _pvd(0)}),
    _Choice("available-core-takes-included", "available with next up: Included",
              (_occ(_ALL3, on_available=6, on_time_out=7),), (_backed(6), _backed(7)),
              {(6, _INCLUDED): _pvd(0), (7, _TIMED_OUT): _pvd(0)}),
    _Choice("available-without-next-up-does-not-fall-through",
              "available, nothing next up on available, times out now: nothing",
              (_occ(_ALL3, on_time_out=7, time_out_at=_BLOCK),), (_backed(7),),
              {(7, _TIMED_OUT): _pvd(0)}),
    _Choice("time-out-exactly-at-the-block-under-production",
              "not available, time_out_at equal to block_number: TimedOut",
              (_occ(_NONE3, on_time_out=7, time_out_at=_BLOCK),), (_backed(7),),
              {(7, _TIMED_OUT): _pvd(0)}),
    _Choice("time-out-one-block-before", "time_out_at one below block_number: nothing",
              (_occ(_NONE3, on_time_out=7, time_out_at=_BLOCK - 1),), (_backed(7),),
              {(7, _TIMED_OUT): _pvd(0)}),
    _Choice("time-out-one-block-after", "time_out_at one above block_number: nothing",
              (_occ(_NONE3, on_time_out=7, time_out_at=_BLOCK + 1),), (_backed(7),),
              {(7, _TIMED_OUT): _pvd(0)}),
    _Choice("timed-out-with-nothing-next-up", "times out now with nothing next up",
              (_occ(_NONE3, time_out_at=_BLOCK),), (_backed(0),), {(0, _TIMED_OUT): _pvd(0)}),
    _Choice("free-core-skipped", "a free core takes nothing",
              (FreeCore(),), (_backed(0),), {(0, _FREE): _pvd(0)}),
    _Choice("first-matching-candidate-chosen",
              "wrong data first, then two matching: the first matching",
              (ScheduledCore(1),), (_backed(1, 9, salt=1), _backed(1, 0, salt=2),
                                    _backed(1, 0, salt=3)), {(1, _FREE): _pvd(0)}),
    _Choice("missing-validation-data-skips-the-core", "only another assumption's data",
              (ScheduledCore(1),), (_backed(1),), {(1, _INCLUDED): _pvd(0)}),
    _Choice("candidate-of-another-para-not-chosen", "same data, other para",
              (ScheduledCore(1),), (_backed(2),), {(1, _FREE): _pvd(0), (2, _FREE): _pvd(0)}),
    _Choice("output-in-core-order", "candidates arrive in another order than their cores",
              (ScheduledCore(3), FreeCore(), ScheduledCore(1), ScheduledCore(2)),
              (_backed(1), _backed(2), _backed(3)), {(p, _FREE): _pvd(0) for p in (1, 2, 3)}),
    _Choice("one-vote-short-times-out", "1 of 3 on chain, a zero bitfield: times out",
              (_occ("100", on_available=4, on_time_out=5, time_out_at=_BLOCK),),
              (_backed(4, 1), _backed(5, 2)),
              {(4, _INCLUDED): _pvd(1), (5, _TIMED_OUT): _pvd(2)},
              bitfields=(_bf("0", 1),)),
    _Choice("two-of-three-available-for-the-seed-only",
              "1 of 3 on chain plus one vote: the seed includes, the runtime times out",
              (_occ("100", on_available=4, on_time_out=5, time_out_at=_BLOCK),),
              (_backed(4, 1), _backed(5, 2)),
              {(4, _INCLUDED): _pvd(1), (5, _TIMED_OUT): _pvd(2)},
              bitfields=(_bf("1", 1),), formulas=("seeds", "network")),
    _Choice("three-of-three-available-for-both", "all three vote",
              (_occ("000", on_available=4, on_time_out=5, time_out_at=_BLOCK),),
              (_backed(4, 1), _backed(5, 2)),
              {(4, _INCLUDED): _pvd(1), (5, _TIMED_OUT): _pvd(2)},
              bitfields=(_bf("1", 0), _bf("1", 1), _bf("1", 2)), formulas=("seeds", "network")),
    _Choice("four-of-six-available-for-the-seed-only", "n = 6, 4 votes",
              (_occ("110000", on_available=4, on_time_out=5, time_out_at=_BLOCK),),
              (_backed(4, 1), _backed(5, 2)),
              {(4, _INCLUDED): _pvd(1), (5, _TIMED_OUT): _pvd(2)},
              bitfields=(_bf("1", 2), _bf("1", 3)), formulas=("seeds", "network")),
    _Choice("signer-outside-availability-makes-core-time-out",
              "a bitfield signer past the availability vector: not available",
              (_occ(_ALL3, on_available=4, on_time_out=5, time_out_at=_BLOCK),),
              (_backed(4, 1), _backed(5, 2)),
              {(4, _INCLUDED): _pvd(1), (5, _TIMED_OUT): _pvd(2)},
              bitfields=(_bf("1", 3),), formulas=("seeds", "network")),
    _Choice("two-cores-one-para-one-candidate", "a para scheduled and timing out: one core",
              (ScheduledCore(1), _occ(_NONE3, on_time_out=1, time_out_at=_BLOCK)),
              (_backed(1, 0, salt=1), _backed(1, 1, salt=2)),
              {(1, _FREE): _pvd(0), (1, _TIMED_OUT): _pvd(1)}),
    _Choice("two-code-upgrades-lowest-core-keeps", "two candidates with code: the lower core's",
              (ScheduledCore(2), ScheduledCore(3), ScheduledCore(1)),
              (_UP1, _UP2, _backed(3)), {(p, _FREE): _pvd(0) for p in (1, 2, 3)}),
    _Choice("dropped-code-upgrade-para-takes-no-later-core",
              "the para whose code candidate was dropped stays served",
              (ScheduledCore(1), ScheduledCore(2),
               _occ(_NONE3, on_time_out=2, time_out_at=_BLOCK)),
              (_UP1, _UP2, _backed(2, 1)),
              {(1, _FREE): _pvd(0), (2, _FREE): _pvd(0), (2, _TIMED_OUT): _pvd(1)}),
    _Choice("served-para-does-not-stop-later-cores", "a later core of another para still fills",
              (ScheduledCore(1), _occ(_NONE3, on_time_out=1, time_out_at=_BLOCK),
               ScheduledCore(2)),
              (_backed(1, 0, salt=1), _backed(1, 1, salt=2), _backed(2)),
              {(1, _FREE): _pvd(0), (1, _TIMED_OUT): _pvd(1), (2, _FREE): _pvd(0)}),
    _Choice("core-without-candidate-does-not-stop-later-cores", "core 0 has no candidate",
              (ScheduledCore(1), ScheduledCore(2)), (_backed(2),),
              {(1, _FREE): _pvd(0), (2, _FREE): _pvd(0)}),
    _Choice("dropped-code-upgrade-does-not-stop-later-cores", "code, code, plain",
              (ScheduledCore(1), ScheduledCore(2), ScheduledCore(3)),
              (_UP1, _UP2, _backed(3)), {(p, _FREE): _pvd(0) for p in (1, 2, 3)}),
    _Choice("no-cores", "nothing to fill", (), (_backed(1),), {(1, _FREE): _pvd(0)}),
    _Choice("no-candidates", "cores but no candidates",
              (ScheduledCore(1), _occ(_ALL3, on_available=2)), (),
              {(1, _FREE): _pvd(0), (2, _INCLUDED): _pvd(0)}),
    _Choice("same-candidate-twice", "one candidate sent twice: chosen once, first index",
              (ScheduledCore(1), ScheduledCore(1)), (_backed(1), _backed(1)),
              {(1, _FREE): _pvd(0)}),
    _Choice("available-but-only-time-out-data", "Included is looked up, only TimedOut is there",
              (_occ(_ALL3, on_available=4, on_time_out=4, time_out_at=_BLOCK),), (_backed(4),),
              {(4, _TIMED_OUT): _pvd(0)}),
    _Choice("time-out-at-block-zero", "block_number 0 and time_out_at 0",
              (_occ(_NONE3, on_time_out=7, time_out_at=0),), (_backed(7),),
              {(7, _TIMED_OUT): _pvd(0)}, block_number=0),
    _Choice("time-out-at-the-largest-block-number", "block_number and time_out_at u32 max",
              (_occ(_NONE3, on_time_out=7, time_out_at=_U32_MAX),), (_backed(7),),
              {(7, _TIMED_OUT): _pvd(0)}, block_number=_U32_MAX),
    _Choice("next-up-differs-from-occupying-para", "core of para 9, next up para 4",
              (_occ(_ALL3, on_available=4, para=9),), (_backed(9), _backed(4)),
              {(9, _INCLUDED): _pvd(0), (4, _INCLUDED): _pvd(0)}),
    _Choice("every-kind-of-core", "occupied available, timing out, waiting; scheduled; free",
              (_occ(_ALL3, on_available=1), _occ(_NONE3, on_time_out=2, time_out_at=_BLOCK),
               _occ(_NONE3, on_available=3, on_time_out=3, time_out_at=_BLOCK + 5),
               ScheduledCore(4), FreeCore()),
              (_backed(4), _backed(3), _backed(2), _backed(1)),
              {(1, _INCLUDED): _pvd(0), (2, _TIMED_OUT): _pvd(0), (3, _INCLUDED): _pvd(0),
               (3, _TIMED_OUT): _pvd(0), (4, _FREE): _pvd(0)}, formulas=("seeds", "network")),
    _Choice("empty-availability-vector-is-available", "an occupied core over zero validators",
              (_occ("", on_available=1, on_time_out=2, time_out_at=_BLOCK),),
              (_backed(1), _backed(2)), {(1, _INCLUDED): _pvd(0), (2, _TIMED_OUT): _pvd(0)},
              formulas=("seeds", "network")),
)


def _boundary_cases() -> list[Case]:
    cases: list[Case] = []
    for s in _SCENARIOS:
        for formula in s.formulas:
            profile: Profile = "seeds" if formula == "seeds" else "network"
            name = s.name if len(s.formulas) == 1 else f"{formula}-{s.name}"
            cases.append(make_case(
                evaluate, name, f"{formula} formula: {s.what}", "boundary", profile,
                _input(formula, s.cores, s.bitfields, s.candidates, s.block_number,
                       s.validation_data),
            ))
    return cases


def _strategy(st: Any) -> Any:
    def inputs(draw: Any) -> dict[str, Json]:
        n = draw(st.integers(1, 6))
        n_cores = draw(st.integers(1, 6))
        block = draw(st.integers(8, 12))
        paras = st.integers(0, 3)

        def mostly_ones(length: int) -> Any:
            # Bits two thirds set, so that cores become available about as often as not.
            return st.lists(st.sampled_from((True, True, False)), min_size=length,
                            max_size=length)

        maybe_para = st.none() | paras
        cores: list[AnyCoreState] = []
        for _ in range(n_cores):
            kind = draw(st.sampled_from(("occupied", "occupied", "scheduled", "scheduled",
                                         "free")))
            if kind == "free":
                cores.append(FreeCore())
            elif kind == "scheduled":
                cores.append(ScheduledCore(draw(paras)))
            else:
                cores.append(_occ(BitVec.from_bools(draw(mostly_ones(n))),
                                  on_available=draw(maybe_para), on_time_out=draw(maybe_para),
                                  time_out_at=block + draw(st.sampled_from((-1, 0, 0, 1))),
                                  para=draw(paras)))
        bitfields = [
            SignedAvailabilityBitfield(BitVec.from_bools(draw(mostly_ones(n_cores))), v,
                                       bytes(64))
            for v in sorted(draw(st.sets(st.integers(0, n))))  # n itself is out of range
        ]
        picks: dict[tuple[int, OccupiedCoreAssumption], int] = {}
        for para in range(4):
            for assumption in (_FREE, _INCLUDED, _TIMED_OUT):
                which = draw(st.sampled_from((None, 0, 0, 1)))
                if which is not None:
                    picks[(para, assumption)] = which
        validation_data = {key: _pvd(which) for key, which in picks.items()}
        # Candidates on the data a core could look up (most of them), and some at random, in a
        # drawn order: otherwise a draw rarely matches anything.
        specs = [(para, picks.get((para, a), 0) ^ (draw(st.integers(0, 3)) == 0))
                 for para, a in validation_data_keys(cores)]
        specs = [s for s in specs if draw(st.integers(0, 3))]
        specs += [(draw(paras), draw(st.integers(0, 1))) for _ in range(draw(st.integers(0, 4)))]
        specs = draw(st.permutations(specs))
        candidates = [
            _backed(para, which, code=draw(st.sampled_from((None, None, b"code"))), salt=salt)
            for salt, (para, which) in enumerate(specs)
        ]
        return _input(draw(st.sampled_from(tuple(FORMULAS))), cores, bitfields, candidates,
                      block, validation_data)

    return st.composite(inputs)()


def _generated_cases() -> list[Case]:
    cases: list[Case] = []
    for data in distinct(drawn(_strategy, 80, seed=16_04)):
        formula = cast(str, data["formula"])
        profile: Profile = "seeds" if formula == "seeds" else "network"
        n_cores = len(cast(list[Json], data["cores"]))
        n_candidates = len(cast(list[Json], data["candidates"]))
        cases.append(make_case(
            evaluate, f"generated-{len(cases):03d}",
            f"{formula} formula, {n_cores} cores, {n_candidates} candidates, drawn",
            "generated", profile, data,
        ))
    return cases


def cases(chain_data: Path | None) -> tuple[Case, ...]:
    # No chain cases: blocks carry validation-data hashes, never the data (see the schema).
    del chain_data
    return tuple(_boundary_cases() + _generated_cases())


FAMILY = Family(
    name="candidate_selection",
    summary="at most one backed candidate per core and per para, on the right validation data",
    schema=SCHEMA,
    evaluate=evaluate,
    cases=cases,
)
