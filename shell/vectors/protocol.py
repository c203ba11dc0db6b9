# The adapter protocol's lines: one JSON object per line, UTF-8, each way. A request is
# {"id": N, "family": F, "input": {...}}; a response is {"id": N, "output": {...}} or
# {"id": N, "error": "..."}, and an error that starts "unsupported family" says the adapter does
# not implement that family (counted apart from failures). What belongs here: building, parsing
# and validating those lines, each refusal a ProtocolError naming what was wrong. Nothing here
# starts processes or reads pipes (adapter.py, serve.py do).
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from .family import Json

__all__ = [
    "UNSUPPORTED",
    "ProtocolError",
    "Request",
    "Response",
    "decode_request",
    "decode_response",
    "encode_request",
    "encode_response",
    "is_unsupported",
    "unsupported",
]

# The start of the error text with which an adapter says it does not implement a family.
UNSUPPORTED = "unsupported family"


class ProtocolError(ValueError):
    """A line that is not a request or response as the protocol has them. `id` is the
    request's id when it could be read (so that an answer can still name it), else None."""

    def __init__(self, message: str, id: int | None = None) -> None:
        super().__init__(message)
        self.id = id


@dataclass(frozen=True, slots=True)
class Request:
    id: int
    family: str
    input: Mapping[str, Json]


@dataclass(frozen=True, slots=True)
class Response:
    """An answer: exactly one of `output` and `error` is set (`id` None only when the request's
    id could not be read)."""

    id: int | None
    output: Mapping[str, Json] | None = None
    error: str | None = None


def unsupported(family: str) -> str:
    """The error text for a family the adapter does not implement."""
    return f"{UNSUPPORTED}: {family}"


def is_unsupported(error: str) -> bool:
    return error.startswith(UNSUPPORTED)


def _line(value: Mapping[str, Any]) -> bytes:
    # ASCII (non-ASCII escaped), no spaces, no newline inside: one object, one line.
    return (json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
            + "\n").encode("ascii")


def encode_request(request: Request) -> bytes:
    return _line({"id": request.id, "family": request.family, "input": dict(request.input)})


def encode_response(response: Response) -> bytes:
    if (response.output is None) == (response.error is None):
        raise ValueError("a response carries exactly one of output and error")
    if response.output is not None:
        return _line({"id": response.id, "output": dict(response.output)})
    return _line({"id": response.id, "error": response.error})


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _object(line: bytes, what: str) -> dict[str, Any]:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ProtocolError(f"{what} is not UTF-8 (byte {e.start})") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ProtocolError(f"{what} is JSON nested too deeply") from None
    except ValueError as e:
        raise ProtocolError(f"{what} is not JSON: {e}") from None
    if not isinstance(value, dict):
        raise ProtocolError(f"{what} is not a JSON object")
    return value


def _id(value: dict[str, Any], what: str) -> int:
    if "id" not in value:
        raise ProtocolError(f'{what} has no "id"')
    id = value["id"]
    if isinstance(id, bool) or not isinstance(id, int) or id < 0:
        raise ProtocolError(f'{what}: "id" is not a non-negative integer: {id!r}')
    return id


def decode_request(line: bytes) -> Request:
    """The request on `line` (its trailing newline optional). Keys besides id, family and input
    are ignored, so that a later runner may send more."""
    value = _object(line, "the request")
    id = _id(value, "the request")
    family = value.get("family")
    if not isinstance(family, str):
        raise ProtocolError(f'request {id}: "family" is not a string: {family!r}', id)
    data = value.get("input")
    if not isinstance(data, dict):
        raise ProtocolError(f'request {id}: "input" is not a JSON object', id)
    return Request(id, family, cast(Mapping[str, Json], data))


def decode_response(line: bytes) -> Response:
    """The response on `line`: "id" and exactly one of "output" (an object) and "error" (a
    string); any other key is refused."""
    value = _object(line, "the reply")
    id = None if "id" in value and value["id"] is None else _id(value, "the reply")
    extra = sorted(set(value) - {"id", "output", "error"})
    if extra:
        raise ProtocolError(f"the reply has keys the protocol does not: {', '.join(extra)}", id)
    if ("output" in value) == ("error" in value):
        raise ProtocolError('the reply has not exactly one of "output" and "error"', id)
    if "output" in value:
        if not isinstance(value["output"], dict):
            raise ProtocolError('the reply\'s "output" is not a JSON object', id)
        return Response(id, output=cast(Mapping[str, Json], value["output"]))
    if not isinstance(value["error"], str):
        raise ProtocolError('the reply\'s "error" is not a string', id)
    return Response(id, error=value["error"])
