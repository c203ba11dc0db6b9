# Laws of `backable decode` (shell/cli/decode.py): a block prints the same whatever form it comes
# in (sidecar's, `chain_getBlock`'s result with justifications of any shape, the JSON-RPC answer
# around it, a header number as a JSON number or in hex) and whichever bare extrinsic version (4
# or 5) carries its inherent; the JSON's block number, warnings and per-core counts follow the
# rules' text; and any JSON document at all is decoded or refused with a one-line InputError,
# never another exception.
from __future__ import annotations

import contextlib
import io
import json
from typing import Any
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from backable.core import ParachainsInherentData, encode_paras_inherent_extrinsic
from backable.shell.cli.decode import decode_report, load_input
from backable.shell.cli.errors import EXIT_OK, InputError
from backable.shell.cli.example_block import load_example_block
from backable.shell.cli.main import main

from .strategies import RECORD_STRATEGIES

_U32_MAX = 2**32 - 1
_EXAMPLE = load_example_block()
_TIMESTAMP = _EXAMPLE["extrinsics"][0]  # a Timestamp.set, so the inherent is not alone


def _printed(document: Any, *flags: str) -> tuple[int, str]:
    # `backable decode -` on the document's JSON, as a user would run it.
    out = io.StringIO()
    with (
        mock.patch("sys.stdin", io.StringIO(json.dumps(document))),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        code = main(["decode", "-", *flags])
    return code, out.getvalue()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def block_with_number(draw: st.DrawFn) -> tuple[ParachainsInherentData, int]:
    data = draw(RECORD_STRATEGIES[ParachainsInherentData])
    child = data.parent_header.number + 1
    numbers = st.integers(0, _U32_MAX)
    if child <= _U32_MAX:
        numbers = st.just(child) | numbers  # the child half the time: no warning then
    return data, draw(numbers)


@given(
    block=block_with_number(),
    flags=st.sampled_from([(), ("--json",)]),
    justifications=json_values,
)
def test_every_form_and_extrinsic_version_of_a_block_prints_what_its_sidecar_form_prints(
    block: tuple[ParachainsInherentData, int], flags: tuple[str, ...], justifications: Any
) -> None:
    data, number = block

    def extrinsics(version: int) -> list[str]:
        return [_TIMESTAMP, "0x" + encode_paras_inherent_extrinsic(data, version=version).hex()]

    sidecar = {"header": {"number": number}, "extrinsics": extrinsics(4)}
    version_5 = {"header": {"number": number}, "extrinsics": extrinsics(5)}
    result = {
        "block": {"header": {"number": hex(number)}, "extrinsics": extrinsics(5)},
        "justifications": justifications,
    }
    envelope = {"jsonrpc": "2.0", "id": 7, "result": result}
    expected = _printed(sidecar, *flags)
    assert expected[0] == EXIT_OK
    for other in (version_5, result, envelope):
        assert _printed(other, *flags) == expected


@given(block=block_with_number())
def test_the_json_gives_the_header_number_warns_iff_it_is_no_child_and_counts_each_core(
    block: tuple[ParachainsInherentData, int],
) -> None:
    data, number = block
    sidecar = {
        "header": {"number": number},
        "extrinsics": [_TIMESTAMP, "0x" + encode_paras_inherent_extrinsic(data).hex()],
    }
    code, out = _printed(sidecar, "--json")
    assert code == EXIT_OK
    report = json.loads(out)
    assert report["block_number"] == number
    # The block is its inherent's parent header's child: number == parent number + 1.
    assert (report["warnings"] == []) == (number == data.parent_header.number + 1)
    # Per core k (up to the longest bitfield): how many bitfields have bit k set, bit 0 first.
    bit_strings = [str(b.payload) for b in data.bitfields]
    width = max((len(s) for s in bit_strings), default=0)
    assert report["availability_per_core"] == [
        sum(1 for s in bit_strings if k < len(s) and s[k] == "1") for k in range(width)
    ]
    assert [c["candidate_hash"] for c in report["candidates"]] == [
        "0x" + b.candidate.hash().hex() for b in data.backed_candidates
    ]


# Documents shaped like blocks, signed blocks and JSON-RPC answers, with any JSON in each place,
# so that the fuzzing reaches every branch of the unwrapping and not only the first refusal.
_numbers = json_values | st.integers(-5, 2**33) | st.integers(0, 2**33).map(hex)
_headers = json_values | st.fixed_dictionaries({}, optional={"number": _numbers})
_items = json_values | st.sampled_from(_EXAMPLE["extrinsics"])
_blocks = st.fixed_dictionaries(
    {}, optional={"header": _headers, "extrinsics": json_values | st.lists(_items, max_size=3)}
)
_signed = st.fixed_dictionaries(
    {}, optional={"block": _blocks | json_values, "justifications": json_values}
)
_answers = st.fixed_dictionaries(
    {},
    optional={
        "jsonrpc": st.just("2.0"),
        "id": json_values,
        "result": _blocks | _signed | json_values,
        "error": json_values,
    },
)


@given(
    document=json_values | _blocks | _signed | _answers,
    call_index=st.sampled_from([b"\x36\x00", b"\x03\x00", b"\x33\x00"]),
)
def test_any_json_document_is_decoded_or_refused_with_a_one_line_input_error(
    document: Any, call_index: bytes
) -> None:
    with mock.patch("sys.stdin", io.StringIO(json.dumps(document))):
        try:
            loaded = load_input("-", call_index)
        except InputError as e:
            assert "\n" not in str(e)
            return
    report = decode_report(loaded)  # what decodes also reports, and as JSON
    json.dumps(report)
