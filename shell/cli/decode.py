# `backable decode`: read a relay block or an inherent (JSON or hex), decode its parachains
# inherent with the core's codec, and print a summary or the records as JSON. Bad input (a
# missing file, bad JSON or hex, JSON nested too deeply or holding a JSON-RPC error, numbers out
# of range, bytes that do not decode) is an InputError naming the problem.
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from backable.core import (
    BackedCandidate,
    DecodeError,
    Implicit,
    ParachainsInherentData,
    decode,
    decode_paras_inherent_extrinsic,
)
from backable.core.records.inherent import PARAS_INHERENT_CALL_INDEX
from backable.core.records.scale import Reader, ScaleError

from .errors import EXIT_OK, InputError
from .example_block import load_example_block
from .jsonview import to_json

__all__ = ["DecodedInput", "add_decode", "elastic_core_index", "load_input"]

_UNSIGNED_V4 = 0x04
_MAX_BLOCK_NUMBER = 2**32 - 1  # relay block numbers are u32
_CORE_INDEX_BITS = 8  # elastic scaling's extension of validator_indices (`inject_core_index`)


@dataclass(frozen=True, slots=True)
class DecodedInput:
    """A decoded inherent, where it came from, and the block number when the input said."""

    source: str
    inherent: ParachainsInherentData
    block_number: int | None = None


# --- reading input ----------------------------------------------------------------------------


def _is_paras_inherent(raw: bytes) -> bool:
    # compact length, version 0x04, call index 0x36 0x00: the shape, before any full decode.
    r = Reader(raw)
    try:
        r.compact()
        return r.u8() == _UNSIGNED_V4 and r.take(2) == PARAS_INHERENT_CALL_INDEX
    except ScaleError:
        return False


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


def _decode_inherent_bytes(raw: bytes, source: str) -> ParachainsInherentData:
    # A raw `ParaInherent.enter` extrinsic if it has that shape, else bare inherent data.
    try:
        if _is_paras_inherent(raw):
            return decode_paras_inherent_extrinsic(raw)
        return decode(ParachainsInherentData, raw)
    except DecodeError as e:
        raise InputError(f"{source}: {e}") from None


def _unwrap_rpc(document: Any, source: str) -> Any:
    # What a node's JSON-RPC answers to `chain_getBlock`: {"result": {"block": {...}}} on
    # success, {"error": {"code", "message"}} on failure. Both are accepted as input; the error
    # is reported as such rather than as a JSON without extrinsics.
    if not isinstance(document, dict):
        return document
    error = document.get("error")
    if error is not None and "extrinsics" not in document:
        what = (
            f"{error.get('code')!r}: {error.get('message')!r}"
            if isinstance(error, dict)
            else repr(error)
        )
        # cut short: the message is one line on a terminal, whatever the server put in it
        raise InputError(f"{source}: a JSON-RPC error, not a block: {what[:200]}")
    result = document.get("result")
    if isinstance(result, dict) and "extrinsics" not in document:
        document = result
    block = document.get("block")
    if isinstance(block, dict) and "extrinsics" not in document:
        document = block
    return document


def _from_block(block: Any, source: str) -> DecodedInput:
    block = _unwrap_rpc(block, source)
    extrinsics = block.get("extrinsics") if isinstance(block, dict) else None
    if not isinstance(extrinsics, list):
        raise InputError(f"{source}: JSON has no \"extrinsics\" list; expected a relay block")
    for position, item in enumerate(extrinsics):
        if not isinstance(item, str):
            continue
        try:
            raw = bytes.fromhex(item.removeprefix("0x"))
        except ValueError:
            continue
        if _is_paras_inherent(raw):
            where = f"{source}, extrinsic {position}"
            inherent = _decode_inherent_bytes(raw, where)
            header = block.get("header")
            number = _as_int(header.get("number") if isinstance(header, dict) else None)
            if number is not None and not 0 <= number <= _MAX_BLOCK_NUMBER:
                raise InputError(
                    f"{source}: header number is not a block number (a u32 from 0 to"
                    f" {_MAX_BLOCK_NUMBER})"
                )
            return DecodedInput(where, inherent, number)
    raise InputError(
        f"{source}: no ParaInherent.enter extrinsic (call 0x3600)"
        f" among its {len(extrinsics)} extrinsics"
    )


def _as_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value, 0)
        except ValueError:
            return None
    return None


def _from_text(text: str, source: str) -> DecodedInput:
    if text.lstrip().startswith(("{", "[")):
        try:
            block = json.loads(text)
        except RecursionError:
            raise InputError(f"{source}: input nested too deeply") from None
        except ValueError as e:  # JSONDecodeError, or a number past int's digit limit
            raise InputError(f"{source}: bad JSON: {e}") from None
        return _from_block(block, source)
    return DecodedInput(source, _decode_inherent_bytes(_from_hex_text(text, source), source))


def _looks_like_hex(arg: str) -> bool:
    digits = arg.removeprefix("0x")
    return bool(digits) and all(c in "0123456789abcdefABCDEF" for c in digits)


def load_input(arg: str | None) -> DecodedInput:
    """The inherent named by a `decode` argument: a file (block JSON or hex), `-` for stdin,
    a hex string given inline, or None for the shipped example block."""
    if arg is None:
        return _from_block(load_example_block(), "the shipped example block")
    if arg == "-":
        try:
            text = sys.stdin.read()
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"<stdin>: cannot read: {e}") from None
        return _from_text(text, "<stdin>")
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
        return _from_text(text, arg)
    if _looks_like_hex(arg):
        return _from_text(arg, "the hex argument")
    if exists:
        raise InputError(f"{arg}: not a regular file")
    raise InputError(f"{arg}: no such file (and not a hex string)")


# --- the readable summary ---------------------------------------------------------------------


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


def _summary(loaded: DecodedInput, out: TextIO) -> None:
    data = loaded.inherent
    parent = data.parent_header
    print(f"ParaInherent.enter from {loaded.source}", file=out)
    if loaded.block_number is not None:
        print(f"block: #{loaded.block_number}", file=out)
    print(
        f"parent header: #{parent.number} hash 0x{parent.hash().hex()}"
        f" ({len(parent.digest)} digest items)",
        file=out,
    )

    n_cores = max((len(b.payload) for b in data.bitfields), default=0)
    print(f"bitfields: {len(data.bitfields)} over {n_cores} cores", file=out)
    for b in data.bitfields:
        print(
            f"  validator {b.validator_index}: {b.payload} ({b.payload.count_ones()} set)",
            file=out,
        )
    total = len(data.bitfields)
    print("availability per core:", file=out)
    for k in range(n_cores):
        votes = sum(1 for b in data.bitfields if b.payload.get(k))
        print(f"  core {k}: {votes}/{total}", file=out)

    print(f"backed candidates: {len(data.backed_candidates)}", file=out)
    for position, backed in enumerate(data.backed_candidates):
        implicit = sum(isinstance(v, Implicit) for v in backed.validity_votes)
        explicit = len(backed.validity_votes) - implicit
        line = (
            f"  [{position}] para {backed.candidate.descriptor.para_id}"
            f" candidate 0x{backed.hash().hex()}"
            f" votes {len(backed.validity_votes)} ({implicit} implicit, {explicit} explicit)"
            f" validator_indices {backed.validator_indices}"
        )
        core = elastic_core_index(backed)
        if core is not None:
            line += f" core index {core}"
        print(line, file=out)

    print(f"disputes: {len(data.disputes)}", file=out)


# --- subcommands -----------------------------------------------------------------------------


def _run_decode(args: argparse.Namespace, out: TextIO) -> int:
    loaded = load_input(args.file)
    if args.json:
        json.dump(to_json(loaded.inherent), out, indent=2)
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
            " summary: bitfields, per-core availability, backed candidates, disputes."
        ),
    )
    p.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help=(
            "a relay block as JSON ({'header', 'extrinsics'}), or a file or argument holding the"
            " hex of a ParaInherent.enter extrinsic or of bare ParachainsInherentData;"
            " '-' reads stdin; omitted, the example block shipped with backable"
        ),
    )
    p.add_argument("--json", action="store_true", help="print the decoded records as JSON")
    p.set_defaults(handler=_run_decode)
