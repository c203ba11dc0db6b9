# `backable decode`: read a relay block or an inherent (JSON or hex), decode its parachains
# inherent with the core's codec, and print a summary or the records as JSON, each backed
# candidate with today's fields (descriptor version, committed and injected core index, session,
# UMP signals: polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs, RFC-103, PR #7955).
#
# A block comes in one of three forms, all read alike: the sidecar form {"header", "extrinsics"};
# a node's `chain_getBlock` result {"block": {"header", "extrinsics"}, "justifications"}; or a
# JSON-RPC 2.0 answer {"jsonrpc", "id", "result": <either>} (or "error"). The paras inherent is
# the bare extrinsic (format version 4 or 5, sp-runtime `generic/unchecked_extrinsic.rs`) whose
# call index is `--call-index` (0x3600, `ParaInherent.enter` on Polkadot and Kusama).
#
# The user's mistakes (a missing file, bad JSON or hex, JSON nested too deeply, a JSON-RPC error
# or null result, numbers out of range, bytes that do not decode, a bad --call-index) are an
# InputError naming the problem. What the chain's data says that looks wrong (a header that is not
# the inherent's child) is a warning in the output, not an error: the data is still shown.
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from backable.core import (
    BARE_EXTRINSIC_VERSIONS,
    PARAS_INHERENT_CALL_INDEX,
    ApprovedPeer,
    BackedCandidate,
    CandidateReceiptError,
    DecodeError,
    DescriptorVersion,
    Implicit,
    ParachainsInherentData,
    SelectCore,
    decode,
    decode_paras_inherent_extrinsic,
    descriptor_core_index,
    descriptor_session_index,
    descriptor_version,
    ump_signals,
)
from backable.core.records.scale import Reader, ScaleError

from .errors import EXIT_OK, InputError
from .example_block import load_example_block
from .jsonview import JsonValue, to_json

__all__ = [
    "DecodedInput",
    "add_decode",
    "candidate_fields",
    "decode_report",
    "elastic_core_index",
    "load_input",
    "parse_call_index",
]

_MAX_BLOCK_NUMBER = 2**32 - 1  # relay block numbers are u32
_CORE_INDEX_BITS = 8  # elastic scaling's extension of validator_indices (`inject_core_index`)
_ENVELOPE_KEYS = ("jsonrpc", "result", "error")
_DECIMAL = re.compile(r"[0-9]+")
_HEX_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+")
_CALL_INDEX = re.compile(r"(?:0[xX])?([0-9a-fA-F]{4})")


@dataclass(frozen=True, slots=True)
class DecodedInput:
    """A decoded inherent, where it came from, the block number when the input said, and what
    looked wrong in the chain's data (one line each)."""

    source: str
    inherent: ParachainsInherentData
    block_number: int | None = None
    warnings: tuple[str, ...] = ()


# --- reading input ----------------------------------------------------------------------------


def parse_call_index(text: str) -> bytes:
    """The two bytes of a `--call-index` argument: four hex digits, pallet then call, with or
    without `0x` (`3600` is `ParaInherent.enter` on Polkadot and Kusama). InputError otherwise."""
    match = _CALL_INDEX.fullmatch(text.strip())
    if match is None:
        raise InputError(
            f"--call-index {text!r}: expected two bytes as four hex digits, pallet then call,"
            " such as 3600 (ParaInherent.enter on Polkadot and Kusama)"
        )
    return bytes.fromhex(match.group(1))


def _extrinsic_call(raw: bytes) -> bytes | None:
    # The call index of a bare extrinsic (compact length, preamble of version 4 or 5, two bytes
    # of call): the shape, before any full decode; None for anything else.
    r = Reader(raw)
    try:
        r.compact()
        if r.u8() not in BARE_EXTRINSIC_VERSIONS:
            return None
        return r.take(2)
    except ScaleError:
        return None


def _from_hex_text(text: str, source: str) -> bytes:
    digits = "".join(text.split()).removeprefix("0x")
    if not digits:
        raise InputError(f"{source}: empty input, expected a hex string or a block's JSON")
    if len(digits) % 2:
        raise InputError(f"{source}: hex string has an odd number of digits ({len(digits)})")
    try:
        return bytes.fromhex(digits)
    except ValueError:
        raise InputError(f"{source}: neither a block's JSON nor a hex string") from None


def _decode_inherent_bytes(raw: bytes, source: str, call_index: bytes) -> ParachainsInherentData:
    # A raw `ParaInherent.enter` extrinsic if it has that shape, else bare inherent data.
    call = _extrinsic_call(raw)
    try:
        if call == call_index:
            return decode_paras_inherent_extrinsic(raw, call_index=call_index)
        return decode(ParachainsInherentData, raw)
    except DecodeError as e:
        if call is not None and call != call_index:
            # Neither bare data nor the call looked for: name the call the bytes do carry.
            raise InputError(
                f"{source}: a bare extrinsic of call 0x{call.hex()}, not the ParaInherent.enter"
                f" call looked for (0x{call_index.hex()}; see --call-index)"
            ) from None
        raise InputError(f"{source}: {e}") from None


def _rpc_result(answer: dict[str, Any], source: str) -> Any:
    # A JSON-RPC 2.0 answer holds exactly one of "result" and "error" (a null "error" counts as
    # absent, as some servers send one). A null result is how a node says it has no such block.
    error = answer.get("error")
    if error is not None:
        if answer.get("result") is not None:
            raise InputError(
                f'{source}: a JSON-RPC answer with both "result" and "error"; a node sends one'
            )
        what = (
            f"{error.get('code')!r}: {error.get('message')!r}"
            if isinstance(error, dict)
            else repr(error)
        )
        # cut short: the message is one line on a terminal, whatever the server put in it
        raise InputError(f"{source}: a JSON-RPC error, not a block: {what[:200]}")
    if "result" not in answer:
        raise InputError(f'{source}: a JSON-RPC answer with neither "result" nor "error"')
    result = answer["result"]
    if result is None:
        raise InputError(f"{source}: the node returned no block (null result)")
    if not isinstance(result, dict):
        raise InputError(f"{source}: the JSON-RPC result is a {_json_type(result)}, not a block")
    return result


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    return "number"  # what else json.loads gives besides objects and null


def _block_of(document: Any, source: str) -> dict[str, Any]:
    # Unwrap, outermost first: the JSON-RPC envelope, then chain_getBlock's signed block (its
    # "justifications", of whatever shape, are not ours to read). A document with "extrinsics" is
    # the block itself, whatever else it carries (sidecar adds "onInitialize" and the like).
    if isinstance(document, dict) and "extrinsics" not in document:
        if any(key in document for key in _ENVELOPE_KEYS):
            document = _rpc_result(document, source)
        if "extrinsics" not in document and "block" in document:
            document = document["block"]
            if not isinstance(document, dict):
                raise InputError(f'{source}: "block" is not a JSON object (chain_getBlock\'s form)')
    if not isinstance(document, dict) or not isinstance(document.get("extrinsics"), list):
        raise InputError(f'{source}: JSON has no "extrinsics" list; expected a relay block')
    return document


def _block_number(block: dict[str, Any], source: str) -> int | None:
    # Sidecar writes the number as a JSON number or a decimal string, a node's RPC as "0x" hex.
    header = block.get("header")
    if header is None:
        return None
    if not isinstance(header, dict):
        raise InputError(f"{source}: the block's header is not a JSON object")
    value = header.get("number")
    number: int | None
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _HEX_NUMBER.fullmatch(value):
        number = int(value, 16)
    elif isinstance(value, str) and _DECIMAL.fullmatch(value) and len(value) <= 20:
        number = int(value)
    else:
        number = None
    if number is None or not 0 <= number <= _MAX_BLOCK_NUMBER:
        raise InputError(
            f"{source}: header number is not a block number (a u32 from 0 to"
            f" {_MAX_BLOCK_NUMBER}, as a JSON number, a decimal string or a 0x hex string)"
        )
    return number


def _from_block(document: Any, source: str, call_index: bytes) -> DecodedInput:
    block = _block_of(document, source)
    extrinsics = block["extrinsics"]
    for position, item in enumerate(extrinsics):
        if not isinstance(item, str):
            continue
        try:
            raw = bytes.fromhex(item.removeprefix("0x"))
        except ValueError:
            continue
        if _extrinsic_call(raw) == call_index:
            where = f"{source}, extrinsic {position}"
            inherent = _decode_inherent_bytes(raw, where, call_index)
            number = _block_number(block, source)
            return DecodedInput(where, inherent, number, _warnings(inherent, number))
    raise InputError(
        f"{source}: no ParaInherent.enter extrinsic (call 0x{call_index.hex()})"
        f" among its {len(extrinsics)} extrinsics"
    )


def _warnings(inherent: ParachainsInherentData, number: int | None) -> tuple[str, ...]:
    # The inherent carries its block's parent header, so the block is that header's child. A
    # header from elsewhere (another chain, a mixed-up file) is worth saying, not worth refusing.
    parent = inherent.parent_header.number
    if number is None or number == parent + 1:
        return ()
    return (
        f"the block header is #{number} but the inherent's parent header is #{parent}"
        f" (expected #{parent + 1}): header and inherent may come from different blocks",
    )


def _from_text(text: str, source: str, call_index: bytes) -> DecodedInput:
    if text.lstrip().startswith(("{", "[")):
        try:
            block = json.loads(text)
        except RecursionError:
            raise InputError(f"{source}: input nested too deeply") from None
        except ValueError as e:  # JSONDecodeError, or a number past int's digit limit
            raise InputError(f"{source}: bad JSON: {e}") from None
        return _from_block(block, source, call_index)
    raw = _from_hex_text(text, source)
    return DecodedInput(source, _decode_inherent_bytes(raw, source, call_index))


def _looks_like_hex(arg: str) -> bool:
    digits = arg.removeprefix("0x")
    return bool(digits) and all(c in "0123456789abcdefABCDEF" for c in digits)


def load_input(arg: str | None, call_index: bytes = PARAS_INHERENT_CALL_INDEX) -> DecodedInput:
    """The inherent named by a `decode` argument: a file (a block's JSON in any of the three
    forms, or hex), `-` for stdin, a hex string given inline, or None for the shipped example
    block. The paras inherent is the bare extrinsic whose call is `call_index`."""
    if arg is None:
        return _from_block(load_example_block(), "the shipped example block", call_index)
    if arg == "-":
        try:
            text = sys.stdin.read()
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"<stdin>: cannot read: {e}") from None
        return _from_text(text, "<stdin>", call_index)
    path = Path(arg)
    try:
        is_file, exists = path.is_file(), path.exists()
    except OSError:  # a long hex string is no file name the system accepts
        is_file = exists = False
    if is_file:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"{arg}: cannot read: {e}") from None
        return _from_text(text, arg, call_index)
    if _looks_like_hex(arg):
        return _from_text(arg, "the hex argument", call_index)
    if exists:
        raise InputError(f"{arg}: not a regular file")
    raise InputError(f"{arg}: no such file (and not a hex string)")


# --- what each backed candidate says ----------------------------------------------------------


def elastic_core_index(backed: BackedCandidate) -> int | None:
    """The core index in elastic scaling's 8 extra `validator_indices` bits, when evident.

    The group size is not in the inherent, so this infers: if the vector is longer than 8 bits
    and its first `len - 8` bits have exactly as many ones as there are votes, the last 8 bits
    are taken as the core index. A group larger than 8 without the extension could fool it.
    """
    bits = backed.validator_indices
    n = len(bits)
    if n <= _CORE_INDEX_BITS:
        return None
    group_bits = bits.slice(0, n - _CORE_INDEX_BITS)
    if group_bits.count_ones() != len(backed.validity_votes):
        return None
    return bits.slice(n - _CORE_INDEX_BITS, n).as_int()


def _signal_json(signal: SelectCore | ApprovedPeer) -> dict[str, JsonValue]:
    if isinstance(signal, SelectCore):
        return {
            "kind": "SelectCore",
            "core_selector": signal.core_selector,
            "claim_queue_offset": signal.claim_queue_offset,
        }
    return {"kind": "ApprovedPeer", "peer_id": "0x" + signal.peer_id.hex()}


def candidate_fields(backed: BackedCandidate) -> dict[str, JsonValue]:
    """Today's fields of a backed candidate, as JSON-ready values (RFC-103; polkadot-sdk@88db6842
    polkadot/primitives/src/v9/mod.rs): its hash and para, the descriptor's version, the core
    index the descriptor commits to and its session (V2 and V3 only, else None), the core index
    injected in `validator_indices` (`elastic_core_index`, inferred), whether the two agree (None
    unless both are there), and the UMP signals in message order, or the Rust error variant's
    name and a detail when the commitments' signals do not parse."""
    descriptor = backed.candidate.descriptor
    version = descriptor_version(descriptor)
    # An unknown version's bytes 36..43 mean nothing we know: no committed core or session.
    committed = version in (DescriptorVersion.V2, DescriptorVersion.V3)
    core = descriptor_core_index(descriptor) if committed else None
    session = descriptor_session_index(descriptor) if committed else None
    injected = elastic_core_index(backed)
    signals = ump_signals(backed.candidate.commitments)
    shown: JsonValue
    if isinstance(signals, CandidateReceiptError):
        shown = {"error": signals.kind.name, "detail": signals.detail}
    else:
        shown = [_signal_json(s) for s in signals.signals]
    return {
        "para_id": descriptor.para_id,
        "candidate_hash": "0x" + backed.hash().hex(),
        "descriptor_version": version.value,
        "core_index": core,
        "injected_core_index": injected,
        "core_index_agrees": None if core is None or injected is None else core == injected,
        "session_index": session,
        "ump_signals": shown,
    }


def _availability_per_core(data: ParachainsInherentData) -> list[int]:
    # How many bitfields have bit k set, for each core k the bitfields cover.
    n_cores = max((len(b.payload) for b in data.bitfields), default=0)
    return [sum(1 for b in data.bitfields if b.payload.get(k)) for k in range(n_cores)]


def decode_report(loaded: DecodedInput) -> dict[str, JsonValue]:
    """What `backable decode --json` prints: the block number (None without a header) and the
    warnings, the inherent's records as `to_json` gives them (keys `bitfields`,
    `backed_candidates`, `disputes`, `parent_header`), the availability count per core, and
    `candidates`: `candidate_fields` of each backed candidate, in the inherent's order."""
    data = loaded.inherent
    records = to_json(data)
    assert isinstance(records, dict)  # a dataclass's JSON view is an object
    per_core: list[JsonValue] = list(_availability_per_core(data))
    return {
        "block_number": loaded.block_number,
        "warnings": list(loaded.warnings),
        **records,
        "availability_per_core": per_core,
        "candidates": [candidate_fields(b) for b in data.backed_candidates],
    }


# --- the readable summary ---------------------------------------------------------------------


def _signals_text(shown: JsonValue) -> str:
    if isinstance(shown, dict):
        return f"error {shown['error']} ({shown['detail']})"
    if not isinstance(shown, list) or not shown:
        return "none"
    parts = []
    for signal in shown:
        assert isinstance(signal, dict)  # _signal_json builds objects
        if signal["kind"] == "SelectCore":
            parts.append(
                f"SelectCore (core selector {signal['core_selector']},"
                f" claim queue offset {signal['claim_queue_offset']})"
            )
        else:
            parts.append(f"ApprovedPeer {signal['peer_id']}")
    return ", ".join(parts)


def _today_line(fields: dict[str, JsonValue]) -> str:
    core, injected = fields["core_index"], fields["injected_core_index"]
    if core is None:
        cores = "no committed core index or session"
    else:
        if injected is None:
            agreement = "none injected"
        else:
            agreement = "agrees with" if fields["core_index_agrees"] else "differs from"
            agreement += f" the injected {injected}"
        cores = f"committed core index {core} ({agreement}), session {fields['session_index']}"
    return (
        f"      descriptor {fields['descriptor_version']}: {cores};"
        f" UMP signals: {_signals_text(fields['ump_signals'])}"
    )


def _summary(loaded: DecodedInput, out: TextIO) -> None:
    data = loaded.inherent
    parent = data.parent_header
    print(f"ParaInherent.enter from {loaded.source}", file=out)
    if loaded.block_number is not None:
        print(f"block: #{loaded.block_number}", file=out)
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=out)
    print(
        f"parent header: #{parent.number} hash 0x{parent.hash().hex()}"
        f" ({len(parent.digest)} digest items)",
        file=out,
    )

    per_core = _availability_per_core(data)
    total = len(data.bitfields)
    # Said once, here: every bit vector below (bitfields, validator_indices) prints bit 0 first.
    print(f"bitfields: {total} over {len(per_core)} cores (bit vectors: bit 0 first)", file=out)
    for b in data.bitfields:
        print(
            f"  validator {b.validator_index}: {b.payload} ({b.payload.count_ones()} set)",
            file=out,
        )
    print("availability per core:", file=out)
    for k, votes in enumerate(per_core):
        print(f"  core {k}: {votes}/{total}", file=out)

    print(f"backed candidates: {len(data.backed_candidates)}", file=out)
    for position, backed in enumerate(data.backed_candidates):
        fields = candidate_fields(backed)
        implicit = sum(isinstance(v, Implicit) for v in backed.validity_votes)
        explicit = len(backed.validity_votes) - implicit
        line = (
            f"  [{position}] para {fields['para_id']} candidate {fields['candidate_hash']}"
            f" votes {len(backed.validity_votes)} ({implicit} implicit, {explicit} explicit)"
            f" validator_indices {backed.validator_indices}"
        )
        if fields["injected_core_index"] is not None:
            line += f" injected core index {fields['injected_core_index']}"
        print(line, file=out)
        print(_today_line(fields), file=out)

    print(f"disputes: {len(data.disputes)}", file=out)


# --- subcommands -----------------------------------------------------------------------------


def _run_decode(args: argparse.Namespace, out: TextIO) -> int:
    call_index = parse_call_index(args.call_index)
    loaded = load_input(args.file, call_index)
    if args.json:
        json.dump(decode_report(loaded), out, indent=2)
        out.write("\n")
    else:
        _summary(loaded, out)
    return EXIT_OK


def add_decode(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "decode",
        help="decode and summarise a parachains inherent",
        description=(
            "Decode the parachains inherent (ParaInherent.enter) of a relay block and print a"
            " summary: bitfields, per-core availability, backed candidates with today's fields"
            " (descriptor version, committed and injected core index, session, UMP signals),"
            " disputes. Bit vectors print bit 0 first. A header that is not the child of the"
            " inherent's parent header is reported as a warning."
        ),
    )
    p.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help=(
            "a relay block as JSON: {'header', 'extrinsics'} (sidecar), a node's chain_getBlock"
            " result {'block', 'justifications'}, or the JSON-RPC answer around either; or a"
            " file or argument holding the hex of a ParaInherent.enter extrinsic (bare, format"
            " version 4 or 5) or of bare ParachainsInherentData; '-' reads stdin; omitted, the"
            " example block shipped with backable"
        ),
    )
    p.add_argument(
        "--json",
        action="store_true",
        help=(
            "print JSON: block_number, warnings, the inherent's records (bitfields,"
            " backed_candidates, disputes, parent_header), availability_per_core, and"
            " candidates (today's fields of each backed candidate)"
        ),
    )
    p.add_argument(
        "--call-index",
        default="3600",
        metavar="HEX",
        help=(
            "the call index of ParaInherent.enter, two bytes as four hex digits, pallet then"
            " call (default: %(default)s, Polkadot's and Kusama's)"
        ),
    )
    p.set_defaults(handler=_run_decode)
