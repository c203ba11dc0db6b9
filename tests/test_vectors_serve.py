# This project's adapter (shell/vectors/serve.py): one answer per request line, flushed, the
# family's output or an error naming the problem; a bad request never ends it.
from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path

from backable.shell.vectors.family import Case, Family, Json, VectorInputError
from backable.shell.vectors.protocol import Response
from backable.shell.vectors.serve import answer, serve


def _evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
    if "boom" in data:
        raise KeyError("boom")
    if "off" in data:
        raise VectorInputError("input.off: expected nothing")
    if "float" in data:
        return {"x": b"not json"}  # type: ignore[dict-item]
    return {"echo": dict(data)}


def _cases(chain_data: Path | None) -> tuple[Case, ...]:
    return ()


ECHO = Family("echo", "echoes its input", "", _evaluate, _cases)
FAMILIES = {"echo": ECHO}


def test_a_request_gets_its_familys_output() -> None:
    line = b'{"id": 5, "family": "echo", "input": {"a": 1}}'
    assert answer(line, FAMILIES) == Response(5, output={"echo": {"a": 1}})


def test_unknown_families_off_schema_inputs_and_bad_lines_are_named_errors() -> None:
    assert answer(b'{"id": 1, "family": "other", "input": {}}', FAMILIES) == Response(
        1, error="unsupported family: other")
    assert answer(b'{"id": 2, "family": "echo", "input": {"off": 1}}', FAMILIES) == Response(
        2, error="input off the schema: input.off: expected nothing")
    assert answer(b'{"id": 3, "family": "echo", "input": {"boom": 1}}', FAMILIES) == Response(
        3, error="internal error: KeyError: 'boom'")
    assert answer(b'{"id": 4, "family": 7, "input": {}}', FAMILIES) == Response(
        4, error='bad request: request 4: "family" is not a string: 7')
    assert answer(b"}{", FAMILIES).error == (
        "bad request: the request is not JSON: Expecting value: line 1 column 1 (char 0)")


def test_serve_answers_every_line_until_the_end_skipping_blank_ones() -> None:
    requests = io.BytesIO(
        b'{"id": 1, "family": "echo", "input": {}}\n'
        b"\n   \n"
        b"garbage\n"
        b'{"id": 2, "family": "echo", "input": {"float": 1}}\n'
        b'{"id": 3, "family": "echo", "input": {"b": [true]}}'  # the last line may lack \n
    )
    responses = io.BytesIO()
    assert serve(requests, responses, [ECHO]) == 4
    replies = [json.loads(line) for line in responses.getvalue().splitlines()]
    assert replies[0] == {"id": 1, "output": {"echo": {}}}
    assert replies[1]["id"] is None and replies[1]["error"].startswith("bad request: ")
    assert replies[2] == {"id": 2, "error": "internal error: output: Object of type bytes is"
                                            " not JSON serializable"}
    assert replies[3] == {"id": 3, "output": {"echo": {"b": [True]}}}


class _CountingFlushes(io.BytesIO):
    flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


def test_serve_flushes_after_every_answer() -> None:
    out = _CountingFlushes()
    serve(io.BytesIO(b'{"id": 1, "family": "x", "input": {}}\n' * 3), out, [ECHO])
    assert out.flushes == 3 and out.getvalue().count(b"\n") == 3


def test_serve_without_families_given_serves_them_all() -> None:
    out = io.BytesIO()
    request = {"id": 9, "family": "availability_threshold",
               "input": {"formula": "network", "n": 3, "ones": 2}}
    serve(io.BytesIO(json.dumps(request).encode()), out)
    assert json.loads(out.getvalue()) == {"id": 9, "output": {"available": False,
                                                              "minimum_ones": 3}}
