# The runner (shell/vectors/runner.py): every family round-trips through this project's adapter;
# a broken adapter is caught and its family named; an adapter that exits midway and one that
# answers nothing are reported with a clear message, the rest counted as not run; replies off the
# protocol fail their case by name; and the comparison reports differences by path.
from __future__ import annotations

from pathlib import Path

import pytest

from backable.shell.vectors.families import all_families
from backable.shell.vectors.family import Case
from backable.shell.vectors.files import FolderError, read_folder
from backable.shell.vectors.runner import compare, run_vectors
from tests.vectors_helpers import SERVE, exported, script

# A wrapper around `backable vectors serve` that corrupts one family's outputs: the first integer
# found in each of its outputs is increased by one (or, with none, a key is added).
CORRUPTER = '''
import json, subprocess, sys
TARGET = sys.argv[1] if len(sys.argv) > 1 else "bitfield_selection"
serve = subprocess.Popen([sys.executable, "-m", "backable", "vectors", "serve"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)

def bump(value):
    if isinstance(value, bool):
        return False, value
    if isinstance(value, int):
        return True, value + 1
    items = list(value.items()) if isinstance(value, dict) else (
        list(enumerate(value)) if isinstance(value, list) else [])
    for key, item in items:
        done, new = bump(item)
        if done:
            value[key] = new
            return True, value
    return False, value

for line in sys.stdin.buffer:
    family = json.loads(line)["family"]
    serve.stdin.write(line)
    serve.stdin.flush()
    reply = json.loads(serve.stdout.readline())
    if family == TARGET and "output" in reply:
        done, reply["output"] = bump(reply["output"])
        if not done:
            reply["output"]["corrupted"] = True
    sys.stdout.write(json.dumps(reply) + "\\n")
    sys.stdout.flush()
serve.stdin.close()
serve.wait()
'''

# Answers two requests (as unsupported), then gives up with exit code 3.
QUITTER = '''
import json, sys
for n, line in enumerate(sys.stdin):
    if n == 2:
        sys.stderr.write("adapter gave up: out of patience\\n")
        sys.exit(3)
    request = json.loads(line)
    print(json.dumps({"id": request["id"], "error": "unsupported family: " + request["family"]}),
          flush=True)
'''

# Reads its requests and never answers.
SLEEPER = '''
import sys, time
sys.stdin.readline()
time.sleep(120)
'''

# Answers with a line that is not JSON, then with the wrong id, then a bare error, then right.
MUDDLER = '''
import json, sys
for n, line in enumerate(sys.stdin):
    request = json.loads(line)
    if n == 0:
        print("hello", flush=True)
    elif n == 1:
        print(json.dumps({"id": request["id"] + 100, "output": {}}), flush=True)
    elif n == 2:
        print(json.dumps({"id": request["id"], "error": "boom"}), flush=True)
    else:
        print(json.dumps({"id": request["id"], "error": "unsupported family"}), flush=True)
'''


def _cases(folder: Path, family: str) -> tuple[Case, ...]:
    (found,) = [f.cases for f in read_folder(folder) if f.name == family]
    return found


def test_every_family_round_trips_through_serve() -> None:
    folder, _ = exported()
    report = run_vectors(folder, SERVE)
    files = {f.name: f for f in read_folder(folder)}
    assert [f.name for f in report.families] == [f.name for f in all_families()]
    for family in report.families:
        assert family.passed == len(files[family.name].cases) > 0, family
        assert (family.failed, family.unsupported, family.not_run) == (0, 0, 0)
    assert report.ok and report.adapter_problem is None and report.adapter_exit_code == 0


def test_a_broken_adapter_is_caught_and_its_family_named(tmp_path: Path) -> None:
    folder, _ = exported()
    command = script(tmp_path, "corrupt.py", CORRUPTER) + " bitfield_selection"
    report = run_vectors(folder, command, only=("availability_threshold", "bitfield_selection"))
    by_name = {f.name: f for f in report.families}
    assert by_name["availability_threshold"].failed == 0
    assert by_name["availability_threshold"].passed > 0
    broken = by_name["bitfield_selection"]
    assert broken.passed == 0 and broken.failed == len(_cases(folder, "bitfield_selection"))
    assert not report.ok and report.adapter_problem is None
    first = {f.case: f for f in broken.failures}["sorted-by-validator-index"]
    # Its first output integer (keys in sorted order) is selected[0].input_index, 1 expected.
    assert first.problems == ("selected[0].input_index: expected 1, got 2",)
    empty = {f.case: f for f in broken.failures}["no-bitfields"]
    assert empty.problems == ("corrupted: not expected, got true",)


def test_an_adapter_that_exits_midway_is_reported_with_its_code_and_stderr(
    tmp_path: Path,
) -> None:
    folder, _ = exported()
    report = run_vectors(folder, script(tmp_path, "quit.py", QUITTER),
                         only=("availability_threshold",))
    (family,) = report.families
    assert family.unsupported == 2 and family.passed == 0
    (failure,) = family.failures
    assert failure.request_id == 3
    case = _cases(folder, "availability_threshold")[2]
    assert report.adapter_problem == (
        f"the adapter exited with code 3 before answering request 3 (family"
        f" availability_threshold, case {case.name}); its last stderr lines:\n"
        "    adapter gave up: out of patience"
    )
    assert failure.problems == (report.adapter_problem,)
    assert family.not_run == len(_cases(folder, "availability_threshold")) - 3
    assert report.adapter_exit_code == 3 and not report.ok


def test_an_adapter_that_answers_nothing_is_killed_and_reported(tmp_path: Path) -> None:
    folder, _ = exported()
    report = run_vectors(folder, script(tmp_path, "sleep.py", SLEEPER), timeout=1,
                         only=("availability", "bitfield_selection"))
    first = _cases(folder, "availability")[0]
    assert report.adapter_problem == (
        "the adapter answered nothing within 1 s to request 1 (family availability, case"
        f" {first.name})"
    )
    availability, bitfields = report.families
    assert availability.failed == 1
    assert availability.not_run == len(_cases(folder, "availability")) - 1
    assert bitfields.not_run == len(_cases(folder, "bitfield_selection")) and bitfields.failed == 0
    assert report.adapter_exit_code is not None and report.adapter_exit_code < 0  # killed


def test_replies_off_the_protocol_fail_their_case_by_name(tmp_path: Path) -> None:
    folder, _ = exported()
    report = run_vectors(folder, script(tmp_path, "muddle.py", MUDDLER),
                         only=("availability_threshold",))
    (family,) = report.families
    problems = [f.problems[0] for f in family.failures]
    assert problems[0].startswith("reply to request 1: the reply is not JSON: ")
    assert problems[1] == "reply to request 2 carries id 102"
    assert problems[2] == "the adapter answered an error: boom"
    assert family.failed == 3
    assert family.unsupported == len(_cases(folder, "availability_threshold")) - 3
    assert report.adapter_problem is None


def test_only_names_families_the_folder_has() -> None:
    folder, _ = exported()
    with pytest.raises(FolderError, match="no family nope"):
        run_vectors(folder, SERVE, only=("nope",))


def test_compare_reports_each_difference_by_its_path() -> None:
    expected = {"selected": [{"validator_index": 4, "bitfield": "0xab"}, {"validator_index": 6}],
                "cores": [{"votes": None, "available": False}], "n": 1}
    got = {"selected": [{"validator_index": 5, "bitfield": "0xAB"}],
           "cores": [{"votes": 0, "available": 0}], "extra": []}
    assert compare(expected, got) == [
        "n: missing",
        "extra: not expected, got []",
        "cores[0].available: expected false (boolean), got 0 (integer)",
        "cores[0].votes: expected null (null), got 0 (integer)",
        "selected: expected 2 items, got 1",
        'selected[0].bitfield: expected "0xab", got "0xAB"',
        "selected[0].validator_index: expected 4, got 5",
    ]


def test_compare_finds_nothing_between_equal_values_and_shortens_long_ones() -> None:
    value = {"a": [1, True, None, "x", {"b": []}]}
    assert compare(value, {"a": [1, True, None, "x", {"b": []}]}) == []
    (line,) = compare({"h": "0x" + "00" * 100}, {"h": "0x" + "11" * 100})
    assert line.startswith('h: expected "0x0000') and "(204 chars)" in line
    assert compare([1], {"a": 1}) == ["output: expected [1] (list), got {'a': 1} (object)"]
