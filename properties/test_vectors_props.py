# Laws of the conformance vectors' protocol and comparison (shell/vectors/protocol.py,
# serve.py, runner.py): request lines read back to the request; this project's adapter answers
# every line, whatever its bytes, with one protocol line; the comparison finds no difference
# exactly when two JSON values are the same value of the same JSON types (the model below is
# written from that sentence, not from the runner's code).
from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from backable.shell.vectors.families import all_families
from backable.shell.vectors.protocol import Request, decode_request, decode_response, encode_request
from backable.shell.vectors.runner import compare
from backable.shell.vectors.serve import answer

FAMILIES = {f.name: f for f in all_families()}

scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=6)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                 max_size=4),
    max_leaves=12,
)
objects = st.dictionaries(st.text(max_size=6), json_values, max_size=5)


def _same(x: Any, y: Any) -> bool:
    # Same JSON type (a boolean is not a number), and then: equal scalars; lists of equal
    # length whose items are the same in order; objects with the same keys whose values are.
    kinds = (type(None), bool, int, str, list, dict)
    if [isinstance(x, k) and not (k is int and isinstance(x, bool)) for k in kinds] != [
        isinstance(y, k) and not (k is int and isinstance(y, bool)) for k in kinds
    ]:
        return False
    if isinstance(x, list):
        return len(x) == len(y) and all(_same(a, b) for a, b in zip(x, y, strict=True))
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(_same(x[k], y[k]) for k in x)
    return bool(x == y)


@given(st.integers(0, 2**64), st.text(max_size=20), objects)
def test_a_request_line_reads_back_to_the_request(id: int, family: str, data: Any) -> None:
    request = Request(id, family, data)
    line = encode_request(request)
    assert line.endswith(b"\n") and line.count(b"\n") == 1 and line.isascii()
    assert decode_request(line) == request


@given(st.binary(max_size=200) | objects.map(lambda o: json.dumps(o).encode()))
def test_serve_answers_any_line_with_one_protocol_line(line: bytes) -> None:
    response = answer(line, FAMILIES)
    assert (response.output is None) != (response.error is None)
    assert decode_response(json.dumps(
        {"id": response.id, **({"output": response.output} if response.output is not None
                               else {"error": response.error})}).encode()) == response


@given(
    st.sampled_from(sorted(FAMILIES)),
    st.dictionaries(st.sampled_from(["formula", "n", "ones", "cores", "bitfields", "recent",
                                     "onchain", "votes", "now", "max_votes", "candidates",
                                     "block_number", "validation_data"]), json_values,
                    max_size=8),
)
def test_any_input_to_any_family_gets_an_output_or_an_off_schema_error(
    family: str, data: Any
) -> None:
    response = answer(json.dumps({"id": 1, "family": family, "input": data}).encode(), FAMILIES)
    assert response.id == 1
    assert response.error is None or response.error.startswith("input off the schema: ")


@given(json_values, json_values)
def test_compare_finds_a_difference_exactly_when_the_values_differ(x: Any, y: Any) -> None:
    assert compare(x, x) == []
    assert (compare(x, y) == []) == _same(x, y)
