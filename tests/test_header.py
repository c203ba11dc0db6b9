from __future__ import annotations

import pytest

from backable.core import (
    DecodeError,
    DigestConsensus,
    DigestItem,
    DigestOther,
    DigestPreRuntime,
    DigestRuntimeEnvironmentUpdated,
    DigestSeal,
    Header,
    decode,
    encode,
)
from tests.builders import refusal
from tests.conftest import load_derived

H = b"\x11" * 32


def test_the_block_number_is_compact() -> None:
    header = Header(H, 22887035, H, H)
    raw = encode(header)
    assert raw[32:36] == bytes.fromhex("eee97405")  # (22887035 << 2) | 0b10, four-byte mode
    assert decode(Header, raw) == header


@pytest.mark.parametrize(
    ("item", "tag"),
    [
        (DigestOther(b"x"), 0),
        (DigestConsensus(b"BEEF", b"x"), 4),
        (DigestSeal(b"BABE", b"x"), 5),
        (DigestPreRuntime(b"BABE", b"x"), 6),
        (DigestRuntimeEnvironmentUpdated(), 8),
    ],
)
def test_digest_items_use_sp_runtime_indices(item: object, tag: int) -> None:
    raw = encode(item)
    assert raw[0] == tag
    assert decode(DigestItem, raw) == item


def test_an_unknown_digest_index_is_refused() -> None:
    with pytest.raises(DecodeError, match="unknown DigestItem variant index 7"):
        decode(DigestItem, b"\x07")


def test_the_real_parent_header_hashes_to_the_blocks_parent_hash() -> None:
    derived = load_derived("22887036")["parent_header"]
    logs = derived["digest"]["logs"]
    items = []
    for log in logs:
        ((kind, (engine, data)),) = log.items()
        cls = {"PreRuntime": DigestPreRuntime, "Consensus": DigestConsensus, "Seal": DigestSeal}[
            kind
        ]
        items.append(cls(bytes.fromhex(engine[2:]), bytes.fromhex(data[2:])))
    header = Header(
        parent_hash=bytes.fromhex(derived["parent_hash"][2:]),
        number=derived["number"],
        state_root=bytes.fromhex(derived["state_root"][2:]),
        extrinsics_root=bytes.fromhex(derived["extrinsics_root"][2:]),
        digest=tuple(items),
    )
    assert (
        "0x" + header.hash().hex()
        == "0x480e167fe170bdeb8c7c53e3505e6bb3c6eeecdf7f38eecb350ed445a57a9077"
    )


def test_an_other_digest_needs_bytes_and_names_the_field() -> None:
    assert refusal(lambda: DigestOther("data")) == (  # type: ignore[arg-type]
        "DigestOther",
        "data",
        "data",
        "must be bytes",
    )


def test_a_header_repr_shows_the_number_the_parent_hash_prefix_and_the_digest_count() -> None:
    header = Header(bytes(range(32)), 7, H, H, (DigestOther(b"x"),))
    assert repr(header) == "Header(number=7, parent_hash=0x0001020304050607.., digest_items=1)"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"parent_hash": H[:31]}, ("parent_hash", H[:31], "must be 32 bytes")),
        ({"state_root": "root"}, ("state_root", "root", "must be 32 bytes")),
        ({"extrinsics_root": None}, ("extrinsics_root", None, "must be 32 bytes")),
        ({"number": 1 << 32}, ("number", 1 << 32, "must be an int in 0..2**32-1")),
        ({"digest": "logs"}, ("digest", "logs", "must be a tuple")),
    ],
)
def test_a_header_refuses_a_bad_hash_naming_the_field(
    fields: dict[str, object], expected: tuple[str, object, str]
) -> None:
    values: dict[str, object] = {
        "parent_hash": H,
        "number": 5,
        "state_root": H,
        "extrinsics_root": H,
    }
    values.update(fields)
    assert refusal(lambda: Header(**values)) == ("Header", *expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", [DigestPreRuntime, DigestConsensus, DigestSeal])
@pytest.mark.parametrize("engine", [b"BAB", b"BABE\x00", bytearray(b"BABE"), "BABE"])
def test_an_engine_digest_needs_a_four_byte_engine_id_and_names_it(
    kind: type, engine: object
) -> None:
    assert refusal(lambda: kind(engine, b"data")) == (
        kind.__name__,
        "engine",
        engine,
        "must be 4 bytes",
    )


@pytest.mark.parametrize("kind", [DigestPreRuntime, DigestConsensus, DigestSeal])
def test_an_engine_digest_needs_bytes_data_and_names_it(kind: type) -> None:
    assert refusal(lambda: kind(b"BABE", "data")) == (
        kind.__name__,
        "data",
        "data",
        "must be bytes",
    )
