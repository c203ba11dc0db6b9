# Laws of the SCALE codec: decode(encode(x)) == x for every record, and decode of any bytes
# (random or mutated real blocks) raises only DecodeError, and what decodes re-encodes exactly.
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from core import (
    CoreState,
    DecodeError,
    DigestItem,
    DisputeStatement,
    DisputeStatus,
    ParachainsInherentData,
    Statement,
    ValidityAttestation,
    decode,
    encode,
)
from core.inherent import ParasInherentExtrinsic
from tests.conftest import REAL_BLOCKS, inherent_bytes

from .strategies import (
    RECORD_STRATEGIES,
    attestations,
    core_states,
    digest_items,
    dispute_statements,
    dispute_statuses,
    statements,
)

ENUMS: dict[type, st.SearchStrategy[Any]] = {
    CoreState: core_states(),
    Statement: statements(),
    ValidityAttestation: attestations(),
    DisputeStatement: dispute_statements(),
    DisputeStatus: dispute_statuses(),
    DigestItem: digest_items(),
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


def _decodes_only_to_decode_error(record_type: type, raw: bytes) -> None:
    try:
        value = decode(record_type, raw)
    except DecodeError:
        return
    # Whatever decodes must be canonical: it re-encodes to exactly the input.
    if record_type is ParasInherentExtrinsic:
        assert ParasInherentExtrinsic.write(value) == raw
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


@st.composite
def mutated_real_inherents(draw: st.DrawFn) -> bytes:
    raw = bytearray(_REAL[draw(st.sampled_from(REAL_BLOCKS))])
    for _ in range(draw(st.integers(1, 4))):
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
        if not raw:
            break
    return bytes(raw)


@given(raw=mutated_real_inherents())
def test_mutated_real_blocks_raise_only_decode_error(raw: bytes) -> None:
    _decodes_only_to_decode_error(ParasInherentExtrinsic, raw)
    _decodes_only_to_decode_error(ParachainsInherentData, raw[5:])
