from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from backable.core import (
    BackedCandidate,
    BitVec,
    Explicit,
    Implicit,
    decode_paras_inherent_extrinsic,
)
from backable.shell.cli.decode import elastic_core_index
from backable.shell.cli.errors import EXIT_INPUT, EXIT_OK
from backable.shell.cli.example_block import EXAMPLE, example_block_bytes, load_example_block
from backable.shell.cli.main import main
from tests.conftest import REAL_BLOCKS, SHARED_DATA, load_derived

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
    assert "bitfields: 10 over 4 cores" in lines
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
        r" validator_indices 11100000000 core index 0",
        candidates[0],
    )
    assert candidates[1].endswith(
        "votes 2 (1 implicit, 1 explicit) validator_indices 1101000000 core index 2"
    )
    assert candidates[2].endswith("validator_indices 1111000000 core index 3")


def test_the_parent_header_line_names_number_and_hash(capsys: Capture) -> None:
    _, out, _ = _run(capsys, "decode")
    block = load_example_block()
    parent_hash = block["header"]["parentHash"]
    assert f"parent header: #{EXAMPLE.parent_number} hash {parent_hash} (2 digest items)" in out


def test_json_output_parses_with_the_examples_counts(capsys: Capture) -> None:
    code, out, _ = _run(capsys, "decode", "--json")
    assert code == EXIT_OK
    data = json.loads(out)
    assert set(data) == {"bitfields", "backed_candidates", "disputes", "parent_header"}
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
    assert f"bitfields: {n_bitfields} over {derived['n_cores_from_bitfield_length']} cores" in lines
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
            assert line.endswith(f" core index {core}")
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
    attestations = tuple(
        (Implicit if i == 0 else Explicit)(bytes(64)) for i in range(votes)
    )
    return BackedCandidate(candidate, attestations, BitVec.from_str(bits))


def test_a_vector_of_eight_bits_or_fewer_carries_no_core_index() -> None:
    assert elastic_core_index(_backed_with("11111", 5)) is None
    assert elastic_core_index(_backed_with("11000000", 2)) is None


def test_eight_trailing_bits_are_the_core_index_when_the_rest_match_the_votes() -> None:
    assert elastic_core_index(_backed_with("111" + "11000100", 3)) == 35


def test_no_core_index_when_the_leading_bits_do_not_match_the_votes() -> None:
    # Nine group members, two votes: a plain group bigger than 8, not an extension.
    assert elastic_core_index(_backed_with("110000000", 2)) is None
