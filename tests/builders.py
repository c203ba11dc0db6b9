# Record builders shared by the example tests: full, valid records with every field spelled out,
# and keyword overrides for the field a test is about.
from __future__ import annotations

from collections.abc import Callable

import pytest

from backable.core import CandidateDescriptor, DecodeError, InvalidRecord, decode


def descriptor(**overrides: object) -> CandidateDescriptor:
    fields: dict[str, object] = {
        "para_id": 1000,
        "relay_parent": b"\x01" * 32,
        "collator": b"\x02" * 32,
        "persisted_validation_data_hash": b"\x03" * 32,
        "pov_hash": b"\x04" * 32,
        "erasure_root": b"\x05" * 32,
        "signature": b"\x06" * 64,
        "para_head": b"\x07" * 32,
        "validation_code_hash": b"\x08" * 32,
    }
    fields.update(overrides)
    return CandidateDescriptor(**fields)  # type: ignore[arg-type]


def refusal(build: Callable[[], object]) -> tuple[str, str, object, str]:
    """Call `build`, which must raise InvalidRecord, and return what the error names: record,
    field, value and reason (the contract of a refused record, asserted whole by the tests)."""
    with pytest.raises(InvalidRecord) as info:
        build()
    error = info.value
    return (error.record, error.field, error.value, error.reason)


def decode_failure(record_type: object, data: bytes) -> tuple[str, int, str]:
    """Decode bytes that must be refused and return what the DecodeError names: the type, the
    byte offset and the reason."""
    with pytest.raises(DecodeError) as info:
        decode(record_type, data)
    error = info.value
    return (error.type_name, error.offset, error.reason)
