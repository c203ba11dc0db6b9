# Record builders shared by the example tests: full, valid records with every field spelled out,
# and keyword overrides for the field a test is about.
from __future__ import annotations

from backable.core import CandidateDescriptor


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
