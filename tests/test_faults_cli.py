"""Fault 11, tracebacks at the command line: bad input and unwritable outputs end in one stderr line
naming the problem and an exit code (2 for input, refused before any run; 1 for a write that
failed after the run), never a traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backable.shell.cli import simulate as sim_cli
from backable.shell.cli.errors import EXIT_INPUT, EXIT_OK, EXIT_WRITE
from backable.shell.cli.example_block import load_example_block
from backable.shell.cli.main import main
from backable.shell.sim.report import MAX_SEED, MAX_U32

Capture = pytest.CaptureFixture[str]

SMALL = ("simulate", "--quiet", "--validators", "20", "--cores", "4", "--blocks", "2")


def _run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str, *needles: str) -> str:
    # One line on stderr, the CLI's own, naming the problem; no traceback.
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("backable: error: ")
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def never_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # Refusals must come before the run: an engine that fails the test if it is started.
    async def engine(*_: Any) -> Any:
        raise AssertionError("the simulation ran although its output was refused")

    monkeypatch.setattr(sim_cli, "_RUNNER", engine)


# --- simulate: outputs checked before the run -------------------------------------------------


def test_a_plot_file_without_an_image_suffix_is_refused_before_the_run(
    capsys: Capture, tmp_path: Path, never_run: None
) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "out.txt"
    code, _, err = _run(capsys, *SMALL, "--plot", str(target))
    assert code == EXIT_INPUT
    _one_line(err, f"--plot {target}", "'.txt' is not an image format", ".png")
    assert not target.exists()


def test_a_plot_into_a_directory_is_refused_before_the_run(
    capsys: Capture, tmp_path: Path, never_run: None
) -> None:
    code, _, err = _run(capsys, *SMALL, "--plot", str(tmp_path))
    assert code == EXIT_INPUT
    _one_line(err, f"--plot {tmp_path}", "is a directory")


def test_json_into_a_directory_is_refused_before_the_run(
    capsys: Capture, tmp_path: Path, never_run: None
) -> None:
    code, _, err = _run(capsys, *SMALL, "--json", str(tmp_path))
    assert code == EXIT_INPUT
    _one_line(err, f"--json {tmp_path}", "is a directory")


def test_json_where_the_system_refuses_to_write_is_refused_before_the_run(
    capsys: Capture, never_run: None
) -> None:
    # /sys refuses new files even to root (a chmod'ed directory would not stop root).
    target = "/sys/backable-report.json"
    if os.path.exists(target):
        pytest.skip("/sys is not the read-only sysfs here")
    code, _, err = _run(capsys, *SMALL, "--json", target)
    assert code == EXIT_INPUT
    _one_line(err, f"--json {target}", "cannot write")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_json_into_a_read_only_directory_is_refused_before_the_run(
    capsys: Capture, tmp_path: Path, never_run: None
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, _, err = _run(capsys, *SMALL, "--json", str(locked / "r.json"))
    assert code == EXIT_INPUT
    _one_line(err, "cannot write: Permission denied")


def test_the_check_before_the_run_leaves_no_file_behind(
    capsys: Capture, tmp_path: Path, never_run: None
) -> None:
    target = tmp_path / "r.json"
    code, _, _ = _run(capsys, *SMALL, "--json", str(target), "--seed", "-1")
    assert code == EXIT_INPUT
    assert not target.exists()


# --- simulate: a write that fails after the run -----------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_json_to_a_full_device_fails_after_the_run_with_one_line_and_exit_one(
    capsys: Capture,
) -> None:
    code, out, err = _run(capsys, *SMALL, "--json", "/dev/full")
    assert code == EXIT_WRITE
    assert "total" in out  # the run finished and its summary was printed first
    _one_line(err, "--json /dev/full", "cannot write", os.strerror(28))  # ENOSPC


# --- simulate: the seed's range -----------------------------------------------------------------


def test_a_seed_above_u64_is_refused_before_the_run(capsys: Capture, never_run: None) -> None:
    code, _, err = _run(capsys, *SMALL, "--seed", str(MAX_SEED + 1))
    assert code == EXIT_INPUT
    _one_line(err, f"--seed must be at most {MAX_SEED} (a u64), got {MAX_SEED + 1}")


def test_the_largest_seed_runs(capsys: Capture) -> None:
    code, out, err = _run(capsys, *SMALL, "--seed", str(MAX_SEED))
    assert code == EXIT_OK, err
    assert f"seed {MAX_SEED}" in out


def test_a_block_count_above_u32_is_refused_before_the_run(
    capsys: Capture, never_run: None
) -> None:
    code, _, err = _run(capsys, *SMALL, "--blocks", str(MAX_U32 + 1))
    assert code == EXIT_INPUT
    _one_line(err, f"--blocks must be at most {MAX_U32} (a u32)")


# --- decode: inputs that used to break it -----------------------------------------------------


def _decode_file(capsys: Capture, tmp_path: Path, text: str) -> tuple[int, str, str]:
    path = tmp_path / "in.json"
    path.write_text(text)
    return _run(capsys, "decode", str(path))


def test_json_nested_three_thousand_deep_is_too_deep(capsys: Capture, tmp_path: Path) -> None:
    code, _, err = _decode_file(capsys, tmp_path, "[" * 3000 + "]" * 3000)
    assert code == EXIT_INPUT
    _one_line(err, "input nested too deeply")


def test_a_number_past_pythons_digit_limit_is_bad_json(capsys: Capture, tmp_path: Path) -> None:
    code, _, err = _decode_file(capsys, tmp_path, '{"extrinsics": [], "n": ' + "9" * 5000 + "}")
    assert code == EXIT_INPUT
    _one_line(err, "bad JSON")


def test_a_header_number_out_of_u32_range_is_named(capsys: Capture, tmp_path: Path) -> None:
    block = load_example_block()
    block["header"]["number"] = "0x" + "f" * 5000  # would not even print as a decimal
    code, _, err = _decode_file(capsys, tmp_path, json.dumps(block))
    assert code == EXIT_INPUT
    _one_line(err, "header number is not a block number")


def test_a_json_rpc_error_object_is_named_as_such(capsys: Capture, tmp_path: Path) -> None:
    rpc = {"jsonrpc": "2.0", "id": 1, "error": {"code": -32000, "message": "Client error\n!"}}
    code, _, err = _decode_file(capsys, tmp_path, json.dumps(rpc))
    assert code == EXIT_INPUT
    _one_line(err, "a JSON-RPC error, not a block: -32000: 'Client error\\n!'")


def test_a_json_rpc_answer_around_a_block_decodes(capsys: Capture, tmp_path: Path) -> None:
    rpc = {"jsonrpc": "2.0", "id": 1, "result": {"block": load_example_block()}}
    code, out, err = _decode_file(capsys, tmp_path, json.dumps(rpc))
    assert code == EXIT_OK, err
    assert "backed candidates:" in out


@pytest.mark.parametrize(
    "document",
    [
        '{"extrinsics": "0x3600"}',
        '{"extrinsics": [1, null, {}, ["0x36"], "zz"]}',
        '{"header": [], "extrinsics": []}',
        "[1, 2, 3]",
        '{"error": null, "extrinsics": 5}',
    ],
)
def test_json_of_the_wrong_types_exits_two_with_one_line(
    capsys: Capture, tmp_path: Path, document: str
) -> None:
    code, _, err = _decode_file(capsys, tmp_path, document)
    assert code == EXIT_INPUT
    _one_line(err, "extrinsic")


def test_stdin_that_is_not_utf8_is_named(capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"{\xff\xfe}"), "utf-8"))
    code, _, err = _run(capsys, "decode", "-")
    assert code == EXIT_INPUT
    _one_line(err, "<stdin>: cannot read")


def test_no_traceback_reaches_the_terminal_through_python_dash_m(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"a": ' * 3000 + "0" + "}" * 3000)
    result = subprocess.run(
        [sys.executable, "-m", "backable", "decode", str(deep)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == EXIT_INPUT
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"backable: error: {deep}: input nested too deeply"


# --- decode: a node's answer, the header number and --call-index ------------------------------


def _envelope(result: Any, **extra: Any) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": 1, "result": result, **extra})


def test_a_null_result_is_a_node_without_that_block(capsys: Capture, tmp_path: Path) -> None:
    code, _, err = _decode_file(capsys, tmp_path, _envelope(None))
    assert code == EXIT_INPUT
    _one_line(err, "the node returned no block (null result)")


def test_an_answer_with_both_result_and_error_is_refused(capsys: Capture, tmp_path: Path) -> None:
    answer = _envelope({"block": load_example_block()}, error={"code": 1, "message": "m"})
    code, _, err = _decode_file(capsys, tmp_path, answer)
    assert code == EXIT_INPUT
    _one_line(err, 'a JSON-RPC answer with both "result" and "error"')


def test_an_answer_with_neither_result_nor_error_is_refused(
    capsys: Capture, tmp_path: Path
) -> None:
    code, _, err = _decode_file(capsys, tmp_path, '{"jsonrpc": "2.0", "id": 1}')
    assert code == EXIT_INPUT
    _one_line(err, 'neither "result" nor "error"')


@pytest.mark.parametrize(("result", "kind"), [([1], "list"), ("0x00", "string"), (5, "number")])
def test_a_result_that_is_not_an_object_is_named_by_its_type(
    capsys: Capture, tmp_path: Path, result: Any, kind: str
) -> None:
    code, _, err = _decode_file(capsys, tmp_path, _envelope(result))
    assert code == EXIT_INPUT
    _one_line(err, f"the JSON-RPC result is a {kind}, not a block")


def test_a_block_that_is_not_an_object_is_refused(capsys: Capture, tmp_path: Path) -> None:
    code, _, err = _decode_file(capsys, tmp_path, _envelope({"block": [1, 2]}))
    assert code == EXIT_INPUT
    _one_line(err, '"block" is not a JSON object')


@pytest.mark.parametrize("justifications", [None, [], [["FRNK", "0x00"]], {"odd": 1}, "junk", 5])
def test_justifications_of_any_shape_are_ignored(
    capsys: Capture, tmp_path: Path, justifications: Any
) -> None:
    expected = _run(capsys, "decode")[1].replace(
        "the shipped example block", str(tmp_path / "in.json")
    )
    signed = {"block": load_example_block(), "justifications": justifications}
    code, out, err = _decode_file(capsys, tmp_path, _envelope(signed))
    assert (code, err) == (EXIT_OK, "")
    assert out == expected


@pytest.mark.parametrize("number", ["0x3e9", "0X3E9", "1001", 1001])
def test_a_header_number_in_hex_decimal_text_or_a_json_number_is_read(
    capsys: Capture, tmp_path: Path, number: Any
) -> None:
    block = load_example_block()
    block["header"]["number"] = number
    code, out, err = _decode_file(capsys, tmp_path, json.dumps(block))
    assert (code, err) == (EXIT_OK, "")
    assert "block: #1001" in out.splitlines()
    assert "warning" not in out


@pytest.mark.parametrize("number", ["0x", "12abc", "1_000", " 12", "-1", -1, True, 1.5, [1], {}])
def test_a_header_number_of_another_form_is_named(
    capsys: Capture, tmp_path: Path, number: Any
) -> None:
    block = load_example_block()
    block["header"]["number"] = number
    code, _, err = _decode_file(capsys, tmp_path, json.dumps(block))
    assert code == EXIT_INPUT
    _one_line(err, "header number is not a block number")


def test_a_header_that_is_not_an_object_is_named(capsys: Capture, tmp_path: Path) -> None:
    block = load_example_block()
    block["header"] = ["0x00"]
    code, _, err = _decode_file(capsys, tmp_path, json.dumps(block))
    assert code == EXIT_INPUT
    _one_line(err, "the block's header is not a JSON object")


@pytest.mark.parametrize("value", ["36", "zz00", "360000", "0x36", "", "36 00", "0x0x3600"])
def test_a_call_index_that_is_not_two_hex_bytes_is_one_line(capsys: Capture, value: str) -> None:
    code, out, err = _run(capsys, "decode", "--call-index", value)
    assert (code, out) == (EXIT_INPUT, "")
    _one_line(err, f"--call-index {value!r}: expected two bytes as four hex digits")


def test_a_call_index_that_finds_another_extrinsic_is_a_decode_error(capsys: Capture) -> None:
    # 0x0300 is Timestamp.set, extrinsic 0 of the example block: found, but no paras inherent.
    code, _, err = _run(capsys, "decode", "--call-index", "0300")
    assert code == EXIT_INPUT
    _one_line(err, "the shipped example block, extrinsic 0: cannot decode")
