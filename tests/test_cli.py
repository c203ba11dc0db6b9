from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from backable.core import (
    BackedCandidate,
    BitVec,
    CandidateDescriptor,
    CommittedCandidateReceipt,
    Explicit,
    Implicit,
    decode_paras_inherent_extrinsic,
    encode_paras_inherent_extrinsic,
)
from backable.shell.cli.decode import candidate_fields, elastic_core_index
from backable.shell.cli.errors import EXIT_INPUT, EXIT_OK
from backable.shell.cli.example_block import EXAMPLE, example_block_bytes, load_example_block
from backable.shell.cli.main import main
from tests.conftest import REAL_BLOCKS, SHARED_DATA, load_block, load_derived

Capture = pytest.CaptureFixture[str]


def _run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _block_path(number: str) -> str:
    return str(SHARED_DATA / "raw" / f"block{number}.json")


# --- help and usage ---------------------------------------------------------------------------


def test_help_lists_the_decode_command_and_exits_zero(capsys: Capture) -> None:
    code, out, _ = _run(capsys, "--help")
    assert code == EXIT_OK
    assert "decode" in out


def test_decode_help_describes_the_input_forms(capsys: Capture) -> None:
    code, out, _ = _run(capsys, "decode", "--help")
    assert code == EXIT_OK
    assert "--json" in out and "hex" in out
    flat = " ".join(out.split())  # argparse wraps the help text
    assert "chain_getBlock" in flat and "JSON-RPC" in flat and "format version 4 or 5" in flat
    assert "--call-index HEX" in flat and "(default: 3600" in flat
    assert "bit 0 first" in flat and "warning" in flat


def test_no_command_prints_usage_and_exits_two(capsys: Capture) -> None:
    code, _, err = _run(capsys)
    assert code == EXIT_INPUT
    assert "usage: backable" in err


def test_an_unknown_option_exits_two(capsys: Capture) -> None:
    code, _, err = _run(capsys, "decode", "--bogus")
    assert code == EXIT_INPUT
    assert "--bogus" in err


# --- the shipped example ----------------------------------------------------------------------


def test_decode_without_a_file_summarises_the_shipped_example(capsys: Capture) -> None:
    code, out, err = _run(capsys, "decode")
    assert (code, err) == (EXIT_OK, "")
    lines = out.splitlines()
    assert lines[0] == "ParaInherent.enter from the shipped example block, extrinsic 1"
    assert "block: #1001" in lines
    assert "bitfields: 10 over 4 cores (bit vectors: bit 0 first)" in lines
    assert "  validator 0: 1100 (2 set)" in lines
    assert "  validator 9: 0000 (0 set)" in lines
    for line in ("  core 0: 8/10", "  core 1: 5/10", "  core 2: 0/10", "  core 3: 0/10"):
        assert line in lines
    assert "backed candidates: 3" in lines
    assert "disputes: 0" in lines


def test_the_example_summary_shows_each_candidates_votes_and_core(capsys: Capture) -> None:
    _, out, _ = _run(capsys, "decode")
    candidates = [line for line in out.splitlines() if line.startswith("  [")]
    assert len(candidates) == 3
    assert re.fullmatch(
        r"  \[0\] para 2000 candidate 0x[0-9a-f]{64} votes 3 \(1 implicit, 2 explicit\)"
        r" validator_indices 11100000000 injected core index 0",
        candidates[0],
    )
    assert candidates[1].endswith(
        "votes 2 (1 implicit, 1 explicit) validator_indices 1101000000 injected core index 2"
    )
    assert candidates[2].endswith("validator_indices 1111000000 injected core index 3")


def test_the_parent_header_line_names_number_and_hash(capsys: Capture) -> None:
    _, out, _ = _run(capsys, "decode")
    block = load_example_block()
    parent_hash = block["header"]["parentHash"]
    assert f"parent header: #{EXAMPLE.parent_number} hash {parent_hash} (2 digest items)" in out


def test_json_output_parses_with_the_examples_counts(capsys: Capture) -> None:
    code, out, _ = _run(capsys, "decode", "--json")
    assert code == EXIT_OK
    data = json.loads(out)
    assert list(data) == [
        "block_number",
        "warnings",
        "bitfields",
        "backed_candidates",
        "disputes",
        "parent_header",
        "availability_per_core",
        "candidates",
    ]
    assert (data["block_number"], data["warnings"]) == (1001, [])
    assert data["availability_per_core"] == [8, 5, 0, 0]
    assert len(data["bitfields"]) == 10
    assert [b["payload"] for b in data["bitfields"]][:2] == ["1100", "1000"]
    assert len(data["backed_candidates"]) == 3
    assert data["disputes"] == []
    assert data["parent_header"]["number"] == EXAMPLE.parent_number
    first = data["backed_candidates"][0]
    assert first["candidate"]["descriptor"]["para_id"] == 2000
    assert [v["kind"] for v in first["validity_votes"]] == ["Implicit", "Explicit", "Explicit"]
    assert first["validator_indices"] == "11100000000"
    digest_kinds = [d["kind"] for d in data["parent_header"]["digest"]]
    assert digest_kinds == ["DigestPreRuntime", "DigestSeal"]


# --- real blocks ------------------------------------------------------------------------------


@pytest.mark.parametrize("number", REAL_BLOCKS)
def test_decode_of_a_real_block_matches_the_independent_decoder(
    capsys: Capture, shared_data: Path, number: str
) -> None:
    derived = load_derived(number)
    code, out, err = _run(capsys, "decode", _block_path(number))
    assert (code, err) == (EXIT_OK, "")
    lines = out.splitlines()
    assert f"block: #{number}" in lines
    n_bitfields = derived["n_bitfields"]
    n_cores = derived["n_cores_from_bitfield_length"]
    assert f"bitfields: {n_bitfields} over {n_cores} cores (bit vectors: bit 0 first)" in lines
    for core, votes in enumerate(derived["availability_votes_per_core"]):
        assert f"  core {core}: {votes}/{n_bitfields}" in lines
    assert f"backed candidates: {len(derived['backed_candidates'])}" in lines
    candidates = [line for line in lines if line.startswith("  [")]
    for line, expected in zip(candidates, derived["backed_candidates"], strict=True):
        assert f" para {expected['para_id']} candidate {expected['candidate_hash']} " in line
        assert f" validator_indices {expected['validator_indices_bits']}" in line
        core = expected["core_index_from_validator_indices"]
        if core is None:
            assert "core index" not in line
        else:
            assert line.endswith(f" injected core index {core}")
    assert "disputes: 0" in lines


@pytest.mark.parametrize("number", REAL_BLOCKS)
def test_json_of_a_real_block_has_its_counts(
    capsys: Capture, shared_data: Path, number: str
) -> None:
    derived = load_derived(number)
    code, out, _ = _run(capsys, "decode", _block_path(number), "--json")
    assert code == EXIT_OK
    data = json.loads(out)
    assert len(data["bitfields"]) == derived["n_bitfields"]
    assert len(data["backed_candidates"]) == len(derived["backed_candidates"])
    assert data["parent_header"]["number"] == int(number) - 1


# --- hex input --------------------------------------------------------------------------------


def test_an_inline_hex_extrinsic_decodes(capsys: Capture) -> None:
    code, out, _ = _run(capsys, "decode", "0x" + example_block_bytes().hex())
    assert code == EXIT_OK
    assert out.startswith("ParaInherent.enter from the hex argument\n")
    assert "backed candidates: 3" in out


def test_inline_hex_of_bare_inherent_data_decodes(capsys: Capture) -> None:
    raw = example_block_bytes()
    bare = raw[raw.index(b"\x04\x36\x00") + 3 :]
    code, out, _ = _run(capsys, "decode", bare.hex())
    assert code == EXIT_OK
    assert "bitfields: 10 over 4 cores" in out


def test_a_file_of_hex_decodes(capsys: Capture, tmp_path: Path) -> None:
    path = tmp_path / "inherent.hex"
    path.write_text("0x" + example_block_bytes().hex() + "\n")
    code, out, _ = _run(capsys, "decode", str(path))
    assert code == EXIT_OK
    assert f"ParaInherent.enter from {path}" in out


# --- errors -----------------------------------------------------------------------------------


def test_a_missing_file_exits_two_naming_it(capsys: Capture, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    code, out, err = _run(capsys, "decode", str(missing))
    assert code == EXIT_INPUT
    assert out == ""
    assert err == f"backable: error: {missing}: no such file (and not a hex string)\n"


def test_garbage_json_exits_two_saying_bad_json(capsys: Capture, tmp_path: Path) -> None:
    path = tmp_path / "block.json"
    path.write_text('{"header": {"number": 1}, "extrinsics": [')
    code, _, err = _run(capsys, "decode", str(path))
    assert code == EXIT_INPUT
    assert err.startswith(f"backable: error: {path}: bad JSON:")
    assert err.count("\n") == 1


def test_json_without_extrinsics_exits_two(capsys: Capture, tmp_path: Path) -> None:
    path = tmp_path / "block.json"
    path.write_text('{"header": {}}')
    code, _, err = _run(capsys, "decode", str(path))
    assert code == EXIT_INPUT
    assert '"extrinsics"' in err


def test_a_block_without_a_para_inherent_exits_two(capsys: Capture, tmp_path: Path) -> None:
    path = tmp_path / "block.json"
    timestamp_only = load_example_block()["extrinsics"][:1]
    path.write_text(json.dumps({"header": {}, "extrinsics": timestamp_only}))
    code, _, err = _run(capsys, "decode", str(path))
    assert code == EXIT_INPUT
    assert "no ParaInherent.enter extrinsic" in err


def test_truncated_hex_exits_two_with_the_decode_problem(capsys: Capture) -> None:
    truncated = example_block_bytes()[:100].hex()
    code, out, err = _run(capsys, "decode", truncated)
    assert code == EXIT_INPUT
    assert out == ""
    assert "cannot decode" in err and "byte offset" in err
    assert err.count("\n") == 1


def test_truncated_bare_data_exits_two(capsys: Capture) -> None:
    raw = example_block_bytes()
    bare = raw[raw.index(b"\x04\x36\x00") + 3 : -10]
    code, _, err = _run(capsys, "decode", bare.hex())
    assert code == EXIT_INPUT
    assert "cannot decode ParachainsInherentData" in err


def test_odd_length_hex_exits_two(capsys: Capture) -> None:
    code, _, err = _run(capsys, "decode", "0x" + example_block_bytes().hex()[:-1])
    assert code == EXIT_INPUT
    assert "odd number of digits" in err


def test_a_truncated_extrinsic_inside_a_block_names_the_extrinsic(
    capsys: Capture, tmp_path: Path
) -> None:
    block = load_example_block()
    block["extrinsics"][1] = block["extrinsics"][1][:-20]
    path = tmp_path / "block.json"
    path.write_text(json.dumps(block))
    code, _, err = _run(capsys, "decode", str(path))
    assert code == EXIT_INPUT
    assert f"{path}, extrinsic 1: cannot decode" in err


# --- the core-index inference ---------------------------------------------------------------------


def _backed_with(bits: str, votes: int) -> BackedCandidate:
    template = decode_paras_inherent_extrinsic(example_block_bytes())
    candidate = template.backed_candidates[0].candidate
    attestations = tuple((Implicit if i == 0 else Explicit)(bytes(64)) for i in range(votes))
    return BackedCandidate(candidate, attestations, BitVec.from_str(bits))


def test_a_vector_of_eight_bits_or_fewer_carries_no_core_index() -> None:
    assert elastic_core_index(_backed_with("11111", 5)) is None
    assert elastic_core_index(_backed_with("11000000", 2)) is None


def test_eight_trailing_bits_are_the_core_index_when_the_rest_match_the_votes() -> None:
    assert elastic_core_index(_backed_with("111" + "11000100", 3)) == 35


def test_no_core_index_when_the_leading_bits_do_not_match_the_votes() -> None:
    # Nine group members, two votes: a plain group bigger than 8, not an extension.
    assert elastic_core_index(_backed_with("110000000", 2)) is None


# --- a node's answer: chain_getBlock's result and the JSON-RPC envelope -----------------------


def _decode_document(
    capsys: Capture, tmp_path: Path, document: Any, *flags: str
) -> tuple[int, str, str]:
    # Every form goes through one file name, so the "from <source>" line is the same for all.
    path = tmp_path / "block.json"
    path.write_text(json.dumps(document))
    return _run(capsys, "decode", str(path), *flags)


def _block_forms(number: str) -> dict[str, Any]:
    # The same block as sidecar stores it, as `chain_getBlock` returns it (the header number in
    # hex, as a node writes it) and inside a JSON-RPC 2.0 answer.
    sidecar = load_block(number)
    header = dict(sidecar["header"], number=hex(sidecar["header"]["number"]))
    result = {
        "block": {"header": header, "extrinsics": sidecar["extrinsics"]},
        "justifications": None,
    }
    envelope = {"jsonrpc": "2.0", "id": 1, "result": result}
    return {"sidecar": sidecar, "chain_getBlock": result, "envelope": envelope}


@pytest.mark.parametrize("flags", [(), ("--json",)], ids=["plain", "json"])
@pytest.mark.parametrize("number", REAL_BLOCKS)
def test_a_nodes_answer_prints_exactly_what_its_sidecar_form_prints(
    capsys: Capture, tmp_path: Path, shared_data: Path, number: str, flags: tuple[str, ...]
) -> None:
    forms = _block_forms(number)
    assert forms["envelope"]["result"]["block"]["header"]["number"].startswith("0x")
    printed = {}
    for name, document in forms.items():
        code, out, err = _decode_document(capsys, tmp_path, document, *flags)
        assert (code, err) == (EXIT_OK, ""), name
        printed[name] = out
    assert printed["chain_getBlock"] == printed["sidecar"]
    assert printed["envelope"] == printed["sidecar"]
    if flags:
        assert json.loads(printed["sidecar"])["block_number"] == int(number)
    else:
        assert f"block: #{number}" in printed["sidecar"].splitlines()


# --- extrinsic format versions 4 and 5, and the call index ------------------------------------


def _with_preamble(extrinsic_hex: str, preamble: int) -> str:
    raw = bytearray(bytes.fromhex(extrinsic_hex.removeprefix("0x")))
    raw[raw.index(b"\x04\x36\x00")] = preamble  # the byte after the compact length
    return "0x" + raw.hex()


@pytest.mark.parametrize("flags", [(), ("--json",)], ids=["plain", "json"])
def test_a_format_version_5_inherent_prints_what_its_version_4_form_prints(
    capsys: Capture, tmp_path: Path, shared_data: Path, flags: tuple[str, ...]
) -> None:
    block = load_block("22887036")
    v4 = _decode_document(capsys, tmp_path, block, *flags)
    block["extrinsics"][1] = _with_preamble(block["extrinsics"][1], 0x05)
    v5 = _decode_document(capsys, tmp_path, block, *flags)
    assert v4[0] == EXIT_OK
    assert v5 == v4


def test_inline_hex_of_a_format_version_5_extrinsic_decodes_as_version_4_does(
    capsys: Capture,
) -> None:
    inherent = decode_paras_inherent_extrinsic(example_block_bytes())
    v5 = encode_paras_inherent_extrinsic(inherent, version=5)
    assert v5[v5.index(b"\x36\x00") - 1] == 0x05
    assert _run(capsys, "decode", v5.hex()) == _run(capsys, "decode", example_block_bytes().hex())


def test_a_signed_preamble_is_not_the_paras_inherent(capsys: Capture, tmp_path: Path) -> None:
    block = load_example_block()
    block["extrinsics"][1] = _with_preamble(block["extrinsics"][1], 0x84)  # signed, version 4
    code, _, err = _decode_document(capsys, tmp_path, block)
    assert code == EXIT_INPUT
    assert "no ParaInherent.enter extrinsic (call 0x3600) among its 2 extrinsics" in err


def test_a_wrong_call_index_finds_no_inherent_and_names_the_index_it_looked_for(
    capsys: Capture, shared_data: Path
) -> None:
    path = _block_path("22887036")
    code, out, err = _run(capsys, "decode", path, "--call-index", "3500")
    assert (code, out) == (EXIT_INPUT, "")
    assert err == (
        f"backable: error: {path}: no ParaInherent.enter extrinsic (call 0x3500)"
        " among its 2 extrinsics\n"
    )


def test_the_call_index_given_finds_an_inherent_at_another_pallet(
    capsys: Capture, tmp_path: Path
) -> None:
    inherent = decode_paras_inherent_extrinsic(example_block_bytes())
    block = load_example_block()
    moved = encode_paras_inherent_extrinsic(inherent, call_index=b"\x33\x00")
    block["extrinsics"][1] = "0x" + moved.hex()
    code, out, _ = _decode_document(capsys, tmp_path, block, "--call-index", "0x3300")
    assert code == EXIT_OK
    assert "backed candidates: 3" in out
    code, _, err = _decode_document(capsys, tmp_path, block)
    assert code == EXIT_INPUT
    assert "no ParaInherent.enter extrinsic (call 0x3600)" in err


def test_hex_of_another_call_names_the_call_it_carries_and_the_one_looked_for(
    capsys: Capture,
) -> None:
    inherent = decode_paras_inherent_extrinsic(example_block_bytes())
    moved = encode_paras_inherent_extrinsic(inherent, call_index=b"\x33\x00")
    code, out, err = _run(capsys, "decode", moved.hex())
    assert (code, out) == (EXIT_INPUT, "")
    assert err == (
        "backable: error: the hex argument: a bare extrinsic of call 0x3300, not the"
        " ParaInherent.enter call looked for (0x3600; see --call-index)\n"
    )
    code, out, _ = _run(capsys, "decode", moved.hex(), "--call-index", "3300")
    assert code == EXIT_OK
    assert "backed candidates: 3" in out


# --- the header's number against the inherent's parent ----------------------------------------

_KUSAMA_NUMBER = 26187139  # a number from another chain, put on a Polkadot-era inherent
_WARNING = (
    f"the block header is #{_KUSAMA_NUMBER} but the inherent's parent header is #22939321"
    " (expected #22939322): header and inherent may come from different blocks"
)


def test_a_header_that_is_not_the_inherents_child_is_a_warning_line_not_an_error(
    capsys: Capture, tmp_path: Path, shared_data: Path
) -> None:
    block = load_block("22939322")
    block["header"]["number"] = _KUSAMA_NUMBER
    code, out, err = _decode_document(capsys, tmp_path, block)
    assert (code, err) == (EXIT_OK, "")
    lines = out.splitlines()
    assert lines[1:3] == [f"block: #{_KUSAMA_NUMBER}", f"warning: {_WARNING}"]
    assert [line for line in lines if line.startswith("warning:")] == [f"warning: {_WARNING}"]
    assert "backed candidates: 6" in lines  # the data is still shown in full


def test_the_json_carries_the_header_warning_in_its_warnings_list(
    capsys: Capture, tmp_path: Path, shared_data: Path
) -> None:
    block = load_block("22939322")
    block["header"]["number"] = hex(_KUSAMA_NUMBER)
    code, out, _ = _decode_document(capsys, tmp_path, block, "--json")
    assert code == EXIT_OK
    data = json.loads(out)
    assert (data["block_number"], data["warnings"]) == (_KUSAMA_NUMBER, [_WARNING])
    assert len(data["candidates"]) == 6


@pytest.mark.parametrize("number", REAL_BLOCKS)
def test_each_real_header_is_its_inherents_child_so_nothing_is_warned(
    capsys: Capture, shared_data: Path, number: str
) -> None:
    # block22939322 included: its file holds header #22939322 around an inherent whose parent
    # header is #22939321 (the data's README calls it a Kusama block).
    _, out, _ = _run(capsys, "decode", _block_path(number))
    assert "warning" not in out
    _, out, _ = _run(capsys, "decode", _block_path(number), "--json")
    assert json.loads(out)["warnings"] == []


def test_without_a_header_there_is_no_block_number_and_no_warning(capsys: Capture) -> None:
    code, out, _ = _run(capsys, "decode", example_block_bytes().hex(), "--json")
    assert code == EXIT_OK
    data = json.loads(out)
    assert (data["block_number"], data["warnings"]) == (None, [])


# --- today's fields of each backed candidate --------------------------------------------------


@pytest.mark.parametrize("number", REAL_BLOCKS)
def test_every_real_descriptor_is_version_1_without_committed_core_session_or_signals(
    capsys: Capture, shared_data: Path, number: str
) -> None:
    derived = load_derived(number)["backed_candidates"]
    _, out, _ = _run(capsys, "decode", _block_path(number), "--json")
    candidates = json.loads(out)["candidates"]
    assert [c["descriptor_version"] for c in candidates] == ["v1"] * len(derived)
    for c, expected in zip(candidates, derived, strict=True):
        assert (c["para_id"], c["candidate_hash"]) == (
            expected["para_id"],
            expected["candidate_hash"],
        )
        assert (c["core_index"], c["session_index"], c["core_index_agrees"]) == (None, None, None)
        assert c["ump_signals"] == []
    _, out, _ = _run(capsys, "decode", _block_path(number))
    today = [line for line in out.splitlines() if line.startswith("      descriptor")]
    v1 = "      descriptor v1: no committed core index or session; UMP signals: none"
    assert today == [v1] * len(derived)


@pytest.mark.parametrize(("number", "n_cores"), [("22887036", 80), ("22939322", 100)])
def test_elastic_scaling_blocks_inject_a_distinct_core_below_the_core_count_in_each_candidate(
    capsys: Capture, shared_data: Path, number: str, n_cores: int
) -> None:
    _, out, _ = _run(capsys, "decode", _block_path(number), "--json")
    data = json.loads(out)
    assert len(data["availability_per_core"]) == n_cores
    injected = [c["injected_core_index"] for c in data["candidates"]]
    assert None not in injected
    assert len(set(injected)) == len(injected)
    assert all(0 <= core < n_cores for core in injected)
    for record, core in zip(data["backed_candidates"], injected, strict=True):
        bits = record["validator_indices"]  # bit 0 first
        assert bits[:-8].count("1") == len(record["validity_votes"])
        assert int(bits[-8:][::-1], 2) == core  # the 8 core bits, least significant first
    derived = load_derived(number)["backed_candidates"]
    assert injected == [e["core_index_from_validator_indices"] for e in derived]


@pytest.mark.parametrize("number", REAL_BLOCKS)
def test_the_json_has_the_availability_counts_the_summary_prints(
    capsys: Capture, shared_data: Path, number: str
) -> None:
    _, out, _ = _run(capsys, "decode", _block_path(number), "--json")
    data = json.loads(out)
    assert data["availability_per_core"] == load_derived(number)["availability_votes_per_core"]
    assert data["block_number"] == int(number)


def _v2_descriptor(template: CandidateDescriptor, core: int, session: int, version: int = 0) -> Any:
    # RFC-103's layout inside the v1 fields: `collator` holds the version byte, the core index
    # (u16 LE), the session (u32 LE) and 25 zero bytes; the `signature` bytes are all zero.
    collator = (
        bytes((version,)) + core.to_bytes(2, "little") + session.to_bytes(4, "little") + bytes(25)
    )
    return replace(template, collator=collator, signature=bytes(64))


_SELECT_CORE_1_0 = b"\x00\x01\x00"  # UMPSignal::SelectCore(CoreSelector(1), ClaimQueueOffset(0))
_APPROVED_PEER = b"\x01\x08\x01\x02"  # UMPSignal::ApprovedPeer(0x0102), length as compact 2


def _today_candidate(
    core: int = 3,
    session: int = 7,
    injected: str = "11000000",  # core 3, bit 0 first
    signals: tuple[bytes, ...] = (b"", _SELECT_CORE_1_0, _APPROVED_PEER),
    version: int = 0,
) -> BackedCandidate:
    template = decode_paras_inherent_extrinsic(example_block_bytes()).backed_candidates[0]
    receipt = template.candidate
    commitments = replace(
        receipt.commitments, upward_messages=receipt.commitments.upward_messages + signals
    )
    descriptor = _v2_descriptor(receipt.descriptor, core, session, version)
    return BackedCandidate(
        CommittedCandidateReceipt(descriptor, commitments),
        template.validity_votes,  # three votes
        BitVec.from_str("111" + injected),
    )


def test_a_v2_candidate_shows_its_committed_core_session_and_signals() -> None:
    backed = _today_candidate()
    assert candidate_fields(backed) == {
        "para_id": 2000,
        "candidate_hash": "0x" + backed.hash().hex(),
        "descriptor_version": "v2",
        "core_index": 3,
        "injected_core_index": 3,
        "core_index_agrees": True,
        "session_index": 7,
        "ump_signals": [
            {"kind": "SelectCore", "core_selector": 1, "claim_queue_offset": 0},
            {"kind": "ApprovedPeer", "peer_id": "0x0102"},
        ],
    }


def test_a_committed_core_unlike_the_injected_one_does_not_agree() -> None:
    fields = candidate_fields(_today_candidate(core=3, injected="10100000"))  # injected 5
    assert (fields["core_index"], fields["injected_core_index"]) == (3, 5)
    assert fields["core_index_agrees"] is False


def test_agreement_is_unknown_when_no_core_was_injected() -> None:
    fields = candidate_fields(_today_candidate(injected=""))  # three bits: the group alone
    assert (fields["core_index"], fields["injected_core_index"]) == (3, None)
    assert fields["core_index_agrees"] is None


def test_an_unknown_descriptor_version_commits_to_no_core_or_session() -> None:
    fields = candidate_fields(_today_candidate(version=7))
    assert fields["descriptor_version"] == "unknown"
    assert (fields["core_index"], fields["session_index"], fields["core_index_agrees"]) == (
        None,
        None,
        None,
    )


def test_signals_that_do_not_parse_show_the_rust_error_variant() -> None:
    three = (b"", _SELECT_CORE_1_0, _APPROVED_PEER, _SELECT_CORE_1_0)
    shown = candidate_fields(_today_candidate(signals=three))["ump_signals"]
    assert isinstance(shown, dict)
    assert shown["error"] == "TooManyUMPSignals"
    assert isinstance(shown["detail"], str)


def test_the_summary_prints_today_line_under_each_candidate(capsys: Capture) -> None:
    inherent = decode_paras_inherent_extrinsic(example_block_bytes())
    today = replace(inherent, backed_candidates=(_today_candidate(), _today_candidate(core=4)))
    code, out, _ = _run(capsys, "decode", encode_paras_inherent_extrinsic(today).hex())
    assert code == EXIT_OK
    lines = out.splitlines()
    at = lines.index("backed candidates: 2")
    assert lines[at + 1].endswith("validator_indices 11111000000 injected core index 3")
    assert lines[at + 2] == (
        "      descriptor v2: committed core index 3 (agrees with the injected 3), session 7;"
        " UMP signals: SelectCore (core selector 1, claim queue offset 0), ApprovedPeer 0x0102"
    )
    assert lines[at + 4].startswith(
        "      descriptor v2: committed core index 4 (differs from the injected 3)"
    )
