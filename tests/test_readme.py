# The README must stay true: its Python examples run, its two commands are the ones CI and users
# run, and .ci/run takes the test command from it verbatim.
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _between(marker: str) -> str:
    block = README.split(f"<!-- {marker} -->", 1)[1].split(f"<!-- /{marker} -->", 1)[0]
    return "\n".join(line for line in block.strip().splitlines() if not line.startswith("```"))


def test_the_readme_starts_with_the_two_commands() -> None:
    fences = re.findall(r"```\n(.*?)\n```", README, flags=re.S)
    assert fences[:2] == [_between("main-command"), _between("test-command")]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    extracted = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run"), "--print"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert extracted == _between("test-command")
    assert "pytest" in extracted


def test_the_python_examples_in_the_readme_run() -> None:
    blocks = re.findall(r"```python\n(.*?)\n```", README, flags=re.S)
    assert blocks, "the README shows Python examples"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_the_test_command_gates_core_and_shell_branch_coverage_at_their_floors() -> None:
    # The floors CI enforces: core/ at 95%, shell/ at 90% (each report exits non-zero below).
    command = _between("test-command")
    assert "pytest -n auto --dist loadfile --cov --cov-report=" in command
    assert "coverage report --include='core/*' --fail-under=95" in command
    assert "coverage report --include='shell/*' --fail-under=90" in command
    assert 'source = ["core", "shell"]' in (ROOT / "pyproject.toml").read_text()
    assert "branch = true" in (ROOT / "pyproject.toml").read_text()
