# The adapter protocol's lines (shell/vectors/protocol.py): one JSON object per line each way,
# requests read leniently (unknown keys ignored), responses strictly, every refusal named.
from __future__ import annotations

import pytest

from backable.shell.vectors.protocol import (
    ProtocolError,
    Request,
    Response,
    decode_request,
    decode_response,
    encode_request,
    encode_response,
    is_unsupported,
    unsupported,
)


def test_a_request_is_one_ascii_line_with_sorted_keys_and_reads_back() -> None:
    request = Request(7, "availability", {"formula": "seeds", "note": "é\n"})
    line = encode_request(request)
    assert line == (b'{"family":"availability","id":7,"input":{"formula":"seeds",'
                    b'"note":"\\u00e9\\n"}}\n')
    assert decode_request(line) == request


def test_responses_carry_an_output_or_an_error_and_read_back() -> None:
    ok, bad = Response(3, output={"available": True}), Response(None, error="bad request: x")
    assert encode_response(ok) == b'{"id":3,"output":{"available":true}}\n'
    assert encode_response(bad) == b'{"error":"bad request: x","id":null}\n'
    assert decode_response(encode_response(ok)) == ok
    assert decode_response(encode_response(bad)) == bad
    with pytest.raises(ValueError, match="exactly one"):
        encode_response(Response(1))


def test_unknown_request_keys_are_ignored() -> None:
    line = b'{"id": 1, "family": "f", "input": {}, "version": 2}'
    assert decode_request(line) == Request(1, "f", {})


@pytest.mark.parametrize(
    ("line", "message", "id"),
    [
        (b"\xff{}", "the request is not UTF-8 (byte 0)", None),
        (b"nope", "the request is not JSON: Expecting value: line 1 column 1 (char 0)", None),
        (b'{"id": NaN}', "the request is not JSON: NaN is not JSON", None),
        (b"[1]", "the request is not a JSON object", None),
        (b'{"family": "f", "input": {}}', 'the request has no "id"', None),
        (b'{"id": -1}', 'the request: "id" is not a non-negative integer: -1', None),
        (b'{"id": true}', 'the request: "id" is not a non-negative integer: True', None),
        (b'{"id": 1.5}', 'the request: "id" is not a non-negative integer: 1.5', None),
        (b'{"id": 4, "input": {}}', 'request 4: "family" is not a string: None', 4),
        (b'{"id": 4, "family": "f", "input": []}', 'request 4: "input" is not a JSON object', 4),
        (b"[" * 100_000, "the request is JSON nested too deeply", None),
    ],
)
def test_a_line_that_is_no_request_is_refused_by_name(
    line: bytes, message: str, id: int | None
) -> None:
    with pytest.raises(ProtocolError) as refused:
        decode_request(line)
    assert (str(refused.value), refused.value.id) == (message, id)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"id": 1, "output": {}, "extra": 1}',
         "the reply has keys the protocol does not: extra"),
        (b'{"id": 1, "output": {}, "error": "x"}',
         'the reply has not exactly one of "output" and "error"'),
        (b'{"id": 1}', 'the reply has not exactly one of "output" and "error"'),
        (b'{"id": 1, "output": []}', 'the reply\'s "output" is not a JSON object'),
        (b'{"id": 1, "error": 5}', 'the reply\'s "error" is not a string'),
        (b'{"output": {}}', 'the reply has no "id"'),
        (b'{"id": "1", "output": {}}', 'the reply: "id" is not a non-negative integer: \'1\''),
    ],
)
def test_a_reply_off_the_protocol_is_refused_by_name(line: bytes, message: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        decode_response(line)
    assert str(refused.value) == message


def test_an_unsupported_family_is_an_error_starting_with_the_agreed_words() -> None:
    assert unsupported("fragment_chain") == "unsupported family: fragment_chain"
    assert is_unsupported("unsupported family: x") and is_unsupported("unsupported family")
    assert not is_unsupported("input off the schema: unsupported family")
