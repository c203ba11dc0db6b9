# Laws of the SCALE codec: decode(encode(x)) == x for every record, and decode of any bytes
# (random or mutated real blocks) raises only DecodeError, and what decodes re-encodes exactly.
# "Every" is checked: every type core exports with a `read`, every enum variant, the bare
# dispute kinds and the extrinsic get random bytes, mutated valid encodings and (where the real
# blocks hold one) mutated real encodings. HYPOTHESIS_PROFILE=thorough runs 2,000 examples each.
from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from backable import core
from backable.core import (
    Active,
    ApprovalChecking,
    ApprovalCheckingMultipleCandidates,
    ApprovedPeer,
    BackingSeconded,
    BackingValid,
    CandidateBacked,
    CandidateEvent,
    CandidateIncluded,
    CandidateTimedOut,
    ConcludedAgainst,
    ConcludedFor,
    Confirmed,
    CoreState,
    DecodeError,
    DigestConsensus,
    DigestItem,
    DigestOther,
    DigestPreRuntime,
    DigestRuntimeEnvironmentUpdated,
    DigestSeal,
    DisputeStatement,
    DisputeStatus,
    Explicit,
    FreeCore,
    Implicit,
    Invalid,
    InvalidDisputeStatementKind,
    InvalidExplicit,
    ParachainsInherentData,
    Seconded,
    SelectCore,
    Statement,
    UMPSignal,
    Valid,
    ValidDisputeStatementKind,
    ValidExplicit,
    ValidityAttestation,
    decode,
    decode_paras_inherent_extrinsic,
    encode,
    encode_paras_inherent_extrinsic,
)
from backable.core.records.codec import _ENUM_READERS
from backable.core.records.inherent import ParasInherentExtrinsic
from tests.conftest import REAL_BLOCKS, inherent_bytes

from .strategies import (
    RECORD_STRATEGIES,
    approved_peers,
    attestations,
    candidate_backed_events,
    candidate_events,
    candidate_included_events,
    candidate_timed_out_events,
    committed_receipts,
    core_states,
    digest_items,
    dispute_statements,
    dispute_statuses,
    hashes,
    select_cores,
    signatures,
    statements,
    u64s,
    ump_signal_values,
    valid_kinds,
)

ENUMS: dict[type, st.SearchStrategy[Any]] = {
    CoreState: core_states(),
    Statement: statements(),
    ValidityAttestation: attestations(),
    DisputeStatement: dispute_statements(),
    DisputeStatus: dispute_statuses(),
    DigestItem: digest_items(),
    UMPSignal: ump_signal_values(),
    CandidateEvent: candidate_events(),
}

ALL_TYPES = [*RECORD_STRATEGIES, *ENUMS, ParasInherentExtrinsic]


@pytest.mark.parametrize("record_type", list(RECORD_STRATEGIES), ids=lambda t: t.__name__)
@given(data=st.data())
def test_decode_inverts_encode_for_every_record(record_type: type, data: st.DataObject) -> None:
    record = data.draw(RECORD_STRATEGIES[record_type])
    assert decode(record_type, encode(record)) == record


@pytest.mark.parametrize("enum_type", list(ENUMS), ids=lambda t: t.__name__)
@given(data=st.data())
def test_decode_inverts_encode_for_every_enum(enum_type: type, data: st.DataObject) -> None:
    value = data.draw(ENUMS[enum_type])
    assert decode(enum_type, encode(value, enum_type)) == value


def _extrinsic_forms(data: ParachainsInherentData) -> set[bytes]:
    # A bare extrinsic carries format version 4 or 5 in its preamble; the data reads the same.
    return {ParasInherentExtrinsic.write(data, version) for version in (4, 5)}


def _decodes_only_to_decode_error(record_type: type, raw: bytes) -> None:
    try:
        value = decode(record_type, raw)
    except DecodeError:
        return
    # Whatever decodes must be canonical: it re-encodes to exactly the input.
    if record_type is ParasInherentExtrinsic:
        assert raw in _extrinsic_forms(value)
    else:
        assert encode(value, record_type) == raw


@pytest.mark.parametrize("record_type", ALL_TYPES, ids=lambda t: t.__name__)
@given(raw=st.binary(max_size=400))
@example(raw=b"")
@example(raw=b"\x03\xff\xff\xff\xff")
@example(raw=b"\xfd\xff\xff\xff")
def test_decode_of_arbitrary_bytes_raises_only_decode_error(record_type: type, raw: bytes) -> None:
    _decodes_only_to_decode_error(record_type, raw)


_REAL = {n: inherent_bytes(n) for n in REAL_BLOCKS}


def _mutate(draw: st.DrawFn, raw: bytearray) -> bytes:
    # Flip a bit, cut the tail, insert a few bytes or delete a run, one to four times.
    for _ in range(draw(st.integers(1, 4))):
        if not raw:
            raw += draw(st.binary(min_size=1, max_size=8))
            continue
        op = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        at = draw(st.integers(0, len(raw) - 1))
        if op == "flip":
            raw[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del raw[at:]
        elif op == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            del raw[at : at + draw(st.integers(1, 64))]
    return bytes(raw)


@st.composite
def mutated_real_inherents(draw: st.DrawFn) -> bytes:
    return _mutate(draw, bytearray(_REAL[draw(st.sampled_from(REAL_BLOCKS))]))


@given(raw=mutated_real_inherents())
def test_mutated_real_blocks_raise_only_decode_error(raw: bytes) -> None:
    _decodes_only_to_decode_error(ParasInherentExtrinsic, raw)
    _decodes_only_to_decode_error(ParachainsInherentData, raw[5:])


# Every wire form, variants included ----------------------------------------------------------
# Beyond the records and enums above: each enum variant decodes through its enum (`decode(Valid,
# ...)` refuses a Seconded), FreeCore is the empty struct, and the bare dispute-statement kinds
# are CandidateVotes' inner enums (their form is DisputeStatement's without the outer tag).

BARE_KINDS: dict[type, st.SearchStrategy[Any]] = {
    ValidDisputeStatementKind: valid_kinds(),
    InvalidDisputeStatementKind: st.just(InvalidExplicit()),
}
_BLOBS = st.binary(max_size=64)
_ENGINES = st.binary(min_size=4, max_size=4)
VARIANTS: dict[type, st.SearchStrategy[Any]] = {
    Seconded: committed_receipts().map(Seconded),
    Valid: hashes.map(Valid),
    Invalid: hashes.map(Invalid),
    Implicit: signatures.map(Implicit),
    Explicit: signatures.map(Explicit),
    ValidExplicit: st.just(ValidExplicit()),
    BackingSeconded: hashes.map(BackingSeconded),
    BackingValid: hashes.map(BackingValid),
    ApprovalChecking: st.just(ApprovalChecking()),
    ApprovalCheckingMultipleCandidates: st.lists(hashes, max_size=3).map(
        lambda h: ApprovalCheckingMultipleCandidates(tuple(h))
    ),
    InvalidExplicit: st.just(InvalidExplicit()),
    Active: st.just(Active()),
    ConcludedFor: u64s.map(ConcludedFor),
    ConcludedAgainst: u64s.map(ConcludedAgainst),
    Confirmed: st.just(Confirmed()),
    DigestPreRuntime: st.builds(DigestPreRuntime, _ENGINES, _BLOBS),
    DigestConsensus: st.builds(DigestConsensus, _ENGINES, _BLOBS),
    DigestSeal: st.builds(DigestSeal, _ENGINES, _BLOBS),
    DigestOther: st.builds(DigestOther, _BLOBS),
    DigestRuntimeEnvironmentUpdated: st.just(DigestRuntimeEnvironmentUpdated()),
    SelectCore: select_cores(),
    ApprovedPeer: approved_peers(),
    CandidateBacked: candidate_backed_events(),
    CandidateIncluded: candidate_included_events(),
    CandidateTimedOut: candidate_timed_out_events(),
}
OTHER_FORMS: dict[type, st.SearchStrategy[Any]] = {
    FreeCore: st.just(FreeCore()),
    **BARE_KINDS,
    **VARIANTS,
}
STRATEGIES: dict[type, st.SearchStrategy[Any]] = {**RECORD_STRATEGIES, **ENUMS, **OTHER_FORMS}
WIRE_TYPES = [*STRATEGIES, ParasInherentExtrinsic]


def _reencode(wire_type: type, value: Any) -> bytes:
    """The encoding `decode(wire_type, ...)` inverts."""
    if wire_type is ParasInherentExtrinsic:
        return ParasInherentExtrinsic.write(value)
    if wire_type in BARE_KINDS:
        return encode(value)[1:]  # a DisputeStatement's form minus its Valid/Invalid tag
    if wire_type in ENUMS:
        return encode(value, wire_type)
    return encode(value)


def test_every_type_with_a_wire_form_is_fuzzed() -> None:
    # A new record with a `read` (or a new enum variant) must join the properties here.
    exported = [getattr(core, name) for name in core.__all__]
    readable = {t for t in exported if isinstance(t, type) and hasattr(t, "read")}
    assert readable | set(_ENUM_READERS) | {ParasInherentExtrinsic} == set(WIRE_TYPES)


@pytest.mark.parametrize("wire_type", list(OTHER_FORMS), ids=lambda t: t.__name__)
@given(data=st.data())
def test_decode_inverts_encode_for_every_variant_and_bare_kind(
    wire_type: type, data: st.DataObject
) -> None:
    value = data.draw(STRATEGIES[wire_type])
    assert decode(wire_type, _reencode(wire_type, value)) == value


def _decodes_only_to_decode_error_or_reencodes(wire_type: type, raw: bytes) -> None:
    try:
        value = decode(wire_type, raw)
    except DecodeError:
        return
    if wire_type is ParasInherentExtrinsic:
        assert raw in _extrinsic_forms(value)
    else:
        assert _reencode(wire_type, value) == raw


@pytest.mark.parametrize("wire_type", list(OTHER_FORMS), ids=lambda t: t.__name__)
@given(raw=st.binary(max_size=200))
@example(raw=b"")
@example(raw=b"\x00")
@example(raw=b"\x01\x00")
def test_decode_of_arbitrary_bytes_as_a_variant_raises_only_decode_error(
    wire_type: type, raw: bytes
) -> None:
    _decodes_only_to_decode_error_or_reencodes(wire_type, raw)


@pytest.mark.parametrize("wire_type", WIRE_TYPES, ids=lambda t: t.__name__)
@given(data=st.data())
def test_mutated_valid_encodings_raise_only_decode_error(
    wire_type: type, data: st.DataObject
) -> None:
    # Near-valid bytes reach much deeper into a decoder than random ones.
    strategy = STRATEGIES.get(wire_type, RECORD_STRATEGIES[ParachainsInherentData])
    raw = _reencode(wire_type, data.draw(strategy))
    mutated = _mutate(data.draw, bytearray(raw))
    _decodes_only_to_decode_error_or_reencodes(wire_type, mutated)


def _wire_parts(value: Any, out: list[tuple[type, bytes]]) -> None:
    # Every record inside a decoded real inherent, with the bytes `decode` reads it from.
    if isinstance(value, tuple):
        for item in value:
            _wire_parts(item, out)
        return
    wire_type = type(value)
    if wire_type in STRATEGIES:
        raw = _reencode(wire_type, value)
        assert decode(wire_type, raw) == value
        out.append((wire_type, raw))
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return
    for f in dataclasses.fields(value):
        _wire_parts(getattr(value, f.name), out)


def _real_parts() -> list[tuple[type, bytes]]:
    parts: list[tuple[type, bytes]] = []
    for raw in _REAL.values():
        _wire_parts(decode(ParasInherentExtrinsic, raw), parts)
    # One of each (type, length) keeps the pool small and still spans every shape seen on chain.
    return sorted({(t, len(b)): (t, b) for t, b in parts}.values(), key=lambda p: p[0].__name__)


_REAL_PARTS = _real_parts()


def test_the_real_blocks_hold_the_records_the_mutations_start_from() -> None:
    found = {t.__name__ for t, _ in _REAL_PARTS}
    # No dispute in these blocks: dispute records are fuzzed from mutated valid encodings above.
    assert found == {
        "BackedCandidate",
        "BitVec",
        "CandidateCommitments",
        "CandidateDescriptor",
        "CommittedCandidateReceipt",
        "DigestConsensus",
        "DigestPreRuntime",
        "DigestSeal",
        "Explicit",
        "Header",
        "Implicit",
        "OutboundHrmpMessage",
        "ParachainsInherentData",
        "SignedAvailabilityBitfield",
    }


@given(data=st.data())
def test_mutated_real_records_raise_only_decode_error(data: st.DataObject) -> None:
    wire_type, raw = data.draw(st.sampled_from(_REAL_PARTS))
    _decodes_only_to_decode_error_or_reencodes(wire_type, _mutate(data.draw, bytearray(raw)))


# The extrinsic's preamble and call index ------------------------------------------------------
# sp-runtime's bare preamble is one byte, type bits 0b00 over the format version (4 or 5); then
# the two-byte call index, then the data. Signed (0b10) and general (0b01) preambles, and every
# other version, are no ParaInherent.enter.


def _compact_prefix(n: int) -> bytes:
    # SCALE's compact integer, written from its definition (the modes for 1, 2 and 4 bytes).
    if n < 1 << 6:
        return bytes((n << 2,))
    if n < 1 << 14:
        return ((n << 2) | 1).to_bytes(2, "little")
    return ((n << 2) | 2).to_bytes(4, "little")


@given(
    data=RECORD_STRATEGIES[ParachainsInherentData],
    version=st.sampled_from([4, 5]),
    call_index=st.binary(min_size=2, max_size=2),
)
def test_the_extrinsic_is_length_preamble_call_and_data_under_either_version(
    data: ParachainsInherentData, version: int, call_index: bytes
) -> None:
    body = bytes((version,)) + call_index + encode(data)
    raw = encode_paras_inherent_extrinsic(data, version=version, call_index=call_index)
    assert raw == _compact_prefix(len(body)) + body
    assert decode_paras_inherent_extrinsic(raw, call_index=call_index) == data


@given(
    data=RECORD_STRATEGIES[ParachainsInherentData],
    preamble=st.integers(0, 255).filter(lambda b: b not in (4, 5)),
)
def test_no_other_preamble_byte_is_a_paras_inherent(
    data: ParachainsInherentData, preamble: int
) -> None:
    raw = bytearray(encode_paras_inherent_extrinsic(data))
    at = len(raw) - len(encode(data)) - 3  # the preamble sits before the call index and data
    raw[at] = preamble
    with pytest.raises(DecodeError, match="preamble"):
        decode_paras_inherent_extrinsic(bytes(raw))


@given(
    data=RECORD_STRATEGIES[ParachainsInherentData],
    written=st.binary(min_size=2, max_size=2),
    wanted=st.binary(min_size=2, max_size=2),
)
def test_an_extrinsic_decodes_only_under_the_call_index_it_carries(
    data: ParachainsInherentData, written: bytes, wanted: bytes
) -> None:
    raw = encode_paras_inherent_extrinsic(data, call_index=written)
    if written == wanted:
        assert decode_paras_inherent_extrinsic(raw, call_index=wanted) == data
    else:
        with pytest.raises(DecodeError, match=f"not ParaInherent.enter \\(0x{wanted.hex()}\\)"):
            decode_paras_inherent_extrinsic(raw, call_index=wanted)
