# `encode` / `decode`: the one entry point to every record's SCALE form. Records and enums carry
# their own `scale()` / `read()`; this module dispatches, rejects trailing bytes, and turns every
# failure on bad input into a DecodeError that names the type and the byte offset.
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast, overload

from ..errors import BackableError, DecodeError, InvalidRecord, UnsupportedType
from ..today.events import CANDIDATE_EVENT_TYPES, CandidateEvent
from ..today.ump_signals import UMP_SIGNAL_TYPES, UMPSignal
from .cores import CoreState, FreeCore, OccupiedCore, ScheduledCore
from .disputes import (
    DISPUTE_STATEMENT_TYPES,
    DISPUTE_STATUS_TYPES,
    DisputeStatement,
    DisputeStatus,
)
from .header import DIGEST_TYPES, DigestItem
from .scale import Reader, ScaleError
from .statements import (
    Explicit,
    Implicit,
    Invalid,
    Seconded,
    Statement,
    Valid,
    ValidityAttestation,
)

__all__ = ["decode", "decode_using", "encode"]

T = TypeVar("T")


class _Encodable(Protocol):
    def scale(self) -> bytes: ...


# Variant classes decode through their enum (the tag picks the class), then must match.
_ENUM_READERS: dict[type, Callable[[Reader], Any]] = {
    Seconded: Statement.read,
    Valid: Statement.read,
    Invalid: Statement.read,
    Implicit: ValidityAttestation.read,
    Explicit: ValidityAttestation.read,
    **{t: DisputeStatement.read for t in DISPUTE_STATEMENT_TYPES},
    **{t: DisputeStatus.read for t in DISPUTE_STATUS_TYPES},
    **{t: DigestItem.read for t in DIGEST_TYPES},
    **{t: UMPSignal.read for t in UMP_SIGNAL_TYPES},
    **{t: CandidateEvent.read for t in CANDIDATE_EVENT_TYPES},
}

# Enum types whose encoding differs from their variants' bare `scale()`.
_ENUM_WRITERS: dict[type, Callable[[Any], bytes]] = {
    CoreState: CoreState.write,
}


def encode(record: Any, as_type: type | None = None) -> bytes:
    """The SCALE encoding of `record`, byte-exact with the Rust node.

    `as_type` names an enum when the record is one of its variants and the enum's tagged form is
    wanted: `encode(ScheduledCore(...), CoreState)` prefixes index 1; without it a ScheduledCore
    encodes as the bare struct (as in `OccupiedCore.next_up_on_available`).
    """
    if as_type is not None and as_type in _ENUM_WRITERS:
        return _ENUM_WRITERS[as_type](record)
    scale = getattr(record, "scale", None)
    if scale is None:
        raise UnsupportedType(f"encode: {type(record).__name__} has no SCALE form")
    return cast(_Encodable, record).scale()


@overload
def decode(
    record_type: type[CoreState], data: bytes
) -> OccupiedCore | ScheduledCore | FreeCore: ...
@overload
def decode(record_type: type[T], data: bytes) -> T: ...
@overload
def decode(record_type: Any, data: bytes) -> Any: ...


def decode(record_type: Any, data: bytes) -> Any:
    """Decode exactly one `record_type` from `data`.

    Raises DecodeError (a ValueError) naming the type and byte offset on truncated input, bad
    enum or option tags, non-canonical compact integers, values a record refuses, and trailing
    bytes. No other exception escapes for any `bytes` input.
    """
    name = getattr(record_type, "__name__", repr(record_type))
    reader = _ENUM_READERS.get(record_type) or getattr(record_type, "read", None)
    if reader is None:
        raise UnsupportedType(f"decode: {name} has no SCALE form")
    value = decode_using(name, reader, data)
    if record_type in _ENUM_READERS and not isinstance(value, record_type):
        raise DecodeError(name, 0, f"the bytes hold a {type(value).__name__}, not a {name}")
    return value


def decode_using(name: str, reader: Callable[[Reader], T], data: bytes) -> T:
    """Run `reader` over all of `data`, with decode's error contract; `name` goes in errors."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise UnsupportedType(f"decode({name}): data must be bytes, not {type(data).__name__}")
    r = Reader(bytes(data))
    try:
        value = reader(r)
    except ScaleError as e:
        raise DecodeError(name, e.offset, e.reason) from None
    except InvalidRecord as e:
        raise DecodeError(name, r.pos, str(e)) from None
    except BackableError:
        raise
    except (ValueError, IndexError, OverflowError, RecursionError) as e:
        # Nothing above should raise these; if one does, it is still the input's fault.
        raise DecodeError(name, r.pos, f"{type(e).__name__}: {e}") from None
    if r.pos != len(r.data):
        raise DecodeError(name, r.pos, f"{len(r.data) - r.pos} trailing bytes")
    return value
