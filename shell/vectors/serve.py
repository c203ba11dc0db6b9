# `backable vectors serve`: this project's own adapter. It reads requests from its input, one
# per line, until end of input, and answers each on one line, flushed at once: the family's
# output, or an error naming the problem (an unknown family is "unsupported family: F", an input
# off the schema names the field, a line that is no request says why). A bad request never
# ends it; blank lines are skipped.
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import BinaryIO

from .families import all_families
from .family import Family, VectorInputError
from .protocol import ProtocolError, Response, decode_request, encode_response, unsupported

__all__ = ["answer", "serve"]


def answer(line: bytes, families: Mapping[str, Family]) -> Response:
    """The response to one request line, whatever the line holds."""
    try:
        request = decode_request(line)
    except ProtocolError as e:
        return Response(e.id, error=f"bad request: {e}")
    family = families.get(request.family)
    if family is None:
        return Response(request.id, error=unsupported(request.family))
    try:
        output = family.evaluate(request.input)
    except VectorInputError as e:
        return Response(request.id, error=f"input off the schema: {e}")
    except Exception as e:  # a bug in a family must not end the adapter: name it in the answer
        return Response(request.id, error=f"internal error: {type(e).__name__}: {e}")
    return Response(request.id, output=output)


def serve(
    requests: BinaryIO, responses: BinaryIO, families: Sequence[Family] | None = None
) -> int:
    """Answer every request line of `requests` on `responses` until end of input; returns the
    number of requests answered."""
    by_name = {f.name: f for f in (families if families is not None else all_families())}
    answered = 0
    while line := requests.readline():
        if not line.strip():
            continue
        reply = answer(line, by_name)
        try:
            raw = encode_response(reply)
        except (TypeError, ValueError) as e:  # an output that is not JSON: a family's bug
            raw = encode_response(Response(reply.id, error=f"internal error: output: {e}"))
        responses.write(raw)
        responses.flush()
        answered += 1
    return answered
