# `backable vectors` from the command line (shell/cli/vectors.py): what CI runs (export with
# the real blocks, then every case through this project's own adapter), and every user mistake
# as one stderr line with exit code 2.
from __future__ import annotations

import io
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import backable.shell.vectors.export as export_module
from backable.shell.cli.main import main
from backable.shell.vectors.docs import BEGIN, END
from backable.shell.vectors.families import all_families
from backable.shell.vectors.families.availability_threshold import FAMILY as THRESHOLD
from tests.vectors_helpers import CHAIN_DATA, ROOT, SERVE, chain_args, cli, exported

Capture = pytest.CaptureFixture[str]


def test_ci_exports_the_vectors_and_every_case_passes_through_serve() -> None:
    # The export (with the six real blocks when they are there), then the run through
    # `backable vectors serve`, its report as JSON; the same run's text report is the README's
    # command (test_the_readme_commands_run).
    folder, export = exported()
    assert "wrote" in export.stdout and str(folder) in export.stdout
    if CHAIN_DATA.is_dir():
        assert "no chain cases" not in export.stdout
    report = cli("vectors", "run", "--adapter", SERVE, "--json", str(folder))
    assert report.returncode == 0, report.stdout + report.stderr
    parsed = json.loads(report.stdout)
    assert parsed["ok"] is True and parsed["adapter_problem"] is None
    assert parsed["adapter_exit_code"] == 0
    assert [f["name"] for f in parsed["families"]] == [f.name for f in all_families()]
    index = json.loads((folder / "index.json").read_text())
    for family, listed in zip(parsed["families"], index["families"], strict=True):
        assert family["passed"] == listed["cases"] > 0
        assert family["failed"] == family["unsupported"] == family["not_run"] == 0


def test_export_prints_the_counts_by_source_and_profile_per_family() -> None:
    _, export = exported()
    lines = export.stdout.splitlines()
    assert lines[0].split() == ["family", "boundary", "generated", "chain", "seeds", "network",
                                "cases", "seconds"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:] if line[:1].isalpha()}
    for family in all_families():
        boundary, generated, chain, seeds, network, cases = map(int, rows[family.name][:6])
        assert boundary + generated + chain == seeds + network == cases
    assert "total" in rows


def test_no_command_and_no_subcommand_are_usage_errors(capsys: Capture) -> None:
    assert main(["vectors"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == "backable: error: vectors: name a command: export, serve,"\
        " run or docs"


def test_exporting_to_a_file_is_refused_in_one_line(tmp_path: Path, capsys: Capture) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    assert main(["vectors", "export", str(target)]) == 2
    assert capsys.readouterr().err == f"backable: error: {target}: exists and is not a" \
        " directory\n"


def test_chain_data_without_the_blocks_is_refused_before_anything_is_written(
    tmp_path: Path, capsys: Capture
) -> None:
    (tmp_path / "data").mkdir()
    out = tmp_path / "out"
    assert main(["vectors", "export", str(out), "--chain-data", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"backable: error: {tmp_path / 'data'}: no polkadot/raw/block18468942")
    assert err.count("\n") == 1
    assert not out.exists()


def test_export_without_hypothesis_says_so_in_one_line(
    tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # as if it were not installed
    assert main(["vectors", "export", str(tmp_path / "v")]) == 2
    assert capsys.readouterr().err == ("backable: error: making the generated cases needs"
                                       " hypothesis: pip install 'backable[vectors]'\n")


def test_export_prints_its_table_and_says_when_there_are_no_chain_cases(
    tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_module, "all_families", lambda: (THRESHOLD,))
    assert main(["vectors", "export", str(tmp_path / "v")]) == 0
    out = capsys.readouterr().out.splitlines()
    row = out[2].split()
    assert row[0] == "availability_threshold" and row[3] == "0"  # no chain cases
    assert int(row[1]) + int(row[2]) == int(row[6]) == int(out[4].split()[6])
    assert out[-2] == "no chain cases: --chain-data not given"
    assert out[-1].startswith(f"wrote {row[6]} cases of 1 families to {tmp_path / 'v'} in ")


def test_an_export_file_that_cannot_be_written_exits_one(
    tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_module, "all_families", lambda: (THRESHOLD,))
    (tmp_path / "v" / "index.json").mkdir(parents=True)
    assert main(["vectors", "export", str(tmp_path / "v")]) == 1
    assert capsys.readouterr().err.startswith(
        f"backable: error: {tmp_path / 'v' / 'index.json'}: cannot write: ")


def test_serve_reads_stdin_and_answers_on_stdout(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    request = b'{"id": 1, "family": "nope", "input": {}}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(request)))
    assert main(["vectors", "serve"]) == 0
    assert capsysbinary.readouterr().out == b'{"error":"unsupported family: nope","id":1}\n'


def test_docs_update_of_a_missing_file_is_refused(tmp_path: Path, capsys: Capture) -> None:
    assert main(["vectors", "docs", "--update", str(tmp_path / "none.md")]) == 2
    assert capsys.readouterr().err.startswith(f"backable: error: {tmp_path / 'none.md'}: cannot"
                                              " read: ")


def test_run_refuses_a_folder_without_vectors(tmp_path: Path, capsys: Capture) -> None:
    assert main(["vectors", "run", str(tmp_path), "--adapter", "cat"]) == 2
    assert capsys.readouterr().err == f"backable: error: {tmp_path / 'index.json'}: no such" \
        " file\n"


def test_run_refuses_an_adapter_that_cannot_start(capsys: Capture) -> None:
    folder, _ = exported()
    assert main(["vectors", "run", str(folder), "--adapter", "no-such-adapter-program"]) == 2
    assert capsys.readouterr().err == ("backable: error: cannot start the adapter"
                                       " 'no-such-adapter-program': No such file or directory\n")


@pytest.mark.parametrize("timeout", ["0", "-1", "soon", "nan", "inf"])
def test_run_refuses_a_time_limit_that_is_no_positive_number(
    timeout: str, capsys: Capture
) -> None:
    folder, _ = exported()
    assert main(["vectors", "run", str(folder), "--adapter", "cat", "--timeout", timeout]) == 2
    assert capsys.readouterr().err == (f"backable: error: --timeout {timeout!r}: expected a"
                                       " positive number of seconds\n")


def test_run_refuses_a_family_the_folder_does_not_have(capsys: Capture) -> None:
    folder, _ = exported()
    assert main(["vectors", "run", str(folder), "--adapter", "cat", "--family", "nope"]) == 2
    assert capsys.readouterr().err.startswith(f"backable: error: {folder}: no family nope (it"
                                              " has attested_to_backed, availability")


def test_a_failing_run_exits_one_and_names_the_family(capsys: Capture) -> None:
    folder, _ = exported()
    # `cat` echoes each request: a reply with keys the protocol does not have.
    code = main(["vectors", "run", str(folder), "--adapter", "cat", "--family",
                 "availability_threshold"])
    out = capsys.readouterr().out
    assert code == 1
    assert "availability_threshold: " in out and "the reply has keys the protocol does not:" \
        " family, input" in out
    assert out.rstrip().splitlines()[-1].startswith("FAILED: ")


def test_serve_answers_each_line_and_survives_bad_requests() -> None:
    requests = "\n".join([
        "not json",
        json.dumps({"id": 1, "family": "nope", "input": {}}),
        "",
        json.dumps({"id": 2, "family": "availability_threshold",
                    "input": {"formula": "seeds", "n": 3, "ones": 2}}),
        json.dumps({"id": 3, "family": "availability_threshold", "input": {"n": 3}}),
    ]) + "\n"
    done = cli("vectors", "serve", stdin=requests)
    assert done.returncode == 0, done.stderr
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert replies[0]["id"] is None and replies[0]["error"].startswith("bad request: ")
    assert replies[1] == {"id": 1, "error": "unsupported family: nope"}
    assert replies[2] == {"id": 2, "output": {"available": True, "minimum_ones": 2}}
    assert replies[3] == {"id": 3, "error": "input off the schema: input.formula: missing"}
    assert len(replies) == 4


def test_docs_prints_the_families_and_update_rewrites_only_between_the_markers(
    tmp_path: Path, capsys: Capture
) -> None:
    assert main(["vectors", "docs"]) == 0
    rendered = capsys.readouterr().out
    assert all(f"### `{f.name}`" in rendered for f in all_families())
    page = tmp_path / "page.md"
    page.write_text(f"before\n{BEGIN}\nold\n{END}\nafter\n")
    assert main(["vectors", "docs", "--update", str(page)]) == 0
    assert page.read_text() == f"before\n{BEGIN}\n\n{rendered}\n{END}\nafter\n"
    page.write_text("no markers\n")
    assert main(["vectors", "docs", "--update", str(page)]) == 2
    assert "are not there" in capsys.readouterr().err


def test_the_help_lists_the_four_commands(capsys: Capture) -> None:
    assert main(["vectors", "run", "--help"]) == 0
    assert "--adapter COMMAND" in capsys.readouterr().out
    assert main(["--help"]) == 0
    assert "vectors" in capsys.readouterr().out


def test_the_readme_commands_run(tmp_path: Path) -> None:
    # The README's "Conformance vectors" commands, from a scratch folder. Its export is the
    # session's (the same command writes the same bytes: test_vectors_export.py), so only the
    # rest run here; "python" in an adapter command is this interpreter.
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Conformance vectors", 1)[1].split("\n## ", 1)[0]
    commands = [shlex.split(line[2:]) for line in section.splitlines()
                if line.startswith("$ backable vectors")]
    assert [c[:3] for c in commands][:2] == [["backable", "vectors", "export"],
                                             ["backable", "vectors", "run"]]
    shutil.copytree(exported()[0], tmp_path / "vectors")
    for command in commands[1:]:
        args = [a.replace("python ", f"{shlex.quote(sys.executable)} ", 1)
                if a.startswith("python ") else a for a in command[1:]]
        done = subprocess.run([sys.executable, "-m", "backable", *args], capture_output=True,
                              text=True, cwd=tmp_path, timeout=300)
        assert done.returncode == 0, " ".join(command) + done.stdout + done.stderr
        if command[2] == "run":
            assert done.stdout.rstrip().endswith("ok: nothing failed"), done.stdout


def test_chain_args_name_the_shared_data_when_it_is_there() -> None:
    assert chain_args() == (("--chain-data", str(CHAIN_DATA)) if CHAIN_DATA.is_dir() else ())
